/**
 * A passage's citation fields and its reading order, defined once for both backends: the file
 * snapshot's records, the SQL rows, ingest's write plan and search all build and sort passages
 * with these.
 */
import type { Chunk } from '../chunking/chunker.js';

/** The citation fields of a passage, in the order records hold them (`part` only on a split clause). */
export const PASSAGE_FIELD_NAMES = ['passageId', 'docId', 'index', 'start', 'end', 'breadcrumb', 'headings', 'labels', 'clause', 'sectionIds', 'part'] as const;

/** A passage's citation fields; its text is always `body.slice(start, end)` of its document. */
export type PassageFields = Pick<Chunk, (typeof PASSAGE_FIELD_NAMES)[number]>;

/**
 * The citation fields of anything that has them (a chunk, a record, a row mapped to names), and
 * nothing else. Written out field by field: every search builds about a hundred, and copying by
 * rest and spread cost several times more.
 */
export function passageFieldsOf(p: PassageFields): PassageFields {
  const out: PassageFields = { passageId: p.passageId, docId: p.docId, index: p.index, start: p.start, end: p.end, breadcrumb: p.breadcrumb, headings: p.headings, labels: p.labels, clause: p.clause, sectionIds: p.sectionIds };
  if (p.part) out.part = p.part;
  return out;
}

/**
 * Reading order: by docId (code units, as JavaScript compares strings), then position in the
 * document. How a snapshot numbers passages, and the tie-break of every search in both backends.
 */
export function compareReadingOrder(a: { docId: string; index: number }, b: { docId: string; index: number }): number {
  return a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : a.index - b.index;
}
