import type { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { KbError } from '../../src/shared/errors.js';
import { MIGRATIONS, openPostgresStore, pgliteQueryable, SCHEMA_VERSION, type PostgresStore } from '../../src/storage/postgres/index.js';
import type { DocumentWrite } from '../../src/storage/types.js';
import { Bm25Index } from '../../src/storage/file/bm25.js';
import { CONTRACT_MODEL, describeStoreContract } from './contract.js';
import { freshPglite, startPgliteServer, type PgliteServer } from './pglite.js';
import { inReadingOrder, syntheticWrites } from './synthetic.js';

describeStoreContract('postgres (PGlite in process)', async ({ modelId, dimension }) => {
  const db = await freshPglite();
  const opened = await openPostgresStore({ queryable: pgliteQueryable(db), modelId, dimension });
  return {
    get store() {
      return opened.store;
    },
    writer: opened.writer,
    close: async () => {
      await opened.close();
      await db.close();
    },
  };
});

async function rejection(promise: Promise<unknown>): Promise<KbError> {
  try {
    await promise;
  } catch (error) {
    return error as KbError;
  }
  throw new Error('expected a rejection');
}

const open = (db: PGlite, overrides: Partial<Parameters<typeof openPostgresStore>[0]> = {}): Promise<PostgresStore> =>
  openPostgresStore({ queryable: pgliteQueryable(db), ...CONTRACT_MODEL, ...overrides });

describe('openPostgresStore', () => {
  let db: PGlite;
  const opened: PostgresStore[] = [];
  beforeAll(async () => {
    db = await freshPglite();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  afterAll(async () => db.close());

  it('applies each migration once, however often and however concurrently it opens', async () => {
    opened.push(...(await Promise.all([open(db), open(db), open(db)])));
    opened.push(await open(db));
    const rows = (await db.query<{ version: number }>('SELECT version FROM kb_schema_migrations ORDER BY version')).rows;
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM kb_state')).rows[0]?.n).toBe(1);
    expect((await db.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE indexname = 'kb_passages_embedding'")).rows[0]?.indexdef).toContain('USING hnsw (embedding vector_cosine_ops)');
  });

  it('refuses another model or dimension, naming both and what to do', async () => {
    opened.push(await open(db));
    const error = await rejection(open(db, { modelId: 'other-model', dimension: 512 }));
    expect(error.code).toBe('index_mismatch');
    expect(error.message).toBe(
      'the database holds 8-dim vectors of model contract-test-model; this configuration embeds with other-model (512 dimensions); set EMBEDDING_MODEL=contract-test-model, or point DATABASE_URL at an empty database and run `npm run -s kb -- ingest`',
    );
  });

  it('refuses a schema written by a newer build', async () => {
    const newer = await freshPglite();
    try {
      const first = await open(newer);
      await first.close();
      await newer.query("INSERT INTO kb_schema_migrations (version, name) VALUES ($1, 'from the future')", [SCHEMA_VERSION + 1]);
      const error = await rejection(open(newer));
      expect(error.code).toBe('store_schema_newer');
      expect(error.message).toBe(
        `the database schema is at version ${SCHEMA_VERSION + 1}; this build of policy-kb knows versions up to ${SCHEMA_VERSION}; upgrade policy-kb (every process using this database) or point DATABASE_URL at another database`,
      );
    } finally {
      await newer.close();
    }
  });

  it('says to install pgvector when the database lacks it', async () => {
    const bare = await freshPglite({ withVector: false });
    try {
      const error = await rejection(open(bare));
      expect(error.code).toBe('store_extension_missing');
      expect(error.message).toMatch(/^the database lacks the pgvector extension: CREATE EXTENSION vector failed \(.+\); install pgvector on the server \(e\.g\. the pgvector\/pgvector:pg17 image, or the postgresql-17-pgvector package\) and retry$/u);
      // Nothing of the schema was left behind.
      expect((await bare.query("SELECT to_regclass('kb_documents') AS t")).rows[0]).toEqual({ t: null });
    } finally {
      await bare.close();
    }
  });

  it('refuses a dimension pgvector cannot index before connecting', async () => {
    const error = await rejection(openPostgresStore({ url: 'postgresql://kb@127.0.0.1:9/kb', modelId: 'huge-model', dimension: 4096 }));
    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe("the PostgreSQL store indexes vectors of 1–2000 dimensions (pgvector's HNSW limit); model huge-model has 4096; choose a smaller EMBEDDING_MODEL or use INDEX_STORE=file");
  });

  it('says when the server cannot be reached, without the password', async () => {
    const error = await rejection(openPostgresStore({ url: 'postgresql://kb:hunter2secret@127.0.0.1:9/policy_kb', ...CONTRACT_MODEL }));
    expect(error.code).toBe('store_unreachable');
    expect(error.message).toMatch(/^could not connect to PostgreSQL at 127\.0\.0\.1:9\/policy_kb \(.*ECONNREFUSED.*\); check DATABASE_URL and that the server is running and reachable$/u);
    expect(error.message).not.toContain('hunter2secret');
  });
});

describe('PostgresStore writes', () => {
  let db: PGlite;
  let pgStore: PostgresStore;
  beforeAll(async () => {
    db = await freshPglite();
    pgStore = await open(db);
  });
  afterAll(async () => {
    await pgStore.close();
    await db.close();
  });

  it('rolls back a plan the database refuses part way, leaving every table as it was', async () => {
    const base = syntheticWrites({ documents: 3, passagesPerDocument: 3, dimension: 8, seed: 11 });
    await pgStore.writer.apply({ put: base, remove: [] });
    const counts = async (): Promise<unknown> => (await db.query('SELECT (SELECT count(*)::int FROM kb_documents) d, (SELECT count(*)::int FROM kb_passages) p, (SELECT count(*)::int FROM kb_postings) po, (SELECT sum(df)::int FROM kb_terms) df, (SELECT version::text FROM kb_state) v')).rows[0];
    const before = await counts();
    // The second new document reuses a passage id the first one also writes: the primary key stops it inside the transaction.
    const fresh = syntheticWrites({ documents: 2, passagesPerDocument: 2, dimension: 8, seed: 12, prefix: 'new' });
    const clash = fresh[1] as DocumentWrite;
    const stolen = (fresh[0] as DocumentWrite).passages[0]?.passage.passageId as string;
    clash.passages[0] = { ...(clash.passages[0] as DocumentWrite['passages'][number]), passage: { ...(clash.passages[0] as DocumentWrite['passages'][number]).passage, passageId: stolen } };
    await expect(pgStore.writer.apply({ put: fresh, remove: [(base[0] as DocumentWrite).document.meta.docId] })).rejects.toThrow(/duplicate key/u);
    expect(await counts()).toEqual(before);
    expect(await pgStore.store.documents.get((base[0] as DocumentWrite).document.meta.docId)).toBeDefined();
  });

  it('refuses a vector of the wrong dimension before writing, with the numbers', async () => {
    const bad = syntheticWrites({ documents: 1, passagesPerDocument: 1, dimension: 3, seed: 13, prefix: 'bad' });
    const error = await rejection(pgStore.writer.apply({ put: bad, remove: [] }));
    expect(error.code).toBe('index_mismatch');
    expect(error.message).toBe('the vector of passage bad-000A-p0 has 3 dimensions; the database holds 8-dim vectors; embed with the model the database was built with');
  });

  it('keeps document frequencies and corpus length equal to the postings after replacements', async () => {
    const again = syntheticWrites({ documents: 3, passagesPerDocument: 5, dimension: 8, seed: 14 });
    await pgStore.writer.apply({ put: again.slice(0, 2), remove: [(again[2] as DocumentWrite).document.meta.docId] });
    const drift = (
      await db.query(
        `SELECT (SELECT count(*)::int FROM kb_terms t WHERE t.df <> (SELECT count(*) FROM kb_postings p WHERE p.term = t.term)) AS bad_df,
                (SELECT count(*)::int FROM (SELECT DISTINCT term FROM kb_postings) x WHERE NOT EXISTS (SELECT 1 FROM kb_terms t WHERE t.term = x.term)) AS missing,
                (SELECT passages = (SELECT count(*) FROM kb_passages) AND total_length = (SELECT coalesce(sum(length), 0) FROM kb_passages) FROM kb_state) AS totals`,
      )
    ).rows[0];
    expect(drift).toEqual({ bad_df: 0, missing: 0, totals: true });
  });
});

describe('PostgresStore single-writer lease', () => {
  let db: PGlite;
  let a: PostgresStore;
  let b: PostgresStore;
  beforeAll(async () => {
    db = await freshPglite();
    a = await open(db);
    b = await open(db);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await db.close();
  });

  it('lets one writer in at a time and names the holder to the next', async () => {
    const held = await a.lock({ owner: 'kb ingest' });
    const error = await rejection(b.lock({ owner: 'kb add' }));
    expect(error.code).toBe('write_locked');
    expect(error.message).toMatch(/^the PostgreSQL store is being written by kb ingest \(pid \d+ on .+, since \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\); wait for it to finish and run the command again \(a holder that died lets go within 30 s\)$/u);
    const waiting = b.lock({ owner: 'kb add', waitMs: 5000 });
    setTimeout(() => void held.release(), 300);
    const next = await waiting;
    await next.release();
  });

  it('takes over a lease its holder stopped renewing (a crashed writer)', async () => {
    await db.query("INSERT INTO kb_writer (id, token, owner, host, pid, since, expires) VALUES (1, 'dead', 'kb ingest', 'gone', 1, now() - interval '2 minutes', now() - interval '1 minute') ON CONFLICT (id) DO UPDATE SET token = 'dead', expires = now() - interval '1 minute'");
    const lease = await b.lock({ owner: 'kb add' });
    expect((await db.query('SELECT owner FROM kb_writer')).rows).toEqual([{ owner: 'kb add' }]);
    await lease.release();
    expect((await db.query('SELECT count(*)::int AS n FROM kb_writer')).rows).toEqual([{ n: 0 }]);
  });
});

describe('PostgresStore vector search under a tight filter', () => {
  let db: PGlite;
  let pgStore: PostgresStore;
  const writes = syntheticWrites({ documents: 60, passagesPerDocument: 25, dimension: 8, seed: 21 });
  beforeAll(async () => {
    db = await freshPglite();
    // exactScanLimit 0: every filtered search walks the HNSW graph (the path large filters take).
    pgStore = await open(db, { exactScanLimit: 0, efSearch: 10 });
    await pgStore.writer.apply({ put: writes, remove: [] });
  });
  afterAll(async () => {
    await pgStore.close();
    await db.close();
  });

  const brute = (probe: Float32Array, keep: readonly string[]): string[] =>
    inReadingOrder(writes)
      .filter((p) => keep.includes(p.passage.docId))
      .map((p) => {
        let dot = 0;
        let na = 0;
        let nb = 0;
        p.vector.forEach((x, i) => {
          dot += x * (probe[i] as number);
          na += x * x;
          nb += (probe[i] as number) ** 2;
        });
        return { id: p.passage.passageId, score: dot / Math.sqrt(na * nb) };
      })
      .sort((a, b) => b.score - a.score)
      .map((h) => h.id);

  it('returns k passages, all inside the filter, when the filter keeps 2 of 60 documents', async () => {
    const keep = [(writes[7] as DocumentWrite).document.meta.docId, (writes[41] as DocumentWrite).document.meta.docId];
    const probe = (writes[3] as DocumentWrite).passages[0]?.vector as Float32Array;
    const hits = await pgStore.store.vectors.search(probe, 30, { docIds: keep });
    expect(hits.map((h) => h.passageId)).toEqual(brute(probe, keep).slice(0, 30));
  });

  it('walks the HNSW graph until k passages pass a filter that keeps 20 of 60 documents (iterative scan)', async () => {
    const keep = writes.filter((_, i) => i % 3 === 1).map((w) => w.document.meta.docId);
    const probe = (writes[3] as DocumentWrite).passages[0]?.vector as Float32Array;
    // ef_search 10 and k 30: a plain HNSW scan yields 30 candidates, of which about a third pass.
    const hits = await pgStore.store.vectors.search(probe, 30, { docIds: keep });
    expect(hits).toHaveLength(30);
    for (const h of hits) expect(keep.some((d) => h.passageId.startsWith(`${d}-p`))).toBe(true);
    const scores = hits.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const exact = new Set(brute(probe, keep).slice(0, 30));
    expect(hits.filter((h) => exact.has(h.passageId)).length).toBeGreaterThanOrEqual(27);
  });
});

describe('PostgresStore change notifications', () => {
  it('fires onChange of a second store on the same database when the first writes (NOTIFY, no polling)', async () => {
    const db = await freshPglite();
    const a = await open(db, { pollMs: 0 });
    const b = await open(db, { pollMs: 0 });
    try {
      const seen: string[] = [];
      const changed = new Promise<void>((resolve) => {
        void b.onChange((v) => {
          seen.push(v);
          resolve();
        });
      });
      await new Promise((r) => setTimeout(r, 50));
      const { version } = await a.writer.apply({ put: syntheticWrites({ documents: 1, passagesPerDocument: 2, dimension: 8 }), remove: [] });
      await changed;
      expect(seen).toEqual([version]);
      expect(b.store.info).toMatchObject({ version, documents: 1, passages: 2 });
    } finally {
      await a.close();
      await b.close();
      await db.close();
    }
  });
});

describe('PostgresStore over the wire (pglite-server, the pg driver, DATABASE_URL)', () => {
  let server: PgliteServer;
  beforeAll(async () => {
    server = await startPgliteServer(8);
  });
  afterAll(async () => server?.stop());

  it('migrates once when two processes open together, and a write through one reaches the other by the version poll (pglite-server relays no NOTIFY)', async () => {
    const { store } = loadConfig({ INDEX_STORE: 'postgres', DATABASE_URL: server.url });
    const url = store.kind === 'postgres' ? store.url : undefined;
    const [a, b] = await Promise.all([
      openPostgresStore({ url, ...CONTRACT_MODEL, maxConnections: 3, pollMs: 100 }),
      openPostgresStore({ url, ...CONTRACT_MODEL, maxConnections: 3, pollMs: 100 }),
    ]);
    try {
      const versions: string[] = [];
      const changed = new Promise<void>((resolve) => {
        void b.onChange((v) => {
          versions.push(v);
          resolve();
        });
      });
      const writes = syntheticWrites({ documents: 8, passagesPerDocument: 6, dimension: 8, seed: 31 });
      const { version } = await a.writer.apply({ put: writes, remove: [] });
      await changed;
      expect(versions).toEqual([version]);
      expect(await b.version()).toBe(version);
      // The other process reads what the first wrote, scored as the embedded index scores it.
      const passages = inReadingOrder(writes);
      const bm25 = Bm25Index.build(passages.map((p) => p.terms));
      const terms = ['人工智能', '数据', '补贴', '数据'];
      expect(await b.store.lexical.search(terms, 10)).toEqual(bm25.search(terms, 10).map((h) => ({ passageId: passages[h.index]?.passage.passageId, score: h.score })));
      const probe = passages[5]?.vector as Float32Array;
      expect((await b.store.vectors.search(probe, 1))[0]?.passageId).toBe(passages[5]?.passage.passageId);
    } finally {
      await a.close();
      await b.close();
    }
    const check = await openPostgresStore({ url: server.url, ...CONTRACT_MODEL });
    try {
      expect(check.store.info).toMatchObject({ backend: 'postgres', documents: 8, passages: 48 });
    } finally {
      await check.close();
    }
  });
});
