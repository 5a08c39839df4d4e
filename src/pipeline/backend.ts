/**
 * Where the index lives, as the pipeline and the transports see it: opening the current version,
 * watching for versions other writers made, the single-writer lock and incremental ingest. One
 * implementation per `INDEX_STORE`: `file` (the embedded snapshot in INDEX_DIR) and `postgres`.
 */
import { unwatchFile, watchFile } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Config } from '../config/index.js';
import type { Embedder } from '../embeddings/embedder.js';
import type { ModelProfile } from '../embeddings/profiles.js';
import type { KnowledgeIndex } from '../storage/file/knowledge-index.js';
import { fileStore } from '../storage/file/file-store.js';
import { withLineage } from '../storage/lineage-store.js';
import type { KnowledgeStore } from '../storage/types.js';
import type { Logger } from '../shared/logger.js';
import { silentLogger } from '../shared/logger.js';
import { noProgress, type ProgressFactory } from '../shared/progress.js';
import { currentVersion, indexRoot, loadIndex, manifestPassageCounts, readManifest } from '../storage/file/index-store.js';
import { extractOptionsFor } from './extract-options.js';
import { ingest, type IngestSummary } from './ingest.js';
import { expectationsFor } from './runtime.js';
import { canExtend } from '../storage/file/index-chain.js';
import { mergeIndex, mergeIsDue } from '../storage/file/index-compaction.js';
import { acquireWriteLock, type WriteLock } from '../storage/file/write-lock.js';

/** How long a background merge waits for the write lock to switch (writes come first). */
const MERGE_LOCK_WAIT_MS = 60_000;

export interface IndexBackend {
  readonly kind: 'file' | 'postgres';
  /** The current version's read view; INDEX_MISSING when nothing was ingested yet. */
  open(): Promise<KnowledgeStore>;
  /** The current version (cheap), undefined before the first ingest. */
  version(): Promise<string | undefined>;
  /** Calls `onChange` when the stored version may have changed (another process wrote). Returns a stop function. */
  watch(onChange: () => void, intervalMs?: number): () => void;
  /** The single-writer lock: one ingest, `kb add` or upload at a time, across processes. */
  lock(options: { waitMs?: number; owner?: string }): Promise<WriteLock>;
  /** Brings the store up to date with the corpus folder. Call with the lock held. */
  ingest(options?: { rebuild?: boolean; logger?: Logger; progress?: ProgressFactory }): Promise<IngestSummary>;
  /** Passages stored per document. */
  passageCounts(): Promise<Map<string, number>>;
  /** The content hash stored for each document (what ingest compares the corpus files with). */
  indexedHashes(): Promise<Map<string, string>>;
  /**
   * Merges what writes added into one build again, when MERGE_POLICY says it is `when` (the embedded
   * snapshot's delta segments, index-compaction.ts; a database has nothing to merge). `locked`: the
   * caller holds the write lock (it is not taken again, and a merge already running is not awaited).
   * Returns the new live version, or undefined when nothing was merged.
   */
  compact?(options: { when: 'due' | 'overdue'; locked?: boolean; logger?: Logger }): Promise<string | undefined>;
  close(): Promise<void>;
}

/** What ingest needs from the configuration (shared by both backends). */
export function ingestOptionsFor(config: Config, embedder: Embedder, profile: ModelProfile) {
  return {
    extract: extractOptionsFor(config),
    corpusDir: config.corpusDir,
    indexDir: config.indexDir,
    embedder,
    profile,
    chunkMaxChars: config.chunkMaxChars,
    chunkMinChars: config.chunkMinChars,
    hnsw: { M: config.hnswM, efConstruction: config.hnswEfConstruction, efSearch: config.hnswEfSearch },
    batchSize: config.embedBatchSize,
    workers: config.ingestWorkers === 0 ? availableParallelism() : config.ingestWorkers,
  };
}

/** The embedded snapshot in INDEX_DIR. `snapshot()` gives the loaded index itself (evaluation, tests). */
export interface FileBackend extends IndexBackend {
  readonly kind: 'file';
  snapshot(): Promise<KnowledgeIndex>;
}

export function fileBackend(config: Config, runtime: { embedder: Embedder; profile: ModelProfile }): FileBackend {
  // The newest index this process holds: a new version that continues it (another process's
  // write, or this one's) is built from it by applying the segments written since (index-chain.ts),
  // not loaded whole. One at a time: applying patches its HNSW graph in place.
  let latest: KnowledgeIndex | undefined;
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const run = turn.then(work);
    turn = run.catch(() => undefined);
    return run;
  };
  const snapshot = (): Promise<KnowledgeIndex> =>
    inTurn(async () => {
      const kb = await loadIndex(config.indexDir, expectationsFor(config, runtime.embedder), latest ? { from: latest } : {});
      latest = kb;
      return kb;
    });
  let merging: Promise<string | undefined> | undefined;
  const pointer = path.join(indexRoot(config.indexDir), 'CURRENT');
  return {
    kind: 'file',
    snapshot,
    // Documents read through the lineage view carry their versions and repeals (storage/lineage-store.ts).
    open: async () => withLineage(fileStore(await snapshot())),
    version: () => currentVersion(config.indexDir),
    watch(onChange, intervalMs = 1000) {
      const listener = (): void => onChange();
      watchFile(pointer, { interval: intervalMs }, listener);
      return () => unwatchFile(pointer, listener);
    },
    lock: (options) => acquireWriteLock(config.indexDir, options),
    ingest: (options = {}) =>
      ingest({
        ...ingestOptionsFor(config, runtime.embedder, runtime.profile),
        ...(options.rebuild ? { rebuild: true } : {}),
        // The vectors of rewritten documents come from the index this process serves, when it is the live one.
        loaded: async () => latest,
        logger: options.logger ?? silentLogger,
        progress: options.progress ?? noProgress,
      }),
    async compact({ when, locked = false, logger = silentLogger }) {
      const current = await readManifest(config.indexDir);
      if (!current || !mergeIsDue(current.manifest, when)) return undefined;
      // One merge at a time; a writer holding the lock must not wait for one that needs it.
      if (merging) return locked ? undefined : merging;
      merging = (async () => {
        const kb = await snapshot();
        return mergeIndex({
          indexDir: config.indexDir,
          kb,
          hnsw: { M: config.hnswM, efConstruction: config.hnswEfConstruction, efSearch: config.hnswEfSearch },
          ...(locked ? {} : { lock: () => acquireWriteLock(config.indexDir, { waitMs: MERGE_LOCK_WAIT_MS, owner: `index merge (pid ${process.pid})` }) }),
          whileGraphHolds: (save) => inTurn(async () => (canExtend(kb) ? (await save(), true) : false)),
          logger,
        });
      })().finally(() => {
        merging = undefined;
      });
      return merging;
    },
    passageCounts: () => manifestPassageCounts(config.indexDir),
    indexedHashes: async () => new Map(Object.entries((await readManifest(config.indexDir))?.manifest.documents ?? {}).map(([id, d]) => [id, d.hash] as const)),
    close: async () => {},
  };
}
