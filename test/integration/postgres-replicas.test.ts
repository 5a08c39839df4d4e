/**
 * INDEX_STORE=postgres end to end, on real PostgreSQL (PGlite over the wire): `kb ingest` fills
 * the database and writes nothing to INDEX_DIR; two `kb serve` replicas on the one database answer
 * alike; a document uploaded through one is found through the other without a restart, and a
 * deletion through the other is seen by the first; the rate limit counts across both.
 */
import { cp, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../server/cli/main.js';
import { captureIo, CORPUS_DIR, MODELS_DIR, ROOT, testConfig } from '../helpers.js';
import { startPgliteServer, type PgliteServer } from '../storage/pglite.js';
import { ENTRY, startServe, type RunningServer } from './servers.js';

const ADMIN = 'replica-admin-token';
let database: PgliteServer;
let env: Record<string, string>;
let a: RunningServer;
let b: RunningServer;

beforeAll(async () => {
  database = await startPgliteServer(16);
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-pg-corpus-'));
  await cp(CORPUS_DIR, corpus, { recursive: true });
  const config = await testConfig({ CORPUS_DIR: corpus });
  env = { CORPUS_DIR: corpus, MODELS_DIR, INDEX_DIR: config.indexDir, INDEX_STORE: 'postgres', DATABASE_URL: database.url, DATABASE_POOL_SIZE: '1', DATABASE_POLL_MS: '500', ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'warn' };
  const io = captureIo(env);
  expect(await runCli(['ingest', '--json'], io)).toBe(0);
  expect(JSON.parse(io.out()).counts.added).toBe(8);
  // One at a time, and one connection each: PGlite runs a single session for all connections, so
  // statements of concurrent requests would interleave (a real server has no such limit).
  a = await startServe(env);
  b = await startServe(env);
}, 240_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await database?.stop();
});

const search = async (server: RunningServer, query: string): Promise<{ docId: string; passageId: string; text: string }[]> => {
  const res = await fetch(`${server.url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, k: 5 }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: { docId: string; passageId: string; text: string }[] }).results;
};

async function until(check: () => Promise<boolean>, ms = 30_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

describe('INDEX_STORE=postgres with two replicas', () => {
  it('writes nothing to INDEX_DIR and serves the database from both replicas alike', async () => {
    const written = await readdir(env.INDEX_DIR as string).catch(() => [] as string[]);
    expect(written.filter((f) => f !== 'models')).toEqual([]);
    const ready = async (s: RunningServer) => (await (await fetch(`${s.url}/readyz`)).json()) as { index: { store: string; version: string; documents: number } };
    const ra = await ready(a);
    const rb = await ready(b);
    expect(ra?.index).toMatchObject({ store: 'postgres', documents: 8 });
    expect(rb?.index.version).toBe(ra?.index.version);
    const ha = await search(a, '云浮对新落户的数据中心有什么电费补贴？');
    const hb = await search(b, '云浮对新落户的数据中心有什么电费补贴？');
    expect(ha.map((h) => h.passageId)).toEqual(hb.map((h) => h.passageId));
    expect(ha[0]?.docId).toBe('yunfu');
  });

  it('finds through one replica a document uploaded through the other, and forgets it when deleted there', async () => {
    const form = new FormData();
    form.append('file', new Blob(['# 梧州市数据中心用电补贴办法\n\n第一条 对在梧州新建的数据中心，按年用电量给予每千瓦时0.1元补贴。\n'], { type: 'text/markdown' }), 'wuzhou-power.md');
    form.append('issuer', '梧州市人民政府');
    const res = await fetch(`${a.url}/api/documents`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` }, body: form });
    expect(res.status).toBe(201);
    const { docId, searchable } = (await res.json()) as { docId: string; searchable: boolean };
    expect(searchable).toBe(true);
    expect((await search(a, '梧州数据中心用电补贴'))[0]?.docId).toBe(docId);
    expect(await until(async () => (await search(b, '梧州数据中心用电补贴'))[0]?.docId === docId)).toBe(true);
    const del = await fetch(`${b.url}/api/documents/${encodeURIComponent(docId)}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(del.status).toBe(204);
    expect(await until(async () => !(await search(a, '梧州数据中心用电补贴')).some((h) => h.docId === docId))).toBe(true);
  }, 120_000);

  it('stops serving, and says why, when the database is re-indexed with other chunk sizes under it', async () => {
    const io = captureIo({ ...env, CHUNK_MAX_CHARS: '300' });
    expect(await runCli(['ingest'], io)).toBe(0);
    const failed = await until(async () => {
      const r = await fetch(`${a.url}/readyz`);
      return r.status === 503 && ((await r.json()) as { reason?: string }).reason?.includes('max 300') === true;
    });
    expect(failed).toBe(true);
    const res = await fetch(`${a.url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '云浮 电价' }) });
    expect(res.status).toBe(503);
    // Re-indexed as this configuration wants: both replicas serve again.
    expect(await runCli(['ingest'], captureIo(env))).toBe(0);
    expect(await until(async () => (await fetch(`${a.url}/readyz`)).status === 200 && (await fetch(`${b.url}/readyz`)).status === 200)).toBe(true);
  }, 120_000);
});

describe('INDEX_STORE=postgres when the database comes up after the server', () => {
  it('answers readyz "failed … retrying", then serves once the database is there, without a restart', async () => {
    const port = await freePort();
    const late = { ...env, DATABASE_URL: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres` };
    const child = spawn(process.execPath, [ENTRY, 'serve'], { cwd: ROOT, env: { ...process.env, ...late, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    let db: PgliteServer | undefined;
    try {
      expect(await until(async () => /listening on http/u.test(out), 60_000)).toBe(true);
      const url = /listening on (http:\/\/[^\s]+)/u.exec(out)?.[1] as string;
      // Loading first (the model), then failed with the reason and the retry.
      let reason = '';
      expect(
        await until(async () => {
          const r = await fetch(`${url}/readyz`);
          reason = ((await r.json()) as { reason?: string }).reason ?? '';
          return r.status === 503 && reason !== '';
        }, 60_000),
      ).toBe(true);
      expect(reason).toMatch(/could not connect to PostgreSQL.*retrying every \d+ s/u);
      db = await startPgliteServer(4, port);
      expect(await until(async () => (await fetch(`${url}/readyz`)).status === 200, 90_000)).toBe(true);
      expect(out).toContain('ready: 8 documents');
    } finally {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
      await db?.stop();
    }
  }, 180_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
