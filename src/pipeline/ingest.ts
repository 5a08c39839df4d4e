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
import type { ModelProfile } from '../embeddings/profiles.js';
import { ANALYZER_VERSION, analyze } from '../retrieval/analyzer.js';
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

export interface IngestOptions {
  corpusDir: string;
  indexDir: string;
  embedder: Embedder;
  profile: ModelProfile;
  chunkMaxChars: number;
  chunkMinChars: number;
  hnsw: HnswParams;
  batchSize: number;
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

function toRecord(chunk: Chunk, label: number): { record: PassageRecord; terms: string[] } {
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
  return { record, terms: analyze(chunk.indexText) };
}

/** A chunk's record and BM25 terms; a failure to analyze names the corpus file instead of failing anonymously. */
function analyzed(doc: LoadedDocument, chunk: Chunk, label: number): { record: PassageRecord; terms: string[] } {
  try {
    return toRecord(chunk, label);
  } catch (error) {
    throw new KbError(ERROR_CODES.CORPUS_FILE_INVALID, `${doc.source}: could not analyze passage ${chunk.passageId} (${describeError(error)}); fix or remove the file and run \`npm run -s kb -- ingest\` again`, { cause: error, details: { file: doc.source } });
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
    return { ...base, upToDate: true, passages: previous.kb.passages.length, embedded: 0, seconds, embedSeconds: 0, chunksPerSecond: 0, version: previous.kb.info.version };
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
  // Embed what is new or changed, in batches, with a progress bar.
  const toEmbed: Chunk[] = [...added, ...changed].flatMap((id) => (fresh.get(id) as LoadedDocument).chunks).filter((c) => !reuse(c));
  const embedStarted = Date.now();
  const bar = progress('embedding', toEmbed.length);
  const newVectors = new Map<string, Float32Array>();
  for (let i = 0; i < toEmbed.length; i += options.batchSize) {
    const batch = toEmbed.slice(i, i + options.batchSize);
    const vectors = await options.embedder.embedDocuments(batch.map((c) => c.indexText));
    batch.forEach((c, j) => newVectors.set(c.passageId, vectors[j] as Float32Array));
    bar.tick(batch.length);
  }
  bar.done();
  const embedSeconds = (Date.now() - embedStarted) / 1000;

  // Assemble passages in a stable order: by docId, then position.
  const dim = options.embedder.dimension;
  const keepIds = new Set([...unchanged, ...kept]);
  const docIds = [...new Set([...fresh.keys(), ...kept])].sort();
  let nextLabel = previous?.manifest.hnsw.nextLabel ?? 0;
  let deleted = previous?.manifest.hnsw.deleted ?? 0;
  const passages: PassageRecord[] = [];
  // Parallel to passages: what BM25 indexes. Kept passages reuse the previous index's term counts.
  const bm25Input: Bm25Document[] = [];
  const previousCounts = previous && keepIds.size > 0 ? previous.kb.bm25.termCounts() : undefined;
  const vectorRows: Float32Array[] = [];
  const addedLabels: { label: number; vector: Float32Array }[] = [];
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
        const p = previous.kb.passages[pos] as PassageRecord;
        passages.push(p);
        bm25Input.push(previousCounts?.[pos] as Bm25Document);
        vectorRows.push(previous.kb.vectors.subarray(pos * dim, (pos + 1) * dim));
      }
    } else {
      const doc = fresh.get(docId) as LoadedDocument;
      for (const chunk of doc.chunks) {
        const kept = reuse(chunk);
        if (kept && previous) {
          // Same id, same text and path: the old point stays; only position and offsets move.
          const { record, terms } = analyzed(doc, chunk, kept.record.label);
          passages.push(record);
          bm25Input.push(terms);
          vectorRows.push(previous.kb.vectors.subarray(kept.position * dim, (kept.position + 1) * dim));
          keptLabels.add(kept.record.label);
          continue;
        }
        const vector = newVectors.get(chunk.passageId) as Float32Array;
        const { record, terms } = analyzed(doc, chunk, nextLabel);
        nextLabel += 1;
        passages.push(record);
        bm25Input.push(terms);
        vectorRows.push(vector);
        addedLabels.push({ label: record.label, vector });
      }
    }
  }
  const vectors = new Float32Array(passages.length * dim);
  vectorRows.forEach((row, i) => vectors.set(row, i * dim));

  // Dense index: patch the previous one (mark old points deleted, add new), or build afresh.
  const indexBar = progress('indexing', passages.length);
  let dense: DenseIndex;
  const dropped = previous ? previous.kb.passages.filter((p) => !keepIds.has(p.docId) && !keptLabels.has(p.label)) : [];
  if (previous && deleted + dropped.length <= passages.length) {
    dense = previous.kb.dense;
    for (const p of dropped) dense.remove(p.label);
    deleted += dropped.length;
    indexBar.tick(passages.length - addedLabels.length);
    for (const { label, vector } of addedLabels) {
      dense.add(label, vector);
      indexBar.tick();
    }
  } else {
    // Fresh build (or compaction once deleted points outnumber live ones): labels renumbered.
    dense = DenseIndex.create(dim, passages.length, options.hnsw);
    deleted = 0;
    passages.forEach((p, i) => {
      p.label = i;
      dense.add(i, vectors.subarray(i * dim, (i + 1) * dim));
      indexBar.tick();
    });
    nextLabel = passages.length;
  }
  indexBar.done();
  const bm25 = Bm25Index.build(bm25Input);

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
    seconds,
    embedSeconds,
    chunksPerSecond: toEmbed.length / Math.max(embedSeconds, 1e-3),
    version,
  };
}
