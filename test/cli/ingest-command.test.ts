import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../server/cli/main.js';
import { captureIo, CORPUS_DIR, MODELS_DIR } from '../helpers.js';

const ALL = ['ai-plan', 'dongguan', 'hebei', 'huizhou', 'qingyuan', 'shenzhen', 'yunfu', 'zhongshan'];

async function freshEnv(): Promise<Record<string, string>> {
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-cli-ingest-'));
  await cp(CORPUS_DIR, corpus, { recursive: true });
  const index = await mkdtemp(path.join(tmpdir(), 'kb-cli-index-'));
  return { CORPUS_DIR: corpus, MODELS_DIR, INDEX_DIR: index, LOG_LEVEL: 'warn' };
}

async function run(env: Record<string, string>, ...argv: string[]): Promise<{ code: number; out: string }> {
  const io = captureIo(env);
  const code = await runCli(argv, io);
  return { code, out: io.out() };
}

describe('kb ingest with worker threads', () => {
  it('says how many worker threads embedded, and its progress lines give the rate and the time left', { timeout: 120_000 }, async () => {
    const env = await freshEnv();
    // The 361 passages of the corpus are below the worker threshold unless every file is there 3 times.
    for (const copy of ['a', 'b', 'c']) {
      for (const id of ALL) {
        const text = await readFile(path.join(env.CORPUS_DIR as string, `${id}.md`), 'utf8');
        await writeFile(path.join(env.CORPUS_DIR as string, `${id}-${copy}.md`), text.replace(`docId: ${id}`, `docId: ${id}-${copy}`));
      }
    }
    const io = captureIo({ ...env, INGEST_WORKERS: '2' });
    expect(await runCli(['ingest'], io)).toBe(0);
    expect(io.out()).toMatch(/^embedded (\d+) chunks in [\d.]+ s \([\d.]+ chunks\/s, 2 worker threads\)$/mu);
    expect(io.err()).toMatch(/^embedding {2}\[#+\.*\] \d+\/\d+ \d+% [\d.]+\/s [\d.]+s ETA \d+(s|m\d\ds)$/mu);
    const json = captureIo({ ...env, INGEST_WORKERS: '1' });
    expect(await runCli(['ingest', '--rebuild', '--json'], json)).toBe(0);
    expect(JSON.parse(json.out())).toMatchObject({ workers: 1 });
  });
});

describe('kb ingest summary', () => {
  it('prints counts and no docIds by default', async () => {
    const env = await freshEnv();
    const { code, out } = await run(env, 'ingest');
    expect(code).toBe(0);
    expect(out).toMatch(/^indexed 8 documents, \d+ passages in /u);
    expect(out).toContain('documents: 8 added, 0 changed, 0 removed, 0 unchanged\n');
    expect(out).toContain('(--verbose or --json lists the docIds)\n');
    for (const id of ALL) expect(out).not.toContain(id);
  });

  it('lists the docIds of each outcome with --verbose', async () => {
    const env = await freshEnv();
    expect((await run(env, 'ingest')).code).toBe(0);
    const file = path.join(env.CORPUS_DIR as string, 'yunfu.md');
    await writeFile(file, (await readFile(file, 'utf8')).replace('试行期三年', '试行期五年'));
    await rm(path.join(env.CORPUS_DIR as string, 'hebei.md'));
    const { code, out } = await run(env, 'ingest', '--verbose');
    expect(code).toBe(0);
    expect(out).toContain('documents: 0 added, 1 changed, 1 removed, 6 unchanged\nadded: -\nchanged: yunfu\nremoved: hebei\n');
    expect(out).not.toContain('--verbose or --json');
  });

  it('keeps every id list in --json and adds the counts', async () => {
    const env = await freshEnv();
    const { code, out } = await run(env, 'ingest', '--json');
    expect(code).toBe(0);
    const json = JSON.parse(out) as Record<string, unknown>;
    expect(json).toMatchObject({ upToDate: false, documents: 8, added: ALL, changed: [], removed: [], unchanged: [], kept: [], fileErrors: [] });
    expect(json.counts).toEqual({ added: 8, changed: 0, removed: 0, unchanged: 0, kept: 0 });
    for (const key of ['passages', 'embedded', 'seconds', 'embedSeconds', 'chunksPerSecond', 'version', 'rebuildReason']) expect(json).toHaveProperty(key);
  });
});
