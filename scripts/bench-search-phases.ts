/**
 * `npm run bench:phases`: where the time of a question goes, stage by stage, in process, on the
 * index under INDEX_DIR (CORPUS_DIR for its corpus and the queries drawn from it), opened as
 * `kb serve` opens it and warmed as it warms before it says ready.
 *
 * Cold first: BENCH_QUERIES (default 200) queries this process never saw (scripts/bench-queries.ts:
 * the dev and dev2 questions, then word triples drawn from the corpus's clauses), each timed stage
 * by stage:
 *   understand           query understanding (jieba cut, tag and analysis; named documents, clause refs)
 *   embed query          the query's vector
 *   expansions           term-neighbour expansion of the understood terms (the vocabulary's neighbours)
 *   bm25 (terms)         BM25 of the understood terms alone
 *   bm25 (+ expansions)  BM25 as search runs it: the terms and their expansions, weighted
 *   dense                HNSW at the configured efSearch (default 512)
 *   search               the whole search (its own caches cold: everything above, fusion, clause refs)
 *   evidence view        what the answer layer reads (a snapshot with the file store)
 *   abstention           the decision /api/search returns (concept counts over the postings)
 *   present + JSON       the hits as /api/search sends them
 *   ask                  what /api/chat runs (search, list searches per document, answer composition)
 *   compose answer       the answer alone, given the search
 * Then warm: the same queries again (everything remembered per query is remembered now).
 * Prints p50/p95/max per stage, wall and CPU time of this process (which other work on the
 * machine disturbs less).
 *
 * `BENCH_DIGEST=file.json` writes every cold query's expansions, hits (passageId, score),
 * `abstained`, the serialized body's hash and the answer: two builds that must answer alike write
 * equal files. `BENCH_SLOWEST=n` lists the n queries that took most CPU per stage.
 * `BENCH_PROFILE=file.cpuprofile` writes a CPU profile of the cold round. `BENCH_QUERY_SEED` draws
 * other queries.
 *
 *   INDEX_DIR=/tmp/lib/idx CORPUS_DIR=/tmp/lib/corpus npm run bench:phases
 */
import { createHash } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/index.js';
import { openKnowledgeBase } from '../src/pipeline/compose/open.js';
import { evidenceRequest } from '../src/retrieval/answer.js';
import { createTermNeighbours, DEFAULT_EXPANSION } from '../src/retrieval/expansion.js';
import { isoToday, presentHit } from '../src/retrieval/presenter.js';
import { understandQuery } from '../src/retrieval/query.js';
import { createKnowledgeService } from '../src/retrieval/service.js';
import { percentile } from './bench-support.js';
import { createQueryPool } from './bench-queries.js';

const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
const opened = await openKnowledgeBase(config, { autoIngest: false });
const { store, embedder, service: search } = opened;
// A second service over the same store for `ask`: its own caches, so the question is new to it too.
const chat = createKnowledgeService(store, embedder, { search: { denseWeight: config.denseWeight ?? opened.profile.defaultDenseWeight } });
const pool = await createQueryPool({ corpusDir: config.corpusDir, seed: Number(process.env.BENCH_QUERY_SEED ?? 1) });
const queries = pool.take(Number(process.env.BENCH_QUERIES ?? 200));
// The stand-alone expansion stage: its own neighbour table (loaded below, as a server loads its own).
const neighbours = createTermNeighbours(() => store.lexical.vocabulary(), embedder);

type Round = 'cold' | 'warm';
const wall = new Map<string, number[]>();
const cpuTimes = new Map<string, number[]>();
const slowest = new Map<string, Map<string, number>>();
let current = '';
const time = async <T>(round: Round, stage: string, f: () => T | Promise<T>): Promise<T> => {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const out = await f();
  const used = process.cpuUsage(cpu);
  const key = `${round}\u0000${stage}`;
  const cpuMs = (used.user + used.system) / 1000;
  for (const [map, value] of [[wall, performance.now() - t], [cpuTimes, cpuMs]] as const) {
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    list.push(value);
  }
  let perQuery = slowest.get(key);
  if (!perQuery) slowest.set(key, (perQuery = new Map()));
  perQuery.set(current, Math.max(cpuMs, perQuery.get(current) ?? 0));
  return out;
};

const aliases = await search.searcher.aliases();
const aliasTerms = new Set(aliases.entries.map((e) => e.alias));
// What a server does before it says ready (the same unrelated query), for the stand-alone table too.
const t0 = performance.now();
await Promise.all([search.search('预热'), chat.search('预热'), neighbours.expand(['预热'])]);
const warmupMs = performance.now() - t0;

const digest: unknown[] = [];
const profiler = process.env.BENCH_PROFILE ? new Session() : undefined;
for (const round of ['cold', 'warm'] as const) {
  if (round === 'cold' && profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  for (const q of queries) {
    current = q;
    const understanding = await time(round, 'understand', () => understandQuery(q, aliases));
    await time(round, 'embed query', () => embedder.embedQuery(q));
    const expansions = await time(round, 'expansions', () => neighbours.expand(understanding.terms, DEFAULT_EXPANSION, aliasTerms));
    await time(round, 'bm25 (terms)', () => store.lexical.search(understanding.terms, 60));
    await time(round, 'bm25 (+ expansions)', () => store.lexical.search([...understanding.terms, ...expansions.map((e) => e.term)], 60, { weights: new Map(expansions.map((e) => [e.term, e.weight])) }));
    const qv = await embedder.embedQuery(q);
    await time(round, `dense (ef ${config.hnswEfSearch})`, () => store.vectors.search(qv, 60));
    const response = await time(round, 'search', () => search.search(q, { k: 8, mergeClause: false }));
    await time(round, 'evidence view', () => store.evidence(evidenceRequest(response)));
    const abstained = await time(round, 'abstention', () => search.abstains(response));
    const docs = await search.catalog();
    const body = await time(round, 'present + JSON', () => JSON.stringify({ results: response.results.map((r) => presentHit(docs, r, isoToday())), abstained }));
    const asked = await time(round, 'ask', () => chat.ask(q));
    await time(round, 'compose answer', () => chat.answer(asked.response));
    if (round === 'cold') {
      digest.push({ query: q, expansions: response.expansions.map((e) => [e.term, e.weight]), hits: response.results.map((h) => [h.passageId, h.score]), abstained, body: createHash('sha256').update(body).digest('hex'), answer: createHash('sha256').update(JSON.stringify(asked.answer)).digest('hex') });
    }
  }
  if (round === 'cold' && profiler && process.env.BENCH_PROFILE) await writeFile(process.env.BENCH_PROFILE, JSON.stringify((await profiler.post('Profiler.stop')).profile));
}

const info = store.info;
console.log(`${info.passages} passages, ${info.documents} documents (${info.backend} store), efSearch ${config.hnswEfSearch}; ${queries.length} queries (${pool.devQuestions} dev questions, ${queries.length - pool.devQuestions} drawn from the corpus), each new to the process, then asked again; warm-up before them ${warmupMs.toFixed(0)} ms`);
const f = (xs: number[], p: number): string => percentile(xs, p).toFixed(2).padStart(8);
for (const round of ['cold', 'warm'] as const) {
  console.log(`\n${round === 'cold' ? 'COLD (first time each query is seen)' : 'WARM (the same queries again)'}`);
  console.log(`${'stage'.padEnd(22)} wall p50      p95      max |  CPU p50      p95      max (ms)`);
  for (const [key, xs] of wall) {
    const [r, stage] = key.split('\u0000') as [Round, string];
    if (r !== round) continue;
    const cpu = cpuTimes.get(key) ?? [];
    console.log(`${stage.padEnd(22)} ${f(xs, 0.5)} ${f(xs, 0.95)} ${f(xs, 1)} | ${f(cpu, 0.5)} ${f(cpu, 0.95)} ${f(cpu, 1)}`);
  }
}
if (process.env.BENCH_SLOWEST) {
  for (const [key, perQuery] of slowest) {
    const top = [...perQuery].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.BENCH_SLOWEST));
    console.log(`slowest ${key.replace('\u0000', ' ')}: ${top.map(([q, ms]) => `${ms.toFixed(1)} ${q}`).join(' | ')}`);
  }
}
const mem = process.memoryUsage();
console.log(`\nRSS ${(mem.rss / 2 ** 20).toFixed(0)} MB, heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MB, array buffers ${(mem.arrayBuffers / 2 ** 20).toFixed(0)} MB`);
if (process.env.BENCH_DIGEST) await writeFile(process.env.BENCH_DIGEST, `${JSON.stringify(digest, null, 1)}\n`);
await opened.backend.close();
await embedder.dispose?.();
