/**
 * `npm run bench:query`: in-process search and ask latency on the corpus after warm-up
 * (p50/p95/p99 over the dev questions, repeated), on the file store and, with BENCH_STORES=file,postgres,
 * on PostgreSQL too. Figures are printed, not asserted.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/index.js';
import { openKnowledgeBase } from '../src/pipeline/open.js';
import { parseEvalSet } from '../src/retrieval/eval.js';
import type { SearchMode } from '../src/retrieval/search.js';
import { startPgliteServer, type PgliteServer } from '../test/storage/pglite.js';
import { percentile } from './bench-support.js';

const setFile = process.argv[2] ?? 'test/fixtures/dev.jsonl';
const questions = parseEvalSet(await readFile(setFile, 'utf8')).map((i) => i.question);
const rounds = Number(process.env.BENCH_ROUNDS ?? 10);
// BENCH_STORES=file,postgres measures both backends in this run (postgres: DATABASE_URL, or a
// pglite-server started here), then prints their ratios.
const stores = (process.env.BENCH_STORES ?? 'file').split(',').map((s) => s.trim()).filter(Boolean);
for (const s of stores) if (s !== 'file' && s !== 'postgres') throw new Error(`BENCH_STORES: unknown store "${s}"; use file, postgres`);

const figures = new Map<string, Map<string, { p50: number; p95: number }>>();

async function measure(store: string, label: string, fn: (q: string) => Promise<unknown>): Promise<void> {
  // First sight of each question: nothing cached for its terms (the vocabulary is loaded once before).
  const first: number[] = [];
  for (const q of questions) {
    const t0 = performance.now();
    await fn(q);
    first.push(performance.now() - t0);
  }
  console.log(`${label.padEnd(16)} first sight  p50 ${percentile(first, 0.5).toFixed(2)} ms  p95 ${percentile(first, 0.95).toFixed(2)} ms`);
  const times: number[] = [];
  for (let r = 0; r < rounds; r += 1) {
    for (const q of questions) {
      const t0 = performance.now();
      await fn(q);
      times.push(performance.now() - t0);
    }
  }
  console.log(`${label.padEnd(16)} n=${times.length}  p50 ${percentile(times, 0.5).toFixed(2)} ms  p95 ${percentile(times, 0.95).toFixed(2)} ms  p99 ${percentile(times, 0.99).toFixed(2)} ms  max ${Math.max(...times).toFixed(2)} ms`);
  let byLabel = figures.get(label);
  if (!byLabel) figures.set(label, (byLabel = new Map()));
  byLabel.set(store, { p50: percentile(times, 0.5), p95: percentile(times, 0.95) });
}

async function bench(store: string, env: NodeJS.ProcessEnv): Promise<void> {
  const config = loadConfig(env);
  const opened = await openKnowledgeBase(config, { autoIngest: true });
  await opened.service.search('预热'); // loads the term-neighbour table once
  console.log(`\n[${store}] corpus: ${opened.store.info.documents} documents, ${opened.store.info.passages} passages (${opened.store.info.backend} store); model ${opened.store.info.modelId}; ${questions.length} questions × ${rounds} rounds`);
  for (const mode of ['bm25', 'dense', 'hybrid'] as SearchMode[]) {
    await measure(store, `search ${mode}`, (q) => opened.service.search(q, { k: 10, mode }));
  }
  await measure(store, 'ask (extractive)', (q) => opened.service.ask(q));
  // Hostile input at the 2,000-character limit: every regex must stay linear.
  const hostile = ['第'.repeat(2000), '（'.repeat(2000), '第一'.repeat(1000), '(一'.repeat(1000), '专栏'.repeat(1000), '1.'.repeat(1000), '多少'.repeat(1000), '《'.repeat(2000), '第十条'.repeat(666), '0-'.repeat(1000)];
  const hostileTimes: number[] = [];
  for (const q of hostile) {
    const t0 = performance.now();
    await opened.service.ask(q);
    hostileTimes.push(performance.now() - t0);
  }
  console.log(`ask on ${hostile.length} hostile 2,000-character queries: max ${Math.max(...hostileTimes).toFixed(1)} ms, median ${percentile(hostileTimes, 0.5).toFixed(1)} ms`);
  await opened.backend.close();
  await opened.embedder.dispose?.();
}

for (const store of stores) {
  if (store === 'file') {
    await bench('file', { ...process.env, INDEX_STORE: 'file' });
    continue;
  }
  const server = process.env.DATABASE_URL ? undefined : await startPgliteServer(16);
  try {
    await bench('postgres', { ...process.env, INDEX_STORE: 'postgres', DATABASE_URL: process.env.DATABASE_URL ?? (server as PgliteServer).url, DATABASE_POOL_SIZE: server ? '1' : (process.env.DATABASE_POOL_SIZE ?? '8') }); // PGlite: one session, one connection
  } finally {
    await server?.stop();
  }
}
if (stores.length > 1) {
  console.log('\npostgres / file, same run (p50 and p95 ratios; PGlite is PostgreSQL compiled to WASM, single session):');
  for (const [label, by] of figures) {
    const f = by.get('file');
    const pg = by.get('postgres');
    if (f && pg) console.log(`  ${label.padEnd(16)} p50 ${f.p50.toFixed(2)} → ${pg.p50.toFixed(2)} ms (×${(pg.p50 / Math.max(f.p50, 1e-3)).toFixed(1)})  p95 ${f.p95.toFixed(2)} → ${pg.p95.toFixed(2)} ms (×${(pg.p95 / Math.max(f.p95, 1e-3)).toFixed(1)})`);
  }
}
console.log('targets (issue): search p50 ≤ 20 ms, p95 ≤ 50 ms');
