/**
 * Ingest: load → parse → chunk → embed → index → save, incremental by content hash.
 * Unchanged documents keep their passages and vectors; changed ones are re-chunked and
 * re-embedded (their old HNSW points marked deleted); removed files are dropped. A file that
 * fails to parse keeps its previously indexed version (reported, never silently lost).
 */
import type { HnswParams } from '../../embeddings/dense-index.js';
import type { ModelProfile } from '../../embeddings/profiles.js';
import { fileIngestWrite } from '../../storage/file/backend.js';
import type { KnowledgeIndex } from '../../storage/file/knowledge-index.js';
import type { IngestWrite, IngestWriteOptions, StorageBackend } from '../../storage/types.js';
import type { IngestSummary } from './summary.js';
import { syncStore, type SyncOptions } from './sync.js';

/** What every ingest takes, whichever backend it writes to (`ingestOptionsFor(config, …)` makes them); the writer and its batch size come from the backend. */
export type IngestSettings = Omit<SyncOptions, 'writer' | 'rebuild' | 'documentsPerApply'>;

/** Ingest into the embedded snapshot in `indexDir` (the file backend's settings beside the common ones). */
export interface IngestOptions extends IngestSettings {
  indexDir: string;
  profile: ModelProfile;
  hnsw: HnswParams;
  rebuild?: boolean;
  /** Called after the new version is written, before it goes live (tests). */
  beforeSwitch?: () => Promise<void>;
  /** The live index as this process holds it, if it does (see FileWriterOptions.loaded). */
  loaded?: () => Promise<KnowledgeIndex | undefined>;
}

export type { IngestSummary };

/**
 * The generic ingest: the shared plan and embedding steps (sync.ts) applied through a backend's
 * writer, then the backend's own finish (the snapshot clears crash leftovers, PostgreSQL records
 * the settings it was indexed with).
 */
export async function ingestThrough(write: IngestWrite, settings: IngestSettings): Promise<IngestSummary> {
  const summary = await syncStore({
    corpusDir: settings.corpusDir,
    writer: write.writer,
    embedder: settings.embedder,
    chunkMaxChars: settings.chunkMaxChars,
    chunkMinChars: settings.chunkMinChars,
    batchSize: settings.batchSize,
    ...(write.rewriteAll ? { rebuild: true } : {}),
    ...(write.documentsPerApply !== undefined ? { documentsPerApply: write.documentsPerApply } : {}),
    ...(settings.workers !== undefined ? { workers: settings.workers } : {}),
    ...(settings.workerMinPassages !== undefined ? { workerMinPassages: settings.workerMinPassages } : {}),
    ...(settings.extract ? { extract: settings.extract } : {}),
    ...(settings.logger ? { logger: settings.logger } : {}),
    ...(settings.progress ? { progress: settings.progress } : {}),
  });
  await write.finish({ upToDate: summary.upToDate });
  return write.rebuildReason && !summary.upToDate ? { ...summary, rebuildReason: write.rebuildReason } : summary;
}

/** Brings a backend up to date with the corpus folder. Call with the backend's lock held. */
export async function ingestInto(backend: StorageBackend, settings: IngestSettings & Omit<IngestWriteOptions, 'logger' | 'progress'>): Promise<IngestSummary> {
  const { rebuild, beforeSwitch, ...common } = settings;
  const write = await backend.writer({
    ...(rebuild ? { rebuild: true } : {}),
    ...(beforeSwitch ? { beforeSwitch } : {}),
    ...(settings.logger ? { logger: settings.logger } : {}),
    ...(settings.progress ? { progress: settings.progress } : {}),
  });
  return ingestThrough(write, common);
}

/** Ingest into the embedded snapshot in `options.indexDir`, all changes in one new version. */
export async function ingest(options: IngestOptions): Promise<IngestSummary> {
  const { indexDir, profile, hnsw, rebuild, beforeSwitch, loaded, ...common } = options;
  const write = await fileIngestWrite(
    { indexDir, modelId: options.embedder.modelId, dimension: options.embedder.dimension, profile, chunkMaxChars: options.chunkMaxChars, chunkMinChars: options.chunkMinChars, hnsw },
    {
      ...(rebuild ? { rebuild: true } : {}),
      ...(beforeSwitch ? { beforeSwitch } : {}),
      ...(loaded ? { loaded } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.progress ? { progress: options.progress } : {}),
    },
  );
  return ingestThrough(write, common);
}
