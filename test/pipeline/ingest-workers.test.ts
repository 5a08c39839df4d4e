import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isReplicable, type ReplicableEmbedder } from '../../src/embeddings/transformers-embedder.js';
import { readManifest } from '../../src/storage/file/index-store.js';
import { ingest, type IngestOptions } from '../../src/pipeline/ingest/ingest.js';
import { startIngestWorkers } from '../../src/pipeline/ingest/ingest-workers.js';
import { ingestOptionsFor } from '../../src/pipeline/compose/open.js';
import { createEmbeddingRuntime, type EmbeddingRuntime } from '../../src/pipeline/compose/runtime.js';
import { termCounts } from '../../src/lexical/analyzer.js';
import type { Logger } from '../../src/shared/logger.js';
import { CORPUS_DIR, testConfig } from '../helpers.js';

let runtime: EmbeddingRuntime;
beforeAll(async () => {
  runtime = await createEmbeddingRuntime(await testConfig());
});

async function options(corpusDir: string, workers: number): Promise<IngestOptions> {
  const config = await testConfig({ CORPUS_DIR: corpusDir });
  return { ...ingestOptionsFor(config, runtime.embedder, runtime.profile), workers, workerMinPassages: 0 };
}

/** sha256 of every index file, from the live manifest. */
async function fileHashes(indexDir: string): Promise<Record<string, string>> {
  const current = await readManifest(indexDir);
  return Object.fromEntries(Object.entries(current?.manifest.files ?? {}).map(([name, f]) => [name, f.sha256]));
}

describe('ingest with worker threads', () => {
  it('writes byte for byte the index one thread writes: vectors, terms, passages and the HNSW graph', { timeout: 120_000 }, async () => {
    const one = await options(CORPUS_DIR, 1);
    const two = await options(CORPUS_DIR, 2);
    const [a, b] = [await ingest(one), await ingest(two)];
    expect(a.workers).toBe(1);
    expect(b).toMatchObject({ passages: a.passages, embedded: a.embedded, workers: 2 });
    const [ha, hb] = [await fileHashes(one.indexDir), await fileHashes(two.indexDir)];
    expect(Object.keys(ha).sort()).toEqual(['bm25.bin', 'dense.hnsw', 'documents.bin', 'passages.bin', 'vectors.f32']);
    expect(hb).toEqual(ha);
  });

  it('patches an index after an edit and an addition the way one thread does', { timeout: 120_000 }, async () => {
    const corpora = await Promise.all([0, 1].map(async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'kb-corpus-'));
      await cp(CORPUS_DIR, dir, { recursive: true });
      return dir;
    }));
    const [one, two] = [await options(corpora[0] as string, 1), await options(corpora[1] as string, 2)];
    await ingest(one);
    await ingest(two);
    for (const dir of corpora as string[]) {
      const file = path.join(dir, 'yunfu.md');
      await writeFile(file, (await readFile(file, 'utf8')).replace('试行期三年', '试行期五年'));
      await writeFile(path.join(dir, 'extra.md'), (await readFile(path.join(dir, 'hebei.md'), 'utf8')).replace('docId: hebei', 'docId: extra'));
    }
    const [a, b] = [await ingest(one), await ingest(two)];
    expect(a).toMatchObject({ changed: ['yunfu'], added: ['extra'] });
    expect(b).toMatchObject({ changed: a.changed, added: a.added, embedded: a.embedded, passages: a.passages, workers: 2 });
    expect(await fileHashes(two.indexDir)).toEqual(await fileHashes(one.indexDir));
  });

  it('embeds in the batches it is given and returns the same vectors and term counts as this thread', { timeout: 60_000 }, async () => {
    expect(isReplicable(runtime.embedder)).toBe(true);
    const workers = await startIngestWorkers(runtime.embedder as ReplicableEmbedder, 2);
    try {
      const texts = ['云浮市促进云计算大数据产业发展', '数据中心用电价格优惠', '第十条 对新落户的企业给予补贴'];
      const result = await workers.run(texts, texts, 2);
      const dim = runtime.embedder.dimension;
      const local = [...(await runtime.embedder.embedDocuments(texts.slice(0, 2))), ...(await runtime.embedder.embedDocuments(texts.slice(2)))];
      expect(result.vectors).toHaveLength(texts.length * dim);
      local.forEach((v, i) => expect(Array.from(result.vectors.subarray(i * dim, (i + 1) * dim))).toEqual(Array.from(v)));
      expect(result.terms).toEqual(texts.map((t) => termCounts(t)));
    } finally {
      await workers.close();
    }
    await expect(workers.run(['数据'], ['数据'], 8)).rejects.toThrow('the ingest workers were closed before this batch was embedded');
  });

  it('refuses to start without the model, naming it, and ingest then embeds in its own thread', { timeout: 120_000 }, async () => {
    const broken = { ...(runtime.embedder as ReplicableEmbedder), recipe: { ...(runtime.embedder as ReplicableEmbedder).recipe, modelsDir: path.join(tmpdir(), 'kb-no-models') } };
    const error = await startIngestWorkers(broken, 1).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'model_missing' });
    expect((error as Error).message).toMatch(/^an ingest worker could not load the embedding model: cannot load embedding model synonyms-w2v-zh: .*; run `npm run -s kb -- model build`$/u);
    const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (message: string, fields?: Record<string, unknown>) => warnings.push({ message, ...(fields ? { fields } : {}) }) } as unknown as Logger;
    const summary = await ingest({ ...(await options(CORPUS_DIR, 2)), embedder: broken, logger });
    expect(summary).toMatchObject({ embedded: summary.passages, workers: 1 });
    expect(warnings.map((w) => w.message)).toEqual(['ingest workers did not start; embedding in this thread']);
  });
});
