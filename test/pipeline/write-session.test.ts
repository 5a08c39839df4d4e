import { cp, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/index.js';
import { readDocument, scanCorpus, type LoadedDocument } from '../../src/pipeline/corpus.js';
import { fileWriter, type FileWriter } from '../../src/pipeline/file-writer.js';
import { currentVersion, indexRoot, loadIndex } from '../../src/pipeline/index-store.js';
import { ingest } from '../../src/pipeline/ingest.js';
import { ingestOptionsFor } from '../../src/pipeline/open.js';
import { createEmbeddingRuntime, expectationsFor, type EmbeddingRuntime } from '../../src/pipeline/runtime.js';
import { termCounts } from '../../src/retrieval/analyzer.js';
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
    const third = await writer.begin({ remove: [], put: ['yunfu', 'zhongshan'] });
    await third.put([yunfu]);
    await expect(third.commit()).rejects.toThrow('index write session: committed before every planned document was put (2 planned)');
    await expect(third.put([zhongshan])).rejects.toThrow('index write session: put after commit or abort');
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
    await expect(readDocument(yunfu)).rejects.toThrow('yunfu.md: changed while it was being ingested; run `npm run -s kb -- ingest` again');
  });
});
