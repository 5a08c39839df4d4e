/**
 * A server whose index cannot be loaded says so: readyz answers `failed` with the reason and what to
 * do, and an index folder it cannot read is not taken for "no index yet" (which would ingest over it).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { createLogger } from '../../src/shared/logger.js';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../server/http/app.js';
import { currentVersion, indexRoot, INDEX_FORMAT_VERSION } from '../../src/storage/file/index-store.js';
import { createLiveKnowledgeBase } from '../../src/pipeline/compose/live.js';
import { runCli } from '../../server/cli/main.js';
import { captureIo, CORPUS_DIR, MODELS_DIR, testConfig } from '../helpers.js';

describe('a failed first load', () => {
  it('calls an index folder that is a file unreadable, not missing, and readyz says failed with what to do', async () => {
    const config = await testConfig();
    await writeFile(indexRoot(config.indexDir), 'not a folder');
    await expect(currentVersion(config.indexDir)).rejects.toMatchObject({ code: 'index_unreadable', message: `cannot read ${path.join(indexRoot(config.indexDir), 'CURRENT')} (ENOTDIR); make ${config.indexDir} a folder this user can read and write, or set INDEX_DIR to one` });
    const live = createLiveKnowledgeBase(config, { autoIngest: true });
    await expect(live.ready).rejects.toMatchObject({ code: 'index_unreadable' });
    const app = createApp({ getService: live.current, getLoadError: live.loadError });
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('failed');
    expect(ready.body.reason).toMatch(/^cannot read .*CURRENT \(ENOTDIR\); make .* a folder this user can read and write, or set INDEX_DIR to one; then restart the server$/u);
    await live.close();
  });

  it('calls a CURRENT that is a folder unreadable', async () => {
    const config = await testConfig();
    await mkdir(path.join(indexRoot(config.indexDir), 'CURRENT'), { recursive: true });
    await expect(currentVersion(config.indexDir)).rejects.toMatchObject({ code: 'index_unreadable' });
  });

  it('rebuilds at start an index an older build made (another format), so an upgrade just serves', async () => {
    const config = await testConfig();
    const env = { CORPUS_DIR, MODELS_DIR, INDEX_DIR: config.indexDir };
    expect(await runCli(['ingest'], captureIo(env))).toBe(0);
    const version = (await currentVersion(config.indexDir)) as string;
    const manifestFile = path.join(indexRoot(config.indexDir), version, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { formatVersion: number };
    // Format 2: what this build no longer reads (format 3, the full build of format 4, still loads).
    await writeFile(manifestFile, JSON.stringify({ ...manifest, formatVersion: 2 }));
    let log = '';
    const live = createLiveKnowledgeBase(config, { autoIngest: true, logger: createLogger({ write: (s: string) => (log += s) }) });
    await live.ready;
    expect(live.current()?.store.info.version).not.toBe(version);
    expect(live.current()?.store.info.documents).toBe(8);
    // One line says why, without telling the operator to run what is running by itself.
    const rebuilding = log.split('\n').filter((l) => l.includes('rebuilding'));
    expect(rebuilding).toHaveLength(1);
    expect(JSON.parse(rebuilding[0] as string)).toMatchObject({ level: 'warn', msg: 'index made by another build of policy-kb; rebuilding it from the corpus', reason: `index format is version 2; this build reads version ${INDEX_FORMAT_VERSION}` });
    expect(log).not.toContain('no index yet');
    await live.close();
  }, 60_000);

  it('loads the index once a rebuild replaces a damaged one, without a restart', async () => {
    const config = await testConfig();
    const env = { CORPUS_DIR, MODELS_DIR, INDEX_DIR: config.indexDir };
    expect(await runCli(['ingest'], captureIo(env))).toBe(0);
    const version = (await currentVersion(config.indexDir)) as string;
    const documentsFile = path.join(indexRoot(config.indexDir), version, 'documents.bin');
    const bytes = await readFile(documentsFile);
    bytes[100] = (bytes[100] as number) ^ 0xff;
    await writeFile(documentsFile, bytes);
    const live = createLiveKnowledgeBase(config, { autoIngest: true });
    await expect(live.ready).rejects.toMatchObject({ code: 'index_corrupt' });
    expect(live.current()).toBeUndefined();
    expect(await runCli(['ingest', '--rebuild'], captureIo(env))).toBe(0);
    const deadline = Date.now() + 20_000;
    while (!live.current() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(live.current()?.store.info.version).toBe(await currentVersion(config.indexDir));
    expect(live.loadError()).toBeUndefined();
    expect((await live.current()?.search('云浮数据中心电费补贴'))?.results.length).toBeGreaterThan(0);
    await live.close();
  }, 60_000);

  it('reports an index built for another configuration with the command to run', async () => {
    const config = await testConfig();
    const env = { CORPUS_DIR, MODELS_DIR, INDEX_DIR: config.indexDir };
    expect(await runCli(['ingest'], captureIo(env))).toBe(0);
    const other = await testConfig({ INDEX_DIR: config.indexDir, CHUNK_MAX_CHARS: '300' });
    const live = createLiveKnowledgeBase(other, { autoIngest: true });
    await expect(live.ready).rejects.toMatchObject({ code: 'index_mismatch' });
    expect(live.loadError()).toMatch(/max 400, min 100\); this configuration uses v\d+ \(max 300, min 100\); run `npm run -s kb -- ingest --rebuild`; then restart the server$/u);
    const ready = await request(createApp({ getService: live.current, getLoadError: live.loadError })).get('/readyz');
    expect(ready.body.status).toBe('failed');
    await live.close();
  }, 60_000);
});
