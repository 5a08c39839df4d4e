/**
 * Fitting the answer model: a conditional-logit ranker (softmax over a question's candidates,
 * trained to put its weight on the candidates that hold the answer), L2-regularized logistic
 * regressions, a risk-bounded threshold, and seeded K-fold splits by question. Pure and
 * deterministic: the same data and seed give the same weights.
 */
import { sigmoid, type LinearModel } from './model.js';
import { seededRandom } from '../../shared/random.js';

/** Reproducible fold splits: the project's seeded generator (shared/random.ts). */
export { seededRandom };

/** One question's candidates: a feature row each, and which hold the answer. */
export interface RankGroup {
  rows: readonly (readonly number[])[];
  positive: readonly boolean[];
}

export interface FitOptions {
  /** L2 penalty on the (standardized) weights. */
  l2: number;
  iterations: number;
  learningRate: number;
}

export const DEFAULT_FIT: FitOptions = { l2: 0.01, iterations: 600, learningRate: 0.05 };

interface Scaling {
  mean: number[];
  scale: number[];
}

function scalingOf(rows: readonly (readonly number[])[], d: number): Scaling {
  const mean = new Array<number>(d).fill(0);
  const sq = new Array<number>(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j += 1) mean[j] = (mean[j] as number) + (r[j] ?? 0);
  const n = Math.max(1, rows.length);
  for (let j = 0; j < d; j += 1) mean[j] = (mean[j] as number) / n;
  for (const r of rows) for (let j = 0; j < d; j += 1) sq[j] = (sq[j] as number) + ((r[j] ?? 0) - (mean[j] as number)) ** 2;
  const scale = sq.map((s) => {
    const sd = Math.sqrt(s / n);
    return sd > 1e-9 ? sd : 1;
  });
  return { mean, scale };
}

/** Adam on a concave objective: returns the maximizing weights (those marked in `nonPositive` kept ≤ 0 by projection). */
function ascend(d: number, gradient: (w: readonly number[]) => number[], o: FitOptions, nonPositive: readonly boolean[] = []): number[] {
  const w = new Array<number>(d).fill(0);
  const m = new Array<number>(d).fill(0);
  const v = new Array<number>(d).fill(0);
  const b1 = 0.9;
  const b2 = 0.999;
  for (let t = 1; t <= o.iterations; t += 1) {
    const g = gradient(w);
    for (let j = 0; j < d; j += 1) {
      const gj = g[j] as number;
      m[j] = b1 * (m[j] as number) + (1 - b1) * gj;
      v[j] = b2 * (v[j] as number) + (1 - b2) * gj * gj;
      const mh = (m[j] as number) / (1 - b1 ** t);
      const vh = (v[j] as number) / (1 - b2 ** t);
      w[j] = (w[j] as number) + (o.learningRate * mh) / (Math.sqrt(vh) + 1e-8);
      if (nonPositive[j] === true && (w[j] as number) > 0) w[j] = 0;
    }
  }
  return w;
}

/** Weights on standardized features back to raw ones: w·(x − μ)/σ = (w/σ)·x − Σ w μ/σ. */
function unscale(names: readonly string[], w: readonly number[], bias: number, s: Scaling): LinearModel {
  const weights = w.map((x, j) => x / (s.scale[j] as number));
  const shift = w.reduce((a, x, j) => a + (x * (s.mean[j] as number)) / (s.scale[j] as number), 0);
  return { features: [...names], weights: weights.map(round), bias: round(bias - shift) };
}

const round = (x: number): number => Number(x.toFixed(6));

/**
 * Conditional logit over each group's candidates: maximizes the mean log share of the positive
 * candidates, minus `l2` × the squared weights. Groups without a positive or without a negative
 * carry no information and are skipped. The bias is 0 (it cancels in a softmax).
 */
export function fitRanker(names: readonly string[], groups: readonly RankGroup[], o: FitOptions = DEFAULT_FIT): LinearModel {
  const d = names.length;
  const used = groups.filter((g) => g.positive.some(Boolean) && g.positive.some((p) => !p));
  const s = scalingOf(used.flatMap((g) => g.rows), d);
  const scaled = used.map((g) => ({ rows: g.rows.map((r) => r.map((x, j) => (x - (s.mean[j] as number)) / (s.scale[j] as number))), positive: g.positive }));
  const w = ascend(
    d,
    (w) => {
      const grad = w.map((x) => -o.l2 * x);
      for (const g of scaled) {
        const scores = g.rows.map((r) => r.reduce((a, x, j) => a + x * (w[j] as number), 0));
        const max = Math.max(...scores);
        const e = scores.map((x) => Math.exp(x - max));
        const all = e.reduce((a, b) => a + b, 0);
        const pos = e.reduce((a, b, i) => a + (g.positive[i] ? b : 0), 0);
        g.rows.forEach((r, i) => {
          const q = g.positive[i] ? (e[i] as number) / pos : 0;
          const p = (e[i] as number) / all;
          for (let j = 0; j < d; j += 1) grad[j] = (grad[j] as number) + ((q - p) * (r[j] as number)) / scaled.length;
        });
      }
      return grad;
    },
    o,
  );
  return unscale(names, w, 0, s);
}

/**
 * L2-regularized logistic regression (the bias is not penalized). `nonPositive` marks features whose weight may not
 * be positive: a feature saying that something asked is missing can only lower the probability of an answer, however
 * it correlates with the others (standardizing keeps a weight's sign, so the constraint holds on the raw weights too).
 */
export function fitLogistic(names: readonly string[], rows: readonly (readonly number[])[], labels: readonly boolean[], o: FitOptions = DEFAULT_FIT, nonPositive: readonly boolean[] = []): LinearModel {
  const d = names.length;
  const s = scalingOf(rows, d);
  const x = rows.map((r) => [...r.map((v, j) => (v - (s.mean[j] as number)) / (s.scale[j] as number)), 1]);
  const n = Math.max(1, rows.length);
  const w = ascend(
    d + 1,
    (w) => {
      const grad = w.map((v, j) => (j < d ? -o.l2 * v : 0));
      x.forEach((r, i) => {
        const p = sigmoid(r.reduce((a, v, j) => a + v * (w[j] as number), 0));
        const err = (labels[i] ? 1 : 0) - p;
        for (let j = 0; j <= d; j += 1) grad[j] = (grad[j] as number) + (err * (r[j] as number)) / n;
      });
      return grad;
    },
    o,
    nonPositive,
  );
  return unscale(names, w.slice(0, d), w[d] as number, s);
}

/**
 * The lowest probability threshold whose yes-decisions are wrong at most `maxRisk` of the time,
 * i.e. the widest coverage at that risk. The risk is estimated pessimistically, (wrong + prior) /
 * (yes + prior): a few lucky questions at the top do not buy a low threshold. With none reaching
 * it, a threshold above every probability (nothing is a yes).
 */
export function riskThreshold(probabilities: readonly number[], correct: readonly boolean[], maxRisk: number, prior = 1): number {
  const order = probabilities.map((p, i) => ({ p, ok: correct[i] === true })).sort((a, b) => b.p - a.p);
  let wrong = 0;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < order.length; i += 1) {
    const item = order[i] as { p: number; ok: boolean };
    if (!item.ok) wrong += 1;
    // Only between distinct probabilities: ties are all in or all out.
    const next = order[i + 1];
    if (next && next.p === item.p) continue;
    if ((wrong + prior) / (i + 1 + prior) <= maxRisk) best = item.p;
  }
  return Number.isFinite(best) ? round(best) : 1.000001;
}

/**
 * The threshold maximizing the F-beta score of yes-decisions against the labels (beta > 1 weighs
 * recall: a list that leaves out an answering document costs more than one that lists an extra one).
 * Ties: the higher threshold.
 */
export function fBetaThreshold(probabilities: readonly number[], labels: readonly boolean[], beta = 1): number {
  const order = probabilities.map((p, i) => ({ p, y: labels[i] === true })).sort((a, b) => b.p - a.p);
  const positives = order.filter((o) => o.y).length;
  const b2 = beta * beta;
  let tp = 0;
  let bestF = -1;
  let best = 1.000001;
  for (let i = 0; i < order.length; i += 1) {
    const item = order[i] as { p: number; y: boolean };
    if (item.y) tp += 1;
    const next = order[i + 1];
    if (next && next.p === item.p) continue;
    const f = positives === 0 ? 0 : ((1 + b2) * tp) / (i + 1 + b2 * positives);
    if (f > bestF + 1e-12) {
      bestF = f;
      best = item.p;
    }
  }
  return round(best);
}

/** Fold of each key (question id), K folds of near-equal size, shuffled with `seed`; sorted keys first, so the split does not depend on input order. */
export function foldsByKey(keys: readonly string[], k: number, seed: number): Map<string, number> {
  const unique = [...new Set(keys)].sort();
  const random = seededRandom(seed);
  for (let i = unique.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [unique[i], unique[j]] = [unique[j] as string, unique[i] as string];
  }
  return new Map(unique.map((key, i) => [key, i % k]));
}
