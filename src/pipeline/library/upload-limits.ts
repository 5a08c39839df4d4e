/**
 * The per-document passage limit (MAX_PASSAGES), checked on a new document's text before anything is written:
 * the extraction limits bound pages and characters, but two million characters of one-word lines would still
 * make hundreds of thousands of passages to embed while every other write waits.
 */
import type { ChunkOptions } from '../../chunking/chunker.js';
import { chunkDocument } from '../../chunking/chunker.js';
import type { PolicyDocument } from '../../corpus/document.js';
import { parsePolicy } from '../../corpus/parser.js';
import { documentTooLarge } from '../../extract/errors.js';

export interface PassageLimit {
  passages: number;
  /** The chunker settings ingest uses, so that the count is the one the index would hold. */
  chunk: ChunkOptions;
}

/** Throws `document_too_large` (413) when the document would make more passages than the limit. */
export function assertPassageLimit(doc: Pick<PolicyDocument, 'meta' | 'body'>, fileName: string, limit: PassageLimit): void {
  const count = chunkDocument({ docId: doc.meta.docId, title: doc.meta.title, body: doc.body, tree: parsePolicy(doc.body) }, limit.chunk).length;
  if (count > limit.passages) throw documentTooLarge(fileName, 'passages', count, limit.passages, 'MAX_PASSAGES');
}
