/**
 * The generic ingest (`ingestInto`) over both `StorageBackend`s: the same options reach both, so
 * INGEST_WORKERS embeds in worker threads whether the index is the embedded snapshot or PostgreSQL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendFor, fileBackendFor, ingestOptionsFor } from '../../src/pipeline/compose/backend.js';
import { ingestInto } from '../../src/pipeline/ingest/ingest.js';
import { createEmbeddingRuntime, type EmbeddingRuntime } from '../../src/pipeline/compose/runtime.js';
import { postgresBackend } from '../../src/storage/postgres/backend.js';
import { pgliteQueryable } from '../../src/storage/postgres/index.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { testConfig } from '../helpers.js';
import { freshPglite } from '../storage/pglite.js';

let runtime: EmbeddingRuntime;
const cleanup: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  runtime = await createEmbeddingRuntime(await testConfig());
});
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

const BACKENDS: { name: string; open(): Promise<StorageBackend> }[] = [
  {
    name: 'file',
    async open() {
      const indexDir = await mkdtemp(path.join(tmpdir(), 'kb-backends-'));
      cleanup.push(() => rm(indexDir, { recursive: true, force: true }));
      return fileBackendFor(await testConfig({ INDEX_DIR: indexDir }), runtime);
    },
  },
  {
    name: 'postgres (PGlite)',
    async open() {
      const db = await freshPglite();
      const config = await testConfig();
      const backend = await postgresBackend({ queryable: pgliteQueryable(db), modelId: runtime.embedder.modelId, dimension: runtime.embedder.dimension, chunkMaxChars: config.chunkMaxChars, chunkMinChars: config.chunkMinChars });
      cleanup.push(async () => {
        await backend.close();
        await db.close();
      });
      return backend;
    },
  },
];

for (const { name, open } of BACKENDS) {
  describe(`ingestInto (${name})`, () => {
    it('embeds in the worker threads INGEST_WORKERS asks for, then finds the store up to date', { timeout: 180_000 }, async () => {
      const backend = await open();
      const config = await testConfig({ INGEST_WORKERS: '2' });
      const options = { ...ingestOptionsFor(config, runtime.embedder, runtime.profile), workerMinPassages: 0 };
      const lock = await backend.lock({ owner: 'test' });
      try {
        const first = await ingestInto(backend, options);
        expect(first).toMatchObject({ upToDate: false, workers: 2 });
        expect(first.passages).toBeGreaterThan(100);
        expect((await ingestInto(backend, options)).upToDate).toBe(true);
      } finally {
        await lock.release();
      }
      const counts = await backend.passageCounts();
      expect([...counts.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
      expect((await backend.open()).info.passages).toBe([...counts.values()].reduce((a, b) => a + b, 0));
    });
  });
}

describe('backendFor', () => {
  it('gives the embedded backend for INDEX_STORE=file', async () => {
    const backend = await backendFor(await testConfig(), runtime);
    expect(backend.kind).toBe('file');
  });
});
