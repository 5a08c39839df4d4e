/**
 * The PostgreSQL store's writer: a plan is checked whole, then applied in one transaction that
 * replaces the documents, their passages and postings, adjusts document frequencies, bumps the store
 * version and NOTIFYs (delivered at commit). Readers never see half a document.
 */
import { ERROR_CODES, KbError, describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { StoreWriter, WritePlan } from '../types.js';
import { WRITE_LOCK_KEY } from './migrations.js';
import type { Queryable } from './queryable.js';
import { parseVector, passageJsonFields, vectorLiteral } from './rows.js';

export interface StoreWriterOptions {
  dimension: number;
  /** NOTIFY channel of the store's changes. */
  channel: string;
  logger: Logger;
  /** The database's change counter now. */
  version(): Promise<string>;
  /** Called after each write: re-reads the store's state and tells its listeners. */
  afterWrite(): Promise<void>;
}

export function createStoreWriter(db: Queryable, { dimension, channel, logger, version, afterWrite }: StoreWriterOptions): StoreWriter {
  return {
    async hashes(): Promise<Map<string, { hash: string; source: string; passages: number }>> {
      const rows = (await db.query<{ doc_id: string; content_hash: string; source: string; passages: number }>('SELECT doc_id, content_hash, source, passages FROM kb_documents ORDER BY doc_id')).rows;
      return new Map(rows.map((r) => [r.doc_id, { hash: r.content_hash, source: r.source, passages: Number(r.passages) }]));
    },
    async version(): Promise<string | undefined> {
      const v = await version();
      return v === '0' ? undefined : v;
    },
    async vectorsOf(asked: readonly { passageId: string; breadcrumb: string }[]): Promise<Map<string, Float32Array>> {
      if (asked.length === 0) return new Map();
      const rows = (
        await db.query<{ passage_id: string; breadcrumb: string; embedding: string }>(
          "SELECT passage_id, fields->>'breadcrumb' AS breadcrumb, embedding::text AS embedding FROM kb_passages WHERE passage_id = ANY($1::text[])",
          [[...new Set(asked.map((p) => p.passageId))]],
        )
      ).rows;
      const stored = new Map(rows.map((r) => [r.passage_id, r]));
      const out = new Map<string, Float32Array>();
      // What was embedded is breadcrumb + text: a retitled passage is embedded again.
      for (const p of asked) {
        const row = stored.get(p.passageId);
        if (row && row.breadcrumb === p.breadcrumb) out.set(p.passageId, parseVector(row.embedding));
      }
      return out;
    },
    async apply(plan: WritePlan): Promise<{ version: string }> {
      const prepared = prepareWrites(plan, dimension);
      const touched = [...new Set([...plan.remove, ...plan.put.map((w) => w.document.meta.docId)])];
      if (touched.length === 0) return { version: await version() };
      let changed = 0;
      let after = 0;
      const newVersion = await db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK_KEY.toString()]);
        const old = (await tx.query<{ n: number; total: number }>('SELECT count(*)::int AS n, coalesce(sum(length), 0)::float8 AS total FROM kb_passages WHERE doc_id = ANY($1::text[])', [touched])).rows[0];
        // Document frequencies of the old postings leave first; the rows themselves go with the cascade.
        await tx.query(
          `WITH gone AS (SELECT term, count(*)::int AS n FROM kb_postings WHERE doc_id = ANY($1::text[]) GROUP BY term),
           dropped AS (DELETE FROM kb_terms t USING gone WHERE t.term = gone.term AND t.df <= gone.n RETURNING t.term)
           UPDATE kb_terms t SET df = t.df - gone.n FROM gone WHERE t.term = gone.term AND t.df > gone.n`,
          [touched],
        );
        await tx.query('DELETE FROM kb_documents WHERE doc_id = ANY($1::text[])', [touched]);
        let added = 0;
        let addedLength = 0;
        const postingTerms: string[] = [];
        for (const w of prepared) {
          const d = w.document;
          await tx.query(
            'INSERT INTO kb_documents (doc_id, meta, body, tree, content_hash, source, chars, issuer, doc_date, passages) VALUES ($1, $2::jsonb, $3, $4::jsonb, $5, $6, $7, $8, $9, $10)',
            [d.meta.docId, JSON.stringify(d.meta), d.body, JSON.stringify(d.tree), d.contentHash, d.source, d.body.length, d.meta.issuer, d.meta.dateIssued ?? d.meta.listingDate ?? null, w.passages.length],
          );
          if (w.passages.length === 0) continue;
          await tx.query(
            `INSERT INTO kb_passages (passage_id, doc_id, ord, start_offset, end_offset, fields, text, length, embedding)
             SELECT u.passage_id, $1, u.ord, u.start_offset, u.end_offset, u.fields::jsonb, u.text, u.length, u.embedding::vector
             FROM unnest($2::text[], $3::int[], $4::int[], $5::int[], $6::text[], $7::text[], $8::int[], $9::text[]) AS u(passage_id, ord, start_offset, end_offset, fields, text, length, embedding)`,
            [
              d.meta.docId,
              w.passages.map((p) => p.passageId),
              w.passages.map((p) => p.index),
              w.passages.map((p) => p.start),
              w.passages.map((p) => p.end),
              w.passages.map((p) => p.fields),
              w.passages.map((p) => p.text),
              w.passages.map((p) => p.length),
              w.passages.map((p) => p.vector),
            ],
          );
          const post = { term: [] as string[], passage: [] as string[], ord: [] as number[], tf: [] as number[], length: [] as number[] };
          for (const p of w.passages) {
            for (const [term, tf] of p.counts) {
              post.term.push(term);
              post.passage.push(p.passageId);
              post.ord.push(p.index);
              post.tf.push(tf);
              post.length.push(p.length);
            }
            added += 1;
            addedLength += p.length;
          }
          postingTerms.push(...post.term);
          if (post.term.length > 0) {
            await tx.query(
              `INSERT INTO kb_postings (term, passage_id, doc_id, ord, tf, length)
               SELECT u.term, u.passage_id, $1, u.ord, u.tf, u.length FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::int[]) AS u(term, passage_id, ord, tf, length)`,
              [d.meta.docId, post.term, post.passage, post.ord, post.tf, post.length],
            );
          }
        }
        if (postingTerms.length > 0) {
          await tx.query(
            `INSERT INTO kb_terms (term, df) SELECT term, count(*)::int FROM unnest($1::text[]) AS u(term) GROUP BY term
             ON CONFLICT (term) DO UPDATE SET df = kb_terms.df + EXCLUDED.df`,
            [postingTerms],
          );
        }
        changed = Number(old?.n ?? 0) + added;
        const state = (
          await tx.query<{ version: string; passages: number }>(
            `UPDATE kb_state SET version = version + 1, updated_at = now(),
               documents = (SELECT count(*)::int FROM kb_documents),
               passages = passages - $1::int + $2::int,
               total_length = total_length - $3::bigint + $4::bigint
             WHERE id = 1 RETURNING version::text AS version, passages`,
            [Number(old?.n ?? 0), added, Math.round(Number(old?.total ?? 0)), addedLength],
          )
        ).rows[0] as { version: string; passages: number };
        after = Number(state.passages);
        // Delivered at commit, to every listener on this database (other replicas included).
        await tx.query('SELECT pg_notify($1, $2)', [channel, state.version]);
        return state.version;
      });
      logger.info('store updated', { version: newVersion, put: plan.put.length, removed: plan.remove.length });
      if (changed >= 200 && changed * 10 >= after) {
        // A bulk write: fresh statistics now, so the planner keeps reading postings by term (a server's
        // autovacuum would get there within a minute; PGlite has none).
        await db.query('ANALYZE kb_postings, kb_terms, kb_passages, kb_documents').catch((error: unknown) => logger.warn('ANALYZE after a bulk write failed', { error: describeError(error) }));
      }
      await afterWrite();
      return { version: newVersion };
    },
  };
}

interface PreparedPassage {
  passageId: string;
  index: number;
  start: number;
  end: number;
  fields: string;
  text: string;
  length: number;
  counts: Map<string, number>;
  vector: string;
}

/** Checks a plan before anything is written, and turns it into rows: a bad plan writes nothing. */
function prepareWrites(plan: WritePlan, dimension: number): { document: WritePlan['put'][number]['document']; passages: PreparedPassage[] }[] {
  const seen = new Set<string>();
  const removed = new Set(plan.remove);
  return plan.put.map(({ document, passages }) => {
    const docId = document.meta.docId;
    if (seen.has(docId)) throw new KbError(ERROR_CODES.INVALID_INPUT, `the write plan puts document ${docId} twice; put each document once`);
    if (removed.has(docId)) throw new KbError(ERROR_CODES.INVALID_INPUT, `the write plan both puts and removes document ${docId}; a put replaces it already`);
    seen.add(docId);
    const ids = new Set<string>();
    const prepared = passages.map(({ passage, terms, vector }, position) => {
      if (passage.docId !== docId) throw new KbError(ERROR_CODES.INVALID_INPUT, `passage ${passage.passageId} names document ${passage.docId} but is written with ${docId}`);
      if (ids.has(passage.passageId)) throw new KbError(ERROR_CODES.INVALID_INPUT, `document ${docId} has passage ${passage.passageId} twice`);
      ids.add(passage.passageId);
      if (!(Number.isInteger(passage.start) && Number.isInteger(passage.end) && passage.start >= 0 && passage.start <= passage.end && passage.end <= document.body.length)) {
        throw new KbError(ERROR_CODES.INVALID_INPUT, `passage ${passage.passageId} spans ${passage.start}–${passage.end}, outside its document's body (${document.body.length} characters)`);
      }
      if (passage.index !== position) throw new KbError(ERROR_CODES.INVALID_INPUT, `passage ${passage.passageId} has index ${passage.index} at position ${position} of document ${docId}; passages come in reading order`);
      const counts = new Map<string, number>();
      if (Array.isArray(terms)) for (const t of terms as readonly string[]) counts.set(t, (counts.get(t) ?? 0) + 1);
      else for (const [t, n] of terms as ReadonlyMap<string, number>) counts.set(t, n);
      return {
        passageId: passage.passageId,
        index: passage.index,
        start: passage.start,
        end: passage.end,
        fields: JSON.stringify(passageJsonFields(passage)),
        // The verbatim text is the body slice, by construction (JavaScript offsets, UTF-16 units).
        text: document.body.slice(passage.start, passage.end),
        length: [...counts.values()].reduce((a, n) => a + n, 0),
        counts,
        vector: vectorLiteral(vector, dimension, `the vector of passage ${passage.passageId}`),
      };
    });
    return { document, passages: prepared };
  });
}
