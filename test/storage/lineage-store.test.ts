/**
 * Versions and repeals as readers see them through `withLineage`, on both backends: derived from the
 * catalogue at read time, so they hold in any order of arrival and after a removal.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chunkDocument } from '../../src/chunking/chunker.js';
import { parseDocumentFile } from '../../src/corpus/document.js';
import { parsePolicy } from '../../src/corpus/parser.js';
import { judgeValidity } from '../../src/corpus/validity.js';
import { fakeEmbedderProfile } from '../../src/embeddings/fake-embedder.js';
import { fileWriter } from '../../src/storage/file/file-writer.js';
import { loadIndex } from '../../src/storage/file/index-store.js';
import { fileStore } from '../../src/storage/file/file-store.js';
import { withLineage } from '../../src/storage/lineage-store.js';
import { openPostgresStore, pgliteQueryable } from '../../src/storage/postgres/index.js';
import type { DocumentWrite, KnowledgeStore, StoreWriter } from '../../src/storage/types.js';
import { freshPglite } from './pglite.js';
import { axisVector } from './synthetic.js';

const MODEL = { modelId: 'lineage-test-model', dimension: 8 };
const TODAY = '2026-12-06';

/** A document as ingest writes it: parsed from its file text, chunked, with placeholder terms and vectors. */
function writeOf(file: string, text: string): DocumentWrite {
  const doc = parseDocumentFile(file, new TextEncoder().encode(text));
  const tree = parsePolicy(doc.body);
  const chunks = chunkDocument({ docId: doc.meta.docId, title: doc.meta.title, body: doc.body, tree });
  return {
    document: { meta: doc.meta, body: doc.body, contentHash: `h-${file}`, source: file, tree },
    passages: chunks.map((c, i) => ({ passage: { passageId: c.passageId, docId: c.docId, index: c.index, start: c.start, end: c.end, breadcrumb: c.breadcrumb, headings: c.headings, labels: c.labels, clause: c.clause, sectionIds: c.sectionIds }, terms: ['条例', `t${i}`], vector: axisVector(MODEL.dimension, i % MODEL.dimension) })),
  };
}

const version = (date: string, order: string, revisions: string): string =>
  `---\ndocId: v-${date.slice(0, 4)}\n---\n# 中华人民共和国某某条例\n\n2001年6月15日 中华人民共和国国务院令第${order}号公布\n\n${revisions}<!-- INFO END -->\n\n## 第一章 总则\n\n第一条 为了规范某某，制定本条例。\n\n第二条 本条例自2001年7月1日起施行。\n`;
const V2010 = writeOf('某某条例(2010-01-09).md', version('2010-01-09', '306', '2010年1月9日 《国务院关于修改〈中华人民共和国某某条例〉的决定》第一次修订\n\n'));
const V2023 = writeOf('某某条例(2023-12-11).md', version('2023-12-11', '306', '2010年1月9日 《国务院关于修改〈中华人民共和国某某条例〉的决定》第一次修订\n\n2023年12月11日 《国务院关于修改〈中华人民共和国某某条例〉的决定》第二次修订\n\n'));
const OLD_RULES = writeOf('old.md', '---\ndocId: old-rules\ntitle: 某市甲办法\nissuer: 某市人民政府\ndateIssued: 2015-03-01\n---\n第一条 甲。\n第二条 本办法自2015年3月1日起施行。');
const NEW_RULES = writeOf('new.md', '---\ndocId: new-rules\ntitle: 某市乙办法\nissuer: 某市人民政府\ndateIssued: 2020-01-01\n---\n第一条 乙。\n第二十条 本办法自2020年2月1日起施行，《某市甲办法》同时废止。');

interface Backend {
  name: string;
  open(): Promise<{ store(): Promise<KnowledgeStore>; writer: StoreWriter; close(): Promise<void> }>;
}

const BACKENDS: Backend[] = [
  {
    name: 'file',
    async open() {
      const indexDir = await mkdtemp(path.join(tmpdir(), 'kb-lineage-'));
      const writer = fileWriter({ indexDir, ...MODEL, profile: fakeEmbedderProfile(MODEL), chunkMaxChars: 400, chunkMinChars: 100, hnsw: { M: 16, efConstruction: 100, efSearch: 64 } });
      await writer.apply({ put: [], remove: [] });
      return { writer, store: async () => fileStore(await loadIndex(indexDir, { ...MODEL, chunkMaxChars: 400, chunkMinChars: 100, efSearch: 64 })), close: () => rm(indexDir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'postgres (PGlite)',
    async open() {
      const db = await freshPglite();
      const opened = await openPostgresStore({ queryable: pgliteQueryable(db), ...MODEL });
      return { writer: opened.writer, store: async () => opened.store, close: async () => { await opened.close(); await db.close(); } };
    },
  },
];

for (const backend of BACKENDS) {
  describe(`versions and repeals read through withLineage (${backend.name})`, () => {
    const closers: (() => Promise<void>)[] = [];
    afterAll(async () => Promise.all(closers.map((c) => c())));

    it('supersedes the older version and repeals what the library repeals, whatever the order of arrival', async () => {
      const b = await backend.open();
      closers.push(() => b.close());
      // The newest version and the repealer arrive first.
      await b.writer.apply({ put: [V2023, NEW_RULES], remove: [] });
      await b.writer.apply({ put: [V2010, OLD_RULES], remove: [] });
      const store = withLineage(await b.store());
      const status = new Map((await store.documents.list()).map((d) => [d.meta.docId, judgeValidity(d.meta, TODAY)] as const));
      expect(status.get('v-2010')).toMatchObject({ status: 'superseded', supersededBy: 'v-2023', evidence: 'version' });
      expect(status.get('v-2023')).toMatchObject({ status: 'in_force' });
      expect(status.get('old-rules')).toMatchObject({ status: 'repealed', repealedBy: 'new-rules', evidence: 'repeal' });
      expect(status.get('old-rules')?.basis).toContain('已被《某市乙办法》第二十条废止');
      // get, getMany and the evidence view carry the same lineage.
      expect((await store.documents.get('v-2023'))?.meta.lineage?.versions.map((v) => v.docId)).toEqual(['v-2010', 'v-2023']);
      expect((await store.documents.getMany(['v-2010'])).get('v-2010')?.meta.lineage?.supersededBy?.docId).toBe('v-2023');
      const view = await store.evidence({ scope: [], docIds: ['old-rules'], passageIds: [], terms: [] });
      expect(view.documents.get('old-rules')?.meta.lineage?.repealedBy?.docId).toBe('new-rules');
      // validOn follows the chain: each version on its own days.
      expect(await store.documents.select({ validOn: '2015-06-01' })).toEqual(['old-rules', 'v-2010']);
      expect(await store.documents.select({ validOn: TODAY })).toEqual(['new-rules', 'v-2023']);
      expect(await store.documents.select({ validOn: TODAY, docIds: ['v-2010', 'v-2023'] })).toEqual(['v-2023']);
    });

    it('follows a removal: the older version is current again once the newer one is gone', async () => {
      const b = await backend.open();
      closers.push(() => b.close());
      await b.writer.apply({ put: [V2010, V2023, OLD_RULES, NEW_RULES], remove: [] });
      await b.writer.apply({ put: [], remove: ['v-2023', 'new-rules'] });
      const store = withLineage(await b.store());
      const status = new Map((await store.documents.list()).map((d) => [d.meta.docId, judgeValidity(d.meta, TODAY).status] as const));
      expect(Object.fromEntries(status)).toEqual({ 'old-rules': 'in_force', 'v-2010': 'in_force' });
    });
  });
}
