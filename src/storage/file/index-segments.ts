/**
 * Delta segments of the embedded index: what one write changed, so that a write costs what it
 * changes instead of a whole new snapshot. A segment's folder (`index/v-…`) holds
 *
 *   documents.bin  the documents the write put (documents-file.ts), in docId order
 *   passages.bin   their passages, with the HNSW labels they take (passage-store.ts)
 *   vectors.f32    their vectors, row by row
 *   bm25.bin       their term counts, as a BM25 index of their own (only its postings are used:
 *                  the statistics are the whole index's, recomputed when segments are applied)
 *
 * and the manifest of the version it made (index-store.ts), whose `chain` lists the full snapshot
 * it builds on and every segment since, each as a `SegmentRef` (its folder, the documents it
 * removed and put, and its files' sizes and checksums). Segments are immutable; applying them
 * in order to the base gives the index a full build of the same corpus gives (index-chain.ts).
 * This module only writes and reads one segment's files in a folder it is given.
 */
import path from 'node:path';
import { Bm25Index } from './bm25.js';
import type { IndexedDocument, PassageRecord } from './knowledge-index.js';
import { ERROR_CODES, KbError } from '../../shared/errors.js';
import { DOCUMENTS_FILE, readDocumentsFile } from './documents-file.js';
import { decodePassages, encodePassages } from './passage-store.js';
import { REBUILD_HINT, readFileVerified, writeFileHashed, type FileDigest } from './snapshot-io.js';

export const SEGMENT_FILES = [DOCUMENTS_FILE, 'passages.bin', 'vectors.f32', 'bm25.bin'] as const;
export type SegmentFile = (typeof SEGMENT_FILES)[number];

/** One segment as the manifests that include it describe it. */
export interface SegmentRef {
  /** Its folder under `index/`. */
  version: string;
  /** Documents it removes (a document it puts replaces any earlier version without being listed here). */
  removed: string[];
  /** Documents it puts, ascending. */
  documents: string[];
  /** Passages of those documents. */
  passages: number;
  files: Record<SegmentFile, FileDigest>;
}

/** A segment read back: what applying it needs. */
export interface LoadedSegment {
  ref: SegmentRef;
  documents: IndexedDocument[];
  passages: PassageRecord[];
  vectors: Float32Array;
  bm25: Bm25Index;
}

/**
 * Writes a segment's passages, vectors and term index into `dir` (its documents.bin is written
 * document by document by the caller, who passes its digest). fsync'd; returns the files' digests.
 */
export async function writeSegmentFiles(dir: string, parts: { documents: FileDigest; passages: readonly PassageRecord[]; vectors: Float32Array; bm25: Bm25Index }): Promise<Record<SegmentFile, FileDigest>> {
  return {
    [DOCUMENTS_FILE]: parts.documents,
    'passages.bin': await writeFileHashed(path.join(dir, 'passages.bin'), encodePassages(parts.passages)),
    'vectors.f32': await writeFileHashed(path.join(dir, 'vectors.f32'), new Uint8Array(parts.vectors.buffer, parts.vectors.byteOffset, parts.vectors.byteLength)),
    'bm25.bin': await writeFileHashed(path.join(dir, 'bm25.bin'), parts.bm25.toBinary()),
  };
}

function inconsistent(ref: SegmentRef, problem: string, cause?: unknown): KbError {
  return new KbError(ERROR_CODES.INDEX_CORRUPT, `index segment ${ref.version} is inconsistent: ${problem}`, cause === undefined ? { hint: REBUILD_HINT } : { hint: REBUILD_HINT, cause });
}

/**
 * Reads the segment `ref` from its folder under `root`, each file checked against the size and
 * checksum the manifest gives; throws index_corrupt naming the segment and what is wrong.
 */
export async function readSegment(root: string, ref: SegmentRef, dimension: number): Promise<LoadedSegment> {
  const dir = path.join(root, ref.version);
  const at = (name: SegmentFile): string => path.join(dir, name);
  for (const name of SEGMENT_FILES) if (!ref.files[name]) throw inconsistent(ref, `the manifest lists no ${name}`);
  const documents = await readDocumentsFile(at(DOCUMENTS_FILE), { expected: ref.files[DOCUMENTS_FILE] });
  const passageBytes = await readFileVerified(at('passages.bin'), ref.files['passages.bin']);
  const vectorBytes = await readFileVerified(at('vectors.f32'), ref.files['vectors.f32']);
  const bm25Bytes = await readFileVerified(at('bm25.bin'), ref.files['bm25.bin']);
  try {
    const passages = decodePassages(passageBytes);
    const put = new Set(ref.documents);
    if (documents.length !== put.size || documents.some((d) => !put.has(d.meta.docId))) throw new Error(`documents.bin holds ${documents.map((d) => d.meta.docId).join(', ') || 'nothing'}; the manifest lists ${ref.documents.join(', ') || 'nothing'}`);
    const bodies = new Map(documents.map((d) => [d.meta.docId, d.body.length]));
    passages.forEach((p, i) => {
      const length = bodies.get(p.docId);
      if (length === undefined || p.end > length) throw new Error(`passage ${i} (${p.passageId}) ends at ${p.end}, beyond its document ${p.docId} (${length ?? 'missing'})`);
    });
    if (passages.length !== ref.passages) throw new Error(`passages.bin has ${passages.length} passages; the manifest says ${ref.passages}`);
    if (vectorBytes.length !== passages.length * dimension * 4) throw new Error(`vectors.f32 has ${vectorBytes.length} bytes for ${passages.length} passages × ${dimension}`);
    const vectors = new Float32Array(vectorBytes.buffer, vectorBytes.byteOffset, vectorBytes.byteLength / 4);
    const bm25 = Bm25Index.fromBinary(bm25Bytes);
    if (bm25.size !== passages.length) throw new Error(`bm25.bin covers ${bm25.size} passages; passages.bin has ${passages.length}`);
    return { ref, documents, passages, vectors, bm25 };
  } catch (error) {
    throw inconsistent(ref, (error as Error).message, error);
  }
}
