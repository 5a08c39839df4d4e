/** What the benchmarks (and the synthetic test corpora) share: a seeded generator and percentiles. */

/** mulberry32 (src/shared/random.ts): every run builds the same corpus. */
export { seededRandom } from '../src/shared/random.js';

/** The p-th quantile (0–1) of the values, by the nearest-rank rule; 0 for none. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
}
