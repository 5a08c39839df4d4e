/**
 * The one thing the PostgreSQL store talks to: run a parameterized statement, run a transaction,
 * listen on a channel. Two adapters, one SQL code path: a `pg.Pool` (the wire protocol, any
 * PostgreSQL 16+ server) and an in-process PGlite instance (unit tests), typed structurally so that
 * `src/` does not depend on PGlite.
 */
import pg from 'pg';
import { ERROR_CODES, KbError, describeError } from '../../shared/errors.js';

export interface QueryRunner {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
}

export interface Queryable extends QueryRunner {
  /** Runs `fn` inside BEGIN … COMMIT on one connection; ROLLBACK when it throws. */
  transaction<T>(fn: (tx: QueryRunner) => Promise<T>): Promise<T>;
  /** Subscribes to NOTIFY on `channel`; resolves to an unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** What the store needs of a PGlite instance (`new PGlite({ extensions: { vector } })`). */
export interface PgliteLike {
  query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
  transaction<T>(fn: (tx: { query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }> }) => Promise<T>): Promise<T>;
  listen(channel: string, callback: (payload: string) => void): Promise<(() => Promise<void>) | (() => void)>;
}

/**
 * A PGlite instance as a `Queryable`. The caller owns the instance: `close()` here leaves it open.
 */
export function pgliteQueryable(db: PgliteLike): Queryable {
  const rethrow = (error: unknown): never => {
    throw translate(error);
  };
  return {
    query: <R>(text: string, params: readonly unknown[] = []) => db.query<R>(text, [...params]).catch(rethrow),
    transaction: <T>(fn: (tx: QueryRunner) => Promise<T>) => db.transaction((tx) => fn({ query: <R>(text: string, params: readonly unknown[] = []) => tx.query<R>(text, [...params]) })).catch(rethrow),
    listen: async (channel, onPayload) => {
      const stop = await db.listen(channel, onPayload);
      return async () => {
        await stop();
      };
    },
    close: async () => {},
  };
}

/**
 * A `pg.Pool` as a `Queryable`. Listening holds one extra connection outside the pool (LISTEN is
 * per session); `close()` ends it and the pool when the pool was created here (`ownsPool`).
 */
/**
 * Node socket errors and PostgreSQL connection-class SQLSTATEs (08…, 57P01–03: the server going
 * away), and 57014: a statement cancelled by `statement_timeout` (the database too slow to answer).
 */
const LOST = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '57014']);

/** Whether an error means the database could not be reached or did not answer in time (rather than a statement failing). */
export function isConnectionLost(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (typeof e?.code === 'string' && (LOST.has(e.code) || e.code.startsWith('08'))) || /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout/u.test(e?.message ?? '');
}

/** SQLSTATEs of a text value PostgreSQL cannot hold: 22021 (a NUL byte), 22P05 (untranslatable character). */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

/**
 * A failure as the caller reports it: a lost connection is `store_unreachable` (HTTP 503), missing
 * tables `index_missing` (503); a value
 * the database cannot hold as text (a NUL in an id or a filter that got past the edge) is the
 * request's fault, `invalid_input` (400), not an internal error.
 */
function translate(error: unknown): unknown {
  const code = (error as { code?: unknown })?.code;
  // 42P01 undefined_table: the database was emptied or recreated under a running server (503, not 500).
  if (code === '42P01') {
    return new KbError(ERROR_CODES.INDEX_MISSING, `the database holds no policy-kb tables (${describeError(error)}): was it emptied or recreated? run \`npm run -s kb -- ingest\` against it`, { cause: error, hint: 'run `npm run -s kb -- ingest` against it' });
  }
  if (typeof code === 'string' && UNSTORABLE_TEXT.has(code)) {
    return new KbError(ERROR_CODES.INVALID_INPUT, `a value in the request cannot be stored as PostgreSQL text (${describeError(error)}); ids, filters and metadata must not hold NUL (U+0000) or other control characters`, { cause: error });
  }
  if (!isConnectionLost(error)) return error;
  return new KbError(ERROR_CODES.STORE_UNREACHABLE, `the database stopped answering (${describeError(error)}); retry once it is back (the server reconnects by itself)`, { cause: error });
}

export function poolQueryable(pool: pg.Pool, options: { ownsPool: boolean; onListenError?: (error: Error) => void }): Queryable {
  const listeners = new Set<pg.Client>();
  // An idle connection the server closed (a restart, a network cut) must not crash the process: the
  // pool drops it and the next statement connects again (or fails with store_unreachable).
  if (pool.listenerCount('error') === 0) pool.on('error', (error) => options.onListenError?.(error));
  return {
    query: async <R>(text: string, params: readonly unknown[] = []) => {
      try {
        const result = await pool.query(text, [...params]);
        return { rows: result.rows as R[] };
      } catch (error) {
        throw translate(error);
      }
    },
    transaction: async <T>(fn: (tx: QueryRunner) => Promise<T>) => {
      const client = await pool.connect().catch((error: unknown) => {
        throw translate(error);
      });
      let broken: unknown;
      try {
        await client.query('BEGIN');
        const out = await fn({
          query: async <R>(text: string, params: readonly unknown[] = []) => ({ rows: (await client.query(text, [...params])).rows as R[] }),
        });
        await client.query('COMMIT');
        return out;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // A connection that cannot roll back is not handed to the next caller.
          broken = rollbackError;
        }
        throw translate(error);
      } finally {
        client.release(broken instanceof Error ? broken : undefined);
      }
    },
    listen: async (channel, onPayload) => {
      const client = new pg.Client(pool.options);
      client.on('notification', (message) => {
        if (message.channel === channel) onPayload(message.payload ?? '');
      });
      // A lost listening connection is not fatal: the version poll still notices changes.
      client.on('error', (error) => options.onListenError?.(error));
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(channel)}`);
      listeners.add(client);
      return async () => {
        if (!listeners.delete(client)) return;
        await client.end().catch(() => {});
      };
    },
    close: async () => {
      await Promise.all([...listeners].map((c) => c.end().catch(() => {})));
      listeners.clear();
      if (options.ownsPool) await pool.end();
    },
  };
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/gu, '""')}"`;
}
