import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/retrieval/analyzer.js';
import { Bm25Index } from '../../src/retrieval/bm25.js';
import type { Embedder } from '../../src/embeddings/embedder.js';
import { coveredConcepts, questionConcepts } from '../../src/retrieval/evidence.js';
import { createTermNeighbours, DEFAULT_EXPANSION } from '../../src/retrieval/expansion.js';
import { questionPhrases } from '../../src/retrieval/search.js';

const texts = ['设立创业种子基金，加强与创业投资、担保机构的合作。', '组建大数据创业投资基金。', '政府投资基金支持项目。', '农业和林业统计。', '企业采购设备。', '行业产业就业创业企业物业。'];
const bm25 = Bm25Index.build(texts.map((t) => analyze(t)));
const question = '设立大数据领域的投资基金';
const isPhrase = (p: string): boolean => question.includes(p) && texts.some((t) => t.includes(p));

describe('question phrases', () => {
  it('are adjacent words written together in the query, weighted by their idf', () => {
    const q = '哪些城市打算设立大数据领域的投资基金';
    expect(questionPhrases(q, analyze(q), (t) => (t === '投资' ? 2 : 1))).toEqual([
      { text: '数据领域', weight: 2 },
      { text: '投资基金', weight: 3 },
    ]);
    // 领域 and 投资 are apart in the query (领域的投资): no phrase.
    expect(questionPhrases(q, analyze(q)).map((p) => p.text)).not.toContain('领域投资');
  });

  it('makes two words the question and the documents both write together one concept, weighing as both', () => {
    const concepts = questionConcepts(bm25, analyze(question), [], new Set(), () => true, isPhrase);
    const phrase = concepts.find((c) => c.term === '投资基金');
    expect(phrase?.parts).toEqual(['投资', '基金']);
    expect(phrase?.weight).toBeCloseTo(bm25.idf('投资') + bm25.idf('基金'), 6);
    expect(concepts.map((c) => c.term)).not.toContain('基金');
  });

  it('counts a phrase written inside a longer word, not its words scattered over clauses', () => {
    const concepts = questionConcepts(bm25, analyze(question), [], new Set(), () => true, isPhrase);
    expect(coveredConcepts('组建大数据创业投资基金。', concepts).has('投资基金')).toBe(true);
    expect(coveredConcepts('设立创业种子基金，加强与创业投资、担保机构的合作。', concepts).has('投资基金')).toBe(false);
  });

  it('keeps the words apart when no phrase test is given', () => {
    const concepts = questionConcepts(bm25, analyze(question), [], new Set());
    expect(concepts.map((c) => c.term)).toEqual(expect.arrayContaining(['投资', '基金']));
    expect(concepts.map((c) => c.term)).not.toContain('投资基金');
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
