/**
 * File-system failures a person can act on — a full disk, a read-only or unwritable folder — as
 * catalogue errors with what to do (`disk_full`: HTTP 507, `storage_read_only`: 503), instead of an
 * anonymous "internal error". Messages name the folder's role, not its path: they are shown to
 * clients.
 */
import { ERROR_CODES, KbError } from './errors.js';

/**
 * The errno code of `error` or of an error in its `cause` chain (ENOSPC wrapped by a writer), or a
 * PostgreSQL SQLSTATE that means the same: 53100 disk_full, 25006 read_only_sql_transaction.
 */
function errnoOf(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth += 1) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === '53100') return 'ENOSPC';
    if (code === '25006') return 'EROFS';
    if (typeof code === 'string' && /^E[A-Z]+$/u.test(code)) return code;
  }
  return undefined;
}

/**
 * The catalogue error for a full disk (ENOSPC, EDQUOT) or a folder that cannot be written (EROFS,
 * EACCES, EPERM) met while writing `what` (e.g. "the corpus folder"); undefined for anything else.
 *
 * @example storageErrorOf(enospc, 'the index folder') // KbError disk_full: "the index folder: the disk is full (ENOSPC)…"
 */
export function storageErrorOf(error: unknown, what: string): KbError | undefined {
  const code = errnoOf(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    const why = code === 'ENOSPC' ? 'the disk is full' : 'the disk quota is used up';
    return new KbError(ERROR_CODES.DISK_FULL, `${what}: ${why} (${code}); nothing was changed: free space on that disk and send the change again`, { cause: error, details: { errno: code } });
  }
  if (code === 'EROFS') {
    return new KbError(ERROR_CODES.STORAGE_READ_ONLY, `${what} is on a read-only file system (EROFS); nothing was changed: mount it read-write (or point CORPUS_DIR/INDEX_DIR elsewhere) and send the change again`, { cause: error, details: { errno: code } });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new KbError(ERROR_CODES.STORAGE_READ_ONLY, `${what} is not writable by this user (${code}); nothing was changed: give the server's user write access and send the change again`, { cause: error, details: { errno: code } });
  }
  return undefined;
}
