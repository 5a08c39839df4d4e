/**
 * The one catalogue of failures. Every error the library raises is a `KbError` with a `code`
 * from this list; transports map codes to HTTP statuses / MCP tool errors at the edge.
 */
export const ERROR_CODES = {
  INVALID_INPUT: 'invalid_input',
  UNKNOWN_DOC: 'unknown_doc',
  UNKNOWN_PASSAGE: 'unknown_passage',
  /** A new document named a docId the library already holds (adding never replaces). */
  DOC_EXISTS: 'doc_exists',
  /** A new document has the exact bytes of one the library holds (a copy only when asked for). */
  DUPLICATE_DOCUMENT: 'duplicate_document',
  CORPUS_FILE_INVALID: 'corpus_file_invalid',
  CORPUS_EMPTY: 'corpus_empty',
  LISTING_INVALID: 'listing_invalid',
  UNSUPPORTED_FORMAT: 'unsupported_format',
  DOCUMENT_UNREADABLE: 'document_unreadable',
  CONFIG_INVALID: 'config_invalid',
  MODEL_BUILD_FAILED: 'model_build_failed',
  MODEL_MISSING: 'model_missing',
  INDEX_MISSING: 'index_missing',
  INDEX_MISMATCH: 'index_mismatch',
  INDEX_CORRUPT: 'index_corrupt',
  INDEX_UNREADABLE: 'index_unreadable',
  /** Another process holds the index's single-writer lock (`kb ingest`, uploads). */
  WRITE_LOCKED: 'write_locked',
  /** A write met a full disk (ENOSPC) or an exhausted quota (EDQUOT). */
  DISK_FULL: 'disk_full',
  /** A write met a read-only file system (EROFS) or a folder this user cannot write (EACCES, EPERM). */
  STORAGE_READ_ONLY: 'storage_read_only',
  /** The database behind INDEX_STORE=postgres could not be reached or refused the login. */
  STORE_UNREACHABLE: 'store_unreachable',
  /** The database lacks an extension the store needs (pgvector). */
  STORE_EXTENSION_MISSING: 'store_extension_missing',
  /** The database schema was written by a newer policy-kb than this build. */
  STORE_SCHEMA_NEWER: 'store_schema_newer',
  EMBEDDING_FAILED: 'embedding_failed',
  LLM_FAILED: 'llm_failed',
  INTERNAL: 'internal',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export class KbError extends Error {
  readonly code: ErrorCode;
  /** Extra facts safe to show (e.g. the list of known ids). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KbError';
    this.code = code;
    this.details = options.details;
  }
}

export function isKbError(value: unknown): value is KbError {
  return value instanceof KbError;
}

/** Unknown docId error that lists the known ids, as every command must. */
export function unknownDocError(docId: string, knownIds: readonly string[]): KbError {
  return new KbError(
    ERROR_CODES.UNKNOWN_DOC,
    `unknown docId "${docId}"; known docIds: ${knownIds.join(', ') || '(none: the corpus is empty)'}`,
    { details: { docId, knownIds: [...knownIds] } },
  );
}

/** Message of any thrown value, without stack. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
