import { beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/embeddings/embedder.js';
import { rememberQueryVectors } from '../../src/retrieval/query-vectors.js';
import { realKnowledgeBase } from '../helpers.js';

/** The real embedder, counting what reaches it. */
function counted(embedder: Embedder): { embedder: Embedder; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    embedder: {
      modelId: embedder.modelId,
      dimension: embedder.dimension,
      embedDocuments: (texts) => embedder.embedDocuments(texts),
      embedQuery: (text) => {
        calls.push(text);
        return embedder.embedQuery(text);
      },
    },
  };
}

let real: Embedder;
beforeAll(async () => {
  real = (await realKnowledgeBase()).embedder;
});

describe('rememberQueryVectors', () => {
  it('embeds a repeated query once and returns the vector the model gives', async () => {
    const { embedder, calls } = counted(real);
    const remembered = rememberQueryVectors(embedder);
    const first = await remembered.embedQuery('云浮数据中心电费补贴');
    const [second, third] = await Promise.all([remembered.embedQuery('云浮数据中心电费补贴'), remembered.embedQuery('云浮数据中心电费补贴')]);
    expect(calls).toEqual(['云浮数据中心电费补贴']);
    expect([...(second as Float32Array)]).toEqual([...first]);
    expect([...(third as Float32Array)]).toEqual([...(await real.embedQuery('云浮数据中心电费补贴'))]);
    expect(remembered.modelId).toBe(real.modelId);
    expect(remembered.dimension).toBe(real.dimension);
  });

  it('gives each caller its own copy: changing one leaves the next answer intact', async () => {
    const remembered = rememberQueryVectors(real);
    const a = await remembered.embedQuery('人工智能');
    const expected = [...a];
    a.fill(0);
    expect([...(await remembered.embedQuery('人工智能'))]).toEqual(expected);
  });

  it('forgets the least recently used query beyond its capacity', async () => {
    const { embedder, calls } = counted(real);
    const remembered = rememberQueryVectors(embedder, 2);
    for (const q of ['深圳', '惠州', '深圳', '东莞', '深圳', '惠州']) await remembered.embedQuery(q);
    // 惠州 was the least recently used when 东莞 arrived, so it is embedded again; 深圳 never is.
    expect(calls).toEqual(['深圳', '惠州', '东莞', '惠州']);
  });

  it('does not remember a failed embedding: the next call tries the model again', async () => {
    let fail = true;
    const flaky: Embedder = {
      modelId: 'flaky',
      dimension: 2,
      embedDocuments: async () => [],
      embedQuery: async () => {
        if (fail) {
          fail = false;
          throw new Error('ONNX session closed');
        }
        return new Float32Array([0.6, 0.8]);
      },
    };
    const remembered = rememberQueryVectors(flaky);
    await expect(remembered.embedQuery('云浮')).rejects.toThrow('ONNX session closed');
    expect([...(await remembered.embedQuery('云浮'))].map((x) => Number(x.toFixed(3)))).toEqual([0.6, 0.8]);
  });
});
