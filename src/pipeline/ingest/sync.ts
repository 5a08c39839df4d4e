/**
 * Ingest into any store through its `StoreWriter`, in two steps:
 *  - *plan*: a first pass over the corpus folder reads, hashes and parses each file, keeping only
 *    its metadata, and compares the hashes with the store's (added, changed, unchanged, removed; a
 *    file that fails to parse keeps its stored version);
 *  - *apply*: the documents to write are read again, a few at a time in docId order, chunked,
 *    analyzed and embedded (passages whose id is already stored keep their vector; worker threads
 *    embed while this thread reads ahead and writes), and each batch goes to one write session
 *    (`beginWrite`): one transaction per batch in PostgreSQL, readers see a document whole or not at
 *    all; the snapshot's session inserts each batch into HNSW on arrival and switches on commit.
 *    A file that changed or went away since the first pass is skipped like one that fails to
 *    parse: reported, its stored version kept.
 * Memory holds the documents in flight, not the corpus. The embedded snapshot has its own `ingest`
 * (src/pipeline/ingest/ingest.ts).
 */
import type { Chunk } from '../../chunking/chunker.js';
import type { Embedder } from '../../embeddings/embedder.js';
import type { ExtractOptions } from '../../extract/types.js';
import { isReplicable } from '../../embeddings/transformers-embedder.js';
import { termCounts } from '../../lexical/analyzer.js';
import { passageFieldsOf } from '../../storage/passage-fields.js';
import { beginWrite, type DocumentWrite, type StoreWriter, type WriteSession } from '../../storage/types.js';
import { ERROR_CODES, KbError, describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { silentLogger } from '../../shared/logger.js';
import { noProgress, type Progress, type ProgressFactory } from '../../shared/progress.js';
import { isChangedSinceScan, readDocument, scanCorpus, type LoadedDocument, type ScannedDocument } from '../library/corpus.js';
import type { IngestSummary } from './summary.js';
import { startIngestWorkers, type IngestWorkers, type WorkerResult } from './ingest-workers.js';
import { syncOriginals } from '../library/originals.js';

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
  /** Documents read, embedded and written together (default 20: one transaction each in PostgreSQL). */
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
export function planSync(documents: readonly { meta: { docId: string }; contentHash: string }[], errors: readonly KbError[], stored: ReadonlyMap<string, { hash: string; source: string }>, rebuild = false): SyncPlan {
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

/** Passages read ahead while the worker threads load the model (bounds what waits in memory). */
const READ_AHEAD_PASSAGES = 4096;

/** Documents read and chunked together, written by one `put` once all their vectors are in. */
interface WriteBatch {
  docs: LoadedDocument[];
  /** Planned documents of the batch not written: their file changed since the scan. */
  skipped: string[];
  /** Their passages, in order. */
  items: Item[];
  vectors: Float32Array[];
  terms: ReadonlyMap<string, number>[];
  /** Passages still being embedded. */
  missing: number;
}

type Item = { doc: LoadedDocument; chunk: Chunk };
type Slot = { batch: WriteBatch; at: number };

export async function syncStore(options: SyncOptions): Promise<IngestSummary> {
  const logger = options.logger ?? silentLogger;
  const progress = options.progress ?? noProgress;
  const started = Date.now();
  const synced = await syncOriginals(options.corpusDir, options.extract, logger);
  // First pass: metadata and hashes only; the documents to write are read again one by one below.
  const corpus = await scanCorpus(options.corpusDir);
  corpus.errors.unshift(...synced.errors);
  for (const e of corpus.errors) logger.warn('corpus file skipped', { problem: e.message });
  const stored = await options.writer.hashes();
  const plan = planSync(corpus.documents, corpus.errors, stored, options.rebuild);
  const fileErrors = corpus.errors.map((e) => e.message);
  let documents = corpus.documents.length + plan.kept.length;
  const summaryBase = (): Pick<IngestSummary, 'documents' | keyof SyncPlan | 'fileErrors'> => ({ documents, ...plan, fileErrors });
  // Passages after the change: those of unchanged and kept documents as stored, the others' as chunked below.
  let passages = [...plan.unchanged, ...plan.kept].reduce((a, id) => a + (stored.get(id)?.passages ?? 0), 0);
  const changing = new Set([...plan.added, ...plan.changed]);
  // In docId order: the order of the snapshot's passages, so its writer can index each batch on arrival.
  const toWrite = corpus.documents.filter((d) => changing.has(d.meta.docId)).sort((a, b) => (a.meta.docId < b.meta.docId ? -1 : a.meta.docId > b.meta.docId ? 1 : 0));
  // Nothing to write, and the store was written before (an empty corpus over an empty store included).
  const current = toWrite.length === 0 && plan.removed.length === 0 ? await options.writer.version() : undefined;
  if (current !== undefined && (stored.size > 0 || corpus.documents.length === 0)) {
    const version = current;
    return { ...summaryBase(), upToDate: true, passages, embedded: 0, workers: 1, seconds: (Date.now() - started) / 1000, embedSeconds: 0, chunksPerSecond: 0, ...(version ? { version } : {}) };
  }

  const chunkOptions = { maxChars: options.chunkMaxChars, minChars: options.chunkMinChars };
  const perApply = Math.max(1, options.documentsPerApply ?? 20);
  const dim = options.embedder.dimension;
  const perRequest = options.batchSize * Math.max(1, Math.ceil(64 / options.batchSize));
  let totalBytes = toWrite.reduce((a, d) => a + d.bytes, 0);
  let bytesRead = 0;
  let chunked = 0;
  /** Passages queued for embedding so far (those without a stored vector). */
  let toEmbed = 0;
  let nextDoc = 0;
  let bar: Progress | undefined;
  const open: WriteBatch[] = [];
  /** Passages held in `open` (read, not yet written). */
  let openPassages = 0;
  const queue: Slot[] = [];

  /**
   * A document whose file changed or went away between the scan and this read: its hash and
   * metadata are no longer what the plan compared, so it is not written. Like a file that fails to
   * parse, it keeps its stored version (a new one stays out), is reported, and the ingest goes on.
   */
  const skipChanged = (scanned: ScannedDocument, error: KbError): void => {
    const docId = scanned.meta.docId;
    logger.warn('corpus file skipped', { problem: error.message });
    fileErrors.push(error.message);
    totalBytes -= scanned.bytes;
    const old = stored.get(docId);
    const from = plan.added.includes(docId) ? plan.added : plan.changed;
    from.splice(from.indexOf(docId), 1);
    if (old === undefined || from === plan.added) {
      documents -= 1;
      return;
    }
    plan.kept.push(docId);
    plan.kept.sort();
    passages += old.passages;
  };

  // Passages to write: known once every document is chunked; until then, estimated from the bytes read.
  const estimateTotal = (): number => (nextDoc >= toWrite.length ? chunked : Math.max(chunked, Math.round((chunked / Math.max(bytesRead, 1)) * totalBytes)));
  /** Reads, parses and chunks the next documents (one batch); what has no stored vector joins the embedding queue. */
  const readBatch = async (): Promise<void> => {
    const batch: WriteBatch = { docs: [], skipped: [], items: [], vectors: [], terms: [], missing: 0 };
    for (const scanned of toWrite.slice(nextDoc, nextDoc + perApply)) {
      let doc: LoadedDocument;
      try {
        doc = await readDocument(scanned, chunkOptions);
      } catch (error) {
        if (!isChangedSinceScan(error)) throw error;
        skipChanged(scanned, error);
        batch.skipped.push(scanned.meta.docId);
        continue;
      }
      batch.docs.push(doc);
      for (const chunk of doc.chunks) batch.items.push({ doc, chunk });
      bytesRead += scanned.bytes;
    }
    nextDoc = Math.min(nextDoc + perApply, toWrite.length);
    chunked += batch.items.length;
    const total = estimateTotal();
    if (bar) bar.retotal?.(total);
    else bar = progress('embedding', total);
    // Only a stored document's passages can have a vector to reuse (asking is what makes the embedded store load its index).
    const storedItems = batch.items.filter(({ doc }) => stored.has(doc.meta.docId));
    const reused = options.rebuild || storedItems.length === 0 ? new Map<string, Float32Array>() : await options.writer.vectorsOf(storedItems.map(({ chunk: c }) => ({ passageId: c.passageId, breadcrumb: c.breadcrumb })));
    batch.items.forEach((item, at) => {
      const vector = reused.get(item.chunk.passageId);
      if (vector) {
        // Passages whose vector is kept are only analyzed (few: the unchanged clauses of edited documents).
        batch.vectors[at] = vector;
        batch.terms[at] = analyzed(item.doc, item.chunk);
      } else {
        queue.push({ batch, at });
        batch.missing += 1;
      }
    });
    bar.tick(batch.items.length - batch.missing);
    toEmbed += batch.missing;
    openPassages += batch.items.length;
    open.push(batch);
  };
  /** Writes the batches at the head of `open` that have every vector, in order. */
  const writeComplete = async (to: WriteSession): Promise<void> => {
    while (open.length > 0 && (open[0] as WriteBatch).missing === 0) {
      const batch = open.shift() as WriteBatch;
      openPassages -= batch.items.length;
      await put(to, batch);
    }
  };

  let session: WriteSession | undefined;
  let starting: Promise<IngestWorkers | undefined> | undefined;
  let pool: IngestWorkers | undefined;
  let embedded = 0;
  let embedSeconds = 0;
  let version: string | undefined;
  // Worker threads pay once there is enough to embed (each loads the model): started when that many
  // passages lack a stored vector, never when every vector is reused.
  const wantsWorkers = (options.workers ?? 1) > 1 && isReplicable(options.embedder);
  const minPassages = options.workerMinPassages ?? WORKER_MIN_PASSAGES;
  const startWhenWorthIt = (): void => {
    if (!wantsWorkers || starting || toEmbed < minPassages) return;
    starting = startWorkers(options, logger);
    void starting.then((started) => {
      pool = started;
    });
  };
  try {
    // Read until that is known, holding a bounded number of passages (reused ones take no embedding).
    while (wantsWorkers && nextDoc < toWrite.length && toEmbed < minPassages && openPassages < READ_AHEAD_PASSAGES) await readBatch();
    startWhenWorthIt();
    if (starting) {
      // While the workers load the model, this thread reads ahead (a bounded amount).
      let ready = false;
      void starting.finally(() => {
        ready = true;
      });
      while (!ready && nextDoc < toWrite.length && openPassages < READ_AHEAD_PASSAGES) await readBatch();
      pool = await starting;
    }
    session = await beginWrite(options.writer, { remove: plan.removed, put: toWrite.map((d) => d.meta.docId), passages: estimateTotal() });
    const t0 = Date.now();
    const run = (texts: string[]): Promise<WorkerResult> => (pool ? pool.run(texts, texts, options.batchSize) : embedAndAnalyze(options.embedder, texts, options.batchSize));
    const inFlight: { slots: Slot[]; result: Promise<WorkerResult> }[] = [];
    for (;;) {
      // First keep the workers busy, then write what is complete: the writer's work (HNSW insertion
      // for the snapshot) runs in this thread while they embed. Requests of whole embedding batches
      // are in flight, a few per worker (workers started part way take over when ready); results
      // come back in order.
      while (inFlight.length < (pool ? pool.size * 2 : 1) && (queue.length > 0 || nextDoc < toWrite.length)) {
        if (queue.length < perRequest && nextDoc < toWrite.length) {
          await readBatch();
          startWhenWorthIt();
          // Batches with nothing left to embed are written now: when every vector is reused (a
          // front-matter edit of every file) the queue stays empty, and this loop would otherwise
          // read every changed document before the first write.
          await writeComplete(session);
          continue;
        }
        const slots = queue.splice(0, perRequest);
        const result = run(slots.map(({ batch, at }) => (batch.items[at] as Item).chunk.indexText));
        // A failure is thrown where it is awaited; one left behind by an earlier failure is not unhandled.
        result.catch(() => {});
        inFlight.push({ slots, result });
      }
      await writeComplete(session);
      const next = inFlight.shift();
      if (!next) break;
      const result = await next.result;
      next.slots.forEach(({ batch, at }, j) => {
        const item = batch.items[at] as Item;
        const counts = result.terms[j] as ReadonlyMap<string, number> | string;
        if (typeof counts === 'string') throw analysisError(item.doc, item.chunk, counts);
        // A passage of words the model does not know has no direction: stored as zeros (never near
        // anything), not NaN, which a vector index would take for a point or refuse.
        batch.vectors[at] = finiteOrZero(result.vectors.subarray(j * dim, (j + 1) * dim));
        batch.terms[at] = counts;
        batch.missing -= 1;
      });
      embedded += next.slots.length;
      bar?.tick(next.slots.length);
    }
    embedSeconds = (Date.now() - t0) / 1000;
    ({ version } = await session.commit());
  } catch (error) {
    // The error that stopped the ingest is the one to report, also when undoing its write fails too.
    try {
      await session?.abort();
    } catch (abortError) {
      logger.warn('the stopped ingest\'s write was not undone cleanly', { reason: describeError(abortError) });
    }
    throw error;
  } finally {
    // Also workers still starting when reading a document failed.
    await (pool ?? (await starting))?.close();
  }
  passages += chunked;
  bar?.done();
  const threads = pool?.size ?? 1;
  const seconds = (Date.now() - started) / 1000;
  return { ...summaryBase(), upToDate: false, passages, embedded, workers: threads, seconds, embedSeconds, chunksPerSecond: embedded / Math.max(embedSeconds, 1e-3), ...(version ? { version } : {}) };
}

/** Hands one complete batch to the writer, document by document, and lets go of its chunks. */
async function put(session: WriteSession, batch: WriteBatch): Promise<void> {
  if (batch.skipped.length > 0) await session.skip(batch.skipped);
  if (batch.docs.length === 0) return;
  let at = 0;
  const writes: DocumentWrite[] = batch.docs.map((doc) => ({
    document: { meta: doc.meta, body: doc.body, contentHash: doc.contentHash, source: doc.source, tree: doc.tree },
    passages: doc.chunks.map((chunk) => {
      const passage = { passage: passageFieldsOf(chunk), terms: batch.terms[at] as ReadonlyMap<string, number>, vector: batch.vectors[at] as Float32Array };
      at += 1;
      return passage;
    }),
  }));
  try {
    await session.put(writes);
  } catch (error) {
    if (error instanceof KbError) throw error;
    // The store refused the batch (a database error): name its files, so that the one at fault can be found.
    const files = batch.docs.map((d) => d.source);
    throw new KbError(ERROR_CODES.INTERNAL, `the store refused ${files.join(', ')}: ${describeError(error)}`, { cause: error, details: { files } });
  }
}

/** Below this many passages to embed, starting threads (each loads the model) costs more than it saves. */
export const WORKER_MIN_PASSAGES = 1000;

/** The worker pool (when the embedder can be recreated in a thread and it starts); else undefined. */
async function startWorkers(options: SyncOptions, logger: Logger): Promise<IngestWorkers | undefined> {
  const threads = options.workers ?? 1;
  if (threads <= 1 || !isReplicable(options.embedder)) return undefined;
  try {
    return await startIngestWorkers(options.embedder, threads);
  } catch (error) {
    logger.warn('ingest workers did not start; embedding in this thread', { reason: describeError(error) });
    return undefined;
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
  return new KbError(ERROR_CODES.CORPUS_FILE_INVALID, `${doc.source}: could not analyze passage ${chunk.passageId} (${problem})`, { cause, details: { file: doc.source }, hint: 'fix or remove the file and run `npm run -s kb -- ingest` again' });
}

/** A chunk's BM25 term counts. */
function analyzed(doc: LoadedDocument, chunk: Chunk): Map<string, number> {
  try {
    return termCounts(chunk.indexText);
  } catch (error) {
    throw analysisError(doc, chunk, describeError(error), error);
  }
}
