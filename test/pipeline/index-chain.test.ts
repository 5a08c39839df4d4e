/**
 * An index made of a full build and delta segments — loaded cold, or built in memory from the
 * version before it as a running server does — is the index a full rebuild of the same corpus
 * gives: the same documents and passages in the same order, the same vectors, BM25 statistics and
 * rankings bit for bit. Before and after its segments are merged into one build again.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesizeDocuments } from '../../scripts/synthetic.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { deletedPointsOf, stateOf } from '../../src/storage/file/index-chain.js';
import { mergeIndex } from '../../src/storage/file/index-compaction.js';
import { indexRoot, loadIndex, readManifest } from '../../src/storage/file/index-store.js';
import { ingest } from '../../src/pipeline/ingest/ingest.js';
import { ingestOptionsFor } from '../../src/pipeline/compose/open.js';
import { createEmbeddingRuntime, expectationsFor, type EmbeddingRuntime } from '../../src/pipeline/compose/runtime.js';
import type { KnowledgeIndex } from '../../src/storage/file/knowledge-index.js';
import { fileStore } from '../../src/storage/file/file-store.js';
import { CORPUS_DIR, MODELS_DIR } from '../helpers.js';

let runtime: EmbeddingRuntime;
let corpusDir: string;
let config: Config;
const seeded = async (): Promise<string> => {
  const dir = await mkdtemp(path.join(tmpdir(), 'kb-chain-syn-'));
  await synthesizeDocuments(500, dir, { seed: 7, corpusDir: CORPUS_DIR });
  return dir;
};

beforeAll(async () => {
  corpusDir = await seeded();
  config = loadConfig({ CORPUS_DIR: corpusDir, MODELS_DIR, INDEX_DIR: await mkdtemp(path.join(tmpdir(), 'kb-chain-idx-')) });
  runtime = await createEmbeddingRuntime(config);
}, 120_000);

const optionsFor = (c: Config) => ingestOptionsFor(c, runtime.embedder, runtime.profile);
const load = (c: Config, from?: KnowledgeIndex) => loadIndex(c.indexDir, expectationsFor(c, runtime.embedder), from ? { from } : {});

/** The corpus ingested afresh into an index of its own. */
async function rebuilt(): Promise<KnowledgeIndex> {
  const other = loadConfig({ CORPUS_DIR: corpusDir, MODELS_DIR, INDEX_DIR: await mkdtemp(path.join(tmpdir(), 'kb-chain-ref-')) });
  await ingest(optionsFor(other));
  return load(other);
}

/** Queries from the index's own vocabulary: single terms, pairs and weighted triples. */
function queriesOf(kb: KnowledgeIndex): { terms: string[]; weights?: Map<string, number> }[] {
  const terms = kb.bm25.terms().filter((t) => t.length >= 2);
  const pick = (i: number): string => terms[(i * 7919) % terms.length] as string;
  const out: { terms: string[]; weights?: Map<string, number> }[] = [];
  for (let i = 0; i < 40; i += 1) out.push({ terms: [pick(i)] }, { terms: [pick(i), pick(i + 101)] }, { terms: [pick(i), pick(i + 7), pick(i + 13)], weights: new Map([[pick(i + 7), 0.4]]) });
  return out;
}

function expectSameIndex(actual: KnowledgeIndex, expected: KnowledgeIndex): void {
  expect([...actual.documents.keys()]).toEqual([...expected.documents.keys()]);
  for (const [docId, doc] of expected.documents) expect(actual.documents.get(docId)).toEqual(doc);
  const withoutLabel = (kb: KnowledgeIndex) => kb.passages.map(({ label: _label, ...p }) => p);
  expect(withoutLabel(actual)).toEqual(withoutLabel(expected));
  expect(Buffer.from(actual.vectors.buffer, actual.vectors.byteOffset, actual.vectors.byteLength).equals(Buffer.from(expected.vectors.buffer, expected.vectors.byteOffset, expected.vectors.byteLength))).toBe(true);
  expect(actual.bm25.size).toBe(expected.bm25.size);
  expect(actual.bm25.termCounts()).toEqual(expected.bm25.termCounts());
  expect(actual.bm25.terms().sort()).toEqual(expected.bm25.terms().sort());
  for (const term of expected.bm25.terms()) expect(actual.bm25.idf(term)).toBe(expected.bm25.idf(term));
  const one = [...expected.documents.keys()][3] as string;
  const allowed = Int32Array.from(expected.passages.flatMap((p, i) => (p.docId === one ? [i] : [])));
  for (const q of queriesOf(expected)) {
    const options = q.weights ? { weights: q.weights } : {};
    expect(actual.bm25.search(q.terms, 20, options)).toEqual(expected.bm25.search(q.terms, 20, options));
    expect(actual.bm25.search(q.terms, 5, { ...options, allowed })).toEqual(expected.bm25.search(q.terms, 5, { ...options, allowed }));
  }
  // Every passage is found by its own vector through the graph (it holds every live point, and only those).
  expect(actual.dense.size).toBe(actual.passages.length);
  for (let i = 0; i < actual.passages.length; i += 97) {
    const [hit] = actual.dense.search(actual.vectors.subarray(i * actual.info.dimension, (i + 1) * actual.info.dimension), 1);
    const pos = actual.byLabel.get(hit?.label as number) as number;
    expect(actual.passages[pos]?.passageId === actual.passages[i]?.passageId || Math.abs((hit?.score ?? 0) - 1) < 1e-6).toBe(true);
  }
}

const synthetic = async (seed: number, passages: number): Promise<string[]> => {
  const dir = await mkdtemp(path.join(tmpdir(), 'kb-chain-more-'));
  await synthesizeDocuments(passages, dir, { seed, corpusDir: CORPUS_DIR });
  const names = (await readdir(dir)).sort();
  for (const name of names) await cp(path.join(dir, name), path.join(corpusDir, name));
  return names;
};
const edit = async (name: string): Promise<void> => {
  const file = path.join(corpusDir, name);
  const text = await readFile(file, 'utf8');
  // One article rewritten, one appended: some passages keep their id, some are new.
  await writeFile(file, `${text.replace(/第二条 [^\n]*/u, '第二条 本条经修订：申报材料应当于每年三月底前报送。')}第九十九条 本办法由发布机关负责解释。\n`);
};

describe('an index of a full build and delta segments', () => {
  it('equals a full rebuild after adds, edits and removals — loaded cold and built from the version before', { timeout: 600_000 }, async () => {
    const first = await ingest(optionsFor(config));
    expect(first.rebuildReason).toBe('no index yet');
    let held = await load(config);
    const names = (await readdir(corpusDir)).filter((n) => n.endsWith('.md')).sort();
    const steps: (() => Promise<unknown>)[] = [
      () => synthetic(11, 60),
      () => Promise.all([edit(names[0] as string), edit(names[5] as string)]),
      () => Promise.all([rm(path.join(corpusDir, names[1] as string)), rm(path.join(corpusDir, names[2] as string))]),
      async () => {
        const added = await synthetic(12, 30);
        await edit(added[0] as string);
        await rm(path.join(corpusDir, names[6] as string));
      },
    ];
    for (const step of steps) {
      await step();
      const summary = await ingest(optionsFor(config));
      expect(summary.upToDate).toBe(false);
      expect(summary.rebuildReason).toBeUndefined();
      const manifest = (await readManifest(config.indexDir))?.manifest;
      expect(manifest?.chain?.segments.length).toBeGreaterThan(0);
      const reference = await rebuilt();
      const warm = await load(config, held);
      expect(stateOf(warm)).toBe(summary.version);
      expectSameIndex(warm, reference);
      expectSameIndex(await load(config), reference);
      held = warm;
    }
    // An edit keeps the passages whose id and breadcrumb did not change, with their vectors and points.
    expect(deletedPointsOf(held)).toBeGreaterThan(0);
  });

  it('holds the same after its segments are merged into one build, and loads as one', { timeout: 600_000 }, async () => {
    const before = await load(config);
    expect((await readManifest(config.indexDir))?.manifest.chain?.segments).toHaveLength(4);
    const version = await mergeIndex({ indexDir: config.indexDir, kb: before, hnsw: { M: config.hnswM, efConstruction: config.hnswEfConstruction, efSearch: config.hnswEfSearch } });
    expect(version).toBeDefined();
    const after = (await readManifest(config.indexDir))?.manifest;
    expect(after?.chain).toBeUndefined();
    expect(after?.state).toBe(stateOf(before));
    // Only the merged build is left on disk.
    expect((await readdir(indexRoot(config.indexDir))).filter((n) => n.startsWith('v-') || n.startsWith('m-'))).toEqual([version]);
    const reference = await rebuilt();
    expectSameIndex(await load(config), reference);
    // The index in memory is the merged build's: taken as it is.
    const renamed = await load(config, before);
    expect(renamed.passages).toBe(before.passages);
    expect(renamed.info.version).toBe(version);
    // The next write adds a segment to the merged build.
    await synthetic(13, 30);
    await ingest(optionsFor(config));
    expect((await readManifest(config.indexDir))?.manifest.chain?.base).toBe(version);
    expectSameIndex(await load(config, renamed), await rebuilt());
    expect((await fileStore(await load(config)).lexical.search(['申报材料', '三月底'], 3)).length).toBeGreaterThan(0);
  });
});
