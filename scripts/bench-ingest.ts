/**
 * `npm run bench:ingest`: full ingest of the corpus with the default model (time, chunks/s, peak
 * memory, index size), the embedding batch size sweep, and the same for a synthetic corpus 100×
 * larger (the real documents repeated with perturbations), then extraction speed per format
 * (scripts/bench-extract.ts). Each scenario runs in its own process so
 * that peak memory is its own. Figures are printed, not asserted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.js';
import { dirSize, synthesize } from './synthetic.js';
import { loadCorpus } from '../src/pipeline/library/corpus.js';
import { ingest } from '../src/pipeline/ingest/ingest.js';
import { ingestOptionsFor } from '../src/pipeline/compose/open.js';
import { createEmbeddingRuntime } from '../src/pipeline/compose/runtime.js';

const self = fileURLToPath(import.meta.url);



async function scenario(name: string, corpusDir: string, batchSize?: number): Promise<void> {
  const indexDir = await mkdtemp(path.join(tmpdir(), 'kb-bench-'));
  const config = loadConfig({ ...process.env, CORPUS_DIR: corpusDir, INDEX_DIR: indexDir, ...(batchSize ? { EMBED_BATCH_SIZE: String(batchSize) } : {}) });
  const { embedder, profile } = await createEmbeddingRuntime(config);
  const t0 = performance.now();
  const s = await ingest(ingestOptionsFor(config, embedder, profile));
  const seconds = (performance.now() - t0) / 1000;
  const size = await dirSize(indexDir);
  const peak = process.resourceUsage().maxRSS / 1024;
  console.log(`${name.padEnd(22)} docs ${String(s.documents).padStart(5)}  chunks ${String(s.passages).padStart(6)}  total ${seconds.toFixed(2).padStart(7)} s  embed ${s.embedSeconds.toFixed(2).padStart(6)} s  ${s.chunksPerSecond.toFixed(0).padStart(5)} chunks/s  peak RSS ${peak.toFixed(0).padStart(5)} MB  index ${(size / 1e6).toFixed(1).padStart(6)} MB`);
  await rm(indexDir, { recursive: true, force: true });
}

async function batchSweep(): Promise<void> {
  const config = loadConfig(process.env);
  const { embedder } = await createEmbeddingRuntime(config);
  const texts = (await loadCorpus('corpus')).documents.flatMap((d) => d.chunks.map((c) => c.indexText));
  for (const size of [1, 8, 16, 32, 64, 128]) {
    const t0 = performance.now();
    for (let i = 0; i < texts.length; i += size) await embedder.embedDocuments(texts.slice(i, i + size));
    const s = (performance.now() - t0) / 1000;
    console.log(`batch ${String(size).padStart(4)}: ${texts.length} chunks in ${s.toFixed(2)} s = ${(texts.length / s).toFixed(0)} chunks/s`);
  }
}

const [mode, arg] = process.argv.slice(2);
if (mode === '--scenario') {
  if (arg === 'real') await scenario('corpus (8 docs)', 'corpus');
  else if (arg === 'synthetic') {
    const dir = await mkdtemp(path.join(tmpdir(), 'kb-synth-'));
    await synthesize(100, dir);
    await scenario('synthetic 100x', dir);
    await rm(dir, { recursive: true, force: true });
  } else if (arg === 'batch') await batchSweep();
} else {
  console.log(`bench:ingest on ${process.platform} ${process.arch}, node ${process.version}, ${new Date().toISOString()}`);
  for (const s of ['real', 'batch', 'synthetic']) {
    execFileSync(process.execPath, ['--import', 'tsx', self, '--scenario', s], { stdio: 'inherit' });
  }
  // Extraction of the real documents in every format (pages/s), in its own process too.
  execFileSync(process.execPath, ['--import', 'tsx', path.join(path.dirname(self), 'bench-extract.ts')], { stdio: 'inherit' });
}
