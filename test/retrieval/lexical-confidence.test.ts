/**
 * How much the lexical list counts in hybrid fusion: as much as its best passage writes the question, by idf. Where no
 * passage writes the question's rarest words (遛狗, 狗绳 for a text of 犬只, 犬链), BM25's best matches its common words
 * only and the dense list decides.
 */
import { describe, expect, it } from 'vitest';
import { lexicalConfidence } from '../../src/retrieval/search.js';
import type { KnowledgeStore } from '../../src/storage/types.js';

// An index whose idf table holds 郑州 (common), 最长 and 期限 (common), 失业 (rarer); 遛狗 and 狗绳 are in no passage.
const IDF = new Map([
  ['郑州', 1],
  ['最长', 1.5],
  ['期限', 1.5],
  ['失业', 4],
]);
const store = { lexical: { idf: async (terms: readonly string[]) => new Map(terms.flatMap((t) => (IDF.has(t) ? [[t, IDF.get(t) as number] as const] : []))) } } as unknown as KnowledgeStore;

describe('lexicalConfidence', () => {
  it('is low when the best passage writes only the common words and the rare ones are in no passage', async () => {
    const terms = ['郑州', '遛狗', '狗绳', '最长'];
    // Mass: 郑州 1 + 最长 1.5 + 遛狗 and 狗绳 at the largest idf held (1.5 each) = 5.5; the passage writes 2.5 of it.
    expect(await lexicalConfidence(store, terms, '郑州市失业保险金领取期限最长为24个月。')).toBeCloseTo(2.5 / 5.5, 5);
  });

  it('is 1 for a passage writing every word, and never below the floor', async () => {
    expect(await lexicalConfidence(store, ['郑州', '失业'], '郑州市失业保险。')).toBe(1);
    expect(await lexicalConfidence(store, ['郑州', '失业'], '本条例自公布之日起施行。')).toBe(0.05);
  });

  it('leaves one-character words out, and is 1 when nothing is left to weigh', async () => {
    expect(await lexicalConfidence(store, ['狗', '罚'], '罚款')).toBe(1);
  });
});
