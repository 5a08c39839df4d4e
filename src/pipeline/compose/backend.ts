/**
 * The configuration turned into a storage backend and ingest options, in one place: `INDEX_STORE`
 * picks `storage/file/backend.ts` (the embedded snapshot in INDEX_DIR) or
 * `storage/postgres/backend.ts`; both get the same ingest options (`ingestOptionsFor`).
 */
import { availableParallelism } from 'node:os';
import type { Config } from '../../config/index.js';
import type { Embedder } from '../../embeddings/embedder.js';
import type { ModelProfile } from '../../embeddings/profiles.js';
import type { Logger } from '../../shared/logger.js';
import { silentLogger } from '../../shared/logger.js';
import { fileBackend, type FileBackend, type FileBackendSettings } from '../../storage/file/backend.js';
import type { PostgresBackend } from '../../storage/postgres/backend.js';
import type { StorageBackend } from '../../storage/types.js';
import { extractOptionsFor } from './extract-options.js';
import type { IngestOptions } from '../ingest/ingest.js';

export type { FileBackend, PostgresBackend, StorageBackend };
/** The backend `INDEX_STORE` names: each kind with what only it has (the loaded snapshot, the database). */
export type AnyBackend = FileBackend | PostgresBackend;

interface Runtime {
  embedder: Embedder;
  profile: ModelProfile;
}

/** The embedded snapshot's settings from the configuration and the embedder. */
export function fileSettingsFor(config: Config, runtime: Runtime): FileBackendSettings {
  return {
    indexDir: config.indexDir,
    modelId: runtime.embedder.modelId,
    dimension: runtime.embedder.dimension,
    profile: runtime.profile,
    chunkMaxChars: config.chunkMaxChars,
    chunkMinChars: config.chunkMinChars,
    hnsw: { M: config.hnswM, efConstruction: config.hnswEfConstruction, efSearch: config.hnswEfSearch },
  };
}

/**
 * What ingest needs from the configuration, for either backend (`ingestInto(backend, …)` reads the
 * common part; the embedded `ingest(…)` also the index folder and HNSW settings).
 */
export function ingestOptionsFor(config: Config, embedder: Embedder, profile: ModelProfile): IngestOptions {
  const { indexDir, hnsw } = fileSettingsFor(config, { embedder, profile });
  return {
    extract: extractOptionsFor(config),
    corpusDir: config.corpusDir,
    indexDir,
    embedder,
    profile,
    chunkMaxChars: config.chunkMaxChars,
    chunkMinChars: config.chunkMinChars,
    hnsw,
    batchSize: config.embedBatchSize,
    workers: config.ingestWorkers === 0 ? availableParallelism() : config.ingestWorkers,
  };
}

/** The embedded backend on INDEX_DIR, whatever INDEX_STORE says (evaluation, tests, the library's default). */
export function fileBackendFor(config: Config, runtime: Runtime): FileBackend {
  return fileBackend(fileSettingsFor(config, runtime));
}

/** The backend INDEX_STORE names, bound to this embedder. */
export async function backendFor(config: Config, runtime: Runtime, logger: Logger = silentLogger): Promise<AnyBackend> {
  const { store } = config;
  if (store.kind === 'postgres') {
    // Loaded only when asked for: the embedded default does not load the pg driver.
    const { postgresBackend } = await import('../../storage/postgres/backend.js');
    return postgresBackend({
      url: store.url,
      modelId: runtime.embedder.modelId,
      dimension: runtime.embedder.dimension,
      maxConnections: store.poolSize,
      timeouts: { connectTimeoutMs: store.connectTimeoutMs, statementTimeoutMs: store.statementTimeoutMs },
      pollMs: store.pollMs,
      logger,
      chunkMaxChars: config.chunkMaxChars,
      chunkMinChars: config.chunkMinChars,
    });
  }
  return fileBackendFor(config, runtime);
}
