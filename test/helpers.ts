/** Shared test helpers: the real corpus, parsed once per file. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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
/** The real corpus ingested into a temporary index, once per test file. */
/** The dev corpus on the embedded backend, opened once per test file (its snapshot `kb` is set). */
export function realKnowledgeBase(): Promise<OpenedSnapshot> {
  opened ??= testConfig().then(async (config) => withSnapshot(await openKnowledgeBase(config, { autoIngest: true })));
  return opened;
}

export type OpenedSnapshot = OpenedKnowledgeBase & { kb: KnowledgeIndex };

/** An opened knowledge base on the embedded backend, whose snapshot tests read directly. */
export function withSnapshot(o: OpenedKnowledgeBase): OpenedSnapshot {
  if (!o.kb) throw new Error(`expected the embedded (file) backend; this one is ${o.backend.kind}`);
  return o as OpenedSnapshot;
}

/** A copy of the real corpus with its own fresh index, and the ingest options for it. */
export async function copiedCorpus(runtime: EmbeddingRuntime): Promise<{ config: Config; options: IngestOptions }> {
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-corpus-'));
  await cp(CORPUS_DIR, corpus, { recursive: true });
  const config = await testConfig({ CORPUS_DIR: corpus });
  return { config, options: ingestOptionsFor(config, runtime.embedder, runtime.profile) };
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
