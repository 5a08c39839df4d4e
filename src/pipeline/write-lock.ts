/**
 * One writer at a time, across processes: `kb ingest`, `kb add/remove` and HTTP uploads take this
 * lock before they touch the corpus folder or the index. The lock is a file created atomically
 * (`wx`) in the index folder, naming its holder; a lock left by a process that died on this host
 * is taken over. Written by hand because the well-known lockfile packages lock by mtime refresh
 * timers (proper-lockfile), which a stalled event loop can let expire while a build still writes.
 */
import { hostname } from 'node:os';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ERROR_CODES, KbError } from '../shared/errors.js';

export interface WriteLock {
  release(): Promise<void>;
}

interface Holder {
  pid: number;
  host: string;
  owner: string;
  since: string;
  token: string;
}

export const LOCK_FILE = 'write.lock';
const POLL_MS = 100;
/** A lock file that cannot be read for this long was left half-written by a crash. */
const UNREADABLE_STALE_MS = 30_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(file: string): Promise<Holder | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as Partial<Holder>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.token === 'string') return value as Holder;
  } catch {
    // Missing, half-written or not JSON: judged by age below.
  }
  return undefined;
}

/** Whether the current lock file may be taken over: its holder died on this host, or it is unreadable and old. */
async function isStale(file: string, holder: Holder | undefined): Promise<boolean> {
  if (holder) return holder.host === hostname() && !alive(holder.pid);
  try {
    return Date.now() - (await stat(file)).mtimeMs > UNREADABLE_STALE_MS;
  } catch {
    return true;
  }
}

/**
 * Takes the single-writer lock of `indexDir`, waiting up to `waitMs` (default 0) for another
 * writer to finish. Throws `write_locked` naming the holder when it cannot.
 */
export async function acquireWriteLock(indexDir: string, options: { waitMs?: number; owner?: string } = {}): Promise<WriteLock> {
  await mkdir(indexDir, { recursive: true });
  const file = path.join(indexDir, LOCK_FILE);
  const me: Holder = { pid: process.pid, host: hostname(), owner: options.owner ?? 'policy-kb', since: new Date().toISOString(), token: randomUUID() };
  const deadline = Date.now() + (options.waitMs ?? 0);
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      try {
        await handle.writeFile(JSON.stringify(me));
        await handle.sync();
      } finally {
        await handle.close();
      }
      return {
        async release() {
          // Remove only our own lock (a takeover after a long stall must not be undone by us).
          const current = await readHolder(file);
          if (current?.token === me.token) await rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readHolder(file);
    if (await isStale(file, holder)) {
      await rm(file, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder ? `${holder.owner} (pid ${holder.pid} on ${holder.host}, since ${holder.since})` : 'another writer';
      throw new KbError(ERROR_CODES.WRITE_LOCKED, `the library is being changed by ${who}; wait for it to finish and retry (the lock is ${file})`, {
        details: holder ? { owner: holder.owner, pid: holder.pid, since: holder.since } : {},
      });
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
