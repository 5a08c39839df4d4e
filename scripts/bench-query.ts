/**
 * `npm run bench:query`: in-process search and ask latency on the corpus after warm-up
 * (p50/p95/p99 over the dev questions, repeated). Figures are printed, not asserted.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/index.js';
import { openKnowledgeBase } from '../src/pipeline/open.js';
import { parseEvalSet } from '../src/retrieval/eval.js';
import type { SearchMode } from '../src/retrieval/search.js';

const config = loadConfig(process.env);
const opened = await openKnowledgeBase(config, { autoIngest: true });
const setFile = process.argv[2] ?? 'test/fixtures/dev.jsonl';
const questions = parseEvalSet(await readFile(setFile, 'utf8')).map((i) => i.question);
const rounds = Number(process.env.BENCH_ROUNDS ?? 10);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
}

async function measure(label: string, fn: (q: string) => Promise<unknown>): Promise<void> {
  // First sight of each question: nothing cached for its terms (the vocabulary is loaded once before).
  const first: number[] = [];
  for (const q of questions) {
    const t0 = performance.now();
    await fn(q);
    first.push(performance.now() - t0);
  }
  console.log(`${label.padEnd(16)} first sight  p50 ${pct(first, 0.5).toFixed(2)} ms  p95 ${pct(first, 0.95).toFixed(2)} ms`);
  const times: number[] = [];
  for (let r = 0; r < rounds; r += 1) {
    for (const q of questions) {
      const t0 = performance.now();
      await fn(q);
      times.push(performance.now() - t0);
    }
  }
  console.log(`${label.padEnd(16)} n=${times.length}  p50 ${pct(times, 0.5).toFixed(2)} ms  p95 ${pct(times, 0.95).toFixed(2)} ms  p99 ${pct(times, 0.99).toFixed(2)} ms  max ${Math.max(...times).toFixed(2)} ms`);
}

await opened.service.search('预热'); // loads the term-neighbour table once
console.log(`corpus: ${opened.store.info.documents} documents, ${opened.store.info.passages} passages (${opened.store.info.backend} store); model ${opened.store.info.modelId}; ${questions.length} questions × ${rounds} rounds`);
for (const mode of ['bm25', 'dense', 'hybrid'] as SearchMode[]) {
  await measure(`search ${mode}`, (q) => opened.service.search(q, { k: 10, mode }));
}
await measure('ask (extractive)', (q) => opened.service.ask(q));
// Hostile input at the 2,000-character limit: every regex must stay linear.
const hostile = ['第'.repeat(2000), '（'.repeat(2000), '第一'.repeat(1000), '(一'.repeat(1000), '专栏'.repeat(1000), '1.'.repeat(1000), '多少'.repeat(1000), '《'.repeat(2000), '第十条'.repeat(666), '0-'.repeat(1000)];
const hostileTimes: number[] = [];
for (const q of hostile) {
  const t0 = performance.now();
  await opened.service.ask(q);
  hostileTimes.push(performance.now() - t0);
}
console.log(`ask on ${hostile.length} hostile 2,000-character queries: max ${Math.max(...hostileTimes).toFixed(1)} ms, median ${pct(hostileTimes, 0.5).toFixed(1)} ms`);
console.log('targets (issue): search p50 ≤ 20 ms, p95 ≤ 50 ms');
await opened.embedder.dispose?.();
