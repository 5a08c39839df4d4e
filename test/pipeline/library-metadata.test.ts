import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDocuments, type LibraryDeps } from '../../src/pipeline/library/library.js';
import { createEmbeddingRuntime, type EmbeddingRuntime } from '../../src/pipeline/compose/runtime.js';
import { syncStore } from '../../src/pipeline/ingest/sync.js';
import { prepareExtractedDocument } from '../../src/pipeline/library/extracted-document.js';
import { openPostgresStore, pgliteQueryable, type PostgresStore } from '../../src/storage/postgres/index.js';
import { findControlCharacter } from '../../src/shared/control-chars.js';
import { KbError } from '../../src/shared/errors.js';
import { beginWrite, type StoreWriter } from '../../src/storage/types.js';
import { CORPUS_DIR, testConfig } from '../helpers.js';
import { freshPglite } from '../storage/pglite.js';
import type { PGlite } from '@electric-sql/pglite';

let runtime: EmbeddingRuntime;
beforeAll(async () => {
  runtime = await createEmbeddingRuntime(await testConfig());
});

const opened: { db: PGlite; store: PostgresStore }[] = [];
afterAll(async () => {
  for (const { db, store } of opened) {
    await store.close();
    await db.close();
  }
});

/** Two corpus documents indexed in PostgreSQL (PGlite in process), with library deps writing through it. */
async function onPostgres(): Promise<{ corpusDir: string; deps: LibraryDeps; store: PostgresStore }> {
  const corpusDir = await mkdtemp(path.join(tmpdir(), 'kb-nul-'));
  for (const f of ['yunfu.md', 'hebei.md']) await cp(path.join(CORPUS_DIR, f), path.join(corpusDir, f));
  const config = await testConfig({ CORPUS_DIR: corpusDir });
  const db = await freshPglite();
  const store = await openPostgresStore({ queryable: pgliteQueryable(db), modelId: runtime.embedder.modelId, dimension: runtime.embedder.dimension });
  opened.push({ db, store });
  const reindex = () => syncStore({ corpusDir, writer: store.writer, embedder: runtime.embedder, chunkMaxChars: config.chunkMaxChars, chunkMinChars: config.chunkMinChars, batchSize: config.embedBatchSize });
  await reindex();
  const deps: LibraryDeps = {
    corpusDir,
    indexDir: config.indexDir,
    lock: (o) => store.lock(o),
    passageCounts: async () => new Map((await store.store.documents.list()).map((d) => [d.meta.docId, d.passages] as const)),
    indexedHashes: async () => new Map([...(await store.writer.hashes())].map(([id, d]) => [id, d.hash] as const)),
    reindex,
  };
  return { corpusDir, deps, store };
}

const docIds = async (store: PostgresStore): Promise<string[]> => (await store.store.documents.list()).map((d) => d.meta.docId);

describe('control characters in metadata (PostgreSQL cannot store a NUL)', () => {
  it('refuses an upload whose stated title holds a NUL before anything is written; the next upload goes in', { timeout: 120_000 }, async () => {
    const { corpusDir, deps, store } = await onPostgres();
    const filesBefore = (await readdir(corpusDir, { recursive: true })).sort();
    const bad = await addDocuments(deps, [{ bytes: Buffer.from('甲办法\n第一条 甲的规定。'), fileName: 'jia.txt', fields: { title: '甲办法\u0000附件' }, mode: 'add' }]);
    expect(bad.failures).toEqual([{ file: 'jia.txt', code: 'invalid_input', message: 'jia.txt: title holds a control character (U+0000) at position 3; remove it and send the file again' }]);
    expect((await readdir(corpusDir, { recursive: true })).sort()).toEqual(filesBefore);
    const next = await addDocuments(deps, [{ bytes: Buffer.from('乙办法\n第一条 乙的规定。'), fileName: 'yi.txt', mode: 'add' }]);
    expect(next.failures).toEqual([]);
    expect(next.reports).toEqual([expect.objectContaining({ docId: 'yi', outcome: 'added' })]);
    expect(await docIds(store)).toEqual(['hebei', 'yi', 'yunfu']);
  });

  it('cleans a title a web page gives itself (a control character in <title>) and stores the document', { timeout: 120_000 }, async () => {
    const { deps, store } = await onPostgres();
    const articles = ['为了规范丙市公共数据资源管理，促进数据开放共享，根据有关法律法规，结合本市实际，制定本办法。', '本办法适用于本市行政区域内公共数据的采集、汇聚、共享、开放和安全管理等活动。', '市人民政府数据主管部门负责统筹协调本市公共数据管理工作，各区人民政府负责本区域内的相关工作。'];
    const html = `<!doctype html><html><head><title>丙市公共数据管理办法&#1;&#0;（试行）</title></head><body><article><h1>丙市公共数据管理办法</h1>${articles.map((a, i) => `<p>第${'一二三'[i]}条 ${a}</p>`).join('')}</article></body></html>`;
    const change = await addDocuments(deps, [{ bytes: Buffer.from(html), fileName: 'bing.html', mode: 'add' }]);
    expect(change.failures).toEqual([]);
    const title = (await store.store.documents.get('bing'))?.meta.title;
    expect(title).toMatch(/^丙市公共数据管理办法/u);
    expect(findControlCharacter(title)).toBeUndefined();
    expect(await docIds(store)).toEqual(['bing', 'hebei', 'yunfu']);
  });

  it('refuses a Markdown upload whose own front matter holds a control character, naming the field', { timeout: 120_000 }, async () => {
    const { deps, store } = await onPostgres();
    const md = '---\ntitle: "丁办法\\0"\nissuer: "丁市\\a人民政府"\n---\n第一条 丁的规定。\n';
    const change = await addDocuments(deps, [{ bytes: Buffer.from(md), fileName: 'ding.md', mode: 'add' }]);
    expect(change.failures).toEqual([{ file: 'ding.md', code: 'invalid_input', message: 'ding.md: title holds a control character (U+0000) at position 3; remove it and send the file again' }]);
    expect(await docIds(store)).toEqual(['hebei', 'yunfu']);
  });

  it('skips a corpus file whose front matter holds a NUL, naming it, and writes the others', { timeout: 120_000 }, async () => {
    const { corpusDir, deps, store } = await onPostgres();
    await writeFile(path.join(corpusDir, 'wu.md'), '---\ntitle: "戊办法\\0"\n---\n第一条 戊的规定。\n');
    await writeFile(path.join(corpusDir, 'ji.md'), '---\ntitle: 己办法\n---\n第一条 己的规定。\n');
    const summary = await deps.reindex();
    expect(summary.fileErrors).toEqual(['wu.md: invalid front matter: title holds a control character (U+0000) at position 3; remove it']);
    expect(await docIds(store)).toEqual(['hebei', 'ji', 'yunfu']);
    // The next upload is not blocked by it.
    const next = await addDocuments(deps, [{ bytes: Buffer.from('庚办法\n第一条 庚的规定。'), fileName: 'geng.txt', mode: 'add' }]);
    expect(next.failures).toEqual([]);
    expect(await docIds(store)).toEqual(['geng', 'hebei', 'ji', 'yunfu']);
    expect(await readFile(path.join(corpusDir, 'wu.md'), 'utf8')).toContain('戊办法');
  });
});

describe('a store that refuses a write', () => {
  it('names the corpus files of the batch it refused', { timeout: 120_000 }, async () => {
    const { corpusDir, store } = await onPostgres();
    await writeFile(path.join(corpusDir, 'ren.md'), '---\ntitle: 壬办法\n---\n第一条 壬的规定。\n');
    const refusing: StoreWriter = {
      ...store.writer,
      begin: async (plan) => {
        const session = await beginWrite(store.writer, plan);
        return { ...session, put: () => Promise.reject(new Error('value too long for type character varying(64)')) };
      },
    };
    const config = await testConfig({ CORPUS_DIR: corpusDir });
    const error = await syncStore({ corpusDir, writer: refusing, embedder: runtime.embedder, chunkMaxChars: config.chunkMaxChars, chunkMinChars: config.chunkMinChars, batchSize: 8 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KbError);
    expect((error as KbError).message).toBe('the store refused ren.md: value too long for type character varying(64)');
    expect(await docIds(store)).toEqual(['hebei', 'yunfu']);
  });
});

describe('prepareExtractedDocument', () => {
  it('strips control characters from what a file says of itself (a PDF /Info title, an issuer)', () => {
    const prepared = prepareExtractedDocument({
      extracted: { text: '第一条 规定。', format: 'pdf', warnings: [], ocr: false, hints: { title: '标题\u0000\r\n副标题', issuer: '\u0007某市人民政府' } },
      fileName: 'x.pdf',
      sha256: 'a'.repeat(64),
    });
    expect(prepared.meta).toMatchObject({ title: '标题 副标题', issuer: '某市人民政府' });
  });
});
