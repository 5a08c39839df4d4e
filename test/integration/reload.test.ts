/**
 * Never lose the index: a re-ingest while the server runs swaps it atomically under load with zero
 * failed requests; a corrupted new index is refused and the last good one keeps serving.
 */
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../server/cli/main.js';
import { indexRoot } from '../../src/storage/file/index-store.js';
import { captureIo, CORPUS_DIR, MODELS_DIR, testConfig } from '../helpers.js';
import { startServe, type RunningServer } from './servers.js';

let env: Record<string, string>;
let server: RunningServer;

beforeAll(async () => {
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-reload-corpus-'));
  await cp(CORPUS_DIR, corpus, { recursive: true });
  const config = await testConfig({ CORPUS_DIR: corpus });
  env = { CORPUS_DIR: corpus, MODELS_DIR, INDEX_DIR: config.indexDir, LOG_LEVEL: 'warn' };
  expect(await runCli(['ingest'], captureIo(env))).toBe(0);
  server = await startServe(env);
}, 120_000);

afterAll(async () => server?.stop());

async function search(query: string): Promise<{ status: number; texts: string[] }> {
  const res = await fetch(`${server.url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, k: 3 }) });
  const body = (await res.json()) as { results?: { text: string }[] };
  return { status: res.status, texts: (body.results ?? []).map((r) => r.text) };
}

describe('hot index reload', () => {
  it('swaps to a re-ingested index under load with zero failed requests', async () => {
    let ok = 0;
    const failures: string[] = [];
    let running = true;
    const worker = async (): Promise<void> => {
      while (running) {
        try {
          const r = await search('云浮优惠办法试行期');
          if (r.status === 200 && r.texts.length > 0) ok += 1;
          else failures.push(`status ${r.status}`);
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const workers = Array.from({ length: 4 }, () => worker());
    const file = path.join(env.CORPUS_DIR as string, 'yunfu.md');
    await writeFile(file, (await readFile(file, 'utf8')).replace('试行期三年', '试行期五年'));
    expect(await runCli(['ingest'], captureIo(env))).toBe(0);
    const deadline = Date.now() + 20_000;
    let swapped = false;
    while (!swapped && Date.now() < deadline) {
      swapped = (await search('云浮 试行期五年')).texts.some((t) => t.includes('试行期五年'));
      if (!swapped) await new Promise((r) => setTimeout(r, 200));
    }
    running = false;
    await Promise.all(workers);
    expect(swapped).toBe(true);
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(20);
  }, 60_000);

  it('refuses a corrupted new index and keeps serving the last good one', async () => {
    const before = (await (await fetch(`${server.url}/readyz`)).json()) as { index: { version: string } };
    const root = indexRoot(env.INDEX_DIR as string);
    const bad = path.join(root, 'v-zzzzzzzz-bad');
    // A full build to corrupt: the live version's own folder, or the one its delta segments apply to.
    const live = JSON.parse(await readFile(path.join(root, before.index.version, 'manifest.json'), 'utf8')) as { chain?: { base: string } };
    await cp(path.join(root, live.chain?.base ?? before.index.version), bad, { recursive: true });
    await writeFile(path.join(bad, 'bm25.bin'), '{"truncated');
    await mkdir(root, { recursive: true });
    await writeFile(path.join(root, 'CURRENT'), 'v-zzzzzzzz-bad\n');
    await new Promise((r) => setTimeout(r, 2500));
    const after = (await (await fetch(`${server.url}/readyz`)).json()) as { index: { version: string } };
    expect(after.index.version).toBe(before.index.version);
    expect((await search('云浮第十条')).status).toBe(200);
    expect(server.stderr()).toMatch(/index reload failed; still serving the last good index.*index file bm25\.bin has \d+ bytes; the manifest says \d+ bytes/u);
    // Put the good index back so nothing after this test is surprised.
    await writeFile(path.join(root, 'CURRENT'), `${before.index.version}\n`);
  }, 30_000);
});
