/**
 * One schema for all settings. Entry points call `loadConfig(process.env, fileConfig)` once and pass
 * the result down; nothing else reads the environment.
 */
import path from 'node:path';
import { z } from 'zod';
import { isRealDate } from '../shared/dates.js';
import { ERROR_CODES, KbError } from '../shared/errors.js';

/** A whole-number setting; a bad value is named with the range it must be in (not the validator's "expected number, received NaN"). */
const intFrom = (def: number, min: number, max: number) => {
  const error = (issue: { input?: unknown }): string => `must be a whole number from ${min} to ${max}${issue.input === undefined || Number.isNaN(issue.input) ? '' : `, not ${JSON.stringify(issue.input)}`}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error }).default(def);
};

/**
 * A bearer secret (API_TOKEN, ADMIN_TOKEN…): surrounding whitespace, as a careless `.env` or a
 * pasted value carries, is trimmed, since clients never send it and it could never match.
 */
export const secretSetting = (name: string) => z.string().trim().min(8, `${name} must be at least 8 characters (after trimming spaces)`).optional();

/** TRUST_PROXY as express reads `trust proxy`: off, on (any proxy), a hop count, or addresses. */
function parseTrustProxy(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['', '0', 'false', 'off', 'no'].includes(v)) return false;
  if (['true', 'on', 'yes'].includes(v)) return true;
  if (/^\d+$/u.test(v)) return Number(v);
  return value.trim();
}

export const configSchema = z.object({
  /** Folder of corpus documents (.md/.txt). */
  corpusDir: z.string().min(1).default('corpus'),
  /** Folder the index and model folders are built into. */
  indexDir: z.string().min(1).default('embeddings'),
  /** Where transformers.js caches and finds models. */
  modelsDir: z.string().min(1).default('embeddings/models'),
  /** Embedding model id: a built-in profile name or a Hugging Face id. */
  embeddingModel: z.string().min(1).default('synonyms-w2v-zh'),
  /** Hub mirror for transformers.js (`env.remoteHost`), e.g. https://hf-mirror.com/ */
  hfRemoteHost: z.string().url().optional(),
  /** Allow downloading models from the hub (off for the offline default). */
  allowRemoteModels: z.coerce.boolean().default(false),
  chunkMaxChars: intFrom(400, 80, 4000),
  chunkMinChars: intFrom(100, 0, 2000),
  // Measured with npm run bench:ingest: batch 8 embedded fastest here (less padding per batch).
  embedBatchSize: intFrom(8, 1, 1024),
  /** Worker threads that embed and analyze during ingest; 0 (default): one per core; 1: none, all in the calling thread. */
  ingestWorkers: intFrom(0, 0, 256),
  // Measured on 100k synthetic passages (BENCHMARKS.md, Scale): efConstruction 100 builds in 0.58× the
  // CPU of 200 for recall@10 0.992 vs 0.995 at efSearch 256 (0.974 vs 0.981 at 128); a larger
  // corpus loses recall at a fixed efSearch: at 1M passages efSearch 256 gave 0.946, 512 gave 0.969
  // for ~1 ms more per query (BENCHMARKS.md, Scale), so 512 is the default.
  hnswM: intFrom(16, 4, 96),
  hnswEfConstruction: intFrom(100, 10, 2000),
  hnswEfSearch: intFrom(512, 10, 2000),
  /** Weight of the dense list in the hybrid fusion (BM25 has weight 1); default: the model profile's. */
  denseWeight: z.coerce.number().min(0).max(10).optional(),
  host: z.string().min(1).default('127.0.0.1'),
  port: intFrom(8787, 0, 65535),
  apiToken: secretSetting('API_TOKEN'),
  allowedOrigins: z.array(z.string()).default([]),
  /** Host header names accepted besides the loopback names, on every route (DNS-rebinding protection); `*`: any. */
  allowedHosts: z
    .array(z.string().regex(/^(\*|\[[0-9a-f:.]+\]|[\p{L}\p{N}_.-]+)(:\d{1,5})?$/iu, 'entries are host names as clients send them (kb.example.org, kb.example.org:8443, [::1]), not URLs'))
    .default([]),
  rateLimitPerMinute: intFrom(0, 0, 1_000_000),
  /** express `trust proxy`: false (default), true, a hop count, or proxy addresses/subnets (comma-separated). */
  trustProxy: z.preprocess(parseTrustProxy, z.union([z.boolean(), z.number().int().min(0).max(100), z.string().min(1)])).default(false),
  /** After SIGTERM/SIGINT: how long in-flight requests may finish before every connection is closed. */
  shutdownGraceMs: intFrom(5000, 0, 600_000),
  /**
   * Processes `serve` runs (node:cluster): the primary forks this many workers sharing the port,
   * each with its own copy of the index; 1 (default) serves from one process.
   */
  workers: z
    .preprocess(
      (v) => (typeof v === 'string' && /^\s*\d+\s*$/u.test(v) ? Number(v) : v),
      z
        .number({ error: (issue) => `must be a whole number of worker processes from 1 to 64, e.g. WORKERS=4; got ${JSON.stringify(String(issue.input).slice(0, 40))}` })
        .int('must be a whole number of worker processes from 1 to 64, e.g. WORKERS=4')
        .min(1, 'must be at least 1 (1 serves from one process)')
        .max(64, 'must be at most 64; start one worker per CPU core you want to use'),
    )
    .default(1),
  /** Open connections the HTTP server accepts at once; more are refused. */
  maxConnections: intFrom(1000, 1, 1_000_000),
  /**
   * How far V8 lets the heap of a long-running server (`serve`, `mcp`) grow past what the last full
   * collection kept, in percent; 0 leaves V8's own rule. Unset: 100 on Node 20, V8's own rule on later
   * Node versions (server/cli/heap.ts says why).
   */
  heapGrowingPercent: z.preprocess((v) => (v === undefined || v === '' ? undefined : v), intFrom(0, 0, 1000).optional()),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Today as YYYY-MM-DD for validity judgements (default: the real date); set it to reproduce an evaluation. */
  today: z.string().regex(/^\d{4}-\d{2}-\d{2}$/u, 'must be YYYY-MM-DD').refine(isRealDate, 'is not a real calendar date').optional(),
  /** OCR for scanned pages and images: `auto` reads pages without a text layer, `off` skips them. */
  ocr: z.enum(['auto', 'off']).default('auto'),
  /** `paddle` (PP-OCR from npm, default) or `tesseract` (Debian's tesseract-ocr + tesseract-ocr-chi-sim). */
  ocrEngine: z.enum(['paddle', 'tesseract'], { error: (issue) => `must be paddle (built in, the default) or tesseract (needs tesseract-ocr-chi-sim); got "${String(issue.input).slice(0, 40)}"` }).default('paddle'),
  /** Per-document limits: a file past one is refused with 413 (see src/extract/index.ts DEFAULT_LIMITS). */
  maxPages: intFrom(2000, 1, 1_000_000),
  maxOcrPages: intFrom(100, 0, 100_000),
  maxCharacters: intFrom(2_000_000, 1000, 1_000_000_000),
  maxPassages: intFrom(20_000, 10, 10_000_000),
  /** Extraction runs in a worker thread: its time (seconds) and heap (MiB) per file. */
  extractTimeoutS: intFrom(600, 5, 86_400),
  extractMemoryMb: intFrom(1024, 128, 65_536),
  /** Largest upload accepted by POST/PUT /api/documents, in MiB. */
  uploadMaxMb: intFrom(50, 1, 2048),
  /** Bearer token for the write routes (uploads, replacements, deletions). */
  adminToken: secretSetting('ADMIN_TOKEN'),
  /** Where the index lives: `file` (the embedded snapshot in INDEX_DIR, default) or `postgres` (DATABASE_URL). */
  indexStore: z
    .enum(['file', 'postgres'], { error: (issue) => `must be file (the embedded snapshot in INDEX_DIR, the default) or postgres (PostgreSQL with pgvector at DATABASE_URL); got "${String(issue.input)}"` })
    .default('file'),
  /** PostgreSQL connection string for INDEX_STORE=postgres. */
  databaseUrl: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\//u, 'must be a postgres:// or postgresql:// URL, e.g. postgresql://user:password@host:5432/policy_kb')
    .optional(),
  llmBaseUrl: z.string().url().optional(),
  llmModel: z.string().optional(),
  llmApiKey: z.string().optional(),
  /** Connections in each process's pool (INDEX_STORE=postgres). */
  databasePoolSize: intFrom(10, 1, 200),
  /** How often each process re-reads the database's version besides LISTEN (ms; 0: LISTEN only). */
  databasePollMs: intFrom(5000, 0, 600_000),
  /** How long to wait for a database connection before answering 503 (ms). */
  databaseConnectTimeoutMs: intFrom(5000, 100, 600_000),
  /** Longest a database statement may run (ms; 0: no limit): a stalled database fails requests instead of holding them. */
  databaseStatementTimeoutMs: intFrom(30_000, 0, 86_400_000),
});

/** The settings as read (env var names map onto these keys; a config file uses them too). */
export type ConfigInput = z.output<typeof configSchema>;

/** The keys that choose and configure the store; `Config.store` holds them, checked. */
type StoreKeys = 'indexStore' | 'databaseUrl' | 'databasePoolSize' | 'databasePollMs' | 'databaseConnectTimeoutMs' | 'databaseStatementTimeoutMs';

/**
 * Where the index lives. `file` (INDEX_STORE=file, the default): the embedded snapshot in
 * `Config.indexDir`. `postgres` (INDEX_STORE=postgres): PostgreSQL with pgvector at `url`
 * (DATABASE_URL), with its pool size (DATABASE_POOL_SIZE), version poll (DATABASE_POLL_MS) and
 * timeouts (DATABASE_CONNECT_TIMEOUT_MS, DATABASE_STATEMENT_TIMEOUT_MS; 0: no statement limit).
 */
export type StoreConfig =
  | { kind: 'file' }
  | { kind: 'postgres'; url: string; poolSize: number; pollMs: number; connectTimeoutMs: number; statementTimeoutMs: number };

export type Config = Omit<ConfigInput, StoreKeys> & { store: StoreConfig };

const ENV_KEYS: Record<string, keyof ConfigInput> = {
  CORPUS_DIR: 'corpusDir',
  INDEX_DIR: 'indexDir',
  MODELS_DIR: 'modelsDir',
  EMBEDDING_MODEL: 'embeddingModel',
  HF_REMOTE_HOST: 'hfRemoteHost',
  ALLOW_REMOTE_MODELS: 'allowRemoteModels',
  CHUNK_MAX_CHARS: 'chunkMaxChars',
  CHUNK_MIN_CHARS: 'chunkMinChars',
  EMBED_BATCH_SIZE: 'embedBatchSize',
  INGEST_WORKERS: 'ingestWorkers',
  HNSW_M: 'hnswM',
  HNSW_EF_CONSTRUCTION: 'hnswEfConstruction',
  HNSW_EF_SEARCH: 'hnswEfSearch',
  DENSE_WEIGHT: 'denseWeight',
  HOST: 'host',
  PORT: 'port',
  API_TOKEN: 'apiToken',
  ALLOWED_ORIGINS: 'allowedOrigins',
  ALLOWED_HOSTS: 'allowedHosts',
  RATE_LIMIT_PER_MINUTE: 'rateLimitPerMinute',
  TRUST_PROXY: 'trustProxy',
  SHUTDOWN_GRACE_MS: 'shutdownGraceMs',
  MAX_CONNECTIONS: 'maxConnections',
  HEAP_GROWING_PERCENT: 'heapGrowingPercent',
  WORKERS: 'workers',
  LOG_LEVEL: 'logLevel',
  POLICY_KB_TODAY: 'today',
  OCR: 'ocr',
  OCR_ENGINE: 'ocrEngine',
  MAX_PAGES: 'maxPages',
  MAX_OCR_PAGES: 'maxOcrPages',
  MAX_CHARACTERS: 'maxCharacters',
  MAX_PASSAGES: 'maxPassages',
  EXTRACT_TIMEOUT_S: 'extractTimeoutS',
  EXTRACT_MEMORY_MB: 'extractMemoryMb',
  UPLOAD_MAX_MB: 'uploadMaxMb',
  ADMIN_TOKEN: 'adminToken',
  INDEX_STORE: 'indexStore',
  DATABASE_URL: 'databaseUrl',
  LLM_BASE_URL: 'llmBaseUrl',
  LLM_MODEL: 'llmModel',
  LLM_API_KEY: 'llmApiKey',
  DATABASE_POOL_SIZE: 'databasePoolSize',
  DATABASE_POLL_MS: 'databasePollMs',
  DATABASE_CONNECT_TIMEOUT_MS: 'databaseConnectTimeoutMs',
  DATABASE_STATEMENT_TIMEOUT_MS: 'databaseStatementTimeoutMs',
};

/**
 * Settings that load but are probably a mistake, as sentences for the log (the server starts anyway).
 * ADMIN_TOKEN equal to API_TOKEN: every reader may change the library (issue 25.10).
 */
export function configWarnings(config: Pick<Config, 'apiToken' | 'adminToken'>): string[] {
  const out: string[] = [];
  if (config.adminToken !== undefined && config.adminToken === config.apiToken) {
    out.push('ADMIN_TOKEN equals API_TOKEN: everyone who may read may also upload, replace and delete documents; set a different ADMIN_TOKEN');
  }
  return out;
}

/**
 * Builds the config from a config-file object (lower precedence) and environment variables.
 * Relative folders resolve against `cwd`. Throws `config_invalid` naming each bad setting.
 */
export function loadConfig(env: Record<string, string | undefined>, fileConfig: Record<string, unknown> = {}, cwd = '.'): Config {
  const raw: Record<string, unknown> = { ...fileConfig };
  for (const [envKey, key] of Object.entries(ENV_KEYS)) {
    const value = env[envKey];
    if (value === undefined || value === '') continue;
    if (key === 'allowedOrigins' || key === 'allowedHosts') raw[key] = value.split(',').map((s) => s.trim()).filter(Boolean);
    else if (key === 'allowRemoteModels') raw[key] = value === '1' || value.toLowerCase() === 'true';
    else raw[key] = value;
  }
  // Naming a hub model means the user wants it fetched.
  if (raw.allowRemoteModels === undefined && typeof raw.embeddingModel === 'string' && raw.embeddingModel.includes('/')) {
    raw.allowRemoteModels = true;
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const envName = (key: string): string => Object.entries(ENV_KEYS).find(([, k]) => k === key)?.[0] ?? key;
    const problems = result.error.issues.map((i) => `${envName(String(i.path[0]))}: ${i.message}`).join('; ');
    throw new KbError(ERROR_CODES.CONFIG_INVALID, `invalid configuration: ${problems}`);
  }
  const { indexStore, databaseUrl, databasePoolSize, databasePollMs, databaseConnectTimeoutMs, databaseStatementTimeoutMs, ...cfg } = result.data;
  let store: StoreConfig = { kind: 'file' };
  if (indexStore === 'postgres') {
    if (!databaseUrl) throw new KbError(ERROR_CODES.CONFIG_INVALID, 'invalid configuration: DATABASE_URL: INDEX_STORE=postgres needs DATABASE_URL (postgresql://user:password@host:5432/policy_kb), or set INDEX_STORE=file', { hint: 'set INDEX_STORE=file' });
    store = { kind: 'postgres', url: databaseUrl, poolSize: databasePoolSize, pollMs: databasePollMs, connectTimeoutMs: databaseConnectTimeoutMs, statementTimeoutMs: databaseStatementTimeoutMs };
  }
  return {
    ...cfg,
    store,
    corpusDir: path.resolve(cwd, cfg.corpusDir),
    indexDir: path.resolve(cwd, cfg.indexDir),
    modelsDir: path.resolve(cwd, cfg.modelsDir),
  };
}
