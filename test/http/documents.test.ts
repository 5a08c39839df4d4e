import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { buildServeApp } from '../../server/cli/serve-commands.js';
import type { Config } from '../../src/config/index.js';
import { createLiveKnowledgeBase, type LiveKnowledgeBase } from '../../src/pipeline/compose/live.js';
import { acquireWriteLock } from '../../src/storage/file/write-lock.js';
import { CORPUS_DIR, ROOT, testConfig } from '../helpers.js';
import { encryptedPdf, makeZipBomb, rasterizePdf } from '../extract/fixtures.js';

const FORMATS = path.resolve(ROOT, '..', 'shared', 'formats', 'files');
const haveFormats = existsSync(FORMATS);
const ADMIN = 'admin-token-123';

interface Served {
  app: Express;
  config: Config;
  live: LiveKnowledgeBase;
}

const opened: LiveKnowledgeBase[] = [];
async function serve(env: Record<string, string> = {}): Promise<Served> {
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-http-docs-'));
  for (const f of ['yunfu.md', 'shenzhen.md']) await cp(path.join(CORPUS_DIR, f), path.join(corpus, f));
  const config = await testConfig({ CORPUS_DIR: corpus, POLICY_KB_TODAY: '2026-11-29', ...env });
  const live = createLiveKnowledgeBase(config, { autoIngest: true });
  opened.push(live);
  await live.ready;
  return { app: buildServeApp(config, live, (await import('../../src/shared/logger.js')).silentLogger).app, config, live };
}
afterAll(async () => {
  for (const live of opened) await live.close();
});

const search = (app: Express, query: string) => request(app).post('/api/search').set('content-type', 'application/json').send({ query, k: 5 });

describe('document writes with ADMIN_TOKEN', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve({ ADMIN_TOKEN: ADMIN });
  });

  it('refuses a write without the admin token (401) and changes nothing', async () => {
    const res = await request(s.app).post('/api/documents').attach('file', Buffer.from('甲\n第一条 规定。'), 'a.txt');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'unauthorized', error_description: 'this route changes the library: send Authorization: Bearer <ADMIN_TOKEN>' });
    expect((await request(s.app).del('/api/documents/yunfu')).status).toBe(401);
    expect((await request(s.app).get('/api/documents')).body.documents.map((d: { docId: string }) => d.docId)).toEqual(['shenzhen', 'yunfu']);
  });

  it.skipIf(!haveFormats)('uploads a PDF: 201, searchable when the call returns, with page and validity; the original downloads byte for byte', async () => {
    const bytes = await readFile(path.join(FORMATS, 'pdf-01.pdf'));
    const res = await request(s.app).post('/api/documents').set('authorization', `Bearer ${ADMIN}`).field('issuer', '国务院').field('status', '现行有效').attach('file', bytes, '城镇燃气管理条例.pdf');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ format: 'pdf', pages: 18, pageCount: 18, issuer: '国务院', outcome: 'added', searchable: true, validity: { status: 'in_force' } });
    const docId = res.body.docId as string;
    const hits = (await search(s.app, '燃气经营者停业要提前多久向主管部门报告')).body.results as { docId: string; page?: number; validity: { status: string } }[];
    const hit = hits.find((h) => h.docId === docId);
    expect(hit?.page).toBeGreaterThanOrEqual(1);
    expect(hit?.validity.status).toBe('in_force');
    const detail = await request(s.app).get(`/api/documents/${docId}`);
    expect(detail.body.pages).toHaveLength(18);
    expect(detail.body.pages[0]).toEqual({ page: 1, start: 0, end: expect.any(Number) });
    const original = await request(s.app).get(`/api/documents/${docId}/original`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(original.status).toBe(200);
    expect(Buffer.compare(original.body as Buffer, bytes)).toBe(0);
    expect(original.headers['content-disposition']).toBe(`attachment; filename="________.pdf"; filename*=UTF-8''${encodeURIComponent('城镇燃气管理条例.pdf')}`);
  });

  it('replaces a document in place (PUT) keeping unchanged passage ids, then deletes it (204)', async () => {
    const before = (await request(s.app).get('/api/documents/yunfu')).body;
    const ids = new Set((before.outline as { passageIds: string[] }[]).flatMap(function walk(n: { passageIds: string[]; children?: unknown[] }): string[] {
      return [...n.passageIds, ...((n.children ?? []) as { passageIds: string[] }[]).flatMap(walk)];
    }));
    const edited = (await readFile(path.join(CORPUS_DIR, 'yunfu.md'), 'utf8')).replace('一次性予以500万元落户奖励', '一次性予以800万元落户奖励');
    const put = await request(s.app).put('/api/documents/yunfu').set('authorization', `bearer ${ADMIN}`).attach('file', Buffer.from(edited), 'yunfu.md');
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ docId: 'yunfu', outcome: 'replaced' });
    const top = (await search(s.app, '云浮 世界500强 落户奖励')).body.results[0];
    expect(top.text).toContain('800万元');
    expect(ids.has(top.passageId)).toBe(false);
    const { body: detail } = await request(s.app).get('/api/documents/yunfu');
    const kept = (detail.outline as { passageIds: string[] }[]).flatMap(function walk(n: { passageIds: string[]; children?: unknown[] }): string[] {
      return [...n.passageIds, ...((n.children ?? []) as { passageIds: string[] }[]).flatMap(walk)];
    });
    expect([...new Set(kept.filter((id) => !ids.has(id)))]).toEqual([top.passageId]);
    expect((await request(s.app).del('/api/documents/yunfu').set('authorization', `Bearer ${ADMIN}`)).status).toBe(204);
    expect((await request(s.app).get('/api/documents/yunfu')).status).toBe(404);
    expect((await search(s.app, '云浮 落户奖励')).body.results.every((r: { docId: string }) => r.docId !== 'yunfu')).toBe(true);
    expect((await request(s.app).put('/api/documents/yunfu').set('authorization', `Bearer ${ADMIN}`).attach('file', Buffer.from(edited), 'yunfu.md')).status).toBe(404);
  });

  it('answers bad uploads with 413, 415, 422 and 400, naming the file, and stays healthy', async () => {
    const auth = { authorization: `Bearer ${ADMIN}` };
    const gif = Buffer.from('474946383961010001000000002c', 'hex');
    const unsupported = await request(s.app).post('/api/documents').set(auth).attach('file', gif, 'policy.pdf');
    expect(unsupported.status).toBe(415);
    expect(unsupported.body.error).toBe('unsupported_format');
    expect(unsupported.body.error_description).toContain('policy.pdf');
    const truncated = await request(s.app).post('/api/documents').set(auth).attach('file', Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog'), 'cut.pdf');
    expect(truncated.status).toBe(422);
    expect(truncated.body.error).toBe('document_unreadable');
    expect(truncated.body.error_description).toContain('cut.pdf');
    const noFile = await request(s.app).post('/api/documents').set(auth).field('title', 'x');
    expect(noFile.status).toBe(400);
    expect(noFile.body.error_description).toBe('no file: send the document in the multipart field "file"');
    const badField = await request(s.app).post('/api/documents').set(auth).field('effectiveFrom', '2016-13-45').attach('file', Buffer.from('第一条 规定。'), 'x.txt');
    expect(badField.status).toBe(400);
    expect(badField.body.error_description).toBe('effectiveFrom: is not a real calendar date');
    const json = await request(s.app).post('/api/documents').set(auth).set('content-type', 'application/json').send({ file: 'x' });
    expect(json.status).toBe(415);
    const traversal = await request(s.app).post('/api/documents').set(auth).attach('file', Buffer.from('乙办法\n第一条 规定。'), '../../etc/passwd.txt');
    expect(traversal.status).toBe(201);
    expect(traversal.body.docId).toBe('passwd');
    expect(existsSync(path.join(s.config.corpusDir, 'originals', 'passwd', 'passwd.txt'))).toBe(true);
    expect((await request(s.app).get('/readyz')).status).toBe(200);
  });

  it('answers 422 for a zip bomb and an encrypted PDF, naming each, and keeps serving', async () => {
    const auth = { authorization: `Bearer ${ADMIN}` };
    // A few hundred KiB that would inflate past the 200 MiB limit.
    const bomb = makeZipBomb('word/document.xml', 210 * 1024 * 1024, { '[Content_Types].xml': new TextEncoder().encode('<Types/>') });
    const bombRes = await request(s.app).post('/api/documents').set(auth).attach('file', Buffer.from(bomb), 'bomb.docx');
    expect(bombRes.status).toBe(422);
    expect(bombRes.body.error).toBe('document_unreadable');
    expect(bombRes.body.error_description).toContain('bomb.docx');
    const locked = await request(s.app).post('/api/documents').set(auth).attach('file', Buffer.from(encryptedPdf()), 'locked.pdf');
    expect(locked.status).toBe(422);
    expect(locked.body.error_description).toContain('locked.pdf');
    expect((await request(s.app).get('/readyz')).status).toBe(200);
  }, 60_000);

  it.skipIf(!haveFormats)('OCRs a scanned PDF and marks its citations as OCR text, with their page', async () => {
    const scanned = await rasterizePdf(await readFile(path.join(FORMATS, 'pdf-01.pdf')), 1, 1);
    const res = await request(s.app).post('/api/documents').set('authorization', `Bearer ${ADMIN}`).field('docId', 'scan').attach('file', Buffer.from(scanned), 'scan.pdf');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ docId: 'scan', format: 'pdf', pageCount: 1, ocr: true });
    const hits = (await request(s.app).post('/api/search').send({ query: '城镇燃气管理条例 总则', k: 5, docIds: ['scan'] })).body.results as { page: number; ocr?: boolean }[];
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0]).toMatchObject({ page: 1, ocr: true });
  }, 120_000);

  it('never replaces on POST: a second file of the same name gets its own docId, a taken docId is 409', async () => {
    const auth = { authorization: `Bearer ${ADMIN}` };
    const first = await request(s.app).post('/api/documents').set(auth).attach('file', Buffer.from('甲通知\n一、甲的规定。'), '通知.txt');
    const second = await request(s.app).post('/api/documents').set(auth).attach('file', Buffer.from('乙通知\n一、乙的规定。'), '通知.txt');
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.docId).not.toBe(first.body.docId);
    expect((await request(s.app).get(`/api/documents/${first.body.docId as string}`)).body.body).toContain('甲的规定');
    const taken = await request(s.app).post('/api/documents').set(auth).field('docId', 'shenzhen').attach('file', Buffer.from('丙\n一、丙。'), 'c.txt');
    expect(taken.status).toBe(409);
    expect(taken.body).toEqual({ error: 'doc_exists', error_description: expect.stringMatching(/^docId "shenzhen" is already used by 《深圳市促进大数据发展行动计划\(2016—2018年\)》; adding never replaces a document/u) });
  });

  it('refuses an upload over UPLOAD_MAX_MB with 413', async () => {
    const small = await serve({ ADMIN_TOKEN: ADMIN, UPLOAD_MAX_MB: '1' });
    const res = await request(small.app).post('/api/documents').set('authorization', `Bearer ${ADMIN}`).attach('file', Buffer.alloc(1024 * 1024 + 10, 0x41), 'big.txt');
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'payload_too_large', error_description: 'the file is larger than UPLOAD_MAX_MB (1 MiB)' });
  });

  it('answers 409 naming the holder when another writer keeps the lock', async () => {
    const lock = await acquireWriteLock(s.config.indexDir, { owner: 'kb add' });
    try {
      const started = Date.now();
      const res = await request(s.app).post('/api/documents').set('authorization', `Bearer ${ADMIN}`).attach('file', Buffer.from('丙办法\n第一条 规定。'), 'c.txt');
      expect(res.status).toBe(409);
      expect(res.body.error).toBe('write_locked');
      expect(res.body.error_description).toMatch(/^the index in .+ is being written by kb add \(pid \d+ on .+, since .+\) after waiting 15\.0 s; wait for it to finish and run the command again$/u);
      expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
    } finally {
      await lock.release();
    }
  }, 60_000);
});

describe('document writes without ADMIN_TOKEN', () => {
  it('are allowed on a loopback-only server from its own page, never from another site', async () => {
    const s = await serve();
    const foreign = await request(s.app).post('/api/documents').set('origin', 'https://evil.example').attach('file', Buffer.from('丁\n第一条 规定。'), 'd.txt');
    expect(foreign.status).toBe(403);
    const crossSite = await request(s.app).post('/api/documents').set('sec-fetch-site', 'cross-site').attach('file', Buffer.from('丁\n第一条 规定。'), 'd.txt');
    expect(crossSite.status).toBe(403);
    const own = await request(s.app).post('/api/documents').set('sec-fetch-site', 'same-origin').attach('file', Buffer.from('丁办法\n第一条 规定。'), 'd.txt');
    expect(own.status).toBe(201);
  });

  it('are refused (403) on a server that listens beyond loopback', async () => {
    const s = await serve({ HOST: '0.0.0.0' });
    const res = await request(s.app).post('/api/documents').attach('file', Buffer.from('戊\n第一条 规定。'), 'e.txt');
    expect(res.status).toBe(403);
    expect(res.body.error_description).toBe('writes are disabled: this server listens beyond loopback and no ADMIN_TOKEN is set; set ADMIN_TOKEN to allow uploads');
  });
});
