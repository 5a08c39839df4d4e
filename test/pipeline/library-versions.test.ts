/**
 * Version chains and repeals through the write path a user has (upload, replace, delete with
 * addDocuments/removeDocument), on both backends: the older version is `superseded` naming the
 * next, a repealed instrument `repealed` naming its repealer, whatever order the files arrive in,
 * and the statuses follow a replacement that changes a version's date and a deletion.
 */
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { judgeValidity, type Validity } from '../../src/corpus/validity.js';
import { loadIndex } from '../../src/storage/file/index-store.js';
import { ingest } from '../../src/pipeline/ingest/ingest.js';
import { addDocuments, removeDocument, type AddInput, type LibraryDeps } from '../../src/pipeline/library/library.js';
import { ingestOptionsFor, libraryDepsFor } from '../../src/pipeline/compose/open.js';
import { createEmbeddingRuntime, expectationsFor, type EmbeddingRuntime } from '../../src/pipeline/compose/runtime.js';
import { syncStore } from '../../src/pipeline/ingest/sync.js';
import { fileStore } from '../../src/storage/file/file-store.js';
import { withLineage } from '../../src/storage/lineage-store.js';
import { openPostgresStore, pgliteQueryable, type PostgresStore } from '../../src/storage/postgres/index.js';
import type { KnowledgeStore } from '../../src/storage/types.js';
import { CORPUS_DIR, testConfig } from '../helpers.js';
import { freshPglite } from '../storage/pglite.js';

const TODAY = '2026-12-06';
const law = (revisions: string): string =>
  `# 中华人民共和国某某条例\n\n2001年6月15日 中华人民共和国国务院令第306号公布\n\n${revisions}<!-- INFO END -->\n\n## 第一章 总则\n\n第一条 为了规范某某活动，制定本条例。\n\n第二条 申请人应当向主管部门提交书面申请。\n`;
const REV = (date: string, n: string): string => `${date} 《国务院关于修改〈中华人民共和国某某条例〉的决定》第${n}次修订\n\n`;
const V2010 = law(REV('2010年1月9日', '一'));
const V2023 = law(`${REV('2010年1月9日', '一')}${REV('2023年12月11日', '二')}`);
const V2005 = law(REV('2005年3月1日', '一'));
const OLD_RULES = '---\ntitle: 某市甲办法\nissuer: 某市人民政府\ndateIssued: 2015-03-01\n---\n第一条 甲。\n第二条 本办法自2015年3月1日起施行。\n';
const NEW_RULES = '---\ntitle: 某市乙办法\nissuer: 某市人民政府\ndateIssued: 2020-01-01\n---\n第一条 乙。\n第二十条 本办法自2020年2月1日起施行，《某市甲办法》同时废止。\n';

const file = (fileName: string, text: string, extra: Partial<AddInput> = {}): AddInput => ({ bytes: Buffer.from(text), fileName, ...extra });

let runtime: EmbeddingRuntime;
beforeAll(async () => {
  runtime = await createEmbeddingRuntime(await testConfig());
});

interface Library {
  deps: LibraryDeps;
  store(): Promise<KnowledgeStore>;
}

const pg: { db: PGlite; store: PostgresStore }[] = [];
afterAll(async () => {
  for (const { db, store } of pg) {
    await store.close();
    await db.close();
  }
});

const BACKENDS: { name: string; open(): Promise<Library> }[] = [
  {
    name: 'file',
    async open() {
      const corpusDir = await mkdtemp(path.join(tmpdir(), 'kb-libver-'));
      await cp(path.join(CORPUS_DIR, 'yunfu.md'), path.join(corpusDir, 'yunfu.md'));
      const config = await testConfig({ CORPUS_DIR: corpusDir });
      await ingest(ingestOptionsFor(config, runtime.embedder, runtime.profile));
      return {
        deps: libraryDepsFor(config, runtime, { owner: 'test', lockWaitMs: 20_000 }),
        store: async () => fileStore(await loadIndex(config.indexDir, expectationsFor(config, runtime.embedder))),
      };
    },
  },
  {
    name: 'postgres (PGlite)',
    async open() {
      const corpusDir = await mkdtemp(path.join(tmpdir(), 'kb-libver-pg-'));
      await cp(path.join(CORPUS_DIR, 'yunfu.md'), path.join(corpusDir, 'yunfu.md'));
      const config = await testConfig({ CORPUS_DIR: corpusDir });
      const db = await freshPglite();
      const store = await openPostgresStore({ queryable: pgliteQueryable(db), modelId: runtime.embedder.modelId, dimension: runtime.embedder.dimension });
      pg.push({ db, store });
      const reindex = () => syncStore({ corpusDir, writer: store.writer, embedder: runtime.embedder, chunkMaxChars: config.chunkMaxChars, chunkMinChars: config.chunkMinChars, batchSize: config.embedBatchSize });
      await reindex();
      return {
        deps: {
          corpusDir,
          indexDir: config.indexDir,
          lock: (o) => store.lock(o),
          passageCounts: async () => new Map((await store.store.documents.list()).map((d) => [d.meta.docId, d.passages] as const)),
          indexedHashes: async () => new Map([...(await store.writer.hashes())].map(([id, d]) => [id, d.hash] as const)),
          reindex,
        },
        store: async () => store.store,
      };
    },
  },
];

async function statuses(lib: Library): Promise<Map<string, Validity>> {
  const store = withLineage(await lib.store());
  return new Map((await store.documents.list()).map((d) => [d.meta.docId, judgeValidity(d.meta, TODAY)] as const));
}

for (const backend of BACKENDS) {
  describe(`versions and repeals after uploads, a replacement and deletions (${backend.name})`, () => {
    it('chain and repeal in whatever order the files arrive, and follow a replacement and a deletion', { timeout: 240_000 }, async () => {
      const lib = await backend.open();
      // The newest version and the repealer arrive first, in one upload; the older ones after.
      const first = await addDocuments(lib.deps, [file('tiaoli-2023.md', V2023), file('new-rules.md', NEW_RULES)]);
      expect(first.failures).toEqual([]);
      let s = await statuses(lib);
      expect(s.get('tiaoli-2023')?.status).toBe('in_force');
      const second = await addDocuments(lib.deps, [file('tiaoli-2010.md', V2010), file('old-rules.md', OLD_RULES)]);
      expect(second.failures).toEqual([]);
      s = await statuses(lib);
      expect(s.get('tiaoli-2010')).toMatchObject({ status: 'superseded', supersededBy: 'tiaoli-2023', evidence: 'version' });
      expect(s.get('tiaoli-2023')?.status).toBe('in_force');
      expect(s.get('old-rules')).toMatchObject({ status: 'repealed', repealedBy: 'new-rules', evidence: 'repeal' });
      expect(s.get('new-rules')?.status).toBe('in_force');
      const lineage = (await withLineage(await lib.store()).documents.get('tiaoli-2010'))?.meta.lineage;
      expect(lineage?.versions.map((v) => v.docId)).toEqual(['tiaoli-2010', 'tiaoli-2023']);

      // tiaoli-2023 replaced by an older text (revised 2005): it is now the older version.
      const replaced = await addDocuments(lib.deps, [file('tiaoli-2023.md', V2005, { replace: 'tiaoli-2023' })]);
      expect(replaced.reports).toEqual([expect.objectContaining({ docId: 'tiaoli-2023', outcome: 'replaced' })]);
      s = await statuses(lib);
      expect(s.get('tiaoli-2023')).toMatchObject({ status: 'superseded', supersededBy: 'tiaoli-2010' });
      expect(s.get('tiaoli-2010')?.status).toBe('in_force');

      // Deleting the current version makes the older one current; deleting the repealer lifts the repeal.
      await removeDocument(lib.deps, 'tiaoli-2010');
      await removeDocument(lib.deps, 'new-rules');
      s = await statuses(lib);
      expect(s.get('tiaoli-2023')?.status).toBe('in_force');
      expect(s.get('tiaoli-2023')?.supersededBy).toBeUndefined();
      expect(s.get('old-rules')?.status).toBe('in_force');
      expect([...s.keys()].sort()).toEqual(['old-rules', 'tiaoli-2023', 'yunfu']);
    });
  });
}
