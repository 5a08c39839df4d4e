/**
 * The embedded backend (INDEX_STORE=file) as a `StorageBackend`: the snapshot in INDEX_DIR, read
 * through `fileStore`, written through `fileWriter` (delta segments, merged in the background by
 * index-compaction.ts), watched through its CURRENT pointer, guarded by the lock file.
 */
import { unwatchFile, watchFile } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../shared/logger.js';
import { withLineage } from '../lineage-store.js';
import type { IngestWrite, IngestWriteOptions, StorageBackend } from '../types.js';
import { fileStore } from './file-store.js';
import { fileWriter } from './file-writer.js';
import { canExtend } from './index-chain.js';
import { mergeIndex, mergeIsDue } from './index-compaction.js';
import { currentVersion, expectationsOf, indexRoot, loadIndex, manifestPassageCounts, readManifest, removeCrashLeftovers, type FileIndexSettings } from './index-store.js';
import type { KnowledgeIndex } from './knowledge-index.js';
import { acquireWriteLock } from './write-lock.js';

/** How long a background merge waits for the write lock to switch (writes come first). */
const MERGE_LOCK_WAIT_MS = 60_000;
/** Documents per apply: the snapshot's writer indexes each small batch as it comes, while the workers embed the next. */
const DOCUMENTS_PER_APPLY = 4;

/** What the embedded index is made with (index-store.ts). */
export type FileBackendSettings = FileIndexSettings;

/** The embedded snapshot in INDEX_DIR. `snapshot()` gives the loaded index itself (evaluation, tests). */
export interface FileBackend extends StorageBackend {
  readonly kind: 'file';
  snapshot(): Promise<KnowledgeIndex>;
  /** The index this backend loaded last (what `open()` serves), undefined before the first. */
  loaded(): KnowledgeIndex | undefined;
}

/**
 * A writer on the snapshot for one ingest. `loaded`: the live index as this process holds it, read
 * for the vectors of rewritten documents instead of loading it again (see FileWriterOptions.loaded).
 */
export async function fileIngestWrite(settings: FileBackendSettings, options: IngestWriteOptions & { loaded?: () => Promise<KnowledgeIndex | undefined> } = {}): Promise<IngestWrite> {
  const writer = fileWriter({
    ...settings,
    ...(options.rebuild ? { rebuild: true } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.progress ? { progress: options.progress } : {}),
    ...(options.beforeSwitch ? { beforeSwitch: options.beforeSwitch } : {}),
    ...(options.loaded ? { loaded: options.loaded } : {}),
  });
  const reason = await writer.rebuildReason();
  return {
    writer,
    // The writer itself writes everything afresh when it rebuilds (its stored hashes are then empty).
    rewriteAll: false,
    ...(reason ? { rebuildReason: reason } : {}),
    documentsPerApply: DOCUMENTS_PER_APPLY,
    // Nothing written: what a killed write or merge left is cleared here (a write clears it as it starts).
    finish: async ({ upToDate }) => {
      if (upToDate) await removeCrashLeftovers(settings.indexDir, options.logger);
    },
  };
}

export function fileBackend(settings: FileBackendSettings): FileBackend {
  const { indexDir } = settings;
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
      const kb = await loadIndex(indexDir, expectationsOf(settings), latest ? { from: latest } : {});
      latest = kb;
      return kb;
    });
  let merging: Promise<string | undefined> | undefined;
  const pointer = path.join(indexRoot(indexDir), 'CURRENT');
  return {
    kind: 'file',
    snapshot,
    loaded: () => latest,
    // Documents read through the lineage view carry their versions and repeals (storage/lineage-store.ts).
    open: async () => withLineage(fileStore(await snapshot())),
    version: () => currentVersion(indexDir),
    watch(onChange, intervalMs = 1000) {
      const listener = (): void => onChange();
      watchFile(pointer, { interval: intervalMs }, listener);
      return () => unwatchFile(pointer, listener);
    },
    lock: (options) => acquireWriteLock(indexDir, options),
    // The vectors of rewritten documents come from the index this process serves, when it is the live one.
    writer: (options = {}) => fileIngestWrite(settings, { ...options, loaded: async () => latest }),
    async compact({ when, locked = false, logger = silentLogger }) {
      const current = await readManifest(indexDir);
      if (!current || !mergeIsDue(current.manifest, when)) return undefined;
      // One merge at a time; a writer holding the lock must not wait for one that needs it.
      if (merging) return locked ? undefined : merging;
      merging = (async () => {
        const kb = await snapshot();
        return mergeIndex({
          indexDir,
          kb,
          hnsw: settings.hnsw,
          ...(locked ? {} : { lock: () => acquireWriteLock(indexDir, { waitMs: MERGE_LOCK_WAIT_MS, owner: `index merge (pid ${process.pid})` }) }),
          whileGraphHolds: (save) => inTurn(async () => (canExtend(kb) ? (await save(), true) : false)),
          logger,
        });
      })().finally(() => {
        merging = undefined;
      });
      return merging;
    },
    passageCounts: () => manifestPassageCounts(indexDir),
    indexedHashes: async () => new Map(Object.entries((await readManifest(indexDir))?.manifest.documents ?? {}).map(([id, d]) => [id, d.hash] as const)),
    close: async () => {},
  };
}
