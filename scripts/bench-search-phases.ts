/**
 * Where the time of one `POST /api/search` goes, in process: the index under INDEX_DIR (CORPUS_DIR
 * for its corpus) opened as `kb serve` opens it, then the 43 dev questions searched in turn (one
 * round to warm up, then BENCH_ROUNDS, default 3), each phase of the route timed on its own:
 * query understanding, BM25, dense, the whole search, the abstention check (evidence view +
 * decision), presenting and serializing the hits. Prints p50/p95 per phase, in wall time and in
 * this process's CPU time (which other work on the machine disturbs less).
 *
 * `BENCH_DIGEST=file.json` also writes every question's hits (passageId, score), `abstained` and
 * the serialized body's hash: two builds that must answer alike write equal files.
 * `BENCH_QUESTIONS=regex` keeps only the questions it matches; `BENCH_SLOWEST=n` lists the n
 * questions that took most CPU per phase. `BENCH_PROFILE=file.cpuprofile` writes a CPU profile of
 * the measured rounds. `BENCH_ROUNDS=0` measures the warm-up round itself: every question the
 * first time it is asked (nothing remembered yet but the loaded index, its vocabulary's vectors
 * and jieba, which one unrelated search loads first).
 *
 *   INDEX_DIR=/tmp/copy/index CORPUS_DIR=/tmp/copy/corpus npx tsx scripts/bench-search-phases.ts
 */
import { createHash } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.js';
import { loadIndex } from '../src/pipeline/index-store.js';
import { createEmbeddingRuntime, expectationsFor } from '../src/pipeline/runtime.js';
import { abstains, evidenceRequest } from '../src/retrieval/answer.js';
import { isoToday, presentHit } from '../src/retrieval/presenter.js';
import { understandQuery } from '../src/retrieval/query.js';
import { createKnowledgeService } from '../src/retrieval/service.js';
import { fileStore } from '../src/storage/file-store.js';
import { percentile } from './bench-support.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
const { embedder, profile } = await createEmbeddingRuntime(config);
const kb = await loadIndex(config.indexDir, expectationsFor(config, embedder));
const store = fileStore(kb);
const service = createKnowledgeService(store, embedder, { search: { denseWeight: profile.defaultDenseWeight } });
const questions = (await readFile(path.join(ROOT, 'test/fixtures/dev.jsonl'), 'utf8'))
  .trim()
  .split('\n')
  .map((l) => (JSON.parse(l) as { question: string }).question)
  .filter((q) => !process.env.BENCH_QUESTIONS || new RegExp(process.env.BENCH_QUESTIONS, 'u').test(q));

const phases = new Map<string, number[]>();
/** The same phases in CPU time of this process (what other work on the machine disturbs less). */
const cpuPhases = new Map<string, number[]>();
/** Per phase, per question: the most CPU time seen (which questions make the p95). */
const slowest = new Map<string, Map<string, number>>();
let current = '';
const time = async <T>(phase: string, record: boolean, f: () => T | Promise<T>): Promise<T> => {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const out = await f();
  if (record) {
    const used = process.cpuUsage(cpu);
    const ms = performance.now() - t;
    let list = phases.get(phase);
    if (!list) phases.set(phase, (list = []));
    list.push(ms);
    let cpuList = cpuPhases.get(phase);
    if (!cpuList) cpuPhases.set(phase, (cpuList = []));
    cpuList.push((used.user + used.system) / 1000);
    let perQuestion = slowest.get(phase);
    if (!perQuestion) slowest.set(phase, (perQuestion = new Map()));
    perQuestion.set(current, Math.max((used.user + used.system) / 1000, perQuestion.get(current) ?? 0));
  }
  return out;
};

const digest: { query: string; hits: [string, number][]; abstained: boolean; body: string }[] = [];
const aliases = await service.searcher.aliases();
// Loads what every search needs once (jieba's dictionaries, the vocabulary's vectors for expansions).
await service.search('预热');
const profiler = process.env.BENCH_PROFILE ? new Session() : undefined;
for (let round = 0; round <= ROUNDS; round += 1) {
  // BENCH_ROUNDS=0 measures the warm-up itself: every question seen for the first time.
  const record = round > 0 || ROUNDS === 0;
  if (round === Math.min(1, ROUNDS) && profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  for (const q of questions) {
    current = q;
    const understanding = await time('understand', record, () => understandQuery(q, aliases));
    await time('bm25 (understood terms)', record, () => store.lexical.search(understanding.terms, 60));
    const qv = await embedder.embedQuery(q);
    await time('dense', record, () => store.vectors.search(qv, 60));
    const response = await time('search (all of it)', record, () => service.search(q, { k: 10, mergeClause: false }));
    const view = await time('evidence view', record, () => service.store.evidence(evidenceRequest(response)));
    const abstained = await time('abstention decision', record, () => abstains(view, response));
    const docs = await service.catalog();
    const body = await time('present + JSON', record, () => JSON.stringify({ results: response.results.map((r) => presentHit(docs, r, isoToday())), abstained }));
    if (round === Math.min(1, ROUNDS)) digest.push({ query: q, hits: response.results.map((h) => [h.passageId, h.score]), abstained, body: createHash('sha256').update(body).digest('hex') });
  }
}
if (profiler && process.env.BENCH_PROFILE) await writeFile(process.env.BENCH_PROFILE, JSON.stringify((await profiler.post('Profiler.stop')).profile));
console.log(`${kb.passages.length} passages, ${questions.length} questions × ${ROUNDS === 0 ? 'the warm-up round only (first sight)' : `${ROUNDS} rounds`}`);
const f = (xs: number[], p: number): string => percentile(xs, p).toFixed(2).padStart(7);
console.log(`${'phase'.padEnd(26)}  wall p50     p95     max |  CPU p50     p95     max (ms)`);
for (const [phase, xs] of phases) {
  const cpu = cpuPhases.get(phase) ?? [];
  console.log(`${phase.padEnd(26)} ${f(xs, 0.5)} ${f(xs, 0.95)} ${f(xs, 1)} | ${f(cpu, 0.5)} ${f(cpu, 0.95)} ${f(cpu, 1)}`);
}
if (process.env.BENCH_SLOWEST) {
  for (const [phase, perQuestion] of slowest) {
    const top = [...perQuestion].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.BENCH_SLOWEST));
    console.log(`slowest ${phase}: ${top.map(([q, ms]) => `${ms.toFixed(1)} ${q}`).join(' | ')}`);
  }
}
if (process.env.BENCH_DIGEST) await writeFile(process.env.BENCH_DIGEST, `${JSON.stringify(digest, null, 1)}\n`);
await embedder.dispose?.();
