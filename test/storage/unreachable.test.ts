/**
 * A database that goes away while serving: statements fail with `store_unreachable` (HTTP 503, try
 * again), not an internal error, and the pool reconnects once the database is back.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { statusFor } from '../../server/http/status.js';
import { isConnectionLost, poolQueryable } from '../../src/storage/postgres/queryable.js';
import { startPgliteServer } from './pglite.js';

describe('a lost database connection', () => {
  it('is reported as store_unreachable (503), for statements and transactions alike', async () => {
    const server = await startPgliteServer(2);
    const db = poolQueryable(new pg.Pool({ connectionString: server.url, max: 1, connectionTimeoutMillis: 2000 }), { ownsPool: true });
    try {
      expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
      await server.stop();
      await expect(db.query('SELECT 1')).rejects.toMatchObject({ code: 'store_unreachable', message: expect.stringMatching(/^the database stopped answering .*; retry once it is back/u) as string });
      await expect(db.transaction(async (tx) => tx.query('SELECT 1'))).rejects.toMatchObject({ code: 'store_unreachable' });
      expect(statusFor('store_unreachable')).toBe(503);
    } finally {
      await db.close();
      await server.stop();
    }
  }, 60_000);

  it('tells connection failures from statement errors', () => {
    expect(isConnectionLost({ code: 'ECONNREFUSED' })).toBe(true);
    expect(isConnectionLost({ code: '57P01' })).toBe(true);
    expect(isConnectionLost({ code: '08006' })).toBe(true);
    expect(isConnectionLost(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionLost({ code: '23505', message: 'duplicate key' })).toBe(false);
    expect(isConnectionLost({ code: '42P01', message: 'relation does not exist' })).toBe(false);
  });
});
