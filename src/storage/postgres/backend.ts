/**
 * INDEX_STORE=postgres: the index in PostgreSQL (DATABASE_URL) — documents, passages, BM25
 * postings and pgvector embeddings. Nothing is written to INDEX_DIR. Every process on the database
 * sees a write once it commits (NOTIFY, with a version poll behind it); writers take turns through
 * the database's lease; ingest plans against the stored hashes and applies in transactions.
 */
import { CHUNKER_VERSION } from '../../chunking/chunker.js';
import { ANALYZER_VERSION } from '../../lexical/analyzer.js';
import { ERROR_CODES, KbError } from '../../shared/errors.js';
import { silentLogger } from '../../shared/logger.js';
import { withLineage } from '../lineage-store.js';
import { REBUILD_HINT, type KnowledgeStore, type StorageBackend } from '../types.js';
import { openPostgresStore, type PostgresStore, type PostgresStoreOptions } from './postgres-store.js';

export interface PostgresBackend extends StorageBackend {
  readonly kind: 'postgres';
  readonly database: PostgresStore;
}

interface IndexSettings {
  chunkerVersion: number;
  chunkMaxChars: number;
  chunkMinChars: number;
  analyzerVersion: number;
}

/** A read view pinned to the version it was opened at: one service's caches belong to one version. */
function pinned(store: KnowledgeStore): KnowledgeStore {
  return {
    info: { ...store.info },
    documents: store.documents,
    passages: store.passages,
    lexical: store.lexical,
    vectors: store.vectors,
    evidence: (request) => store.evidence(request),
  };
}

/** Why the stored index cannot serve this build and configuration, as the embedded manifest check says it. */
function mismatch(stored: Partial<IndexSettings> | undefined, wanted: IndexSettings): { reason: string; cause: 'build' | 'configuration' } | undefined {
  if (!stored) return undefined;
  if (stored.chunkerVersion !== wanted.chunkerVersion || stored.analyzerVersion !== wanted.analyzerVersion) {
    return { cause: 'build', reason: `the database was indexed by chunker v${String(stored.chunkerVersion)} and analyzer v${String(stored.analyzerVersion)}; this build uses v${wanted.chunkerVersion} and v${wanted.analyzerVersion}` };
  }
  if (stored.chunkMaxChars !== wanted.chunkMaxChars || stored.chunkMinChars !== wanted.chunkMinChars) {
    return { cause: 'configuration', reason: `the database was chunked with max ${String(stored.chunkMaxChars)}, min ${String(stored.chunkMinChars)} characters; this configuration uses max ${wanted.chunkMaxChars}, min ${wanted.chunkMinChars}` };
  }
  return undefined;
}

/** The database to open (connection, pool, the embedder's model and dimension) and the chunk sizes ingest uses. */
export interface PostgresBackendSettings extends PostgresStoreOptions {
  chunkMaxChars: number;
  chunkMinChars: number;
}

export async function postgresBackend(settings: PostgresBackendSettings): Promise<PostgresBackend> {
  const { chunkMaxChars, chunkMinChars, ...storeOptions } = settings;
  const logger = settings.logger ?? silentLogger;
  const database = await openPostgresStore(storeOptions);
  const wanted: IndexSettings = { chunkerVersion: CHUNKER_VERSION, chunkMaxChars, chunkMinChars, analyzerVersion: ANALYZER_VERSION };
  const check = async (): Promise<{ reason: string; cause: 'build' | 'configuration' } | undefined> => mismatch((await database.settings()) as Partial<IndexSettings> | undefined, wanted);
  return {
    kind: 'postgres',
    database,
    async open() {
      // Version 0: migrated, never written: a first start ingests the corpus folder.
      if ((await database.version()) === '0') throw new KbError(ERROR_CODES.INDEX_MISSING, 'the database holds no index yet', { hint: 'run `npm run -s kb -- ingest` (INDEX_STORE=postgres)' });
      const wrong = await check();
      if (wrong) throw new KbError(ERROR_CODES.INDEX_MISMATCH, wrong.reason, { details: { cause: wrong.cause }, hint: REBUILD_HINT });
      return withLineage(pinned(database.store));
    },
    version: () => database.version(),
    watch(onChange) {
      let stop: (() => Promise<void>) | undefined;
      let stopped = false;
      void database.onChange(() => onChange()).then((s) => {
        if (stopped) void s();
        else stop = s;
      });
      return () => {
        stopped = true;
        void stop?.();
      };
    },
    lock: (options) => database.lock(options),
    async writer(options = {}) {
      // Terms or passages made by another build or other chunk sizes are all written again.
      const wrong = await check();
      if (wrong) (options.logger ?? logger).warn('the database index was made differently; rewriting every document', { reason: wrong.reason });
      return {
        writer: database.writer,
        rewriteAll: Boolean(options.rebuild || wrong),
        ...(wrong ? { rebuildReason: wrong.reason } : {}),
        finish: () => database.setSettings({ ...wanted }),
      };
    },
    async passageCounts() {
      return new Map((await database.store.documents.list()).map((d) => [d.meta.docId, d.passages] as const));
    },
    indexedHashes: async () => new Map([...(await database.writer.hashes())].map(([id, d]) => [id, d.hash] as const)),
    close: () => database.close(),
  };
}
