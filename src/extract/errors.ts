/** The extraction failures, with messages that name the file, the problem and what to do. */
import { ERROR_CODES, KbError } from '../shared/errors.js';

/** The file is in a format we do not read (maps to HTTP 415). */
export function unsupportedFormat(fileName: string, what: string): KbError {
  return new KbError(
    ERROR_CODES.UNSUPPORTED_FORMAT,
    `"${fileName}": ${what}; supported formats are PDF, DOCX, DOC, WPS, HTML, OFD, images (PNG, JPEG, TIFF, BMP, WebP) and plain text (UTF-8, GB18030/GBK, UTF-16); convert the file to one of them`,
    { details: { file: fileName } },
  );
}

/** The format is known but this file cannot be read: corrupt, encrypted, truncated, too large, no text (HTTP 422). */
export function documentUnreadable(fileName: string, problem: string, remedy: string, cause?: unknown): KbError {
  return new KbError(ERROR_CODES.DOCUMENT_UNREADABLE, `"${fileName}": ${problem}; ${remedy}`, {
    details: { file: fileName },
    ...(cause === undefined ? {} : { cause }),
  });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('extraction aborted');
}

/** A file past a per-document limit (maps to HTTP 413): says what, how much, the limit and the setting that raises it. */
export function documentTooLarge(fileName: string, what: string, count: number, limit: number, setting: string): KbError {
  return new KbError(ERROR_CODES.DOCUMENT_TOO_LARGE, `"${fileName}": ${what}: ${count.toLocaleString('en-US')}, more than the limit of ${limit.toLocaleString('en-US')}; split the document, or raise ${setting} for a file you trust`, {
    details: { file: fileName, count, limit, setting },
  });
}
