/**
 * Where a server's rate limit counts. With INDEX_STORE=postgres every replica counts in the
 * database (express-rate-limit's `Store` over a small pool of its own, so counting never waits
 * behind searches); otherwise undefined: the limiter keeps its in-memory window per process.
 */
import type { Store } from 'express-rate-limit';
import type { Config } from '../../config/index.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import { createPool, PostgresRateLimitStore, poolQueryable } from '../../storage/postgres/index.js';

/**
 * Counting is asked on every API request, even ones that need no database: it gets short timeouts
 * (at most RATE_LIMIT_TIMEOUT_MS, or the configured ones if shorter), and a store that failed lets
 * requests through uncounted for a while (PostgresRateLimitStore) instead of asking again each time.
 */
export const RATE_LIMIT_TIMEOUT_MS = 1000;

export function sharedRateLimitStore(config: Config, logger: Logger = silentLogger): { store: Store; close(): Promise<void> } | undefined {
  const { store } = config;
  if (store.kind !== 'postgres' || config.rateLimitPerMinute <= 0) return undefined;
  const statement = store.statementTimeoutMs === 0 ? RATE_LIMIT_TIMEOUT_MS : Math.min(store.statementTimeoutMs, RATE_LIMIT_TIMEOUT_MS);
  const timeouts = { connectTimeoutMs: Math.min(store.connectTimeoutMs, RATE_LIMIT_TIMEOUT_MS), statementTimeoutMs: statement };
  const db = poolQueryable(createPool(store.url, 2, timeouts, logger), { ownsPool: true });
  return { store: new PostgresRateLimitStore(db), close: () => db.close() };
}
