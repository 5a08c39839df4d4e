/**
 * Issue 25.10: warnings on docIds that differ only in case or are Windows device names, on bidi
 * characters in names, and on ADMIN_TOKEN equal to API_TOKEN; through the upload route and `kb add`.
 */
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../server/cli/main.js';
import { buildServeApp } from '../../server/cli/serve-commands.js';
import { configWarnings, loadConfig } from '../../src/config/index.js';
import { createLiveKnowledgeBase, type LiveKnowledgeBase } from '../../src/pipeline/compose/live.js';
import { silentLogger } from '../../src/shared/logger.js';
import { bidiWarning, docIdWarnings, libraryNameWarnings } from '../../src/shared/names.js';
import { captureIo, CORPUS_DIR, MODELS_DIR, testConfig } from '../helpers.js';

const RLO = '\u202e';

describe('docIdWarnings', () => {
  it('names every docId that differs only in case, and Windows device names', () => {
    expect(docIdWarnings('Yunfu', ['yunfu', 'shenzhen', 'YUNFU'])).toEqual(['docId "Yunfu" differs from "YUNFU", "yunfu" only in case: on Windows and macOS their files collide; give one another docId']);
    expect(docIdWarnings('con', [])).toEqual(['docId "con" is a Windows device name: its files cannot be created there; give the document another docId']);
    for (const id of ['NUL', 'aux', 'Com1', 'LPT9', 'prn']) expect(docIdWarnings(id, []), id).toHaveLength(1);
    for (const id of ['yunfu', 'console', 'com10', 'nul-2', 'lpt', 'auxiliary']) expect(docIdWarnings(id, ['shenzhen']), id).toEqual([]);
  });

  it('over a library, names each group of case twins once, with all its other members', () => {
    const docs = ['Yunfu', 'shenzhen', 'yunfu', 'YUNFU', 'Shenzhen', 'dongguan'].map((docId) => ({ docId, title: docId }));
    expect(libraryNameWarnings(docs)).toEqual([
      'docId "Yunfu" differs from "YUNFU", "yunfu" only in case: on Windows and macOS their files collide; give one another docId',
      'docId "shenzhen" differs from "Shenzhen" only in case: on Windows and macOS their files collide; give one another docId',
    ]);
  });

  it('flags bidirectional control characters in names, naming the code point', () => {
    expect(bidiWarning('the file name', `invoice${RLO}fdp.exe`)).toBe('the file name holds the bidirectional control character U+202E, which changes how it displays; check it and remove the character');
    expect(bidiWarning('the title', '关于\u2066数据\u2069的通知')).toMatch(/U\+2066/u);
    expect(bidiWarning('the title', '关于印发《云浮市促进云计算大数据产业发展优惠办法(试行)》的通知')).toBeUndefined();
    expect(libraryNameWarnings([{ docId: 'a', title: 'x' }, { docId: 'A', title: `y${RLO}` }, { docId: 'aux', title: 'z', originalName: `f\u200f.pdf` }])).toEqual([
      'docId "a" differs from "A" only in case: on Windows and macOS their files collide; give one another docId',
      'the title of "A" holds the bidirectional control character U+202E, which changes how it displays; check it and remove the character',
      'docId "aux" is a Windows device name: its files cannot be created there; give the document another docId',
      'the file name of "aux" holds the bidirectional control character U+200F, which changes how it displays; check it and remove the character',
    ]);
  });
});

describe('configWarnings', () => {
  it('warns when ADMIN_TOKEN equals API_TOKEN, and only then', () => {
    expect(configWarnings(loadConfig({ API_TOKEN: 'same-token-123', ADMIN_TOKEN: 'same-token-123' }))).toEqual(['ADMIN_TOKEN equals API_TOKEN: everyone who may read may also upload, replace and delete documents; set a different ADMIN_TOKEN']);
    expect(configWarnings(loadConfig({ API_TOKEN: 'read-token-123', ADMIN_TOKEN: 'write-token-123' }))).toEqual([]);
    expect(configWarnings(loadConfig({}))).toEqual([]);
  });
});

const lives: LiveKnowledgeBase[] = [];
afterAll(async () => {
  for (const live of lives) await live.close();
});

async function smallCorpus(): Promise<string> {
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-names-'));
  for (const f of ['yunfu.md', 'shenzhen.md']) await cp(path.join(CORPUS_DIR, f), path.join(corpus, f));
  return corpus;
}

const NOTICE = Buffer.from('# 关于数据中心用电的通知\n\n第一条 数据中心用电按大工业电价执行。\n');

describe('adding documents with such names', () => {
  it('answers the upload with the warnings, and still adds the document', async () => {
    const config = await testConfig({ CORPUS_DIR: await smallCorpus(), POLICY_KB_TODAY: '2026-11-29' });
    const live = createLiveKnowledgeBase(config, { autoIngest: true });
    lives.push(live);
    await live.ready;
    const app = buildServeApp(config, live, silentLogger).app;
    const twin = await request(app).post('/api/documents').field('docId', 'Yunfu').attach('file', NOTICE, `notice${RLO}txt.md`);
    expect(twin.status).toBe(201);
    expect(twin.body.docId).toBe('Yunfu');
    expect(twin.body.warnings).toEqual([
      'docId "Yunfu" differs from "yunfu" only in case: on Windows and macOS their files collide; give one another docId',
      'the file name holds the bidirectional control character U+202E, which changes how it displays; check it and remove the character',
    ]);
    // Other bytes: the same bytes again would be refused as a duplicate (409 duplicate_document).
    const device = await request(app).post('/api/documents').field('docId', 'nul').attach('file', Buffer.from(`${NOTICE.toString()}第二条 本通知自印发之日起施行。\n`), 'nul.md');
    expect(device.status).toBe(201);
    expect(device.body.warnings).toEqual(['docId "nul" is a Windows device name: its files cannot be created there; give the document another docId']);
  }, 120_000);

  it('prints them under `kb add`', async () => {
    const corpus = await smallCorpus();
    const config = await testConfig({ CORPUS_DIR: corpus });
    const env = { CORPUS_DIR: corpus, MODELS_DIR, INDEX_DIR: config.indexDir };
    expect(await runCli(['ingest'], captureIo(env))).toBe(0);
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'kb-names-file-')), 'SHENZHEN.md');
    await (await import('node:fs/promises')).writeFile(file, NOTICE);
    const io = captureIo(env);
    expect(await runCli(['add', file], io)).toBe(0);
    expect(io.out()).toContain('warning: docId "SHENZHEN" differs from "shenzhen" only in case: on Windows and macOS their files collide; give one another docId');
  }, 120_000);
});
