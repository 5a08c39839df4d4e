/** The one map from library error codes to HTTP statuses, for the error handler and the upload routes. */
import { ERROR_CODES, type ErrorCode } from '../../src/shared/errors.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  [ERROR_CODES.INVALID_INPUT]: 400,
  [ERROR_CODES.UNKNOWN_DOC]: 404,
  [ERROR_CODES.UNKNOWN_PASSAGE]: 404,
  [ERROR_CODES.WRITE_LOCKED]: 409,
  [ERROR_CODES.DOC_EXISTS]: 409,
  [ERROR_CODES.DUPLICATE_DOCUMENT]: 409,
  [ERROR_CODES.UNSUPPORTED_FORMAT]: 415,
  [ERROR_CODES.DOCUMENT_UNREADABLE]: 422,
  [ERROR_CODES.DOCUMENT_TOO_LARGE]: 413,
  // A file that extracted but would not load as a document (e.g. its metadata contradicts itself).
  [ERROR_CODES.CORPUS_FILE_INVALID]: 422,
  // Valid, but more than one request may cost: the client narrows it (docIds, a shorter topic).
  [ERROR_CODES.COMPARE_TOO_BROAD]: 422,
  [ERROR_CODES.INDEX_MISSING]: 503,
  [ERROR_CODES.INDEX_UNREADABLE]: 503,
  // The database (INDEX_STORE=postgres) did not answer: try again later.
  [ERROR_CODES.STORE_UNREACHABLE]: 503,
  // A write met a full disk (507 Insufficient Storage) or a read-only / unwritable folder.
  [ERROR_CODES.DISK_FULL]: 507,
  [ERROR_CODES.STORAGE_READ_ONLY]: 503,
};

/** The HTTP status for a library error code; 500 for anything not meant for the client. */
export function statusFor(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}
