/**
 * The embedded backend's *apply* step: a `StoreWriter` over INDEX_DIR. A write session (`begin`,
 * also behind `apply`) writes one new index version:
 *  - the first build, a `--rebuild`, or one after the model, chunking, analyzer or HNSW settings
 *    changed: a full snapshot, every passage inserted in a new HNSW graph as it arrives;
 *  - any other write: a delta segment holding only what it changed (the documents it puts, their
 *    passages, vectors and term counts; the documents it removes), so its cost follows the change,
 *    not the library (index-segments.ts). Readers apply it to what they hold (index-chain.ts);
 *    a merge later writes the whole state out as one snapshot again (index-compaction.ts).
 * A rewritten document's passage whose id and breadcrumb did not change keeps its vector (reused,
 * not embedded again) and its HNSW label, so its point in the graph stays. Readers switch when
 * CURRENT does, on commit.
 */
import { CHUNKER_VERSION } from '../../chunking/chunker.js';
import { DenseIndex } from '../../embeddings/dense-index.js';
import { ANALYZER_VERSION } from '../../lexical/analyzer.js';
import { Bm25Builder } from './bm25-builder.js';
import type { KnowledgeIndex, PassageRecord } from './knowledge-index.js';
import type { SessionPlan, StoreWriter, WriteSession } from '../types.js';
import { ERROR_CODES, KbError, describeError, isKbError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { silentLogger } from '../../shared/logger.js';
import type { ProgressFactory } from '../../shared/progress.js';
import { stateOf } from './index-chain.js';
import { beginSegment, beginSnapshot, currentVersion, expectationsOf, loadIndex, mismatchReason, readManifest, stateOfManifest, type FileIndexSettings, type IndexManifest } from './index-store.js';

export interface FileWriterOptions extends FileIndexSettings {
  /** Ignore the live snapshot: the next apply writes everything afresh. */
  rebuild?: boolean;
  /**
   * The live index as this process already holds it (a server's), when it has one: read instead of
   * loading the index again for the vectors of rewritten documents. Any other state is ignored.
   */
  loaded?: () => Promise<KnowledgeIndex | undefined>;
  logger?: Logger;
  progress?: ProgressFactory;
  /** Called after the new version is written, before it goes live (tests). */
  beforeSwitch?: () => Promise<void>;
}

/** The live version a write starts from. */
interface Previous {
  version: string;
  manifest: IndexManifest;
}

export interface FileWriter extends StoreWriter {
  begin(plan: SessionPlan): Promise<WriteSession>;
  /** Why the next apply writes everything afresh (no index, another build or settings, --rebuild); undefined when it adds a segment. */
  rebuildReason(): Promise<string | undefined>;
}

export function fileWriter(options: FileWriterOptions): FileWriter {
  const logger = options.logger ?? silentLogger;
  let found: Promise<{ previous?: Previous; reason?: string }> | undefined;
  const find = (): Promise<{ previous?: Previous; reason?: string }> => (found ??= findPrevious(options));
  let loading: Promise<KnowledgeIndex> | undefined;
  /** The live index in memory (only rewritten documents need it: their vectors and labels). */
  const previousIndex = async (): Promise<KnowledgeIndex | undefined> => {
    const { previous } = await find();
    if (!previous) return undefined;
    loading ??= (async () => {
      const held = await options.loaded?.().catch(() => undefined);
      if (held && stateOf(held) === stateOfManifest(previous.version, previous.manifest)) return held;
      return loadIndex(options.indexDir, expectationsOf(options));
    })();
    return loading;
  };
  const forget = (): void => {
    found = undefined;
    loading = undefined;
  };

  return {
    async rebuildReason() {
      return (await find()).reason;
    },
    async version() {
      return currentVersion(options.indexDir);
    },
    async hashes() {
      const { previous } = await find();
      const out = new Map<string, { hash: string; source: string; passages: number }>();
      if (!previous) return out;
      for (const [docId, d] of Object.entries(previous.manifest.documents)) out.set(docId, { hash: d.hash, source: d.source, passages: d.passages });
      return out;
    },
    async vectorsOf(passages) {
      const out = new Map<string, Float32Array>();
      if (passages.length === 0) return out;
      const kb = await previousIndex().catch((error: unknown) => {
        // Vectors are only reused: an index that will not load means embedding these passages again.
        logger.warn('the live index could not be read for its vectors; embedding the changed documents again', { reason: describeError(error) });
        return undefined;
      });
      if (!kb) return out;
      const dim = options.dimension;
      for (const { passageId, breadcrumb } of passages) {
        const pos = kb.byId.get(passageId);
        if (pos !== undefined && kb.passages[pos]?.breadcrumb === breadcrumb) out.set(passageId, kb.vectors.subarray(pos * dim, (pos + 1) * dim));
      }
      return out;
    },
    async begin(plan) {
      const { previous } = await find();
      // The next write starts from what is live then.
      if (!previous) return openFreshSession(plan, options, forget);
      const kb = loading ? await loading.catch(() => undefined) : undefined;
      return openDeltaSession(previous, kb, plan, options, forget);
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

/** The live version, unless the next write must rebuild (and why). Reads manifests only. */
async function findPrevious(options: FileWriterOptions): Promise<{ previous?: Previous; reason?: string }> {
  if (options.rebuild) return { reason: 'requested with --rebuild' };
  let current;
  try {
    current = await readManifest(options.indexDir);
  } catch (error) {
    // An index of an older format is rebuilt: the reason says why, without the "run …" hint.
    return { reason: isKbError(error) ? error.reason : describeError(error) };
  }
  if (!current) return { reason: 'no index yet' };
  const { manifest } = current;
  const mismatch = mismatchReason(manifest, { modelId: options.modelId, dimension: options.dimension, chunkMaxChars: options.chunkMaxChars, chunkMinChars: options.chunkMinChars, efSearch: options.hnsw.efSearch });
  if (mismatch) return { reason: mismatch.reason };
  if (manifest.hnsw.M !== options.hnsw.M || manifest.hnsw.efConstruction !== options.hnsw.efConstruction) {
    return { reason: `HNSW parameters changed (M ${manifest.hnsw.M}→${options.hnsw.M}, efConstruction ${manifest.hnsw.efConstruction}→${options.hnsw.efConstruction})` };
  }
  return { previous: current };
}

/** Float32 rows appended one by one into one growing buffer. */
class RowBuffer {
  private data: Float32Array;
  private rows = 0;
  constructor(
    private readonly dim: number,
    capacity = 1024,
  ) {
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
  /** The rows as one array (a view: no copy). */
  all(): Float32Array {
    return this.data.subarray(0, this.rows * this.dim);
  }
}

const byDocId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** What both sessions check of the documents they are given. */
function orderGuard(plan: SessionPlan) {
  const putIds = new Set(plan.put);
  let lastPut: string | undefined;
  let state: 'open' | 'committing' | 'closed' = 'open';
  const refuse = (what: string): KbError => new KbError(ERROR_CODES.INTERNAL, `index write session: ${what}`);
  return {
    putIds,
    get state() {
      return state;
    },
    set state(s: 'open' | 'committing' | 'closed') {
      state = s;
    },
    refuse,
    open(what: string): void {
      if (state !== 'open') throw refuse(`${what} after ${state === 'closed' ? 'commit or abort' : 'commit began'}`);
    },
    /** Checks `docId` comes next in ascending order and was planned. */
    next(docId: string, verb: 'came' | 'was skipped'): void {
      if (!putIds.has(docId)) throw refuse(`document ${docId} was not in the session's plan`);
      if (lastPut !== undefined && byDocId(docId, lastPut) <= 0) {
        throw refuse(verb === 'came' ? `document ${docId} came after ${lastPut}; documents are put in ascending docId order, each once` : `document ${docId} was skipped after ${lastPut} was put; documents are put or skipped in ascending docId order`);
      }
      if (verb === 'came') lastPut = docId;
    },
  };
}

function manifestBase(options: FileWriterOptions): Pick<IndexManifest, 'model' | 'chunker' | 'analyzerVersion'> {
  return {
    model: { id: options.modelId, dimension: options.dimension, pooling: options.profile.pooling, queryPrefix: options.profile.queryPrefix, passagePrefix: options.profile.passagePrefix },
    chunker: { version: CHUNKER_VERSION, maxChars: options.chunkMaxChars, minChars: options.chunkMinChars },
    analyzerVersion: ANALYZER_VERSION,
  };
}

/**
 * The first build (or a rebuild): documents arrive in ascending docId order and go to disk as they
 * come; every passage is inserted in a new HNSW graph on arrival (label = its position), while the
 * ingest workers embed the next batches. Nothing is visible to readers before `commit`.
 */
function openFreshSession(plan: SessionPlan, options: FileWriterOptions, release: () => void): WriteSession {
  const dim = options.dimension;
  const guard = orderGuard(plan);
  const expected = Math.ceil((plan.passages ?? 0) * 1.05);
  const passages: PassageRecord[] = [];
  const vectors = new RowBuffer(dim, Math.max(expected, 1024));
  const bm25 = new Bm25Builder();
  const dense = DenseIndex.create(dim, Math.max(expected, 1024), options.hnsw);
  const sink = beginSnapshot(options.indexDir, { logger: options.logger ?? silentLogger });
  const manifestDocs: IndexManifest['documents'] = {};
  let putCount = 0;
  return {
    async put(batch) {
      guard.open('put');
      for (const write of batch) {
        const docId = write.document.meta.docId;
        guard.next(docId, 'came');
        for (const { passage, terms, vector } of write.passages) {
          const label = passages.length;
          bm25.add(terms instanceof Map ? terms : (terms as readonly string[]));
          passages.push({ ...passage, label });
          vectors.push(vector);
          dense.add(label, vector);
        }
        await sink.addDocument(write.document);
        manifestDocs[docId] = { hash: write.document.contentHash, source: write.document.source, passages: write.passages.length };
        putCount += 1;
      }
    },
    async skip(docIds) {
      guard.open('skip');
      for (const docId of docIds) {
        guard.next(docId, 'was skipped');
        guard.putIds.delete(docId);
      }
    },
    async commit() {
      guard.open('commit');
      guard.state = 'committing';
      try {
        if (putCount !== guard.putIds.size) throw guard.refuse(`committed before every planned document was put (${putCount} of ${guard.putIds.size} put)`);
        dense.fit();
        const version = await sink.commit(
          {
            manifest: {
              ...manifestBase(options),
              hnsw: { space: 'cosine', M: options.hnsw.M, efConstruction: options.hnsw.efConstruction, nextLabel: passages.length, deleted: 0 },
              documents: manifestDocs,
              counts: { documents: putCount, passages: passages.length },
            },
            passages,
            vectors: vectors.all(),
            dense,
            bm25: bm25.build(),
          },
          { ...(options.beforeSwitch ? { beforeSwitch: options.beforeSwitch } : {}) },
        );
        return { version };
      } catch (error) {
        await sink.abort();
        throw error;
      } finally {
        guard.state = 'closed';
        release();
      }
    },
    async abort() {
      if (guard.state === 'closed') return;
      guard.state = 'closed';
      release();
      await sink.abort();
    },
  };
}

/**
 * A write over a live index: a delta segment of the documents put (ascending docId, each written
 * to disk as it comes) and the documents removed. New passages take new HNSW labels from the
 * manifest's counter; one whose id and breadcrumb the live index holds (its vector reused) keeps
 * that passage's label, when `kb` (the live index, loaded for the vectors) says which.
 */
function openDeltaSession(previous: Previous, kb: KnowledgeIndex | undefined, plan: SessionPlan, options: FileWriterOptions, release: () => void): WriteSession {
  const dim = options.dimension;
  const guard = orderGuard(plan);
  const { manifest } = previous;
  const passages: PassageRecord[] = [];
  const vectors = new RowBuffer(dim, Math.max(Math.ceil((plan.passages ?? 0) * 1.05), 64));
  const bm25 = new Bm25Builder();
  const sink = beginSegment(options.indexDir, { logger: options.logger ?? silentLogger });
  const manifestDocs: IndexManifest['documents'] = { ...manifest.documents };
  for (const docId of plan.remove) delete manifestDocs[docId];
  let nextLabel = manifest.hnsw.nextLabel;
  // Points the graph of a cold load of the new version holds deleted (what a merge weighs).
  let deleted = manifest.hnsw.deleted;
  for (const docId of plan.remove) deleted += manifest.documents[docId]?.passages ?? 0;
  let putCount = 0;
  // The live passages of each rewritten document by id, gathered in one pass when first asked for.
  let byDoc: Map<string, Map<string, PassageRecord>> | undefined;
  const oldPassages = (docId: string): Map<string, PassageRecord> => {
    if (!kb) return new Map();
    if (!byDoc) {
      byDoc = new Map(plan.put.filter((id) => manifest.documents[id]).map((id) => [id, new Map<string, PassageRecord>()] as const));
      for (const p of kb.passages) byDoc.get(p.docId)?.set(p.passageId, p);
    }
    return byDoc.get(docId) ?? new Map();
  };
  return {
    async put(batch) {
      guard.open('put');
      for (const write of batch) {
        const docId = write.document.meta.docId;
        guard.next(docId, 'came');
        const old = manifest.documents[docId] && kb ? oldPassages(docId) : new Map<string, PassageRecord>();
        let reused = 0;
        for (const { passage, terms, vector } of write.passages) {
          if (vector.length !== dim) throw guard.refuse(`passage ${passage.passageId} has a ${vector.length}-dimensional vector; the index holds ${dim} dimensions`);
          const before = old.get(passage.passageId);
          // Same id, same breadcrumb: the same text and vector, so the same point in the graph.
          const label = before !== undefined && before.breadcrumb === passage.breadcrumb ? before.label : nextLabel++;
          if (label === before?.label) {
            old.delete(passage.passageId);
            reused += 1;
          }
          bm25.add(terms instanceof Map ? terms : (terms as readonly string[]));
          passages.push({ ...passage, label });
          vectors.push(vector);
        }
        deleted += (manifest.documents[docId]?.passages ?? 0) - reused;
        await sink.addDocument(write.document);
        manifestDocs[docId] = { hash: write.document.contentHash, source: write.document.source, passages: write.passages.length };
        putCount += 1;
      }
    },
    async skip(docIds) {
      guard.open('skip');
      for (const docId of docIds) {
        guard.next(docId, 'was skipped');
        // Its stored version stays, as the manifest lists it.
        guard.putIds.delete(docId);
      }
    },
    async commit() {
      guard.open('commit');
      guard.state = 'committing';
      try {
        if (putCount !== guard.putIds.size) throw guard.refuse(`committed before every planned document was put (${putCount} of ${guard.putIds.size} put)`);
        const counts = { documents: Object.keys(manifestDocs).length, passages: Object.values(manifestDocs).reduce((a, d) => a + d.passages, 0) };
        const chain = manifest.chain ?? { base: previous.version, baseState: stateOfManifest(previous.version, manifest), segments: [] };
        const version = await sink.commit(
          {
            manifest: { ...manifestBase(options), hnsw: { ...manifest.hnsw, nextLabel, deleted }, documents: manifestDocs, counts },
            chain,
            removed: plan.remove.filter((id) => manifest.documents[id] !== undefined),
            passages,
            vectors: vectors.all(),
            bm25: bm25.build(),
          },
          { ...(options.beforeSwitch ? { beforeSwitch: options.beforeSwitch } : {}) },
        );
        return { version };
      } catch (error) {
        await sink.abort();
        throw error;
      } finally {
        guard.state = 'closed';
        release();
      }
    },
    async abort() {
      if (guard.state === 'closed') return;
      guard.state = 'closed';
      release();
      await sink.abort();
    },
  };
}
