import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { Bm25Index, type ScoredIndex } from '../../src/storage/file/bm25.js';

// A small vocabulary with a skewed distribution: a few terms in most passages, many rare ones,
// so that pruning actually skips passages and ties are frequent.
const VOCAB = Array.from({ length: 40 }, (_, i) => `t${i}`);
const termArb = fc.integer({ min: 0, max: 1599 }).map((x) => VOCAB[Math.floor(Math.sqrt(x))] as string);
const corpusArb = fc.array(fc.array(termArb, { minLength: 0, maxLength: 30 }), { minLength: 1, maxLength: 300 });
const queryArb = fc.array(fc.oneof({ weight: 9, arbitrary: termArb }, { weight: 1, arbitrary: fc.constantFrom('unknown', 'zz') }), { minLength: 0, maxLength: 12 });
const weightsArb = fc.dictionary(fc.constantFrom(...VOCAB), fc.oneof(fc.double({ min: 0.01, max: 2, noNaN: true }), fc.constant(0), fc.constant(1)), { maxKeys: 8 });
const filterArb = fc.option(fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 6 })), { nil: undefined });

function expectSameTopK(pruned: ScoredIndex[], exhaustive: ScoredIndex[]): void {
  expect(pruned.map((r) => r.index)).toEqual(exhaustive.map((r) => r.index));
  pruned.forEach((r, i) => expect(Math.abs(r.score - (exhaustive[i] as ScoredIndex).score)).toBeLessThanOrEqual(1e-9));
}

describe('Bm25Index.search (MaxScore)', () => {
  it('returns the same top k as the exhaustive scorer for any corpus, query, weights, filter and k', () => {
    fc.assert(
      fc.property(corpusArb, queryArb, weightsArb, filterArb, fc.integer({ min: 1, max: 40 }), (docs, query, weights, filter, k) => {
        const index = Bm25Index.build(docs);
        const options = {
          weights: new Map(Object.entries(weights)),
          ...(filter ? { allow: (i: number): boolean => i % filter[0] === filter[1] % filter[0] } : {}),
        };
        const pruned = index.search(query, k, options);
        const exhaustive = index.scoreExhaustive(query, k, options);
        expectSameTopK(pruned, exhaustive);
        expect(pruned.length).toBeLessThanOrEqual(k);
      }),
      { numRuns: 400 },
    );
  });

  it('with a list of allowed passages, returns bit for bit what the same filter as a predicate returns', () => {
    const allowedArb = fc.array(fc.integer({ min: 0, max: 299 }), { maxLength: 120 }).map((xs) => Int32Array.from(new Set(xs)).sort());
    fc.assert(
      fc.property(corpusArb, queryArb, weightsArb, allowedArb, fc.integer({ min: 1, max: 40 }), (docs, query, weights, allowed, k) => {
        const index = Bm25Index.build(docs);
        const members = new Set(allowed);
        const byList = index.search(query, k, { weights: new Map(Object.entries(weights)), allowed });
        const byPredicate = index.search(query, k, { weights: new Map(Object.entries(weights)), allow: (i) => members.has(i) });
        expect(byList).toEqual(byPredicate);
        expect(byList).toEqual(index.scoreExhaustive(query, k, { weights: new Map(Object.entries(weights)), allowed }));
        expect(byList.every((r) => members.has(r.index))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('with an empty list of allowed passages, finds nothing', () => {
    const index = Bm25Index.build([['数据'], ['数据', '开放']]);
    expect(index.search(['数据'], 5, { allowed: new Int32Array(0) })).toEqual([]);
    expect(index.search(['数据'], 5, { allowed: Int32Array.of(1) }).map((r) => r.index)).toEqual([1]);
  });

  it('breaks ties by the lower passage index, as the exhaustive scorer does', () => {
    // Twenty identical passages: every score ties, so the top 5 are passages 0–4 in order.
    const index = Bm25Index.build(Array.from({ length: 20 }, () => ['数据', '中心']));
    expect(index.search(['数据'], 5).map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(index.search(['数据'], 5)).toEqual(index.scoreExhaustive(['数据'], 5));
  });

  it('filters inside the scoring loop: a filter that admits few passages still fills k', () => {
    const docs = Array.from({ length: 500 }, (_, i) => (i % 100 === 7 ? ['补贴'] : ['补贴', '补贴', '电价']));
    const index = Bm25Index.build(docs);
    const allow = (i: number): boolean => i % 100 === 7;
    expect(index.search(['补贴', '电价'], 3, { allow }).map((r) => r.index)).toEqual([7, 107, 207]);
  });

  it('ignores unknown terms and terms weighted 0, and returns nothing for k < 1', () => {
    const index = Bm25Index.build([['数据'], ['开放']]);
    expect(index.search(['未知'], 5)).toEqual([]);
    expect(index.search(['数据', '开放'], 5, { weights: new Map([['开放', 0]]) }).map((r) => r.index)).toEqual([0]);
    expect(index.search(['数据'], 0)).toEqual([]);
    expect(index.search(['数据', '开放'], Infinity)).toEqual(index.scoreExhaustive(['数据', '开放'], Infinity));
  });
  it('switching to term-at-a-time scoring after any number of passages returns bit for bit what MaxScore and the exhaustive scorer return', () => {
    const allowedArb = fc.option(fc.array(fc.integer({ min: 0, max: 299 }), { maxLength: 120 }).map((xs) => Int32Array.from(new Set(xs)).sort()), { nil: undefined });
    fc.assert(
      fc.property(corpusArb, queryArb, weightsArb, filterArb, allowedArb, fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 40 }), (docs, query, weights, filter, allowed, after, k) => {
        const index = Bm25Index.build(docs);
        const options = {
          weights: new Map(Object.entries(weights)),
          ...(filter ? { allow: (i: number): boolean => i % filter[0] === filter[1] % filter[0] } : {}),
          ...(allowed ? { allowed } : {}),
        };
        const switched = index.search(query, k, { ...options, accumulateAfter: after });
        expect(switched).toEqual(index.search(query, k, { ...options, accumulateAfter: Infinity }));
        expect(switched).toEqual(index.scoreExhaustive(query, k, options));
        // The shared array is left zeroed: the same search again gives the same answer.
        expect(index.search(query, k, { ...options, accumulateAfter: 0 })).toEqual(switched);
      }),
      { numRuns: 400 },
    );
  });

  it('on long lists that pruning cannot shorten, switches by default and answers as MaxScore alone does', () => {
    // Ten terms each in about half of 160,000 passages: the top k's threshold stays below their bounds.
    const terms = Array.from({ length: 10 }, (_, j) => `词${j}`);
    const index = Bm25Index.build(Array.from({ length: 160_000 }, (_, i) => [...terms.filter((_, j) => ((i * 2654435761) >>> (j + 7)) & 1), '的']));
    const switched = vi.spyOn(index as unknown as { accumulated: () => unknown }, 'accumulated');
    const byDefault = index.search(terms, 25);
    expect(switched).toHaveBeenCalledTimes(1);
    expect(byDefault).toEqual(index.search(terms, 25, { accumulateAfter: Infinity }));
    expect(byDefault).toEqual(index.scoreExhaustive(terms, 25));
  });

  it('leaves nothing behind when a filter throws while scoring term at a time', () => {
    const index = Bm25Index.build([['数据'], ['数据', '开放'], ['开放']]);
    expect(() =>
      index.search(['数据', '开放'], 2, {
        accumulateAfter: 0,
        allow: () => {
          throw new Error('filter failed');
        },
      }),
    ).toThrow('filter failed');
    expect(index.search(['数据', '开放'], 3, { accumulateAfter: 0 })).toEqual(index.scoreExhaustive(['数据', '开放'], 3));
  });
});
