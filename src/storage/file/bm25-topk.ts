/**
 * The pieces of top-k retrieval over sorted postings (`Bm25Index.search`): galloping seek, and a
 * min-heap of (score, passage) whose root is the weakest of the top k.
 */

export interface ScoredIndex {
  index: number;
  score: number;
}

/** First position in [from, to) whose passage index is ≥ target (galloping, then binary search). */
export function seek(docs: Int32Array, from: number, to: number, target: number): number {
  if (from >= to || (docs[from] as number) >= target) return from;
  let lo = from;
  let step = 1;
  let hi = from + 1;
  while (hi < to && (docs[hi] as number) < target) {
    lo = hi;
    step *= 2;
    hi = from + step;
  }
  if (hi > to) hi = to;
  // docs[lo] < target; answer in (lo, hi].
  while (lo + 1 < hi) {
    const mid = (lo + hi) >>> 1;
    if ((docs[mid] as number) < target) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Min-heap on (score, then higher index = worse): the root is the weakest of the top k. */
function worse(sa: number, da: number, sb: number, db: number): boolean {
  return sa < sb || (sa === sb && da > db);
}

export function heapPush(scores: Float64Array, docs: Int32Array, size: number, score: number, doc: number): void {
  let i = size;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!worse(score, doc, scores[parent] as number, docs[parent] as number)) break;
    scores[i] = scores[parent] as number;
    docs[i] = docs[parent] as number;
    i = parent;
  }
  scores[i] = score;
  docs[i] = doc;
}

export function heapReplaceTop(scores: Float64Array, docs: Int32Array, size: number, score: number, doc: number): void {
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= size) break;
    const right = left + 1;
    const child = right < size && worse(scores[right] as number, docs[right] as number, scores[left] as number, docs[left] as number) ? right : left;
    if (!worse(scores[child] as number, docs[child] as number, score, doc)) break;
    scores[i] = scores[child] as number;
    docs[i] = docs[child] as number;
    i = child;
  }
  scores[i] = score;
  docs[i] = doc;
}


/** The heap's entries, best first (ties by lower index). */
export function heapResults(scores: Float64Array, docs: Int32Array, size: number): ScoredIndex[] {
  const results: ScoredIndex[] = [];
  for (let i = 0; i < size; i += 1) results.push({ index: docs[i] as number, score: scores[i] as number });
  return results.sort((x, y) => y.score - x.score || x.index - y.index);
}
