import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/lexical/analyzer.js';
import { Bm25Index } from '../../src/storage/file/bm25.js';
import type { Embedder } from '../../src/embeddings/embedder.js';
import { createTermNeighbours, DEFAULT_EXPANSION } from '../../src/retrieval/expansion.js';
import { questionPhrases } from '../../src/retrieval/search.js';


describe('question phrases', () => {
  it('are adjacent words written together in the query, weighted by their idf', () => {
    // 城市 is a list's scope: no phrase. 打算设立 is two verbs written together, a phrase like any other (no
    // document writes it, so it moves nothing).
    const q = '哪些城市打算设立大数据领域的投资基金';
    expect(questionPhrases(q, analyze(q), (t) => (t === '投资' ? 2 : 1))).toEqual([
      { text: '打算设立', weight: 2 },
      { text: '数据领域', weight: 2 },
      { text: '投资基金', weight: 3 },
    ]);
    // 领域 and 投资 are apart in the query (领域的投资): no phrase.
    expect(questionPhrases(q, analyze(q)).map((p) => p.text)).not.toContain('领域投资');
  });
});

/** Vectors by hand: each word's vector is given, so similarities are exact. */
function fixedEmbedder(vectors: Record<string, number[]>): Embedder {
  const dim = 5;
  const vec = (t: string): Float32Array => {
    const v = vectors[t] ?? [0, 0, 0, 0, 1];
    const n = Math.hypot(...v) || 1;
    return Float32Array.from(v.map((x) => x / n));
  };
  return { modelId: 'fixed', dimension: dim, embedDocuments: async (ts: readonly string[]) => ts.map(vec), embedQuery: async (t: string) => vec(t) };
}

describe('expansion of indexed terms', () => {
  // cos(购买, 采购) = cos(林业, 农业) = 0.7: below the 0.8 a plain neighbour needs.
  const s = Math.sqrt(1 - 0.49);
  const embedder = fixedEmbedder({ 购买: [1, 0, 0, 0, 0], 采购: [0.7, s, 0, 0, 0], 林业: [0, 0, 1, 0, 0], 农业: [0, 0, 0.7, s, 0] });
  // 购 is in 2 of the 11 words, 业 in 8: with at most 30% counting as specific, only 购 is.
  const options = { ...DEFAULT_EXPANSION, sharedCharMaxShare: 0.3 };
  const index = Bm25Index.build([['购买', '采购', '设备'], ['林业', '农业', '产业', '企业', '行业', '就业', '物业', '创业']]);

  it('takes a neighbour sharing a specific character at the lower similarity', async () => {
    const expansions = await createTermNeighbours(async () => index.terms(), embedder).expand(['购买'], options);
    expect(expansions.map((e) => e.term)).toEqual(['采购']);
  });

  it('does not take one that shares only a common affix (业)', async () => {
    const expansions = await createTermNeighbours(async () => index.terms(), embedder).expand(['林业'], options);
    expect(expansions).toEqual([]);
  });

  it('takes neither when the shared-character rule is set to the plain threshold', async () => {
    const expansions = await createTermNeighbours(async () => index.terms(), embedder).expand(['购买'], { ...options, minSimilarityShared: 0.8 });
    expect(expansions).toEqual([]);
  });
});
