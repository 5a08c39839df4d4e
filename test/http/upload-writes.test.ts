/**
 * The write path as HTTP clients meet it: the same bytes again (409 naming the document that holds
 * them, unless a copy is asked for), the cap on library changes in flight, disk errors.
 */
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { buildServeApp } from '../../server/cli/serve-commands.js';
import type { Config } from '../../src/config/index.js';
import { createLiveKnowledgeBase, type LiveKnowledgeBase } from '../../src/pipeline/live.js';
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
