import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/index.js';
import { fileWriter } from '../../src/storage/file/file-writer.js';
import { loadIndex } from '../../src/storage/file/index-store.js';
import { ingest, type IngestOptions } from '../../src/pipeline/ingest/ingest.js';
import { createEmbeddingRuntime, expectationsFor, type EmbeddingRuntime } from '../../src/pipeline/compose/runtime.js';
import { syncStore, type SyncOptions } from '../../src/pipeline/ingest/sync.js';
import type { Logger } from '../../src/shared/logger.js';
import { openPostgresStore, pgliteQueryable } from '../../src/storage/postgres/index.js';
import type { StoreWriter, WriteSession } from '../../src/storage/types.js';
import { copiedCorpus, testConfig } from '../helpers.js';
import { freshPglite } from '../storage/pglite.js';

let runtime: EmbeddingRuntime;
beforeAll(async () => {
  runtime = await createEmbeddingRuntime(await testConfig());
});

const setup = (): Promise<{ config: Config; options: IngestOptions }> => copiedCorpus(runtime);

function writerFor(options: IngestOptions): StoreWriter {
  return fileWriter({ indexDir: options.indexDir, modelId: options.embedder.modelId, dimension: options.embedder.dimension, profile: options.profile, chunkMaxChars: options.chunkMaxChars, chunkMinChars: options.chunkMinChars, hnsw: options.hnsw });
}

function syncOptions(options: IngestOptions, writer: StoreWriter, extra: Partial<SyncOptions> = {}): SyncOptions {
  return { corpusDir: options.corpusDir, writer, embedder: options.embedder, chunkMaxChars: options.chunkMaxChars, chunkMinChars: options.chunkMinChars, batchSize: options.batchSize, ...extra };
}

type Warning = { msg: string; fields?: Record<string, unknown> };
function capturingLogger(): Logger & { warnings: Warning[] } {
  const warnings: Warning[] = [];
  return { warnings, debug() {}, info() {}, error() {}, warn: (msg, fields) => warnings.push(fields === undefined ? { msg } : { msg, fields }) };
}

/** The writer, with `between` run once the plan has read the store's hashes: after the scan, before the documents are read again. */
function racing(writer: StoreWriter, between: () => Promise<void>): StoreWriter {
  return {
    ...writer,
    async hashes() {
      const hashes = await writer.hashes();
      await between();
      return hashes;
    },
  };
}

async function edit(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} lacks ${from}`);
  await writeFile(file, text.replace(from, to));
}

const KEEPS = 'while it was being ingested; it keeps its stored version — run the ingest again to pick up the change';

/**
 * Before the ingest: 东莞 and 中山 gain a clause, 云浮 is edited, extra.md is added, hebei.md removed.
 * Between its scan and its reads, 云浮 is edited again and extra.md removed.
 */
async function raceScenario(corpusDir: string): Promise<() => Promise<void>> {
  for (const name of ['dongguan.md', 'zhongshan.md']) {
    const file = path.join(corpusDir, name);
    await writeFile(file, `${await readFile(file, 'utf8')}\n第九十九条 本办法由市人民政府负责解释。\n`);
  }
  await edit(path.join(corpusDir, 'yunfu.md'), '试行期三年', '试行期五年');
  await writeFile(path.join(corpusDir, 'extra.md'), (await readFile(path.join(corpusDir, 'hebei.md'), 'utf8')).replace('docId: hebei', 'docId: extra'));
  await rm(path.join(corpusDir, 'hebei.md'));
  return async () => {
    await edit(path.join(corpusDir, 'yunfu.md'), '试行期五年', '试行期十年');
    await rm(path.join(corpusDir, 'extra.md'));
  };
}

const RACED = { upToDate: false, added: [], changed: ['dongguan', 'zhongshan'], kept: ['yunfu'], removed: ['hebei'], unchanged: ['ai-plan', 'huizhou', 'qingyuan', 'shenzhen'], documents: 7, fileErrors: [`extra.md: was removed ${KEEPS}`, `yunfu.md: changed ${KEEPS}`] };

describe('syncStore', () => {
  describe('when a file changes or goes away between the scan and the read', () => {
    it('skips it, keeps its stored version, reports it and writes the rest (snapshot)', { timeout: 120_000 }, async () => {
      const { config, options } = await setup();
      await ingest(options);
      const expectations = expectationsFor(config, runtime.embedder);
      const yunfuBefore = (await loadIndex(config.indexDir, expectations)).passages.filter((p) => p.docId === 'yunfu').map((p) => p.passageId);
      const between = await raceScenario(config.corpusDir);
      const logger = capturingLogger();
      // Two documents a batch: one batch puts 东莞 and skips extra, the next skips 云浮 and puts 中山.
      const summary = await syncStore(syncOptions(options, racing(writerFor(options), between), { logger, documentsPerApply: 2 }));
      expect(summary).toMatchObject(RACED);
      expect(logger.warnings).toEqual(RACED.fileErrors.map((problem) => ({ msg: 'corpus file skipped', fields: { problem } })));
      const kb = await loadIndex(config.indexDir, expectations);
      expect([...kb.documents.keys()].sort()).toEqual(['ai-plan', 'dongguan', 'huizhou', 'qingyuan', 'shenzhen', 'yunfu', 'zhongshan']);
      expect(kb.documents.get('yunfu')?.body).toContain('试行期三年');
      expect(kb.passages.filter((p) => p.docId === 'yunfu').map((p) => p.passageId)).toEqual(yunfuBefore);
      expect(kb.documents.get('zhongshan')?.body).toContain('第九十九条');
      expect(kb.passages).toHaveLength(summary.passages);
      expect(kb.dense.size).toBe(kb.passages.length);
      // The next ingest picks the change up.
      const next = await ingest(options);
      expect(next).toMatchObject({ changed: ['yunfu'], kept: [], fileErrors: [] });
      expect((await loadIndex(config.indexDir, expectations)).documents.get('yunfu')?.body).toContain('试行期十年');
    });

    it('skips it and keeps its stored version in PostgreSQL too, committing the rest batch by batch', { timeout: 120_000 }, async () => {
      const { options } = await setup();
      const db = await freshPglite();
      const opened = await openPostgresStore({ queryable: pgliteQueryable(db), modelId: runtime.embedder.modelId, dimension: runtime.embedder.dimension });
      try {
        await syncStore(syncOptions(options, opened.writer));
        const yunfuBefore = await opened.store.documents.get('yunfu');
        const hashesBefore = await opened.writer.hashes();
        const between = await raceScenario(options.corpusDir);
        const logger = capturingLogger();
        const summary = await syncStore(syncOptions(options, racing(opened.writer, between), { logger, documentsPerApply: 2 }));
        expect(summary).toMatchObject(RACED);
        expect(logger.warnings).toEqual(RACED.fileErrors.map((problem) => ({ msg: 'corpus file skipped', fields: { problem } })));
        expect((await opened.store.documents.list()).map((d) => d.meta.docId)).toEqual(['ai-plan', 'dongguan', 'huizhou', 'qingyuan', 'shenzhen', 'yunfu', 'zhongshan']);
        expect(await opened.store.documents.get('yunfu')).toEqual(yunfuBefore);
        expect((await opened.store.documents.get('zhongshan'))?.body).toContain('第九十九条');
        const hashes = await opened.writer.hashes();
        expect(hashes.get('yunfu')).toEqual(hashesBefore.get('yunfu'));
        expect(summary.passages).toBe([...hashes.values()].reduce((a, h) => a + h.passages, 0));
      } finally {
        await opened.close();
        await db.close();
      }
    });
  });

  describe('when every vector of the changed documents is reused', () => {
    /** A comment added to every file's front matter: each file changes, no passage does. */
    async function touchEveryFile(corpusDir: string): Promise<string[]> {
      const names = (await readdir(corpusDir)).filter((n) => n.endsWith('.md')).sort();
      for (const name of names) await edit(path.join(corpusDir, name), '---\n', '---\n# 已核对\n');
      return names;
    }

    it('writes each batch as it reads it instead of reading every changed document first', { timeout: 120_000 }, async () => {
      const { config, options } = await setup();
      const first = await ingest(options);
      expect(await touchEveryFile(config.corpusDir)).toHaveLength(8);
      const inner = writerFor(options);
      let reads = 0;
      let readsAtFirstPut: number | undefined;
      const writer: StoreWriter = {
        ...inner,
        // Called once for each batch read.
        async vectorsOf(passages) {
          reads += 1;
          return inner.vectorsOf(passages);
        },
        async begin(plan) {
          const session = await (inner.begin as (p: typeof plan) => Promise<WriteSession>)(plan);
          return {
            ...session,
            async put(batch) {
              readsAtFirstPut ??= reads;
              await session.put(batch);
            },
          };
        },
      };
      const summary = await syncStore(syncOptions(options, writer, { documentsPerApply: 1 }));
      expect(summary).toMatchObject({ changed: first.added, embedded: 0, passages: first.passages });
      expect(reads).toBe(8);
      expect(readsAtFirstPut).toBe(1);
    });

    it('starts no worker threads: there is nothing to embed', { timeout: 120_000 }, async () => {
      const { config, options } = await setup();
      const first = await ingest(options);
      await touchEveryFile(config.corpusDir);
      const summary = await ingest({ ...options, workers: 2, workerMinPassages: 1 });
      expect(summary).toMatchObject({ changed: first.added, embedded: 0, passages: first.passages, workers: 1 });
    });
  });

  it('reports the error that stopped the ingest, not a failure to undo its write', { timeout: 60_000 }, async () => {
    const { options } = await setup();
    const inner = writerFor(options);
    const writer: StoreWriter = {
      ...inner,
      async begin(plan) {
        const session = await (inner.begin as (p: typeof plan) => Promise<WriteSession>)(plan);
        return {
          ...session,
          put: () => Promise.reject(new Error('disk full')),
          async abort() {
            await session.abort();
            throw new Error('could not remove the draft');
          },
        };
      },
    };
    const logger = capturingLogger();
    await expect(syncStore(syncOptions(options, writer, { logger }))).rejects.toThrow('disk full');
    expect(logger.warnings).toEqual([{ msg: "the stopped ingest's write was not undone cleanly", fields: { reason: 'could not remove the draft' } }]);
  });
});
