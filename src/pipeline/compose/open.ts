/**
 * Opens the knowledge base for a transport: embedder (building the offline model when missing),
 * the index (ingesting first when there is none and `autoIngest` is set), and the service.
 */
import type { Config } from '../../config/index.js';
import type { Embedder } from '../../embeddings/embedder.js';
import { rememberTermVectors } from '../../embeddings/term-vectors.js';
import type { ModelProfile } from '../../embeddings/profiles.js';
import { createKnowledgeService, type KnowledgeService, type ServiceTuning } from '../../retrieval/service.js';
import { warmUp, type WarmUpReport } from '../../retrieval/warm-up.js';
import { ERROR_CODES, isKbError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { silentLogger } from '../../shared/logger.js';
import { noProgress, type ProgressFactory } from '../../shared/progress.js';
import type { KnowledgeStore, StorageBackend } from '../../storage/types.js';
import type { KnowledgeIndex } from '../../storage/file/knowledge-index.js';
import { backendFor, fileBackendFor, ingestOptionsFor, type AnyBackend } from './backend.js';
import { extractOptionsFor } from './extract-options.js';
import { ingestInto, type IngestSummary } from '../ingest/ingest.js';
import type { LibraryDeps } from '../library/library.js';
import { createEmbeddingRuntime } from './runtime.js';

export interface OpenedKnowledgeBase {
  embedder: Embedder;
  /** The embedder the search services of this process use: term vectors remembered across snapshots (embeddings/term-vectors.ts). */
  searchEmbedder: Embedder;
  profile: ModelProfile;
  backend: AnyBackend;
  store: KnowledgeStore;
  service: KnowledgeService;
  /** The loaded snapshot itself, with the embedded backend (INDEX_STORE=file); unset with PostgreSQL. */
  kb?: KnowledgeIndex;
  /** Set when opening had to build the index. */
  ingested?: IngestSummary;
  /** Set when opened with `warmUp`: what was loaded before returning. */
  warmedUp?: WarmUpReport;
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

export { backendFor, ingestOptionsFor };

/** How long a first start waits for another process that is building the same index. */
const AUTO_INGEST_LOCK_WAIT_MS = 120_000;

/**
 * `warmUp`: load before returning what the first questions would load (a server, before it says
 * ready; see retrieval/warm-up.ts), logged as `warmed up`. One-shot commands leave it off.
 */
export async function openKnowledgeBase(config: Config, options: { logger?: Logger; autoIngest?: boolean; progress?: ProgressFactory; warmUp?: boolean } = {}): Promise<OpenedKnowledgeBase> {
  const logger = options.logger ?? silentLogger;
  const { embedder, profile } = await createEmbeddingRuntime(config, logger);
  const backend = await backendFor(config, { embedder, profile }, logger);
  let ingested: IngestSummary | undefined;
  let store: KnowledgeStore;
  try {
    store = await backend.open();
  } catch (error) {
    // No index yet, or one an older build made (another format, chunker or analyzer version): with
    // autoIngest, build it (ingest says why). An index made for other settings (model, chunk sizes)
    // is reported with the command to run: which settings are right is the operator's call.
    const rebuildable = isKbError(error) && (error.code === ERROR_CODES.INDEX_MISSING || (error.code === ERROR_CODES.INDEX_MISMATCH && error.details?.cause === 'build'));
    if (!options.autoIngest || !rebuildable) throw error;
    // Another process may be building this very index: take the writer's lock, then look again.
    const lock = await backend.lock({ waitMs: AUTO_INGEST_LOCK_WAIT_MS, owner: 'first start (auto-ingest)' });
    try {
      const ready = await backend.open().catch(() => undefined);
      if (!ready) {
        // The reason without its "run … --rebuild" hint: this is that rebuild, started by itself.
        if (error.code === ERROR_CODES.INDEX_MISMATCH) logger.warn('index made by another build of policy-kb; rebuilding it from the corpus', { reason: error.reason, corpusDir: config.corpusDir, store: backend.kind });
        else logger.info('no index yet: ingesting the corpus', { corpusDir: config.corpusDir, store: backend.kind });
        ingested = await ingestInto(backend, { ...ingestOptionsFor(config, embedder, profile), logger, progress: options.progress ?? noProgress });
      }
    } finally {
      await lock.release();
    }
    store = await backend.open();
  }
  const searchEmbedder = rememberTermVectors(embedder);
  const service = createKnowledgeService(store, searchEmbedder, serviceTuningFor(config, profile));
  const warmedUp = options.warmUp ? await warmUpLogged(service, logger) : undefined;
  const kb = backend.kind === 'file' ? backend.loaded() : undefined;
  return { embedder, searchEmbedder, profile, backend, store, service, ...(kb ? { kb } : {}), ...(ingested ? { ingested } : {}), ...(warmedUp ? { warmedUp } : {}) };
}

/** `warmUp(service)`, logged: a server's last step before it takes traffic (first load and every reload). */
export async function warmUpLogged(service: KnowledgeService, logger: Logger): Promise<WarmUpReport> {
  logger.info('warming up', { version: service.store.info.version });
  const report = await warmUp(service);
  logger.info('warmed up', { version: service.store.info.version, ms: Math.round(report.ms), documents: report.documents, passages: report.passages, vocabularyWords: report.vocabularyWords });
  return report;
}

/**
 * What the library needs to change documents: the corpus folder, the backend's lock, and an
 * incremental ingest bound to this embedder (run with the write lock held).
 */
export function libraryDepsFor(
  config: Config,
  runtime: { embedder: Embedder; profile: ModelProfile; backend?: StorageBackend },
  options: { logger?: Logger; progress?: ProgressFactory; owner: string; lockWaitMs?: number },
): LibraryDeps {
  const backend = runtime.backend ?? fileBackendFor(config, runtime);
  return {
    corpusDir: config.corpusDir,
    indexDir: config.indexDir,
    extract: extractOptionsFor(config),
    passageLimit: { passages: config.maxPassages, chunk: { maxChars: config.chunkMaxChars, minChars: config.chunkMinChars } },
    owner: options.owner,
    lock: (o) => backend.lock(o),
    passageCounts: () => backend.passageCounts(),
    indexedHashes: () => backend.indexedHashes(),
    ...(options.lockWaitMs !== undefined ? { lockWaitMs: options.lockWaitMs } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    async reindex() {
      const logger = options.logger ?? silentLogger;
      const summary = await ingestInto(backend, { ...ingestOptionsFor(config, runtime.embedder, runtime.profile), logger, progress: options.progress ?? noProgress });
      // Segments merged before the write returns only when that is overdue (a server merges them in the background).
      const merged = summary.upToDate ? undefined : await backend.compact?.({ when: 'overdue', locked: true, logger });
      return merged ? { ...summary, version: merged } : summary;
    },
  };
}
