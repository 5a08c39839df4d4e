/** Shared test helpers: the real corpus, parsed once per file. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../src/config/index.js';
import { loadCorpus, type LoadedDocument } from '../src/pipeline/library/corpus.js';
import type { IngestOptions } from '../src/pipeline/ingest/ingest.js';
import type { EmbeddingRuntime } from '../src/pipeline/compose/runtime.js';
import { KbError } from '../src/shared/errors.js';
import { ingestOptionsFor, openKnowledgeBase, type OpenedKnowledgeBase } from '../src/pipeline/compose/open.js';
import type { KnowledgeIndex } from '../src/storage/file/knowledge-index.js';
import type { CliIo } from '../server/cli/io.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CORPUS_DIR = path.join(ROOT, 'corpus');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');

/**
 * A source file as test/global-setup.ts compiled it for this run (`compiled('server/cli/entry.ts')`): what a
 * spawned child runs with plain `node`, as `npm start` runs dist/, instead of compiling the sources again
 * through tsx at every start.
 */
export function compiled(sourcePath: string): string {
  return path.join(inject('compiledRoot'), sourcePath.replace(/\.ts$/u, '.js'));
}

/**
 * The real CLI, compiled: `spawn(process.execPath, [CLI_ENTRY, 'serve'])`. Outside a vitest run (the benchmark
 * scripts import test/storage/pglite.ts, which imports this file) there is no compiled tree: the source path.
 */
export const CLI_ENTRY = process.env.VITEST ? compiled('server/cli/entry.ts') : path.join(ROOT, 'server', 'cli', 'entry.ts');

let cached: Promise<LoadedDocument[]> | undefined;
export function realCorpus(): Promise<LoadedDocument[]> {
  cached ??= loadCorpus(CORPUS_DIR).then((r) => {
    if (r.errors.length > 0) throw new Error(r.errors.map((e) => e.message).join('\n'));
    return r.documents;
  });
  return cached;
}

export async function realDoc(docId: string): Promise<LoadedDocument> {
  const doc = (await realCorpus()).find((d) => d.meta.docId === docId);
  if (!doc) throw new Error(`no ${docId} in corpus`);
  return doc;
}

export interface CapturedIo extends CliIo {
  out(): string;
  err(): string;
}

export function captureIo(env: Record<string, string | undefined> = {}, cwd = ROOT): CapturedIo {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env,
    cwd,
    out: () => out,
    err: () => err,
  };
}

export const MODELS_DIR = path.join(ROOT, 'embeddings', 'models');

/** A config for tests: the real corpus (or `corpusDir`), the shared built model, a fresh index dir. */
export async function testConfig(overrides: Record<string, string> = {}): Promise<Config> {
  const indexDir = await mkdtemp(path.join(tmpdir(), 'kb-index-'));
  return loadConfig({ CORPUS_DIR: CORPUS_DIR, MODELS_DIR, INDEX_DIR: indexDir, ...overrides });
}

let opened: Promise<OpenedSnapshot> | undefined;
/**
 * The dev corpus on the embedded backend, opened once per test file (its snapshot `kb` is set): a copy of
 * the index test/global-setup.ts ingested once for the run with these same settings, so each file loads
 * it instead of embedding the corpus again (ingestion itself is tested in test/pipeline/).
 */
export function realKnowledgeBase(): Promise<OpenedSnapshot> {
  opened ??= testConfig().then(async (config) => {
    await cp(inject('corpusIndexDir'), config.indexDir, { recursive: true });
    return withSnapshot(await openKnowledgeBase(config, { autoIngest: true }));
  });
  return opened;
}

export type OpenedSnapshot = OpenedKnowledgeBase & { kb: KnowledgeIndex };

/** An opened knowledge base on the embedded backend, whose snapshot tests read directly. */
export function withSnapshot(o: OpenedKnowledgeBase): OpenedSnapshot {
  if (!o.kb) throw new Error(`expected the embedded (file) backend; this one is ${o.backend.kind}`);
  return o as OpenedSnapshot;
}

/**
 * The real corpus plus constructed documents (file name → text), copied to a temporary folder, indexed and opened on the
 * embedded backend: a test's own regulation or plan read beside the 8 documents.
 */
export async function corpusWith(files: Record<string, string>): Promise<OpenedSnapshot> {
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-with-'));
  await cp(CORPUS_DIR, corpus, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(corpus, name), text);
  return withSnapshot(await openKnowledgeBase(await testConfig({ CORPUS_DIR: corpus }), { autoIngest: true }));
}

/** A copy of the real corpus with its own fresh index, and the ingest options for it. */
export async function copiedCorpus(runtime: EmbeddingRuntime): Promise<{ config: Config; options: IngestOptions }> {
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-corpus-'));
  await cp(CORPUS_DIR, corpus, { recursive: true });
  const config = await testConfig({ CORPUS_DIR: corpus });
  return { config, options: ingestOptionsFor(config, runtime.embedder, runtime.profile) };
}

/**
 * `copiedCorpus`, already indexed: its INDEX_DIR holds a copy of the index test/global-setup.ts built of
 * the same documents with the same settings, so `ingest(options)` finds it up to date. For tests of what
 * happens to an existing index (edits, corruption, kills); a test of the first build uses `copiedCorpus`.
 */
export async function indexedCorpus(runtime: EmbeddingRuntime): Promise<{ config: Config; options: IngestOptions }> {
  const copied = await copiedCorpus(runtime);
  await cp(inject('corpusIndexDir'), copied.config.indexDir, { recursive: true });
  return copied;
}

/** The KbError a promise rejects with; fails the test when it resolves or rejects with anything else. */
export async function kbRejection(promise: Promise<unknown>): Promise<KbError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof KbError)) throw new Error(`expected a KbError, got ${String(error)}`);
  return error;
}
