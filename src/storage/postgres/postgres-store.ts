/**
 * The PostgreSQL backend of the storage seams (src/storage/types.ts): documents, passages, BM25 over
 * a term/postings table, and pgvector for nearest passages, through one `Queryable` (a `pg.Pool`
 * or an in-process PGlite instance: the same SQL either way).
 *
 * - Writes (`writer.apply`) run in one transaction that bumps the store version and NOTIFYs; readers
 *   never see half a document, deleting a document cascades to its passages and postings.
 * - BM25: SQL finds and ranks the candidates; the final scores are computed here with the embedded
 *   index's arithmetic (../bm25-score.ts), so scores and rankings equal `Bm25Index`'s.
 * - Document filters: docIds, issuer and dates narrow the rows in SQL, then `documentMatches` (the
 *   one definition of a filter) decides, over the few rows left: validity is judged in JavaScript.
 * - Replicas: `onChange` listens on a channel and also polls the version row, so a process that
 *   misses a notification (a dropped connection, a pooler without LISTEN) still sees the change.
 *
 * This file opens, checks and composes; each part is its own module: documents.ts, passages.ts,
 * lexical.ts, vectors.ts, writer.ts, watch.ts (state row and change watching), lease.ts (the
 * single-writer lease), rows.ts (table rows ↔ storage records).
 */
import pg from 'pg';
import { ERROR_CODES, KbError, describeError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import { loadEvidence } from '../evidence-loader.js';
import type { KnowledgeStore, StoreWriter } from '../types.js';
import { PostgresRateLimitStore } from './rate-limit-store.js';
import { migrate } from './migrations.js';
import { poolQueryable, type Queryable } from './queryable.js';
import { createHealthProbe } from './health.js';
import { createPool, DEFAULT_POOL_TIMEOUTS, type PoolTimeouts } from './pool.js';
import { createDocumentStore } from './documents.js';
import { createPassageStore } from './passages.js';
import { createLexicalIndex } from './lexical.js';
import { createVectorIndex } from './vectors.js';
import { createStoreWriter } from './writer.js';
import { createStoreWatch } from './watch.js';
import { acquireLease } from './lease.js';


export interface PostgresStoreOptions {
  /** A connection string (`DATABASE_URL`); the store creates and owns its pool. */
  url?: string;
  /** A pool the caller owns (closed by the caller, not by `close()`). */
  pool?: pg.Pool;
  /** Any other `Queryable`, e.g. `pgliteQueryable(new PGlite(...))` in tests. */
  queryable?: Queryable;
  /** Embedding model id and dimension this process embeds with; a database built with others is refused. */
  modelId: string;
  dimension: number;
  logger?: Logger;
  /** Connections in the pool the store creates from `url`; default 10. */
  maxConnections?: number;
  /** Connection and statement timeouts of the pool the store creates from `url` (default DEFAULT_POOL_TIMEOUTS). */
  timeouts?: PoolTimeouts;
  /** How often `onChange` re-reads the version row besides listening, in ms; 0 = listen only. Default 5000. */
  pollMs?: number;
  /** NOTIFY channel; default `policy_kb_changes`. */
  channel?: string;
  /** HNSW candidate list size (pgvector `hnsw.ef_search`, at most 1000); default 128. */
  efSearch?: number;
  /**
   * A filtered vector search over at most this many passages compares them all (exact and faster
   * than the graph for small sets); larger ones use the HNSW index with an iterative scan. Default 5000.
   */
  exactScanLimit?: number;
}

export interface PostgresStore {
  store: KnowledgeStore;
  writer: StoreWriter;
  /** The database's change counter now (one query). */
  version(): Promise<string>;
  /**
   * Calls `listener` with the new version whenever a write lands, through this store or any other
   * process on the same database. Resolves once listening; the result unsubscribes.
   */
  onChange(listener: (version: string) => void): Promise<() => Promise<void>>;
  /**
   * Takes the single-writer lease (one ingest, `kb add` or upload at a time across every process on
   * this database), waiting up to `waitMs`; throws `write_locked` naming the holder. The lease is
   * renewed while held and lapses `leaseMs` (default 30 s) after its holder stops renewing (a crash).
   */
  lock(options?: { waitMs?: number; owner?: string; leaseMs?: number }): Promise<{ release(): Promise<void> }>;
  /** What the stored index was made with (set by ingest), undefined before. */
  settings(): Promise<Record<string, unknown> | undefined>;
  setSettings(settings: Record<string, unknown>): Promise<void>;
  /** Why the database cannot serve now (unreachable, too slow, emptied), or undefined: for readiness. */
  health(): Promise<string | undefined>;
  /** express-rate-limit's store on this database: a limit counted across every replica. */
  rateLimitStore(prefix?: string): PostgresRateLimitStore;
  close(): Promise<void>;
}

const DEFAULT_CHANNEL = 'policy_kb_changes';
/** pgvector's HNSW index takes `vector` columns of at most 2000 dimensions. */
const MAX_HNSW_DIMENSION = 2000;

/** Opens (and migrates) the store; throws a KbError when the database is unreachable, lacks pgvector, is newer or holds another model's vectors. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const logger = options.logger ?? silentLogger;
  if (!Number.isInteger(options.dimension) || options.dimension < 1 || options.dimension > MAX_HNSW_DIMENSION) {
    throw new KbError(ERROR_CODES.CONFIG_INVALID, `the PostgreSQL store indexes vectors of 1–${MAX_HNSW_DIMENSION} dimensions (pgvector's HNSW limit); model ${options.modelId} has ${options.dimension}; choose a smaller EMBEDDING_MODEL or use INDEX_STORE=file`);
  }
  const db = connect(options, logger);
  try {
    await probe(db, options);
    await db.transaction(async (tx) => {
      const applied = await migrate(tx, { dimension: options.dimension });
      if (applied.length > 0) logger.info('database schema migrated', { applied });
      const state = (await tx.query<{ model_id: string; dimension: number }>('SELECT model_id, dimension FROM kb_state WHERE id = 1')).rows[0];
      if (!state) {
        await tx.query('INSERT INTO kb_state (id, version, model_id, dimension) VALUES (1, 0, $1, $2)', [options.modelId, options.dimension]);
      } else if (state.model_id !== options.modelId || Number(state.dimension) !== options.dimension) {
        throw new KbError(
          ERROR_CODES.INDEX_MISMATCH,
          `the database holds ${state.dimension}-dim vectors of model ${state.model_id}; this configuration embeds with ${options.modelId} (${options.dimension} dimensions)`,
          {
            details: { stored: { modelId: state.model_id, dimension: Number(state.dimension) }, configured: { modelId: options.modelId, dimension: options.dimension } },
            hint: `set EMBEDDING_MODEL=${state.model_id}, or point DATABASE_URL at an empty database and run \`npm run -s kb -- ingest\``,
          },
        );
      }
    });
    const iterative = await supportsIterativeScan(db);
    if (!iterative) logger.warn('pgvector older than 0.8: filtered vector searches raise ef_search instead of scanning iteratively; upgrade pgvector for exact k under tight filters');
    return await createStore(db, options, logger, iterative);
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}

function connect(options: PostgresStoreOptions, logger: Logger): Queryable {
  if (options.queryable) return options.queryable;
  const onListenError = (error: Error): void => logger.warn('change listener connection lost; relying on the version poll', { error: error.message });
  if (options.pool) return poolQueryable(options.pool, { ownsPool: false, onListenError });
  if (!options.url) throw new KbError(ERROR_CODES.CONFIG_INVALID, 'the PostgreSQL store needs a connection', { hint: 'set DATABASE_URL (postgresql://user:password@host:5432/db)' });
  // Timeouts on every statement: a stalled database fails requests, it does not hold them (issue 25.8).
  const pool = createPool(options.url, options.maxConnections ?? 10, options.timeouts ?? DEFAULT_POOL_TIMEOUTS, logger);
  return poolQueryable(pool, { ownsPool: true, onListenError });
}

/** Where the store connects, without the password. */
function describeTarget(options: PostgresStoreOptions): string {
  if (!options.url) return options.pool ? 'the given pool' : 'the given database';
  try {
    const u = new URL(options.url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname || '/'}`;
  } catch {
    return 'DATABASE_URL (not a valid URL)';
  }
}

async function probe(db: Queryable, options: PostgresStoreOptions): Promise<void> {
  try {
    await db.query('SELECT 1');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const hint =
      code === '28P01' || code === '28000'
        ? 'check the user and password in DATABASE_URL'
        : code === '3D000'
          ? 'create the database first (createdb), or fix its name in DATABASE_URL'
          : 'check DATABASE_URL and that the server is running and reachable';
    throw new KbError(ERROR_CODES.STORE_UNREACHABLE, `could not connect to PostgreSQL at ${describeTarget(options)} (${describeError(error) || code || 'connection failed'}); ${hint}`, { cause: error });
  }
}

async function supportsIterativeScan(db: Queryable): Promise<boolean> {
  const row = (await db.query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'")).rows[0];
  const [major = 0, minor = 0] = (row?.v ?? '0.0').split('.').map(Number);
  return major > 0 || minor >= 8;
}


/** The store's parts on one connection: documents, passages, lexical, vectors, writer, watch and lease. */
async function createStore(db: Queryable, options: PostgresStoreOptions, logger: Logger, iterative: boolean): Promise<PostgresStore> {
  const dimension = options.dimension;
  const efSearch = Math.min(Math.max(options.efSearch ?? 128, 1), 1000);
  const exactScanLimit = options.exactScanLimit ?? 5000;
  const channel = options.channel ?? DEFAULT_CHANNEL;
  const watch = await createStoreWatch(db, { channel, pollMs: options.pollMs ?? 5000, logger });
  const documents = createDocumentStore(db);
  const passages = createPassageStore(db);
  const lexical = createLexicalIndex(db);
  const vectors = createVectorIndex(db, { dimension, efSearch, exactScanLimit, iterative });
  const writer: StoreWriter = createStoreWriter(db, { dimension, channel, logger, version: watch.version, afterWrite: watch.check });
  const store: KnowledgeStore = {
    get info() {
      return watch.info();
    },
    documents,
    passages,
    lexical,
    vectors,
    evidence: (request) => loadEvidence({ documents, passages, lexical }, request),
  };
  let closed = false;

  return {
    store,
    writer,
    version: watch.version,
    onChange: (listener) => watch.onChange(listener),
    lock: (lockOptions = {}) => acquireLease(db, logger, lockOptions),
    async settings() {
      const row = (await db.query<{ settings: Record<string, unknown> | null }>('SELECT settings FROM kb_state WHERE id = 1')).rows[0];
      return row?.settings ?? undefined;
    },
    async setSettings(settings) {
      // A change of settings is a change of what readers may serve: it bumps the version and
      // notifies, so a replica that refused the data while the settings still differed looks again.
      await db.transaction(async (tx) => {
        const row = (await tx.query<{ version: string; changed: boolean }>(
          `UPDATE kb_state SET settings = $1::jsonb, version = CASE WHEN settings IS DISTINCT FROM $1::jsonb THEN version + 1 ELSE version END, updated_at = now()
           WHERE id = 1 RETURNING version::text AS version`,
          [JSON.stringify(settings)],
        )).rows[0];
        if (row) await tx.query('SELECT pg_notify($1, $2)', [channel, row.version]);
      });
    },
    health: createHealthProbe(db),
    rateLimitStore: (prefix) => new PostgresRateLimitStore(db, prefix),
    async close() {
      if (closed) return;
      closed = true;
      await watch.close();
      await db.close();
    },
  };
}
