/**
 * Rows of the PostgreSQL store's tables and their mapping to the storage records, shared by the
 * store's modules (documents, passages, lexical, vectors, writer, watch).
 */
import type { SectionNode } from '../../corpus/parser.js';
import type { ValidMeta } from '../../corpus/document.js';
import { ERROR_CODES, KbError } from '../../shared/errors.js';
import { passageFieldsOf } from '../passage-fields.js';
import type { PassageFields, PassageFilter, StoreInfo, StoredDocument, StoredPassage } from '../types.js';

export interface StateRow {
  version: string;
  model_id: string;
  dimension: number;
  created_at: string;
  documents: number;
  passages: number;
}

export interface DocumentRow {
  doc_id: string;
  meta: ValidMeta;
  body: string;
  tree: SectionNode;
  content_hash: string;
  source: string;
}

export interface PassageRow {
  passage_id: string;
  doc_id: string;
  ord: number;
  start_offset: number;
  end_offset: number;
  fields: Omit<PassageFields, 'passageId' | 'docId' | 'index' | 'start' | 'end'>;
  text: string;
}


export function vectorLiteral(vector: Float32Array, dimension: number, what: string): string {
  if (vector.length !== dimension) {
    throw new KbError(ERROR_CODES.INDEX_MISMATCH, `${what} has ${vector.length} dimensions; the database holds ${dimension}-dim vectors; embed with the model the database was built with`);
  }
  for (const x of vector) if (!Number.isFinite(x)) throw new KbError(ERROR_CODES.EMBEDDING_FAILED, `${what} holds a non-finite value (${x}); the embedder returned a broken vector`);
  return `[${Array.from(vector).join(',')}]`;
}

export function parseVector(text: string): Float32Array {
  return Float32Array.from(JSON.parse(text) as number[]);
}

export function toPassage(row: PassageRow): StoredPassage {
  const passage = passageFieldsOf({ ...row.fields, passageId: row.passage_id, docId: row.doc_id, index: row.ord, start: row.start_offset, end: row.end_offset }) as StoredPassage;
  passage.text = row.text;
  return passage;
}

/** The fields a passage row keeps in its `fields` JSON column: every citation field but those with a column of their own. */
export function passageJsonFields(passage: PassageFields): PassageRow['fields'] {
  const { passageId: _id, docId: _doc, index: _index, start: _start, end: _end, ...fields } = passageFieldsOf(passage);
  return fields;
}

export function toDocument(row: DocumentRow): StoredDocument {
  return { meta: row.meta, body: row.body, contentHash: row.content_hash, source: row.source, tree: row.tree };
}

/** docIds of a passage filter as a SQL parameter: null = every document. */
export function docIdsParam(filter: PassageFilter | undefined): string[] | null {
  return filter?.docIds ? [...filter.docIds] : null;
}

export const PASSAGE_COLUMNS = 'passage_id, doc_id, ord, start_offset, end_offset, fields, text';

export function toInfo(s: StateRow): StoreInfo {
  return {
    backend: 'postgres',
    version: s.version,
    modelId: s.model_id,
    dimension: Number(s.dimension),
    createdAt: s.created_at,
    documents: Number(s.documents),
    passages: Number(s.passages),
  };
}
