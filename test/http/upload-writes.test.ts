/**
 * The write path as HTTP clients meet it: the same bytes again (409 naming the document that holds
 * them, unless a copy is asked for), the cap on library changes in flight, disk errors.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, statfs, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { buildServeApp } from '../../server/cli/serve-commands.js';
import type { Config } from '../../src/config/index.js';
import { MAX_WRITES_IN_FLIGHT } from '../../server/http/routes/documents.js';
import { createLiveKnowledgeBase, type LiveKnowledgeBase } from '../../src/pipeline/compose/live.js';
import { acquireWriteLock } from '../../src/storage/file/write-lock.js';
import { silentLogger } from '../../src/shared/logger.js';
import { CORPUS_DIR, testConfig } from '../helpers.js';

const ADMIN = 'upload-writes-admin-token';

interface Served {
  app: Express;
  config: Config;
  live: LiveKnowledgeBase;
}

const opened: LiveKnowledgeBase[] = [];
async function serve(env: Record<string, string> = {}): Promise<Served> {
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-upload-writes-'));
  for (const f of ['yunfu.md', 'shenzhen.md']) await cp(path.join(CORPUS_DIR, f), path.join(corpus, f));
  const config = await testConfig({ CORPUS_DIR: corpus, POLICY_KB_TODAY: '2026-11-29', ADMIN_TOKEN: ADMIN, ...env });
  const live = createLiveKnowledgeBase(config, { autoIngest: true });
  opened.push(live);
  await live.ready;
  return { app: buildServeApp(config, live, silentLogger).app, config, live };
}
afterAll(async () => {
  for (const live of opened) await live.close();
});

const upload = (s: Served, bytes: Buffer, name: string, fields: Record<string, string> = {}) => {
  let req = request(s.app).post('/api/documents').set('authorization', `Bearer ${ADMIN}`);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  return req.attach('file', bytes, name);
};

describe('the same bytes uploaded again', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve();
  });
  const bytes = Buffer.from('某市临时救助办法\n第一条 为了做好临时救助工作，制定本办法。\n第二条 本办法自发布之日起施行。');

  it('under the same name with nothing stated: 200 unchanged, searchable', async () => {
    expect((await upload(s, bytes, 'jiuzhu.txt')).status).toBe(201);
    const again = await upload(s, bytes, 'jiuzhu.txt');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ docId: 'jiuzhu', outcome: 'unchanged', searchable: true });
  });

  it('under another name or with a title: 409 naming the document that holds them, and no copy', async () => {
    const renamed = await upload(s, bytes, '临时救助（副本）.txt');
    expect(renamed.status).toBe(409);
    expect(renamed.body).toEqual({
      error: 'duplicate_document',
      error_description: '临时救助（副本）.txt: the library already holds these exact bytes as 《某市临时救助办法》 (docId jiuzhu, added as "jiuzhu.txt"); nothing was added. To add a second copy anyway send allowDuplicate=true (kb add --allow-duplicate); to change its metadata replace it (PUT /api/documents/jiuzhu)',
    });
    expect((await upload(s, bytes, 'jiuzhu.txt', { title: '临时救助办法（修订）' })).status).toBe(409);
    const ids = (await request(s.app).get('/api/documents')).body.documents.map((d: { docId: string }) => d.docId);
    expect(ids).toEqual(['jiuzhu', 'shenzhen', 'yunfu']);
  });

  it('with allowDuplicate=true: a second copy (201); a bad allowDuplicate is 400', async () => {
    const copy = await upload(s, bytes, 'jiuzhu.txt', { title: '临时救助办法（副本）', allowDuplicate: 'true' });
    expect(copy.status).toBe(201);
    expect(copy.body).toMatchObject({ docId: 'jiuzhu-2', title: '临时救助办法（副本）', outcome: 'added', searchable: true });
    const bad = await upload(s, bytes, 'x.txt', { allowDuplicate: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_input');
  });
});

describe('searchable after concurrent writes by two processes on one index (a cluster)', () => {
  it('is true when another worker wrote a later version, showing the document, before this one reloaded', { timeout: 120_000 }, async () => {
    const a = await serve();
    // A second worker: its own live knowledge base over the same corpus and index.
    const liveB = createLiveKnowledgeBase(a.config, { autoIngest: false });
    opened.push(liveB);
    await liveB.ready;
    const b = buildServeApp(a.config, liveB, silentLogger).app;
    // Worker A reloads only after worker B has written its own document (CURRENT is then B's version).
    const slowed: LiveKnowledgeBase = {
      ...a.live,
      reloadTo: async (version, shows) => {
        const other = await request(b).post('/api/documents').set('authorization', `Bearer ${ADMIN}`).attach('file', Buffer.from('乙工作者办法\n第一条 乙工作者的规定。'), 'worker-b.txt');
        expect(other.status).toBe(201);
        return a.live.reloadTo(version, shows);
      },
    };
    const appA = buildServeApp(a.config, slowed, silentLogger).app;
    const res = await request(appA).post('/api/documents').set('authorization', `Bearer ${ADMIN}`).attach('file', Buffer.from('甲工作者办法\n第一条 甲工作者的规定。'), 'worker-a.txt');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ docId: 'worker-a', outcome: 'added', searchable: true });
    const hits = (await request(appA).post('/api/search').send({ query: '甲工作者的规定', k: 3 })).body.results as { docId: string }[];
    expect(hits.map((h) => h.docId)).toContain('worker-a');
  });
});

/** A multipart/form-data body with one file. */
function multipart(name: string, bytes: Buffer): { body: Buffer; type: string } {
  const boundary = `----kb${Math.random().toString(16).slice(2)}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\n`;
  return { body: Buffer.concat([Buffer.from(head), bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}

describe('the cap on library changes in flight', () => {
  let s: Served;
  let server: Server;
  let port: number;
  beforeAll(async () => {
    s = await serve();
    server = createServer(s.app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => new Promise<void>((r) => server.close(() => r())));

  /** Sends an upload and hangs up after `ms` (the answer, if any came, is ignored). */
  const hangUp = (i: number, ms: number): Promise<void> =>
    new Promise((resolve) => {
      const { body, type } = multipart(`storm-${i}.txt`, Buffer.from(`风暴${i}号办法\n第一条 第${i}号文件的规定，编号${i * 7919}。`));
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/documents', agent: false, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': type, 'content-length': body.length } });
      req.on('error', () => resolve());
      req.on('response', (res) => res.resume());
      req.on('close', () => resolve());
      req.end(body);
      setTimeout(() => req.destroy(), ms);
    });

  it('is not bypassed by clients that hang up: 50 uploads closed after 50 ms are not all processed', { timeout: 180_000 }, async () => {
    // The library is busy (another process holds the write lock) while the storm comes, so no change can
    // finish within its 50 ms whatever the machine's speed: one after another, each closed before the
    // next is sent (so the cap never refuses one at the door). Slots freed on hang-up would let all 50
    // queue and then run once the lock is released.
    const busy = await acquireWriteLock(s.config.indexDir, { owner: 'upload-writes test' });
    const storm: Promise<void>[] = [];
    try {
      for (let i = 0; i < 50; i += 1) {
        storm.push(hangUp(i, 50));
        await new Promise((r) => setTimeout(r, 60));
      }
      await Promise.all(storm);
    } finally {
      await busy.release();
    }
    // Changes run one at a time in arrival order: this one's answer comes after every earlier change ended.
    const last = await upload(s, Buffer.from('风暴后办法\n第一条 风暴之后的规定。'), 'after.txt');
    expect(last.status).toBe(201);
    const stormed = (await request(s.app).get('/api/documents')).body.documents.filter((d: { docId: string }) => d.docId.startsWith('storm-'));
    expect(stormed.length).toBeLessThanOrEqual(MAX_WRITES_IN_FLIGHT);
    // Every slot came back: the cap admits a full set of changes again.
    const burst = await Promise.all(Array.from({ length: MAX_WRITES_IN_FLIGHT }, (_, i) => upload(s, Buffer.from(`并发${i}号办法\n第一条 并发${i}的规定。`), `burst-${i}.txt`)));
    expect(burst.map((r) => r.status)).toEqual(Array.from({ length: MAX_WRITES_IN_FLIGHT }, () => 201));
  });
});

/** Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN, as in the CI container); tests needing one skip otherwise. */
function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const dir = path.join(tmpdir(), `kb-mount-probe-${process.pid}`);
  try {
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    execFileSync('rm', ['-rf', dir]);
  }
}

describe.skipIf(!canMountTmpfs())('a real full or read-only disk (tmpfs)', () => {
  const mounts: string[] = [];
  const mountTmpfs = async (size: string): Promise<string> => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kb-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
    mounts.push(dir);
    return dir;
  };
  afterAll(async () => {
    for (const dir of mounts.reverse()) {
      execFileSync('umount', ['-l', dir]);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers 507 disk_full when the index does not fit, keeps serving, and takes the upload once there is room', { timeout: 120_000 }, async () => {
    const indexDir = path.join(await mountTmpfs('8m'), 'index');
    await mkdir(indexDir);
    const s = await serve({ INDEX_DIR: indexDir });
    // Fill the disk but for two pages: the lock file fits, the files of a new index version do not.
    const { bavail, bsize } = await statfs(indexDir);
    const filler = path.join(indexDir, '..', 'filler');
    await writeFile(filler, Buffer.alloc(Math.max(0, bavail * bsize - 2 * bsize)));
    const bytes = Buffer.from('满盘办法\n第一条 磁盘写满时的规定。');
    const full = await upload(s, bytes, 'full.txt');
    expect(full.status).toBe(507);
    expect(full.body).toEqual({ error: 'disk_full', error_description: 'the index: the disk is full (ENOSPC); nothing was changed: free space on that disk and send the change again' });
    expect((await request(s.app).get('/api/documents/full')).status).toBe(404);
    expect((await request(s.app).post('/api/search').send({ query: '云浮', k: 1 })).status).toBe(200);
    await rm(filler);
    const roomy = await upload(s, bytes, 'full.txt');
    expect(roomy.status).toBe(201);
    expect(roomy.body).toMatchObject({ docId: 'full', outcome: 'added', searchable: true });
  });

  it('answers 503 storage_read_only when the corpus folder is mounted read-only, naming it', { timeout: 120_000 }, async () => {
    const corpus = await mountTmpfs('4m');
    for (const f of ['yunfu.md', 'shenzhen.md']) await cp(path.join(CORPUS_DIR, f), path.join(corpus, f));
    const s = await serve({ CORPUS_DIR: corpus });
    execFileSync('mount', ['-o', 'remount,ro', corpus]);
    const res = await upload(s, Buffer.from('只读办法\n第一条 只读时的规定。'), 'ro.txt');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: 'storage_read_only',
      error_description: 'ro.txt: the corpus folder is on a read-only file system (EROFS); nothing was changed: mount it read-write (or point CORPUS_DIR/INDEX_DIR elsewhere) and send the change again',
    });
    const del = await request(s.app).del('/api/documents/yunfu').set('authorization', `Bearer ${ADMIN}`);
    expect(del.status).toBe(503);
    expect(del.body.error).toBe('storage_read_only');
    expect((await request(s.app).get('/api/documents/yunfu')).status).toBe(200);
  });
});
