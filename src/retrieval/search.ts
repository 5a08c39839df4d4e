/**
 * Hybrid search over one KnowledgeIndex snapshot: BM25 and dense candidates, fused; documents the
 * query names become a filter; clause references (云浮第十条, 专栏3) are looked up in the section
 * tree and ranked first; results spread across documents when the query names none.
 */
import type { Embedder } from '../embeddings/embedder.js';
import { judgeValidity } from '../corpus/validity.js';
import { isoToday } from '../shared/dates.js';
import { ERROR_CODES, KbError } from '../shared/errors.js';
import { diversify, fuse, interleave, type FusionMethod } from './fusion.js';
import { passageText, type KnowledgeIndex, type PassageRecord } from './knowledge-index.js';
import { createTermNeighbours, DEFAULT_EXPANSION, type Expansion, type ExpansionOptions } from './expansion.js';
import { QUESTION_WORDS, quantityAsk } from './evidence.js';
import { buildAliasTable, resolveClauseRefs, understandQuery, type AliasTable, type QueryUnderstanding } from './query.js';

export type SearchMode = 'hybrid' | 'bm25' | 'dense';

export interface SearchOptions {
  /** Results wanted (1–50, default 8). */
  k?: number;
  docIds?: string[];
  /** Substring of the issuer (深圳市人民政府, 国务院). */
  issuer?: string;
  /** ISO dates; a document's dateIssued (else listingDate) must fall inside. */
  dateFrom?: string;
  dateTo?: string;
  mode?: SearchMode;
  /**
   * Only documents in force on this date (YYYY-MM-DD). Documents whose validity is unknown are
   * kept: they carry `validity.status: 'unknown'`, so the reader sees it.
   */
  validOn?: string;
  /** Only documents in force today (the tuning's `today`); `validOn` wins when both are set. */
  inForce?: boolean;
  /** Extend a hit that is one part of a split clause to the whole clause (all its parts). */
  mergeClause?: boolean;
}

export interface SearchTuning {
  fusion: FusionMethod;
  /** Weight of the dense list (BM25 = 1). */
  denseWeight: number;
  /** Candidates taken from each list. */
  candidates: number;
  /** Same-document decay when the query names no document (1 = off). */
  diversityDecay: number;
  /** Use named documents as a filter (else only as a boost). */
  filterNamedDocs: boolean;
  /**
   * Weight of the phrase list: candidates that write two adjacent words of the question as the
   * question does (投资基金, 无线上网), scored by the words' idf (0 disables it).
   */
  phraseWeight: number;
  /** Word-vector query expansion for BM25; undefined disables it. */
  expansion: ExpansionOptions | undefined;
  /** The date `inForce` judges validity on (YYYY-MM-DD); default: today. */
  today?: string;
}

export const DEFAULT_TUNING: SearchTuning = {
  fusion: 'score',
  denseWeight: 0.3,
  candidates: 60,
  diversityDecay: 0.85,
  filterNamedDocs: true,
  phraseWeight: 0.05,
  expansion: DEFAULT_EXPANSION,
};

export interface SearchHit {
  rank: number;
  passageId: string;
  docId: string;
  title: string;
  issuer: string;
  breadcrumb: string;
  clause: string;
  text: string;
  start: number;
  end: number;
  score: number;
  /** Which signals found it: bm25, dense, clause. */
  matchedBy: ('bm25' | 'dense' | 'clause')[];
  /** Set when the clause was split: part k of n (before any mergeClause). */
  part?: { index: number; of: number };
  bm25Score?: number;
  denseScore?: number;
}

export interface SearchResponse {
  query: string;
  results: SearchHit[];
  understanding: QueryUnderstanding;
  /** Terms added to the BM25 query from word-vector neighbours. */
  expansions: Expansion[];
  /** Documents the search was restricted to (filters and named documents), empty when all. */
  scope: string[];
}

export const MAX_QUERY_CHARS = 2000;

/** A search service bound to one snapshot: alias table and lookups are built once. */
export interface Searcher {
  readonly kb: KnowledgeIndex;
  readonly aliases: AliasTable;
  search(query: string, options?: SearchOptions): Promise<SearchResponse>;
}

export function validateQuery(query: unknown): string {
  if (typeof query !== 'string' || query.trim() === '') throw new KbError(ERROR_CODES.INVALID_INPUT, 'query must be a non-empty string');
  if (query.length > MAX_QUERY_CHARS) throw new KbError(ERROR_CODES.INVALID_INPUT, `query is ${query.length} characters; the limit is ${MAX_QUERY_CHARS}`);
  return query.trim();
}

export function createSearcher(kb: KnowledgeIndex, embedder: Embedder, tuning: Partial<SearchTuning> = {}): Searcher {
  const t: SearchTuning = { ...DEFAULT_TUNING, ...tuning };
  const aliases = buildAliasTable(kb.documents.values());
  const neighbours = createTermNeighbours(kb.bm25, embedder);
  // Place and document names are never expanded (惠州 must not pull in 东莞).
  const aliasTerms = new Set(aliases.entries.map((e) => e.alias));
  const knownIds = [...kb.documents.keys()].sort();

  const allowedDocs = (options: SearchOptions): Set<string> | undefined => {
    let allowed: Set<string> | undefined;
    if (options.docIds && options.docIds.length > 0) {
      for (const id of options.docIds) {
        if (!kb.documents.has(id)) throw new KbError(ERROR_CODES.UNKNOWN_DOC, `unknown docId "${id}"; known docIds: ${knownIds.join(', ')}`, { details: { docId: id, knownIds } });
      }
      allowed = new Set(options.docIds);
    }
    const narrow = (pred: (docId: string) => boolean): void => {
      const base = allowed ?? new Set(knownIds);
      allowed = new Set([...base].filter(pred));
    };
    if (options.issuer) {
      const needle = options.issuer.trim();
      narrow((id) => kb.documents.get(id)?.meta.issuer.includes(needle) ?? false);
    }
    if (options.validOn !== undefined || options.inForce) {
      const day = options.validOn ?? t.today ?? isoToday();
      narrow((id) => {
        const meta = kb.documents.get(id)?.meta;
        if (!meta) return false;
        const status = judgeValidity(meta, day).status;
        return status === 'in_force' || status === 'unknown';
      });
    }
    if (options.dateFrom || options.dateTo) {
      narrow((id) => {
        const meta = kb.documents.get(id)?.meta;
        const date = meta?.dateIssued ?? meta?.listingDate;
        if (!date) return false;
        return (!options.dateFrom || date >= options.dateFrom) && (!options.dateTo || date <= options.dateTo);
      });
    }
    return allowed;
  };

  const toHit = (p: PassageRecord, score: number, rank: number, matchedBy: SearchHit['matchedBy'], bm25Score?: number, denseScore?: number): SearchHit => {
    const doc = kb.documents.get(p.docId);
    const hit: SearchHit = {
      rank,
      passageId: p.passageId,
      docId: p.docId,
      title: doc?.meta.title ?? '',
      issuer: doc?.meta.issuer ?? '',
      breadcrumb: p.breadcrumb,
      clause: p.clause,
      text: passageText(kb, p),
      start: p.start,
      end: p.end,
      score: Number(score.toFixed(6)),
      matchedBy,
    };
    if (p.part) hit.part = p.part;
    if (bm25Score !== undefined) hit.bm25Score = Number(bm25Score.toFixed(6));
    if (denseScore !== undefined) hit.denseScore = Number(denseScore.toFixed(6));
    return hit;
  };

  return {
    kb,
    aliases,
    async search(rawQuery, options = {}) {
      const query = validateQuery(rawQuery);
      const k = options.k ?? 8;
      if (!Number.isInteger(k) || k < 1 || k > 50) throw new KbError(ERROR_CODES.INVALID_INPUT, `k must be an integer from 1 to 50; got ${String(k)}`);
      const mode = options.mode ?? 'hybrid';
      const understanding = understandQuery(query, aliases);
      let allowed = allowedDocs(options);
      const named = understanding.namedDocs.map((d) => d.docId).filter((id) => !allowed || allowed.has(id));
      if (t.filterNamedDocs && named.length > 0) allowed = new Set(named);
      const allowPassage = allowed ? (pos: number): boolean => allowed.has((kb.passages[pos] as PassageRecord).docId) : undefined;
      const scope = allowed ? [...allowed].sort() : [];
      if (allowed && allowed.size === 0) return { query, results: [], understanding, expansions: [], scope };
      const expansions = mode !== 'dense' && t.expansion ? await neighbours.expand(understanding.terms, t.expansion, aliasTerms) : [];

      const candidates = Math.max(t.candidates, k * 3);
      const lists: { key: number; score: number }[][] = [];
      const weights: number[] = [];
      if (mode !== 'dense') {
        const weightsByTerm = new Map(expansions.map((e) => [e.term, e.weight]));
        const terms = [...understanding.terms, ...expansions.map((e) => e.term)];
        lists.push(kb.bm25.search(terms, candidates, { weights: weightsByTerm, ...(allowPassage ? { allow: allowPassage } : {}) }).map((r) => ({ key: r.index, score: r.score })));
        weights.push(1);
      }
      if (mode !== 'bm25') {
        const qv = await embedder.embedQuery(query);
        const allowLabel = allowPassage ? (label: number): boolean => allowPassage(kb.byLabel.get(label) ?? -1) : undefined;
        const hits = kb.dense.search(qv, candidates, allowLabel);
        lists.push(hits.map((h) => ({ key: kb.byLabel.get(h.label) as number, score: h.score })).filter((h) => h.key !== undefined));
        weights.push(mode === 'dense' ? 1 : t.denseWeight);
      }
      const phrases = mode === 'hybrid' && t.phraseWeight > 0 ? questionPhrases(query, understanding.terms, (term) => (kb.bm25.has(term) ? kb.bm25.idf(term) : 0)) : [];
      if (phrases.length > 0) {
        const keys = new Set(lists.flatMap((l) => l.map((x) => x.key)));
        const list: { key: number; score: number }[] = [];
        for (const key of keys) {
          const text = passageText(kb, kb.passages[key] as PassageRecord);
          const score = phrases.reduce((a, p) => a + (text.includes(p.text) ? p.weight : 0), 0);
          if (score > 0) list.push({ key, score });
        }
        lists.push(list);
        weights.push(t.phraseWeight);
      }
      let fused = fuse(lists, { method: t.fusion, weights });

      // Clause references: passages inside the referenced node come first, best-scored first.
      const clauseKeys = new Set<number>();
      if (understanding.clauseRefs.length > 0) {
        const docs = scope.length > 0 ? scope : knownIds;
        for (const docId of docs) {
          const doc = kb.documents.get(docId);
          if (!doc) continue;
          for (const node of resolveClauseRefs(doc.tree, understanding.clauseRefs)) {
            kb.passages.forEach((p, pos) => {
              if (p.docId === docId && p.start < node.end && p.end > node.start) clauseKeys.add(pos);
            });
          }
        }
        if (clauseKeys.size > 0 && clauseKeys.size <= 12) {
          const top = fused[0]?.score ?? 1;
          const present = new Set(fused.map((f) => f.key));
          for (const key of clauseKeys) if (!present.has(key)) fused.push({ key, score: 0, ranks: lists.map(() => undefined), scores: lists.map(() => undefined) });
          fused = fused.map((f) => (clauseKeys.has(f.key) ? { ...f, score: f.score + top + 1 } : f)).sort((a, b) => b.score - a.score || a.key - b.key);
        }
      }

      // A question asking where a named document comes from (网址, 出自哪个网站): the passages of those
      // documents that state a web address lead, as a clause reference's passages do.
      if (scope.length > 0 && scope.length <= 3 && quantityAsk(query)?.kind === 'url') {
        const urlKeys: number[] = [];
        kb.passages.forEach((p, pos) => {
          if (allowed?.has(p.docId) && URL_RE.test(passageText(kb, p))) urlKeys.push(pos);
        });
        if (urlKeys.length > 0 && urlKeys.length <= 6) {
          const top = fused[0]?.score ?? 1;
          const present = new Set(fused.map((f) => f.key));
          for (const key of urlKeys) if (!present.has(key)) fused.push({ key, score: 0, ranks: lists.map(() => undefined), scores: lists.map(() => undefined) });
          const lead = new Set(urlKeys);
          fused = fused.map((f) => (lead.has(f.key) ? { ...f, score: f.score + top + 1 } : f)).sort((a, b) => b.score - a.score || a.key - b.key);
        }
      }

      // Several named documents ("国家和深圳各有什么说法"): alternate between them, best of each first.
      // None named: spread results across documents.
      const docOf = (f: { key: number }): string => (kb.passages[f.key] as PassageRecord).docId;
      // Several named documents: those named by different words (one word naming two is no comparison).
      if (new Set(understanding.namedDocs.filter((d) => named.includes(d.docId)).map((d) => d.by)).size >= 2) {
        // Documents ordered by their best hit.
        const order = [...new Set(fused.map(docOf))].filter((d) => named.includes(d));
        fused = interleave(fused, docOf, order);
      } else if (named.length === 0 && t.diversityDecay < 1 && !(options.docIds?.length === 1)) {
        fused = diversify(fused, docOf, t.diversityDecay, Math.min(fused.length, k * 2));
      }

      const results = fused.slice(0, k).map((f, i) => {
        const p = kb.passages[f.key] as PassageRecord;
        const matchedBy: SearchHit['matchedBy'] = [];
        const bmIdx = mode === 'dense' ? -1 : 0;
        const denseIdx = mode === 'bm25' ? -1 : mode === 'dense' ? 0 : 1;
        if (bmIdx >= 0 && f.ranks[bmIdx] !== undefined) matchedBy.push('bm25');
        if (denseIdx >= 0 && f.ranks[denseIdx] !== undefined) matchedBy.push('dense');
        if (clauseKeys.has(f.key)) matchedBy.push('clause');
        return toHit(p, f.score, i + 1, matchedBy, bmIdx >= 0 ? f.scores[bmIdx] : undefined, denseIdx >= 0 ? f.scores[denseIdx] : undefined);
      });
      if (options.mergeClause) for (const hit of results) mergeWholeClause(kb, hit);
      return { query, results, understanding, expansions, scope };
    },
  };
}

/**
 * Two adjacent words of the query written together in it (投资 基金 → 投资基金), weighted by their
 * idf: a passage that writes them the same way answers more closely than one with them apart.
 */
export function questionPhrases(query: string, terms: readonly string[], idf: (term: string) => number = () => 1): { text: string; weight: number }[] {
  const q = query.normalize('NFKC').toLowerCase();
  const out = new Map<string, number>();
  for (let i = 0; i + 1 < terms.length; i += 1) {
    const a = terms[i] as string;
    const b = terms[i + 1] as string;
    if (a.length < 2 || b.length < 2 || QUESTION_WORDS.has(a) || QUESTION_WORDS.has(b) || !CJK_ONLY.test(a + b)) continue;
    if (q.includes(a + b) && !terms.includes(a + b)) out.set(a + b, idf(a) + idf(b));
  }
  return [...out].map(([text, weight]) => ({ text, weight }));
}

const URL_RE = /https?:\/\/|www\./u;
const CJK_ONLY = /^[\u4e00-\u9fff]+$/u;

/** Widens a hit that is part k of n of a split clause to all n parts (text stays the body slice). */
function mergeWholeClause(kb: KnowledgeIndex, hit: SearchHit): void {
  const pos = kb.byId.get(hit.passageId);
  const p = pos === undefined ? undefined : kb.passages[pos];
  if (pos === undefined || !p?.part) return;
  const same = (q: PassageRecord | undefined): q is PassageRecord => !!q && q.docId === p.docId && !!q.part && q.part.of === p.part?.of && q.breadcrumb === p.breadcrumb;
  let first = pos;
  while (same(kb.passages[first - 1]) && (kb.passages[first - 1] as PassageRecord).part!.index < kb.passages[first]!.part!.index) first -= 1;
  let last = pos;
  while (same(kb.passages[last + 1]) && (kb.passages[last + 1] as PassageRecord).part!.index > kb.passages[last]!.part!.index) last += 1;
  const start = (kb.passages[first] as PassageRecord).start;
  const end = (kb.passages[last] as PassageRecord).end;
  hit.start = start;
  hit.end = end;
  hit.text = kb.documents.get(p.docId)?.body.slice(start, end) ?? hit.text;
}
