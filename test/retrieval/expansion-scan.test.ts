import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/embeddings/embedder.js';
import { createFakeEmbedder } from '../../src/embeddings/fake-embedder.js';
import { createMatrixScan, scanMargin } from '../../src/embeddings/matrix-scan.js';
import { createEmbeddingRuntime } from '../../src/pipeline/compose/runtime.js';
import { createTermNeighbours, DEFAULT_EXPANSION } from '../../src/retrieval/expansion.js';
import { rememberQueryVectors } from '../../src/retrieval/query-vectors.js';
import { CORPUS_DIR, testConfig } from '../helpers.js';

// A small alphabet, so that words share characters and the fake embedder finds neighbours above 0.5.
const ALPHABET = [...'数据中心电费补贴云计算企业产业平台服务政府资金投资基金创新人才'];
const word = fc.array(fc.constantFrom(...ALPHABET), { minLength: 2, maxLength: 4 }).map((cs) => cs.join(''));

/** The fake embedder, except that `blind` words get a vector with no direction (NaN), as a model gives a word it cannot place. */
function embedderBlindTo(blind: ReadonlySet<string>): Embedder {
  const fake = createFakeEmbedder({ dimension: 32 });
  const nan = new Float32Array(32).fill(Number.NaN);
  return { ...fake, embedDocuments: async (texts) => (await fake.embedDocuments(texts)).map((v, i) => (blind.has(texts[i] as string) ? nan : v)) };
}

describe('the vocabulary scan by ONNX Runtime', () => {
  it('finds every row whose exact dot product reaches the floor, and none far below it', async () => {
    const dim = 100;
    const rows = 3000;
    const matrix = new Float32Array(rows * dim);
    let seed = 7;
    const rand = (): number => ((seed = (seed * 48271) % 2147483647) / 2147483647) * 2 - 1;
    for (let i = 0; i < matrix.length; i += 1) matrix[i] = rand() / 5;
    const scan = await createMatrixScan(matrix, rows, dim);
    expect(scan).toBeDefined();
    const norm = (v: Float32Array): number => Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    let maxNorm = 0;
    for (let r = 0; r < rows; r += 1) maxNorm = Math.max(maxNorm, norm(matrix.subarray(r * dim, (r + 1) * dim)));
    const queries = matrix.slice(0, 3 * dim);
    const wanted = [0.05, 0.1, 0.2];
    const margins = wanted.map((_, q) => scanMargin(dim, norm(queries.subarray(q * dim, (q + 1) * dim)), maxNorm));
    const found = await (scan as NonNullable<typeof scan>).rowsReaching(queries, 3, Float32Array.from(wanted, (w, q) => w - (margins[q] as number)));
    for (let q = 0; q < 3; q += 1) {
      const qv = queries.subarray(q * dim, (q + 1) * dim);
      const exact: number[] = [];
      for (let r = 0; r < rows; r += 1) {
        let s = 0;
        for (let d = 0; d < dim; d += 1) s += (qv[d] as number) * (matrix[r * dim + d] as number);
        exact.push(s);
      }
      const reaching = exact.flatMap((s, r) => (s >= (wanted[q] as number) ? [r] : []));
      expect(reaching.length).toBeGreaterThan(10);
      const rowsFound = found[q] as number[];
      expect(rowsFound).toEqual([...rowsFound].sort((a, b) => a - b));
      expect(rowsFound).toEqual(expect.arrayContaining(reaching));
      for (const r of rowsFound) expect(exact[r] as number).toBeGreaterThanOrEqual((wanted[q] as number) - 2 * (margins[q] as number));
    }
    await scan?.dispose();
  });
});

describe('matrix scans of one dimension', () => {
  it('share one session yet each scans its own matrix, before and after another was disposed', async () => {
    const dim = 8;
    // Matrix A: row r is the unit vector e_(r mod dim); matrix B: the same rows, reversed.
    const a = new Float32Array(16 * dim);
    for (let r = 0; r < 16; r += 1) a[r * dim + (r % dim)] = 1;
    const b = new Float32Array(16 * dim);
    for (let r = 0; r < 16; r += 1) b[r * dim + ((15 - r) % dim)] = 1;
    const [scanA, scanB] = await Promise.all([createMatrixScan(a, 16, dim), createMatrixScan(b, 16, dim)]);
    const query = new Float32Array(dim);
    query[0] = 1;
    expect(await scanA?.rowsReaching(query, 1, Float32Array.of(0.5))).toEqual([[0, 8]]);
    expect(await scanB?.rowsReaching(query, 1, Float32Array.of(0.5))).toEqual([[7, 15]]);
    await scanA?.dispose();
    expect(await scanB?.rowsReaching(query, 1, Float32Array.of(0.5))).toEqual([[7, 15]]);
    const scanC = await createMatrixScan(a, 16, dim);
    expect(await scanC?.rowsReaching(query, 1, Float32Array.of(0.5))).toEqual([[0, 8]]);
  });
});

describe('term-neighbour expansion', () => {
  it('expands alike whether ONNX Runtime scans the vocabulary or JavaScript does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(word, { minLength: 5, maxLength: 120 }), fc.array(word, { minLength: 1, maxLength: 6 }), async (vocabulary, query) => {
        const embedder = createFakeEmbedder({ dimension: 32 });
        const scanned = createTermNeighbours(async () => vocabulary, embedder);
        const looped = createTermNeighbours(async () => vocabulary, embedder, { scan: false });
        const options = { ...DEFAULT_EXPANSION, minSimilarityKnown: 0.5, minSimilarityUnknown: 0.5, perTerm: 4 };
        expect(await scanned.expand(query, options)).toEqual(await looped.expand(query, options));
      }),
      { numRuns: 60 },
    );
  });

  it('finds neighbours when some vocabulary words have no direction', async () => {
    const vocabulary = ['数据中心', '数据平台', '云计算', '计算中心', '电费补贴', '补贴资金', '人才'];
    const embedder = embedderBlindTo(new Set(['人才']));
    const scanned = createTermNeighbours(async () => vocabulary, embedder);
    const looped = createTermNeighbours(async () => vocabulary, embedder, { scan: false });
    const options = { ...DEFAULT_EXPANSION, minSimilarityKnown: 0.5, minSimilarityUnknown: 0.5 };
    const expected = await looped.expand(['数据中心', '补贴'], options);
    expect(expected.length).toBeGreaterThan(0);
    expect(await scanned.expand(['数据中心', '补贴'], options)).toEqual(expected);
  });

  it('loads the vocabulary and its vectors when warmed up, so the first expansion embeds only its own new words', async () => {
    const fake = createFakeEmbedder({ dimension: 32 });
    const batches: number[] = [];
    const embedder: Embedder = { ...fake, embedDocuments: async (texts) => (batches.push(texts.length), fake.embedDocuments(texts)) };
    const neighbours = createTermNeighbours(async () => ['数据中心', '数据平台', '云计算', '计算中心'], embedder);
    expect(await neighbours.warmUp()).toBe(4);
    expect(batches).toEqual([4]);
    // 补贴 is not in the vocabulary: embedded on its own; 数据中心 is a row of the table.
    await neighbours.expand(['数据中心', '补贴']);
    expect(batches).toEqual([4, 1]);
  });
});

describe('a reload', () => {
  it('embeds only the words the new vocabulary added, and expands as a table built from scratch does', async () => {
    const fake = createFakeEmbedder({ dimension: 32 });
    const embedded: string[][] = [];
    const model: Embedder = { ...fake, embedDocuments: async (texts) => (embedded.push([...texts]), fake.embedDocuments(texts)) };
    const before = ['数据中心', '数据平台', '云计算', '计算中心', '电费补贴'];
    const after = ['数据中心', '云计算', '计算中心', '电费补贴', '补贴资金', '数据服务'];
    // Each snapshot's service wraps the model in its own memo of query vectors.
    await createTermNeighbours(async () => before, rememberQueryVectors(model)).warmUp();
    const reloaded = createTermNeighbours(async () => after, rememberQueryVectors(model));
    await reloaded.warmUp();
    expect(embedded).toEqual([before, ['补贴资金', '数据服务']]);
    const options = { ...DEFAULT_EXPANSION, minSimilarityKnown: 0.5, minSimilarityUnknown: 0.5, perTerm: 4 };
    const scratch = createTermNeighbours(async () => after, createFakeEmbedder({ dimension: 32 }));
    expect(await reloaded.expand(['数据', '补贴', '计算中心'], options)).toEqual(await scratch.expand(['数据', '补贴', '计算中心'], options));
  });
});

describe('embedding a vocabulary', () => {
  it('gives the same vectors at any batch size (the vocabulary is embedded 256 words at a time)', async () => {
    const config = await testConfig();
    const { embedder } = await createEmbeddingRuntime(config);
    const words = [...new Set((await readFile(path.join(CORPUS_DIR, 'shenzhen.md'), 'utf8')).match(/[\u4e00-\u9fff]{2,4}/gu) ?? [])].slice(0, 600);
    expect(words.length).toBe(600);
    const byDefault = await embedder.embedDocuments(words);
    const wide = await embedder.embedDocuments(words, { batchSize: 256 });
    expect(wide).toEqual(byDefault);
    await embedder.dispose?.();
  });
});
