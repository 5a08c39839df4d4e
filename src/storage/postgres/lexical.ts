/**
 * The PostgreSQL store's BM25 (kb_terms, kb_postings): SQL finds and ranks the candidates; the final
 * scores are computed here with the embedded index's arithmetic (../bm25-score.ts), so scores and
 * rankings equal `Bm25Index`'s.
 */
import type { LexicalIndex, LexicalSearchOptions, PassageFilter, ScoredPassage, TermStats } from '../types.js';
import { averageLength, BM25_B, BM25_K1, bm25Idf, queryTerms, scorePassage, termWeight, type QueryTerm } from '../bm25-score.js';
import { compareReadingOrder } from '../passage-fields.js';
import type { Queryable } from './queryable.js';
import { docIdsParam } from './rows.js';

interface LexicalRow {
  passage_id: string;
  doc_id: string;
  ord: number;
  length: number;
  score: number;
  /** 1-based positions in the query of the terms the passage holds, and their frequencies. */
  qords: number[];
  tfs: number[];
  /** Corpus figures the ranking used (one snapshot): passages, total length, df per known term. */
  n: number;
  total: number;
  known: number[];
  dfs: number[];
}

/**
 * BM25 candidates, best first. Float8 throughout (a numeric literal would make every row slow),
 * constants folded once per query: score = Σ w·tf·(k1+1) / (tf + k1·(1−b) + k1·b·len/avgdl).
 * Postings of the query terms are read from the covering primary key; frequencies are gathered
 * only for the rows returned.
 */
const LEXICAL_SQL = `
WITH st AS (
  SELECT passages::float8 AS n, total_length::float8 AS total,
         ${BM25_K1}::float8 * (1 - ${BM25_B}::float8) AS c0,
         ${BM25_K1}::float8 * ${BM25_B}::float8 / greatest(total_length::float8 / nullif(passages, 0)::float8, 1::float8) AS c1
  FROM kb_state WHERE id = 1
),
q AS (
  SELECT u.qord::int AS qord, u.term, t.df,
         ln(1::float8 + (st.n - t.df + 0.5::float8) / (t.df + 0.5::float8)) * u.qtf * u.w * ${BM25_K1 + 1}::float8 AS weight
  FROM unnest($1::text[], $2::float8[], $3::float8[]) WITH ORDINALITY AS u(term, qtf, w, qord)
  JOIN kb_terms t ON t.term = u.term CROSS JOIN st
),
top AS (
  SELECT po.passage_id, sum(q.weight * po.tf / (po.tf + st.c0 + st.c1 * po.length)) AS score
  FROM q JOIN kb_postings po ON po.term = q.term CROSS JOIN st
  WHERE $4::text[] IS NULL OR po.doc_id = ANY($4::text[])
  GROUP BY po.passage_id
  ORDER BY score DESC
  LIMIT $5
),
qa AS (SELECT array_agg(qord ORDER BY qord) AS known, array_agg(df ORDER BY qord) AS dfs FROM q)
SELECT top.passage_id, f.doc_id, f.ord, f.length, top.score, f.qords, f.tfs, st.n, st.total, qa.known, qa.dfs
FROM top CROSS JOIN st CROSS JOIN qa
CROSS JOIN LATERAL (
  -- One primary-key lookup per (candidate, query term).
  SELECT min(po.doc_id) AS doc_id, min(po.ord) AS ord, min(po.length) AS length,
         array_agg(q.qord ORDER BY q.qord) AS qords, array_agg(po.tf ORDER BY q.qord) AS tfs
  FROM q JOIN kb_postings po ON po.term = q.term AND po.passage_id = top.passage_id
) f
ORDER BY top.score DESC`;

/** Exact BM25 scores of the candidates (Bm25Index's arithmetic), best first, ties in reading order. */
function rescore(rows: readonly LexicalRow[], query: readonly QueryTerm[], limit: number): ScoredPassage[] {
  const first = rows[0];
  if (!first) return [];
  const n = Number(first.n);
  const avgdl = averageLength(n, Number(first.total));
  const slot = new Map<number, number>();
  const weights: number[] = [];
  first.known.forEach((qord, i) => {
    slot.set(Number(qord), i);
    weights.push(termWeight(bm25Idf(n, Number(first.dfs[i])), query[Number(qord) - 1] as QueryTerm));
  });
  const scored = rows.map((r) => {
    const tfs = new Array<number>(weights.length).fill(0);
    r.qords.forEach((qord, i) => {
      tfs[slot.get(Number(qord)) as number] = Number(r.tfs[i]);
    });
    return { passageId: r.passage_id, docId: r.doc_id, index: Number(r.ord), score: scorePassage(weights, tfs, Number(r.length), avgdl) };
  });
  scored.sort((a, b) => b.score - a.score || compareReadingOrder(a, b));
  return scored.slice(0, limit).map((s) => ({ passageId: s.passageId, score: s.score }));
}

export function createLexicalIndex(db: Queryable): LexicalIndex {
  return {
    async search(terms: readonly string[], k: number, opts: LexicalSearchOptions = {}): Promise<ScoredPassage[]> {
      const query = queryTerms(terms, opts.weights);
      if (query.length === 0 || !(k >= 1)) return [];
      if (opts.filter?.docIds && opts.filter.docIds.length === 0) return [];
      const limit = Math.floor(k);
      // SQL ranks by its own float arithmetic (summed in any order); the rows come back with what the
      // exact rescoring needs. Rows past k are fetched so that a passage within a hair of the k-th
      // cannot be missed; when even the last fetched row is that close, fetch more.
      for (let extra = 16; ; extra *= 8) {
        const fetch = limit + extra;
        const rows = (await db.query<LexicalRow>(LEXICAL_SQL, [query.map((q) => q.term), query.map((q) => q.qtf), query.map((q) => q.weight), docIdsParam(opts.filter), fetch])).rows;
        const kth = rows[limit - 1];
        const last = rows[rows.length - 1];
        if (rows.length === fetch && kth && last && Number(last.score) >= Number(kth.score) * (1 - 1e-9)) continue;
        return rescore(rows, query, limit);
      }
    },
    async stats(terms: readonly string[], filter?: PassageFilter): Promise<TermStats> {
      const distinct = [...new Set(terms)];
      const row = (
        await db.query<{ n: number; scoped: number; terms: { term: string; df: number; ids: string[] }[] | null }>(
          `SELECT (SELECT passages FROM kb_state WHERE id = 1) AS n,
                  CASE WHEN $2::text[] IS NULL THEN (SELECT passages FROM kb_state WHERE id = 1)
                       ELSE (SELECT count(*)::int FROM kb_passages WHERE doc_id = ANY($2::text[])) END AS scoped,
                  (SELECT json_agg(json_build_object('term', t.term, 'df', t.df, 'ids',
                            coalesce((SELECT json_agg(po.passage_id ORDER BY po.doc_id, po.ord) FROM kb_postings po
                                      WHERE po.term = t.term AND ($2::text[] IS NULL OR po.doc_id = ANY($2::text[]))), '[]'::json)))
                   FROM kb_terms t WHERE t.term = ANY($1::text[])) AS terms`,
          [distinct, docIdsParam(filter)],
        )
      ).rows[0];
      const n = Number(row?.n ?? 0);
      const found = new Map((row?.terms ?? []).map((t) => [t.term, t]));
      const out = new Map<string, { idf: number; passageIds: string[] }>();
      for (const term of distinct) {
        const t = found.get(term);
        if (t) out.set(term, { idf: bm25Idf(n, Number(t.df)), passageIds: t.ids });
      }
      return { passages: n, terms: out, scoped: Number(row?.scoped ?? 0) };
    },
    async idf(terms: readonly string[]): Promise<Map<string, number>> {
      const distinct = [...new Set(terms)];
      if (distinct.length === 0) return new Map();
      const rows = (
        await db.query<{ term: string; df: number; n: number }>('SELECT t.term, t.df, s.passages AS n FROM kb_terms t CROSS JOIN kb_state s WHERE s.id = 1 AND t.term = ANY($1::text[])', [distinct])
      ).rows;
      const found = new Map(rows.map((r) => [r.term, bm25Idf(Number(r.n), Number(r.df))]));
      const out = new Map<string, number>();
      for (const term of distinct) {
        const idf = found.get(term);
        if (idf !== undefined) out.set(term, idf);
      }
      return out;
    },
    async vocabulary(): Promise<string[]> {
      return (await db.query<{ term: string }>('SELECT term FROM kb_terms ORDER BY term')).rows.map((r) => r.term);
    },
  };
}
