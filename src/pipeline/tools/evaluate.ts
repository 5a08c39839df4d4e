/**
 * Runs a question set through the same search and abstention code as `ask`, and the LangChain
 * tutorial stack (RecursiveCharacterTextSplitter 1000/200 + the same embedder + HNSWLib) for the
 * ablation.
 */
import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
// LangChain is loaded when the baseline runs (`kb eval --ablation`, bench-scale), not by every CLI start.
import type { Document } from '@langchain/core/documents';
import type { EvalItem, EvalRun } from '../../retrieval/eval.js';
import type { StoredDocument } from '../../storage/types.js';
import type { SearchMode } from '../../retrieval/search.js';
import type { Config } from '../../config/index.js';
import { ERROR_CODES, KbError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import type { ProgressFactory } from '../../shared/progress.js';
import { listCorpusFiles } from '../library/corpus.js';
import { openKnowledgeBase, type OpenedKnowledgeBase } from '../compose/open.js';

export type EvalSystem = SearchMode;

/**
 * Question sets kept for the final figure only (by file name): `kb eval` runs them only with
 * `--sealed`, which prints the aggregate figures and refuses `--out`, so no one reads their results.
 */
export const SEALED_SETS: ReadonlySet<string> = new Set(['dev3.jsonl']);

/** Where `--library` keeps its combined corpus and index, under the working directory (git-ignored). */
export const EVAL_LIBRARY_CACHE = '.cache/eval-library';

/**
 * Retrieval runs at `k` in the given mode. With `answers` (hybrid only), each question is also put
 * to `ask` exactly as a user would, and the run carries that answer for answer-level scoring; its
 * abstention is then the answer's.
 */
export async function runEval(opened: Pick<OpenedKnowledgeBase, 'service'>, items: readonly EvalItem[], options: { k: number; mode: EvalSystem; answers?: boolean }): Promise<EvalRun[]> {
  const runs: EvalRun[] = [];
  for (const item of items) {
    const response = await opened.service.searcher.search(item.question, { k: options.k, mode: options.mode });
    if (options.answers && options.mode === 'hybrid') {
      const { answer } = await opened.service.ask(item.question);
      const outcome = answer.outcome;
      // A `related` answer is scored by the clauses it shows; `not_found` by nothing.
      const citations = outcome === 'not_found' ? [] : answer.citations.map((c) => ({ docId: c.docId, passageId: c.passageId, quote: c.quote }));
      runs.push({ item, abstained: outcome !== 'answer', results: response.results, answer: { outcome, abstained: outcome !== 'answer', text: answer.answer, citations } });
    } else {
      runs.push({ item, abstained: await opened.service.abstains(response), results: response.results });
    }
  }
  return runs;
}

/** Splits every document like the LangChain RAG tutorial, keeping body offsets. */
export async function tutorialChunks(documents: ReadonlyMap<string, StoredDocument>): Promise<Document[]> {
  const [{ RecursiveCharacterTextSplitter }, { Document }] = await Promise.all([import('@langchain/textsplitters'), import('@langchain/core/documents')]);
  const splitter = new RecursiveCharacterTextSplitter({ chunkSize: 1000, chunkOverlap: 200 });
  const docs: Document[] = [];
  for (const [docId, doc] of documents) {
    let cursor = 0;
    for (const text of await splitter.splitText(doc.body)) {
      const found = doc.body.indexOf(text, Math.max(0, cursor - 400));
      const start = found >= 0 ? found : cursor;
      cursor = start + text.length;
      docs.push(new Document({ pageContent: text, metadata: { docId, title: doc.meta.title, start, end: start + text.length } }));
    }
  }
  return docs;
}

export async function runLangchainBaseline(opened: Pick<OpenedKnowledgeBase, 'store' | 'embedder'>, items: readonly EvalItem[], options: { k: number }): Promise<EvalRun[]> {
  const [{ HNSWLib }, { PolicyKbEmbeddings }] = await Promise.all([import('@langchain/community/vectorstores/hnswlib'), import('../../embeddings/langchain.js')]);
  const store = await HNSWLib.fromDocuments(await tutorialChunks(await opened.store.documents.getMany((await opened.store.documents.list()).map((d) => d.meta.docId))), new PolicyKbEmbeddings(opened.embedder));
  const runs: EvalRun[] = [];
  for (const item of items) {
    const hits = await store.similaritySearchWithScore(item.question, options.k);
    runs.push({
      item,
      abstained: false,
      results: hits.map(([doc, score], i) => ({
        rank: i + 1,
        passageId: `lc-${String(doc.metadata.docId)}-${String(doc.metadata.start)}`,
        docId: String(doc.metadata.docId),
        title: String(doc.metadata.title),
        breadcrumb: `《${String(doc.metadata.title)}》`,
        text: doc.pageContent,
        start: Number(doc.metadata.start),
        end: Number(doc.metadata.end),
        score: 1 - score,
      })),
    });
  }
  return runs;
}

/** Library indexes kept under the cache folder (the most recently used); each is ~0.3 GB for 3,400 laws. */
const LIBRARY_CACHES_KEPT = 3;

export interface EvalLibrary {
  /** The combined corpus folder (the corpus's files and the library's, linked) and its index. */
  corpusDir: string;
  indexDir: string;
  /** sha256 of every file's path and bytes and the build settings: the cache entry's name. */
  key: string;
  documents: number;
}

/**
 * The corpus plus every document of `libraryDir`, laid out once under `cacheRoot/<key>` (files
 * hard-linked, copied across devices) so it can be indexed like any corpus. The key covers each
 * file's relative path and bytes and the settings the index depends on (model, chunk sizes): an
 * unchanged corpus and library reuse the entry, a change makes a new one. The least recently used
 * entries beyond three are removed.
 */
export async function prepareEvalLibrary(config: Pick<Config, 'corpusDir' | 'embeddingModel' | 'chunkMaxChars' | 'chunkMinChars'>, libraryDir: string, cacheRoot: string): Promise<EvalLibrary> {
  const own = await listCorpusFiles(config.corpusDir);
  let added: string[];
  try {
    added = await listCorpusFiles(libraryDir);
  } catch (error) {
    const code = ((error as { cause?: NodeJS.ErrnoException }).cause ?? (error as NodeJS.ErrnoException)).code ?? 'error';
    throw new KbError(ERROR_CODES.INVALID_INPUT, `--library ${libraryDir}: cannot read it (${code}); give a folder of .md/.txt documents`, { cause: error });
  }
  if (added.length === 0) throw new KbError(ERROR_CODES.INVALID_INPUT, `--library ${libraryDir}: no .md/.txt documents in it; give a folder of documents to add beside the corpus`);
  const files = new Map<string, string>();
  for (const [root, list] of [[config.corpusDir, own], [libraryDir, added]] as const) {
    for (const file of list) {
      const rel = path.relative(root, file);
      if (files.has(rel)) throw new KbError(ERROR_CODES.INVALID_INPUT, `--library ${libraryDir}: ${rel} is also in the corpus folder ${config.corpusDir}; rename one of them`);
      files.set(rel, file);
    }
  }
  // Files that are not documents but shape them (the corpus's import map) come along too.
  for (const extra of ['import-map.yaml']) {
    const file = path.join(config.corpusDir, extra);
    if (await stat(file).then((x) => x.isFile(), () => false)) files.set(extra, file);
  }
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ model: config.embeddingModel, chunkMaxChars: config.chunkMaxChars, chunkMinChars: config.chunkMinChars }));
  const rels = [...files.keys()].sort();
  for (const rel of rels) {
    hash.update(`\u0000${rel}\u0000`);
    hash.update(await readFile(files.get(rel) as string));
  }
  const key = hash.digest('hex').slice(0, 16);
  const entry = path.join(cacheRoot, key);
  const corpusDir = path.join(entry, 'corpus');
  const ready = path.join(entry, 'corpus.ready');
  if (!(await stat(ready).then(() => true, () => false))) {
    await rm(corpusDir, { recursive: true, force: true });
    for (const rel of rels) {
      const to = path.join(corpusDir, rel);
      await mkdir(path.dirname(to), { recursive: true });
      await link(files.get(rel) as string, to).catch(() => copyFile(files.get(rel) as string, to));
    }
    await writeFile(ready, `${rels.length}\n`);
  }
  const now = new Date();
  await utimes(ready, now, now);
  await pruneLibraryCaches(cacheRoot, key);
  return { corpusDir, indexDir: path.join(entry, 'index'), key, documents: rels.filter((r) => r !== 'import-map.yaml').length };
}

async function pruneLibraryCaches(cacheRoot: string, keep: string): Promise<void> {
  const entries = await readdir(cacheRoot, { withFileTypes: true }).catch(() => []);
  const used = await Promise.all(entries.filter((e) => e.isDirectory() && e.name !== keep).map(async (e) => ({ name: e.name, at: await stat(path.join(cacheRoot, e.name, 'corpus.ready')).then((x) => x.mtimeMs, () => 0) })));
  used.sort((a, b) => b.at - a.at);
  for (const old of used.slice(LIBRARY_CACHES_KEPT - 1)) await rm(path.join(cacheRoot, old.name), { recursive: true, force: true });
}

/**
 * Opens the corpus plus `libraryDir` for evaluation: the cached entry's index, built first when it
 * is missing (a log line says so; ~70 s for 3,400 laws on two cores). Always the embedded store.
 */
export async function openEvalLibrary(config: Config, libraryDir: string, options: { cacheRoot: string; logger?: Logger; progress?: ProgressFactory }): Promise<OpenedKnowledgeBase & { library: EvalLibrary }> {
  const logger = options.logger ?? silentLogger;
  const library = await prepareEvalLibrary(config, libraryDir, options.cacheRoot);
  const built = await stat(path.join(library.indexDir, 'index', 'CURRENT')).then(() => true, () => false);
  if (!built) logger.info('building the evaluation library index (corpus + library; reused while both are unchanged)', { library: libraryDir, documents: library.documents, cache: path.dirname(library.indexDir) });
  else logger.info('evaluation library index reused', { library: libraryDir, documents: library.documents, cache: path.dirname(library.indexDir) });
  const opened = await openKnowledgeBase({ ...config, corpusDir: library.corpusDir, indexDir: library.indexDir, store: { kind: 'file' } }, { logger, autoIngest: true, ...(options.progress ? { progress: options.progress } : {}) });
  return { ...opened, library };
}
