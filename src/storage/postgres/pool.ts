/**
 * The one way a `pg.Pool` is made here (the store's and the rate limit's): every pool has a
 * connection timeout and a statement timeout, so a database that stalls (a network cut, a paused
 * server, a proxy that stops forwarding) fails requests with `store_unreachable` after a bounded time
 * instead of holding them for the whole outage (issue 25.8).
 */
import pg from 'pg';
import type { Logger } from '../../shared/logger.js';

export interface PoolTimeouts {
  /** How long to wait for a connection (a new one or a free one of the pool), in ms. */
  connectTimeoutMs: number;
  /** How long one statement may run, in ms; 0: no limit. */
  statementTimeoutMs: number;
}

/** Defaults: a connection in 5 s; no statement runs longer than a request may (30 s). */
export const DEFAULT_POOL_TIMEOUTS: PoolTimeouts = { connectTimeoutMs: 5000, statementTimeoutMs: 30_000 };

/**
 * The client-side read timeout beyond the server-side `statement_timeout`: the server cancels a slow
 * statement itself (the connection stays usable); a server that does not answer at all is given up
 * this much later (pg then drops the connection).
 */
const READ_GRACE_MS = 1000;

/** `pg.Pool` options for `timeouts`; what `new pg.Client(pool.options)` (LISTEN) inherits too. */
export function poolOptions(url: string, max: number, timeouts: PoolTimeouts): pg.PoolConfig {
  const statement = timeouts.statementTimeoutMs;
  return {
    connectionString: url,
    max,
    connectionTimeoutMillis: timeouts.connectTimeoutMs,
    // Detect a peer that vanished without closing (no FIN): TCP keep-alive probes.
    keepAlive: true,
    ...(statement > 0 ? { statement_timeout: statement, query_timeout: statement + READ_GRACE_MS, idle_in_transaction_session_timeout: statement + READ_GRACE_MS } : {}),
  };
}

/** A pool whose idle connections closed by the server (a restart, a cut) are logged, not fatal. */
export function createPool(url: string, max: number, timeouts: PoolTimeouts, logger: Pick<Logger, 'warn'>): pg.Pool {
  const pool = new pg.Pool(poolOptions(url, max, timeouts));
  pool.on('error', (error) => logger.warn('idle database connection closed', { error: error.message }));
  return pool;
}
