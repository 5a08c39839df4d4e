/**
 * The real corpus in both backends: the file store's snapshot (built with the real model) copied
 * into PostgreSQL (PGlite), then the same search service over each. BM25 must agree exactly; the
 * fused rankings may differ only where the two HNSW implementations (hnswlib, pgvector) return
 * different neighbours; hit@k on the dev set must stay within 0.01.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceTuningFor } from '../../src/pipeline/compose/open.js';
import { analyze } from '../../src/lexical/analyzer.js';
import { composeAnswer, evidenceRequest } from '../../src/retrieval/answer.js';
import { isHit, parseEvalSet, type EvalItem } from '../../src/retrieval/eval.js';
import { createKnowledgeService, type KnowledgeService } from '../../src/retrieval/service.js';
import { openPostgresStore, pgliteQueryable, type PostgresStore } from '../../src/storage/postgres/index.js';
import type { DocumentWrite } from '../../src/storage/types.js';
import { withLineage } from '../../src/storage/lineage-store.js';
import { FIXTURES, realKnowledgeBase, testConfig } from '../helpers.js';
import { freshPglite } from './pglite.js';

describe('the real corpus in PostgreSQL and in the file store', () => {
  let db: PGlite;
  let pg: PostgresStore;
  let pgService: KnowledgeService;
  let items: EvalItem[];
  beforeAll(async () => {
    const { kb, embedder, profile } = await realKnowledgeBase();
    if (!kb) throw new Error('realKnowledgeBase() should open the file store');
    db = await freshPglite();
    pg = await openPostgresStore({ queryable: pgliteQueryable(db), modelId: embedder.modelId, dimension: embedder.dimension });
    const counts = kb.bm25.termCounts();
    const dim = embedder.dimension;
    const writes = new Map<string, DocumentWrite>();
    kb.passages.forEach((record, pos) => {
      let w = writes.get(record.docId);
      if (!w) {
        const doc = kb.documents.get(record.docId);
        if (!doc) throw new Error(`passage ${record.passageId} has no document`);
        writes.set(record.docId, (w = { document: { meta: doc.meta, body: doc.body, contentHash: doc.contentHash, source: doc.source, tree: doc.tree }, passages: [] }));
      }
      const { label: _label, ...passage } = record;
      const terms = [...(counts[pos] as Map<string, number>)].flatMap(([t, n]) => Array.from({ length: n }, () => t));
      w.passages.push({ passage, terms, vector: kb.vectors.slice(pos * dim, (pos + 1) * dim) });
    });
    await pg.writer.apply({ put: [...writes.values()], remove: [] });
    pgService = createKnowledgeService(pg.store, embedder, serviceTuningFor(await testConfig(), profile));
    items = parseEvalSet(await readFile(path.join(FIXTURES, 'dev.jsonl'), 'utf8'), 'dev.jsonl');
  }, 300_000);
  afterAll(async () => {
    await pg?.close();
    await db?.close();
  });

  it('holds the same documents and passages', async () => {
    const { store } = await realKnowledgeBase();
    // As readers see both: openKnowledgeBase's store derives versions (lineage) at read time; so does PostgreSQL's through withLineage.
    expect(await withLineage(pg.store).documents.list()).toEqual(await store.documents.list());
    for (const d of await store.documents.list()) expect(await pg.store.passages.ofDocument(d.meta.docId)).toEqual(await store.passages.ofDocument(d.meta.docId));
    expect(pg.store.info).toMatchObject({ documents: store.info.documents, passages: store.info.passages });
  });

  it('ranks every dev question’s words by BM25 exactly as the file store does', async () => {
    const { store } = await realKnowledgeBase();
    for (const item of items) {
      const terms = analyze(item.question);
      expect(await pg.store.lexical.search(terms, 60)).toEqual(await store.lexical.search(terms, 60));
    }
  });

  it('gives the file store’s hit@1 and hit@5 within 0.01 on the dev set, and the same answers where the rankings agree', async () => {
    const { service, kb } = await realKnowledgeBase();
    let fileHit1 = 0;
    let fileHit5 = 0;
    let pgHit1 = 0;
    let pgHit5 = 0;
    let differing = 0;
    const answerable = items.filter((i) => i.docs.length > 0);
    for (const item of items) {
      const [a, b] = await Promise.all([service.search(item.question, { k: 8 }), pgService.search(item.question, { k: 8 })]);
      const ids = (r: typeof a): string[] => r.results.map((h) => h.passageId);
      if (ids(a).join() !== ids(b).join()) differing += 1;
      else expect(composeAnswer(await pg.store.evidence(evidenceRequest(b)), b, { today: '2026-11-29' })).toEqual(composeAnswer(kb as NonNullable<typeof kb>, a, { today: '2026-11-29' }));
      if (item.docs.length === 0) continue;
      fileHit1 += a.results.slice(0, 1).some((h) => isHit(h, item)) ? 1 : 0;
      fileHit5 += a.results.slice(0, 5).some((h) => isHit(h, item)) ? 1 : 0;
      pgHit1 += b.results.slice(0, 1).some((h) => isHit(h, item)) ? 1 : 0;
      pgHit5 += b.results.slice(0, 5).some((h) => isHit(h, item)) ? 1 : 0;
    }
    const n = answerable.length;
    expect(Math.abs(pgHit1 - fileHit1) / n).toBeLessThanOrEqual(0.01);
    expect(Math.abs(pgHit5 - fileHit5) / n).toBeLessThanOrEqual(0.01);
    // Only approximate neighbours may differ; most questions rank identically.
    expect(differing).toBeLessThanOrEqual(Math.ceil(items.length * 0.1));
  }, 300_000);
});
