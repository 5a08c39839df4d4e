/**
 * `npm run bench:query`: in-process search and ask latency on CORPUS_DIR's index (default the
 * project corpus), opened and warmed up as a server does before it says ready, on the file store
 * and, with BENCH_STORES=file,postgres, on PostgreSQL too. Figures are printed, not asserted.
 *
 * Cold first: each operation gets BENCH_QUERIES (default 150) queries new to the process
 * (scripts/bench-queries.ts: the dev and dev2 questions, then word triples drawn from the corpus's
 * clauses; no query is used twice in a process). Warm second: the same queries again, BENCH_ROUNDS
 * (default 3) times, everything remembered per query now remembered.
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/index.js';
import { openKnowledgeBase } from '../src/pipeline/compose/open.js';
import type { SearchMode } from '../src/retrieval/search.js';
import { startPgliteServer, type PgliteServer } from '../test/storage/pglite.js';
import { percentile } from './bench-support.js';
import { createQueryPool } from './bench-queries.js';

const perOperation = Number(process.env.BENCH_QUERIES ?? 150);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
// BENCH_STORES=file,postgres measures both backends in this run (postgres: DATABASE_URL, or a
// pglite-server started here), then prints their ratios.
const stores = (process.env.BENCH_STORES ?? 'file').split(',').map((s) => s.trim()).filter(Boolean);
for (const s of stores) if (s !== 'file' && s !== 'postgres') throw new Error(`BENCH_STORES: unknown store "${s}"; use file, postgres`);

type Figures = { p50: number; p95: number };
const figures = new Map<string, Map<string, { cold: Figures; warm: Figures }>>();

const line = (label: string, phase: string, times: number[]): string =>
  `${label.padEnd(16)} ${phase.padEnd(5)} n=${String(times.length).padEnd(5)} p50 ${percentile(times, 0.5).toFixed(2)} ms  p95 ${percentile(times, 0.95).toFixed(2)} ms  p99 ${percentile(times, 0.99).toFixed(2)} ms  max ${Math.max(...times).toFixed(2)} ms`;

async function measure(store: string, label: string, queries: readonly string[], fn: (q: string) => Promise<unknown>): Promise<void> {
  const time = async (q: string): Promise<number> => {
    const t0 = performance.now();
    await fn(q);
    return performance.now() - t0;
  };
  const cold: number[] = [];
  for (const q of queries) cold.push(await time(q));
  console.log(line(label, 'cold', cold));
  const warm: number[] = [];
  for (let r = 0; r < rounds; r += 1) for (const q of queries) warm.push(await time(q));
  console.log(line(label, 'warm', warm));
  let byLabel = figures.get(label);
  if (!byLabel) figures.set(label, (byLabel = new Map()));
  byLabel.set(store, { cold: { p50: percentile(cold, 0.5), p95: percentile(cold, 0.95) }, warm: { p50: percentile(warm, 0.5), p95: percentile(warm, 0.95) } });
}

async function bench(store: string, env: NodeJS.ProcessEnv): Promise<void> {
  const config = loadConfig(env);
  const t0 = performance.now();
  const opened = await openKnowledgeBase(config, { autoIngest: true, warmUp: true });
  console.log(`\n[${store}] corpus: ${opened.store.info.documents} documents, ${opened.store.info.passages} passages (${opened.store.info.backend} store); model ${opened.store.info.modelId}; opened and warmed up in ${((performance.now() - t0) / 1000).toFixed(1)} s (warm-up ${((opened.warmedUp?.ms ?? 0) / 1000).toFixed(1)} s); ${perOperation} new queries per operation, then ${rounds} warm rounds`);
  // The same sequence for every store: each store's process-wide caches see each query once.
  const pool = await createQueryPool({ corpusDir: config.corpusDir, seed: Number(process.env.BENCH_QUERY_SEED ?? 1) });
  for (const mode of ['bm25', 'dense', 'hybrid'] as SearchMode[]) {
    await measure(store, `search ${mode}`, pool.take(perOperation), (q) => opened.service.search(q, { k: 10, mode }));
  }
  await measure(store, 'ask (extractive)', pool.take(perOperation), (q) => opened.service.ask(q));
  console.log(`(${pool.devQuestions} dev questions among the ${pool.used} queries)`);
  // Hostile input at the 2,000-character limit: every regex must stay linear.
  const hostile = ['第'.repeat(2000), '（'.repeat(2000), '第一'.repeat(1000), '(一'.repeat(1000), '专栏'.repeat(1000), '1.'.repeat(1000), '多少'.repeat(1000), '《'.repeat(2000), '第十条'.repeat(666), '0-'.repeat(1000)];
  const hostileTimes: number[] = [];
  for (const q of hostile) {
    const t1 = performance.now();
    await opened.service.ask(q);
    hostileTimes.push(performance.now() - t1);
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
    if (!f || !pg) continue;
    for (const phase of ['cold', 'warm'] as const) {
      const [a, b] = [f[phase], pg[phase]];
      console.log(`  ${label.padEnd(16)} ${phase.padEnd(5)} p50 ${a.p50.toFixed(2)} → ${b.p50.toFixed(2)} ms (×${(b.p50 / Math.max(a.p50, 1e-3)).toFixed(1)})  p95 ${a.p95.toFixed(2)} → ${b.p95.toFixed(2)} ms (×${(b.p95 / Math.max(a.p95, 1e-3)).toFixed(1)})`);
    }
  }
}
console.log('targets (issue 23): search p95 ≤ 50 ms for queries new to the process');
