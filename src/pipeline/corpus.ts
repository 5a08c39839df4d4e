/**
 * Reads the corpus folder: every .md/.txt file becomes a parsed, chunked document. A bad file is
 * reported (naming the file and the problem) and skipped; the others still load.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { chunkDocument, type Chunk, type ChunkOptions } from '../chunking/chunker.js';
import { parseDocumentFile, type PolicyDocument } from '../corpus/document.js';
import { applyRepeals } from '../corpus/document-facts.js';
import { parsePolicy, type SectionNode } from '../corpus/parser.js';
import { ERROR_CODES, KbError, unknownDocError } from '../shared/errors.js';

export interface LoadedDocument extends PolicyDocument {
  tree: SectionNode;
  chunks: Chunk[];
  /** sha256 of the file bytes: what incremental ingest compares. */
  contentHash: string;
}

export interface CorpusLoad {
  documents: LoadedDocument[];
  errors: KbError[];
}

const CORPUS_EXTENSIONS = new Set(['.md', '.txt']);
/** Where `kb add` and uploads keep originals, one folder per docId (never read as documents). */
export const ORIGINALS_FOLDER = 'originals';

/** Lists corpus files (recursively, skipping dot-folders), sorted for a stable order. */
export async function listCorpusFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (error) {
    throw new KbError(ERROR_CODES.CORPUS_EMPTY, `cannot read corpus folder ${dir}: ${(error as NodeJS.ErrnoException).code ?? 'error'}; set CORPUS_DIR to a folder of .md/.txt files`, { cause: error });
  }
  return entries
    .filter((e) => e.isFile() && CORPUS_EXTENSIONS.has(path.extname(e.name).toLowerCase()))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => {
      const parts = path.relative(dir, f).split(path.sep);
      // Dot-folders are hidden; `originals/` holds the files documents were extracted from.
      return !parts.some((part) => part.startsWith('.')) && parts[0] !== ORIGINALS_FOLDER;
    })
    .sort();
}

/** Parses and chunks one document already read. */
export function prepareDocument(doc: PolicyDocument, bytes: Uint8Array, options: ChunkOptions = {}): LoadedDocument {
  const tree = parsePolicy(doc.body);
  const chunks = chunkDocument({ docId: doc.meta.docId, title: doc.meta.title, body: doc.body, tree }, options);
  return { ...doc, tree, chunks, contentHash: createHash('sha256').update(bytes).digest('hex') };
}

export async function loadCorpus(dir: string, options: ChunkOptions = {}): Promise<CorpusLoad> {
  const files = await listCorpusFiles(dir);
  const documents: LoadedDocument[] = [];
  const errors: KbError[] = [];
  const seen = new Map<string, string>();
  // Markdown first: a .txt that a document names as its `original` was extracted, not read as is.
  const parsed = new Map<string, PolicyDocument | KbError>();
  const read = new Map<string, Uint8Array>();
  for (const file of files) {
    const name = path.relative(dir, file);
    if (!name.toLowerCase().endsWith('.md')) continue;
    try {
      const bytes = await readFile(file);
      read.set(name, bytes);
      parsed.set(name, parseDocumentFile(name, bytes));
    } catch (error) {
      parsed.set(name, error instanceof KbError ? error : new KbError(ERROR_CODES.CORPUS_FILE_INVALID, `${name}: ${(error as Error).message}`, { cause: error }));
    }
  }
  const originals = new Set([...parsed.values()].flatMap((d) => (d instanceof KbError || !d.meta.original ? [] : [path.normalize(d.meta.original)])));
  for (const file of files) {
    const name = path.relative(dir, file);
    if (originals.has(path.normalize(name))) continue;
    try {
      const bytes = read.get(name) ?? (await readFile(file));
      const known = parsed.get(name);
      if (known instanceof KbError) throw known;
      const doc = known ?? parseDocumentFile(name, bytes);
      const previous = seen.get(doc.meta.docId);
      if (previous !== undefined) {
        throw new KbError(ERROR_CODES.CORPUS_FILE_INVALID, `${name}: docId "${doc.meta.docId}" is already used by ${previous}; give one of them another docId`, { details: { file: name } });
      }
      seen.set(doc.meta.docId, name);
      documents.push(prepareDocument(doc, bytes, options));
    } catch (error) {
      errors.push(error instanceof KbError ? error : new KbError(ERROR_CODES.CORPUS_FILE_INVALID, `${name}: ${(error as Error).message}`, { cause: error }));
    }
  }
  // A document that another one repeals ("《…》同时废止") is marked so, whatever order they came in.
  const repealed = applyRepeals(documents);
  return { documents: documents.map((d) => (repealed.has(d.meta.docId) ? { ...d, meta: repealed.get(d.meta.docId) as typeof d.meta } : d)), errors };
}

/** Finds a document or throws `unknown_doc` listing the known ids. */
export function requireDocument<T extends { meta: { docId: string } }>(documents: readonly T[], docId: string): T {
  const doc = documents.find((d) => d.meta.docId === docId);
  if (!doc) throw unknownDocError(docId, documents.map((d) => d.meta.docId));
  return doc;
}
