/**
 * `npm run bench:bm25`: BM25 latency of the pruned scorer (MaxScore, `search`) against the
 * exhaustive one (`scoreExhaustive`) in the same process, on the real corpus and on a synthetic
 * corpus of ~80k passages built at the term level (each real passage copied with its numbers
 * changed, a few terms swapped in from other passages and a copy-specific term). Queries are the
 * dev questions' terms, plus each with a weighted expansion term and with a one-document filter.
 * Every pruned result is checked against the exhaustive one. Figures are printed, not asserted.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { loadCorpus } from '../src/pipeline/library/corpus.js';
import { analyze } from '../src/lexical/analyzer.js';
import { Bm25Index, type Bm25SearchOptions } from '../src/storage/file/bm25.js';
import { parseEvalSet } from '../src/retrieval/eval.js';
import { percentile, seededRandom } from './bench-support.js';

const copies = Number(process.env.BENCH_COPIES ?? 220);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const k = 60; // search.ts asks BM25 for max(candidates = 60, 3k) passages

const corpus = await loadCorpus('corpus');
const base = corpus.documents.flatMap((d) => d.chunks.map((c) => ({ docId: d.meta.docId, terms: analyze(c.indexText) })));
const docIndex = new Map(corpus.documents.map((d, i) => [d.meta.docId, i]));
const questions = parseEvalSet(await readFile('test/fixtures/dev.jsonl', 'utf8')).map((i) => analyze(i.question));

function synthetic(n: number): { terms: string[][]; family: number[] } {
  const random = seededRandom(14);
  const terms: string[][] = [];
  const family: number[] = [];
  for (let copy = 0; copy < n; copy += 1) {
    base.forEach((p) => {
      const out = p.terms.map((t) => (/^\d+$/u.test(t) ? String((Number(t) * (copy + 3)) % 10000) : t));
      for (let s = 0; s < 3; s += 1) {
        const other = base[Math.floor(random() * base.length)]?.terms ?? [];
        if (other.length > 0 && out.length > 0) out[Math.floor(random() * out.length)] = other[Math.floor(random() * other.length)] as string;
      }
      out.push(`样本${copy}`);
      terms.push(out);
      family.push(copy * 1000 + docIndex.get(p.docId)!);
    });
  }
  return { terms, family };
}

function run(label: string, index: Bm25Index, queries: { terms: string[]; options: Bm25SearchOptions }[]): void {
  let mismatches = 0;
  for (const q of queries) {
    const a = index.search(q.terms, k, q.options);
    const b = index.scoreExhaustive(q.terms, k, q.options);
    if (a.length !== b.length || a.some((r, i) => r.index !== b[i]?.index || Math.abs(r.score - (b[i]?.score ?? 0)) > 1e-9)) mismatches += 1;
  }
  const times = { pruned: [] as number[], exhaustive: [] as number[] };
  for (let r = 0; r < rounds; r += 1) {
    for (const q of queries) {
      let t0 = performance.now();
      index.search(q.terms, k, q.options);
      times.pruned.push(performance.now() - t0);
      t0 = performance.now();
      index.scoreExhaustive(q.terms, k, q.options);
      times.exhaustive.push(performance.now() - t0);
    }
  }
  const row = (xs: number[]): string => `p50 ${percentile(xs, 0.5).toFixed(2).padStart(6)} ms  p95 ${percentile(xs, 0.95).toFixed(2).padStart(6)} ms`;
  console.log(`${label.padEnd(34)} n=${times.pruned.length}  pruned ${row(times.pruned)}   exhaustive ${row(times.exhaustive)}   top-${k} mismatches ${mismatches}`);
}

function queriesFor(index: Bm25Index, family: number[] | undefined): { plain: { terms: string[]; options: Bm25SearchOptions }[]; expanded: { terms: string[]; options: Bm25SearchOptions }[]; filtered: { terms: string[]; options: Bm25SearchOptions }[] } {
  const vocab = index.terms().filter((t) => t.length >= 2);
  const random = seededRandom(7);
  const plain = questions.map((terms) => ({ terms, options: {} }));
  const expanded = questions.map((terms) => {
    const extra = [0, 1, 2].map(() => vocab[Math.floor(random() * vocab.length)] as string);
    return { terms: [...terms, ...extra], options: { weights: new Map(extra.map((t) => [t, 0.3])) } };
  });
  const filtered = questions.map((terms, qi) => {
    const wanted = family ? family[Math.floor((qi / questions.length) * family.length)] : undefined;
    return { terms, options: wanted === undefined ? {} : { allow: (i: number): boolean => family?.[i] === wanted } };
  });
  return { plain, expanded, filtered };
}

console.log(`bench:bm25 on ${process.platform} ${process.arch}, node ${process.version}, ${new Date().toISOString()}; ${questions.length} dev questions × ${rounds} rounds, k = ${k}`);
for (const [name, n] of [['real corpus', 0], [`synthetic ×${copies}`, copies]] as const) {
  const t0 = performance.now();
  const data = n === 0 ? { terms: base.map((p) => p.terms), family: base.map((p) => corpus.documents.findIndex((d) => d.meta.docId === p.docId)) } : synthetic(n);
  const index = Bm25Index.build(data.terms);
  const buildMs = performance.now() - t0;
  console.log(`${name}: ${index.size} passages, ${index.vocabularySize} terms, ${index.postingsCount} postings, built in ${(buildMs / 1000).toFixed(1)} s`);
  const q = queriesFor(index, data.family);
  run(`  ${name}, question terms`, index, q.plain);
  run(`  ${name}, + 3 expansions at 0.3`, index, q.expanded);
  run(`  ${name}, one-document filter`, index, q.filtered);
}
