/**
 * Ingest: load → parse → chunk → embed → index → save, incremental by content hash.
 * Unchanged documents keep their passages and vectors; changed ones are re-chunked and
 * re-embedded (their old HNSW points marked deleted); removed files are dropped. A file that
 * fails to parse keeps its previously indexed version (reported, never silently lost).
 */
import type { HnswParams } from '../embeddings/dense-index.js';
import type { Embedder } from '../embeddings/embedder.js';
import type { ModelProfile } from '../embeddings/profiles.js';
import type { ExtractOptions } from '../extract/types.js';
import type { Logger } from '../shared/logger.js';
import type { KnowledgeIndex } from '../storage/file/knowledge-index.js';
import type { ProgressFactory } from '../shared/progress.js';
import { fileWriter } from '../storage/file/file-writer.js';
import { removeCrashLeftovers } from '../storage/file/index-store.js';
import type { IngestSummary } from './ingest-summary.js';
import { syncStore } from './sync.js';

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
  /** The live index as this process holds it, if it does (see FileWriterOptions.loaded). */
  loaded?: () => Promise<KnowledgeIndex | undefined>;
}

export type { IngestSummary };

/**
 * Ingest into the embedded snapshot: the shared plan and embedding steps (src/pipeline/sync.ts)
 * applied through the file writer, all changes in one new version.
 */
export async function ingest(options: IngestOptions): Promise<IngestSummary> {
  const writer = fileWriter({
    indexDir: options.indexDir,
    modelId: options.embedder.modelId,
    dimension: options.embedder.dimension,
    profile: options.profile,
    chunkMaxChars: options.chunkMaxChars,
    chunkMinChars: options.chunkMinChars,
    hnsw: options.hnsw,
    ...(options.rebuild ? { rebuild: true } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.progress ? { progress: options.progress } : {}),
    ...(options.beforeSwitch ? { beforeSwitch: options.beforeSwitch } : {}),
    ...(options.loaded ? { loaded: options.loaded } : {}),
  });
  const reason = await writer.rebuildReason();
  const summary = await syncStore({
    corpusDir: options.corpusDir,
    writer,
    embedder: options.embedder,
    chunkMaxChars: options.chunkMaxChars,
    chunkMinChars: options.chunkMinChars,
    batchSize: options.batchSize,
    // Small batches: the snapshot's writer indexes each as it comes, while the workers embed the next.
    documentsPerApply: 4,
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.workerMinPassages !== undefined ? { workerMinPassages: options.workerMinPassages } : {}),
    ...(options.extract ? { extract: options.extract } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.progress ? { progress: options.progress } : {}),
  });
  // Nothing written: what a killed write or merge left is cleared here (a write clears it as it starts).
  if (summary.upToDate) await removeCrashLeftovers(options.indexDir, options.logger);
  return reason && !summary.upToDate ? { ...summary, rebuildReason: reason } : summary;
}
