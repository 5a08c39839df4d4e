import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bm25Index } from '../../src/storage/file/bm25.js';

const WORDS = ['数据', '中心', '电价', '补贴', '人工智能', '第十条', '试行', '五年', '企业', '申报', '资金', '标准'];
const passage = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 12 });

/** Passages of an old index, some kept and some dropped, plus new ones, placed in a new order. */
const scenario = fc
  .record({ old: fc.array(passage, { minLength: 1, maxLength: 30 }), added: fc.array(fc.array(passage, { maxLength: 8 }), { maxLength: 3 }), keep: fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), seed: fc.integer() })
  .map(({ old, added, keep, seed }) => {
    // Every passage that survives, tagged with where it comes from, the parts interleaved at random
    // (each part keeps its own order, as documents in docId order do).
    const queues: { part: number; at: number; terms: string[] }[][] = [[], ...added.map(() => [])];
    old.forEach((terms, at) => keep[at] && (queues[0] as (typeof queues)[number]).push({ part: 0, at, terms }));
    added.forEach((list, i) => list.forEach((terms, at) => (queues[i + 1] as (typeof queues)[number]).push({ part: i + 1, at, terms })));
    const survivors: { part: number; at: number; terms: string[] }[] = [];
    let x = seed >>> 0;
    for (;;) {
      const open = queues.filter((q) => q.length > 0);
      if (open.length === 0) break;
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      survivors.push((open[x % open.length] as (typeof queues)[number]).shift() as (typeof survivors)[number]);
    }
    return { old, added, survivors };
  });

describe('Bm25Index.merge', () => {
  it('gives the index a build of the surviving passages in their new order gives: same postings, lengths, idf and rankings', () => {
    fc.assert(
      fc.property(scenario, fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 4 }), ({ old, added, survivors }, query) => {
        const sources = [old, ...added];
        const parts = sources.map((passages) => ({ index: Bm25Index.build(passages), positions: new Int32Array(passages.length).fill(-1) }));
        survivors.forEach((s, to) => {
          (parts[s.part] as (typeof parts)[number]).positions[s.at] = to;
        });
        const merged = Bm25Index.merge(parts, survivors.length);
        const rebuilt = Bm25Index.build(survivors.map((s) => s.terms));
        expect(merged.size).toBe(rebuilt.size);
        expect(merged.termCounts()).toEqual(rebuilt.termCounts());
        expect(merged.terms().sort()).toEqual(rebuilt.terms().sort());
        for (const term of WORDS) expect(merged.idf(term)).toBe(rebuilt.idf(term));
        expect(merged.search(query, 10)).toEqual(rebuilt.search(query, 10));
        expect(merged.scoreExhaustive(query, 50)).toEqual(rebuilt.scoreExhaustive(query, 50));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses positions that leave a passage empty or fill one twice', () => {
    const a = Bm25Index.build([['数据'], ['中心']]);
    expect(() => Bm25Index.merge([{ index: a, positions: Int32Array.from([0, 0]) }], 2)).toThrow('passage 1 of part 0 goes to 0, which another passage fills');
    expect(() => Bm25Index.merge([{ index: a, positions: Int32Array.from([0, -1]) }], 2)).toThrow('no part fills passage 1 of 2');
    expect(() => Bm25Index.merge([{ index: a, positions: Int32Array.from([1, 0]) }], 2)).toThrow("passage 1 of part 0 goes to 0, before the part's previous passage (1): a part keeps its order");
  });
});
