/**
 * Reads the corpus folder: every .md/.txt file becomes a parsed, chunked document. A bad file is
 * reported (naming the file and the problem) and skipped; the others still load.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { chunkDocument, type Chunk, type ChunkOptions } from '../../chunking/chunker.js';
import { distinctDocId, parseDocumentFile, type PolicyDocument } from '../../corpus/document.js';
import { parsePolicy, type SectionNode } from '../../corpus/parser.js';
import { describeControlCharacter, findControlCharacter } from '../../shared/control-chars.js';
import { ERROR_CODES, KbError, describeError, unknownDocError } from '../../shared/errors.js';
import { CORPUS_TEXT_EXTENSIONS } from '../../extract/registry.js';

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

/** Where `kb add` and uploads keep originals, one folder per docId (never read as documents). */
export const ORIGINALS_FOLDER = 'originals';

/** Lists corpus files (recursively, skipping dot-folders), sorted for a stable order. */
export async function listCorpusFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (error) {
    throw new KbError(ERROR_CODES.CORPUS_EMPTY, `cannot read corpus folder ${dir}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error, hint: 'set CORPUS_DIR to a folder of .md/.txt files' });
  }
  return entries
    .filter((e) => e.isFile() && CORPUS_TEXT_EXTENSIONS.has(path.extname(e.name).toLowerCase()))
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
  return { ...doc, tree, chunks, contentHash: hashOf(bytes) };
}

/**
 * A corpus file as the *plan* needs it — what was stated and inferred of it, its
 * hash and where it is — without its body, tree or chunks: `readDocument` reads those when the
 * document is written, one at a time, so an ingest's memory does not grow with the corpus.
 */
export interface ScannedDocument {
  meta: PolicyDocument['meta'];
  /** Relative path in the corpus folder (messages, `source` of the stored document). */
  source: string;
  /** Absolute path, for `readDocument`. */
  file: string;
  /** sha256 of the file bytes. */
  contentHash: string;
  /** File size in bytes (progress estimates). */
  bytes: number;
}

export interface CorpusScan {
  documents: ScannedDocument[];
  errors: KbError[];
}

/**
 * A metadata string holding a control character (YAML escapes such as "\0" let one in) would be
 * refused by PostgreSQL and break every later write: the file is reported and skipped instead.
 */
function refuseControlCharacters(name: string, meta: PolicyDocument['meta']): void {
  const found = findControlCharacter(meta);
  if (found) throw new KbError(ERROR_CODES.CORPUS_FILE_INVALID, `${name}: invalid front matter: ${describeControlCharacter(found)}; remove it`, { details: { file: name } });
}

function asCorpusError(name: string, error: unknown): KbError {
  return error instanceof KbError ? error : new KbError(ERROR_CODES.CORPUS_FILE_INVALID, `${name}: ${(error as Error).message}`, { cause: error });
}

function hashOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * What reading one corpus file gave, kept while the file stays the same file (inode, size, mtime
 * and ctime to the nanosecond; a crash-safe write renames a new inode into place): every write
 * plans against the whole corpus (the library's entries, the originals, the scan), and reading,
 * hashing and parsing 3,428 files for each upload cost seconds. Per corpus folder; a file no
 * longer listed is forgotten at the next listing.
 */
interface FileFacts {
  hash: string;
  bytes: number;
  /** The parse's metadata (in strings of their own) and whether the file names its docId, or why it failed. */
  parsed?: { meta: PolicyDocument['meta']; namedId: boolean } | KbError;
}
const remembered = new Map<string, Map<string, { signature: string; facts: FileFacts }>>();

async function signatureOf(file: string): Promise<string | undefined> {
  try {
    const s = await stat(file, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return undefined;
  }
}

/** Reads of a file under way, by folder and name: two listings at once (a server priming its memory, an upload) read a file once. */
const reading = new Map<string, { signature: string; facts: Promise<FileFacts> }>();

/** The facts of `file` (its bytes read, hashed and, with `parse`, parsed as corpus file `name`), from memory while it is unchanged. */
async function factsOf(dir: string, file: string, name: string, parse: boolean): Promise<FileFacts> {
  let folder = remembered.get(dir);
  if (!folder) remembered.set(dir, (folder = new Map()));
  const signature = await signatureOf(file);
  const known = signature === undefined ? undefined : folder.get(name);
  if (known && known.signature === signature && (known.facts.parsed !== undefined || !parse)) return known.facts;
  const key = `${dir}\u0000${name}`;
  const inFlight = reading.get(key);
  if (inFlight && signature !== undefined && inFlight.signature === signature) {
    const facts = await inFlight.facts;
    if (facts.parsed !== undefined || !parse) return facts;
  }
  const facts = readFacts(folder, file, name, parse, signature);
  if (signature === undefined) return facts;
  const entry = { signature, facts };
  reading.set(key, entry);
  try {
    return await facts;
  } finally {
    if (reading.get(key) === entry) reading.delete(key);
  }
}

async function readFacts(folder: Map<string, { signature: string; facts: FileFacts }>, file: string, name: string, parse: boolean, signature: string | undefined): Promise<FileFacts> {
  const bytes = await readFile(file);
  const facts: FileFacts = { hash: hashOf(bytes), bytes: bytes.length };
  if (parse) {
    try {
      const doc = parseDocumentFile(name, bytes);
      // V8 keeps a substring (13+ characters: a title taken from the YAML or the first line, an
      // inferred fact, a repeal's sentence) as a slice that points at the string it was cut from,
      // so keeping them would keep each file's whole decoded text alive (~450 MB of text at 1M
      // passages). A JSON round trip copies what is kept into strings of their own.
      facts.parsed = { meta: JSON.parse(JSON.stringify(doc.meta)) as PolicyDocument['meta'], namedId: typeof doc.stated?.docId === 'string' };
    } catch (error) {
      facts.parsed = asCorpusError(name, error);
    }
  }
  // Only what was read from a file that did not change while it was read is remembered.
  if (signature !== undefined && signature === (await signatureOf(file))) folder.set(name, { signature, facts });
  return facts;
}

/**
 * Files stat'ed (and read when changed) this many at a time when a whole folder is listed: every
 * write lists the corpus twice, and one `stat` after another cost ~0.2 s per listing at 3,428 files
 * (about half of that 16 at a time; the file system work runs on libuv's threads).
 */
const LISTING_CONCURRENCY = 16;

/** `factsOf` for every file of a listing, in the listing's order; a file that failed holds its error. */
async function factsOfAll(dir: string, files: readonly string[], parse: boolean): Promise<(FileFacts | { failed: unknown })[]> {
  const out = new Array<FileFacts | { failed: unknown }>(files.length);
  let next = 0;
  const work = async (): Promise<void> => {
    while (next < files.length) {
      const i = next;
      next += 1;
      const file = files[i] as string;
      try {
        out[i] = await factsOf(dir, file, path.relative(dir, file), parse);
      } catch (error) {
        out[i] = { failed: error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(LISTING_CONCURRENCY, files.length) }, work));
  return out;
}

/**
 * Reads and remembers what every corpus file holds (the first write of a server over a library
 * would otherwise parse all of them: ~3 s at 3,428 documents). A server calls it once its index is
 * loaded; a write meanwhile shares the reads.
 */
export async function primeCorpusMemory(dir: string): Promise<number> {
  return (await listCorpusDocuments(dir)).length;
}

/** Forgets remembered files of `dir` that `names` no longer lists. */
function forgetOthers(dir: string, names: ReadonlySet<string>): void {
  const folder = remembered.get(dir);
  if (folder) for (const name of folder.keys()) if (!names.has(name)) folder.delete(name);
}

/** sha256 of a file in the corpus folder `dir` (an original), from memory while it is unchanged. */
export async function hashCorpusFile(dir: string, relative: string): Promise<string> {
  // Kept apart from the listed documents (which each listing prunes to what it lists).
  return (await factsOf(`${dir}\u0000originals`, path.join(dir, relative), relative, false)).hash;
}

/**
 * Every corpus document's metadata as parsed (no repeals across the collection applied), its
 * content hash and path, for planning a library change; a file that fails to parse is left out
 * (ingest reports it).
 */
export async function listCorpusDocuments(dir: string): Promise<{ meta: PolicyDocument['meta']; source: string; contentHash: string }[]> {
  const out: { meta: PolicyDocument['meta']; source: string; contentHash: string }[] = [];
  const files = await listCorpusFiles(dir);
  const names = new Set(files.map((file) => path.relative(dir, file)));
  const all = await factsOfAll(dir, files, true);
  files.forEach((file, i) => {
    const facts = all[i] as FileFacts | { failed: unknown };
    // A file gone meanwhile is not a document any more.
    if ('failed' in facts) return;
    if (facts.parsed && !(facts.parsed instanceof KbError)) out.push({ meta: facts.parsed.meta, source: path.relative(dir, file), contentHash: facts.hash });
  });
  forgetOthers(dir, names);
  return out;
}

/**
 * The first pass: reads, hashes and parses every corpus file, keeping only metadata (with what
 * each text repeals), hash and path. A bad file is reported and skipped; two files
 * with one docId keep the first (in path order) and report the second.
 */
export async function scanCorpus(dir: string): Promise<CorpusScan> {
  const files = await listCorpusFiles(dir);
  type Scanned = { doc: ScannedDocument; namedId: boolean };
  // Markdown first: a .txt that a document names as its `original` was extracted, not read as is.
  const markdown = new Map<string, Scanned | KbError>();
  const names = new Set(files.map((file) => path.relative(dir, file)));
  forgetOthers(dir, names);
  // Every file's facts at once (listCorpusDocuments read the same ones before: from memory, bar what changed).
  const all = await factsOfAll(dir, files, true);
  const factsAt = new Map(files.map((file, i) => [file, all[i] as FileFacts | { failed: unknown }] as const));
  const scanOne = async (file: string, name: string): Promise<Scanned> => {
    // Every file scanned is one of `files`: read above.
    const facts = factsAt.get(file) as FileFacts | { failed: unknown };
    if ('failed' in facts) throw facts.failed;
    if (facts.parsed instanceof KbError) throw facts.parsed;
    const kept = facts.parsed as { meta: PolicyDocument['meta']; namedId: boolean };
    refuseControlCharacters(name, kept.meta);
    // A copy: the scan may give the document another docId, and the remembered facts must not change.
    return { doc: { meta: { ...kept.meta }, source: name, file, contentHash: facts.hash, bytes: facts.bytes }, namedId: kept.namedId };
  };
  for (const file of files) {
    const name = path.relative(dir, file);
    if (!name.toLowerCase().endsWith('.md')) continue;
    try {
      markdown.set(name, await scanOne(file, name));
    } catch (error) {
      markdown.set(name, asCorpusError(name, error));
    }
  }
  const originals = new Set([...markdown.values()].flatMap((d) => (d instanceof KbError || !d.doc.meta.original ? [] : [path.normalize(d.doc.meta.original)])));
  const scanned: Scanned[] = [];
  const errors: KbError[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const name = path.relative(dir, file);
    if (originals.has(path.normalize(name))) continue;
    try {
      const known = markdown.get(name);
      if (known instanceof KbError) throw known;
      const one = known ?? (await scanOne(file, name));
      let previous = seen.get(one.doc.meta.docId);
      // Two names that read alike ("甲、乙" and "甲 乙") give one readable id: the later file's ends in a hash of its name.
      if (previous !== undefined && !one.namedId && !seen.has(distinctDocId(path.basename(name)))) {
        one.doc.meta = { ...one.doc.meta, docId: distinctDocId(path.basename(name)) };
        previous = undefined;
      }
      if (previous !== undefined) {
        throw new KbError(ERROR_CODES.CORPUS_FILE_INVALID, `${name}: docId "${one.doc.meta.docId}" is already used by ${previous}; give one of them another docId`, { details: { file: name } });
      }
      seen.set(one.doc.meta.docId, name);
      scanned.push(one);
    } catch (error) {
      errors.push(asCorpusError(name, error));
    }
  }
  // Repeals across documents ("《…》同时废止", kept in each repealer's `repeals`) are settled when the
  // library is read (corpus/lineage.ts), so that no write has to change a second document.
  return { documents: scanned.map(({ doc }) => doc), errors };
}

/**
 * The second pass for one document: reads its file again, parses and chunks it, with the metadata
 * the scan settled. A file that changed (or went away) since the scan is refused
 * with a `CORPUS_FILE_INVALID` error marked `changedSinceScan` (see `isChangedSinceScan`): its hash
 * and metadata would no longer be the ones the plan compared. Ingest skips such a document.
 */
export async function readDocument(scanned: ScannedDocument, options: ChunkOptions = {}): Promise<LoadedDocument> {
  let bytes: Buffer;
  try {
    bytes = await readFile(scanned.file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? describeError(error);
    throw changedError(scanned.source, code === 'ENOENT' ? 'was removed' : `could not be read again (${code})`, error);
  }
  if (hashOf(bytes) !== scanned.contentHash) throw changedError(scanned.source, 'changed');
  const doc = parseDocumentFile(scanned.source, bytes);
  return prepareDocument({ ...doc, meta: scanned.meta }, bytes, options);
}

function changedError(source: string, what: string, cause?: unknown): KbError {
  return new KbError(ERROR_CODES.CORPUS_FILE_INVALID, `${source}: ${what} while it was being ingested; it keeps its stored version — run the ingest again to pick up the change`, {
    ...(cause === undefined ? {} : { cause }),
    details: { file: source, changedSinceScan: true },
  });
}

/** Whether `readDocument` refused a file because it changed or went away after the scan. */
export function isChangedSinceScan(error: unknown): error is KbError {
  return error instanceof KbError && error.details?.changedSinceScan === true;
}

/** Every document read, parsed and chunked (for tools and small corpora; ingest streams with scanCorpus + readDocument). */
export async function loadCorpus(dir: string, options: ChunkOptions = {}): Promise<CorpusLoad> {
  const { documents, errors } = await scanCorpus(dir);
  const loaded: LoadedDocument[] = [];
  for (const doc of documents) {
    try {
      loaded.push(await readDocument(doc, options));
    } catch (error) {
      errors.push(asCorpusError(doc.source, error));
    }
  }
  return { documents: loaded, errors };
}

/** Finds a document or throws `unknown_doc` listing the known ids. */
export function requireDocument<T extends { meta: { docId: string } }>(documents: readonly T[], docId: string): T {
  const doc = documents.find((d) => d.meta.docId === docId);
  if (!doc) throw unknownDocError(docId, documents.map((d) => d.meta.docId));
  return doc;
}
