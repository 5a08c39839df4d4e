/**
 * `npm run bench:scale`: synthetic corpora of different documents (scripts/synthetic.ts,
 * `synthesizeDocuments`) at growing sizes, each step in its own process so that its peak memory is
 * its own:
 *
 * 1. corpus: the documents are written (seeded: BENCH_SEED, default 1);
 * 2. ingest: `ingest` as `kb ingest` runs it (worker threads included): passages/s end to end,
 *    CPU seconds, peak RSS, index size;
 * 3. serve: `kb serve` started on the index: seconds from spawn to 200 on /readyz (warm-up
 *    included), server RSS, `POST /api/search` p50/p95 (one client, sequential) for BENCH_QUERIES
 *    (default 200) queries new to the server (scripts/bench-queries.ts, drawn from this corpus)
 *    first, the same queries again second;
 * 4. query: in-process BM25/dense/hybrid p50/p95 (also with an issuer filter), cold (new queries,
 *    150 per operation) then warm (the same twice more), HNSW recall@10 against
 *    exact search at the default efSearch (and others), filtered dense search's count and recall;
 *    then the LangChain tutorial stack on the same documents (RecursiveCharacterTextSplitter
 *    1000/200 + the same embedder + HNSWLib).
 *
 * Resumable: every scale lives in `BENCH_DIR/<passages>-seed<seed>/` (default under the system temp
 * folder) with `results.json`; a step whose results are there is not run again, so an interrupted
 * 1M run continues where it stopped (BENCH_FRESH=1 starts over). BENCH_SCALES (default
 * "10000,100000") sets the target passage counts; BENCH_LANGCHAIN=0 skips the LangChain rows
 * (above 200k passages they run only with BENCH_LANGCHAIN=1).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { HNSWLib } from '@langchain/community/vectorstores/hnswlib';
import { loadConfig, type Config } from '../src/config/index.js';
import { dirSize, synthesizeDocuments } from './synthetic.js';
import { PolicyKbEmbeddings } from '../src/embeddings/langchain.js';
import { currentVersion, loadIndex } from '../src/storage/file/index-store.js';
import { ingest } from '../src/pipeline/ingest/ingest.js';
import { ingestOptionsFor } from '../src/pipeline/compose/open.js';
import { tutorialChunks } from '../src/pipeline/tools/evaluate.js';
import { createEmbeddingRuntime, expectationsFor } from '../src/pipeline/compose/runtime.js';
import { createKnowledgeService } from '../src/retrieval/service.js';
import { warmUp } from '../src/retrieval/warm-up.js';
import type { SearchMode } from '../src/retrieval/search.js';
import { createProgressFactory } from '../src/shared/progress.js';
import { fileStore } from '../src/storage/file/file-store.js';
import { percentile } from './bench-support.js';
import { createQueryPool } from './bench-queries.js';

const self = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(self), '..');
const SEED = Number(process.env.BENCH_SEED ?? 1);
const BASE = path.resolve(process.env.BENCH_DIR ?? path.join(tmpdir(), 'policy-kb-scale'));

type Results = Record<string, Record<string, unknown>>;

const pct = percentile;
const ms = (xs: number[]): string => `${pct(xs, 0.5).toFixed(1)} / ${pct(xs, 0.95).toFixed(1)} ms`;

function folders(target: number): { dir: string; corpusDir: string; indexDir: string; results: string } {
  const dir = path.join(BASE, `${target}-seed${SEED}`);
  return { dir, corpusDir: path.join(dir, 'corpus'), indexDir: path.join(dir, 'index'), results: path.join(dir, 'results.json') };
}

async function readResults(file: string): Promise<Results> {
  return existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as Results) : {};
}

async function record(target: number, step: string, values: Record<string, unknown>): Promise<void> {
  const { results } = folders(target);
  const all = await readResults(results);
  all[step] = { ...values, measuredAt: new Date().toISOString() };
  await writeFile(results, `${JSON.stringify(all, null, 2)}\n`);
}

function configFor(target: number): Config {
  const { corpusDir, indexDir } = folders(target);
  return loadConfig({ ...process.env, CORPUS_DIR: corpusDir, INDEX_DIR: indexDir, LOG_LEVEL: 'warn' });
}

async function questions(): Promise<string[]> {
  return (await readFile(path.join(ROOT, 'test/fixtures/dev.jsonl'), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { question: string }).question);
}

async function stepCorpus(target: number): Promise<void> {
  const { corpusDir } = folders(target);
  await rm(corpusDir, { recursive: true, force: true });
  const t0 = performance.now();
  const made = await synthesizeDocuments(target, corpusDir, { seed: SEED });
  await record(target, 'corpus', { ...made, seconds: (performance.now() - t0) / 1000, bytes: await dirSize(corpusDir) });
}

async function stepIngest(target: number): Promise<void> {
  const config = configFor(target);
  await rm(config.indexDir, { recursive: true, force: true });
  const t0 = performance.now();
  const { embedder, profile } = await createEmbeddingRuntime(config);
  const summary = await ingest({ ...ingestOptionsFor(config, embedder, profile), rebuild: true, progress: createProgressFactory(process.stderr) });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage();
  await record(target, 'ingest', {
    documents: summary.documents,
    passages: summary.passages,
    workers: summary.workers,
    seconds,
    ingestSeconds: summary.seconds,
    passagesPerSecond: summary.passages / seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    indexBytes: await dirSize(config.indexDir),
  });
  await embedder.dispose?.();
}

async function stepServe(target: number): Promise<void> {
  const { corpusDir, indexDir } = folders(target);
  const compiled = path.join(ROOT, 'dist/server/cli/entry.js');
  const args = existsSync(compiled) ? [compiled, 'serve'] : ['--import', 'tsx', path.join(ROOT, 'server/cli/entry.ts'), 'serve'];
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, CORPUS_DIR: corpusDir, INDEX_DIR: indexDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/[^\s]+)/u.exec(out);
        if (m) resolve(m[1] as string);
      });
      child.once('exit', (code) => reject(new Error(`kb serve exited (${code}) before listening`)));
    });
    for (;;) {
      const r = await fetch(`${base}/readyz`).catch(() => undefined);
      if (r?.status === 200) break;
      const body = r ? ((await r.json()) as { status?: string }) : {};
      if (body.status === 'failed') throw new Error('the server could not load the index');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const readySeconds = (performance.now() - t0) / 1000;
    const rssMb = (): number => Number(/VmRSS:\s+(\d+)/u.exec(execFileSync('cat', [`/proc/${child.pid}/status`]).toString())?.[1] ?? 0) / 1024;
    const rssAtReady = rssMb();
    // Cold: queries the server never saw (dev + dev2 questions, then word triples of this corpus), one at a time; warm: the same again.
    const asked = (await createQueryPool({ corpusDir, seed: SEED })).take(Number(process.env.BENCH_QUERIES ?? 200));
    const timedSearch = async (q: string): Promise<number> => {
      const t = performance.now();
      const r = await fetch(`${base}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: q, k: 10 }) });
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`POST /api/search answered ${r.status}`);
      return performance.now() - t;
    };
    const cold: number[] = [];
    for (const q of asked) cold.push(await timedSearch(q));
    const warm: number[] = [];
    for (const q of asked) warm.push(await timedSearch(q));
    await record(target, 'serve', { readySeconds, rssAtReadyMb: rssAtReady, rssAfterMb: rssMb(), searchColdP50Ms: pct(cold, 0.5), searchColdP95Ms: pct(cold, 0.95), searchWarmP50Ms: pct(warm, 0.5), searchWarmP95Ms: pct(warm, 0.95), requests: cold.length + warm.length });
  } finally {
    child.kill('SIGTERM');
  }
}

async function stepQuery(target: number): Promise<void> {
  const config = configFor(target);
  const { embedder, profile } = await createEmbeddingRuntime(config);
  const t0 = performance.now();
  const kb = await loadIndex(config.indexDir, expectationsFor(config, embedder));
  const loadSeconds = (performance.now() - t0) / 1000;
  const service = createKnowledgeService(fileStore(kb), embedder, { search: { denseWeight: profile.defaultDenseWeight } });
  const qs = await questions();
  await warmUp(service);
  const issuers = [...new Set([...kb.documents.values()].map((d) => d.meta.issuer))].sort();
  const latency: Record<string, string> = {};
  // Each operation: queries new to the process (cold), then the same twice more (warm).
  const pool = await createQueryPool({ corpusDir: config.corpusDir, seed: SEED });
  const timed = async (name: string, run: (q: string, i: number) => Promise<unknown>): Promise<void> => {
    const asked = pool.take(Number(process.env.BENCH_QUERIES ?? 150));
    const time = async (q: string, i: number): Promise<number> => {
      const t = performance.now();
      await run(q, i);
      return performance.now() - t;
    };
    const cold: number[] = [];
    for (const [i, q] of asked.entries()) cold.push(await time(q, i));
    const warm: number[] = [];
    for (let r = 0; r < 2; r += 1) for (const [i, q] of asked.entries()) warm.push(await time(q, i));
    latency[name] = `cold ${ms(cold)}, warm ${ms(warm)}`;
  };
  for (const mode of ['bm25', 'dense', 'hybrid'] as SearchMode[]) await timed(mode, (q) => service.search(q, { k: 10, mode }));
  await timed('hybrid, issuer filter', (q, i) => service.search(q, { k: 10, issuer: issuers[i % issuers.length] as string }));

  // Recall@10 of HNSW against exact cosine search over the stored vectors: the dev questions and
  // stored passages (every 7919th) as probes; also with an issuer and a one-document filter.
  const dim = kb.info.dimension;
  const n = kb.passages.length;
  const probes = [...(await embedder.embedDocuments(qs)), ...Array.from({ length: 57 }, (_, i) => kb.vectors.slice(((i * 7919) % n) * dim, (((i * 7919) % n) + 1) * dim))];
  const exact = (q: Float32Array, allow?: (pos: number) => boolean): Set<number> => {
    const best: { pos: number; s: number }[] = [];
    for (let p = 0; p < n; p += 1) {
      if (allow && !allow(p)) continue;
      let s = 0;
      const o = p * dim;
      for (let d = 0; d < dim; d += 1) s += (q[d] as number) * (kb.vectors[o + d] as number);
      if (best.length < 10 || s > (best[best.length - 1] as { s: number }).s) {
        best.push({ pos: p, s });
        best.sort((a, b) => b.s - a.s);
        if (best.length > 10) best.pop();
      }
    }
    return new Set(best.map((b) => (kb.passages[b.pos] as { label: number }).label));
  };
  const exactTop = probes.map((q) => exact(q));
  const recall: Record<string, number> = {};
  for (const ef of [...new Set([64, 128, config.hnswEfSearch, 256])].sort((a, b) => a - b)) {
    kb.dense.setEf(ef);
    let found = 0;
    probes.forEach((q, i) => (found += kb.dense.search(q, 10).filter((h) => (exactTop[i] as Set<number>).has(h.label)).length));
    recall[`ef${ef}`] = found / (probes.length * 10);
  }
  kb.dense.setEf(config.hnswEfSearch);
  const filtered: Record<string, { recall: number; minResults: number; allowedPassages: number }> = {};
  const docIds = [...kb.documents.keys()];
  const filters: [string, (i: number) => (pos: number) => boolean][] = [
    ['one issuer', (i) => {
      const issuer = issuers[i % issuers.length];
      const ok = new Set([...kb.documents.values()].filter((d) => d.meta.issuer === issuer).map((d) => d.meta.docId));
      return (pos) => ok.has((kb.passages[pos] as { docId: string }).docId);
    }],
    ['one document', (i) => {
      const docId = docIds[(i * 7919) % docIds.length];
      return (pos) => (kb.passages[pos] as { docId: string }).docId === docId;
    }],
  ];
  for (const [name, make] of filters) {
    let found = 0;
    let total = 0;
    let minResults = Infinity;
    let allowed = 0;
    probes.forEach((q, i) => {
      const allowPos = make(i);
      const want = exact(q, allowPos);
      const hits = kb.dense.search(q, 10, (label) => allowPos(kb.byLabel.get(label) ?? -1));
      minResults = Math.min(minResults, hits.length / Math.min(10, want.size || 1));
      found += hits.filter((h) => want.has(h.label)).length;
      total += want.size;
      for (let p = 0; p < n; p += 1) if (allowPos(p)) allowed += 1;
    });
    filtered[name] = { recall: found / total, minResults, allowedPassages: Math.round(allowed / probes.length) };
  }
  await record(target, 'query', { passages: n, loadSeconds, latency, recall, efSearch: config.hnswEfSearch, M: config.hnswM, efConstruction: config.hnswEfConstruction, filtered, heapMb: process.memoryUsage().heapUsed / 2 ** 20, rssMb: process.memoryUsage().rss / 2 ** 20 });

  const langchain = process.env.BENCH_LANGCHAIN ?? (n > 200_000 ? '0' : '1');
  if (langchain !== '0') {
    const t1 = performance.now();
    const docs = await tutorialChunks(kb.documents);
    const store = await HNSWLib.fromDocuments(docs, new PolicyKbEmbeddings(embedder));
    const buildSeconds = (performance.now() - t1) / 1000;
    const lcDir = path.join(folders(target).dir, 'langchain');
    await rm(lcDir, { recursive: true, force: true });
    await store.save(lcDir);
    const times: number[] = [];
    for (let r = 0; r < 3; r += 1) {
      for (const q of qs) {
        const t = performance.now();
        await store.similaritySearch(q, 10);
        times.push(performance.now() - t);
      }
    }
    await record(target, 'langchain', { chunks: docs.length, buildSeconds, indexBytes: await dirSize(lcDir), search: ms(times) });
    await rm(lcDir, { recursive: true, force: true });
  }
  await embedder.dispose?.();
}

const STEPS: Record<string, (target: number) => Promise<void>> = { corpus: stepCorpus, ingest: stepIngest, serve: stepServe, query: stepQuery };

function line(target: number, r: Results): string {
  const c = r.corpus ?? {};
  const i = r.ingest ?? {};
  const s = r.serve ?? {};
  const q = (r.query ?? {}) as { latency?: Record<string, string>; recall?: Record<string, number>; efSearch?: number; filtered?: Record<string, { recall: number; minResults: number; allowedPassages: number }> };
  const l = r.langchain ?? {};
  const f = (x: unknown, d = 1): string => (typeof x === 'number' ? x.toFixed(d) : '–');
  const out = [
    `target ${target}: ${c.documents ?? '–'} documents, ${i.passages ?? '–'} passages`,
    `  ingest ${f(i.seconds)} s = ${f(i.passagesPerSecond, 0)} passages/s (${i.workers ?? '–'} threads, ${f(i.cpuSeconds)} CPU s), peak RSS ${f(i.peakRssMb, 0)} MB, index ${f(Number(i.indexBytes) / 1e6)} MB`,
    `  serve: ready in ${f(s.readySeconds, 2)} s, RSS ${f(s.rssAtReadyMb, 0)} MB (after searches ${f(s.rssAfterMb, 0)} MB), POST /api/search one at a time, queries new to the server p50 ${f(s.searchColdP50Ms)} / p95 ${f(s.searchColdP95Ms)} ms, the same again p50 ${f(s.searchWarmP50Ms)} / p95 ${f(s.searchWarmP95Ms)} ms`,
    `  in-process: ${Object.entries(q.latency ?? {}).map(([k, v]) => `${k} ${v}`).join('; ')}`,
    `  recall@10 at efSearch ${q.efSearch ?? '–'}: ${f(q.recall?.[`ef${q.efSearch}`], 3)} [${Object.entries(q.recall ?? {}).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}]; filtered: ${Object.entries(q.filtered ?? {}).map(([k, v]) => `${k} (~${v.allowedPassages} passages) recall ${v.recall.toFixed(3)}, results/k min ${v.minResults.toFixed(2)}`).join('; ')}`,
  ];
  if (r.langchain) out.push(`  langchain: ${l.chunks} chunks, build ${f(l.buildSeconds)} s, index ${f(Number(l.indexBytes) / 1e6)} MB, search ${l.search}`);
  return out.join('\n');
}

const [mode, arg] = process.argv.slice(2);
if (mode === '--step') {
  const [step, target] = (arg ?? '').split(':');
  await (STEPS[step as string] as (t: number) => Promise<void>)(Number(target));
} else {
  const scales = (process.env.BENCH_SCALES ?? '10000,100000').split(',').map(Number);
  console.log(`bench:scale on ${process.platform} ${process.arch}, node ${process.version}, ${new Date().toISOString()}; targets ${scales.join(', ')} passages; seed ${SEED}; folder ${BASE}`);
  for (const target of scales) {
    const { dir, results } = folders(target);
    if (process.env.BENCH_FRESH === '1') await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    for (const step of Object.keys(STEPS)) {
      const done = await readResults(results);
      // A finished step is reused; ingest also needs its index still there.
      const ready = done[step] && (step !== 'ingest' || (await currentVersion(folders(target).indexDir).catch(() => undefined)));
      const wantsLangchain = step === 'query' && !done.langchain && process.env.BENCH_LANGCHAIN === '1';
      if (ready && !wantsLangchain) continue;
      console.log(`-- ${target}: ${step}`);
      execFileSync(process.execPath, ['--import', 'tsx', self, '--step', `${step}:${target}`], { stdio: 'inherit' });
      // What a step depends on changed: the steps after it measure again.
      if (step === 'corpus' || step === 'ingest') {
        const all = await readResults(results);
        for (const later of Object.keys(STEPS).slice(Object.keys(STEPS).indexOf(step) + 1).concat('langchain')) delete all[later];
        await writeFile(results, `${JSON.stringify(all, null, 2)}\n`);
      }
    }
    console.log(line(target, await readResults(results)));
  }
}
