/**
 * The embedded backend's *apply* step: a `StoreWriter` over INDEX_DIR. A write session (`begin`,
 * also behind `apply`) writes one new snapshot version from the live one and the plan: documents
 * left alone keep their passages, vectors, BM25 term counts and HNSW points; a rewritten document
 * keeps the HNSW point of every passage whose id and breadcrumb did not change; removed and
 * rewritten passages are marked deleted in HNSW (compacted once deleted points outnumber live
 * ones). Readers switch when CURRENT does, on commit.
 */
import { CHUNKER_VERSION } from '../chunking/chunker.js';
import { DenseIndex, type HnswParams } from '../embeddings/dense-index.js';
import type { ModelProfile } from '../embeddings/profiles.js';
import { ANALYZER_VERSION } from '../retrieval/analyzer.js';
import { Bm25Builder, type Bm25Forward } from '../retrieval/bm25.js';
import type { IndexedDocument, KnowledgeIndex, PassageRecord } from '../retrieval/knowledge-index.js';
import type { SessionPlan, StoreWriter, WriteSession } from '../storage/types.js';
import { ERROR_CODES, KbError, describeError, isKbError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { silentLogger } from '../shared/logger.js';
import type { ProgressFactory } from '../shared/progress.js';
import { noProgress } from '../shared/progress.js';
import { beginSnapshot, currentVersion, loadIndex, readManifest, type IndexManifest } from './index-store.js';

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
  begin(plan: SessionPlan): Promise<WriteSession>;
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
    async begin(plan) {
      const { previous } = await load();
      // The next write starts from what is live then (also after a failure that touched the loaded HNSW).
      return openSession(previous, plan, options, () => {
        loaded = undefined;
      });
    },
    async apply(plan) {
      const put = [...plan.put].sort((a, b) => byDocId(a.document.meta.docId, b.document.meta.docId));
      const session = await this.begin({ remove: plan.remove, put: put.map((w) => w.document.meta.docId) });
      try {
        await session.put(put);
        return await session.commit();
      } catch (error) {
        await session.abort();
        throw error;
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

/** Float32 rows appended one by one into one growing buffer. */
class RowBuffer {
  private data: Float32Array;
  private rows = 0;
  constructor(private readonly dim: number, capacity = 1024) {
    this.data = new Float32Array(Math.max(capacity, 1) * dim);
  }
  get length(): number {
    return this.rows;
  }
  push(row: Float32Array): void {
    if ((this.rows + 1) * this.dim > this.data.length) {
      const bigger = new Float32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data.set(row, this.rows * this.dim);
    this.rows += 1;
  }
  row(i: number): Float32Array {
    return this.data.subarray(i * this.dim, (i + 1) * this.dim);
  }
  /** The rows as one array (a view: no copy). */
  all(): Float32Array {
    return this.data.subarray(0, this.rows * this.dim);
  }
}

const byDocId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A write session over the live snapshot. Documents arrive in ascending docId order; the kept ones
 * (neither put nor removed) are merged in between from the previous snapshot, so passages, vectors
 * and BM25 postings are appended in their final order and each batch's chunks and term maps can be
 * dropped once consumed. HNSW is written as batches arrive (while the ingest workers embed the next
 * ones) when that gives the graph the one-shot apply would build:
 *  - no previous snapshot: every passage is inserted on arrival, label = its position;
 *  - a previous one and no document rewritten (only added or removed), with compaction ruled out
 *    whatever is added: the removed documents' points are marked deleted first, then new points
 *    inserted on arrival;
 *  - otherwise (rewritten documents: which of their points stay is known only once all are chunked)
 *    insertion waits for `commit`, then patches or compacts as before.
 * Nothing is visible to readers before `commit` switches CURRENT.
 */
function openSession(previous: Previous | undefined, plan: SessionPlan, options: FileWriterOptions, release: () => void): WriteSession {
  const progress = options.progress ?? noProgress;
  const dim = options.dimension;
  const prevDocs = previous?.kb.documents ?? new Map<string, IndexedDocument>();
  const removed = new Set(plan.remove);
  const putIds = new Set(plan.put);
  const kept = [...prevDocs.keys()].filter((id) => !removed.has(id) && !putIds.has(id)).sort(byDocId);
  const keepIds = new Set(kept);
  let keptAt = 0;
  const previousPositions = new Map<string, number[]>();
  previous?.kb.passages.forEach((p, pos) => {
    let list = previousPositions.get(p.docId);
    if (!list) previousPositions.set(p.docId, (list = []));
    list.push(pos);
  });
  // The previous BM25 postings by passage, made when a kept document is first copied.
  let forward: Bm25Forward | undefined;

  let nextLabel = previous?.manifest.hnsw.nextLabel ?? 0;
  let deleted = previous?.manifest.hnsw.deleted ?? 0;
  const passages: PassageRecord[] = [];
  // Sized for the passages expected (kept ones included), so that a large ingest does not grow them step by step.
  const expected = Math.ceil(((plan.passages ?? 0) + kept.reduce((a, id) => a + (previousPositions.get(id)?.length ?? 0), 0)) * 1.05);
  const vectors = new RowBuffer(dim, Math.max(expected, 1024));
  const bm25 = new Bm25Builder();
  // Documents go to disk as they come (kept ones included), not held until the commit.
  const sink = beginSnapshot(options.indexDir, { logger: options.logger ?? silentLogger });
  let documentCount = 0;
  let putCount = 0;
  const manifestDocs: IndexManifest['documents'] = {};
  const keptLabels = new Set<number>();
  /** Rows whose new HNSW point waits for commit (mode `deferred`). */
  const waiting: number[] = [];
  let lastPut: string | undefined;
  let state: 'open' | 'committing' | 'closed' = 'open';

  let mode: 'fresh' | 'patch' | 'deferred';
  let dense: DenseIndex | undefined;
  if (!previous) {
    mode = 'fresh';
    dense = DenseIndex.create(dim, Math.max(expected, 1024), options.hnsw);
  } else {
    const rewritten = plan.put.some((id) => prevDocs.has(id));
    const dropped = plan.remove.flatMap((id) => previousPositions.get(id) ?? []);
    // Passages only grow from here, so the patch condition of commit holds whatever is added.
    if (!rewritten && deleted + 2 * dropped.length <= previous.kb.passages.length) {
      mode = 'patch';
      dense = previous.kb.dense;
      for (const pos of dropped.sort((a, b) => a - b)) dense.remove((previous.kb.passages[pos] as PassageRecord).label);
      deleted += dropped.length;
    } else mode = 'deferred';
  }

  const push = (record: PassageRecord, vector: Float32Array): void => {
    passages.push(record);
    vectors.push(vector);
  };
  const addDocument = async (doc: IndexedDocument, count: number): Promise<void> => {
    await sink.addDocument(doc);
    documentCount += 1;
    manifestDocs[doc.meta.docId] = { hash: doc.contentHash, source: doc.source, passages: count };
  };
  /** Kept documents that sort before `upTo` (all when undefined), copied from the previous snapshot. */
  const flushKept = async (upTo?: string): Promise<void> => {
    while (keptAt < kept.length && (upTo === undefined || byDocId(kept[keptAt] as string, upTo) < 0)) {
      const docId = kept[keptAt] as string;
      keptAt += 1;
      if (!previous) continue;
      forward ??= previous.kb.bm25.forward();
      const positions = previousPositions.get(docId) ?? [];
      for (const pos of positions) {
        push(previous.kb.passages[pos] as PassageRecord, previous.kb.vectors.subarray(pos * dim, (pos + 1) * dim));
        bm25.addFrom(forward, pos);
      }
      await addDocument(prevDocs.get(docId) as IndexedDocument, positions.length);
    }
  };
  const refuse = (what: string): KbError => new KbError(ERROR_CODES.INTERNAL, `index write session: ${what}`);

  return {
    async put(batch) {
      if (state !== 'open') throw refuse(`put after ${state === 'closed' ? 'commit or abort' : 'commit began'}`);
      for (const write of batch) {
        const docId = write.document.meta.docId;
        if (!putIds.has(docId)) throw refuse(`document ${docId} was not in the session's plan`);
        if (lastPut !== undefined && byDocId(docId, lastPut) <= 0) throw refuse(`document ${docId} came after ${lastPut}; documents are put in ascending docId order, each once`);
        lastPut = docId;
        await flushKept(docId);
        // Same id, same breadcrumb: the old HNSW point stays; only position and offsets move.
        const old = new Map((previousPositions.get(docId) ?? []).map((pos) => [(previous?.kb.passages[pos] as PassageRecord).passageId, previous?.kb.passages[pos] as PassageRecord] as const));
        for (const { passage, terms, vector } of write.passages) {
          const before = old.get(passage.passageId);
          const reuse = before !== undefined && before.breadcrumb === passage.breadcrumb && !keptLabels.has(before.label);
          const row = passages.length;
          const label = reuse ? before.label : mode === 'fresh' ? row : nextLabel++;
          if (reuse) keptLabels.add(label);
          bm25.add(terms instanceof Map ? terms : (terms as readonly string[]));
          push({ ...passage, label }, vector);
          if (reuse) continue;
          if (mode === 'deferred') waiting.push(row);
          else (dense as DenseIndex).add(label, vector);
        }
        await addDocument(write.document, write.passages.length);
        putCount += 1;
      }
    },
    async skip(docIds) {
      if (state !== 'open') throw refuse(`skip after ${state === 'closed' ? 'commit or abort' : 'commit began'}`);
      for (const docId of docIds) {
        if (!putIds.has(docId)) throw refuse(`document ${docId} was not in the session's plan`);
        if (lastPut !== undefined && byDocId(docId, lastPut) <= 0) throw refuse(`document ${docId} was skipped after ${lastPut} was put; documents are put or skipped in ascending docId order`);
        putIds.delete(docId);
        if (!prevDocs.has(docId)) continue;
        // Its stored version stays: copied with the other kept documents, in docId order.
        let at = keptAt;
        while (at < kept.length && byDocId(kept[at] as string, docId) < 0) at += 1;
        kept.splice(at, 0, docId);
        keepIds.add(docId);
      }
    },
    async commit() {
      if (state !== 'open') throw refuse(`commit after ${state === 'closed' ? 'commit or abort' : 'commit began'}`);
      state = 'committing';
      try {
        await flushKept();
        if (documentCount !== kept.length + putIds.size) throw refuse(`committed before every planned document was put (${putCount} of ${putIds.size} put)`);
        const all = vectors.all();
        if (mode === 'fresh') {
          (dense as DenseIndex).fit();
          nextLabel = passages.length;
          deleted = 0;
        } else if (mode === 'deferred' && previous) {
          // Dense index: patch the previous one (mark old points deleted, add new), or build afresh.
          const indexBar = progress('indexing', passages.length);
          const dropped = previous.kb.passages.filter((p) => !keepIds.has(p.docId) && !keptLabels.has(p.label));
          if (deleted + dropped.length <= passages.length) {
            dense = previous.kb.dense;
            for (const p of dropped) dense.remove(p.label);
            deleted += dropped.length;
            indexBar.tick(passages.length - waiting.length);
            for (const row of waiting) {
              dense.add((passages[row] as PassageRecord).label, vectors.row(row));
              indexBar.tick();
            }
          } else {
            // Compaction once deleted points outnumber live ones: labels renumbered.
            dense = DenseIndex.create(dim, passages.length, options.hnsw);
            deleted = 0;
            passages.forEach((p, i) => {
              p.label = i;
              (dense as DenseIndex).add(i, vectors.row(i));
              indexBar.tick();
            });
            nextLabel = passages.length;
          }
          indexBar.done();
        }
        const version = await sink.commit(
          {
            manifest: {
              model: { id: options.modelId, dimension: dim, pooling: options.profile.pooling, queryPrefix: options.profile.queryPrefix, passagePrefix: options.profile.passagePrefix },
              chunker: { version: CHUNKER_VERSION, maxChars: options.chunkMaxChars, minChars: options.chunkMinChars },
              analyzerVersion: ANALYZER_VERSION,
              hnsw: { space: 'cosine', M: options.hnsw.M, efConstruction: options.hnsw.efConstruction, nextLabel, deleted },
              documents: manifestDocs,
              counts: { documents: documentCount, passages: passages.length },
            },
            passages,
            vectors: all,
            dense: dense as DenseIndex,
            bm25: bm25.build(),
          },
          { beforeSwitch: options.beforeSwitch },
        );
        return { version };
      } catch (error) {
        await sink.abort();
        throw error;
      } finally {
        state = 'closed';
        release();
      }
    },
    async abort() {
      if (state === 'closed') return;
      state = 'closed';
      // Nothing goes live; a previous index patched in memory is loaded afresh by the next write.
      release();
      await sink.abort();
    },
  };
}
