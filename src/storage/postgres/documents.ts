/** The PostgreSQL store's documents (kb_documents): list, get, filter, text search. */
import type { ValidMeta } from '../../corpus/document.js';
import { documentMatches } from '../filters.js';
import type { DocumentFilter, DocumentStore, DocumentSummary, StoredDocument } from '../types.js';
import type { Queryable } from './queryable.js';
import { toDocument, type DocumentRow } from './rows.js';

export function createDocumentStore(db: Queryable): DocumentStore {
  return {
    async list(): Promise<DocumentSummary[]> {
      const rows = (await db.query<{ meta: ValidMeta; content_hash: string; source: string; passages: number; chars: number }>('SELECT meta, content_hash, source, passages, chars FROM kb_documents ORDER BY doc_id')).rows;
      return rows.map((r) => ({ meta: r.meta, contentHash: r.content_hash, source: r.source, passages: Number(r.passages), chars: Number(r.chars) }));
    },
    async get(docId: string): Promise<StoredDocument | undefined> {
      const row = (await db.query<DocumentRow>('SELECT doc_id, meta, body, tree, content_hash, source FROM kb_documents WHERE doc_id = $1', [docId])).rows[0];
      return row ? toDocument(row) : undefined;
    },
    async getMany(docIds: readonly string[]): Promise<Map<string, StoredDocument>> {
      if (docIds.length === 0) return new Map();
      const rows = (await db.query<DocumentRow>('SELECT doc_id, meta, body, tree, content_hash, source FROM kb_documents WHERE doc_id = ANY($1::text[])', [[...docIds]])).rows;
      const byId = new Map(rows.map((r) => [r.doc_id, toDocument(r)]));
      const out = new Map<string, StoredDocument>();
      for (const id of docIds) {
        const doc = byId.get(id);
        if (doc) out.set(id, doc);
      }
      return out;
    },
    async select(filter: DocumentFilter): Promise<string[]> {
      if (filter.docIds && filter.docIds.length === 0) return [];
      const hasDates = Boolean(filter.dateFrom || filter.dateTo);
      const rows = (
        await db.query<{ doc_id: string; meta: ValidMeta }>(
          `SELECT doc_id, meta FROM kb_documents
           WHERE ($1::text[] IS NULL OR doc_id = ANY($1::text[]))
             AND ($2::text IS NULL OR strpos(issuer, $2::text) > 0)
             AND (NOT $3::boolean OR doc_date IS NOT NULL)
             AND ($4::text IS NULL OR doc_date >= $4::text)
             AND ($5::text IS NULL OR doc_date <= $5::text)
           ORDER BY doc_id`,
          [filter.docIds ? [...filter.docIds] : null, filter.issuer ? filter.issuer.trim() : null, hasDates, filter.dateFrom || null, filter.dateTo || null],
        )
      ).rows;
      // SQL narrowed the rows; the one definition of a filter decides (validity is judged here).
      return rows.filter((r) => documentMatches(r.meta, filter)).map((r) => r.doc_id);
    },
    async containing(texts: readonly string[], docIds?: readonly string[]): Promise<Set<string>> {
      if (texts.length === 0) return new Set();
      const rows = (
        await db.query<{ t: string }>(
          `SELECT u.t FROM unnest($1::text[]) AS u(t)
           WHERE EXISTS (SELECT 1 FROM kb_documents d WHERE ($2::text[] IS NULL OR d.doc_id = ANY($2::text[])) AND strpos(d.body, u.t) > 0)`,
          [[...new Set(texts)], docIds ? [...docIds] : null],
        )
      ).rows;
      return new Set(rows.map((r) => r.t));
    },
  };
}
