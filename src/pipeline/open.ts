/**
 * Opens the knowledge base for a transport: embedder (building the offline model when missing),
 * the index (ingesting first when there is none and `autoIngest` is set), and the service.
 */
import { availableParallelism } from 'node:os';
import type { Config } from '../config/index.js';
import type { Embedder } from '../embeddings/embedder.js';
import type { ModelProfile } from '../embeddings/profiles.js';
import type { KnowledgeIndex } from '../retrieval/knowledge-index.js';
import { createKnowledgeService, type KnowledgeService, type ServiceTuning } from '../retrieval/service.js';
import { ERROR_CODES, isKbError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { silentLogger } from '../shared/logger.js';
import { noProgress, type ProgressFactory } from '../shared/progress.js';
import { loadIndex } from './index-store.js';
import { ingest, type IngestSummary } from './ingest.js';
import type { LibraryDeps } from './library.js';
import { createEmbeddingRuntime, expectationsFor } from './runtime.js';
import { acquireWriteLock } from './write-lock.js';

export interface OpenedKnowledgeBase {
  embedder: Embedder;
  profile: ModelProfile;
  kb: KnowledgeIndex;
  service: KnowledgeService;
  /** Set when opening had to build the index. */
  ingested?: IngestSummary;
}

export function serviceTuningFor(config: Config, profile: ModelProfile): ServiceTuning {
  const tuning: ServiceTuning = { search: { denseWeight: config.denseWeight ?? profile.defaultDenseWeight } };
  if (config.today) {
    tuning.answer = { today: config.today };
    tuning.search = { ...tuning.search, today: config.today };
  }
  if (config.llmBaseUrl && config.llmModel) {
    tuning.llm = { baseUrl: config.llmBaseUrl, model: config.llmModel, ...(config.llmApiKey ? { apiKey: config.llmApiKey } : {}) };
  }
  return tuning;
}

export function ingestOptionsFor(config: Config, embedder: Embedder, profile: ModelProfile) {
  return {
    extract: { ocr: config.ocr },
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

/** How long a first start waits for another process that is building the same index. */
const AUTO_INGEST_LOCK_WAIT_MS = 120_000;

function autoIngest(config: Config, embedder: Embedder, profile: ModelProfile, logger: Logger, progress: ProgressFactory | undefined): Promise<IngestSummary> {
  logger.info('no index yet: ingesting the corpus', { corpusDir: config.corpusDir });
  return ingest({ ...ingestOptionsFor(config, embedder, profile), logger, progress: progress ?? noProgress });
}

export async function openKnowledgeBase(config: Config, options: { logger?: Logger; autoIngest?: boolean; progress?: ProgressFactory } = {}): Promise<OpenedKnowledgeBase> {
  const logger = options.logger ?? silentLogger;
  const { embedder, profile } = await createEmbeddingRuntime(config, logger);
  let ingested: IngestSummary | undefined;
  let kb: KnowledgeIndex;
  try {
    kb = await loadIndex(config.indexDir, expectationsFor(config, embedder));
  } catch (error) {
    // No index yet, or one an older build made (another format, chunker or analyzer version): with
    // autoIngest, build it (ingest says why). An index made for other settings (model, chunk sizes)
    // is reported with the command to run: which settings are right is the operator's call.
    const rebuildable = isKbError(error) && (error.code === ERROR_CODES.INDEX_MISSING || (error.code === ERROR_CODES.INDEX_MISMATCH && error.details?.cause === 'build'));
    if (!options.autoIngest || !rebuildable) throw error;
    // Another process may be building this very index: take the writer's lock, then look again.
    const lock = await acquireWriteLock(config.indexDir, { waitMs: AUTO_INGEST_LOCK_WAIT_MS, owner: 'first start (auto-ingest)' });
    try {
      const ready = await loadIndex(config.indexDir, expectationsFor(config, embedder)).catch(() => undefined);
      if (!ready) {
        if (error.code === ERROR_CODES.INDEX_MISMATCH) logger.warn('index made by an older build; rebuilding it', { reason: error.message });
        ingested = await autoIngest(config, embedder, profile, logger, options.progress);
      }
    } finally {
      await lock.release();
    }
    kb = await loadIndex(config.indexDir, expectationsFor(config, embedder));
  }
  const service = createKnowledgeService(kb, embedder, serviceTuningFor(config, profile));
  return { embedder, profile, kb, service, ...(ingested ? { ingested } : {}) };
}

/**
 * What the library needs to change documents: the corpus and index folders, and an incremental
 * ingest bound to this embedder (run with the write lock held).
 */
export function libraryDepsFor(
  config: Config,
  runtime: { embedder: Embedder; profile: ModelProfile },
  options: { logger?: Logger; progress?: ProgressFactory; owner: string; lockWaitMs?: number },
): LibraryDeps {
  const base = ingestOptionsFor(config, runtime.embedder, runtime.profile);
  return {
    corpusDir: config.corpusDir,
    indexDir: config.indexDir,
    extract: base.extract,
    owner: options.owner,
    ...(options.lockWaitMs !== undefined ? { lockWaitMs: options.lockWaitMs } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    reindex: () => ingest({ ...base, logger: options.logger ?? silentLogger, progress: options.progress ?? noProgress }),
  };
}
