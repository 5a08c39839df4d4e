/**
 * One writer per index folder, across processes: `kb ingest` (and later `kb add/remove`, uploads)
 * hold a lock file in the index folder while they write.
 *
 * ```ts
 * const lock = await acquireWriteLock(config.indexDir, { waitMs: 5000, owner: 'kb ingest' });
 * try { await ingest(options); } finally { await lock.release(); }
 * ```
 *
 * The file is created atomically (`wx`: O_CREAT | O_EXCL) and holds `{pid, host, owner, since}`.
 * A lock whose process is gone (same host, pid no longer alive) is taken over; one held by a live
 * process is waited for up to `waitMs` (default 0), then `write_locked` names the holder.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { ERROR_CODES, KbError } from '../../shared/errors.js';
import { storageErrorOf } from '../../shared/fs-errors.js';
import type { LockOptions, WriteLock } from '../types.js';

export type { WriteLock };

export interface LockHolder {
  pid: number;
  host: string;
  owner: string;
  /** ISO time the lock was taken. */
  since: string;
  token: string;
}

export const WRITE_LOCK_FILE = 'write.lock';
/** Tokens of the locks this process holds now. */
const heldTokens = new Set<string>();
const POLL_MS = 100;
/** A lock file still empty after this long was left by a process that died while creating it. */
const UNWRITTEN_STALE_MS = 5000;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(file: string): Promise<LockHolder | 'unwritten' | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.token === 'string') return h;
  } catch {
    // being written right now, or cut short by a crash
  }
  return 'unwritten';
}

async function isStale(file: string, holder: LockHolder | 'unwritten'): Promise<boolean> {
  if (holder === 'unwritten') {
    const age = Date.now() - (await stat(file).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    return age > UNWRITTEN_STALE_MS;
  }
  // A lock naming this very process that it does not hold was left by an earlier process that had
  // the same pid (a restarted container is pid 1 again, with the same host name).
  if (holder.host === hostname() && holder.pid === process.pid) return !heldTokens.has(holder.token);
  return holder.host === hostname() && !pidAlive(holder.pid);
}

async function tryCreate(file: string, holder: LockHolder): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new KbError(ERROR_CODES.INDEX_UNREADABLE, `cannot create the write lock ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}); make the index folder writable by this user`, { cause: error });
  }
  try {
    await handle.writeFile(JSON.stringify(holder));
    await handle.sync();
  } catch (error) {
    // A full disk: the empty lock file would block every writer for a while; it goes, and the error says why.
    await handle.close().catch(() => undefined);
    await unlink(file).catch(() => undefined);
    throw storageErrorOf(error, 'the index folder (its write lock)') ?? error;
  }
  await handle.close();
  return true;
}

/**
 * Removes a stale lock. Only one process at a time may do so (a takeover guard, itself `wx`), and it
 * re-reads the lock first, so a fresh lock taken meanwhile by another process is never removed.
 */
async function removeStale(file: string, seen: LockHolder | 'unwritten'): Promise<void> {
  const guard = `${file}.takeover`;
  const mine = await tryCreate(guard, { pid: process.pid, host: hostname(), owner: 'takeover', since: new Date().toISOString(), token: randomUUID() }).catch(() => false);
  if (!mine) {
    // A guard left by a process that died mid-takeover would block everyone: clear it when old.
    const age = Date.now() - (await stat(guard).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    if (age > UNWRITTEN_STALE_MS) await unlink(guard).catch(() => {});
    return;
  }
  try {
    const now = await readHolder(file);
    const same = now !== undefined && (now === 'unwritten' ? seen === 'unwritten' : seen !== 'unwritten' && now.token === seen.token);
    if (same) await unlink(file).catch(() => {});
  } finally {
    await unlink(guard).catch(() => {});
  }
}

function lockedError(file: string, holder: LockHolder | 'unwritten', waitMs: number): KbError {
  const who = holder === 'unwritten' ? 'another process (its lock file is being written)' : `${holder.owner} (pid ${holder.pid} on ${holder.host}, since ${holder.since})`;
  const waited = waitMs > 0 ? ` after waiting ${(waitMs / 1000).toFixed(1)} s` : '';
  const stale = holder !== 'unwritten' && holder.host !== hostname() ? `; if that process is gone, delete ${file}` : '';
  return new KbError(ERROR_CODES.WRITE_LOCKED, `the index in ${path.dirname(file)} is being written by ${who}${waited}; wait for it to finish and run the command again${stale}`, {
    details: holder === 'unwritten' ? { file } : { file, pid: holder.pid, host: holder.host, owner: holder.owner, since: holder.since },
  });
}

/** Takes the single-writer lock of `indexDir`, waiting up to `waitMs`; throws `write_locked` naming the holder. */
export async function acquireWriteLock(indexDir: string, options: LockOptions = {}): Promise<WriteLock> {
  const waitMs = Math.max(0, options.waitMs ?? 0);
  const file = path.join(indexDir, WRITE_LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), owner: options.owner ?? 'policy-kb', since: new Date().toISOString(), token: randomUUID() };
  await mkdir(indexDir, { recursive: true });
  const deadline = Date.now() + waitMs;
  for (;;) {
    me.since = new Date().toISOString();
    // Registered before the file exists: another taker in this process that reads it meanwhile
    // must see a lock this process holds, not one left by an earlier process with our pid.
    heldTokens.add(me.token);
    if (await tryCreate(file, me).catch((error: unknown) => {
      heldTokens.delete(me.token);
      throw error;
    })) break;
    heldTokens.delete(me.token);
    const holder = await readHolder(file);
    if (holder === undefined) continue; // released meanwhile: try again at once
    if (await isStale(file, holder)) {
      await removeStale(file, holder);
      await new Promise((r) => setTimeout(r, 10)); // another process may be mid-takeover
      continue;
    }
    if (Date.now() >= deadline) throw lockedError(file, holder, waitMs);
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(1, deadline - Date.now()))));
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      heldTokens.delete(me.token);
      // Remove only our own lock: never one a takeover gave to someone else.
      const now = await readHolder(file).catch(() => undefined);
      if (now !== undefined && now !== 'unwritten' && now.token === me.token) await unlink(file).catch(() => {});
    },
  };
}
