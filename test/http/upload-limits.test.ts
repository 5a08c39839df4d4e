/**
 * Issue 25 items 1 and 3 on a listening server: a decompression bomb and an oversized upload are refused while
 * /healthz keeps answering (extraction runs in a worker thread), per-document limits answer 413, and an upload
 * whose client goes away is cancelled (nothing is written for it).
 */
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServeApp } from '../../server/cli/serve-commands.js';
import type { Config } from '../../src/config/index.js';
import { createLiveKnowledgeBase, type LiveKnowledgeBase } from '../../src/pipeline/compose/live.js';
import { silentLogger } from '../../src/shared/logger.js';
import { toChineseNumeral } from '../../src/shared/numerals.js';
import { makeLyingZipBomb, SCANS } from '../extract/fixtures.js';
import { CORPUS_DIR, testConfig } from '../helpers.js';

const ADMIN = 'admin-token-123';

interface Listening {
  url: string;
  server: Server;
  live: LiveKnowledgeBase;
  config: Config;
}

async function listen(env: Record<string, string>): Promise<Listening> {
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-http-limits-'));
  await cp(path.join(CORPUS_DIR, 'yunfu.md'), path.join(corpus, 'yunfu.md'));
  const config = await testConfig({ CORPUS_DIR: corpus, POLICY_KB_TODAY: '2026-11-29', ADMIN_TOKEN: ADMIN, ...env });
  const live = createLiveKnowledgeBase(config, { autoIngest: true });
  await live.ready;
  const server = createServer(buildServeApp(config, live, silentLogger).app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, live, config };
}

/** A multipart upload of one file; `abortAfterMs` closes the connection that long after the body is sent. */
function upload(base: string, bytes: Uint8Array, fileName: string, abortAfterMs?: number): Promise<{ status: number; body: Record<string, unknown> } | 'aborted'> {
  const boundary = `----kb${Date.now()}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${encodeURIComponent(fileName)}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body = Buffer.concat([head, Buffer.from(bytes), tail]);
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}/api/documents`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown> }));
    });
    req.on('error', (error) => (abortAfterMs === undefined ? reject(error) : resolve('aborted')));
    req.end(body, () => {
      if (abortAfterMs !== undefined) setTimeout(() => {
        req.destroy();
        resolve('aborted');
      }, abortAfterMs);
    });
  });
}

/** Polls /healthz every 100 ms until `until` settles; returns the slowest answer, in ms. */
async function slowestHealthz(base: string, until: Promise<unknown>): Promise<number> {
  let done = false;
  void until.finally(() => {
    done = true;
  });
  let slowest = 0;
  while (!done) {
    const started = Date.now();
    const res = await fetch(`${base}/healthz`);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    slowest = Math.max(slowest, Date.now() - started);
    await new Promise((r) => setTimeout(r, 100));
  }
  return slowest;
}

const opened: Listening[] = [];
afterAll(async () => {
  for (const l of opened) {
    await new Promise((r) => l.server.close(r));
    await l.live.close();
  }
});

describe('uploads that would swamp the server', () => {
  let s: Listening;
  beforeAll(async () => {
    s = await listen({ MAX_PASSAGES: '40' });
    opened.push(s);
    // The first upload starts the extraction worker (from source, tsx compiles it: seconds under load).
    expect(await upload(s.url, new TextEncoder().encode('预热办法\n第一条 本办法自公布之日起施行。'), 'warm.txt')).toMatchObject({ status: 201 });
  }, 120_000);

  it('refuses a DOCX declaring 2,000 bytes that inflates to 1 GiB within 15 s, /healthz answering within 2 s meanwhile', { timeout: 60_000 }, async () => {
    const bomb = makeLyingZipBomb('word/document.xml', 1024 ** 3, 2000);
    const started = Date.now();
    const result = upload(s.url, bomb, 'bomb.docx');
    const slowest = await slowestHealthz(s.url, result);
    const answer = await result;
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(answer).toMatchObject({ status: 422, body: { error: 'document_unreadable' } });
    expect((answer as unknown as { body: { error_description: string } }).body.error_description).toContain('"bomb.docx": the archive would decompress past the 200 MiB limit (entry word/document.xml, which declares 2,000 bytes)');
    expect(slowest).toBeLessThan(2000);
  });

  it('refuses 20 MB of one letter with 413, /healthz answering within 1 s meanwhile', { timeout: 60_000 }, async () => {
    const letters = new Uint8Array(20 * 1024 * 1024).fill(0x61);
    const result = upload(s.url, letters, 'letters.txt');
    const slowest = await slowestHealthz(s.url, result);
    const answer = await result;
    expect(answer).toMatchObject({ status: 413, body: { error: 'document_too_large' } });
    expect((answer as unknown as { body: { error_description: string } }).body.error_description).toBe('"letters.txt": characters of text: 20,971,520, more than the limit of 2,000,000; split the document, or raise MAX_CHARACTERS for a file you trust');
    expect(slowest).toBeLessThan(1000);
  });

  it('refuses a document that would make more passages than MAX_PASSAGES with 413, writing nothing', { timeout: 60_000 }, async () => {
    const text = ['某市测试办法', ...Array.from({ length: 60 }, (_v, i) => `第${toChineseNumeral(i + 1)}条 本条规定第${i + 1}项事务的办理要求。${'经办单位应当依法受理申请，审查材料，作出决定，并告知申请人。'.repeat(4)}`)].join('\n');
    const answer = await upload(s.url, new TextEncoder().encode(text), 'many.txt');
    expect(answer).toMatchObject({ status: 413, body: { error: 'document_too_large' } });
    expect((answer as unknown as { body: { error_description: string } }).body.error_description).toMatch(/^"many\.txt": passages: \d+, more than the limit of 40; split the document, or raise MAX_PASSAGES for a file you trust$/u);
    const listed = (await (await fetch(`${s.url}/api/documents`)).json()) as { documents: Array<{ docId: string }> };
    expect(listed.documents.map((d) => d.docId).sort()).toEqual(['warm', 'yunfu']);
  });

  it('cancels the extraction of an upload whose client goes away: nothing is added', { timeout: 120_000 }, async () => {
    const scan = new Uint8Array(await readFile(path.join(SCANS, 'nanning-671-p1-2.pdf')));
    expect(await upload(s.url, scan, 'scan.pdf', 1500)).toBe('aborted');
    // Uploads run one at a time in arrival order: when this one answers, the cancelled one has ended.
    const next = await upload(s.url, new TextEncoder().encode('后来的办法\n第一条 本办法自公布之日起施行。'), 'later.txt');
    expect(next).toMatchObject({ status: 201 });
    const listed = (await (await fetch(`${s.url}/api/documents`)).json()) as { documents: Array<{ docId: string }> };
    expect(listed.documents.map((d) => d.docId).sort()).toEqual(['later', 'warm', 'yunfu']);
  });
});
