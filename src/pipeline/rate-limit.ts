/**
 * Where a server's rate limit counts. With INDEX_STORE=postgres every replica counts in the
 * database (express-rate-limit's `Store` over a small pool of its own, so counting never waits
 * behind searches); otherwise undefined: the limiter keeps its in-memory window per process.
 */
import type { Store } from 'express-rate-limit';
import pg from 'pg';
import type { Config } from '../config/index.js';
import { PostgresRateLimitStore, poolQueryable } from '../storage/postgres/index.js';

export function sharedRateLimitStore(config: Config): { store: Store; close(): Promise<void> } | undefined {
  if (config.indexStore !== 'postgres' || !config.databaseUrl || config.rateLimitPerMinute <= 0) return undefined;
  const db = poolQueryable(new pg.Pool({ connectionString: config.databaseUrl, max: 2 }), { ownsPool: true });
  return { store: new PostgresRateLimitStore(db), close: () => db.close() };
}
