/**
 * The PostgreSQL store's state row (kb_state) and change watching: a NOTIFY or a poll makes the store
 * re-read its state row; listeners hear each new version once. Polling as well as listening means a
 * process that misses a notification (a dropped connection, a pooler without LISTEN) still sees the change.
 */
import { ERROR_CODES, KbError, describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { StoreInfo } from '../types.js';
import type { Queryable } from './queryable.js';
import { toInfo, type StateRow } from './rows.js';

export async function readState(db: Queryable): Promise<StateRow> {
  const row = (
    await db.query<StateRow>(`SELECT version::text AS version, model_id, dimension, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at, documents, passages FROM kb_state WHERE id = 1`)
  ).rows[0];
  if (!row) throw new KbError(ERROR_CODES.INDEX_CORRUPT, 'the database has no kb_state row; it was changed by hand', { hint: 'restore it or point DATABASE_URL at an empty database and run `npm run -s kb -- ingest`' });
  return row;
}

export interface StoreWatch {
  /** The state as last read. */
  info(): StoreInfo;
  /** The database's change counter now (one query). */
  version(): Promise<string>;
  /** Re-reads the state row and tells the listeners when its version changed. */
  check(): Promise<void>;
  /** Listens (and polls) from the first call on; the result unsubscribes. */
  onChange(listener: (version: string) => void): Promise<() => Promise<void>>;
  /** Stops polling and listening, after any check under way. */
  close(): Promise<void>;
}

export interface StoreWatchOptions {
  channel: string;
  /** How often to re-read the version row besides listening, in ms; 0 = listen only. */
  pollMs: number;
  logger: Logger;
}

export async function createStoreWatch(db: Queryable, { channel, pollMs, logger }: StoreWatchOptions): Promise<StoreWatch> {
  let info = toInfo(await readState(db));
  const listeners = new Set<(version: string) => void>();
  let lastSeen = BigInt(info.version);
  let checking: Promise<void> = Promise.resolve();
  let stopListening: (() => Promise<void>) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const check = (): Promise<void> => {
    checking = checking.then(async () => {
      if (closed) return;
      try {
        const state = await readState(db);
        // Any other version is news: a database recreated under the replicas counts from 1 again (issue 25.8).
        if (BigInt(state.version) === lastSeen) return;
        lastSeen = BigInt(state.version);
        info = toInfo(state);
        for (const listener of listeners) {
          try {
            listener(state.version);
          } catch (error) {
            logger.error('change listener failed', { error: describeError(error) });
          }
        }
      } catch (error) {
        logger.warn('could not read the store version', { error: describeError(error) });
      }
    });
    return checking;
  };
  const startWatching = async (): Promise<void> => {
    if (stopListening || timer || closed) return;
    if (pollMs > 0) {
      timer = setInterval(() => void check(), pollMs);
      timer.unref();
    }
    try {
      stopListening = await db.listen(channel, () => void check());
    } catch (error) {
      logger.warn('could not LISTEN for changes; relying on the version poll', { error: describeError(error), pollMs });
    }
    // A write that landed between open and now.
    await check();
  };

  return {
    info: () => info,
    version: async () => (await readState(db)).version,
    check,
    async onChange(listener) {
      listeners.add(listener);
      await startWatching();
      return async () => {
        listeners.delete(listener);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      await checking;
      await stopListening?.().catch(() => {});
    },
  };
}
