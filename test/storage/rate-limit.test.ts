/**
 * The rate limit across replicas: two HTTP apps (two servers' worth of middleware) counting in one
 * PostgreSQL database (PGlite) share the client's budget, and a new window starts afresh.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/http/app.js';
import { openPostgresStore, pgliteQueryable, PostgresRateLimitStore, type PostgresStore } from '../../src/storage/postgres/index.js';
import { CONTRACT_MODEL } from './contract.js';
import { freshPglite } from './pglite.js';

let database: PostgresStore;
let db: Awaited<ReturnType<typeof freshPglite>>;

beforeAll(async () => {
  db = await freshPglite();
  database = await openPostgresStore({ queryable: pgliteQueryable(db), ...CONTRACT_MODEL });
});

afterAll(async () => {
  await database?.close();
  await db?.close();
});

// No knowledge base loaded: every /api request that passes the limiter answers 503, one refused answers 429.
const replica = () => createApp({ getService: () => undefined, today: () => '2026-11-29', rateLimitPerMinute: 5, rateLimitStore: database.rateLimitStore('test-a:') });

describe('rate limit in PostgreSQL', () => {
  it('counts a client across two replicas on one database', async () => {
    const a = replica();
    const b = replica();
    const statuses: number[] = [];
    for (const app of [a, b, a, b, a, b, a]) statuses.push((await request(app).get('/api/documents')).status);
    expect(statuses).toEqual([503, 503, 503, 503, 503, 429, 429]);
    const refused = await request(b).get('/api/documents');
    expect(refused.body.error).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('starts a new window once the old one ends, and keeps prefixes apart', async () => {
    const store = new PostgresRateLimitStore(pgliteQueryable(db), 'window-test:');
    store.init({ windowMs: 200 } as Parameters<PostgresRateLimitStore['init']>[0]);
    expect((await store.increment('1.2.3.4')).totalHits).toBe(1);
    expect((await store.increment('1.2.3.4')).totalHits).toBe(2);
    await store.decrement('1.2.3.4');
    expect((await store.get('1.2.3.4'))?.totalHits).toBe(1);
    await new Promise((r) => setTimeout(r, 250));
    expect((await store.increment('1.2.3.4')).totalHits).toBe(1);
    const other = new PostgresRateLimitStore(pgliteQueryable(db), 'other:');
    other.init({ windowMs: 60_000 } as Parameters<PostgresRateLimitStore['init']>[0]);
    expect((await other.increment('1.2.3.4')).totalHits).toBe(1);
    await store.resetKey('1.2.3.4');
    expect(await store.get('1.2.3.4')).toBeUndefined();
  });
});
