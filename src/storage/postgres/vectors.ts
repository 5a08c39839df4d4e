/** The PostgreSQL store's nearest passages (pgvector): exact over a small filtered set, HNSW otherwise. */
import type { PassageFilter, ScoredPassage, VectorIndex } from '../types.js';
import { compareReadingOrder } from '../passage-fields.js';
import type { Queryable } from './queryable.js';
import { docIdsParam, vectorLiteral } from './rows.js';

export interface VectorIndexOptions {
  dimension: number;
  /** HNSW candidate list size, 1–1000. */
  efSearch: number;
  /** A filtered search over at most this many passages compares them all. */
  exactScanLimit: number;
  /** pgvector ≥ 0.8: filtered searches scan the graph iteratively. */
  iterative: boolean;
}

export function createVectorIndex(db: Queryable, { dimension, efSearch, exactScanLimit, iterative }: VectorIndexOptions): VectorIndex {
  return {
    async search(vector: Float32Array, k: number, filter?: PassageFilter): Promise<ScoredPassage[]> {
      if (!(k >= 1)) return [];
      if (filter?.docIds && filter.docIds.length === 0) return [];
      const literal = vectorLiteral(vector, dimension, 'the query vector');
      const limit = Math.floor(k);
      type Row = { passage_id: string; doc_id: string; ord: number; distance: number };
      let rows: Row[];
      const docIds = docIdsParam(filter);
      let candidates = Number.POSITIVE_INFINITY;
      if (docIds) candidates = Number((await db.query<{ n: number }>('SELECT coalesce(sum(passages), 0)::int AS n FROM kb_documents WHERE doc_id = ANY($1::text[])', [docIds])).rows[0]?.n ?? 0);
      if (candidates <= exactScanLimit) {
        // A small set: compare them all (MATERIALIZED keeps the planner off the approximate index).
        rows = (
          await db.query<Row>(
            `WITH c AS MATERIALIZED (SELECT passage_id, doc_id, ord, embedding <=> $1::vector AS distance FROM kb_passages WHERE doc_id = ANY($2::text[]))
             SELECT passage_id, doc_id, ord, distance FROM c ORDER BY distance, doc_id, ord LIMIT $3`,
            [literal, docIds, limit],
          )
        ).rows;
      } else {
        rows = await db.transaction(async (tx) => {
          await tx.query("SELECT set_config('hnsw.ef_search', $1, true)", [String(iterative ? Math.max(efSearch, Math.min(limit, 1000)) : Math.min(1000, Math.max(efSearch, limit * 10)))]);
          // Keeps walking the graph until k rows pass the filter (pgvector ≥ 0.8); rows may come slightly out of order: re-sorted below.
          if (iterative) await tx.query("SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)");
          // The set is large (counted above, which the planner cannot know without statistics): walk the graph, do not sort it all.
          await tx.query("SELECT set_config('enable_sort', 'off', true)");
          return (
            await tx.query<Row>(
              `SELECT passage_id, doc_id, ord, embedding <=> $1::vector AS distance FROM kb_passages
               WHERE $2::text[] IS NULL OR doc_id = ANY($2::text[])
               ORDER BY embedding <=> $1::vector LIMIT $3`,
              [literal, docIds, limit],
            )
          ).rows;
        });
      }
      return rows
        .map((r) => ({ passageId: r.passage_id, docId: r.doc_id, index: Number(r.ord), score: 1 - Number(r.distance) }))
        .sort((a, b) => b.score - a.score || compareReadingOrder(a, b))
        .map((s) => ({ passageId: s.passageId, score: s.score }));
    },
  };
}
