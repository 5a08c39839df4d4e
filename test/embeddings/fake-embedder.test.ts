import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dot } from '../../src/embeddings/embedder.js';
import { createFakeEmbedder, fakeEmbedderProfile } from '../../src/embeddings/fake-embedder.js';
import { loadIndex } from '../../src/storage/file/index-store.js';
import { ingest } from '../../src/pipeline/ingest/ingest.js';
import { createKnowledgeService } from '../../src/retrieval/service.js';
import { KbError } from '../../src/shared/errors.js';
import { fileStore } from '../../src/storage/file/file-store.js';

const PARKING = `---
docId: parking
title: 某市停车场建设管理办法
issuer: 某市人民政府
dateIssued: 2024-03-01
status: 现行有效
---
第一条 为规范停车场建设和管理，制定本办法。
第二条 新建住宅小区应当按照每户不少于一个车位的标准配建停车位。
第三条 公共停车场收费标准由价格主管部门制定。
`;

const LIBRARY = `---
docId: library
title: 某市公共图书馆服务规定
issuer: 某市文化局
dateIssued: 2023-05-10
status: 现行有效
---
第一条 公共图书馆应当免费向读者开放阅览室。
第二条 公共图书馆每周开放时间不少于六十小时。
`;

async function tinyKnowledgeBase() {
  const root = await mkdtemp(path.join(tmpdir(), 'kb-fake-'));
  const corpusDir = path.join(root, 'corpus');
  const indexDir = path.join(root, 'index');
  await mkdir(corpusDir);
  await writeFile(path.join(corpusDir, 'parking.md'), PARKING);
  await writeFile(path.join(corpusDir, 'library.md'), LIBRARY);
  const embedder = createFakeEmbedder({ dimension: 128 });
  const summary = await ingest({ corpusDir, indexDir, embedder, profile: fakeEmbedderProfile(embedder), chunkMaxChars: 400, chunkMinChars: 10, hnsw: { M: 8, efConstruction: 50, efSearch: 50 }, batchSize: 16 });
  const kb = await loadIndex(indexDir, { modelId: embedder.modelId, dimension: embedder.dimension, chunkMaxChars: 400, chunkMinChars: 10, efSearch: 50 });
  return { summary, kb, embedder, service: createKnowledgeService(fileStore(kb), embedder, { search: { today: '2025-01-01' }, answer: { today: '2025-01-01' } }) };
}

describe('fake embedder', () => {
  it('gives the same unit vector for the same text, and a higher cosine to texts sharing bigrams', async () => {
    const e = createFakeEmbedder({ dimension: 64 });
    expect(e.modelId).toBe('fake-bigram-hash-64');
    const [a, b, c] = await e.embedDocuments(['停车场收费标准', '停车场收费', '图书馆开放时间']);
    const q = await e.embedQuery('停车场收费标准');
    if (!a || !b || !c) throw new Error('three vectors expected');
    expect(a).toBeInstanceOf(Float32Array);
    expect(a).toHaveLength(64);
    expect(Array.from(q)).toEqual(Array.from(a));
    expect(dot(a, a)).toBeCloseTo(1, 5);
    expect(dot(a, b)).toBeGreaterThan(dot(a, c));
    expect(dot(await e.embedQuery(''), await e.embedQuery(''))).toBeCloseTo(1, 5);
  });

  it('refuses a dimension that is not an integer of at least 2', () => {
    expect(() => createFakeEmbedder({ dimension: 1 })).toThrow(KbError);
    expect(() => createFakeEmbedder({ dimension: 1.5 })).toThrow('fake embedder dimension must be an integer ≥ 2, got 1.5; pass e.g. { dimension: 256 }');
  });

  it('indexes a corpus through the real ingest, and search and ask answer from it without the model', async () => {
    const { summary, kb, service } = await tinyKnowledgeBase();
    expect(summary.added).toEqual(['library', 'parking']);
    expect(summary.embedded).toBe(summary.passages);
    expect(kb.info.modelId).toBe('fake-bigram-hash-128');

    const found = await service.search('住宅小区停车位配建标准', { k: 3 });
    expect(found.results[0]).toMatchObject({ docId: 'parking', clause: '第二条' });
    expect(found.results[0]?.text).toContain('每户不少于一个车位');

    const scoped = await service.search('开放时间', { docIds: ['library'] });
    expect(scoped.results.every((h) => h.docId === 'library')).toBe(true);
    expect(scoped.results[0]?.clause).toBe('第二条');

    const { answer } = await service.ask('住宅小区停车位的配建标准是什么？');
    expect(answer.abstained).toBe(false);
    expect(answer.citations[0]).toMatchObject({ docId: 'parking', clause: '第二条', validity: { status: 'in_force' } });
    const body = kb.documents.get('parking')?.body ?? '';
    const c = answer.citations[0];
    expect(c && body.slice(c.start, c.end)).toBe(c?.quote);
    expect(c?.quote).toContain('每户不少于一个车位');
    expect(answer.answer).toContain('每户不少于一个车位');

    const { answer: none } = await service.ask('医疗保险报销比例是多少？');
    expect(none.abstained).toBe(true);
  });
});
