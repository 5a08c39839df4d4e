/**
 * Applying delta segments (index-segments.ts) to a loaded index: the in-memory half of "a write
 * costs what it changes". A process that serves version U and sees version V = U + one segment
 * reads that segment and builds V's `KnowledgeIndex` from U's: documents, passages and vectors are
 * copied by reference or by row, BM25 is merged posting list by posting list (`Bm25Index.merge`),
 * and U's HNSW graph is patched in place (the removed documents' points marked deleted, the new
 * ones inserted). The result is the index a full build of the same corpus gives: same documents,
 * passages in the same (docId) order, same BM25 statistics and rankings; only HNSW labels and the
 * graph's shape differ, as they did with the patched snapshots before.
 *
 * Each index built here or loaded is tagged with the *state* it holds (`stateOf`): the folder
 * name of the last segment applied, or the state of the full snapshot it was loaded from. A
 * segment applies to the state its writer started from, so a process can tell whether the chain
 * CURRENT names continues what it holds (apply the rest) or not (load it whole).
 */
import type { DenseIndex } from '../../embeddings/dense-index.js';
import { Bm25Index } from './bm25.js';
import { assembleIndex, type IndexedDocument, type IndexInfo, type KnowledgeIndex, type PassageRecord } from './knowledge-index.js';
import type { LoadedSegment } from './index-segments.js';

interface ChainState {
  /** The documents' state this index holds (see the module comment). */
  state: string;
  /** Points marked deleted in its HNSW graph. */
  deleted: number;
}

const states = new WeakMap<KnowledgeIndex, ChainState>();
/** The state each HNSW graph holds now: patched in place, it moves on with the newest index built from it. */
const graphs = new WeakMap<DenseIndex, string>();

/** Tags an index (loaded whole, or built here) with the state it holds. */
export function markState(kb: KnowledgeIndex, state: string, deleted: number): void {
  states.set(kb, { state, deleted });
  graphs.set(kb.dense, state);
}

/** The state `kb` holds, when it was loaded by index-store or built here. */
export function stateOf(kb: KnowledgeIndex): string | undefined {
  return states.get(kb)?.state;
}

/** Points marked deleted in the HNSW graph of `kb` (0 when unknown). */
export function deletedPointsOf(kb: KnowledgeIndex): number {
  return states.get(kb)?.deleted ?? 0;
}

/**
 * Whether segments can be applied to `kb` in memory: its graph still holds its own state (a graph
 * patched for a newer index holds that one; an older index sharing it must be loaded afresh).
 */
export function canExtend(kb: KnowledgeIndex): boolean {
  const state = states.get(kb)?.state;
  return state !== undefined && graphs.get(kb.dense) === state;
}

/** The same index under another version name (a version whose content is the same state). */
export function renamed(kb: KnowledgeIndex, info: IndexInfo): KnowledgeIndex {
  const out: KnowledgeIndex = { ...kb, info };
  const state = states.get(kb);
  if (state) states.set(out, { ...state });
  return out;
}

const byDocId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `from` with `segments` applied in order, as version `info`, holding `state`. Patches `from`'s
 * HNSW graph in place (call only when `canExtend(from)`); everything else of `from` is left as it
 * was, so it can serve until the caller swaps.
 */
export function applySegments(from: KnowledgeIndex, segments: readonly LoadedSegment[], info: IndexInfo, state: string): KnowledgeIndex {
  const dim = info.dimension;
  // Where each document comes from: `from` (-1) or a segment (its number); a later segment wins.
  const source = new Map<string, number>();
  for (const docId of from.documents.keys()) source.set(docId, -1);
  segments.forEach((segment, i) => {
    for (const docId of segment.ref.removed) source.delete(docId);
    for (const doc of segment.documents) source.set(doc.meta.docId, i);
  });
  const docIds = [...source.keys()].sort(byDocId);

  // Each part's passage positions per document (passages of a document are contiguous, in order).
  const runsOf = (passages: readonly PassageRecord[]): Map<string, { start: number; end: number }> => {
    const runs = new Map<string, { start: number; end: number }>();
    passages.forEach((p, i) => {
      const run = runs.get(p.docId);
      if (run && run.end === i) run.end = i + 1;
      else if (!run) runs.set(p.docId, { start: i, end: i + 1 });
      else throw new RangeError(`the passages of ${p.docId} are not contiguous (positions ${run.start}–${run.end - 1} and ${i})`);
    });
    return runs;
  };
  const fromRuns = runsOf(from.passages);
  const segmentRuns = segments.map((s) => runsOf(s.passages));
  const segmentDocs = segments.map((s) => new Map(s.documents.map((d) => [d.meta.docId, d] as const)));

  let total = 0;
  for (const docId of docIds) {
    const i = source.get(docId) as number;
    const run = i < 0 ? fromRuns.get(docId) : (segmentRuns[i] as Map<string, { start: number; end: number }>).get(docId);
    total += run ? run.end - run.start : 0;
  }
  const passages: PassageRecord[] = new Array<PassageRecord>(total);
  const vectors = new Float32Array(total * dim);
  const documents = new Map<string, IndexedDocument>();
  const fromPositions = new Int32Array(from.passages.length).fill(-1);
  const segmentPositions = segments.map((s) => new Int32Array(s.passages.length).fill(-1));
  let at = 0;
  for (const docId of docIds) {
    const i = source.get(docId) as number;
    const part = i < 0 ? { passages: from.passages, vectors: from.vectors, runs: fromRuns, positions: fromPositions } : { passages: (segments[i] as LoadedSegment).passages, vectors: (segments[i] as LoadedSegment).vectors, runs: segmentRuns[i] as Map<string, { start: number; end: number }>, positions: segmentPositions[i] as Int32Array };
    documents.set(docId, i < 0 ? (from.documents.get(docId) as IndexedDocument) : ((segmentDocs[i] as Map<string, IndexedDocument>).get(docId) as IndexedDocument));
    const run = part.runs.get(docId);
    if (!run) continue;
    vectors.set(part.vectors.subarray(run.start * dim, run.end * dim), at * dim);
    for (let p = run.start; p < run.end; p += 1) {
      passages[at] = part.passages[p] as PassageRecord;
      part.positions[p] = at;
      at += 1;
    }
  }
  const bm25 = Bm25Index.merge([{ index: from.bm25, positions: fromPositions }, ...segments.map((s, i) => ({ index: s.bm25, positions: segmentPositions[i] as Int32Array }))], total);

  // The graph: points of passages no longer there are marked deleted, new ones inserted. A label
  // names one passage text and vector for the index's whole life, so a new passage whose label
  // `from` holds (its vector reused by the writer) keeps its point.
  const dense = from.dense;
  // Until the patch is complete the graph holds no state anyone may extend (a failure part way
  // leaves it to be loaded afresh).
  graphs.set(dense, '(being patched)');
  const kept = new Set<number>();
  for (const p of passages) if (from.byLabel.has(p.label)) kept.add(p.label);
  let deleted = deletedPointsOf(from);
  from.passages.forEach((p, pos) => {
    if (fromPositions[pos] === -1 && !kept.has(p.label)) {
      dense.remove(p.label);
      deleted += 1;
    }
  });
  segments.forEach((segment, i) => {
    const positions = segmentPositions[i] as Int32Array;
    segment.passages.forEach((p, pos) => {
      if ((positions[pos] as number) >= 0 && !kept.has(p.label)) dense.add(p.label, segment.vectors.subarray(pos * dim, (pos + 1) * dim));
    });
  });
  dense.attachVectors(Int32Array.from(passages, (p) => p.label), vectors);
  const kb = assembleIndex({ info, documents, passages, vectors, dense, bm25 });
  markState(kb, state, deleted);
  return kb;
}
