/**
 * The embedded backend's *apply* step: a `StoreWriter` over INDEX_DIR. Each `apply` writes one new
 * snapshot version from the live one and the plan: documents left alone keep their passages,
 * vectors, BM25 term counts and HNSW points; a rewritten document keeps the HNSW point of every
 * passage whose id and breadcrumb did not change; removed and rewritten passages are marked deleted
 * in HNSW (compacted once deleted points outnumber live ones). Readers switch when CURRENT does.
 */
import { CHUNKER_VERSION } from '../chunking/chunker.js';
import { DenseIndex, type HnswParams } from '../embeddings/dense-index.js';
import type { ModelProfile } from '../embeddings/profiles.js';
import { ANALYZER_VERSION } from '../retrieval/analyzer.js';
import { Bm25Index, type Bm25Document } from '../retrieval/bm25.js';
import type { IndexedDocument, KnowledgeIndex, PassageRecord } from '../retrieval/knowledge-index.js';
import type { StoreWriter, WritePlan } from '../storage/types.js';
import { describeError, isKbError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { silentLogger } from '../shared/logger.js';
import type { ProgressFactory } from '../shared/progress.js';
import { noProgress } from '../shared/progress.js';
import { currentVersion, loadIndex, readManifest, writeSnapshot, type IndexManifest } from './index-store.js';

export interface FileWriterOptions {
  indexDir: string;
  modelId: string;
  dimension: number;
  profile: ModelProfile;
  chunkMaxChars: number;
  chunkMinChars: number;
  hnsw: HnswParams;
  /** Ignore the live snapshot: the next apply writes everything afresh. */
  rebuild?: boolean;
  logger?: Logger;
  progress?: ProgressFactory;
  /** Called after the new version is written, before it goes live (tests). */
  beforeSwitch?: () => Promise<void>;
}

interface Previous {
  kb: KnowledgeIndex;
  manifest: IndexManifest;
}

export interface FileWriter extends StoreWriter {
  /** Why the next apply writes everything afresh (no index, another build or settings, --rebuild); undefined when it patches. */
  rebuildReason(): Promise<string | undefined>;
}

export function fileWriter(options: FileWriterOptions): FileWriter {
  const logger = options.logger ?? silentLogger;
  let loaded: Promise<{ previous?: Previous; reason?: string }> | undefined;
  const load = (): Promise<{ previous?: Previous; reason?: string }> => (loaded ??= loadPrevious(options, logger));

  return {
    async rebuildReason() {
      return (await load()).reason;
    },
    async version() {
      return currentVersion(options.indexDir);
    },
    async hashes() {
      const { previous } = await load();
      const out = new Map<string, { hash: string; source: string; passages: number }>();
      if (!previous) return out;
      for (const [docId, d] of Object.entries(previous.manifest.documents)) out.set(docId, { hash: d.hash, source: d.source, passages: d.passages });
      return out;
    },
    async vectorsOf(passages) {
      const { previous } = await load();
      const out = new Map<string, Float32Array>();
      if (!previous) return out;
      const dim = options.dimension;
      for (const { passageId, breadcrumb } of passages) {
        const pos = previous.kb.byId.get(passageId);
        if (pos !== undefined && previous.kb.passages[pos]?.breadcrumb === breadcrumb) out.set(passageId, previous.kb.vectors.subarray(pos * dim, (pos + 1) * dim));
      }
      return out;
    },
    async apply(plan) {
      const { previous } = await load();
      try {
        return { version: await writeFrom(previous, plan, options) };
      } finally {
        // The next apply starts from what is live now (also after a failure that touched the loaded HNSW).
        loaded = undefined;
      }
    },
  };
}

async function loadPrevious(options: FileWriterOptions, logger: Logger): Promise<{ previous?: Previous; reason?: string }> {
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
    const kb = await loadIndex(options.indexDir, { modelId: options.modelId, dimension: options.dimension, chunkMaxChars: options.chunkMaxChars, chunkMinChars: options.chunkMinChars, efSearch: options.hnsw.efSearch });
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

async function writeFrom(previous: Previous | undefined, plan: WritePlan, options: FileWriterOptions): Promise<string> {
  const progress = options.progress ?? noProgress;
  const dim = options.dimension;
  const prevDocs = previous?.kb.documents ?? new Map<string, IndexedDocument>();
  const puts = new Map(plan.put.map((w) => [w.document.meta.docId, w] as const));
  const removed = new Set(plan.remove);
  const docIds = [...new Set([...[...prevDocs.keys()].filter((id) => !removed.has(id)), ...puts.keys()])].sort();
  const keepIds = new Set(docIds.filter((id) => !puts.has(id)));

  const previousPositions = new Map<string, number[]>();
  previous?.kb.passages.forEach((p, pos) => {
    let list = previousPositions.get(p.docId);
    if (!list) previousPositions.set(p.docId, (list = []));
    list.push(pos);
  });
  let nextLabel = previous?.manifest.hnsw.nextLabel ?? 0;
  let deleted = previous?.manifest.hnsw.deleted ?? 0;
  const passages: PassageRecord[] = [];
  // Parallel to passages: what BM25 indexes. Kept passages reuse the previous index's term counts.
  const bm25Input: Bm25Document[] = [];
  const previousCounts = previous && keepIds.size > 0 ? previous.kb.bm25.termCounts() : undefined;
  const vectorRows: Float32Array[] = [];
  const addedLabels: { label: number; vector: Float32Array }[] = [];
  const keptLabels = new Set<number>();
  for (const docId of docIds) {
    const write = puts.get(docId);
    if (!write) {
      if (!previous) continue;
      for (const pos of previousPositions.get(docId) ?? []) {
        passages.push(previous.kb.passages[pos] as PassageRecord);
        bm25Input.push(previousCounts?.[pos] as Bm25Document);
        vectorRows.push(previous.kb.vectors.subarray(pos * dim, (pos + 1) * dim));
      }
      continue;
    }
    // Same id, same breadcrumb: the old HNSW point stays; only position and offsets move.
    const old = new Map((previousPositions.get(docId) ?? []).map((pos) => [(previous?.kb.passages[pos] as PassageRecord).passageId, previous?.kb.passages[pos] as PassageRecord] as const));
    for (const { passage, terms, vector } of write.passages) {
      const before = old.get(passage.passageId);
      const reuse = before && before.breadcrumb === passage.breadcrumb && !keptLabels.has(before.label);
      const label = reuse ? before.label : nextLabel++;
      if (reuse) keptLabels.add(label);
      else addedLabels.push({ label, vector });
      passages.push({ ...passage, label });
      bm25Input.push(terms);
      vectorRows.push(vector);
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

  const documents = docIds.map((id) => puts.get(id)?.document ?? (prevDocs.get(id) as IndexedDocument));
  const manifestDocs: IndexManifest['documents'] = {};
  const perDoc = new Map<string, number>();
  for (const p of passages) perDoc.set(p.docId, (perDoc.get(p.docId) ?? 0) + 1);
  for (const d of documents) manifestDocs[d.meta.docId] = { hash: d.contentHash, source: d.source, passages: perDoc.get(d.meta.docId) ?? 0 };
  return writeSnapshot(
    options.indexDir,
    {
      manifest: {
        model: { id: options.modelId, dimension: dim, pooling: options.profile.pooling, queryPrefix: options.profile.queryPrefix, passagePrefix: options.profile.passagePrefix },
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
}
