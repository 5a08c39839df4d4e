/**
 * Versioned schema of the PostgreSQL store: an ordered list of migrations, recorded in
 * `kb_schema_migrations`, applied at open inside one transaction that holds an advisory lock, so
 * two processes starting together apply each migration once and the second sees the first's work.
 * Applying is idempotent; a database whose schema is newer than this build is refused.
 *
 * Every table carries `doc_id`, so a Citus deployment can distribute them by document
 * (`kb_terms` and `kb_state` are small: reference tables).
 */
import { ERROR_CODES, KbError, describeError } from '../../shared/errors.js';
import type { QueryRunner } from './queryable.js';

export interface MigrationContext {
  /** Dimension of the embedding column (fixed when the table is created). */
  dimension: number;
}

export interface Migration {
  version: number;
  name: string;
  statements(context: MigrationContext): string[];
}

/** Key of the advisory lock migrations and writes take (an arbitrary constant: "policykb"). */
export const MIGRATION_LOCK_KEY = 0x706f6c6963796b62n;
/** Key of the advisory lock writes take, so concurrent writers apply one plan at a time. */
export const WRITE_LOCK_KEY = MIGRATION_LOCK_KEY + 1n;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'documents, passages, BM25 postings, vectors, state',
    statements: ({ dimension }) => [
      // Ids compare bytewise (COLLATE "C"), as JavaScript sorts them: docId order is the tie-break order.
      `CREATE TABLE kb_documents (
        doc_id text COLLATE "C" PRIMARY KEY,
        meta jsonb NOT NULL,
        body text NOT NULL,
        tree jsonb NOT NULL,
        content_hash text NOT NULL,
        source text NOT NULL,
        chars integer NOT NULL,
        issuer text NOT NULL,
        doc_date text COLLATE "C",
        passages integer NOT NULL
      )`,
      `CREATE TABLE kb_passages (
        passage_id text COLLATE "C" PRIMARY KEY,
        doc_id text COLLATE "C" NOT NULL REFERENCES kb_documents (doc_id) ON DELETE CASCADE,
        ord integer NOT NULL,
        start_offset integer NOT NULL,
        end_offset integer NOT NULL,
        fields jsonb NOT NULL,
        -- body.slice(start, end) as JavaScript counts (UTF-16 units), stored: substr() counts code points.
        text text NOT NULL,
        length integer NOT NULL,
        embedding vector(${dimension}) NOT NULL,
        UNIQUE (doc_id, ord)
      )`,
      `CREATE INDEX kb_passages_embedding ON kb_passages USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 200)`,
      // One row per (term, passage): tf and the passage's length ride along so scoring is an index-only scan.
      `CREATE TABLE kb_postings (
        term text COLLATE "C" NOT NULL,
        passage_id text COLLATE "C" NOT NULL,
        doc_id text COLLATE "C" NOT NULL REFERENCES kb_documents (doc_id) ON DELETE CASCADE,
        ord integer NOT NULL,
        tf integer NOT NULL,
        length integer NOT NULL,
        PRIMARY KEY (term, passage_id) INCLUDE (doc_id, ord, tf, length)
      )`,
      `CREATE INDEX kb_postings_doc ON kb_postings (doc_id)`,
      `CREATE TABLE kb_terms (
        term text COLLATE "C" PRIMARY KEY,
        df integer NOT NULL CHECK (df > 0)
      )`,
      `CREATE TABLE kb_state (
        id integer PRIMARY KEY CHECK (id = 1),
        version bigint NOT NULL,
        model_id text NOT NULL,
        dimension integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        documents integer NOT NULL DEFAULT 0,
        passages integer NOT NULL DEFAULT 0,
        total_length bigint NOT NULL DEFAULT 0
      )`,
    ],
  },
  {
    version: 2,
    name: 'single-writer lease',
    statements: () => [
      // One writer at a time across processes (ingest, kb add, uploads): a lease the holder renews,
      // so a crashed writer's hold lapses on its own; times are the server's, the same for every process.
      `CREATE TABLE kb_writer (
        id integer PRIMARY KEY CHECK (id = 1),
        token text NOT NULL,
        owner text NOT NULL,
        host text NOT NULL,
        pid integer NOT NULL,
        since timestamptz NOT NULL,
        expires timestamptz NOT NULL
      )`,
    ],
  },
  {
    version: 3,
    name: 'index settings, shared rate-limit counters',
    statements: () => [
      // What the stored terms and passages were made with (chunker and analyzer versions, chunk sizes):
      // a build or configuration that differs is told, as the embedded index's manifest does.
      `ALTER TABLE kb_state ADD COLUMN settings jsonb`,
      // express-rate-limit's counters, shared by every replica: one row per client key and window.
      `CREATE TABLE kb_rate_limit (
        key text COLLATE "C" PRIMARY KEY,
        hits integer NOT NULL,
        reset_at timestamptz NOT NULL
      )`,
    ],
  },
];

export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

interface PgError {
  code?: string;
}

/**
 * Creates the pgvector extension, then applies the migrations this database lacks, in order.
 * Runs inside the caller's transaction after it took the migration lock. Returns the versions applied.
 */
export async function migrate(tx: QueryRunner, context: MigrationContext, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
  const known = Math.max(...migrations.map((m) => m.version));
  await tx.query(`CREATE TABLE IF NOT EXISTS kb_schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const applied = new Set((await tx.query<{ version: number }>('SELECT version FROM kb_schema_migrations')).rows.map((r) => Number(r.version)));
  const newest = Math.max(0, ...applied);
  if (newest > known) {
    throw new KbError(
      ERROR_CODES.STORE_SCHEMA_NEWER,
      `the database schema is at version ${newest}; this build of policy-kb knows versions up to ${known}; upgrade policy-kb (every process using this database) or point DATABASE_URL at another database`,
      { details: { schemaVersion: newest, knownVersion: known } },
    );
  }
  const pending = migrations.filter((m) => !applied.has(m.version)).sort((a, b) => a.version - b.version);
  if (pending.length === 0) return [];
  await createVectorExtension(tx);
  for (const migration of pending) {
    for (const statement of migration.statements(context)) await tx.query(statement);
    await tx.query('INSERT INTO kb_schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
  }
  return pending.map((m) => m.version);
}

async function createVectorExtension(tx: QueryRunner): Promise<void> {
  const present = await tx.query("SELECT 1 FROM pg_extension WHERE extname = 'vector'");
  if (present.rows.length > 0) return;
  try {
    await tx.query('CREATE EXTENSION IF NOT EXISTS vector');
  } catch (error) {
    const code = (error as PgError).code;
    const why = code === '42501' ? 'the database user may not create extensions (ask an administrator to run `CREATE EXTENSION vector` in this database once)' : 'install pgvector on the server (e.g. the pgvector/pgvector:pg17 image, or the postgresql-17-pgvector package) and retry';
    throw new KbError(ERROR_CODES.STORE_EXTENSION_MISSING, `the database lacks the pgvector extension: CREATE EXTENSION vector failed (${describeError(error)}); ${why}`, { cause: error });
  }
}
