/**
 * Okapi BM25 over analyzed terms. Pure: built from term lists (or term counts), serialized to one
 * binary buffer with `toBinary`/`fromBinary`.
 *
 * Postings are typed arrays: for term t, `postingDocs[offsets[t] .. offsets[t+1])` are the passage
 * indices containing it, ascending, and `postingTfs` the matching term frequencies. Each term also
 * keeps its largest impact (the BM25 term score at weight 1), which lets `search` skip passages
 * that cannot reach the current top k (MaxScore, Turtle & Flood 1995): latency follows the
 * postings of the rare, high-impact terms rather than the whole lists of the common ones.
 * `scoreExhaustive` scores every matching passage and is the reference the pruned search equals.
 *
 * Beside it: bm25-postings.ts (the data and building it from term lists), bm25-builder.ts (one
 * passage at a time), bm25-format.ts (the binary form), bm25-merge.ts (merging indexes),
 * bm25-topk.ts (seek and heap); the formula's constants and idf are src/storage/bm25-score.ts,
 * shared with the SQL store.
 */
import { averageLength, bm25Idf } from '../bm25-score.js';
import { encodeBm25, decodeBm25 } from './bm25-format.js';
import { mergePostings } from './bm25-merge.js';
import { DEFAULT_BM25_PARAMS, postingsOf, type Bm25Document, type Bm25Forward, type Bm25Params, type Bm25Postings, type TfArray } from './bm25-postings.js';
import { heapPush, heapReplaceTop, heapResults, seek, type ScoredIndex } from './bm25-topk.js';

export type { Bm25Document, Bm25Forward, Bm25Params, ScoredIndex };

export interface Bm25SearchOptions {
  /** Multiplies a term's score (expansions get less than 1); a term with weight ≤ 0 is ignored. Default 1. */
  weights?: ReadonlyMap<string, number>;
  /** Only passages for which this returns true are scored and returned; checked inside the scoring loop. */
  allow?: (index: number) => boolean;
  /**
   * Only these passages (indices, ascending) are scored and returned: the scorer seeks through
   * them and the postings together, so a filter to one document costs about its passages, not the
   * query terms' whole posting lists. With `allow` too, a passage must pass both.
   */
  allowed?: Int32Array;
  /**
   * How many passages MaxScore takes one at a time before it scores the rest term at a time, into
   * one array of all passages (0: all of them so; Infinity: never). Default ACCUMULATE_AFTER, and
   * never with `allowed`. Same results whatever it is; only the work differs.
   */
  accumulateAfter?: number;
}


/** A computed upper bound may be a few ulps below the true maximum: prune only clearly below. */
const BOUND_SLACK = 1 + 1e-9;
/**
 * MaxScore takes passages one at a time, asking every essential list at each. When common terms
 * (智能 in 439k of 1M passages) keep their bounds above the top k's threshold, that walk covers
 * most of their lists and costs several times what adding each posting to an array does (90 ms
 * against 20 ms at 1M passages). So after ACCUMULATE_AFTER passages, when the essential lists
 * still hold at least ACCUMULATE_MIN_POSTINGS postings, the rest is scored term at a time.
 */
const ACCUMULATE_AFTER = 16384;
const ACCUMULATE_MIN_POSTINGS = 65536;

interface QueryTerm {
  id: number;
  weight: number;
}


export class Bm25Index {
  readonly params: Bm25Params;
  private readonly vocabulary: Map<string, number>;
  private readonly termList: string[];
  private readonly offsets: Uint32Array;
  private readonly postingDocs: Int32Array;
  private readonly postingTfs: TfArray;
  private readonly docLengths: Uint32Array;
  private readonly avgdl: number;
  /** k1 · (1 − b + b · len/avgdl) per passage: the length part of the BM25 denominator. */
  private readonly docNorm: Float64Array;
  /** Largest tf·(k1+1)/(tf+docNorm) over each term's postings. */
  private readonly maxImpact: Float64Array;
  /** Per passage, the score being summed by `accumulated` (all zeros between searches). */
  private scores: Float64Array | undefined;

  private constructor(postings: Bm25Postings) {
    const { params, termList, offsets, postingDocs, postingTfs, docLengths } = postings;
    this.params = params;
    this.termList = termList;
    this.vocabulary = new Map(termList.map((t, i) => [t, i]));
    this.offsets = offsets;
    this.postingDocs = postingDocs;
    this.postingTfs = postingTfs;
    this.docLengths = docLengths;
    let total = 0;
    for (const l of docLengths) total += l;
    this.avgdl = averageLength(docLengths.length, total);
    const { k1, b } = params;
    this.docNorm = new Float64Array(docLengths.length);
    for (let d = 0; d < docLengths.length; d += 1) this.docNorm[d] = k1 * (1 - b + (b * (docLengths[d] as number)) / this.avgdl);
    this.maxImpact = new Float64Array(termList.length);
    for (let t = 0; t < termList.length; t += 1) {
      let max = 0;
      for (let i = offsets[t] as number; i < (offsets[t + 1] as number); i += 1) {
        const tf = postingTfs[i] as number;
        const impact = (tf * (k1 + 1)) / (tf + (this.docNorm[postingDocs[i] as number] as number));
        if (impact > max) max = impact;
      }
      this.maxImpact[t] = max;
    }
  }

  /**
   * Builds the index from one entry per passage (index = position in the list): its terms, or a
   * map term → count (as `termCounts` returns, to rebuild without re-analyzing).
   */
  static build(documents: readonly Bm25Document[], params: Bm25Params = DEFAULT_BM25_PARAMS): Bm25Index {
    return new Bm25Index(postingsOf(documents, params));
  }

  /** The index `Bm25Builder` assembled (its arrays are taken, not copied). */
  static fromPostings(postings: Bm25Postings): Bm25Index {
    return new Bm25Index(postings);
  }

  /**
   * The forward view of the postings, compactly: passage p's terms are `termIds[starts[p] ..
   * starts[p+1])` (ascending term ids, as `termCounts` orders them) with `tfs` alongside. What a
   * `Bm25Builder` copies kept passages from.
   */
  forward(): Bm25Forward {
    const n = this.size;
    const starts = new Uint32Array(n + 1);
    for (let i = 0; i < this.postingDocs.length; i += 1) starts[(this.postingDocs[i] as number) + 1] = (starts[(this.postingDocs[i] as number) + 1] as number) + 1;
    for (let p = 0; p < n; p += 1) starts[p + 1] = (starts[p + 1] as number) + (starts[p] as number);
    const cursor = starts.slice(0, n);
    const termIds = new Uint32Array(this.postingDocs.length);
    const tfs = new Uint32Array(this.postingDocs.length);
    for (let t = 0; t < this.termList.length; t += 1) {
      for (let i = this.offsets[t] as number; i < (this.offsets[t + 1] as number); i += 1) {
        const d = this.postingDocs[i] as number;
        const at = cursor[d] as number;
        termIds[at] = t;
        tfs[at] = this.postingTfs[i] as number;
        cursor[d] = at + 1;
      }
    }
    return { terms: this.termList, starts, termIds, tfs };
  }

  /** The binary form (bm25-format.ts): one versioned, little-endian buffer. */
  toBinary(): Uint8Array {
    return encodeBm25(this.postingsData());
  }

  /** Reads what `toBinary` wrote; throws a RangeError naming the first inconsistency. */
  static fromBinary(input: Uint8Array): Bm25Index {
    return new Bm25Index(decodeBm25(input));
  }

  /** The arrays this index was made of (not copies). */
  private postingsData(): Bm25Postings {
    return { params: this.params, termList: this.termList, offsets: this.offsets, postingDocs: this.postingDocs, postingTfs: this.postingTfs, docLengths: this.docLengths };
  }

  get size(): number {
    return this.docLengths.length;
  }

  get vocabularySize(): number {
    return this.termList.length;
  }

  /** Number of (term, passage) pairs. */
  get postingsCount(): number {
    return this.postingDocs.length;
  }

  /** Inverse document frequency (BM25+ style, never negative). */
  idf(term: string): number {
    return bm25Idf(this.size, this.docFreq(term));
  }

  /** Every indexed term. */
  terms(): string[] {
    return [...this.termList];
  }

  /** Number of passages containing the term. */
  docFreq(term: string): number {
    const id = this.vocabulary.get(term);
    return id === undefined ? 0 : (this.offsets[id + 1] as number) - (this.offsets[id] as number);
  }

  /** Indices of the passages containing the term, ascending. */
  passagesWith(term: string): number[] {
    const id = this.vocabulary.get(term);
    return id === undefined ? [] : Array.from(this.postingDocs.subarray(this.offsets[id], this.offsets[id + 1]));
  }

  /** `passagesWith` without the copy: a view of the postings (do not write to it). */
  postings(term: string): Int32Array {
    const id = this.vocabulary.get(term);
    return id === undefined ? EMPTY_POSTINGS : this.postingDocs.subarray(this.offsets[id], this.offsets[id + 1]);
  }

  /** Whether any passage contains the term. */
  has(term: string): boolean {
    return this.vocabulary.has(term);
  }

  /** Term counts of every passage (the forward view of the postings): input for `build` when passages are kept. */
  termCounts(): Map<string, number>[] {
    const out = Array.from({ length: this.size }, () => new Map<string, number>());
    for (let t = 0; t < this.termList.length; t += 1) {
      const term = this.termList[t] as string;
      for (let i = this.offsets[t] as number; i < (this.offsets[t + 1] as number); i += 1) (out[this.postingDocs[i] as number] as Map<string, number>).set(term, this.postingTfs[i] as number);
    }
    return out;
  }

  /** Distinct known terms in order of first occurrence, weight = idf · occurrences · option weight. */
  private queryTerms(terms: readonly string[], weights: ReadonlyMap<string, number> | undefined): QueryTerm[] {
    const counts = new Map<string, number>();
    for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
    const out: QueryTerm[] = [];
    for (const [term, qtf] of counts) {
      const id = this.vocabulary.get(term);
      if (id === undefined) continue;
      const weight = this.idf(term) * qtf * (weights?.get(term) ?? 1);
      if (weight > 0) out.push({ id, weight });
    }
    return out;
  }

  /** One term's share of a passage's score. Both scorers use this, so their sums agree bit for bit. */
  private contribution(weight: number, tf: number, doc: number): number {
    return (weight * tf * (this.params.k1 + 1)) / (tf + (this.docNorm[doc] as number));
  }

  /**
   * The top `k` passages for the query terms (repeats count), ties broken by lower index. Pruned
   * with MaxScore; returns exactly what `scoreExhaustive` returns.
   */
  search(terms: readonly string[], k: number, options: Bm25SearchOptions = {}): ScoredIndex[] {
    const query = this.queryTerms(terms, options.weights);
    const n = query.length;
    if (n === 0 || !(k >= 1)) return [];
    const limit = Math.min(Math.floor(k), this.size);
    const allow = options.allow;
    const allowed = options.allowed;
    if (allowed && allowed.length === 0) return [];
    const accumulateAfter = allowed ? Infinity : (options.accumulateAfter ?? ACCUMULATE_AFTER);
    let walked = 0;
    let nextAllowed = 0;
    const docs = this.postingDocs;
    const tfs = this.postingTfs;

    // Terms by upper bound, ascending; bound[j] of sorted term j, prefix[j] = bound[0] + … + bound[j].
    const order = query.map((_, i) => i).sort((a, b) => (query[a] as QueryTerm).weight * (this.maxImpact[(query[a] as QueryTerm).id] as number) - (query[b] as QueryTerm).weight * (this.maxImpact[(query[b] as QueryTerm).id] as number) || a - b);
    const pos = new Int32Array(n);
    const end = new Int32Array(n);
    const prefix = new Float64Array(n);
    order.forEach((q, j) => {
      const term = query[q] as QueryTerm;
      pos[j] = this.offsets[term.id] as number;
      end[j] = this.offsets[term.id + 1] as number;
      prefix[j] = (j > 0 ? (prefix[j - 1] as number) : 0) + term.weight * (this.maxImpact[term.id] as number);
    });
    // tf of the current passage per query term (query order), 0 when absent.
    const tfAt = new Uint32Array(n);

    const heapScores = new Float64Array(limit);
    const heapDocs = new Int32Array(limit);
    let heapSize = 0;
    let threshold = -Infinity;
    // Sorted terms below `essential` cannot lift a passage into the top k on their own.
    let essential = 0;
    const cannotEnter = (bound: number): boolean => heapSize === limit && bound * BOUND_SLACK <= threshold;

    for (;;) {
      let doc = 0x7fffffff;
      for (let j = essential; j < n; j += 1) if ((pos[j] as number) < (end[j] as number) && (docs[pos[j] as number] as number) < doc) doc = docs[pos[j] as number] as number;
      if (doc === 0x7fffffff) break;
      if (walked >= accumulateAfter) {
        walked = -Infinity;
        let left = 0;
        for (let j = essential; j < n; j += 1) left += (end[j] as number) - (pos[j] as number);
        // Every passage before `doc` is settled: the heap takes the rest, scored term at a time.
        if (left >= Math.min(ACCUMULATE_MIN_POSTINGS, accumulateAfter * 4)) {
          const from = new Int32Array(n);
          const to = new Int32Array(n);
          order.forEach((q, j) => {
            from[q] = seek(docs, pos[j] as number, end[j] as number, doc);
            to[q] = end[j] as number;
          });
          return this.accumulated(query, from, to, heapScores, heapDocs, heapSize, allow);
        }
      }
      walked += 1;
      if (allowed) {
        // Leapfrog: the first allowed passage at or after `doc`; the essential lists seek to it.
        nextAllowed = seek(allowed, nextAllowed, allowed.length, doc);
        if (nextAllowed >= allowed.length) break;
        const target = allowed[nextAllowed] as number;
        if (target !== doc) {
          for (let j = essential; j < n; j += 1) pos[j] = seek(docs, pos[j] as number, end[j] as number, target);
          continue;
        }
      }
      let partial = 0;
      const admitted = !allow || allow(doc);
      for (let j = essential; j < n; j += 1) {
        const p = pos[j] as number;
        if (p < (end[j] as number) && docs[p] === doc) {
          if (admitted) {
            const q = order[j] as number;
            tfAt[q] = tfs[p] as number;
            partial += this.contribution((query[q] as QueryTerm).weight, tfs[p] as number, doc);
          }
          pos[j] = p + 1;
        }
      }
      if (!admitted) continue;
      let pruned = false;
      for (let j = essential - 1; j >= 0; j -= 1) {
        if (cannotEnter(partial + (prefix[j] as number))) {
          pruned = true;
          break;
        }
        const p = seek(docs, pos[j] as number, end[j] as number, doc);
        pos[j] = p;
        if (p < (end[j] as number) && docs[p] === doc) {
          const q = order[j] as number;
          tfAt[q] = tfs[p] as number;
          partial += this.contribution((query[q] as QueryTerm).weight, tfs[p] as number, doc);
        }
      }
      if (pruned || cannotEnter(partial)) {
        tfAt.fill(0);
        continue;
      }
      // The exact score, summed in query order like scoreExhaustive.
      let score = 0;
      for (let q = 0; q < n; q += 1) {
        const tf = tfAt[q] as number;
        if (tf > 0) score += this.contribution((query[q] as QueryTerm).weight, tf, doc);
      }
      tfAt.fill(0);
      // Passages arrive in ascending index order: an equal score never displaces an earlier one.
      if (heapSize < limit) {
        heapPush(heapScores, heapDocs, heapSize, score, doc);
        heapSize += 1;
      } else if (score > (heapScores[0] as number)) {
        heapReplaceTop(heapScores, heapDocs, heapSize, score, doc);
      } else continue;
      if (heapSize === limit) {
        threshold = heapScores[0] as number;
        while (essential < n && (prefix[essential] as number) * BOUND_SLACK <= threshold) essential += 1;
      }
    }
    return heapResults(heapScores, heapDocs, heapSize);
  }

  /**
   * What `search` returns, given its heap so far and the rest scored term at a time: each query
   * term's postings `from[q] .. to[q]` added, in query order, into one array of all passages (so
   * each passage's sum is the one `search` and `scoreExhaustive` compute, bit for bit), then those
   * passages read in ascending order into the heap. The array is this index's, reused and left
   * zeroed: scoring is synchronous, so no two searches share it at once.
   */
  private accumulated(query: readonly QueryTerm[], from: Int32Array, to: Int32Array, heapScores: Float64Array, heapDocs: Int32Array, size: number, allow: ((index: number) => boolean) | undefined): ScoredIndex[] {
    const limit = heapScores.length;
    let heapSize = size;
    this.scores ??= new Float64Array(this.size);
    const scores = this.scores;
    const docs = this.postingDocs;
    const tfs = this.postingTfs;
    const norms = this.docNorm;
    // `contribution` written out, with (k1 + 1) read once: the same operations in the same order.
    const k1plus1 = this.params.k1 + 1;
    let first = this.size;
    let last = -1;
    for (let q = 0; q < query.length; q += 1) {
      const weight = (query[q] as QueryTerm).weight;
      const start = from[q] as number;
      const stop = to[q] as number;
      if (start >= stop) continue;
      if ((docs[start] as number) < first) first = docs[start] as number;
      if ((docs[stop - 1] as number) > last) last = docs[stop - 1] as number;
      for (let i = start; i < stop; i += 1) {
        const doc = docs[i] as number;
        const tf = tfs[i] as number;
        scores[doc] = (scores[doc] as number) + (weight * tf * k1plus1) / (tf + (norms[doc] as number));
      }
    }
    let doc = first;
    try {
      for (; doc <= last; doc += 1) {
        const score = scores[doc] as number;
        // Every contribution is positive: 0 means no query term.
        if (score === 0) continue;
        scores[doc] = 0;
        if (allow && !allow(doc)) continue;
        // Ascending index order, as in `search`: an equal score never displaces an earlier one.
        if (heapSize < limit) {
          heapPush(heapScores, heapDocs, heapSize, score, doc);
          heapSize += 1;
        } else if (score > (heapScores[0] as number)) heapReplaceTop(heapScores, heapDocs, heapSize, score, doc);
      }
    } finally {
      // A throwing `allow` leaves the array zeroed for the next search.
      if (doc <= last) scores.fill(0, doc, last + 1);
    }
    return heapResults(heapScores, heapDocs, heapSize);
  }

  /**
   * Scores every passage containing a query term, then keeps the top `k` (ties by lower index).
   * The reference for `search`; use it for checks, not for serving.
   */
  scoreExhaustive(terms: readonly string[], k: number, options: Bm25SearchOptions = {}): ScoredIndex[] {
    const query = this.queryTerms(terms, options.weights);
    if (query.length === 0 || !(k >= 1)) return [];
    const scores = new Float64Array(this.size);
    const seen = new Uint8Array(this.size);
    const touched: number[] = [];
    for (const { id, weight } of query) {
      for (let i = this.offsets[id] as number; i < (this.offsets[id + 1] as number); i += 1) {
        const doc = this.postingDocs[i] as number;
        if (seen[doc] === 0) {
          seen[doc] = 1;
          touched.push(doc);
        }
        scores[doc] = (scores[doc] as number) + this.contribution(weight, this.postingTfs[i] as number, doc);
      }
    }
    const results: ScoredIndex[] = [];
    const allowed = options.allowed ? new Set(options.allowed) : undefined;
    for (const doc of touched) if ((!options.allow || options.allow(doc)) && (!allowed || allowed.has(doc))) results.push({ index: doc, score: scores[doc] as number });
    results.sort((x, y) => y.score - x.score || x.index - y.index);
    return results.slice(0, Math.floor(k));
  }

  /**
   * The index of passages taken from other indexes, as `Bm25Builder` would build it from their
   * term counts in the new order (same postings, lengths, document frequencies and scores; the
   * vocabulary may be numbered differently): passage p of `parts[i].index` becomes passage
   * `parts[i].positions[p]` (−1: left out), kept passages of one part keep their order, and every
   * passage 0 … size−1 comes from exactly one part. One pass over the postings, no per-passage maps: what a write that changes a few
   * documents costs in memory, instead of re-adding every kept passage (index-chain.ts).
   */
  static merge(parts: readonly { index: Bm25Index; positions: Int32Array }[], size: number): Bm25Index {
    return new Bm25Index(mergePostings(parts.map(({ index, positions }) => ({ postings: index.postingsData(), positions })), size));
  }
}

const EMPTY_POSTINGS = new Int32Array(0);
