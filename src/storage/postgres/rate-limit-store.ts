/**
 * express-rate-limit's counter kept in PostgreSQL, so a limit holds across every replica on one
 * database. The limiter (windows, headers, handler) stays express-rate-limit's; this is only its
 * `Store`: one atomic upsert per hit on a fixed window per key. Written here rather than taken from
 * npm: the one PostgreSQL store listed for express-rate-limit (@acpr/rate-limit-postgresql 1.4.1)
 * runs its migrations unawaited in its constructor (the first requests fail with 500: tried here on
 * PGlite), needs the uuid-ossp extension and opens its own pool; this one uses the store's pool and
 * its versioned migrations.
 */
import type { IncrementResponse, Options, Store } from 'express-rate-limit';
import { ERROR_CODES, KbError } from '../../shared/errors.js';
import type { QueryRunner } from './queryable.js';

/** Expired windows are swept at most this often. */
const SWEEP_MS = 60_000;

/**
 * After the database failed to count, it is not asked again for this long: every API request counts,
 * and during an outage each would otherwise wait for its own timeout (issue 25.8). Meanwhile the store
 * fails at once and the limiter lets requests through uncounted (`passOnStoreError`).
 */
export const PAUSE_AFTER_FAILURE_MS = 5000;

/** Whether `error` is this store refusing during its pause (not worth a log line per request). */
export function isPausedRateLimit(error: unknown): boolean {
  return error instanceof KbError && error.details?.rateLimitPaused === true;
}

export class PostgresRateLimitStore implements Store {
  /** Counts are shared by every process on the database. */
  readonly localKeys = false;
  readonly prefix: string;
  private windowMs = 60_000;
  private lastSweep = 0;
  private pausedUntil = 0;

  constructor(
    private readonly db: QueryRunner,
    prefix = 'policy-kb:',
  ) {
    this.prefix = prefix;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<IncrementResponse | undefined> {
    const row = (await this.ask(() => this.db.query<{ hits: number; reset_at: Date | string }>('SELECT hits, reset_at FROM kb_rate_limit WHERE key = $1 AND reset_at > now()', [this.prefix + key]))).rows[0];
    return row ? { totalHits: Number(row.hits), resetTime: new Date(row.reset_at) } : undefined;
  }

  async increment(key: string): Promise<IncrementResponse> {
    this.sweep();
    const row = (
      await this.ask(() => this.db.query<{ hits: number; reset_at: Date | string }>(
        `INSERT INTO kb_rate_limit (key, hits, reset_at) VALUES ($1, 1, now() + $2 * interval '1 millisecond')
         ON CONFLICT (key) DO UPDATE SET
           hits = CASE WHEN kb_rate_limit.reset_at <= now() THEN 1 ELSE kb_rate_limit.hits + 1 END,
           reset_at = CASE WHEN kb_rate_limit.reset_at <= now() THEN EXCLUDED.reset_at ELSE kb_rate_limit.reset_at END
         RETURNING hits, reset_at`,
        [this.prefix + key, this.windowMs],
      ))
    ).rows[0] as { hits: number; reset_at: Date | string };
    return { totalHits: Number(row.hits), resetTime: new Date(row.reset_at) };
  }

  async decrement(key: string): Promise<void> {
    await this.ask(() => this.db.query('UPDATE kb_rate_limit SET hits = greatest(0, hits - 1) WHERE key = $1 AND reset_at > now()', [this.prefix + key]));
  }

  async resetKey(key: string): Promise<void> {
    await this.db.query('DELETE FROM kb_rate_limit WHERE key = $1', [this.prefix + key]);
  }

  async resetAll(): Promise<void> {
    await this.db.query('DELETE FROM kb_rate_limit WHERE starts_with(key, $1)', [this.prefix]);
  }

  /** Runs a statement unless paused after a failure; a failure starts the pause. */
  private async ask<T>(run: () => Promise<T>): Promise<T> {
    if (Date.now() < this.pausedUntil) {
      throw new KbError(ERROR_CODES.STORE_UNREACHABLE, 'rate limit counting is paused after a database failure; requests pass uncounted', { details: { rateLimitPaused: true } });
    }
    try {
      return await run();
    } catch (error) {
      this.pausedUntil = Date.now() + PAUSE_AFTER_FAILURE_MS;
      throw error;
    }
  }

  private sweep(): void {
    if (Date.now() < this.pausedUntil) return;
    const now = Date.now();
    if (now - this.lastSweep < SWEEP_MS) return;
    this.lastSweep = now;
    void this.db.query('DELETE FROM kb_rate_limit WHERE reset_at < now()').catch(() => {});
  }
}
