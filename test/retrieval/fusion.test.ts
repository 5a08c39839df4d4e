import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diversify, fuse, interleave } from '../../src/retrieval/fusion.js';

const list = fc.uniqueArray(fc.record({ key: fc.integer({ min: 0, max: 40 }), score: fc.double({ min: 0, max: 50, noNaN: true }) }), { selector: (x) => x.key, maxLength: 20 });

describe('fuse', () => {
  it('does not depend on the order of the input lists’ entries', () => {
    fc.assert(
      fc.property(list, list, fc.constantFrom('rrf' as const, 'score' as const), (a, b, method) => {
        const x = fuse([a, b], { method, weights: [1, 0.3] });
        const y = fuse([[...a].reverse(), [...b].reverse()], { method, weights: [1, 0.3] });
        expect(y.map((i) => i.key)).toEqual(x.map((i) => i.key));
      }),
    );
  });

  it('keeps every key once, sorted by score', () => {
    fc.assert(
      fc.property(list, list, (a, b) => {
        const out = fuse([a, b], { method: 'score', weights: [1, 1] });
        expect(new Set(out.map((o) => o.key)).size).toBe(out.length);
        expect(out.length).toBe(new Set([...a, ...b].map((x) => x.key)).size);
        for (let i = 1; i < out.length; i += 1) expect((out[i - 1] as { score: number }).score).toBeGreaterThanOrEqual((out[i] as { score: number }).score);
      }),
    );
  });

  it('lets a list with weight 0 only break ties', () => {
    const out = fuse([[{ key: 1, score: 2 }, { key: 2, score: 2 }], [{ key: 2, score: 1 }]], { method: 'score', weights: [1, 0] });
    expect(out.map((o) => o.key)).toEqual([1, 2]);
  });
});

describe('diversify and interleave', () => {
  const items = [
    { key: 1, score: 10, g: 'a' },
    { key: 2, score: 9, g: 'a' },
    { key: 3, score: 8, g: 'a' },
    { key: 4, score: 7, g: 'b' },
  ];
  it('demotes a group that already placed items', () => {
    expect(diversify(items, (i) => i.g, 0.7, 4).map((i) => i.key)).toEqual([1, 4, 2, 3]);
  });
  it('alternates between named groups', () => {
    expect(interleave(items, (i) => i.g, ['b', 'a']).map((i) => i.key)).toEqual([4, 1, 2, 3]);
  });
});
