/**
 * Pure rank fusion. Inputs are ranked lists of (key, score); outputs do not depend on input order
 * beyond ranks and scores (ties broken by key).
 */

export interface Ranked {
  key: number;
  score: number;
}

export interface FusedItem {
  key: number;
  score: number;
  /** Rank (1-based) in each input list, undefined when absent. */
  ranks: (number | undefined)[];
  /** Raw score in each input list. */
  scores: (number | undefined)[];
}

export type FusionMethod = 'rrf' | 'score';

export interface FusionOptions {
  method: FusionMethod;
  /** One weight per list. */
  weights: number[];
  /** RRF constant (default 60). */
  k?: number;
}

function byScoreThenKey(a: { score: number; key: number }, b: { score: number; key: number }): number {
  return b.score - a.score || a.key - b.key;
}

/**
 * `rrf`: Σ w_i / (k + rank_i). `score`: Σ w_i · s_i / max_i — each list's scores divided by its
 * best score, so a list's top hit counts w_i and a weak list cannot outvote a strong one.
 */
export function fuse(lists: readonly (readonly Ranked[])[], options: FusionOptions): FusedItem[] {
  const k = options.k ?? 60;
  const items = new Map<number, FusedItem>();
  lists.forEach((list, li) => {
    const sorted = [...list].sort(byScoreThenKey);
    const max = sorted[0]?.score ?? 0;
    sorted.forEach((entry, i) => {
      let item = items.get(entry.key);
      if (!item) {
        item = { key: entry.key, score: 0, ranks: lists.map(() => undefined), scores: lists.map(() => undefined) };
        items.set(entry.key, item);
      }
      item.ranks[li] = i + 1;
      item.scores[li] = entry.score;
      const w = options.weights[li] ?? 1;
      item.score += options.method === 'rrf' ? w / (k + i + 1) : max > 0 ? (w * Math.max(entry.score, 0)) / max : 0;
    });
  });
  return [...items.values()].sort(byScoreThenKey);
}

/**
 * Re-ranks so that no source dominates: each item's score is multiplied by `decay^n`, n being the
 * number of items of the same group already placed above it (greedy, like MMR on group identity).
 */
export function diversify<T extends { score: number; key: number }>(items: readonly T[], groupOf: (item: T) => string, decay: number, limit: number): T[] {
  const remaining = [...items].sort(byScoreThenKey);
  const placed: T[] = [];
  const counts = new Map<string, number>();
  while (placed.length < limit && remaining.length > 0) {
    let best = 0;
    let bestScore = -Infinity;
    remaining.forEach((item, i) => {
      const s = item.score * decay ** (counts.get(groupOf(item)) ?? 0);
      const current = remaining[best] as T;
      if (s > bestScore || (s === bestScore && item.key < current.key)) {
        best = i;
        bestScore = s;
      }
    });
    const [chosen] = remaining.splice(best, 1) as [T];
    placed.push(chosen);
    counts.set(groupOf(chosen), (counts.get(groupOf(chosen)) ?? 0) + 1);
  }
  return placed;
}

/** Alternates between groups in the given order, best of each first (for "A和B各有什么…"). */
export function interleave<T extends { score: number; key: number }>(items: readonly T[], groupOf: (item: T) => string, groups: readonly string[]): T[] {
  const queues = groups.map((g) => [...items].filter((i) => groupOf(i) === g).sort(byScoreThenKey));
  const rest = [...items].filter((i) => !groups.includes(groupOf(i))).sort(byScoreThenKey);
  const out: T[] = [];
  for (let round = 0; queues.some((q) => q.length > round); round += 1) {
    for (const q of queues) if (q[round]) out.push(q[round] as T);
  }
  return [...out, ...rest];
}
