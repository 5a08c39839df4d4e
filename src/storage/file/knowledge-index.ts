/**
 * The in-memory knowledge base that search reads: documents (bodies all offsets index), passages,
 * their vectors, the HNSW index and the BM25 index. One value is one consistent snapshot.
 */
import type { PassageFields } from '../passage-fields.js';
import type { ValidMeta } from '../../corpus/document.js';
import type { SectionNode } from '../../corpus/parser.js';
import type { DenseIndex } from '../../embeddings/dense-index.js';
import type { Bm25Index } from './bm25.js';

export interface IndexedDocument {
  meta: ValidMeta;
  body: string;
  contentHash: string;
  source: string;
  tree: SectionNode;
}

/** A chunk as the index stores it: its citation fields (text is derived from the body) and its HNSW label; its BM25 terms live in the BM25 index. */
export type PassageRecord = PassageFields & {
  /** HNSW label: unique over the index's life, never reused. */
  label: number;
};

export interface IndexInfo {
  formatVersion: number;
  modelId: string;
  dimension: number;
  createdAt: string;
  /** Folder the snapshot was loaded from. */
  version: string;
}

export interface KnowledgeIndex {
  info: IndexInfo;
  documents: Map<string, IndexedDocument>;
  /** Position = BM25 document index = row in `vectors`. */
  passages: PassageRecord[];
  byId: Map<string, number>;
  byLabel: Map<number, number>;
  /** Row-major [passages.length, dimension]. */
  vectors: Float32Array;
  dense: DenseIndex;
  bm25: Bm25Index;
}

/** The passage's verbatim text: always `body.slice(start, end)`. */
export function passageText(kb: KnowledgeIndex, passage: PassageRecord): string {
  return kb.documents.get(passage.docId)?.body.slice(passage.start, passage.end) ?? '';
}

export function vectorOf(kb: KnowledgeIndex, position: number): Float32Array {
  const dim = kb.info.dimension;
  return kb.vectors.subarray(position * dim, (position + 1) * dim);
}

/** Builds the lookup maps of a snapshot. */
export function assembleIndex(parts: Omit<KnowledgeIndex, 'byId' | 'byLabel'>): KnowledgeIndex {
  const byId = new Map<string, number>();
  const byLabel = new Map<number, number>();
  parts.passages.forEach((p, i) => {
    byId.set(p.passageId, i);
    byLabel.set(p.label, i);
  });
  return { ...parts, byId, byLabel };
}
