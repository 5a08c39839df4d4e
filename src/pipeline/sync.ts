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
import { analyze } from '../retrieval/analyzer.js';
import type { DocumentWrite, StoreWriter } from '../storage/types.js';
import { ERROR_CODES, KbError, describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { silentLogger } from '../shared/logger.js';
import { noProgress, type ProgressFactory } from '../shared/progress.js';
import { loadCorpus, type LoadedDocument } from './corpus.js';
import type { IngestSummary } from './ingest.js';
import { syncOriginals } from './library.js';

export interface SyncOptions {
  corpusDir: string;
  writer: StoreWriter;
  embedder: Embedder;
  chunkMaxChars: number;
  chunkMinChars: number;
  batchSize: number;
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
  const stored_version = changedDocs.length === 0 && plan.removed.length === 0 ? await options.writer.version() : undefined;
  if (stored_version !== undefined && (stored.size > 0 || corpus.documents.length === 0)) {
    const version = stored_version;
    return { ...base, upToDate: true, passages, embedded: 0, seconds: (Date.now() - started) / 1000, embedSeconds: 0, chunksPerSecond: 0, ...(version ? { version } : {}) };
  }

  const total = changedDocs.reduce((a, d) => a + d.chunks.length, 0);
  const bar = progress('embedding', total);
  let embedded = 0;
  let embedSeconds = 0;
  let version: string | undefined;
  const perApply = Math.max(1, options.documentsPerApply ?? 20);
  let removals = plan.removed;
  let first = true;
  for (let i = 0; i < changedDocs.length || removals.length > 0 || first; i += perApply) {
    first = false;
    const batch = changedDocs.slice(i, i + perApply);
    const chunks = batch.flatMap((d) => d.chunks);
    const reused = options.rebuild ? new Map<string, Float32Array>() : await options.writer.vectorsOf(chunks.map((c) => ({ passageId: c.passageId, breadcrumb: c.breadcrumb })));
    const toEmbed = chunks.filter((c) => !reused.has(c.passageId));
    const t0 = Date.now();
    const vectors = new Map(reused);
    for (let j = 0; j < toEmbed.length; j += options.batchSize) {
      const slice = toEmbed.slice(j, j + options.batchSize);
      const out = await options.embedder.embedDocuments(slice.map((c) => c.indexText));
      // A passage of words the model does not know has no direction: stored as zeros (never near
      // anything), not NaN, which a vector index would take for a point or refuse.
      slice.forEach((c, k) => vectors.set(c.passageId, finiteOrZero(out[k] as Float32Array)));
      bar.tick(slice.length);
    }
    bar.tick(chunks.length - toEmbed.length);
    embedSeconds += (Date.now() - t0) / 1000;
    embedded += toEmbed.length;
    const put: DocumentWrite[] = batch.map((doc) => ({
      document: { meta: doc.meta, body: doc.body, contentHash: doc.contentHash, source: doc.source, tree: doc.tree },
      passages: doc.chunks.map((c: Chunk) => ({ passage: passageFields(c), terms: analyzed(doc, c), vector: vectors.get(c.passageId) as Float32Array })),
    }));
    ({ version } = await options.writer.apply({ put, remove: removals }));
    removals = [];
  }
  bar.done();
  const seconds = (Date.now() - started) / 1000;
  return { ...base, upToDate: false, passages, embedded, seconds, embedSeconds, chunksPerSecond: embedded / Math.max(embedSeconds, 1e-3), ...(version ? { version } : {}) };
}

function finiteOrZero(v: Float32Array): Float32Array {
  return v.every(Number.isFinite) ? v : new Float32Array(v.length);
}

/** A chunk's BM25 terms; a failure to analyze names the corpus file instead of failing anonymously. */
function analyzed(doc: LoadedDocument, chunk: Chunk): string[] {
  try {
    return analyze(chunk.indexText);
  } catch (error) {
    throw new KbError(ERROR_CODES.CORPUS_FILE_INVALID, `${doc.source}: could not analyze passage ${chunk.passageId} (${describeError(error)}); fix or remove the file and run \`npm run -s kb -- ingest\` again`, { cause: error, details: { file: doc.source } });
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
