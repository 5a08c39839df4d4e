/**
 * Ingest into any store through its `StoreWriter`, in two steps:
 *  - *plan*: read the corpus folder and compare each document's content hash with the store's
 *    (added, changed, unchanged, removed; a file that fails to parse keeps its stored version);
 *  - *apply*: chunk, analyze and embed what changed (passages whose id is already stored keep their
 *    vector), then write it document batch by document batch, each batch one `apply` (one
 *    transaction in PostgreSQL: readers see a document whole or not at all).
 * The embedded snapshot has its own `ingest` (src/pipeline/ingest.ts), which also patches HNSW in place.
 */
import type { Chunk } from '../chunking/chunker.js';
import type { Embedder } from '../embeddings/embedder.js';
import type { ExtractOptions } from '../extract/types.js';
import { isReplicable } from '../embeddings/transformers-embedder.js';
import { termCounts } from '../retrieval/analyzer.js';
import type { DocumentWrite, StoreWriter } from '../storage/types.js';
import { ERROR_CODES, KbError, describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { silentLogger } from '../shared/logger.js';
import { noProgress, type ProgressFactory } from '../shared/progress.js';
import { loadCorpus, type LoadedDocument } from './corpus.js';
import type { IngestSummary } from './ingest.js';
import { startIngestWorkers, type IngestWorkers, type WorkerResult } from './ingest-workers.js';
import { syncOriginals } from './library.js';

export interface SyncOptions {
  corpusDir: string;
  writer: StoreWriter;
  embedder: Embedder;
  chunkMaxChars: number;
  chunkMinChars: number;
  batchSize: number;
  /** Worker threads that embed and analyze (default 1: all in this thread); see ingest-workers.ts. */
  workers?: number;
  /** Fewest passages to embed for which workers are started (default WORKER_MIN_PASSAGES). */
  workerMinPassages?: number;
  /** Documents written per `apply` (default 20; the embedded snapshot writes all in one). */
  documentsPerApply?: number;
  /** Write every document again (a store made with other settings). */
  rebuild?: boolean;
  extract?: ExtractOptions;
  logger?: Logger;
  progress?: ProgressFactory;
}

export interface SyncPlan {
  added: string[];
  changed: string[];
  unchanged: string[];
  removed: string[];
  /** Stored documents whose file now fails to parse: kept as stored. */
  kept: string[];
}

/** The plan: what differs between the corpus folder and the store. */
export function planSync(documents: readonly LoadedDocument[], errors: readonly KbError[], stored: ReadonlyMap<string, { hash: string; source: string }>, rebuild = false): SyncPlan {
  const fresh = new Map(documents.map((d) => [d.meta.docId, d]));
  const failedSources = new Set(errors.map((e) => e.details?.file).filter((f): f is string => typeof f === 'string'));
  const plan: SyncPlan = { added: [], changed: [], unchanged: [], removed: [], kept: [] };
  for (const [docId, doc] of fresh) {
    const old = stored.get(docId);
    if (old === undefined) plan.added.push(docId);
    else if (rebuild || old.hash !== doc.contentHash) plan.changed.push(docId);
    else plan.unchanged.push(docId);
  }
  // A stored document whose file is gone is removed; one whose file is there but fails to parse is kept.
  for (const [docId, old] of stored) {
    if (fresh.has(docId)) continue;
    if (failedSources.has(old.source)) plan.kept.push(docId);
    else plan.removed.push(docId);
  }
  for (const list of Object.values(plan)) (list as string[]).sort();
  return plan;
}

export async function syncStore(options: SyncOptions): Promise<IngestSummary> {
  const logger = options.logger ?? silentLogger;
  const progress = options.progress ?? noProgress;
  const started = Date.now();
  const synced = await syncOriginals(options.corpusDir, options.extract, logger);
  const corpus = await loadCorpus(options.corpusDir, { maxChars: options.chunkMaxChars, minChars: options.chunkMinChars });
  corpus.errors.unshift(...synced.errors);
  for (const e of corpus.errors) logger.warn('corpus file skipped', { problem: e.message });
  const stored = await options.writer.hashes();
  const plan = planSync(corpus.documents, corpus.errors, stored, options.rebuild);
  const base = { documents: corpus.documents.length + plan.kept.length, ...plan, fileErrors: corpus.errors.map((e) => e.message) };
  // Passages after the change: the corpus's, and those of kept documents as stored.
  const passages = corpus.documents.reduce((a, d) => a + d.chunks.length, 0) + plan.kept.reduce((a, id) => a + (stored.get(id)?.passages ?? 0), 0);
  const changing = new Set([...plan.added, ...plan.changed]);
  const changedDocs = corpus.documents.filter((d) => changing.has(d.meta.docId));
  // Nothing to write, and the store was written before (an empty corpus over an empty store included).
  const current = changedDocs.length === 0 && plan.removed.length === 0 ? await options.writer.version() : undefined;
  if (current !== undefined && (stored.size > 0 || corpus.documents.length === 0)) {
    const version = current;
    return { ...base, upToDate: true, passages, embedded: 0, workers: 1, seconds: (Date.now() - started) / 1000, embedSeconds: 0, chunksPerSecond: 0, ...(version ? { version } : {}) };
  }

  const total = changedDocs.reduce((a, d) => a + d.chunks.length, 0);
  const bar = progress('embedding', total);
  let embedded = 0;
  let embedSeconds = 0;
  let version: string | undefined;
  const perApply = Math.max(1, options.documentsPerApply ?? 20);
  // Worker threads pay once there is enough to embed (each loads the model).
  const pool = await startWorkers(options, total, logger);
  const threads = pool?.size ?? 1;
  try {
    // Documents in batches of `perApply`, the removals with the first; a first write of nothing is one empty batch.
    const batches: LoadedDocument[][] = [];
    for (let i = 0; i < changedDocs.length; i += perApply) batches.push(changedDocs.slice(i, i + perApply));
    if (batches.length === 0) batches.push([]);
    let removals = plan.removed;
    for (const batch of batches) {
      const chunks = batch.flatMap((d) => d.chunks.map((chunk) => ({ doc: d, chunk })));
      const reused = options.rebuild ? new Map<string, Float32Array>() : await options.writer.vectorsOf(chunks.map(({ chunk: c }) => ({ passageId: c.passageId, breadcrumb: c.breadcrumb })));
      const t0 = Date.now();
      const vectors = new Map(reused);
      const terms = new Map<string, ReadonlyMap<string, number>>();
      // Passages whose vector is kept are only analyzed (few: the unchanged clauses of edited documents).
      for (const { doc, chunk } of chunks) if (reused.has(chunk.passageId)) terms.set(chunk.passageId, analyzed(doc, chunk));
      bar.tick(reused.size);
      const toEmbed = chunks.filter(({ chunk }) => !reused.has(chunk.passageId));
      await embedAll(toEmbed, options, pool, (item, vector, counts) => {
        // A passage of words the model does not know has no direction: stored as zeros (never near
        // anything), not NaN, which a vector index would take for a point or refuse.
        vectors.set(item.chunk.passageId, finiteOrZero(vector));
        if (typeof counts === 'string') throw analysisError(item.doc, item.chunk, counts);
        terms.set(item.chunk.passageId, counts);
        bar.tick();
      });
      embedSeconds += (Date.now() - t0) / 1000;
      embedded += toEmbed.length;
      const put: DocumentWrite[] = batch.map((doc) => ({
        document: { meta: doc.meta, body: doc.body, contentHash: doc.contentHash, source: doc.source, tree: doc.tree },
        passages: doc.chunks.map((c: Chunk) => ({ passage: passageFields(c), terms: terms.get(c.passageId) as ReadonlyMap<string, number>, vector: vectors.get(c.passageId) as Float32Array })),
      }));
      ({ version } = await options.writer.apply({ put, remove: removals }));
      removals = [];
    }
  } finally {
    await pool?.close();
  }
  bar.done();
  const seconds = (Date.now() - started) / 1000;
  return { ...base, upToDate: false, passages, embedded, workers: threads, seconds, embedSeconds, chunksPerSecond: embedded / Math.max(embedSeconds, 1e-3), ...(version ? { version } : {}) };
}

/** Below this many passages to embed, starting threads (each loads the model) costs more than it saves. */
export const WORKER_MIN_PASSAGES = 1000;

/** The worker pool when it pays (and the embedder can be recreated in a thread); else undefined. */
async function startWorkers(options: SyncOptions, count: number, logger: Logger): Promise<IngestWorkers | undefined> {
  const threads = options.workers ?? 1;
  if (threads <= 1 || count < (options.workerMinPassages ?? WORKER_MIN_PASSAGES) || !isReplicable(options.embedder)) return undefined;
  try {
    return await startIngestWorkers(options.embedder, threads);
  } catch (error) {
    logger.warn('ingest workers did not start; embedding in this thread', { reason: describeError(error) });
    return undefined;
  }
}

type Item = { doc: LoadedDocument; chunk: Chunk };

/**
 * Embeds and analyzes `items` — in the worker pool (requests of whole embedding batches, a few in
 * flight per worker) or in this thread — and hands each result to `done` in order.
 */
async function embedAll(items: readonly Item[], options: SyncOptions, pool: IngestWorkers | undefined, done: (item: Item, vector: Float32Array, counts: ReadonlyMap<string, number> | string) => void): Promise<void> {
  const dim = options.embedder.dimension;
  const perRequest = options.batchSize * Math.max(1, Math.ceil(64 / options.batchSize));
  const requests: Item[][] = [];
  for (let i = 0; i < items.length; i += perRequest) requests.push(items.slice(i, i + perRequest));
  const run = (group: Item[]): Promise<WorkerResult> => {
    const texts = group.map((x) => x.chunk.indexText);
    return pool ? pool.run(texts, texts, options.batchSize) : embedAndAnalyze(options.embedder, texts, options.batchSize);
  };
  const window = pool ? pool.size * 2 : 1;
  const inFlight: Promise<WorkerResult>[] = [];
  for (let r = 0; r < requests.length; r += 1) {
    while (inFlight.length < window && r + inFlight.length < requests.length) {
      const pending = run(requests[r + inFlight.length] as Item[]);
      // A failure is thrown where it is awaited; one left behind by an earlier failure is not unhandled.
      pending.catch(() => {});
      inFlight.push(pending);
    }
    const result = await (inFlight.shift() as Promise<WorkerResult>);
    (requests[r] as Item[]).forEach((item, j) => done(item, result.vectors.subarray(j * dim, (j + 1) * dim), result.terms[j] as ReadonlyMap<string, number> | string));
  }
}

/** What a worker does, in this thread: embed in batches of `batchSize`, analyze each text. */
async function embedAndAnalyze(embedder: Embedder, texts: string[], batchSize: number): Promise<WorkerResult> {
  const dim = embedder.dimension;
  const vectors = new Float32Array(texts.length * dim);
  for (let i = 0; i < texts.length; i += batchSize) {
    const batch = await embedder.embedDocuments(texts.slice(i, i + batchSize));
    batch.forEach((v, j) => vectors.set(v, (i + j) * dim));
  }
  const terms = texts.map((t) => {
    try {
      return termCounts(t);
    } catch (error) {
      return describeError(error);
    }
  });
  return { vectors, terms };
}

function finiteOrZero(v: Float32Array): Float32Array {
  return v.every(Number.isFinite) ? v : new Float32Array(v.length);
}

/** A failure to analyze names the corpus file instead of failing anonymously. */
function analysisError(doc: LoadedDocument, chunk: Chunk, problem: string, cause?: unknown): KbError {
  return new KbError(ERROR_CODES.CORPUS_FILE_INVALID, `${doc.source}: could not analyze passage ${chunk.passageId} (${problem}); fix or remove the file and run \`npm run -s kb -- ingest\` again`, { cause, details: { file: doc.source } });
}

/** A chunk's BM25 term counts. */
function analyzed(doc: LoadedDocument, chunk: Chunk): Map<string, number> {
  try {
    return termCounts(chunk.indexText);
  } catch (error) {
    throw analysisError(doc, chunk, describeError(error), error);
  }
}

function passageFields(c: Chunk): DocumentWrite['passages'][number]['passage'] {
  const p: DocumentWrite['passages'][number]['passage'] = {
    passageId: c.passageId,
    docId: c.docId,
    index: c.index,
    start: c.start,
    end: c.end,
    breadcrumb: c.breadcrumb,
    headings: c.headings,
    labels: c.labels,
    clause: c.clause,
    sectionIds: c.sectionIds,
  };
  if (c.part) p.part = c.part;
  return p;
}
