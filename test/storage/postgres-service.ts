/** The dev corpus in PostgreSQL (PGlite in process) behind a real knowledge service, for transport tests on that backend. */
import type { PGlite } from '@electric-sql/pglite';
import { createEmbeddingRuntime } from '../../src/pipeline/compose/runtime.js';
import { syncStore } from '../../src/pipeline/ingest/sync.js';
import { createKnowledgeService, type KnowledgeService } from '../../src/retrieval/service.js';
import { openPostgresStore, pgliteQueryable, type PostgresStore } from '../../src/storage/postgres/index.js';
import { CORPUS_DIR, testConfig } from '../helpers.js';
import { freshPglite } from './pglite.js';

export interface PostgresKnowledgeBase {
  service: KnowledgeService;
  database: PostgresStore;
  db: PGlite;
  close(): Promise<void>;
}

/** Ingests the dev corpus into a fresh in-process PostgreSQL and serves it (the embedder of the test config). */
export async function postgresKnowledgeBase(): Promise<PostgresKnowledgeBase> {
  const config = await testConfig();
  const runtime = await createEmbeddingRuntime(config);
  const db = await freshPglite();
  const database = await openPostgresStore({ queryable: pgliteQueryable(db), modelId: runtime.embedder.modelId, dimension: runtime.embedder.dimension });
  await syncStore({ corpusDir: CORPUS_DIR, writer: database.writer, embedder: runtime.embedder, chunkMaxChars: config.chunkMaxChars, chunkMinChars: config.chunkMinChars, batchSize: config.embedBatchSize });
  return {
    service: createKnowledgeService(database.store, runtime.embedder),
    database,
    db,
    close: async () => {
      await database.close();
      await db.close();
    },
  };
}
