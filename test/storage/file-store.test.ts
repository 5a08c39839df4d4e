/**
 * The embedded backend behind the storage interfaces, on the real dev corpus: filters as data give
 * what `documentMatches` gives, searches by docId stay inside the filter, and an answer composed from
 * a loaded evidence view (what a database backend builds per request) is the snapshot's answer.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeAnswer, evidenceRequest } from '../../src/retrieval/answer.js';
import { parseEvalSet } from '../../src/retrieval/eval.js';
import { loadEvidence } from '../../src/storage/evidence-loader.js';
import { baseStore } from '../../src/storage/lineage-store.js';
import { documentMatches } from '../../src/storage/filters.js';
import type { DocumentFilter } from '../../src/storage/types.js';
import { FIXTURES, realKnowledgeBase } from '../helpers.js';

describe('file store', () => {
  it('lists every document once, by docId, with its passage count and length', async () => {
    const { store, kb } = await realKnowledgeBase();
    const list = await store.documents.list();
    expect(list.map((d) => d.meta.docId)).toEqual([...kb.documents.keys()].sort());
    for (const d of list) {
      expect(d.passages).toBe(kb.passages.filter((p) => p.docId === d.meta.docId).length);
      expect(d.chars).toBe(kb.documents.get(d.meta.docId)?.body.length);
    }
    expect(store.info).toMatchObject({ backend: 'file', documents: list.length, passages: kb.passages.length });
  });

  it('gives every passage as its record less the label, plus its text, fields in the same order', async () => {
    const { store, kb } = await realKnowledgeBase();
    const got = await store.passages.get(kb.passages.map((p) => p.passageId));
    expect(got).toHaveLength(kb.passages.length);
    got.forEach((p, i) => {
      const { label: _label, ...fields } = kb.passages[i] as (typeof kb.passages)[number];
      const body = kb.documents.get(p.docId)?.body ?? '';
      expect(JSON.stringify(p)).toBe(JSON.stringify({ ...fields, text: body.slice(fields.start, fields.end) }));
    });
    expect(got.some((p) => p.part)).toBe(true);
  });

  it('searches by docId through the documents\' passage lists: the same hits as a predicate over every passage', async () => {
    const { store, kb } = await realKnowledgeBase();
    const docIds = ['yunfu', 'shenzhen'];
    const terms = ['数据', '中心', '补贴', '电价', '开放', '平台'];
    const hits = await store.lexical.search(terms, 20, { filter: { docIds } });
    const expected = kb.bm25.scoreExhaustive(terms, 20, { allow: (i) => docIds.includes(kb.passages[i]?.docId ?? '') });
    expect(hits).toEqual(expected.map((h) => ({ passageId: kb.passages[h.index]?.passageId, score: h.score })));
    const vector = kb.vectors.subarray(0, kb.info.dimension);
    const dense = await store.vectors.search(vector, 10, { docIds });
    expect(dense).toHaveLength(10);
    expect(dense.every((h) => docIds.includes(kb.passages[kb.byId.get(h.passageId) as number]?.docId ?? ''))).toBe(true);
  });

  it('selects documents by filters given as data, exactly as documentMatches does', async () => {
    const { store } = await realKnowledgeBase();
    const list = await store.documents.list();
    const filters: DocumentFilter[] = [{ issuer: '深圳' }, { dateFrom: '2017-01-01', dateTo: '2018-12-31' }, { validOn: '2018-03-01' }, { validOn: '2026-11-29', issuer: '国务院' }, { docIds: ['yunfu', 'nope'] }, {}];
    for (const f of filters) {
      expect(await store.documents.select(f)).toEqual(list.filter((d) => documentMatches(d.meta, f)).map((d) => d.meta.docId));
    }
    expect(await store.documents.select({ issuer: '没有这个机关' })).toEqual([]);
  });

  it('keeps lexical and vector searches inside a docId filter and returns passages in the order asked', async () => {
    const { store, embedder } = await realKnowledgeBase();
    const lexical = await store.lexical.search(['数据', '中心'], 10, { filter: { docIds: ['yunfu'] } });
    expect(lexical.length).toBeGreaterThan(0);
    const dense = await store.vectors.search(await embedder.embedQuery('数据中心电费'), 10, { docIds: ['yunfu'] });
    expect(dense).toHaveLength(10);
    const passages = await store.passages.get([...dense.map((h) => h.passageId)].reverse());
    expect(passages.map((p) => p.passageId)).toEqual([...dense.map((h) => h.passageId)].reverse());
    expect(new Set(passages.map((p) => p.docId))).toEqual(new Set(['yunfu']));
    const doc = await store.documents.get('yunfu');
    for (const p of passages) expect(p.text).toBe(doc?.body.slice(p.start, p.end));
  });

  it('counts term postings inside the scope only', async () => {
    const { store } = await realKnowledgeBase();
    const all = await store.lexical.stats(['数据']);
    const one = await store.lexical.stats(['数据'], { docIds: ['yunfu'] });
    expect(one.passages).toBe(all.passages);
    expect(one.scoped).toBe((await store.passages.ofDocument('yunfu')).length);
    expect(one.terms.get('数据')?.idf).toBe(all.terms.get('数据')?.idf);
    expect(one.terms.get('数据')?.passageIds.length).toBeLessThan(all.terms.get('数据')?.passageIds.length ?? 0);
    expect(all.terms.has('没有这个词')).toBe(false);
  });

  it('composes the same answer from a loaded evidence view as from the snapshot, on every dev question', async () => {
    const { service, store, kb } = await realKnowledgeBase();
    const items = parseEvalSet(await readFile(path.join(FIXTURES, 'dev.jsonl'), 'utf8'), 'dev.jsonl');
    expect(items.length).toBeGreaterThan(10);
    for (const item of items) {
      const response = await service.search(item.question, { k: 8 });
      // The backend's own view (the lineage view adds what the library says of each document to both alike).
      const view = await loadEvidence(baseStore(store), evidenceRequest(response));
      expect(composeAnswer(view, response, { today: '2026-11-29' })).toEqual(composeAnswer(kb, response, { today: '2026-11-29' }));
    }
  }, 120_000);
});
