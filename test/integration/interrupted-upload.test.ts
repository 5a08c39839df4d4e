/**
 * A write killed (SIGKILL, a real process) in the middle of its index step: the corpus already holds
 * the new file, the index does not. After a restart the same upload must index it — not answer
 * `unchanged` with `searchable: false` while the document stays 404.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServeApp } from '../../server/cli/serve-commands.js';
import { loadConfig } from '../../src/config/index.js';
import { currentVersion } from '../../src/storage/file/index-store.js';
import { createLiveKnowledgeBase, type LiveKnowledgeBase } from '../../src/pipeline/compose/live.js';
import { silentLogger } from '../../src/shared/logger.js';
import { CLI_ENTRY, CORPUS_DIR, MODELS_DIR, ROOT } from '../helpers.js';

const ADMIN = 'interrupted-admin-token';
const lives: LiveKnowledgeBase[] = [];
afterAll(async () => {
  for (const live of lives) await live.close();
});

/** A text of `articles` articles: enough passages that indexing it takes a while. */
function bigText(articles: number): string {
  const lines = ['某市公共数据资源管理办法'];
  for (let i = 1; i <= articles; i += 1) lines.push(`第${i}条 第${i}项公共数据应当按照目录编制要求报送数据主管部门，并于每年${(i % 12) + 1}月底前完成更新和质量核查。`);
  return lines.join('\n');
}

const runCli = (args: string[], env: Record<string, string>) =>
  spawn(process.execPath, [CLI_ENTRY, ...args], { env: { ...process.env, ...env }, cwd: ROOT, stdio: 'ignore' });

async function exited(child: ReturnType<typeof spawn>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
}

describe('an upload killed in its index step', () => {
  it('is indexed by the same upload after a restart', { timeout: 240_000 }, async () => {
    const corpus = await mkdtemp(path.join(tmpdir(), 'kb-killed-'));
    for (const f of ['yunfu.md', 'hebei.md']) await cp(path.join(CORPUS_DIR, f), path.join(corpus, f));
    const env = { CORPUS_DIR: corpus, INDEX_DIR: await mkdtemp(path.join(tmpdir(), 'kb-killed-idx-')), MODELS_DIR, ADMIN_TOKEN: ADMIN };
    const ingest = runCli(['ingest'], env);
    await exited(ingest);
    expect(ingest.exitCode).toBe(0);
    const before = await currentVersion(env.INDEX_DIR);
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'kb-killed-src-')), 'gongshu.txt');
    const bytes = Buffer.from(bigText(1500));
    await writeFile(file, bytes);

    // `kb add` writes the corpus files, then indexes: killed as soon as the text is in the corpus.
    const add = runCli(['add', file], env);
    const text = path.join(corpus, 'gongshu.md');
    while (!existsSync(text) && add.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    const killedWhileIndexing = add.exitCode === null;
    add.kill('SIGKILL');
    await exited(add);
    expect(killedWhileIndexing).toBe(true);
    expect(existsSync(text)).toBe(true);
    expect(await currentVersion(env.INDEX_DIR)).toBe(before);

    // A restarted server: the document is not there yet; the same upload indexes it.
    const config = loadConfig({ ...env, POLICY_KB_TODAY: '2026-11-29' });
    const live = createLiveKnowledgeBase(config, { autoIngest: true });
    lives.push(live);
    await live.ready;
    const { app } = buildServeApp(config, live, silentLogger);
    expect((await request(app).get('/api/documents/gongshu')).status).toBe(404);
    const res = await request(app).post('/api/documents').set('authorization', `Bearer ${ADMIN}`).attach('file', bytes, 'gongshu.txt');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ docId: 'gongshu', outcome: 'added', searchable: true });
    expect(res.body.passages).toBeGreaterThan(100);
    expect((await request(app).get('/api/documents/gongshu')).status).toBe(200);
    // Sent once more, it is unchanged and searchable.
    const again = await request(app).post('/api/documents').set('authorization', `Bearer ${ADMIN}`).attach('file', bytes, 'gongshu.txt');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ docId: 'gongshu', outcome: 'unchanged', searchable: true });
  });
});
