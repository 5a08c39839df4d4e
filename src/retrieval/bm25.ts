/**
 * Okapi BM25 over analyzed terms. Pure: built from term lists, serialized with toJSON/fromJSON.
 */

export interface Bm25Params {
  k1: number;
  b: number;
}

export interface Bm25Json {
  version: 1;
  params: Bm25Params;
  docLengths: number[];
  /** term → [passageIndex, tf, passageIndex, tf, …] */
  postings: Record<string, number[]>;
}

export interface ScoredIndex {
  index: number;
  score: number;
}

export class Bm25Index {
  readonly params: Bm25Params;
  private readonly docLengths: Float64Array;
  private readonly postings: Map<string, Int32Array>;
  private readonly avgdl: number;

  private constructor(params: Bm25Params, docLengths: number[], postings: Map<string, Int32Array>) {
    this.params = params;
    this.docLengths = Float64Array.from(docLengths);
    this.postings = postings;
    const total = docLengths.reduce((a, b) => a + b, 0);
    this.avgdl = docLengths.length > 0 ? Math.max(total / docLengths.length, 1) : 1;
  }

  /** Builds the index from one term list per passage (index = position in the list). */
  static build(termLists: readonly (readonly string[])[], params: Bm25Params = { k1: 1.2, b: 0.75 }): Bm25Index {
    const acc = new Map<string, number[]>();
    termLists.forEach((terms, index) => {
      const tf = new Map<string, number>();
      for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [t, n] of tf) {
        let list = acc.get(t);
        if (!list) acc.set(t, (list = []));
        list.push(index, n);
      }
    });
    const postings = new Map([...acc].map(([t, l]) => [t, Int32Array.from(l)]));
    return new Bm25Index(params, termLists.map((t) => t.length), postings);
  }

  static fromJSON(json: Bm25Json): Bm25Index {
    return new Bm25Index(json.params, json.docLengths, new Map(Object.entries(json.postings).map(([t, l]) => [t, Int32Array.from(l)])));
  }

  toJSON(): Bm25Json {
    return { version: 1, params: this.params, docLengths: Array.from(this.docLengths), postings: Object.fromEntries([...this.postings].map(([t, l]) => [t, Array.from(l)])) };
  }

  get size(): number {
    return this.docLengths.length;
  }

  get vocabularySize(): number {
    return this.postings.size;
  }

  /** Inverse document frequency (BM25+ style, never negative). */
  idf(term: string): number {
    const df = (this.postings.get(term)?.length ?? 0) / 2;
    return Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
  }

  /** Every indexed term. */
  terms(): string[] {
    return [...this.postings.keys()];
  }

  /** Number of passages containing the term. */
  docFreq(term: string): number {
    return (this.postings.get(term)?.length ?? 0) / 2;
  }

  /** Indices of the passages containing the term. */
  passagesWith(term: string): number[] {
    const list = this.postings.get(term);
    const out: number[] = [];
    if (list) for (let i = 0; i < list.length; i += 2) out.push(list[i] as number);
    return out;
  }

  /** Whether any passage contains the term. */
  has(term: string): boolean {
    return this.postings.has(term);
  }

  /**
   * Scores every passage containing a query term; `weights` scales individual terms (expansions
   * get less than 1). Returns the top `k` by score, ties broken by index.
   */
  search(terms: readonly string[], k: number, options: { weights?: ReadonlyMap<string, number>; allow?: (index: number) => boolean } = {}): ScoredIndex[] {
    const { k1, b } = this.params;
    const scores = new Float64Array(this.size);
    const touched: number[] = [];
    const counts = new Map<string, number>();
    for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
    for (const [term, qtf] of counts) {
      const list = this.postings.get(term);
      if (!list) continue;
      const w = this.idf(term) * qtf * (options.weights?.get(term) ?? 1);
      for (let i = 0; i < list.length; i += 2) {
        const doc = list[i] as number;
        const tf = list[i + 1] as number;
        const norm = tf + k1 * (1 - b + (b * (this.docLengths[doc] as number)) / this.avgdl);
        if (scores[doc] === 0) touched.push(doc);
        scores[doc] = (scores[doc] as number) + (w * tf * (k1 + 1)) / norm;
      }
    }
    const results: ScoredIndex[] = [];
    for (const doc of touched) {
      if (options.allow && !options.allow(doc)) continue;
      results.push({ index: doc, score: scores[doc] as number });
    }
    results.sort((x, y) => y.score - x.score || x.index - y.index);
    return results.slice(0, k);
  }
}
