/**
 * `npm run bench:snapshot`: size of the index snapshot on disk (per file) and the time and memory
 * to load it, for the corpus and a synthetic corpus 100× larger (28k passages). Each corpus is
 * ingested once; each load runs in a fresh process (5 loads, median and all reported).
 * Figures are printed, not asserted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.js';
import { currentVersion, indexRoot, loadIndex } from '../src/storage/file/index-store.js';
import { ingest } from '../src/pipeline/ingest/ingest.js';
import { ingestOptionsFor } from '../src/pipeline/compose/open.js';
import { createEmbeddingRuntime, expectationsFor } from '../src/pipeline/compose/runtime.js';
import { synthesize } from './synthetic.js';

const self = fileURLToPath(import.meta.url);
const copies = Number(process.env.BENCH_COPIES ?? 100);

async function loadOnce(indexDir: string): Promise<void> {
  const config = loadConfig({ ...process.env, INDEX_DIR: indexDir });
  const { embedder } = await createEmbeddingRuntime(config);
  global.gc?.();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const kb = await loadIndex(indexDir, expectationsFor(config, embedder));
  const ms = performance.now() - t0;
  global.gc?.();
  const after = process.memoryUsage();
  console.log(JSON.stringify({ ms, passages: kb.passages.length, heapMB: (after.heapUsed - before.heapUsed) / 1e6, rssMB: (after.rss - before.rss) / 1e6 }));
}

async function scenario(name: string, corpusDir: string): Promise<void> {
  const indexDir = await mkdtemp(path.join(tmpdir(), 'kb-snap-'));
  const config = loadConfig({ ...process.env, CORPUS_DIR: corpusDir, INDEX_DIR: indexDir });
  const { embedder, profile } = await createEmbeddingRuntime(config);
  const t0 = performance.now();
  const summary = await ingest(ingestOptionsFor(config, embedder, profile));
  const ingestSeconds = (performance.now() - t0) / 1000;
  await embedder.dispose?.();
  const dir = path.join(indexRoot(indexDir), (await currentVersion(indexDir)) as string);
  const files: string[] = [];
  let total = 0;
  for (const f of (await readdir(dir)).sort()) {
    const size = (await stat(path.join(dir, f))).size;
    total += size;
    files.push(`${f} ${(size / 1e6).toFixed(2)}`);
  }
  const loads: { ms: number; heapMB: number; rssMB: number }[] = [];
  for (let i = 0; i < 5; i += 1) {
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--load', indexDir], { encoding: 'utf8' });
    loads.push(JSON.parse(out.trim().split('\n').pop() as string) as { ms: number; heapMB: number; rssMB: number });
  }
  const median = [...loads].sort((a, b) => a.ms - b.ms)[2] as { ms: number; heapMB: number; rssMB: number };
  console.log(`${name}: ${summary.passages} passages (ingest ${ingestSeconds.toFixed(1)} s)  snapshot ${(total / 1e6).toFixed(2)} MB [${files.join(', ')} MB]  load median ${median.ms.toFixed(0)} ms [${loads.map((l) => l.ms.toFixed(0)).join(', ')}]  heap +${median.heapMB.toFixed(0)} MB  RSS +${median.rssMB.toFixed(0)} MB`);
  await rm(indexDir, { recursive: true, force: true });
}

const [mode, arg] = process.argv.slice(2);
if (mode === '--load') await loadOnce(arg as string);
else {
  console.log(`bench:snapshot on ${process.platform} ${process.arch}, node ${process.version}, ${new Date().toISOString()}`);
  if (!process.env.BENCH_SKIP_REAL) await scenario('corpus (8 docs)', 'corpus');
  if (copies > 0) {
    const dir = await mkdtemp(path.join(tmpdir(), 'kb-synth-'));
    await synthesize(copies, dir);
    await scenario(`synthetic ${copies}x`, dir);
    await rm(dir, { recursive: true, force: true });
  }
}
