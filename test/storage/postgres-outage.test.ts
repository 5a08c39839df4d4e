/**
 * Issue 25.8 on real PostgreSQL over the wire (pglite-server), behind a TCP proxy that can stop
 * forwarding (a stalled database: a network cut, a paused server):
 * - every pool has a connection and a statement timeout, so a stalled database fails requests with
 *   store_unreachable (503) instead of holding them for the whole outage, the rate-limit pool too;
 * - routes that need no database keep answering; readiness turns unavailable meanwhile;
 * - a database recreated under a running replica, whose version counter is lower, is noticed, and
 *   an empty one answers 503 (index_missing), not 500.
 */
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/http/app.js';
import { statusFor } from '../../server/http/status.js';
import { loadConfig } from '../../src/config/index.js';
import { sharedRateLimitStore } from '../../src/pipeline/compose/rate-limit.js';
import { openPostgresStore, type PostgresStore } from '../../src/storage/postgres/index.js';
import { CONTRACT_MODEL } from './contract.js';
import { startPgliteServer, type PgliteServer } from './pglite.js';
import { syntheticWrites } from './synthetic.js';

/** A TCP proxy to `port`; `stall()` stops forwarding both ways (bytes wait, nothing is closed), `resume()` goes on. */
async function stallableProxy(port: number): Promise<{ url: string; stall(): void; resume(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let stalled = false;
  const server: Server = createServer((client) => {
    const upstream = createConnection(port);
    client.pipe(upstream);
    upstream.pipe(client);
    // After pipe(), which sets the sockets flowing: a connection made during a stall stalls too.
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
      if (stalled) s.pause();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const own = (server.address() as AddressInfo).port;
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${own}/postgres`,
    stall() {
      stalled = true;
      for (const s of sockets) s.pause();
    },
    resume() {
      stalled = false;
      for (const s of sockets) s.resume();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}


const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

const TIMEOUTS = { connectTimeoutMs: 500, statementTimeoutMs: 500 };

async function storeBehindProxy(): Promise<{ store: PostgresStore; proxy: Awaited<ReturnType<typeof stallableProxy>>; database: PgliteServer }> {
  const database = await startPgliteServer(4);
  cleanups.push(() => database.stop());
  const port = Number(new URL(database.url).port);
  const proxy = await stallableProxy(port);
  cleanups.push(() => proxy.close());
  const store = await openPostgresStore({ url: proxy.url, ...CONTRACT_MODEL, maxConnections: 2, timeouts: TIMEOUTS, pollMs: 0 });
  cleanups.push(() => store.close());
  await store.writer.apply({ put: syntheticWrites({ documents: 2, passagesPerDocument: 2, dimension: CONTRACT_MODEL.dimension, seed: 5 }), remove: [] });
  return { store, proxy, database };
}

describe('a stalled database', () => {
  let store: PostgresStore;
  let proxy: Awaited<ReturnType<typeof stallableProxy>>;
  const shared: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    ({ store, proxy } = await storeBehindProxy());
    shared.push(...cleanups.splice(0));
  }, 60_000);
  afterAll(async () => {
    for (const c of shared.reverse()) await c().catch(() => {});
  });

  it('fails statements with store_unreachable (503) after the statement timeout, and serves again once it answers', async () => {
    expect(await store.health()).toBeUndefined();
    proxy.stall();
    // Before: no statement or query timeout, so this waited for the whole outage (the test's own timeout).
    await expect(store.store.documents.list()).rejects.toMatchObject({ code: 'store_unreachable' });
    expect(statusFor('store_unreachable')).toBe(503);
    expect(await store.health()).toMatch(/^(the database did not answer within 2000 ms|the database stopped answering)/u);
    proxy.resume();
    let listed: number | undefined;
    for (let i = 0; i < 40 && listed === undefined; i += 1) {
      listed = await store.store.documents.list().then((d) => d.length, () => undefined);
      if (listed === undefined) await new Promise((r) => setTimeout(r, 250));
    }
    expect(listed).toBe(2);
    expect(await store.health()).toBeUndefined();
  }, 60_000);

  it('does not hold API routes that need no database on the rate-limit pool, and readyz says unavailable', async () => {
    const config = loadConfig({ INDEX_STORE: 'postgres', DATABASE_URL: proxy.url, RATE_LIMIT_PER_MINUTE: '100', DATABASE_CONNECT_TIMEOUT_MS: '500', DATABASE_STATEMENT_TIMEOUT_MS: '500' });
    const limits = sharedRateLimitStore(config);
    cleanups.push(async () => limits?.close());
    // No knowledge service: /v1/models needs none; readiness asks the store.
    const app = createApp({ getService: () => ({ store: { info: { version: '1', modelId: 'm', documents: 2, passages: 4, createdAt: '', backend: 'postgres' } } }) as never, rateLimitPerMinute: 100, ...(limits ? { rateLimitStore: limits.store } : {}), storeHealth: () => store.health() });
    expect((await request(app).get('/v1/models')).status).toBe(200);
    expect((await request(app).get('/readyz')).status).toBe(200);
    proxy.stall();
    // The first request waits for the rate-limit pool's short timeout, then passes uncounted; the next
    // ones pass at once while counting is paused. Before: each waited for the whole outage.
    for (let i = 0; i < 3; i += 1) expect((await request(app).get('/v1/models')).status).toBe(200);
    expect((await request(app).get('/healthz')).status).toBe(200);
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/did not answer|stopped answering/u) as string });
    proxy.resume();
  }, 60_000);
});

describe('a database recreated under a running replica', () => {
  it('answers 503 while it is empty and reloads when it is indexed again with a lower version', async () => {
    const first = await startPgliteServer(4);
    const port = Number(new URL(first.url).port);
    let current: PgliteServer = first;
    cleanups.push(() => current.stop());
    const replica = await openPostgresStore({ url: first.url, ...CONTRACT_MODEL, maxConnections: 2, timeouts: TIMEOUTS, pollMs: 200 });
    cleanups.push(() => replica.close());
    for (let i = 0; i < 3; i += 1) await replica.writer.apply({ put: syntheticWrites({ documents: 1, passagesPerDocument: 1, dimension: CONTRACT_MODEL.dimension, seed: 20 + i, prefix: `old${i}` }), remove: [] });
    expect(Number(await replica.version())).toBeGreaterThanOrEqual(3);
    const heard: string[] = [];
    await replica.onChange((v) => heard.push(v));

    // Dropped and created again, empty: no tables at all.
    await first.stop();
    current = await startPgliteServer(4, port);
    const empty = await replica.store.documents.list().catch((e: unknown) => e);
    expect(empty).toMatchObject({ code: 'index_missing', message: expect.stringMatching(/^the database holds no policy-kb tables .*was it emptied or recreated\? run `npm run -s kb -- ingest` against it$/u) as string });
    expect(statusFor('index_missing')).toBe(503);
    expect(await replica.health()).toMatch(/holds no policy-kb tables/u);

    // Indexed again by another process: version 1, lower than the replica last saw.
    const writer = await openPostgresStore({ url: current.url, ...CONTRACT_MODEL, maxConnections: 1, pollMs: 0 });
    await writer.writer.apply({ put: syntheticWrites({ documents: 1, passagesPerDocument: 1, dimension: CONTRACT_MODEL.dimension, seed: 30, prefix: 'new' }), remove: [] });
    await writer.close();
    const deadline = Date.now() + 20_000;
    while (!heard.includes('1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // Before: a version at or below the last one seen was ignored, and the replica served the old state.
    expect(heard).toContain('1');
    expect((await replica.store.documents.list()).map((d) => d.meta.docId)).toEqual(['new-000A']);
    expect(await replica.health()).toBeUndefined();
  }, 90_000);
});
