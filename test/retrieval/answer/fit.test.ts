import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fBetaThreshold, fitLogistic, fitRanker, foldsByKey, riskThreshold, seededRandom, type RankGroup } from '../../../src/retrieval/answer/fit.js';
import { linearScore, sigmoid } from '../../../src/retrieval/answer/model.js';

/** Groups where feature 0 marks the positive candidate and feature 1 is noise. */
function groups(n: number, seed: number): RankGroup[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const size = 3 + Math.floor(random() * 5);
    const pos = Math.floor(random() * size);
    return { rows: Array.from({ length: size }, (_, i) => [i === pos ? 1 + random() : random(), random() * 3]), positive: Array.from({ length: size }, (_, i) => i === pos) };
  });
}

describe('fitRanker', () => {
  it('puts its weight on the feature that marks the answering candidate, and leads with it on new groups', () => {
    const model = fitRanker(['signal', 'noise'], groups(80, 1));
    expect(model.weights[0]).toBeGreaterThan(Math.abs(model.weights[1] as number) * 3);
    const test = groups(40, 2);
    const right = test.filter((g) => {
      const scores = g.rows.map((r) => linearScore(model, r));
      return g.positive[scores.indexOf(Math.max(...scores))];
    }).length;
    expect(right / test.length).toBeGreaterThan(0.9);
  });

  it('is deterministic: the same groups give the same weights', () => {
    expect(fitRanker(['a', 'b'], groups(30, 3))).toEqual(fitRanker(['a', 'b'], groups(30, 3)));
  });
});

describe('fitLogistic', () => {
  it('recovers the direction of a separating feature and gives calibrated-looking probabilities', () => {
    const random = seededRandom(7);
    const rows = Array.from({ length: 400 }, () => [random() * 4 - 2, random()]);
    const labels = rows.map((r) => random() < sigmoid(2 * (r[0] as number)));
    const model = fitLogistic(['x', 'noise'], rows, labels);
    expect(model.weights[0]).toBeGreaterThan(1.2);
    expect(model.weights[0]).toBeLessThan(3);
    expect(Math.abs(model.weights[1] as number)).toBeLessThan(0.6);
  });
});

describe('fitLogistic with weights kept ≤ 0', () => {
  it('does not let a "missing" feature that correlates with success gain a positive weight', () => {
    // y depends on x only; "missing" is x plus noise, so unconstrained it takes a positive weight.
    const random = seededRandom(11);
    const rows = Array.from({ length: 400 }, () => {
      const x = random() * 4 - 2;
      return [x, x + (random() - 0.5)];
    });
    const labels = rows.map((r) => random() < sigmoid(2 * (r[0] as number)));
    const free = fitLogistic(['x', 'missing'], rows, labels);
    expect(free.weights[1]).toBeGreaterThan(0);
    const held = fitLogistic(['x', 'missing'], rows, labels, undefined, [false, true]);
    expect(held.weights[1]).toBeLessThanOrEqual(0);
    expect(held.weights[0]).toBeGreaterThan(1);
  });
});

describe('riskThreshold', () => {
  it('takes the lowest threshold whose yes-decisions stay under the risk, estimated pessimistically', () => {
    const p = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
    const ok = [true, true, true, false, true, false];
    // (0 + 1) / (3 + 1) = 0.25 ≤ 0.25 at 0.7; adding 0.6 gives (1 + 1) / (4 + 1) = 0.4.
    expect(riskThreshold(p, ok, 0.25)).toBe(0.7);
    expect(riskThreshold(p, ok, 0.25, 0)).toBe(0.5);
    // Nothing reaches it: nothing is a yes.
    expect(riskThreshold(p, ok, 0.01)).toBeGreaterThan(1);
  });

  it('never splits tied probabilities', () => {
    expect(riskThreshold([0.9, 0.8, 0.8], [true, true, false], 0.2, 0)).toBe(0.9);
  });
});

describe('fBetaThreshold', () => {
  it('weighs recall more as beta grows', () => {
    const p = [0.9, 0.8, 0.7, 0.6, 0.5];
    const y = [true, true, false, false, true];
    expect(fBetaThreshold(p, y, 1)).toBe(0.8);
    expect(fBetaThreshold(p, y, 3)).toBe(0.5);
  });
});

describe('foldsByKey', () => {
  it('splits keys into K folds of near-equal size, the same way whatever the input order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 5, maxLength: 60 }), fc.integer({ min: 2, max: 5 }), (keys, k) => {
        const a = foldsByKey(keys, k, 20);
        const b = foldsByKey([...keys].reverse(), k, 20);
        expect([...a.entries()].sort()).toEqual([...b.entries()].sort());
        const sizes = Array.from({ length: k }, (_, f) => [...a.values()].filter((x) => x === f).length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
  });
});
