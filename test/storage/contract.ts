/**
 * The contract every storage backend passes (the embedded file store, PostgreSQL): the same plans in,
 * the same documents, passages, BM25 scores (bit for bit those of `Bm25Index` over the same passages),
 * nearest passages and filters out. A backend's test file calls `describeStoreContract` with a
 * factory that opens it on an empty database or folder.
 *
 * The subject's `store` is read again after every write, so a backend whose reads are snapshots may
 * expose the newest one through a getter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bm25Index } from '../../src/storage/file/bm25.js';
import { documentMatches } from '../../src/storage/filters.js';
import type { DocumentFilter, DocumentWrite, KnowledgeStore, StoreWriter } from '../../src/storage/types.js';
import { axisVector, inReadingOrder, seededRandom, syntheticWrites, WORDS } from './synthetic.js';

export interface StoreUnderTest {
  readonly store: KnowledgeStore;
  readonly writer: StoreWriter;
  close(): Promise<void>;
}

export interface StoreFactoryOptions {
  modelId: string;
  dimension: number;
}

export type StoreFactory = (options: StoreFactoryOptions) => Promise<StoreUnderTest>;

export const CONTRACT_MODEL = { modelId: 'contract-test-model', dimension: 8 } as const;

/** The embedded reference over the same passages, and passage ids by reference index. */
function reference(writes: readonly DocumentWrite[]): { bm25: Bm25Index; ids: string[]; docOf: string[] } {
  const passages = inReadingOrder(writes);
  return { bm25: Bm25Index.build(passages.map((p) => p.terms)), ids: passages.map((p) => p.passage.passageId), docOf: passages.map((p) => p.passage.docId) };
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i += 1) {
    dot += (a[i] as number) * (b[i] as number);
    na += (a[i] as number) ** 2;
    nb += (b[i] as number) ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

/** Queries that exercise repeats, unknown words, weights and rare and common terms. */
function queries(): { terms: string[]; weights?: Map<string, number> }[] {
  const random = seededRandom(99);
  const out: { terms: string[]; weights?: Map<string, number> }[] = [
    { terms: ['人工智能'] },
    { terms: ['人工智能', '人工智能', '补贴'] },
    { terms: ['没有这个词', '开源'] },
    { terms: ['😀表情', '𠀋字', 'gpu'] },
    { terms: ['数据', '算力', '模型'], weights: new Map([['算力', 0.4], ['模型', 0]]) },
  ];
  for (let i = 0; i < 15; i += 1) {
    const n = 1 + Math.floor(random() * 6);
    out.push({ terms: Array.from({ length: n }, () => WORDS[Math.floor(random() * WORDS.length)] as string) });
  }
  return out;
}

export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`storage contract: ${name}`, () => {
    describe('on an empty database', () => {
      let subject: StoreUnderTest;
      beforeAll(async () => {
        subject = await factory(CONTRACT_MODEL);
      });
      afterAll(async () => subject?.close());

      it('holds no documents, passages, terms or hashes', async () => {
        const { store, writer } = subject;
        expect(await store.documents.list()).toEqual([]);
        expect(await store.documents.get('nothing')).toBeUndefined();
        expect(await store.passages.ofDocument('nothing')).toEqual([]);
        expect(await store.lexical.search(['数据'], 5)).toEqual([]);
        expect(await store.lexical.vocabulary()).toEqual([]);
        expect(await store.vectors.search(axisVector(8, 0), 5)).toEqual([]);
        expect((await writer.hashes()).size).toBe(0);
        // Undefined before the first write; a backend that must write an empty snapshot to open reports that one.
        expect([undefined, store.info.version]).toContain(await writer.version());
        expect(await store.documents.containing(['数据'])).toEqual(new Set());
        expect(store.info).toMatchObject({ documents: 0, passages: 0, modelId: CONTRACT_MODEL.modelId, dimension: 8 });
        expect(store.info.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/u);
      });
    });

    describe('with 12 synthetic documents', () => {
      let subject: StoreUnderTest;
      const writes = syntheticWrites({ documents: 12, passagesPerDocument: 7, dimension: 8 });
      const ref = reference(writes);
      const docIds = writes.map((w) => w.document.meta.docId).sort();
      beforeAll(async () => {
        subject = await factory(CONTRACT_MODEL);
        await subject.writer.apply({ put: writes, remove: [] });
      });
      afterAll(async () => subject?.close());

      it('lists every document by docId with its summary', async () => {
        const list = await subject.store.documents.list();
        expect(list.map((d) => d.meta.docId)).toEqual(docIds);
        const first = writes.find((w) => w.document.meta.docId === docIds[0]) as DocumentWrite;
        expect(list[0]).toEqual({ meta: first.document.meta, contentHash: first.document.contentHash, source: first.document.source, passages: 7, chars: first.document.body.length });
        expect(subject.store.info).toMatchObject({ documents: 12, passages: 84 });
      });

      it('returns documents as written and leaves unknown ids out of getMany', async () => {
        const w = writes[3] as DocumentWrite;
        expect(await subject.store.documents.get(w.document.meta.docId)).toEqual(w.document);
        const many = await subject.store.documents.getMany([docIds[1] as string, 'missing', docIds[0] as string]);
        expect([...many.keys()]).toEqual([docIds[1], docIds[0]]);
      });

      it('returns passages in the order asked, and a document’s in reading order, with text = body slice', async () => {
        const w = writes[5] as DocumentWrite;
        const own = await subject.store.passages.ofDocument(w.document.meta.docId);
        expect(own.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
        for (const p of own) expect(p.text).toBe(w.document.body.slice(p.start, p.end));
        expect(own[3]).toEqual({ ...(w.passages[3] as DocumentWrite['passages'][number]).passage, text: own[3]?.text });
        const asked = [own[4]?.passageId, 'nope', own[1]?.passageId] as string[];
        expect((await subject.store.passages.get(asked)).map((p) => p.passageId)).toEqual([own[4]?.passageId, own[1]?.passageId]);
      });

      it('scores BM25 exactly as Bm25Index over the same passages, with weights and filters', async () => {
        const filterDocs = docIds.filter((_, i) => i % 3 !== 1);
        const allowed = new Set(filterDocs);
        for (const q of queries()) {
          for (const k of [1, 5, 30]) {
            const want = ref.bm25.search(q.terms, k, { weights: q.weights }).map((h) => ({ passageId: ref.ids[h.index], score: h.score }));
            expect(await subject.store.lexical.search(q.terms, k, { weights: q.weights })).toEqual(want);
            const wantFiltered = ref.bm25
              .search(q.terms, k, { weights: q.weights, allow: (i) => allowed.has(ref.docOf[i] as string) })
              .map((h) => ({ passageId: ref.ids[h.index], score: h.score }));
            expect(await subject.store.lexical.search(q.terms, k, { weights: q.weights, filter: { docIds: filterDocs } })).toEqual(wantFiltered);
          }
        }
        expect(await subject.store.lexical.search(['数据'], 5, { filter: { docIds: [] } })).toEqual([]);
      });

      it('reports idf and the passages holding each term as Bm25Index does', async () => {
        const terms = ['数据', '开源', '没有这个词', '数据'];
        const stats = await subject.store.lexical.stats(terms);
        expect(stats.passages).toBe(84);
        expect(stats.scoped).toBe(84);
        expect([...stats.terms.keys()].sort()).toEqual(['开源', '数据'].filter((t) => ref.bm25.has(t)).sort());
        for (const [term, s] of stats.terms) {
          expect(s.idf).toBe(ref.bm25.idf(term));
          expect(s.passageIds).toEqual(ref.bm25.passagesWith(term).map((i) => ref.ids[i]));
        }
        const scoped = await subject.store.lexical.stats(['数据'], { docIds: [docIds[0] as string, docIds[2] as string] });
        expect(scoped.scoped).toBe(14);
        expect(scoped.terms.get('数据')?.passageIds).toEqual(
          ref.bm25
            .passagesWith('数据')
            .filter((i) => ref.docOf[i] === docIds[0] || ref.docOf[i] === docIds[2])
            .map((i) => ref.ids[i]),
        );
      });

      it('gives the idf Bm25Index gives for the terms it holds', async () => {
        const idf = await subject.store.lexical.idf(['开源', '没有这个词', '数据', '开源']);
        const held = ['开源', '数据'].filter((t) => ref.bm25.has(t));
        expect([...idf.keys()]).toEqual(held);
        for (const t of held) expect(idf.get(t)).toBe(ref.bm25.idf(t));
      });

      it('holds the vocabulary Bm25Index holds', async () => {
        expect((await subject.store.lexical.vocabulary()).sort()).toEqual(ref.bm25.terms().sort());
      });

      it('finds nearest passages by cosine, score = 1 − distance, inside the filter', async () => {
        const all = inReadingOrder(writes);
        const probe = (all[17] as DocumentWrite['passages'][number]).vector;
        const brute = all.map((p) => ({ passageId: p.passage.passageId, docId: p.passage.docId, score: cosine(probe, p.vector) })).sort((a, b) => b.score - a.score);
        const hits = await subject.store.vectors.search(probe, 10);
        expect(hits.map((h) => h.passageId)).toEqual(brute.slice(0, 10).map((b) => b.passageId));
        hits.forEach((h, i) => expect(h.score).toBeCloseTo((brute[i] as { score: number }).score, 5));
        const filterDocs = [docIds[4] as string, docIds[9] as string];
        const filtered = await subject.store.vectors.search(probe, 10, { docIds: filterDocs });
        const bruteFiltered = brute.filter((b) => filterDocs.includes(b.docId));
        expect(filtered.map((h) => h.passageId)).toEqual(bruteFiltered.slice(0, 10).map((b) => b.passageId));
        expect(await subject.store.vectors.search(probe, 50, { docIds: [docIds[4] as string] })).toHaveLength(7);
      });

      it('selects exactly the documents documentMatches keeps', async () => {
        const metas = writes.map((w) => w.document.meta);
        const filters: DocumentFilter[] = [
          {},
          { issuer: '上海市' },
          { issuer: ' 国务院 ' },
          { dateFrom: '2018-01-01' },
          { dateTo: '2019-06-30' },
          { dateFrom: '2017-01-01', dateTo: '2020-12-31', issuer: '上海' },
          { validOn: '2021-06-01' },
          { validOn: '2016-06-01', docIds: [docIds[1] as string, docIds[6] as string, 'missing'] },
          { docIds: [] },
        ];
        for (const filter of filters) {
          const want = metas
            .filter((m) => documentMatches(m, filter))
            .map((m) => m.docId)
            .sort();
          expect(await subject.store.documents.select(filter)).toEqual(want);
        }
      });

      it('returns the stored vectors and content hashes', async () => {
        const w = writes[2] as DocumentWrite;
        const ids = w.passages.map((p) => p.passage.passageId);
        const got = await subject.writer.vectorsOf([...w.passages.map((p) => ({ passageId: p.passage.passageId, breadcrumb: p.passage.breadcrumb })), { passageId: 'missing', breadcrumb: '' }]);
        expect([...got.keys()].sort()).toEqual([...ids].sort());
        for (const p of w.passages) expect(Array.from(got.get(p.passage.passageId) as Float32Array)).toEqual(Array.from(p.vector));
        // A passage whose breadcrumb changed was embedded with another text: its vector is not reused.
        const first = (w.passages[0] as DocumentWrite['passages'][number]).passage;
        expect((await subject.writer.vectorsOf([{ passageId: first.passageId, breadcrumb: `${first.breadcrumb} (retitled)` }])).size).toBe(0);
        const hashes = await subject.writer.hashes();
        expect(hashes.get(w.document.meta.docId)).toEqual({ hash: w.document.contentHash, source: w.document.source, passages: 7 });
        expect(hashes.size).toBe(12);
      });

      it('says which texts occur verbatim in the bodies, inside the given documents', async () => {
        const body = (writes[1] as DocumentWrite).document.body;
        const piece = body.slice(3, 11);
        const docId = (writes[1] as DocumentWrite).document.meta.docId;
        const other = (writes[2] as DocumentWrite).document.meta.docId;
        expect(await subject.store.documents.containing([piece, '不在任何正文里的句子', '𠀋字'])).toEqual(new Set([piece, ...(writes.some((w) => w.document.body.includes('𠀋字')) ? ['𠀋字'] : [])]));
        expect(await subject.store.documents.containing([piece], [docId])).toEqual(new Set([piece]));
        expect(await subject.store.documents.containing([piece], [other])).toEqual(new Set((writes[2] as DocumentWrite).document.body.includes(piece) ? [piece] : []));
      });

      it('loads an evidence view with the hits, their documents and the scope’s term statistics', async () => {
        const w = writes[4] as DocumentWrite;
        const hit = (w.passages[2] as DocumentWrite['passages'][number]).passage;
        const scope = [w.document.meta.docId, (writes[6] as DocumentWrite).document.meta.docId];
        const view = await subject.store.evidence({ scope, docIds: [w.document.meta.docId], passageIds: [hit.passageId], terms: ['数据', '没有这个词'] });
        expect(view.documents.get(w.document.meta.docId)).toEqual(w.document);
        expect(view.passages[view.byId.get(hit.passageId) as number]).toMatchObject(hit);
        expect(view.bm25.size).toBe(84);
        expect(view.bm25.has('没有这个词')).toBe(false);
        expect(ref.bm25.has('数据')).toBe(true);
        expect(view.bm25.idf('数据')).toBe(ref.bm25.idf('数据'));
        // A view loaded for the scope (a database) numbers only postings in scope; a whole-index view (a snapshot) all of them.
        const inScope = ref.bm25.passagesWith('数据').filter((i) => scope.includes(ref.docOf[i] as string));
        if (view.scopedPassages === undefined) expect(view.bm25.passagesWith('数据')).toEqual(ref.bm25.passagesWith('数据'));
        else {
          expect(view.scopedPassages).toBe(14);
          expect(view.bm25.passagesWith('数据')).toHaveLength(inScope.length);
        }
      });
    });

    describe('when documents are replaced and removed', () => {
      let subject: StoreUnderTest;
      beforeAll(async () => {
        subject = await factory(CONTRACT_MODEL);
      });
      afterAll(async () => subject?.close());

      it('replaces a document’s passages and terms, removes documents with theirs, and changes the version each time', async () => {
        const first = syntheticWrites({ documents: 6, passagesPerDocument: 5, dimension: 8, seed: 1 });
        const v1 = (await subject.writer.apply({ put: first, remove: [] })).version;
        const replacement = syntheticWrites({ documents: 6, passagesPerDocument: 3, dimension: 8, seed: 2 }).slice(0, 2);
        const removed = (first[4] as DocumentWrite).document.meta.docId;
        const v2 = (await subject.writer.apply({ put: replacement, remove: [removed] })).version;
        expect(v2).not.toBe(v1);
        const now = [...replacement, ...first.slice(2).filter((w) => w.document.meta.docId !== removed)];
        const ref = reference(now);
        const { store } = subject;
        expect(store.info).toMatchObject({ version: v2, documents: 5, passages: 3 + 3 + 5 * 3 });
        expect(await store.passages.ofDocument(removed)).toEqual([]);
        expect((await store.passages.ofDocument((replacement[0] as DocumentWrite).document.meta.docId)).map((p) => p.passageId)).toEqual(
          (replacement[0] as DocumentWrite).passages.map((p) => p.passage.passageId),
        );
        expect((await subject.writer.hashes()).get((replacement[0] as DocumentWrite).document.meta.docId)).toEqual({
          hash: (replacement[0] as DocumentWrite).document.contentHash,
          source: (replacement[0] as DocumentWrite).document.source,
          passages: 3,
        });
        expect(await subject.writer.version()).toBe(v2);
        for (const q of queries()) {
          const want = ref.bm25.search(q.terms, 10, { weights: q.weights }).map((h) => ({ passageId: ref.ids[h.index], score: h.score }));
          expect(await store.lexical.search(q.terms, 10, { weights: q.weights })).toEqual(want);
        }
        expect((await store.lexical.vocabulary()).sort()).toEqual(ref.bm25.terms().sort());
        const probe = (first[4] as DocumentWrite).passages[0]?.vector as Float32Array;
        const hits = await store.vectors.search(probe, 30);
        expect(hits).toHaveLength(21);
        expect(hits.some((h) => h.passageId.startsWith(removed))).toBe(false);
        const gone = (first[4] as DocumentWrite).passages[0]?.passage as DocumentWrite['passages'][number]['passage'];
        expect((await subject.writer.vectorsOf([{ passageId: gone.passageId, breadcrumb: gone.breadcrumb }])).size).toBe(0);
      });

      it('writes nothing of a plan that fails part way', async () => {
        const before = await subject.writer.hashes();
        const version = subject.store.info.version;
        const good = syntheticWrites({ documents: 2, passagesPerDocument: 2, dimension: 8, seed: 5, prefix: 'fresh' });
        const bad = syntheticWrites({ documents: 1, passagesPerDocument: 2, dimension: 4, seed: 6, prefix: 'broken' });
        await expect(subject.writer.apply({ put: [...good, ...bad], remove: [[...before.keys()][0] as string] })).rejects.toThrow();
        expect(await subject.writer.hashes()).toEqual(before);
        expect(subject.store.info.version).toBe(version);
        expect(await subject.store.documents.get((good[0] as DocumentWrite).document.meta.docId)).toBeUndefined();
      });
    });
  });
}
