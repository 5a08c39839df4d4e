import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/index.js';
import { parseDocumentFile } from '../../src/corpus/document.js';
import { loadIndex } from '../../src/storage/file/index-store.js';
import { ingest } from '../../src/pipeline/ingest/ingest.js';
import { addDocuments, removeDocument, type LibraryDeps } from '../../src/pipeline/library/library.js';
import { acquireWriteLock } from '../../src/storage/file/write-lock.js';
import { ingestOptionsFor, libraryDepsFor } from '../../src/pipeline/compose/open.js';
import { createEmbeddingRuntime, expectationsFor, type EmbeddingRuntime } from '../../src/pipeline/compose/runtime.js';
import { createKnowledgeService } from '../../src/retrieval/service.js';
import { presentHit } from '../../src/retrieval/presenter.js';
import { CORPUS_DIR, ROOT, testConfig } from '../helpers.js';
import { fileStore } from '../../src/storage/file/file-store.js';

const FORMATS = path.resolve(ROOT, '..', 'shared', 'formats', 'files');
const haveFormats = existsSync(FORMATS);

let runtime: EmbeddingRuntime;
beforeAll(async () => {
  runtime = await createEmbeddingRuntime(await testConfig());
});

/** A copy of two corpus documents, indexed, with library deps over it. */
async function setup(): Promise<{ config: Config; deps: LibraryDeps }> {
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-lib-'));
  for (const f of ['yunfu.md', 'hebei.md']) await cp(path.join(CORPUS_DIR, f), path.join(corpus, f));
  const config = await testConfig({ CORPUS_DIR: corpus });
  await ingest(ingestOptionsFor(config, runtime.embedder, runtime.profile));
  return { config, deps: libraryDepsFor(config, runtime, { owner: 'test', lockWaitMs: 20_000 }) };
}

const open = (config: Config) => loadIndex(config.indexDir, expectationsFor(config, runtime.embedder));
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('addDocuments', () => {
  describe.skipIf(!haveFormats)('with the real published files', () => {
    it('keeps the original, writes the extracted text beside it and makes it searchable with pages', async () => {
      const { config, deps } = await setup();
      const bytes = await readFile(path.join(FORMATS, 'pdf-01.pdf'));
      const change = await addDocuments(deps, [{ bytes, fileName: 'pdf-01.pdf' }]);
      expect(change.failures).toEqual([]);
      expect(change.reports).toEqual([
        expect.objectContaining({ docId: 'pdf-01', file: 'pdf-01.pdf', format: 'pdf', pages: 18, outcome: 'added', title: '城镇燃气管理条例' }),
      ]);
      expect(change.reports[0]?.passages).toBeGreaterThan(20);
      expect(sha(await readFile(path.join(config.corpusDir, 'originals', 'pdf-01', 'pdf-01.pdf')))).toBe(sha(bytes));
      const text = parseDocumentFile('pdf-01.md', await readFile(path.join(config.corpusDir, 'pdf-01.md')));
      // The text in hand is the 2016 revision (its head note): it dates and takes effect from it.
      expect(text.meta).toMatchObject({ format: 'pdf', original: 'originals/pdf-01/pdf-01.pdf', originalSha256: sha(bytes), effectiveFrom: '2016-02-06', dateIssued: '2016-02-06' });
      const kb = await open(config);
      const service = createKnowledgeService(fileStore(kb), runtime.embedder);
      const { results } = await service.search('燃气经营者停止供气要提前多长时间通知用户', { k: 5 });
      const hit = results.find((r) => r.docId === 'pdf-01' && r.text.replace(/\s+/gu, '').includes('提前48小时'));
      expect(hit).toBeDefined();
      const view = presentHit(kb.documents, hit as NonNullable<typeof hit>, '2026-11-29');
      expect(view.page).toBeGreaterThanOrEqual(1);
      expect(view.page).toBeLessThanOrEqual(18);
      // In force from the 2016 revision: the text in hand (as its meta above says; issue 21 item 1).
      expect(view.validity).toMatchObject({ status: 'in_force', effectiveFrom: '2016-02-06' });
      expect(kb.documents.get('pdf-01')?.body.slice(view.start, view.end)).toBe(hit?.text);
    });

    it('reports a bad file by name and still adds the others; nothing indexed is lost', async () => {
      const { config, deps } = await setup();
      const pdf = await readFile(path.join(FORMATS, 'pdf-04.pdf'));
      // A GIF: images are read as scans in PNG, JPEG, TIFF, BMP and WebP only.
      const gif = Buffer.from('474946383961010001000000002c00000000010001000002', 'hex');
      const change = await addDocuments(deps, [
        { bytes: gif, fileName: 'scan.docx' },
        { bytes: pdf.subarray(0, 2000), fileName: 'truncated.pdf' },
        { bytes: await readFile(path.join(FORMATS, 'ofd-02.ofd')), fileName: 'ofd-02.ofd' },
      ]);
      expect(change.failures.map((f) => [f.file, f.code])).toEqual([
        ['scan.docx', 'unsupported_format'],
        ['truncated.pdf', 'document_unreadable'],
      ]);
      expect(change.failures[0]?.message).toContain('scan.docx');
      expect(change.reports.map((r) => r.docId)).toEqual(['ofd-02']);
      const kb = await open(config);
      expect([...kb.documents.keys()].sort()).toEqual(['hebei', 'ofd-02', 'yunfu']);
      expect(existsSync(path.join(config.corpusDir, 'originals', 'truncated'))).toBe(false);
    });
  });

  describe('the same bytes again', () => {
    const bytes = Buffer.from('癸办法\n第一条 癸的规定。');
    const holds = 'the library already holds these exact bytes as 《癸办法》 (docId gui, added as "gui.txt"); nothing was added. To add a second copy anyway send allowDuplicate=true (kb add --allow-duplicate); to change its metadata replace it (PUT /api/documents/gui)';

    it('are unchanged under their own name with nothing stated: no new index version', async () => {
      const { config, deps } = await setup();
      await addDocuments(deps, [{ bytes, fileName: 'gui.txt', mode: 'add' }]);
      const version = (await open(config)).info.version;
      const again = await addDocuments(deps, [{ bytes, fileName: 'gui.txt', mode: 'add' }]);
      expect(again.reports).toEqual([expect.objectContaining({ docId: 'gui', outcome: 'unchanged' })]);
      expect(again.failures).toEqual([]);
      expect(again.ingest).toBeUndefined();
      expect((await open(config)).info.version).toBe(version);
    });

    it('are refused under another name or with a title, naming the document that holds them; nothing is written', async () => {
      const { config, deps } = await setup();
      await addDocuments(deps, [{ bytes, fileName: 'gui.txt', mode: 'add' }]);
      const files = (await readdir(config.corpusDir, { recursive: true })).sort();
      const renamed = await addDocuments(deps, [{ bytes, fileName: '癸办法（副本）.txt', mode: 'add' }]);
      expect(renamed.failures).toEqual([{ file: '癸办法（副本）.txt', code: 'duplicate_document', message: `癸办法（副本）.txt: ${holds}` }]);
      const titled = await addDocuments(deps, [{ bytes, fileName: 'gui.txt', mode: 'add', fields: { title: '癸办法（修订）' } }]);
      expect(titled.failures).toEqual([{ file: 'gui.txt', code: 'duplicate_document', message: `gui.txt: ${holds}` }]);
      // kb add (upsert) says the same for another name; replacing another document with them too.
      const cli = await addDocuments(deps, [{ bytes, fileName: 'copy.txt' }]);
      expect(cli.failures.map((f) => f.code)).toEqual(['duplicate_document']);
      const put = await addDocuments(deps, [{ bytes, fileName: 'gui.txt', replace: 'hebei' }]);
      expect(put.failures.map((f) => f.code)).toEqual(['duplicate_document']);
      expect((await readdir(config.corpusDir, { recursive: true })).sort()).toEqual(files);
      expect([...(await open(config)).documents.keys()].sort()).toEqual(['gui', 'hebei', 'yunfu']);
    });

    it('make a second copy when asked for (allowDuplicate)', async () => {
      const { config, deps } = await setup();
      await addDocuments(deps, [{ bytes, fileName: 'gui.txt', mode: 'add' }]);
      const copy = await addDocuments(deps, [{ bytes, fileName: 'gui.txt', mode: 'add', fields: { title: '癸办法（副本）' }, allowDuplicate: true }]);
      expect(copy.failures).toEqual([]);
      expect(copy.reports).toEqual([expect.objectContaining({ docId: 'gui-2', outcome: 'added', title: '癸办法（副本）' })]);
      expect([...(await open(config)).documents.keys()].sort()).toEqual(['gui', 'gui-2', 'hebei', 'yunfu']);
    });
  });

  it('replaces a document in place, keeping the ids of unchanged clauses and re-embedding only the edit', async () => {
    const { config, deps } = await setup();
    const before = await open(config);
    const ids = before.passages.filter((p) => p.docId === 'yunfu').map((p) => p.passageId);
    const edited = (await readFile(path.join(CORPUS_DIR, 'yunfu.md'), 'utf8')).replace('补贴标准为10元/平方米', '补贴标准为12元/平方米');
    const change = await addDocuments(deps, [{ bytes: Buffer.from(edited), fileName: 'yunfu-2024.md', replace: 'yunfu' }]);
    expect(change.failures).toEqual([]);
    expect(change.reports).toEqual([expect.objectContaining({ docId: 'yunfu', outcome: 'replaced', format: 'markdown' })]);
    expect(change.ingest).toMatchObject({ changed: ['yunfu'], embedded: 1 });
    const after = await open(config);
    const afterIds = new Set(after.passages.filter((p) => p.docId === 'yunfu').map((p) => p.passageId));
    expect(ids.filter((id) => !afterIds.has(id))).toHaveLength(1);
    expect(after.documents.get('yunfu')?.body).toContain('12元/平方米');
    // One file holds the document: the old yunfu.md was replaced, not duplicated.
    expect((await readdir(config.corpusDir)).filter((f) => f.endsWith('.md')).sort()).toEqual(['hebei.md', 'yunfu.md']);
  });

  it('refuses to replace a document that does not exist, listing the known ids', async () => {
    const { deps } = await setup();
    const change = await addDocuments(deps, [{ bytes: Buffer.from('第一条 内容。'), fileName: 'x.txt', replace: 'nope' }]);
    expect(change.failures).toEqual([{ file: 'x.txt', code: 'unknown_doc', message: 'unknown docId "nope"; known docIds: hebei, yunfu' }]);
  });

  it('refuses a bad stated field, naming it', async () => {
    const { deps } = await setup();
    const change = await addDocuments(deps, [{ bytes: Buffer.from('第一条 内容。'), fileName: 'x.txt', fields: { effectiveFrom: '2016-13-45' } }]);
    expect(change.failures).toEqual([expect.objectContaining({ file: 'x.txt', code: 'invalid_input', message: 'x.txt: effectiveFrom: effectiveFrom is not a real calendar date' })]);
  });

  it('reads a GBK text file without garbling it and takes stated validity fields', async () => {
    const { config, deps } = await setup();
    const text = '某市数据中心电价补贴办法\n第一条 对新建数据中心给予每千瓦时0.1元的电价补贴。\n第二条 本办法自2018年1月1日起施行，有效期三年。';
    const change = await addDocuments(deps, [{ bytes: iconv.encode(text, 'gbk'), fileName: 'gbk.txt', fields: { issuer: '某市人民政府', status: '已废止' } }]);
    expect(change.failures).toEqual([]);
    const kb = await open(config);
    const doc = kb.documents.get('gbk');
    expect(doc?.body).toBe(text);
    expect(doc?.meta).toMatchObject({ issuer: '某市人民政府', status: '已废止', effectiveFrom: '2018-01-01', effectiveTo: '2020-12-31', format: 'text' });
  });

  it('serializes two writers: both changes land', async () => {
    const { config, deps } = await setup();
    const [a, b] = await Promise.all([
      addDocuments(deps, [{ bytes: Buffer.from('甲办法\n第一条 甲的规定。'), fileName: 'a.txt' }]),
      addDocuments(deps, [{ bytes: Buffer.from('乙办法\n第一条 乙的规定。'), fileName: 'b.txt' }]),
    ]);
    expect([a.failures, b.failures]).toEqual([[], []]);
    expect([...(await open(config)).documents.keys()].sort()).toEqual(['a', 'b', 'hebei', 'yunfu']);
  });
});

describe('a change whose index step fails', () => {
  /** Every file of the corpus folder with its bytes. */
  const snapshotOf = async (dir: string): Promise<Map<string, string>> => {
    const out = new Map<string, string>();
    for (const f of (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())) out.set(path.relative(dir, path.join(f.parentPath, f.name)), sha(await readFile(path.join(f.parentPath, f.name))));
    return out;
  };

  it('is undone in the corpus: adds, replacements and removals leave the folder as it was, and the index as it was', async () => {
    const { config, deps } = await setup();
    const before = await open(config);
    const files = await snapshotOf(config.corpusDir);
    const failing: LibraryDeps = { ...deps, reindex: () => Promise.reject(new Error('ENOSPC: no space left on device')) };
    await expect(addDocuments(failing, [{ bytes: Buffer.from('庚办法\n第一条 庚的规定。'), fileName: 'g.txt' }])).rejects.toThrow('ENOSPC');
    const edited = (await readFile(path.join(CORPUS_DIR, 'yunfu.md'), 'utf8')).replace('补贴标准为10元/平方米', '补贴标准为12元/平方米');
    await expect(addDocuments(failing, [{ bytes: Buffer.from(edited), fileName: 'yunfu-2024.md', replace: 'yunfu' }])).rejects.toThrow('ENOSPC');
    await expect(removeDocument(failing, 'hebei')).rejects.toThrow('ENOSPC');
    expect(await snapshotOf(config.corpusDir)).toEqual(files);
    const still = await open(config);
    expect(still.info.version).toBe(before.info.version);
    expect([...still.documents.keys()].sort()).toEqual(['hebei', 'yunfu']);
    // The lock was released, and nothing is left for the next ingest to pick up.
    const lock = await acquireWriteLock(config.indexDir);
    await lock.release();
    expect((await ingest(ingestOptionsFor(config, runtime.embedder, runtime.profile))).upToDate).toBe(true);
  });

  it('is completed by the same upload when a killed process left the corpus ahead of the index: not `unchanged`', async () => {
    const { config, deps } = await setup();
    const bytes = Buffer.from('辛办法\n第一条 辛的规定。');
    // What a process killed between the corpus write and the index switch leaves: the files, no index entry.
    const killed: LibraryDeps = { ...deps, reindex: () => new Promise(() => {}) };
    void addDocuments({ ...killed, lock: async () => ({ release: async () => {} }) }, [{ bytes, fileName: 'xin.txt', mode: 'add' }]);
    for (let i = 0; i < 200 && !existsSync(path.join(config.corpusDir, 'xin.md')); i++) await new Promise((r) => setTimeout(r, 20));
    expect((await open(config)).documents.has('xin')).toBe(false);
    const again = await addDocuments(deps, [{ bytes, fileName: 'xin.txt', mode: 'add' }]);
    expect(again.failures).toEqual([]);
    expect(again.reports).toEqual([expect.objectContaining({ docId: 'xin', outcome: 'added' })]);
    expect(again.reports[0]?.passages).toBeGreaterThan(0);
    expect((await open(config)).documents.has('xin')).toBe(true);
    // And now it is unchanged.
    expect((await addDocuments(deps, [{ bytes, fileName: 'xin.txt', mode: 'add' }])).reports[0]?.outcome).toBe('unchanged');
  });
});

describe('docIds of new files', () => {
  it('gives two different files whose names map to the same id ids of their own; the same name again replaces', async () => {
    const { config, deps } = await setup();
    const a = await addDocuments(deps, [{ bytes: Buffer.from('甲通知\n一、甲的规定。'), fileName: '附件1.txt' }]);
    const b = await addDocuments(deps, [{ bytes: Buffer.from('乙申报表\n一、乙的规定。'), fileName: '附件1：申报表.txt' }]);
    const c = await addDocuments(deps, [{ bytes: Buffer.from('丙文件\n一、丙的规定。'), fileName: 'notice.txt' }]);
    const d = await addDocuments(deps, [{ bytes: Buffer.from('丁文件\n一、丁的规定。'), fileName: 'sub/notice.txt' }]);
    expect(a.reports[0]?.docId).not.toBe(b.reports[0]?.docId);
    expect([a.reports[0]?.outcome, b.reports[0]?.outcome]).toEqual(['added', 'added']);
    // sub/notice.txt is stored as notice.txt: the same file name, so a new version of it.
    expect([c.reports[0]?.docId, d.reports[0]?.docId, d.reports[0]?.outcome]).toEqual(['notice', 'notice', 'replaced']);
    expect((await open(config)).documents.size).toBe(5);
  });

  it('takes stated fields with the same bytes as a change, not a no-op', async () => {
    const { config, deps } = await setup();
    const bytes = Buffer.from('戊办法\n第一条 戊的规定。');
    await addDocuments(deps, [{ bytes, fileName: 'wu.txt' }]);
    const again = await addDocuments(deps, [{ bytes, fileName: 'wu.txt', replace: 'wu', fields: { status: '已废止' } }]);
    expect(again.reports[0]?.outcome).toBe('replaced');
    expect((await open(config)).documents.get('wu')?.meta).toMatchObject({ status: '已废止', statedFields: ['status'] });
  });

  it('keeps a long Chinese file name within what the file system stores', async () => {
    const { deps } = await setup();
    const name = `${'关于印发某市促进大数据产业高质量发展若干政策措施实施细则的通知'.repeat(4)}.txt`;
    const change = await addDocuments(deps, [{ bytes: Buffer.from('己办法\n第一条 己的规定。'), fileName: name }]);
    expect(change.failures).toEqual([]);
    expect(Buffer.byteLength(change.reports[0]?.file ?? '')).toBeLessThanOrEqual(200);
    expect(change.reports[0]?.file.endsWith('.txt')).toBe(true);
  });
});

describe('a changed original dropped in the corpus folder', () => {
  it('is read again: dates follow the new text, stated fields stay', async () => {
    const { config, deps } = await setup();
    await addDocuments(deps, [{ bytes: Buffer.from('庚办法\n第一条 规定。\n第二条 本办法自2018年1月1日起施行，有效期三年。'), fileName: 'geng.txt', fields: { issuer: '某市人民政府' } }]);
    const original = path.join(config.corpusDir, 'originals', 'geng', 'geng.txt');
    await writeFile(original, '庚办法\n第一条 规定。\n第二条 本办法自2021年1月1日起施行，有效期五年。');
    await ingest(ingestOptionsFor(config, runtime.embedder, runtime.profile));
    expect((await open(config)).documents.get('geng')?.meta).toMatchObject({ issuer: '某市人民政府', effectiveFrom: '2021-01-01', effectiveTo: '2025-12-31' });
  });
});

describe('removeDocument', () => {
  it('drops the text, the original and the passages', async () => {
    const { config, deps } = await setup();
    await addDocuments(deps, [{ bytes: Buffer.from('丙办法\n第一条 丙的规定。'), fileName: 'c.txt' }]);
    const change = await removeDocument(deps, 'c');
    expect(change.reports).toEqual([{ docId: 'c', title: '丙办法' }]);
    const kb = await open(config);
    expect(kb.documents.has('c')).toBe(false);
    expect(kb.passages.some((p) => p.docId === 'c')).toBe(false);
    expect(existsSync(path.join(config.corpusDir, 'c.md'))).toBe(false);
    expect(existsSync(path.join(config.corpusDir, 'originals', 'c'))).toBe(false);
    await expect(removeDocument(deps, 'c')).rejects.toThrow('unknown docId "c"; known docIds: hebei, yunfu');
  });
});

describe('ingest of originals dropped into the corpus folder', () => {
  it.skipIf(!haveFormats)('extracts them beside themselves and leaves other files alone', async () => {
    const { config } = await setup();
    await cp(path.join(FORMATS, 'docx-02.docx'), path.join(config.corpusDir, 'noise.docx'));
    await writeFile(path.join(config.corpusDir, 'gbk.txt'), iconv.encode('某办法\n第一条 规定。', 'gb18030'));
    const summary = await ingest(ingestOptionsFor(config, runtime.embedder, runtime.profile));
    expect(summary.fileErrors).toEqual([]);
    expect(summary.added.sort()).toEqual(['gbk', 'noise']);
    const md = parseDocumentFile('noise.md', await readFile(path.join(config.corpusDir, 'noise.md')));
    expect(md.meta).toMatchObject({ docId: 'noise', format: 'docx', original: 'noise.docx', title: '内蒙古自治区噪声污染防治条例' });
    // A second run finds nothing new.
    expect(await ingest(ingestOptionsFor(config, runtime.embedder, runtime.profile))).toMatchObject({ upToDate: true });
  });
});
