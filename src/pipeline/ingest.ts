/**
 * Ingest: load → parse → chunk → embed → index → save, incremental by content hash.
 * Unchanged documents keep their passages and vectors; changed ones are re-chunked and
 * re-embedded (their old HNSW points marked deleted); removed files are dropped. A file that
 * fails to parse keeps its previously indexed version (reported, never silently lost).
 */
import type { Chunk } from '../chunking/chunker.js';
import { CHUNKER_VERSION } from '../chunking/chunker.js';
import { DenseIndex, type HnswParams } from '../embeddings/dense-index.js';
import type { Embedder } from '../embeddings/embedder.js';
import { isReplicable } from '../embeddings/transformers-embedder.js';
import type { ModelProfile } from '../embeddings/profiles.js';
import { ANALYZER_VERSION, termCounts } from '../retrieval/analyzer.js';
import { Bm25Index, type Bm25Document } from '../retrieval/bm25.js';
import type { IndexedDocument, KnowledgeIndex, PassageRecord } from '../retrieval/knowledge-index.js';
import { ERROR_CODES, KbError, describeError, isKbError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { silentLogger } from '../shared/logger.js';
import { noProgress, type ProgressFactory } from '../shared/progress.js';
import type { ExtractOptions } from '../extract/types.js';
import { loadCorpus, type LoadedDocument } from './corpus.js';
import { syncOriginals } from './library.js';
import { loadIndex, readManifest, writeSnapshot, type IndexManifest } from './index-store.js';
import { startIngestWorkers, type IngestWorkers, type WorkerResult } from './ingest-workers.js';

export interface IngestOptions {
  corpusDir: string;
  indexDir: string;
  embedder: Embedder;
  profile: ModelProfile;
  chunkMaxChars: number;
  chunkMinChars: number;
  hnsw: HnswParams;
  batchSize: number;
  /** Worker threads that embed and analyze (default 1: all in this thread); see ingest-workers.ts. */
  workers?: number;
  /** Fewest passages to embed for which workers are started (default WORKER_MIN_PASSAGES). */
  workerMinPassages?: number;
  rebuild?: boolean;
  /** How originals dropped into the corpus folder (PDF, Word, OFD…) are extracted. */
  extract?: ExtractOptions;
  logger?: Logger;
  progress?: ProgressFactory;
  /** Called after the new version is written, before it goes live (tests). */
  beforeSwitch?: () => Promise<void>;
}

export interface IngestSummary {
  upToDate: boolean;
  /** Why everything was rebuilt, when it was. */
  rebuildReason?: string;
  documents: number;
  passages: number;
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: string[];
  /** Documents whose file failed to parse and whose previous version was kept. */
  kept: string[];
  fileErrors: string[];
  embedded: number;
  /** Threads that embedded and analyzed: 1 is this one; more are worker threads. */
  workers: number;
  seconds: number;
  embedSeconds: number;
  chunksPerSecond: number;
  version?: string;
}

interface PreviousIndex {
  kb: KnowledgeIndex;
  manifest: IndexManifest;
}

async function loadPrevious(options: IngestOptions, logger: Logger): Promise<{ previous?: PreviousIndex; reason?: string }> {
  if (options.rebuild) return { reason: 'requested with --rebuild' };
  let current;
  try {
    current = await readManifest(options.indexDir);
  } catch (error) {
    // An index of an older format is rebuilt: the reason says why, without the "run …" hint.
    return { reason: (isKbError(error) ? error.message : describeError(error)).replace(/; run `[^`]*`$/u, '') };
  }
  if (!current) return { reason: 'no index yet' };
  try {
    const kb = await loadIndex(options.indexDir, {
      modelId: options.embedder.modelId,
      dimension: options.embedder.dimension,
      chunkMaxChars: options.chunkMaxChars,
      chunkMinChars: options.chunkMinChars,
      efSearch: options.hnsw.efSearch,
    });
    if (current.manifest.hnsw.M !== options.hnsw.M || current.manifest.hnsw.efConstruction !== options.hnsw.efConstruction) {
      return { reason: `HNSW parameters changed (M ${current.manifest.hnsw.M}→${options.hnsw.M}, efConstruction ${current.manifest.hnsw.efConstruction}→${options.hnsw.efConstruction})` };
    }
    return { previous: { kb, manifest: current.manifest } };
  } catch (error) {
    logger.warn('previous index not reusable; rebuilding', { reason: describeError(error) });
    // The message's "run … --rebuild" hint is what this ingest is about to do.
    return { reason: (isKbError(error) ? error.message : describeError(error)).replace(/; run `[^`]*`$/u, '') };
  }
}

function toRecord(chunk: Chunk, label: number): PassageRecord {
  const record: PassageRecord = {
    label,
    passageId: chunk.passageId,
    docId: chunk.docId,
    index: chunk.index,
    start: chunk.start,
    end: chunk.end,
    breadcrumb: chunk.breadcrumb,
    headings: chunk.headings,
    labels: chunk.labels,
    clause: chunk.clause,
    sectionIds: chunk.sectionIds,
  };
  if (chunk.part) record.part = chunk.part;
  return record;
}

/** A failure to analyze names the corpus file instead of failing anonymously. */
function analysisError(doc: LoadedDocument, chunk: Chunk, problem: string, cause?: unknown): KbError {
  return new KbError(ERROR_CODES.CORPUS_FILE_INVALID, `${doc.source}: could not analyze passage ${chunk.passageId} (${problem}); fix or remove the file and run \`npm run -s kb -- ingest\` again`, { cause, details: { file: doc.source } });
}

/** BM25 term counts of one chunk. */
function analyzed(doc: LoadedDocument, chunk: Chunk): Map<string, number> {
  try {
    return termCounts(chunk.indexText);
  } catch (error) {
    throw analysisError(doc, chunk, describeError(error), error);
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

/** Below this many passages to embed, starting threads (each loads the model) costs more than it saves. */
export const WORKER_MIN_PASSAGES = 1000;

/** The worker pool when it pays (and the embedder can be recreated in a thread); else undefined. */
async function startWorkers(options: IngestOptions, count: number, logger: Logger): Promise<IngestWorkers | undefined> {
  const threads = options.workers ?? 1;
  if (threads <= 1 || count < (options.workerMinPassages ?? WORKER_MIN_PASSAGES) || !isReplicable(options.embedder)) return undefined;
  try {
    return await startIngestWorkers(options.embedder, threads);
  } catch (error) {
    logger.warn('ingest workers did not start; embedding in this thread', { reason: describeError(error) });
    return undefined;
  }
}

function toIndexedDocument(doc: LoadedDocument): IndexedDocument {
  return { meta: doc.meta, body: doc.body, contentHash: doc.contentHash, source: doc.source, tree: doc.tree };
}

export async function ingest(options: IngestOptions): Promise<IngestSummary> {
  const logger = options.logger ?? silentLogger;
  const progress = options.progress ?? noProgress;
  const started = Date.now();
  const { previous, reason } = await loadPrevious(options, logger);
  const synced = await syncOriginals(options.corpusDir, options.extract, logger);
  const corpus = await loadCorpus(options.corpusDir, { maxChars: options.chunkMaxChars, minChars: options.chunkMinChars });
  corpus.errors.unshift(...synced.errors);
  const fileErrors = corpus.errors.map((e) => e.message);
  for (const e of corpus.errors) logger.warn('corpus file skipped', { problem: e.message });

  const prevDocs = previous?.kb.documents ?? new Map<string, IndexedDocument>();
  const fresh = new Map(corpus.documents.map((d) => [d.meta.docId, d]));
  // A previously indexed document whose file now fails to parse keeps its old version.
  const failedSources = new Set(corpus.errors.map((e: KbError) => e.details?.file).filter((f): f is string => typeof f === 'string'));
  const kept = [...prevDocs.values()].filter((d) => failedSources.has(d.source) && !fresh.has(d.meta.docId)).map((d) => d.meta.docId);

  const added: string[] = [];
  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const [docId, doc] of fresh) {
    const old = prevDocs.get(docId);
    if (!old) added.push(docId);
    else if (old.contentHash !== doc.contentHash) changed.push(docId);
    else unchanged.push(docId);
  }
  const removed = [...prevDocs.keys()].filter((id) => !fresh.has(id) && !kept.includes(id));
  const sortIds = (a: string[]): string[] => a.sort();
  [added, changed, unchanged, removed, kept].forEach(sortIds);

  const base = {
    documents: fresh.size + kept.length,
    added,
    changed,
    removed,
    unchanged,
    kept,
    fileErrors,
  };
  if (previous && added.length === 0 && changed.length === 0 && removed.length === 0) {
    const seconds = (Date.now() - started) / 1000;
    return { ...base, upToDate: true, passages: previous.kb.passages.length, embedded: 0, workers: 1, seconds, embedSeconds: 0, chunksPerSecond: 0, version: previous.kb.info.version };
  }

  // A changed document keeps the vectors (and HNSW points) of passages whose id and breadcrumb
  // did not change: only what was edited is embedded again.
  const reusable = new Map<string, { record: PassageRecord; position: number }>();
  if (previous) {
    const changedIds = new Set(changed);
    previous.kb.passages.forEach((p, position) => {
      if (changedIds.has(p.docId)) reusable.set(p.passageId, { record: p, position });
    });
  }
  const reuse = (chunk: Chunk): { record: PassageRecord; position: number } | undefined => {
    const hit = reusable.get(chunk.passageId);
    return hit && hit.record.breadcrumb === chunk.breadcrumb ? hit : undefined;
  };
  // Plan every passage of the new index in its final order (docId, then position): where its
  // record, vector and terms come from. Kept documents reuse the previous index's rows.
  const dim = options.embedder.dimension;
  const keepIds = new Set([...unchanged, ...kept]);
  const docIds = [...new Set([...fresh.keys(), ...kept])].sort();
  let nextLabel = previous?.manifest.hnsw.nextLabel ?? 0;
  let deleted = previous?.manifest.hnsw.deleted ?? 0;
  const passages: PassageRecord[] = [];
  /** Row of the previous index whose vector a passage keeps (-1: embedded now). */
  const source: number[] = [];
  /** Chunks to analyze now, by row; those also to embed are listed in `toEmbed`. */
  const fromChunk = new Map<number, { doc: LoadedDocument; chunk: Chunk }>();
  const toEmbed: number[] = [];
  const keptLabels = new Set<number>();
  const previousPositions = new Map<string, number[]>();
  previous?.kb.passages.forEach((p, pos) => {
    let list = previousPositions.get(p.docId);
    if (!list) previousPositions.set(p.docId, (list = []));
    list.push(pos);
  });
  for (const docId of docIds) {
    if (keepIds.has(docId) && previous) {
      for (const pos of previousPositions.get(docId) ?? []) {
        passages.push(previous.kb.passages[pos] as PassageRecord);
        source.push(pos);
      }
      continue;
    }
    const doc = fresh.get(docId) as LoadedDocument;
    for (const chunk of doc.chunks) {
      const reused = reuse(chunk);
      fromChunk.set(passages.length, { doc, chunk });
      if (reused) {
        // Same id, same text and path: the old point stays; only position and offsets move.
        passages.push(toRecord(chunk, reused.record.label));
        source.push(reused.position);
        keptLabels.add(reused.record.label);
      } else {
        toEmbed.push(passages.length);
        passages.push(toRecord(chunk, nextLabel));
        source.push(-1);
        nextLabel += 1;
      }
    }
  }

  // Dense index: patch the previous one (mark old points deleted, add new), or build afresh
  // (also to compact once deleted points would outnumber live ones), labels renumbered.
  const dropped = previous ? previous.kb.passages.filter((p) => !keepIds.has(p.docId) && !keptLabels.has(p.label)) : [];
  const patch = previous !== undefined && deleted + dropped.length <= passages.length;
  let dense: DenseIndex;
  if (patch) {
    dense = previous.kb.dense;
    for (const p of dropped) dense.remove(p.label);
    deleted += dropped.length;
  } else {
    dense = DenseIndex.create(dim, passages.length, options.hnsw);
    deleted = 0;
    passages.forEach((p, i) => (p.label = i));
    nextLabel = passages.length;
  }

  const vectors = new Float32Array(passages.length * dim);
  const bm25Input: (Bm25Document | undefined)[] = new Array(passages.length);
  const previousCounts = previous && source.some((s) => s >= 0) ? previous.kb.bm25.termCounts() : undefined;
  const ready = new Uint8Array(passages.length);
  source.forEach((pos, row) => {
    if (pos < 0 || !previous) return;
    vectors.set(previous.kb.vectors.subarray(pos * dim, (pos + 1) * dim), row * dim);
    if (!fromChunk.has(row)) bm25Input[row] = previousCounts?.[pos] as Bm25Document;
    ready[row] = 1;
  });
  // Passages whose vector is kept but whose chunk moved are analyzed here (few: edited documents).
  for (const [row, { doc, chunk }] of fromChunk) if (source[row] as number >= 0) bm25Input[row] = analyzed(doc, chunk);

  // HNSW insertion follows the rows in order as their vectors arrive (the same order as one thread
  // would use), overlapping with the embedding of later batches.
  let cursor = 0;
  const insertReady = (): void => {
    while (cursor < passages.length && ready[cursor] === 1) {
      if (!patch || source[cursor] === -1) dense.add((passages[cursor] as PassageRecord).label, vectors.subarray(cursor * dim, (cursor + 1) * dim));
      cursor += 1;
    }
  };

  const embedStarted = Date.now();
  const bar = progress('embedding', toEmbed.length);
  const workers = await startWorkers(options, toEmbed.length, logger);
  const threads = workers?.size ?? 1;
  try {
    // Requests of whole embedding batches; a few in flight per worker keep every thread busy.
    const perRequest = options.batchSize * Math.max(1, Math.ceil(64 / options.batchSize));
    const requests: number[][] = [];
    for (let i = 0; i < toEmbed.length; i += perRequest) requests.push(toEmbed.slice(i, i + perRequest));
    const run = (rows: number[]): Promise<WorkerResult> => {
      const texts = rows.map((row) => (fromChunk.get(row) as { chunk: Chunk }).chunk.indexText);
      return workers ? workers.run(texts, texts, options.batchSize) : embedAndAnalyze(options.embedder, texts, options.batchSize);
    };
    const window = workers ? workers.size * 2 : 1;
    const inFlight: Promise<WorkerResult>[] = [];
    for (let r = 0; r < requests.length; r += 1) {
      while (inFlight.length < window && r + inFlight.length < requests.length) {
        const pending = run(requests[r + inFlight.length] as number[]);
        // A failure is thrown where it is awaited; one left behind by an earlier failure is not unhandled.
        pending.catch(() => {});
        inFlight.push(pending);
      }
      const result = await (inFlight.shift() as Promise<WorkerResult>);
      const rows = requests[r] as number[];
      rows.forEach((row, j) => {
        const terms = result.terms[j];
        const { doc, chunk } = fromChunk.get(row) as { doc: LoadedDocument; chunk: Chunk };
        if (typeof terms === 'string') throw analysisError(doc, chunk, terms);
        bm25Input[row] = terms as Bm25Document;
        vectors.set(result.vectors.subarray(j * dim, (j + 1) * dim), row * dim);
        ready[row] = 1;
      });
      insertReady();
      bar.tick(rows.length);
    }
    insertReady();
  } finally {
    await workers?.close();
  }
  bar.done();
  const embedSeconds = (Date.now() - embedStarted) / 1000;
  if (cursor !== passages.length) throw new KbError(ERROR_CODES.INTERNAL, `ingest left ${passages.length - cursor} passages out of the dense index`);
  const bm25 = Bm25Index.build(bm25Input as Bm25Document[]);

  const documents = docIds.map((id) => (fresh.has(id) ? toIndexedDocument(fresh.get(id) as LoadedDocument) : (prevDocs.get(id) as IndexedDocument)));
  const manifestDocs: IndexManifest['documents'] = {};
  const perDoc = new Map<string, number>();
  for (const p of passages) perDoc.set(p.docId, (perDoc.get(p.docId) ?? 0) + 1);
  for (const d of documents) manifestDocs[d.meta.docId] = { hash: d.contentHash, source: d.source, passages: perDoc.get(d.meta.docId) ?? 0 };
  const version = await writeSnapshot(
    options.indexDir,
    {
      manifest: {
        model: { id: options.embedder.modelId, dimension: dim, pooling: options.profile.pooling, queryPrefix: options.profile.queryPrefix, passagePrefix: options.profile.passagePrefix },
        chunker: { version: CHUNKER_VERSION, maxChars: options.chunkMaxChars, minChars: options.chunkMinChars },
        analyzerVersion: ANALYZER_VERSION,
        hnsw: { space: 'cosine', M: options.hnsw.M, efConstruction: options.hnsw.efConstruction, nextLabel, deleted },
        documents: manifestDocs,
        counts: { documents: documents.length, passages: passages.length },
      },
      documents,
      passages,
      vectors,
      dense,
      bm25,
    },
    { beforeSwitch: options.beforeSwitch },
  );
  const seconds = (Date.now() - started) / 1000;
  return {
    ...base,
    upToDate: false,
    ...(previous ? {} : { rebuildReason: reason }),
    passages: passages.length,
    embedded: toEmbed.length,
    workers: threads,
    seconds,
    embedSeconds,
    chunksPerSecond: toEmbed.length / Math.max(embedSeconds, 1e-3),
    version,
  };
}
