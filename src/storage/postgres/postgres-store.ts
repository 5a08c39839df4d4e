/**
 * The PostgreSQL backend of the storage seams (src/storage/types.ts): documents, passages, BM25 over
 * a term/postings table, and pgvector for nearest passages, through one `Queryable` (a `pg.Pool`
 * or an in-process PGlite instance: the same SQL either way).
 *
 * - Writes (`writer.apply`) run in one transaction that bumps the store version and NOTIFYs; readers
 *   never see half a document, deleting a document cascades to its passages and postings.
 * - BM25: SQL finds and ranks the candidates; the final scores are computed here with the embedded
 *   index's arithmetic (bm25-score.ts), so scores and rankings equal `Bm25Index`'s.
 * - Document filters: docIds, issuer and dates narrow the rows in SQL, then `documentMatches` (the
 *   one definition of a filter) decides, over the few rows left: validity is judged in JavaScript.
 * - Replicas: `onChange` listens on a channel and also polls the version row, so a process that
 *   misses a notification (a dropped connection, a pooler without LISTEN) still sees the change.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import type { SectionNode } from '../../corpus/parser.js';
import type { ValidMeta } from '../../corpus/document.js';
import { ERROR_CODES, KbError, describeError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import { loadEvidence } from '../evidence-loader.js';
import { documentMatches } from '../filters.js';
import type {
  DocumentFilter,
  DocumentStore,
  DocumentSummary,
  KnowledgeStore,
  LexicalIndex,
  LexicalSearchOptions,
  PassageFields,
  PassageFilter,
  PassageStore,
  ScoredPassage,
  StoreInfo,
  StoredDocument,
  StoredPassage,
  StoreWriter,
  TermStats,
  VectorIndex,
  WritePlan,
} from '../types.js';
import { averageLength, BM25_B, BM25_K1, bm25Idf, queryTerms, scorePassage, termWeight, type QueryTerm } from '../bm25-score.js';
import { PostgresRateLimitStore } from './rate-limit-store.js';
import { migrate, WRITE_LOCK_KEY } from './migrations.js';
import { poolQueryable, type Queryable } from './queryable.js';
import { createHealthProbe } from './health.js';
import { createPool, DEFAULT_POOL_TIMEOUTS, type PoolTimeouts } from './pool.js';

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

interface StateRow {
  version: string;
  model_id: string;
  dimension: number;
  created_at: string;
  documents: number;
  passages: number;
}

interface DocumentRow {
  doc_id: string;
  meta: ValidMeta;
  body: string;
  tree: SectionNode;
  content_hash: string;
  source: string;
}

interface PassageRow {
  passage_id: string;
  doc_id: string;
  ord: number;
  start_offset: number;
  end_offset: number;
  fields: Omit<PassageFields, 'passageId' | 'docId' | 'index' | 'start' | 'end'>;
  text: string;
}

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
          `the database holds ${state.dimension}-dim vectors of model ${state.model_id}; this configuration embeds with ${options.modelId} (${options.dimension} dimensions); set EMBEDDING_MODEL=${state.model_id}, or point DATABASE_URL at an empty database and run \`npm run -s kb -- ingest\``,
          { details: { stored: { modelId: state.model_id, dimension: Number(state.dimension) }, configured: { modelId: options.modelId, dimension: options.dimension } } },
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
  if (!options.url) throw new KbError(ERROR_CODES.CONFIG_INVALID, 'the PostgreSQL store needs a connection: set DATABASE_URL (postgresql://user:password@host:5432/db)');
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

function vectorLiteral(vector: Float32Array, dimension: number, what: string): string {
  if (vector.length !== dimension) {
    throw new KbError(ERROR_CODES.INDEX_MISMATCH, `${what} has ${vector.length} dimensions; the database holds ${dimension}-dim vectors; embed with the model the database was built with`);
  }
  for (const x of vector) if (!Number.isFinite(x)) throw new KbError(ERROR_CODES.EMBEDDING_FAILED, `${what} holds a non-finite value (${x}); the embedder returned a broken vector`);
  return `[${Array.from(vector).join(',')}]`;
}

function parseVector(text: string): Float32Array {
  return Float32Array.from(JSON.parse(text) as number[]);
}

function toPassage(row: PassageRow): StoredPassage {
  const f = row.fields;
  const passage: StoredPassage = {
    passageId: row.passage_id,
    docId: row.doc_id,
    index: row.ord,
    start: row.start_offset,
    end: row.end_offset,
    breadcrumb: f.breadcrumb,
    headings: f.headings,
    labels: f.labels,
    clause: f.clause,
    sectionIds: f.sectionIds,
    text: row.text,
  };
  if (f.part) passage.part = f.part;
  return passage;
}

function toDocument(row: DocumentRow): StoredDocument {
  return { meta: row.meta, body: row.body, contentHash: row.content_hash, source: row.source, tree: row.tree };
}

/** Passage order of the embedded index (docId, then position): the tie-break of both searches. */
function byReadingOrder(a: { docId: string; ord: number }, b: { docId: string; ord: number }): number {
  return a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : a.ord - b.ord;
}

/** docIds of a passage filter as a SQL parameter: null = every document. */
function docIdsParam(filter: PassageFilter | undefined): string[] | null {
  return filter?.docIds ? [...filter.docIds] : null;
}

const PASSAGE_COLUMNS = 'passage_id, doc_id, ord, start_offset, end_offset, fields, text';

interface LexicalRow {
  passage_id: string;
  doc_id: string;
  ord: number;
  length: number;
  score: number;
  /** 1-based positions in the query of the terms the passage holds, and their frequencies. */
  qords: number[];
  tfs: number[];
  /** Corpus figures the ranking used (one snapshot): passages, total length, df per known term. */
  n: number;
  total: number;
  known: number[];
  dfs: number[];
}

/**
 * BM25 candidates, best first. Float8 throughout (a numeric literal would make every row slow),
 * constants folded once per query: score = Σ w·tf·(k1+1) / (tf + k1·(1−b) + k1·b·len/avgdl).
 * Postings of the query terms are read from the covering primary key; frequencies are gathered
 * only for the rows returned.
 */
const LEXICAL_SQL = `
WITH st AS (
  SELECT passages::float8 AS n, total_length::float8 AS total,
         ${BM25_K1}::float8 * (1 - ${BM25_B}::float8) AS c0,
         ${BM25_K1}::float8 * ${BM25_B}::float8 / greatest(total_length::float8 / nullif(passages, 0)::float8, 1::float8) AS c1
  FROM kb_state WHERE id = 1
),
q AS (
  SELECT u.qord::int AS qord, u.term, t.df,
         ln(1::float8 + (st.n - t.df + 0.5::float8) / (t.df + 0.5::float8)) * u.qtf * u.w * ${BM25_K1 + 1}::float8 AS weight
  FROM unnest($1::text[], $2::float8[], $3::float8[]) WITH ORDINALITY AS u(term, qtf, w, qord)
  JOIN kb_terms t ON t.term = u.term CROSS JOIN st
),
top AS (
  SELECT po.passage_id, sum(q.weight * po.tf / (po.tf + st.c0 + st.c1 * po.length)) AS score
  FROM q JOIN kb_postings po ON po.term = q.term CROSS JOIN st
  WHERE $4::text[] IS NULL OR po.doc_id = ANY($4::text[])
  GROUP BY po.passage_id
  ORDER BY score DESC
  LIMIT $5
),
qa AS (SELECT array_agg(qord ORDER BY qord) AS known, array_agg(df ORDER BY qord) AS dfs FROM q)
SELECT top.passage_id, f.doc_id, f.ord, f.length, top.score, f.qords, f.tfs, st.n, st.total, qa.known, qa.dfs
FROM top CROSS JOIN st CROSS JOIN qa
CROSS JOIN LATERAL (
  -- One primary-key lookup per (candidate, query term).
  SELECT min(po.doc_id) AS doc_id, min(po.ord) AS ord, min(po.length) AS length,
         array_agg(q.qord ORDER BY q.qord) AS qords, array_agg(po.tf ORDER BY q.qord) AS tfs
  FROM q JOIN kb_postings po ON po.term = q.term AND po.passage_id = top.passage_id
) f
ORDER BY top.score DESC`;

/** Exact BM25 scores of the candidates (Bm25Index's arithmetic), best first, ties in reading order. */
function rescore(rows: readonly LexicalRow[], query: readonly QueryTerm[], limit: number): ScoredPassage[] {
  const first = rows[0];
  if (!first) return [];
  const n = Number(first.n);
  const avgdl = averageLength(n, Number(first.total));
  const slot = new Map<number, number>();
  const weights: number[] = [];
  first.known.forEach((qord, i) => {
    slot.set(Number(qord), i);
    weights.push(termWeight(bm25Idf(n, Number(first.dfs[i])), query[Number(qord) - 1] as QueryTerm));
  });
  const scored = rows.map((r) => {
    const tfs = new Array<number>(weights.length).fill(0);
    r.qords.forEach((qord, i) => {
      tfs[slot.get(Number(qord)) as number] = Number(r.tfs[i]);
    });
    return { passageId: r.passage_id, docId: r.doc_id, ord: Number(r.ord), score: scorePassage(weights, tfs, Number(r.length), avgdl) };
  });
  scored.sort((a, b) => b.score - a.score || byReadingOrder(a, b));
  return scored.slice(0, limit).map((s) => ({ passageId: s.passageId, score: s.score }));
}

async function createStore(db: Queryable, options: PostgresStoreOptions, logger: Logger, iterative: boolean): Promise<PostgresStore> {
  const dimension = options.dimension;
  const efSearch = Math.min(Math.max(options.efSearch ?? 128, 1), 1000);
  const exactScanLimit = options.exactScanLimit ?? 5000;
  const channel = options.channel ?? DEFAULT_CHANNEL;

  const readState = async (): Promise<StateRow> => {
    const row = (
      await db.query<StateRow>(`SELECT version::text AS version, model_id, dimension, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at, documents, passages FROM kb_state WHERE id = 1`)
    ).rows[0];
    if (!row) throw new KbError(ERROR_CODES.INDEX_CORRUPT, 'the database has no kb_state row; it was changed by hand; restore it or point DATABASE_URL at an empty database and run `npm run -s kb -- ingest`');
    return row;
  };
  const toInfo = (s: StateRow): StoreInfo => ({
    backend: 'postgres',
    version: s.version,
    modelId: s.model_id,
    dimension: Number(s.dimension),
    createdAt: s.created_at,
    documents: Number(s.documents),
    passages: Number(s.passages),
  });
  let info = toInfo(await readState());

  const documents: DocumentStore = {
    async list(): Promise<DocumentSummary[]> {
      const rows = (await db.query<{ meta: ValidMeta; content_hash: string; source: string; passages: number; chars: number }>('SELECT meta, content_hash, source, passages, chars FROM kb_documents ORDER BY doc_id')).rows;
      return rows.map((r) => ({ meta: r.meta, contentHash: r.content_hash, source: r.source, passages: Number(r.passages), chars: Number(r.chars) }));
    },
    async get(docId: string): Promise<StoredDocument | undefined> {
      const row = (await db.query<DocumentRow>('SELECT doc_id, meta, body, tree, content_hash, source FROM kb_documents WHERE doc_id = $1', [docId])).rows[0];
      return row ? toDocument(row) : undefined;
    },
    async getMany(docIds: readonly string[]): Promise<Map<string, StoredDocument>> {
      if (docIds.length === 0) return new Map();
      const rows = (await db.query<DocumentRow>('SELECT doc_id, meta, body, tree, content_hash, source FROM kb_documents WHERE doc_id = ANY($1::text[])', [[...docIds]])).rows;
      const byId = new Map(rows.map((r) => [r.doc_id, toDocument(r)]));
      const out = new Map<string, StoredDocument>();
      for (const id of docIds) {
        const doc = byId.get(id);
        if (doc) out.set(id, doc);
      }
      return out;
    },
    async select(filter: DocumentFilter): Promise<string[]> {
      if (filter.docIds && filter.docIds.length === 0) return [];
      const hasDates = Boolean(filter.dateFrom || filter.dateTo);
      const rows = (
        await db.query<{ doc_id: string; meta: ValidMeta }>(
          `SELECT doc_id, meta FROM kb_documents
           WHERE ($1::text[] IS NULL OR doc_id = ANY($1::text[]))
             AND ($2::text IS NULL OR strpos(issuer, $2::text) > 0)
             AND (NOT $3::boolean OR doc_date IS NOT NULL)
             AND ($4::text IS NULL OR doc_date >= $4::text)
             AND ($5::text IS NULL OR doc_date <= $5::text)
           ORDER BY doc_id`,
          [filter.docIds ? [...filter.docIds] : null, filter.issuer ? filter.issuer.trim() : null, hasDates, filter.dateFrom || null, filter.dateTo || null],
        )
      ).rows;
      // SQL narrowed the rows; the one definition of a filter decides (validity is judged here).
      return rows.filter((r) => documentMatches(r.meta, filter)).map((r) => r.doc_id);
    },
    async containing(texts: readonly string[], docIds?: readonly string[]): Promise<Set<string>> {
      if (texts.length === 0) return new Set();
      const rows = (
        await db.query<{ t: string }>(
          `SELECT u.t FROM unnest($1::text[]) AS u(t)
           WHERE EXISTS (SELECT 1 FROM kb_documents d WHERE ($2::text[] IS NULL OR d.doc_id = ANY($2::text[])) AND strpos(d.body, u.t) > 0)`,
          [[...new Set(texts)], docIds ? [...docIds] : null],
        )
      ).rows;
      return new Set(rows.map((r) => r.t));
    },
  };

  const passages: PassageStore = {
    async get(passageIds: readonly string[]): Promise<StoredPassage[]> {
      if (passageIds.length === 0) return [];
      const rows = (await db.query<PassageRow>(`SELECT ${PASSAGE_COLUMNS} FROM kb_passages WHERE passage_id = ANY($1::text[])`, [[...new Set(passageIds)]])).rows;
      const byId = new Map(rows.map((r) => [r.passage_id, toPassage(r)]));
      return passageIds.map((id) => byId.get(id)).filter((p): p is StoredPassage => p !== undefined);
    },
    async ofDocument(docId: string): Promise<StoredPassage[]> {
      const rows = (await db.query<PassageRow>(`SELECT ${PASSAGE_COLUMNS} FROM kb_passages WHERE doc_id = $1 ORDER BY ord`, [docId])).rows;
      return rows.map(toPassage);
    },
  };

  const lexical: LexicalIndex = {
    async search(terms: readonly string[], k: number, opts: LexicalSearchOptions = {}): Promise<ScoredPassage[]> {
      const query = queryTerms(terms, opts.weights);
      if (query.length === 0 || !(k >= 1)) return [];
      if (opts.filter?.docIds && opts.filter.docIds.length === 0) return [];
      const limit = Math.floor(k);
      // SQL ranks by its own float arithmetic (summed in any order); the rows come back with what the
      // exact rescoring needs. Rows past k are fetched so that a passage within a hair of the k-th
      // cannot be missed; when even the last fetched row is that close, fetch more.
      for (let extra = 16; ; extra *= 8) {
        const fetch = limit + extra;
        const rows = (await db.query<LexicalRow>(LEXICAL_SQL, [query.map((q) => q.term), query.map((q) => q.qtf), query.map((q) => q.weight), docIdsParam(opts.filter), fetch])).rows;
        const kth = rows[limit - 1];
        const last = rows[rows.length - 1];
        if (rows.length === fetch && kth && last && Number(last.score) >= Number(kth.score) * (1 - 1e-9)) continue;
        return rescore(rows, query, limit);
      }
    },
    async stats(terms: readonly string[], filter?: PassageFilter): Promise<TermStats> {
      const distinct = [...new Set(terms)];
      const row = (
        await db.query<{ n: number; scoped: number; terms: { term: string; df: number; ids: string[] }[] | null }>(
          `SELECT (SELECT passages FROM kb_state WHERE id = 1) AS n,
                  CASE WHEN $2::text[] IS NULL THEN (SELECT passages FROM kb_state WHERE id = 1)
                       ELSE (SELECT count(*)::int FROM kb_passages WHERE doc_id = ANY($2::text[])) END AS scoped,
                  (SELECT json_agg(json_build_object('term', t.term, 'df', t.df, 'ids',
                            coalesce((SELECT json_agg(po.passage_id ORDER BY po.doc_id, po.ord) FROM kb_postings po
                                      WHERE po.term = t.term AND ($2::text[] IS NULL OR po.doc_id = ANY($2::text[]))), '[]'::json)))
                   FROM kb_terms t WHERE t.term = ANY($1::text[])) AS terms`,
          [distinct, docIdsParam(filter)],
        )
      ).rows[0];
      const n = Number(row?.n ?? 0);
      const found = new Map((row?.terms ?? []).map((t) => [t.term, t]));
      const out = new Map<string, { idf: number; passageIds: string[] }>();
      for (const term of distinct) {
        const t = found.get(term);
        if (t) out.set(term, { idf: bm25Idf(n, Number(t.df)), passageIds: t.ids });
      }
      return { passages: n, terms: out, scoped: Number(row?.scoped ?? 0) };
    },
    async idf(terms: readonly string[]): Promise<Map<string, number>> {
      const distinct = [...new Set(terms)];
      if (distinct.length === 0) return new Map();
      const rows = (
        await db.query<{ term: string; df: number; n: number }>('SELECT t.term, t.df, s.passages AS n FROM kb_terms t CROSS JOIN kb_state s WHERE s.id = 1 AND t.term = ANY($1::text[])', [distinct])
      ).rows;
      const found = new Map(rows.map((r) => [r.term, bm25Idf(Number(r.n), Number(r.df))]));
      const out = new Map<string, number>();
      for (const term of distinct) {
        const idf = found.get(term);
        if (idf !== undefined) out.set(term, idf);
      }
      return out;
    },
    async vocabulary(): Promise<string[]> {
      return (await db.query<{ term: string }>('SELECT term FROM kb_terms ORDER BY term')).rows.map((r) => r.term);
    },
  };

  const vectors: VectorIndex = {
    async search(vector: Float32Array, k: number, filter?: PassageFilter): Promise<ScoredPassage[]> {
      if (!(k >= 1)) return [];
      if (filter?.docIds && filter.docIds.length === 0) return [];
      const literal = vectorLiteral(vector, dimension, 'the query vector');
      const limit = Math.floor(k);
      type Row = { passage_id: string; doc_id: string; ord: number; distance: number };
      let rows: Row[];
      const docIds = docIdsParam(filter);
      let candidates = Number.POSITIVE_INFINITY;
      if (docIds) candidates = Number((await db.query<{ n: number }>('SELECT coalesce(sum(passages), 0)::int AS n FROM kb_documents WHERE doc_id = ANY($1::text[])', [docIds])).rows[0]?.n ?? 0);
      if (candidates <= exactScanLimit) {
        // A small set: compare them all (MATERIALIZED keeps the planner off the approximate index).
        rows = (
          await db.query<Row>(
            `WITH c AS MATERIALIZED (SELECT passage_id, doc_id, ord, embedding <=> $1::vector AS distance FROM kb_passages WHERE doc_id = ANY($2::text[]))
             SELECT passage_id, doc_id, ord, distance FROM c ORDER BY distance, doc_id, ord LIMIT $3`,
            [literal, docIds, limit],
          )
        ).rows;
      } else {
        rows = await db.transaction(async (tx) => {
          await tx.query("SELECT set_config('hnsw.ef_search', $1, true)", [String(iterative ? Math.max(efSearch, Math.min(limit, 1000)) : Math.min(1000, Math.max(efSearch, limit * 10)))]);
          // Keeps walking the graph until k rows pass the filter (pgvector ≥ 0.8); rows may come slightly out of order: re-sorted below.
          if (iterative) await tx.query("SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)");
          // The set is large (counted above, which the planner cannot know without statistics): walk the graph, do not sort it all.
          await tx.query("SELECT set_config('enable_sort', 'off', true)");
          return (
            await tx.query<Row>(
              `SELECT passage_id, doc_id, ord, embedding <=> $1::vector AS distance FROM kb_passages
               WHERE $2::text[] IS NULL OR doc_id = ANY($2::text[])
               ORDER BY embedding <=> $1::vector LIMIT $3`,
              [literal, docIds, limit],
            )
          ).rows;
        });
      }
      return rows
        .map((r) => ({ passageId: r.passage_id, docId: r.doc_id, ord: Number(r.ord), score: 1 - Number(r.distance) }))
        .sort((a, b) => b.score - a.score || byReadingOrder(a, b))
        .map((s) => ({ passageId: s.passageId, score: s.score }));
    },
  };

  // Change watching: a NOTIFY or a poll makes the store re-read its state row; listeners hear each new version once.
  const listeners = new Set<(version: string) => void>();
  let lastSeen = BigInt(info.version);
  let checking: Promise<void> = Promise.resolve();
  let stopListening: (() => Promise<void>) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const check = (): Promise<void> => {
    checking = checking.then(async () => {
      if (closed) return;
      try {
        const state = await readState();
        // Any other version is news: a database recreated under the replicas counts from 1 again (issue 25.8).
        if (BigInt(state.version) === lastSeen) return;
        lastSeen = BigInt(state.version);
        info = toInfo(state);
        for (const listener of listeners) {
          try {
            listener(state.version);
          } catch (error) {
            logger.error('change listener failed', { error: describeError(error) });
          }
        }
      } catch (error) {
        logger.warn('could not read the store version', { error: describeError(error) });
      }
    });
    return checking;
  };
  const startWatching = async (): Promise<void> => {
    if (stopListening || timer || closed) return;
    const pollMs = options.pollMs ?? 5000;
    if (pollMs > 0) {
      timer = setInterval(() => void check(), pollMs);
      timer.unref();
    }
    try {
      stopListening = await db.listen(channel, () => void check());
    } catch (error) {
      logger.warn('could not LISTEN for changes; relying on the version poll', { error: describeError(error), pollMs });
    }
    // A write that landed between open and now.
    await check();
  };

  const writer: StoreWriter = {
    async hashes(): Promise<Map<string, { hash: string; source: string; passages: number }>> {
      const rows = (await db.query<{ doc_id: string; content_hash: string; source: string; passages: number }>('SELECT doc_id, content_hash, source, passages FROM kb_documents ORDER BY doc_id')).rows;
      return new Map(rows.map((r) => [r.doc_id, { hash: r.content_hash, source: r.source, passages: Number(r.passages) }]));
    },
    async version(): Promise<string | undefined> {
      const v = await version();
      return v === '0' ? undefined : v;
    },
    async vectorsOf(asked: readonly { passageId: string; breadcrumb: string }[]): Promise<Map<string, Float32Array>> {
      if (asked.length === 0) return new Map();
      const rows = (
        await db.query<{ passage_id: string; breadcrumb: string; embedding: string }>(
          "SELECT passage_id, fields->>'breadcrumb' AS breadcrumb, embedding::text AS embedding FROM kb_passages WHERE passage_id = ANY($1::text[])",
          [[...new Set(asked.map((p) => p.passageId))]],
        )
      ).rows;
      const stored = new Map(rows.map((r) => [r.passage_id, r]));
      const out = new Map<string, Float32Array>();
      // What was embedded is breadcrumb + text: a retitled passage is embedded again.
      for (const p of asked) {
        const row = stored.get(p.passageId);
        if (row && row.breadcrumb === p.breadcrumb) out.set(p.passageId, parseVector(row.embedding));
      }
      return out;
    },
    async apply(plan: WritePlan): Promise<{ version: string }> {
      const prepared = prepareWrites(plan, dimension);
      const touched = [...new Set([...plan.remove, ...plan.put.map((w) => w.document.meta.docId)])];
      if (touched.length === 0) return { version: await version() };
      let changed = 0;
      let after = 0;
      const newVersion = await db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK_KEY.toString()]);
        const old = (await tx.query<{ n: number; total: number }>('SELECT count(*)::int AS n, coalesce(sum(length), 0)::float8 AS total FROM kb_passages WHERE doc_id = ANY($1::text[])', [touched])).rows[0];
        // Document frequencies of the old postings leave first; the rows themselves go with the cascade.
        await tx.query(
          `WITH gone AS (SELECT term, count(*)::int AS n FROM kb_postings WHERE doc_id = ANY($1::text[]) GROUP BY term),
           dropped AS (DELETE FROM kb_terms t USING gone WHERE t.term = gone.term AND t.df <= gone.n RETURNING t.term)
           UPDATE kb_terms t SET df = t.df - gone.n FROM gone WHERE t.term = gone.term AND t.df > gone.n`,
          [touched],
        );
        await tx.query('DELETE FROM kb_documents WHERE doc_id = ANY($1::text[])', [touched]);
        let added = 0;
        let addedLength = 0;
        const postingTerms: string[] = [];
        for (const w of prepared) {
          const d = w.document;
          await tx.query(
            'INSERT INTO kb_documents (doc_id, meta, body, tree, content_hash, source, chars, issuer, doc_date, passages) VALUES ($1, $2::jsonb, $3, $4::jsonb, $5, $6, $7, $8, $9, $10)',
            [d.meta.docId, JSON.stringify(d.meta), d.body, JSON.stringify(d.tree), d.contentHash, d.source, d.body.length, d.meta.issuer, d.meta.dateIssued ?? d.meta.listingDate ?? null, w.passages.length],
          );
          if (w.passages.length === 0) continue;
          await tx.query(
            `INSERT INTO kb_passages (passage_id, doc_id, ord, start_offset, end_offset, fields, text, length, embedding)
             SELECT u.passage_id, $1, u.ord, u.start_offset, u.end_offset, u.fields::jsonb, u.text, u.length, u.embedding::vector
             FROM unnest($2::text[], $3::int[], $4::int[], $5::int[], $6::text[], $7::text[], $8::int[], $9::text[]) AS u(passage_id, ord, start_offset, end_offset, fields, text, length, embedding)`,
            [
              d.meta.docId,
              w.passages.map((p) => p.passageId),
              w.passages.map((p) => p.index),
              w.passages.map((p) => p.start),
              w.passages.map((p) => p.end),
              w.passages.map((p) => p.fields),
              w.passages.map((p) => p.text),
              w.passages.map((p) => p.length),
              w.passages.map((p) => p.vector),
            ],
          );
          const post = { term: [] as string[], passage: [] as string[], ord: [] as number[], tf: [] as number[], length: [] as number[] };
          for (const p of w.passages) {
            for (const [term, tf] of p.counts) {
              post.term.push(term);
              post.passage.push(p.passageId);
              post.ord.push(p.index);
              post.tf.push(tf);
              post.length.push(p.length);
            }
            added += 1;
            addedLength += p.length;
          }
          postingTerms.push(...post.term);
          if (post.term.length > 0) {
            await tx.query(
              `INSERT INTO kb_postings (term, passage_id, doc_id, ord, tf, length)
               SELECT u.term, u.passage_id, $1, u.ord, u.tf, u.length FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::int[]) AS u(term, passage_id, ord, tf, length)`,
              [d.meta.docId, post.term, post.passage, post.ord, post.tf, post.length],
            );
          }
        }
        if (postingTerms.length > 0) {
          await tx.query(
            `INSERT INTO kb_terms (term, df) SELECT term, count(*)::int FROM unnest($1::text[]) AS u(term) GROUP BY term
             ON CONFLICT (term) DO UPDATE SET df = kb_terms.df + EXCLUDED.df`,
            [postingTerms],
          );
        }
        changed = Number(old?.n ?? 0) + added;
        const state = (
          await tx.query<{ version: string; passages: number }>(
            `UPDATE kb_state SET version = version + 1, updated_at = now(),
               documents = (SELECT count(*)::int FROM kb_documents),
               passages = passages - $1::int + $2::int,
               total_length = total_length - $3::bigint + $4::bigint
             WHERE id = 1 RETURNING version::text AS version, passages`,
            [Number(old?.n ?? 0), added, Math.round(Number(old?.total ?? 0)), addedLength],
          )
        ).rows[0] as { version: string; passages: number };
        after = Number(state.passages);
        // Delivered at commit, to every listener on this database (other replicas included).
        await tx.query('SELECT pg_notify($1, $2)', [channel, state.version]);
        return state.version;
      });
      logger.info('store updated', { version: newVersion, put: plan.put.length, removed: plan.remove.length });
      if (changed >= 200 && changed * 10 >= after) {
        // A bulk write: fresh statistics now, so the planner keeps reading postings by term (a server's
        // autovacuum would get there within a minute; PGlite has none).
        await db.query('ANALYZE kb_postings, kb_terms, kb_passages, kb_documents').catch((error: unknown) => logger.warn('ANALYZE after a bulk write failed', { error: describeError(error) }));
      }
      await check();
      return { version: newVersion };
    },
  };

  async function version(): Promise<string> {
    return (await readState()).version;
  }

  const store: KnowledgeStore = {
    get info() {
      return info;
    },
    documents,
    passages,
    lexical,
    vectors,
    evidence: (request) => loadEvidence({ documents, passages, lexical }, request),
  };

  return {
    store,
    writer,
    version,
    async onChange(listener) {
      listeners.add(listener);
      await startWatching();
      return async () => {
        listeners.delete(listener);
      };
    },
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
      if (timer) clearInterval(timer);
      await checking;
      await stopListening?.().catch(() => {});
      await db.close();
    },
  };
}

const LEASE_POLL_MS = 200;

async function acquireLease(db: Queryable, logger: Logger, options: { waitMs?: number; owner?: string; leaseMs?: number }): Promise<{ release(): Promise<void> }> {
  const token = randomUUID();
  const leaseMs = Math.max(1000, options.leaseMs ?? 30_000);
  const waitMs = Math.max(0, options.waitMs ?? 0);
  const owner = options.owner ?? 'policy-kb';
  const deadline = Date.now() + waitMs;
  for (;;) {
    const taken = (
      await db.query<{ token: string }>(
        `INSERT INTO kb_writer (id, token, owner, host, pid, since, expires) VALUES (1, $1, $2, $3, $4, now(), now() + $5 * interval '1 millisecond')
         ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, owner = EXCLUDED.owner, host = EXCLUDED.host, pid = EXCLUDED.pid, since = EXCLUDED.since, expires = EXCLUDED.expires
         WHERE kb_writer.expires < now()
         RETURNING token`,
        [token, owner, hostname(), process.pid, leaseMs],
      )
    ).rows[0];
    if (taken) break;
    if (Date.now() >= deadline) {
      const holder = (await db.query<{ owner: string; host: string; pid: number; since: string }>(`SELECT owner, host, pid, to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS since FROM kb_writer WHERE id = 1`)).rows[0];
      const who = holder ? `${holder.owner} (pid ${holder.pid} on ${holder.host}, since ${holder.since})` : 'another process';
      const waited = waitMs > 0 ? ` after waiting ${(waitMs / 1000).toFixed(1)} s` : '';
      throw new KbError(ERROR_CODES.WRITE_LOCKED, `the PostgreSQL store is being written by ${who}${waited}; wait for it to finish and run the command again (a holder that died lets go within ${Math.round(leaseMs / 1000)} s)`, {
        details: holder ? { owner: holder.owner, host: holder.host, pid: Number(holder.pid), since: holder.since } : {},
      });
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(LEASE_POLL_MS, Math.max(1, deadline - Date.now()))));
  }
  const renew = setInterval(() => {
    db.query<{ token: string }>("UPDATE kb_writer SET expires = now() + $2 * interval '1 millisecond' WHERE id = 1 AND token = $1 RETURNING token", [token, leaseMs])
      .then((r) => {
        if (r.rows.length === 0) logger.error('the single-writer lease was lost (not renewed in time); another writer may have taken it', { owner });
      })
      .catch((error: unknown) => logger.warn('could not renew the single-writer lease', { error: describeError(error) }));
  }, leaseMs / 3);
  renew.unref();
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(renew);
      await db.query('DELETE FROM kb_writer WHERE id = 1 AND token = $1', [token]);
    },
  };
}

interface PreparedPassage {
  passageId: string;
  index: number;
  start: number;
  end: number;
  fields: string;
  text: string;
  length: number;
  counts: Map<string, number>;
  vector: string;
}

/** Checks a plan before anything is written, and turns it into rows: a bad plan writes nothing. */
function prepareWrites(plan: WritePlan, dimension: number): { document: WritePlan['put'][number]['document']; passages: PreparedPassage[] }[] {
  const seen = new Set<string>();
  const removed = new Set(plan.remove);
  return plan.put.map(({ document, passages }) => {
    const docId = document.meta.docId;
    if (seen.has(docId)) throw new KbError(ERROR_CODES.INVALID_INPUT, `the write plan puts document ${docId} twice; put each document once`);
    if (removed.has(docId)) throw new KbError(ERROR_CODES.INVALID_INPUT, `the write plan both puts and removes document ${docId}; a put replaces it already`);
    seen.add(docId);
    const ids = new Set<string>();
    const prepared = passages.map(({ passage, terms, vector }, position) => {
      if (passage.docId !== docId) throw new KbError(ERROR_CODES.INVALID_INPUT, `passage ${passage.passageId} names document ${passage.docId} but is written with ${docId}`);
      if (ids.has(passage.passageId)) throw new KbError(ERROR_CODES.INVALID_INPUT, `document ${docId} has passage ${passage.passageId} twice`);
      ids.add(passage.passageId);
      if (!(Number.isInteger(passage.start) && Number.isInteger(passage.end) && passage.start >= 0 && passage.start <= passage.end && passage.end <= document.body.length)) {
        throw new KbError(ERROR_CODES.INVALID_INPUT, `passage ${passage.passageId} spans ${passage.start}–${passage.end}, outside its document's body (${document.body.length} characters)`);
      }
      if (passage.index !== position) throw new KbError(ERROR_CODES.INVALID_INPUT, `passage ${passage.passageId} has index ${passage.index} at position ${position} of document ${docId}; passages come in reading order`);
      const counts = new Map<string, number>();
      if (Array.isArray(terms)) for (const t of terms as readonly string[]) counts.set(t, (counts.get(t) ?? 0) + 1);
      else for (const [t, n] of terms as ReadonlyMap<string, number>) counts.set(t, n);
      const fields: Record<string, unknown> = {
        breadcrumb: passage.breadcrumb,
        headings: passage.headings,
        labels: passage.labels,
        clause: passage.clause,
        sectionIds: passage.sectionIds,
      };
      if (passage.part) fields.part = passage.part;
      return {
        passageId: passage.passageId,
        index: passage.index,
        start: passage.start,
        end: passage.end,
        fields: JSON.stringify(fields),
        // The verbatim text is the body slice, by construction (JavaScript offsets, UTF-16 units).
        text: document.body.slice(passage.start, passage.end),
        length: [...counts.values()].reduce((a, n) => a + n, 0),
        counts,
        vector: vectorLiteral(vector, dimension, `the vector of passage ${passage.passageId}`),
      };
    });
    return { document, passages: prepared };
  });
}
