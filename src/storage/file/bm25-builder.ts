/**
 * `Bm25Builder`: a BM25 index assembled one passage at a time (streaming ingest, index rewrites).
 */
import { Bm25Index } from './bm25.js';
import { checkCount, countsOf, DEFAULT_BM25_PARAMS, tfArray, type Bm25Forward, type Bm25Params, type Bm25Document } from './bm25-postings.js';

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

  constructor(params: Bm25Params = DEFAULT_BM25_PARAMS) {
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
    for (const [t, n] of counts) checkCount(t, this.passages, n);
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
    const postingTfs = tfArray(this.maxTf, total);
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
    const index = Bm25Index.fromPostings({ params: this.params, termList: this.termList, offsets, postingDocs, postingTfs, docLengths: this.lengths.slice(0, this.passages) });
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
