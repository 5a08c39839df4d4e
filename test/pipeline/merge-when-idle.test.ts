/**
 * A server merges due index segments in the background only once writes stop for a while
 * (served-library.ts, MERGE_AFTER_IDLE_MS): a merge started right after a write made the next upload
 * of a batch wait for it (~4 s instead of ~1.8 s at the library's size).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLiveKnowledgeBase, type LiveKnowledgeBase } from '../../src/pipeline/compose/live.js';
import { servedLibrary } from '../../src/pipeline/compose/served-library.js';
import { MERGE_POLICY } from '../../src/storage/file/index-compaction.js';
import { readManifest } from '../../src/storage/file/index-store.js';
import { CORPUS_DIR, testConfig } from '../helpers.js';

const segmentsOf = async (indexDir: string): Promise<number> => (await readManifest(indexDir))?.manifest.chain?.segments.length ?? 0;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let live: LiveKnowledgeBase | undefined;
let dir: string | undefined;
afterAll(async () => {
  await live?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('background merges of a served library', () => {
  it('wait until no write came for the idle time, then merge', { timeout: 180_000 }, async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kb-merge-idle-'));
    await cp(path.join(CORPUS_DIR, 'yunfu.md'), path.join(dir, 'corpus', 'yunfu.md'), { recursive: true });
    const config = await testConfig({ CORPUS_DIR: path.join(dir, 'corpus'), INDEX_DIR: path.join(dir, 'index'), POLICY_KB_TODAY: '2026-11-29' });
    live = createLiveKnowledgeBase(config, { autoIngest: true });
    await live.ready;
    const idleMs = 5_000;
    const library = servedLibrary(config, live, undefined, { mergeAfterIdleMs: idleMs });
    expect(library).toBeDefined();
    const due = MERGE_POLICY.due.segments;
    for (let i = 0; i < due; i += 1) {
      const text = `某市第${i + 1}号测试办法\n第一条 本办法第${i + 1}次测试合并的时机。`;
      const change = await library?.add([{ bytes: new TextEncoder().encode(text), fileName: `merge-${i}.txt`, mode: 'add' }]);
      expect(change?.failures).toEqual([]);
    }
    const written = Date.now();
    expect(await segmentsOf(config.indexDir)).toBe(due);
    // Well inside the idle time: nothing merged yet (a merge right after the write took well under this here).
    await sleep(1_500);
    if (Date.now() - written < idleMs - 1_000) expect(await segmentsOf(config.indexDir)).toBe(due);
    // After it: merged into one build, and served.
    let segments: number = due;
    for (let waited = 0; waited < 60_000 && segments > 0; waited += 250) {
      await sleep(250);
      segments = await segmentsOf(config.indexDir);
    }
    expect(segments).toBe(0);
    const names = [...((await live.current()?.catalog()) ?? new Map()).keys()];
    expect(names.filter((n) => n.startsWith('merge-'))).toHaveLength(due);
  });
});
