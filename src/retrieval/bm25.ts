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
 */
import { endianness } from 'node:os';

export interface Bm25Params {
  k1: number;
  b: number;
}

export interface ScoredIndex {
  index: number;
  score: number;
}

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

/** One passage's input: its analyzed terms (duplicates counted) or their counts. */
export type Bm25Document = readonly string[] | ReadonlyMap<string, number>;

const DEFAULT_PARAMS: Bm25Params = { k1: 1.2, b: 0.75 };
const MAGIC = 'KBBM25\0\0';
const BINARY_VERSION = 1;
const HEADER_BYTES = 48;
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

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** Byte offsets of the sections of the binary form. */
function layout(n: number, v: number, p: number, tfWidth: number): { lengths: number; offsets: number; docs: number; tfs: number; terms: number } {
  const lengths = HEADER_BYTES;
  const offsets = align8(lengths + n * 4);
  const docs = align8(offsets + (v + 1) * 4);
  const tfs = align8(docs + p * 4);
  return { lengths, offsets, docs, tfs, terms: align8(tfs + p * tfWidth) };
}

export class Bm25Index {
  readonly params: Bm25Params;
  private readonly vocabulary: Map<string, number>;
  private readonly termList: string[];
  private readonly offsets: Uint32Array;
  private readonly postingDocs: Int32Array;
  private readonly postingTfs: Uint8Array | Uint16Array | Uint32Array;
  private readonly docLengths: Uint32Array;
  private readonly avgdl: number;
  /** k1 · (1 − b + b · len/avgdl) per passage: the length part of the BM25 denominator. */
  private readonly docNorm: Float64Array;
  /** Largest tf·(k1+1)/(tf+docNorm) over each term's postings. */
  private readonly maxImpact: Float64Array;
  /** Per passage, the score being summed by `accumulated` (all zeros between searches). */
  private scores: Float64Array | undefined;

  private constructor(params: Bm25Params, termList: string[], offsets: Uint32Array, postingDocs: Int32Array, postingTfs: Uint8Array | Uint16Array | Uint32Array, docLengths: Uint32Array) {
    this.params = params;
    this.termList = termList;
    this.vocabulary = new Map(termList.map((t, i) => [t, i]));
    this.offsets = offsets;
    this.postingDocs = postingDocs;
    this.postingTfs = postingTfs;
    this.docLengths = docLengths;
    let total = 0;
    for (const l of docLengths) total += l;
    this.avgdl = docLengths.length > 0 ? Math.max(total / docLengths.length, 1) : 1;
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
  static build(documents: readonly Bm25Document[], params: Bm25Params = DEFAULT_PARAMS): Bm25Index {
    const vocabulary = new Map<string, number>();
    const docsOf: number[][] = [];
    const tfsOf: number[][] = [];
    const docLengths = new Uint32Array(documents.length);
    documents.forEach((doc, index) => {
      const counts = countsOf(doc);
      let length = 0;
      for (const [t, n] of counts) {
        if (!Number.isInteger(n) || n < 1) throw new RangeError(`term "${t}" of passage ${index} has count ${n}; counts are positive integers`);
        let id = vocabulary.get(t);
        if (id === undefined) {
          id = docsOf.length;
          vocabulary.set(t, id);
          docsOf.push([]);
          tfsOf.push([]);
        }
        (docsOf[id] as number[]).push(index);
        (tfsOf[id] as number[]).push(n);
        length += n;
      }
      docLengths[index] = length;
    });
    const offsets = new Uint32Array(docsOf.length + 1);
    for (let t = 0; t < docsOf.length; t += 1) offsets[t + 1] = (offsets[t] as number) + (docsOf[t] as number[]).length;
    const total = offsets[docsOf.length] as number;
    const maxTf = tfsOf.reduce((m, l) => l.reduce((a, b) => Math.max(a, b), m), 0);
    const postingDocs = new Int32Array(total);
    // The narrowest width that holds every tf: 1 byte for passages of a few hundred characters.
    const postingTfs = maxTf <= 0xff ? new Uint8Array(total) : maxTf <= 0xffff ? new Uint16Array(total) : new Uint32Array(total);
    for (let t = 0; t < docsOf.length; t += 1) {
      postingDocs.set(docsOf[t] as number[], offsets[t]);
      postingTfs.set(tfsOf[t] as number[], offsets[t]);
    }
    return new Bm25Index(params, [...vocabulary.keys()], offsets, postingDocs, postingTfs, docLengths);
  }

  /** The index `Bm25Builder` assembled (its arrays are taken, not copied). */
  static fromPostings(params: Bm25Params, termList: string[], offsets: Uint32Array, postingDocs: Int32Array, postingTfs: Uint8Array | Uint16Array | Uint32Array, docLengths: Uint32Array): Bm25Index {
    return new Bm25Index(params, termList, offsets, postingDocs, postingTfs, docLengths);
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

  /**
   * One buffer: a 48-byte header (magic, format version, counts, k1, b, tf width), then passage
   * lengths (u32), term offsets (u32), posting passage indices (i32), term frequencies (u8, u16 or
   * u32, as the header says), each 8-byte aligned, then the vocabulary as a UTF-8 JSON array.
   * Little-endian.
   */
  toBinary(): Uint8Array {
    const n = this.docLengths.length;
    const v = this.termList.length;
    const p = this.postingDocs.length;
    const terms = new TextEncoder().encode(JSON.stringify(this.termList));
    const tfWidth = this.postingTfs.BYTES_PER_ELEMENT;
    const at = layout(n, v, p, tfWidth);
    const out = new Uint8Array(at.terms + terms.length);
    const view = new DataView(out.buffer);
    out.set(new TextEncoder().encode(MAGIC), 0);
    view.setUint32(8, BINARY_VERSION, true);
    view.setUint32(12, n, true);
    view.setUint32(16, v, true);
    view.setUint32(20, p, true);
    view.setFloat64(24, this.params.k1, true);
    view.setFloat64(32, this.params.b, true);
    view.setUint32(40, terms.length, true);
    view.setUint32(44, tfWidth, true);
    const bytesOf = (a: Uint8Array | Uint16Array | Uint32Array | Int32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    out.set(bytesOf(this.docLengths), at.lengths);
    out.set(bytesOf(this.offsets), at.offsets);
    out.set(bytesOf(this.postingDocs), at.docs);
    out.set(bytesOf(this.postingTfs), at.tfs);
    out.set(terms, at.terms);
    return out;
  }

  /** Reads what `toBinary` wrote; throws a RangeError naming the first inconsistency. */
  static fromBinary(input: Uint8Array): Bm25Index {
    if (endianness() !== 'LE') throw new RangeError('the BM25 index file is little-endian; this machine is big-endian');
    // Typed-array views need aligned offsets; Node's pooled buffers may not be.
    const bytes = input.byteOffset % 8 === 0 ? input : input.slice();
    if (bytes.length < HEADER_BYTES || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw new RangeError('not a BM25 index (bad magic)');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const version = view.getUint32(8, true);
    if (version !== BINARY_VERSION) throw new RangeError(`BM25 index binary version ${version}; this build reads ${BINARY_VERSION}`);
    const n = view.getUint32(12, true);
    const v = view.getUint32(16, true);
    const p = view.getUint32(20, true);
    const params = { k1: view.getFloat64(24, true), b: view.getFloat64(32, true) };
    const termBytes = view.getUint32(40, true);
    const tfWidth = view.getUint32(44, true);
    if (tfWidth !== 1 && tfWidth !== 2 && tfWidth !== 4) throw new RangeError(`BM25 index declares ${tfWidth}-byte term frequencies; expected 1, 2 or 4`);
    const at = layout(n, v, p, tfWidth);
    if (bytes.length !== at.terms + termBytes) throw new RangeError(`BM25 index has ${bytes.length} bytes; its header describes ${at.terms + termBytes}`);
    const base = bytes.byteOffset;
    const docLengths = new Uint32Array(bytes.buffer, base + at.lengths, n);
    const offsets = new Uint32Array(bytes.buffer, base + at.offsets, v + 1);
    const postingDocs = new Int32Array(bytes.buffer, base + at.docs, p);
    const postingTfs = tfWidth === 1 ? new Uint8Array(bytes.buffer, base + at.tfs, p) : tfWidth === 2 ? new Uint16Array(bytes.buffer, base + at.tfs, p) : new Uint32Array(bytes.buffer, base + at.tfs, p);
    const termList = JSON.parse(new TextDecoder().decode(bytes.subarray(at.terms))) as unknown;
    if (!Array.isArray(termList) || termList.length !== v || !termList.every((t) => typeof t === 'string')) throw new RangeError(`BM25 vocabulary is not ${v} strings`);
    if (offsets[0] !== 0 || offsets[v] !== p) throw new RangeError('BM25 term offsets do not cover the postings');
    for (let t = 0; t < v; t += 1) {
      const from = offsets[t] as number;
      const to = offsets[t + 1] as number;
      if (to < from) throw new RangeError(`BM25 term offsets decrease at term ${t}`);
      for (let i = from; i < to; i += 1) {
        const d = postingDocs[i] as number;
        if (d < 0 || d >= n || (i > from && d <= (postingDocs[i - 1] as number))) throw new RangeError(`BM25 postings of "${termList[t] as string}" are not ascending passage indices below ${n}`);
      }
    }
    return new Bm25Index(params, termList as string[], offsets, postingDocs, postingTfs, docLengths);
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
    const df = this.docFreq(term);
    return Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
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
    const results: ScoredIndex[] = [];
    for (let i = 0; i < heapSize; i += 1) results.push({ index: heapDocs[i] as number, score: heapScores[i] as number });
    return results.sort((x, y) => y.score - x.score || x.index - y.index);
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
    const results: ScoredIndex[] = [];
    for (let i = 0; i < heapSize; i += 1) results.push({ index: heapDocs[i] as number, score: heapScores[i] as number });
    return results.sort((x, y) => y.score - x.score || x.index - y.index);
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
    const params = parts[0]?.index.params ?? DEFAULT_PARAMS;
    const docLengths = new Uint32Array(size);
    const filled = new Uint8Array(size);
    const vocabulary = new Map<string, number>();
    const termList: string[] = [];
    const docFreq: number[] = [];
    /** Per part, per term: its merged term id (−1: no posting of it is kept). */
    const idsOf: Int32Array[] = [];
    /** Per merged term: the parts holding kept postings of it. */
    const holders: number[][] = [];
    let maxTf = 0;
    parts.forEach(({ index, positions }, part) => {
      if (positions.length !== index.size) throw new RangeError(`part ${part} maps ${positions.length} passages; its index has ${index.size}`);
      let last = -1;
      for (let p = 0; p < positions.length; p += 1) {
        const to = positions[p] as number;
        if (to < 0) continue;
        if (to >= size || filled[to] === 1) throw new RangeError(`passage ${p} of part ${part} goes to ${to}, ${to >= size ? `past the ${size} passages` : 'which another passage fills'}`);
        if (to < last) throw new RangeError(`passage ${p} of part ${part} goes to ${to}, before the part's previous passage (${last}): a part keeps its order`);
        last = to;
        filled[to] = 1;
        docLengths[to] = index.docLengths[p] as number;
      }
      const ids = new Int32Array(index.termList.length).fill(-1);
      for (let t = 0; t < index.termList.length; t += 1) {
        let kept = 0;
        for (let i = index.offsets[t] as number; i < (index.offsets[t + 1] as number); i += 1) {
          if ((positions[index.postingDocs[i] as number] as number) < 0) continue;
          kept += 1;
          if ((index.postingTfs[i] as number) > maxTf) maxTf = index.postingTfs[i] as number;
        }
        if (kept === 0) continue;
        const term = index.termList[t] as string;
        let id = vocabulary.get(term);
        if (id === undefined) {
          id = termList.length;
          vocabulary.set(term, id);
          termList.push(term);
          docFreq.push(0);
          holders.push([]);
        }
        ids[t] = id;
        docFreq[id] = (docFreq[id] as number) + kept;
        (holders[id] as number[]).push(part);
      }
      idsOf.push(ids);
    });
    const missing = filled.indexOf(0);
    if (missing >= 0) throw new RangeError(`no part fills passage ${missing} of ${size}`);
    const v = termList.length;
    const offsets = new Uint32Array(v + 1);
    for (let t = 0; t < v; t += 1) offsets[t + 1] = (offsets[t] as number) + (docFreq[t] as number);
    const total = offsets[v] as number;
    const postingDocs = new Int32Array(total);
    const postingTfs = maxTf <= 0xff ? new Uint8Array(total) : maxTf <= 0xffff ? new Uint16Array(total) : new Uint32Array(total);
    // Each part's own term id of every merged term it holds.
    const sourceIds = parts.map(() => new Map<number, number>());
    idsOf.forEach((ids, part) => ids.forEach((id, t) => id >= 0 && (sourceIds[part] as Map<number, number>).set(id, t)));
    for (let id = 0; id < v; id += 1) {
      // Each part's kept postings, remapped, ascend (positions keep each part's order): merge them.
      const lists = (holders[id] as number[]).map((part) => {
        const { index, positions } = parts[part] as (typeof parts)[number];
        const t = (sourceIds[part] as Map<number, number>).get(id) as number;
        return { index, positions, at: index.offsets[t] as number, end: index.offsets[t + 1] as number };
      });
      let out = offsets[id] as number;
      if (lists.length === 1) {
        // One part holds the term (most terms): its kept postings in order.
        const { index, positions, at, end } = lists[0] as (typeof lists)[number];
        for (let i = at; i < end; i += 1) {
          const doc = positions[index.postingDocs[i] as number] as number;
          if (doc < 0) continue;
          postingDocs[out] = doc;
          postingTfs[out] = index.postingTfs[i] as number;
          out += 1;
        }
        continue;
      }
      for (;;) {
        let best = -1;
        let bestDoc = 0x7fffffff;
        for (let j = 0; j < lists.length; j += 1) {
          const l = lists[j] as (typeof lists)[number];
          while (l.at < l.end && (l.positions[l.index.postingDocs[l.at] as number] as number) < 0) l.at += 1;
          if (l.at < l.end) {
            const doc = l.positions[l.index.postingDocs[l.at] as number] as number;
            if (doc < bestDoc) {
              bestDoc = doc;
              best = j;
            }
          }
        }
        if (best < 0) break;
        const l = lists[best] as (typeof lists)[number];
        postingDocs[out] = bestDoc;
        postingTfs[out] = l.index.postingTfs[l.at] as number;
        out += 1;
        l.at += 1;
      }
    }
    return new Bm25Index(params, termList, offsets, postingDocs, postingTfs, docLengths);
  }
}

/** `Bm25Index.forward()`: per passage, its term ids and frequencies. */
export interface Bm25Forward {
  readonly terms: readonly string[];
  readonly starts: Uint32Array;
  readonly termIds: Uint32Array;
  readonly tfs: Uint32Array;
}

/** A passage's term counts: the map as given, or its terms counted (duplicates add up). */
function countsOf(doc: Bm25Document): ReadonlyMap<string, number> {
  if (doc instanceof Map) return doc;
  const tf = new Map<string, number>();
  for (const t of doc as readonly string[]) tf.set(t, (tf.get(t) ?? 0) + 1);
  return tf;
}

/**
 * Builds a `Bm25Index` one passage at a time, holding only typed arrays (a term id and a frequency
 * per distinct term of each passage) and the vocabulary, so a streaming ingest can drop each
 * passage's term map once added. `build()` gives exactly the index `Bm25Index.build` makes of the
 * same passages in the same order (same vocabulary order, postings and widths: same `toBinary`).
 */
export class Bm25Builder {
  private readonly params: Bm25Params;
  private readonly vocabulary = new Map<string, number>();
  private readonly termList: string[] = [];
  /** Per distinct term of each passage, in order: its term id and frequency. */
  private entryTerms = new Uint32Array(4096);
  private entryTfs: Uint16Array | Uint32Array = new Uint16Array(4096);
  private entries = 0;
  /** Passages' first entry (entryStarts[p]) and length in terms. */
  private entryStarts = new Uint32Array(1024);
  private lengths = new Uint32Array(1024);
  private passages = 0;
  private docFreq = new Uint32Array(1024);
  private maxTf = 0;
  /** Per forward view added from: its term ids → this builder's (−1: not yet seen). */
  private readonly remaps = new WeakMap<Bm25Forward, Int32Array>();

  constructor(params: Bm25Params = DEFAULT_PARAMS) {
    this.params = params;
  }

  /** Passages added so far. */
  get size(): number {
    return this.passages;
  }

  /** Adds the next passage: its terms (duplicates counted) or their counts; throws a RangeError for a count that is not a positive integer. */
  add(doc: Bm25Document): void {
    const counts = countsOf(doc);
    // Checked first, so a refused passage leaves nothing behind.
    for (const [t, n] of counts) if (!Number.isInteger(n) || n < 1) throw new RangeError(`term "${t}" of passage ${this.passages} has count ${n}; counts are positive integers`);
    this.startPassage(counts.size);
    let length = 0;
    for (const [t, n] of counts) {
      this.push(this.termId(t), n);
      length += n;
    }
    this.endPassage(length);
  }

  /** Adds passage `passage` of another index (its `forward()` view) as the next passage. */
  addFrom(source: Bm25Forward, passage: number): void {
    let remap = this.remaps.get(source);
    if (!remap) this.remaps.set(source, (remap = new Int32Array(source.terms.length).fill(-1)));
    const from = source.starts[passage] as number;
    const to = source.starts[passage + 1] as number;
    this.startPassage(to - from);
    let length = 0;
    for (let i = from; i < to; i += 1) {
      const old = source.termIds[i] as number;
      let id = remap[old] as number;
      if (id < 0) remap[old] = id = this.termId(source.terms[old] as string);
      const n = source.tfs[i] as number;
      this.push(id, n);
      length += n;
    }
    this.endPassage(length);
  }

  /** The index of every passage added, in order. The builder is spent afterwards. */
  build(): Bm25Index {
    const v = this.termList.length;
    const offsets = new Uint32Array(v + 1);
    for (let t = 0; t < v; t += 1) offsets[t + 1] = (offsets[t] as number) + (this.docFreq[t] as number);
    const total = offsets[v] as number;
    const postingDocs = new Int32Array(total);
    const postingTfs = this.maxTf <= 0xff ? new Uint8Array(total) : this.maxTf <= 0xffff ? new Uint16Array(total) : new Uint32Array(total);
    const cursor = offsets.slice(0, v);
    // Passages in order: each term's postings come out ascending, as build's do.
    for (let p = 0; p < this.passages; p += 1) {
      const end = p + 1 < this.passages ? (this.entryStarts[p + 1] as number) : this.entries;
      for (let e = this.entryStarts[p] as number; e < end; e += 1) {
        const t = this.entryTerms[e] as number;
        const at = cursor[t] as number;
        postingDocs[at] = p;
        postingTfs[at] = this.entryTfs[e] as number;
        cursor[t] = at + 1;
      }
    }
    const index = Bm25Index.fromPostings(this.params, this.termList, offsets, postingDocs, postingTfs, this.lengths.slice(0, this.passages));
    this.entryTerms = new Uint32Array(0);
    this.entryTfs = new Uint16Array(0);
    return index;
  }

  private termId(term: string): number {
    let id = this.vocabulary.get(term);
    if (id === undefined) {
      id = this.termList.length;
      this.vocabulary.set(term, id);
      this.termList.push(term);
      if (id >= this.docFreq.length) this.docFreq = grow(this.docFreq, id + 1);
    }
    return id;
  }

  private startPassage(terms: number): void {
    const p = this.passages;
    if (p >= this.entryStarts.length) {
      this.entryStarts = grow(this.entryStarts, p + 1);
      this.lengths = grow(this.lengths, p + 1);
    }
    this.entryStarts[p] = this.entries;
    const need = this.entries + terms;
    if (need > this.entryTerms.length) {
      this.entryTerms = grow(this.entryTerms, need);
      this.entryTfs = grow(this.entryTfs, need);
    }
  }

  private push(term: number, tf: number): void {
    if (tf > 0xffff && this.entryTfs instanceof Uint16Array) this.entryTfs = Uint32Array.from(this.entryTfs);
    this.entryTerms[this.entries] = term;
    this.entryTfs[this.entries] = tf;
    this.entries += 1;
    this.docFreq[term] = (this.docFreq[term] as number) + 1;
    if (tf > this.maxTf) this.maxTf = tf;
  }

  private endPassage(length: number): void {
    this.lengths[this.passages] = length;
    this.passages += 1;
  }
}

/** A copy of `a` with room for at least `need` elements (doubling). */
function grow<T extends Uint16Array | Uint32Array>(a: T, need: number): T {
  let size = Math.max(a.length, 16);
  while (size < need) size *= 2;
  const out = new (a.constructor as new (n: number) => T)(size);
  out.set(a);
  return out;
}

const EMPTY_POSTINGS = new Int32Array(0);

/** First position in [from, to) whose passage index is ≥ target (galloping, then binary search). */
function seek(docs: Int32Array, from: number, to: number, target: number): number {
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

function heapPush(scores: Float64Array, docs: Int32Array, size: number, score: number, doc: number): void {
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

function heapReplaceTop(scores: Float64Array, docs: Int32Array, size: number, score: number, doc: number): void {
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
