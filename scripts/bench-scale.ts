/**
 * `npm run bench:scale`: synthetic corpora of growing size (the real documents repeated with
 * perturbations), each ingested in its own process: ingest time, index size, peak memory, search
 * p50/p95 for BM25, dense and hybrid, HNSW recall@10 against exact search at the default efSearch —
 * and the LangChain tutorial stack (RecursiveCharacterTextSplitter 1000/200 + the same embedder +
 * HNSWLib) on the same text. BENCH_SCALES (default "10000,100000") sets the target passage counts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { HNSWLib } from '@langchain/community/vectorstores/hnswlib';
import { loadConfig } from '../src/config/index.js';
import { dirSize, synthesize } from './synthetic.js';
import { PolicyKbEmbeddings } from '../src/embeddings/langchain.js';
import { loadIndex } from '../src/pipeline/index-store.js';
import { ingest } from '../src/pipeline/ingest.js';
import { ingestOptionsFor } from '../src/pipeline/open.js';
import { tutorialChunks } from '../src/pipeline/evaluate.js';
import { createEmbeddingRuntime, expectationsFor } from '../src/pipeline/runtime.js';
import { createKnowledgeService } from '../src/retrieval/service.js';
import type { SearchMode } from '../src/retrieval/search.js';
import { fileStore } from '../src/storage/file-store.js';

const self = fileURLToPath(import.meta.url);
const PASSAGES_PER_COPY = 361;



const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0;

async function scale(target: number): Promise<void> {
  const copies = Math.max(1, Math.round(target / PASSAGES_PER_COPY));
  const corpusDir = await mkdtemp(path.join(tmpdir(), 'kb-scale-corpus-'));
  const indexDir = await mkdtemp(path.join(tmpdir(), 'kb-scale-index-'));
  await synthesize(copies, corpusDir);
  const config = loadConfig({ ...process.env, CORPUS_DIR: corpusDir, INDEX_DIR: indexDir });
  const { embedder, profile } = await createEmbeddingRuntime(config);
  const questions = (await readFile('test/fixtures/dev.jsonl', 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { question: string }).question);

  let t0 = performance.now();
  const summary = await ingest(ingestOptionsFor(config, embedder, profile));
  const ingestSeconds = (performance.now() - t0) / 1000;
  const size = await dirSize(indexDir);
  const kb = await loadIndex(indexDir, expectationsFor(config, embedder));
  const service = createKnowledgeService(fileStore(kb), embedder, { search: { denseWeight: profile.defaultDenseWeight } });
  await service.search('预热');
  const latencies: Record<string, string> = {};
  for (const mode of ['bm25', 'dense', 'hybrid'] as SearchMode[]) {
    for (const q of questions.slice(0, 10)) await service.search(q, { mode });
    const times: number[] = [];
    for (let r = 0; r < 3; r += 1) {
      for (const q of questions) {
        const t = performance.now();
        await service.search(q, { k: 10, mode });
        times.push(performance.now() - t);
      }
    }
    latencies[mode] = `p50 ${pct(times, 0.5).toFixed(1)} / p95 ${pct(times, 0.95).toFixed(1)} ms`;
  }
  // HNSW recall@10 against exact cosine search over the stored vectors. Synthetic copies make many
  // near-duplicates, so a returned point counts when its similarity reaches the exact 10th best
  // (tie-aware recall); label-set recall is printed beside it.
  const dim = kb.info.dimension;
  const probes = [...(await embedder.embedDocuments(questions)), ...Array.from({ length: 57 }, (_, i) => kb.vectors.slice(((i * 7919) % kb.passages.length) * dim, (((i * 7919) % kb.passages.length) + 1) * dim))];
  const exactTop = probes.map((q) => {
    const scores = new Float32Array(kb.passages.length);
    for (let p = 0; p < kb.passages.length; p += 1) {
      let s = 0;
      for (let d = 0; d < dim; d += 1) s += (q[d] as number) * (kb.vectors[p * dim + d] as number);
      scores[p] = s;
    }
    const order = [...scores.keys()].sort((a, b) => (scores[b] as number) - (scores[a] as number)).slice(0, 10);
    return { labels: new Set(order.map((p) => kb.passages[p]?.label)), tenth: scores[order[9] as number] as number };
  });
  const recalls: string[] = [];
  let recallAtDefault = '';
  for (const ef of [...new Set([64, config.hnswEfSearch, 128, 256])].sort((a, b) => a - b)) {
    kb.dense.setEf(ef);
    let byLabel = 0;
    let byScore = 0;
    probes.forEach((q, i) => {
      const hits = kb.dense.search(q, 10);
      const exact = exactTop[i] as { labels: Set<number | undefined>; tenth: number };
      byLabel += hits.filter((h) => exact.labels.has(h.label)).length;
      byScore += hits.filter((h) => h.score >= exact.tenth - 1e-5).length;
    });
    const total = probes.length * 10;
    recalls.push(`ef ${ef}: ${(byScore / total).toFixed(3)} (labels ${(byLabel / total).toFixed(3)})`);
    if (ef === config.hnswEfSearch) recallAtDefault = (byScore / total).toFixed(3);
  }
  kb.dense.setEf(config.hnswEfSearch);
  const found = Number(recallAtDefault) * 10;
  const total = 10;
  const peak = process.resourceUsage().maxRSS / 1024;
  console.log(
    `policy-kb  passages ${String(summary.passages).padStart(7)}  ingest ${ingestSeconds.toFixed(1).padStart(6)} s  index ${(size / 1e6).toFixed(1).padStart(6)} MB  peak RSS ${peak.toFixed(0).padStart(5)} MB  recall@10 ${(found / total).toFixed(3)} at efSearch ${config.hnswEfSearch} [${recalls.join('; ')}]  bm25 ${latencies.bm25}  dense ${latencies.dense}  hybrid ${latencies.hybrid}`,
  );

  if (process.env.BENCH_LANGCHAIN === '0') {
    await Promise.all([corpusDir, indexDir].map((d) => rm(d, { recursive: true, force: true })));
    return;
  }
  // The LangChain tutorial stack on the same documents.
  t0 = performance.now();
  const docs = await tutorialChunks(kb.documents);
  const store = await HNSWLib.fromDocuments(docs, new PolicyKbEmbeddings(embedder));
  const lcSeconds = (performance.now() - t0) / 1000;
  const lcDir = await mkdtemp(path.join(tmpdir(), 'kb-scale-lc-'));
  await store.save(lcDir);
  const lcSize = await dirSize(lcDir);
  const times: number[] = [];
  for (let r = 0; r < 3; r += 1) {
    for (const q of questions) {
      const t = performance.now();
      await store.similaritySearch(q, 10);
      times.push(performance.now() - t);
    }
  }
  console.log(
    `langchain  chunks   ${String(docs.length).padStart(7)}  build  ${lcSeconds.toFixed(1).padStart(6)} s  index ${(lcSize / 1e6).toFixed(1).padStart(6)} MB  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0).padStart(5)} MB (cumulative)  search p50 ${pct(times, 0.5).toFixed(1)} / p95 ${pct(times, 0.95).toFixed(1)} ms`,
  );
  await Promise.all([corpusDir, indexDir, lcDir].map((d) => rm(d, { recursive: true, force: true })));
}

const [mode, arg] = process.argv.slice(2);
if (mode === '--scale') {
  await scale(Number(arg));
} else {
  const scales = (process.env.BENCH_SCALES ?? '10000,100000').split(',').map(Number);
  console.log(`bench:scale on ${process.platform} ${process.arch}, node ${process.version}, ${new Date().toISOString()}; targets ${scales.join(', ')} passages`);
  for (const s of scales) {
    console.log(`-- target ${s} passages`);
    execFileSync(process.execPath, ['--import', 'tsx', self, '--scale', String(s)], { stdio: 'inherit' });
  }
}
