import { beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/embeddings/embedder.js';
import { rememberTermVectors } from '../../src/embeddings/term-vectors.js';
import { createEmbeddingRuntime } from '../../src/pipeline/compose/runtime.js';
import { testConfig } from '../helpers.js';

let embedder: Embedder;
beforeAll(async () => {
  embedder = (await createEmbeddingRuntime(await testConfig())).embedder;
});

/** The embedder, counting the texts it is asked to embed. */
function counting(inner: Embedder): Embedder & { asked: string[] } {
  const asked: string[] = [];
  return { modelId: inner.modelId, dimension: inner.dimension, asked, embedDocuments: (texts) => (asked.push(...texts), inner.embedDocuments(texts)), embedQuery: (t) => inner.embedQuery(t) };
}

describe('rememberTermVectors', () => {
  it('embeds a term once, and gives the vector embedding it alone or in another batch gives', async () => {
    const inner = counting(embedder);
    const cached = rememberTermVectors(inner);
    const first = await cached.embedDocuments(['数据中心', '电价', '补贴']);
    const second = await cached.embedDocuments(['补贴', '人工智能', '数据中心']);
    expect(inner.asked).toEqual(['数据中心', '电价', '补贴', '人工智能']);
    expect(second[0]).toBe(first[2]);
    const alone = await embedder.embedDocuments(['补贴']);
    expect(Array.from(second[0] as Float32Array)).toEqual(Array.from(alone[0] as Float32Array));
    const fresh = await embedder.embedDocuments(['人工智能', '数据中心', '电价']);
    expect(Array.from(second[1] as Float32Array)).toEqual(Array.from(fresh[0] as Float32Array));
  });

  it('passes longer texts and queries through without remembering them', async () => {
    const inner = counting(embedder);
    const cached = rememberTermVectors(inner, { maxChars: 4 });
    const passage = '第一条 为了规范公共数据管理，制定本办法。';
    await cached.embedDocuments([passage]);
    await cached.embedDocuments([passage]);
    expect(inner.asked).toEqual([passage, passage]);
  });

  it('forgets the least recently added term past its capacity', async () => {
    const inner = counting(embedder);
    const cached = rememberTermVectors(inner, { capacity: 2 });
    await cached.embedDocuments(['甲', '乙', '丙']);
    await cached.embedDocuments(['甲', '丙']);
    expect(inner.asked).toEqual(['甲', '乙', '丙', '甲']);
  });
});
