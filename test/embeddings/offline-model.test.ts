import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { dot } from '../../src/embeddings/embedder.js';
import { PolicyKbEmbeddings } from '../../src/embeddings/langchain.js';
import { resolveProfile } from '../../src/embeddings/profiles.js';
import { createTransformersEmbedder } from '../../src/embeddings/transformers-embedder.js';
import { parseWord2VecBinary } from '../../src/embeddings/word2vec.js';
import { buildModel, extractFromTgz, integrityOf } from '../../src/pipeline/tools/model-build.js';
import { KbError } from '../../src/shared/errors.js';
import { MODELS_DIR } from '../helpers.js';

function word2vec(words: [string, number[]][], declared = words.length): Uint8Array {
  const dim = words[0]?.[1].length ?? 0;
  const parts: Buffer[] = [Buffer.from(`${declared} ${dim}\n`)];
  for (const [w, v] of words) {
    parts.push(Buffer.from(`${w} `), Buffer.from(Float32Array.from(v).buffer), Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

function tarWith(name: string, content: Uint8Array): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 'utf8');
  header.write(content.length.toString(8).padStart(11, '0'), 124, 'utf8');
  const padded = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  Buffer.from(content).copy(padded);
  return Buffer.concat([header, padded, Buffer.alloc(1024)]);
}

describe('parseWord2VecBinary', () => {
  it('reads words and vectors', () => {
    const wv = parseWord2VecBinary(word2vec([['数据', [1, 2]], ['中心', [3, 4]]]));
    expect(wv.words).toEqual(['数据', '中心']);
    expect(wv.dim).toBe(2);
    expect(Array.from(wv.vectors)).toEqual([1, 2, 3, 4]);
  });

  it('reports a truncated file clearly', () => {
    const bytes = word2vec([['数据', [1, 2]]], 3);
    expect(() => parseWord2VecBinary(bytes)).toThrow('words.vector: truncated at word 2 of 3');
  });
});

describe('buildModel', () => {
  it('refuses a tarball whose integrity does not match', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kb-model-'));
    const tgz = path.join(dir, 'fake.tgz');
    await writeFile(tgz, gzipSync(tarWith('package/data/words.vector', word2vec([['数据', [1, 2]]]))));
    const error = await buildModel({ modelsDir: dir, tarball: tgz }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KbError);
    expect((error as KbError).code).toBe('model_build_failed');
    expect((error as Error).message).toMatch(/^integrity check failed for fake\.tgz: expected sha512-X3GZ4J4k.*, got sha512-.*; the file is corrupt or not node-synonyms@1\.3\.1$/);
  });

  it('reports a truncated vectors file inside a tarball with the right integrity', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kb-model-'));
    const tgz = path.join(dir, 'cut.tgz');
    const bytes = gzipSync(tarWith('package/data/words.vector', word2vec([['数据', [1, 2]]], 5)));
    await writeFile(tgz, bytes);
    const error = await buildModel({ modelsDir: dir, tarball: tgz, integrity: integrityOf(bytes) }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('package/data/words.vector: truncated at word 2 of 5 (byte 20 of 20); fetch the package again');
  });

  it('reports a file that is not gzip', () => {
    expect(() => extractFromTgz(new Uint8Array([1, 2, 3]), 'x', 'bad.tgz')).toThrow(/^bad\.tgz: not a readable gzip archive/);
  });

  it('uses sha512 integrity strings like package-lock.json', () => {
    const bytes = Buffer.from('abc');
    expect(integrityOf(bytes)).toBe(`sha512-${createHash('sha512').update(bytes).digest('base64')}`);
  });
});

describe('the built offline model', () => {
  it('loads offline through pipeline() and ranks sensibly', async () => {
    const embedder = await createTransformersEmbedder({ profile: resolveProfile('synonyms-w2v-zh'), modelsDir: MODELS_DIR, allowRemoteModels: false });
    expect(embedder.dimension).toBe(100);
    const [plan, industry, pigs] = await embedder.embedDocuments(['人工智能发展规划', '新一代人工智能产业', '生猪养殖检疫']);
    const a = dot(plan as Float32Array, industry as Float32Array);
    const b = dot(plan as Float32Array, pigs as Float32Array);
    expect(a).toBeGreaterThan(b + 0.2);
    expect(dot(plan as Float32Array, plan as Float32Array)).toBeCloseTo(1, 5);
    await embedder.dispose?.();
  });

  it('serves LangChain as an Embeddings', async () => {
    const embedder = await createTransformersEmbedder({ profile: resolveProfile('synonyms-w2v-zh'), modelsDir: MODELS_DIR, allowRemoteModels: false });
    const lc = new PolicyKbEmbeddings(embedder);
    const [doc] = await lc.embedDocuments(['数据中心']);
    const query = await lc.embedQuery('数据中心');
    expect(doc).toHaveLength(100);
    expect(query).toEqual(doc);
  });

  it('says what to run when a local model is missing', async () => {
    const error = await createTransformersEmbedder({ profile: resolveProfile('synonyms-w2v-zh'), modelsDir: '/nonexistent-models', allowRemoteModels: false }).catch((e: unknown) => e);
    expect((error as KbError).code).toBe('model_missing');
    expect((error as Error).message).toMatch(/^cannot load embedding model synonyms-w2v-zh: .*; run `npm run -s kb -- model build`$/);
  });
});
