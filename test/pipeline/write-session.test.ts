import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/index.js';
import { parseDocumentFile } from '../../src/corpus/document.js';
import { isChangedSinceScan, readDocument, scanCorpus, type LoadedDocument } from '../../src/pipeline/library/corpus.js';
import { fileWriter, type FileWriter } from '../../src/storage/file/file-writer.js';
import { currentVersion, indexRoot, loadIndex } from '../../src/storage/file/index-store.js';
import { ingest } from '../../src/pipeline/ingest/ingest.js';
import { ingestOptionsFor } from '../../src/pipeline/compose/open.js';
import { createEmbeddingRuntime, expectationsFor, type EmbeddingRuntime } from '../../src/pipeline/compose/runtime.js';
import { termCounts } from '../../src/lexical/analyzer.js';
import type { DocumentWrite } from '../../src/storage/types.js';
import { CORPUS_DIR, testConfig } from '../helpers.js';

let runtime: EmbeddingRuntime;
beforeAll(async () => {
  runtime = await createEmbeddingRuntime(await testConfig());
});

async function copyCorpus(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kb-corpus-'));
  await cp(CORPUS_DIR, dir, { recursive: true });
  return dir;
}

/** An indexed copy of the corpus and a writer over its index. */
async function indexed(): Promise<{ config: Config; writer: FileWriter }> {
  const config = await testConfig({ CORPUS_DIR: await copyCorpus() });
  const options = ingestOptionsFor(config, runtime.embedder, runtime.profile);
  await ingest(options);
  const writer = fileWriter({ indexDir: config.indexDir, modelId: runtime.embedder.modelId, dimension: runtime.embedder.dimension, profile: runtime.profile, chunkMaxChars: config.chunkMaxChars, chunkMinChars: config.chunkMinChars, hnsw: options.hnsw });
  return { config, writer };
}

async function loaded(config: Config, docId: string): Promise<LoadedDocument> {
  const { documents } = await scanCorpus(config.corpusDir);
  return readDocument(documents.find((d) => d.meta.docId === docId) as (typeof documents)[number], { maxChars: config.chunkMaxChars, minChars: config.chunkMinChars });
}

async function writeOf(doc: LoadedDocument): Promise<DocumentWrite> {
  const vectors = await runtime.embedder.embedDocuments(doc.chunks.map((c) => c.indexText));
  return {
    document: { meta: doc.meta, body: doc.body, contentHash: doc.contentHash, source: doc.source, tree: doc.tree },
    passages: doc.chunks.map((c, i) => ({ passage: { passageId: c.passageId, docId: c.docId, index: c.index, start: c.start, end: c.end, breadcrumb: c.breadcrumb, headings: c.headings, labels: c.labels, clause: c.clause, sectionIds: c.sectionIds }, terms: termCounts(c.indexText), vector: vectors[i] as Float32Array })),
  };
}

describe('the snapshot writer session', () => {
  it('shows readers nothing before commit, and an aborted session leaves no trace', { timeout: 60_000 }, async () => {
    const { config, writer } = await indexed();
    const live = await currentVersion(config.indexDir);
    const before = await readdir(indexRoot(config.indexDir));
    const session = await writer.begin({ remove: ['hebei'], put: ['yunfu'] });
    await session.put([await writeOf(await loaded(config, 'yunfu'))]);
    expect(await currentVersion(config.indexDir)).toBe(live);
    await session.abort();
    expect(await currentVersion(config.indexDir)).toBe(live);
    expect(await readdir(indexRoot(config.indexDir))).toEqual(before);
    // The next session starts from the live index again (the aborted one had patched HNSW in memory).
    const again = await writer.begin({ remove: ['hebei'], put: [] });
    const { version } = await again.commit();
    expect(version).not.toBe(live);
    expect(await currentVersion(config.indexDir)).toBe(version);
    const kb = await loadIndex(config.indexDir, expectationsFor(config, runtime.embedder));
    expect([...kb.documents.keys()]).toEqual(['ai-plan', 'dongguan', 'huizhou', 'qingyuan', 'shenzhen', 'yunfu', 'zhongshan']);
    expect(kb.dense.size).toBe(kb.passages.length);
  });

  it('refuses documents out of docId order or outside its plan, and a commit that lacks one', { timeout: 60_000 }, async () => {
    const { config, writer } = await indexed();
    const [yunfu, zhongshan] = [await writeOf(await loaded(config, 'yunfu')), await writeOf(await loaded(config, 'zhongshan'))];
    const session = await writer.begin({ remove: [], put: ['yunfu', 'zhongshan'] });
    await expect(session.put([yunfu, yunfu])).rejects.toThrow('index write session: document yunfu came after yunfu; documents are put in ascending docId order, each once');
    await session.abort();
    const second = await writer.begin({ remove: [], put: ['yunfu'] });
    await expect(second.put([zhongshan])).rejects.toThrow('index write session: document zhongshan was not in the session\'s plan');
    await second.abort();
    // A plan that names a document twice still waits for two documents.
    const third = await writer.begin({ remove: [], put: ['yunfu', 'yunfu', 'zhongshan'] });
    await third.put([yunfu]);
    await expect(third.commit()).rejects.toThrow('index write session: committed before every planned document was put (1 of 2 put)');
    await expect(third.put([zhongshan])).rejects.toThrow('index write session: put after commit or abort');
  });
});

describe('skipping a planned document', () => {
  it('keeps the stored version of a skipped document and leaves a skipped new one out', { timeout: 60_000 }, async () => {
    const { config, writer } = await indexed();
    const expectations = expectationsFor(config, runtime.embedder);
    const before = await loadIndex(config.indexDir, expectations);
    const zhongshan = await writeOf(await loaded(config, 'zhongshan'));
    const refused = await writer.begin({ remove: [], put: ['ai-plan', 'yunfu', 'zhongshan'] });
    await expect(refused.skip(['hebei'])).rejects.toThrow("index write session: document hebei was not in the session's plan");
    await refused.put([zhongshan]);
    await expect(refused.skip(['ai-plan'])).rejects.toThrow('index write session: document ai-plan was skipped after zhongshan was put; documents are put or skipped in ascending docId order');
    await refused.abort();
    const session = await writer.begin({ remove: ['hebei'], put: ['new-doc', 'yunfu', 'zhongshan'] });
    await session.skip(['new-doc', 'yunfu']);
    await session.put([zhongshan]);
    await session.commit();
    const kb = await loadIndex(config.indexDir, expectations);
    expect([...kb.documents.keys()]).toEqual([...before.documents.keys()].filter((id) => id !== 'hebei'));
    expect(kb.documents.get('yunfu')).toEqual(before.documents.get('yunfu'));
    const yunfu = (index: typeof kb): string[] => index.passages.filter((p) => p.docId === 'yunfu').map((p) => p.passageId);
    expect(yunfu(kb)).toEqual(yunfu(before));
    const dim = kb.info.dimension;
    const vector = (index: typeof kb, id: string): number[] => Array.from(index.vectors.subarray((index.byId.get(id) as number) * dim, ((index.byId.get(id) as number) + 1) * dim));
    for (const id of yunfu(kb)) expect(vector(kb, id)).toEqual(vector(before, id));
    expect(kb.dense.size).toBe(kb.passages.length);
  });
});

describe('scanCorpus and readDocument', () => {
  it('keep metadata and hashes only, then read a document again; a file changed in between is refused', async () => {
    const dir = await copyCorpus();
    const { documents, errors } = await scanCorpus(dir);
    expect(errors).toEqual([]);
    expect(documents.map((d) => d.meta.docId)).toEqual(['ai-plan', 'dongguan', 'hebei', 'huizhou', 'qingyuan', 'shenzhen', 'yunfu', 'zhongshan']);
    expect(Object.keys(documents[0] as object).sort()).toEqual(['bytes', 'contentHash', 'file', 'meta', 'source']);
    const yunfu = documents.find((d) => d.meta.docId === 'yunfu') as (typeof documents)[number];
    const doc = await readDocument(yunfu);
    expect(doc.chunks.length).toBeGreaterThan(5);
    expect(doc.contentHash).toBe(yunfu.contentHash);
    await writeFile(yunfu.file, `${await readFile(yunfu.file, 'utf8')}\n补充。\n`);
    const changed = readDocument(yunfu);
    await expect(changed).rejects.toThrow('yunfu.md: changed while it was being ingested; it keeps its stored version — run the ingest again to pick up the change');
    expect(isChangedSinceScan(await changed.catch((e: unknown) => e))).toBe(true);
    await rm(yunfu.file);
    const removed = readDocument(yunfu);
    await expect(removed).rejects.toThrow('yunfu.md: was removed while it was being ingested; it keeps its stored version — run the ingest again to pick up the change');
    expect(isChangedSinceScan(await removed.catch((e: unknown) => e))).toBe(true);
  });

  it('keeps of each file the metadata its parse gives, in strings of its own (not slices of the file text)', { timeout: 60_000 }, async () => {
    const dir = await copyCorpus();
    const { documents } = await scanCorpus(dir);
    const parsed = await Promise.all(documents.map(async (d) => parseDocumentFile(d.source, await readFile(d.file))));
    // What the scan keeps is the parse's metadata (repeals across documents are settled when read).
    expect(documents.map((d) => d.meta)).toEqual(parsed.map((p) => p.meta));
    // Large files whose titles (from the YAML and the first line) are slices of their text: the
    // scan must not keep those texts alive (~1 MB each in UTF-16).
    const big = await mkdtemp(path.join(tmpdir(), 'kb-big-'));
    const clause = '第一条 为规范本市公共数据资源的管理和开放利用，促进数字经济发展，制定本办法。\n';
    for (let i = 0; i < 6; i += 1) {
      await writeFile(path.join(big, `big-${i}.md`), `---\ndocId: big-${i}\ntitle: 某市公共数据资源管理和开放利用办法第${i}号\n---\n${clause.repeat(12_000)}`);
      await writeFile(path.join(big, `plain-${i}.txt`), `某市公共数据资源管理和开放利用暂行办法第${i}号\n${clause.repeat(12_000)}`);
    }
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    const scan = await scanCorpus(big);
    gc();
    const held = process.memoryUsage().heapUsed - before;
    expect(scan.documents).toHaveLength(12);
    expect(scan.documents.find((d) => d.meta.docId === 'big-3')?.meta.title).toBe('某市公共数据资源管理和开放利用办法第3号');
    // 12 texts of ~500k characters: kept, they would hold over 12 MB.
    expect(held).toBeLessThan(4 * 1024 * 1024);
  });
});
