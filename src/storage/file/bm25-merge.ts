/**
 * Merging the postings of several BM25 indexes into one (`Bm25Index.merge`).
 */
import { DEFAULT_BM25_PARAMS, tfArray, type Bm25Postings } from './bm25-postings.js';

/**
 * The postings of passages taken from other indexes, as `Bm25Builder` would build it from their
 * term counts in the new order (same postings, lengths, document frequencies and scores; the
 * vocabulary may be numbered differently): passage p of `parts[i].postings` becomes passage
 * `parts[i].positions[p]` (−1: left out), kept passages of one part keep their order, and every
 * passage 0 … size−1 comes from exactly one part. One pass over the postings, no per-passage maps: what a write that changes a few
 * documents costs in memory, instead of re-adding every kept passage (index-chain.ts).
 */
export function mergePostings(parts: readonly { postings: Bm25Postings; positions: Int32Array }[], size: number): Bm25Postings {
  const params = parts[0]?.postings.params ?? DEFAULT_BM25_PARAMS;
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
  parts.forEach(({ postings: index, positions }, part) => {
    if (positions.length !== index.docLengths.length) throw new RangeError(`part ${part} maps ${positions.length} passages; its index has ${index.docLengths.length}`);
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
  const postingTfs = tfArray(maxTf, total);
  // Each part's own term id of every merged term it holds.
  const sourceIds = parts.map(() => new Map<number, number>());
  idsOf.forEach((ids, part) => ids.forEach((id, t) => id >= 0 && (sourceIds[part] as Map<number, number>).set(id, t)));
  for (let id = 0; id < v; id += 1) {
    // Each part's kept postings, remapped, ascend (positions keep each part's order): merge them.
    const lists = (holders[id] as number[]).map((part) => {
      const { postings: index, positions } = parts[part] as (typeof parts)[number];
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
  return { params, termList, offsets, postingDocs, postingTfs, docLengths };
}
