/**
 * `npm run bench:pg-store`: query latency of the PostgreSQL store in PGlite (in process, WASM) on
 * ~10k passages: the real corpus's passages (jieba terms) copied with a copy-specific term until
 * BENCH_PASSAGES, 100-dim random vectors, the dev questions as queries, k = 60 as search.ts asks.
 * Measures BM25 over the postings table (checked against Bm25Index: scores must be identical), the
 * same BM25 with the pg_textsearch extension's index (agreement with Bm25Index reported, not
 * required), and pgvector HNSW with and without a document filter (recall against an exact scan).
 * Figures are printed, not asserted. Devices: PGlite is single-threaded WASM; a native server is faster.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { pg_textsearch } from '@electric-sql/pglite-pg_textsearch';
import { loadCorpus } from '../src/pipeline/library/corpus.js';
import { analyze } from '../src/lexical/analyzer.js';
import { Bm25Index } from '../src/storage/file/bm25.js';
import { parseEvalSet } from '../src/retrieval/eval.js';
import { openPostgresStore, pgliteQueryable } from '../src/storage/postgres/index.js';
import type { DocumentWrite } from '../src/storage/types.js';
import { percentile, seededRandom } from './bench-support.js';

const target = Number(process.env.BENCH_PASSAGES ?? 10_000);
const dimension = 100;
const k = 60;

const row = (xs: number[]): string => `p50 ${percentile(xs, 0.5).toFixed(2).padStart(7)} ms  p95 ${percentile(xs, 0.95).toFixed(2).padStart(7)} ms`;

const corpus = await loadCorpus('corpus');
const questions = parseEvalSet(await readFile('test/fixtures/dev.jsonl', 'utf8')).map((i) => analyze(i.question)).filter((q) => q.length > 0);
const random = seededRandom(3);
const writes: DocumentWrite[] = [];
let passages = 0;
for (let copy = 0; passages < target; copy += 1) {
  for (const doc of corpus.documents) {
    if (passages >= target) break;
    const docId = `${doc.meta.docId.slice(0, 50)}-c${copy}`;
    writes.push({
      document: { meta: { ...doc.meta, docId }, body: doc.body, contentHash: `${doc.contentHash}-${copy}`, source: doc.source, tree: doc.tree },
      passages: doc.chunks.map((c) => {
        const v = new Float32Array(dimension);
        for (let d = 0; d < dimension; d += 1) v[d] = random() * 2 - 1;
        return { passage: { ...c, docId, passageId: `${c.passageId}-c${copy}` }, terms: [...analyze(c.indexText), `样本${copy}`], vector: v };
      }),
    });
    passages += doc.chunks.length;
  }
}
const ordered = [...writes].sort((a, b) => (a.document.meta.docId < b.document.meta.docId ? -1 : 1)).flatMap((w) => w.passages);
console.log(`${writes.length} documents, ${ordered.length} passages, ${questions.length} queries, k=${k}`);

const bm25 = Bm25Index.build(ordered.map((p) => p.terms));
const db = await PGlite.create({ extensions: { vector } });
const store = await openPostgresStore({ queryable: pgliteQueryable(db), modelId: 'bench', dimension });
let t0 = performance.now();
for (let i = 0; i < writes.length; i += 20) await store.writer.apply({ put: writes.slice(i, i + 20), remove: [] });
console.log(`apply (postings + HNSW inserts, 20 documents per transaction): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
// What a server's autovacuum does on its own (PGlite has none): visibility map for index-only scans.
t0 = performance.now();
await db.exec('VACUUM (ANALYZE) kb_postings, kb_terms, kb_passages, kb_documents');
console.log(`VACUUM (ANALYZE): ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const filterDocs = writes.filter((_, i) => i % 10 === 0).map((w) => w.document.meta.docId);
const wideDocs = writes.filter((_, i) => i % 10 < 6).map((w) => w.document.meta.docId);
const allowed = new Set(filterDocs);

// Lexical: postings table vs Bm25Index.
let mismatches = 0;
const lexTimes: number[] = [];
const lexFiltered: number[] = [];
const memTimes: number[] = [];
for (const q of questions) {
  t0 = performance.now();
  const got = await store.store.lexical.search(q, k);
  lexTimes.push(performance.now() - t0);
  t0 = performance.now();
  const want = bm25.search(q, k);
  memTimes.push(performance.now() - t0);
  if (got.length !== want.length || got.some((g, i) => g.passageId !== ordered[want[i]?.index ?? -1]?.passage.passageId || g.score !== want[i]?.score)) mismatches += 1;
  t0 = performance.now();
  const gotF = await store.store.lexical.search(q, k, { filter: { docIds: filterDocs } });
  lexFiltered.push(performance.now() - t0);
  const wantF = bm25.search(q, k, { allow: (i) => allowed.has(ordered[i]?.passage.docId as string) });
  if (gotF.length !== wantF.length || gotF.some((g, i) => g.passageId !== ordered[wantF[i]?.index ?? -1]?.passage.passageId || g.score !== wantF[i]?.score)) mismatches += 1;
}
console.log(`BM25 postings table (PGlite)        ${row(lexTimes)}   filtered to 10% of documents ${row(lexFiltered)}   differences from Bm25Index: ${mismatches}`);
console.log(`BM25 Bm25Index (in process)         ${row(memTimes)}`);

// Vectors.
const exact = (q: Float32Array, keep?: Set<string>): string[] =>
  ordered
    .filter((p) => !keep || keep.has(p.passage.docId))
    .map((p) => {
      let dot = 0;
      let na = 0;
      let nb = 0;
      for (let d = 0; d < dimension; d += 1) {
        dot += (p.vector[d] as number) * (q[d] as number);
        na += (p.vector[d] as number) ** 2;
        nb += (q[d] as number) ** 2;
      }
      return { id: p.passage.passageId, s: dot / Math.sqrt(na * nb) };
    })
    .sort((a, b) => b.s - a.s)
    .slice(0, 10)
    .map((h) => h.id);
const vecRuns = { all: [] as number[], narrow: [] as number[], wide: [] as number[] };
const recall = { all: 0, narrow: 0, wide: 0 };
const wideSet = new Set(wideDocs);
const probes = Array.from({ length: 50 }, () => Float32Array.from({ length: dimension }, () => random() * 2 - 1));
for (const q of probes) {
  for (const [name, filter, keep] of [
    ['all', undefined, undefined],
    ['narrow', { docIds: filterDocs }, allowed],
    ['wide', { docIds: wideDocs }, wideSet],
  ] as const) {
    t0 = performance.now();
    const hits = await store.store.vectors.search(q, 10, filter);
    vecRuns[name].push(performance.now() - t0);
    const truth = new Set(exact(q, keep));
    recall[name] += hits.filter((h) => truth.has(h.passageId)).length / 10 / probes.length;
  }
}
console.log(`pgvector HNSW, k=10, no filter      ${row(vecRuns.all)}   recall@10 ${recall.all.toFixed(3)}`);
console.log(`pgvector, filter 10% (exact scan)   ${row(vecRuns.narrow)}   recall@10 ${recall.narrow.toFixed(3)}`);
console.log(`pgvector, filter 60% (HNSW iter.)   ${row(vecRuns.wide)}   recall@10 ${recall.wide.toFixed(3)}`);
await store.close();
await db.close();

// pg_textsearch: a BM25 index over the same terms, space-joined ('simple' configuration).
const ts = await PGlite.create({ extensions: { pg_textsearch } });
await ts.exec('CREATE EXTENSION pg_textsearch; CREATE TABLE p (id integer PRIMARY KEY, doc_id text, content text)');
t0 = performance.now();
for (let i = 0; i < ordered.length; i += 1000) {
  const slice = ordered.slice(i, i + 1000);
  await ts.query('INSERT INTO p SELECT * FROM unnest($1::int[], $2::text[], $3::text[])', [slice.map((_, j) => i + j), slice.map((p) => p.passage.docId), slice.map((p) => (Array.isArray(p.terms) ? (p.terms as readonly string[]) : [...(p.terms as ReadonlyMap<string, number>)].flatMap(([t, n]) => Array<string>(n).fill(t))).join(' '))]);
}
await ts.exec("CREATE INDEX p_bm25 ON p USING bm25 (content) WITH (text_config = 'simple')");
console.log(`pg_textsearch load + index build: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const tsTimes: number[] = [];
let overlap = 0;
let sameOrder = 0;
for (const q of questions) {
  t0 = performance.now();
  const rows = (await ts.query<{ id: number }>("SELECT id FROM p ORDER BY content <@> to_bm25query($1, 'p_bm25') LIMIT $2", [q.join(' '), k])).rows;
  tsTimes.push(performance.now() - t0);
  const want = bm25.search(q, k).map((h) => h.index);
  const w = new Set(want);
  overlap += rows.filter((r) => w.has(r.id)).length / Math.max(want.length, 1) / questions.length;
  if (rows.length === want.length && rows.every((r, i) => r.id === want[i])) sameOrder += 1;
}
console.log(`BM25 pg_textsearch (PGlite)         ${row(tsTimes)}   top-${k} overlap with Bm25Index ${(overlap * 100).toFixed(1)}%, identical rankings ${sameOrder}/${questions.length}`);
await ts.close();
