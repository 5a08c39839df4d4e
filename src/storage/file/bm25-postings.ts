/**
 * The data of a BM25 index and what builds it: the parameters, the vocabulary and the postings as
 * typed arrays (for term t, `postingDocs[offsets[t] .. offsets[t+1])` are the passage indices
 * containing it, ascending, and `postingTfs` the matching term frequencies), plus passage lengths.
 * `Bm25Index` (bm25.ts) scores them; bm25-format.ts reads and writes them; bm25-merge.ts and
 * bm25-builder.ts assemble them.
 */
import { BM25_B, BM25_K1 } from '../bm25-score.js';

export interface Bm25Params {
  k1: number;
  b: number;
}

/** One passage's input: its analyzed terms (duplicates counted) or their counts. */
export type Bm25Document = readonly string[] | ReadonlyMap<string, number>;

/** Term frequencies, as narrow as the largest one allows. */
export type TfArray = Uint8Array | Uint16Array | Uint32Array;

/** Everything a `Bm25Index` holds; the rest it derives. */
export interface Bm25Postings {
  readonly params: Bm25Params;
  readonly termList: string[];
  readonly offsets: Uint32Array;
  readonly postingDocs: Int32Array;
  readonly postingTfs: TfArray;
  readonly docLengths: Uint32Array;
}

/** `Bm25Index.forward()`: per passage, its term ids and frequencies. */
export interface Bm25Forward {
  readonly terms: readonly string[];
  readonly starts: Uint32Array;
  readonly termIds: Uint32Array;
  readonly tfs: Uint32Array;
}

export const DEFAULT_BM25_PARAMS: Bm25Params = { k1: BM25_K1, b: BM25_B };

/** The narrowest array that holds every tf up to `maxTf`: 1 byte for passages of a few hundred characters. */
export function tfArray(maxTf: number, length: number): TfArray {
  return maxTf <= 0xff ? new Uint8Array(length) : maxTf <= 0xffff ? new Uint16Array(length) : new Uint32Array(length);
}

/** A passage's term counts: the map as given, or its terms counted (duplicates add up). */
export function countsOf(doc: Bm25Document): ReadonlyMap<string, number> {
  if (doc instanceof Map) return doc;
  const tf = new Map<string, number>();
  for (const t of doc as readonly string[]) tf.set(t, (tf.get(t) ?? 0) + 1);
  return tf;
}

/** The throw for a term count that is not a positive integer (both builders check it). */
export function checkCount(term: string, passage: number, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`term "${term}" of passage ${passage} has count ${n}; counts are positive integers`);
}

/**
 * The postings of one entry per passage (index = position in the list): its terms, or a map
 * term → count. Vocabulary in order of first occurrence.
 */
export function postingsOf(documents: readonly Bm25Document[], params: Bm25Params): Bm25Postings {
  const vocabulary = new Map<string, number>();
  const docsOf: number[][] = [];
  const tfsOf: number[][] = [];
  const docLengths = new Uint32Array(documents.length);
  documents.forEach((doc, index) => {
    const counts = countsOf(doc);
    let length = 0;
    for (const [t, n] of counts) {
      checkCount(t, index, n);
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
  const postingTfs = tfArray(maxTf, total);
  for (let t = 0; t < docsOf.length; t += 1) {
    postingDocs.set(docsOf[t] as number[], offsets[t]);
    postingTfs.set(tfsOf[t] as number[], offsets[t]);
  }
  return { params, termList: [...vocabulary.keys()], offsets, postingDocs, postingTfs, docLengths };
}
