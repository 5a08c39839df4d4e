/**
 * The document library as users change it: add files of any supported format, replace one in
 * place, remove one. Every change is planned first (what is new, what is the same bytes, what
 * replaces what), written to the corpus folder crash-safely (original under `originals/<docId>/`,
 * extracted text as `<docId>.md` beside the other corpus files), then applied to the index by the
 * incremental ingest, all under the single-writer lock. An interrupted change leaves the previous
 * index live; the corpus files it wrote are picked up by the next ingest.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { parseDocumentFile, serializeDocument, type ValidMeta } from '../corpus/document.js';
import { extractDocument, sniffFormat } from '../extract/index.js';
import type { ExtractOptions, ExtractResult } from '../extract/types.js';
import { ERROR_CODES, isKbError, KbError, unknownDocError, type ErrorCode } from '../shared/errors.js';
import { writeFileAtomic } from '../shared/fs-atomic.js';
import type { Logger } from '../shared/logger.js';
import { silentLogger } from '../shared/logger.js';
import { listCorpusFiles, ORIGINALS_FOLDER } from './corpus.js';
import { docIdFor, metaForStatedFields, originalPathFor, prepareExtractedDocument, sanitizeFileName, type DocumentFields } from './extracted-document.js';
import { readManifest } from './index-store.js';
import type { IngestSummary } from './ingest.js';
import { acquireWriteLock } from './write-lock.js';

export interface LibraryDeps {
  corpusDir: string;
  indexDir: string;
  /** Applies the corpus folder to the index (incremental ingest). Called with the write lock held. */
  reindex: () => Promise<IngestSummary>;
  extract?: ExtractOptions;
  /** How long to wait for another writer (a CLI `kb add`, another upload) before `write_locked`. */
  lockWaitMs?: number;
  /** Who holds the lock, for the message another writer sees: `kb add`, `HTTP upload`. */
  owner?: string;
  logger?: Logger;
}

export interface AddInput {
  bytes: Uint8Array;
  fileName: string;
  fields?: DocumentFields;
  /** Replace this document (it must exist); its docId is kept. */
  replace?: string;
}

export type AddOutcome = 'added' | 'replaced' | 'unchanged';

export interface AddReport {
  docId: string;
  file: string;
  title: string;
  format: string;
  /** Pages of a paginated original; 0 when it has none. */
  pages: number;
  passages: number;
  warnings: string[];
  outcome: AddOutcome;
}

export interface AddFailure {
  file: string;
  code: ErrorCode;
  message: string;
}

export interface LibraryChange<T> {
  reports: T[];
  failures: AddFailure[];
  /** The ingest that applied the change (absent when nothing changed). */
  ingest?: IngestSummary;
}

/** A corpus document as the folder holds it. */
export interface CorpusEntry {
  meta: ValidMeta;
  /** The .md/.txt file, relative to the corpus folder. */
  source: string;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Reads every corpus document's metadata (bad files are skipped: ingest reports them). */
export async function readCorpusEntries(corpusDir: string): Promise<CorpusEntry[]> {
  const entries: CorpusEntry[] = [];
  for (const file of await listCorpusFiles(corpusDir)) {
    try {
      const doc = parseDocumentFile(path.relative(corpusDir, file), await readFile(file));
      entries.push({ meta: doc.meta, source: doc.source });
    } catch {
      // Reported by ingest with the file's name and problem.
    }
  }
  return entries;
}

/** A path inside the corpus folder, refusing anything that would leave it. */
function inside(corpusDir: string, relative: string): string {
  const full = path.resolve(corpusDir, relative);
  const rel = path.relative(corpusDir, full);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new KbError(ERROR_CODES.INVALID_INPUT, `path ${relative} is outside the corpus folder`);
  }
  return full;
}

function failureOf(fileName: string, error: unknown): AddFailure {
  if (isKbError(error)) return { file: fileName, code: error.code, message: error.message };
  return { file: fileName, code: ERROR_CODES.INTERNAL, message: `${fileName}: ${(error as Error).message ?? String(error)}` };
}

/** A plain UTF-8 Markdown/text upload keeps its front matter; other formats are extracted. */
function asCorpusDocument(bytes: Uint8Array, fileName: string, extracted: ExtractResult): ValidMeta | undefined {
  if (extracted.format !== 'text') return undefined;
  try {
    const doc = parseDocumentFile(fileName, bytes);
    return /^\uFEFF?---\r?\n/u.test(new TextDecoder().decode(bytes.subarray(0, 8))) ? doc.meta : undefined;
  } catch {
    return undefined;
  }
}

async function withLock<T>(deps: LibraryDeps, run: () => Promise<T>): Promise<T> {
  const lock = await acquireWriteLock(deps.indexDir, { waitMs: deps.lockWaitMs ?? 10_000, owner: deps.owner ?? 'policy-kb' });
  try {
    return await run();
  } finally {
    await lock.release();
  }
}

async function removeFileQuietly(file: string): Promise<void> {
  await rm(file, { force: true });
  // Drop the per-document originals folder once it is empty.
  const dir = path.dirname(file);
  if (path.basename(path.dirname(dir)) === ORIGINALS_FOLDER) {
    try {
      if ((await readdir(dir)).length === 0) await rmdir(dir);
    } catch {
      // Already gone or not empty: nothing to tidy.
    }
  }
}

/** Where a new document's text goes: `<docId>.md`, or the file the document already lives in. */
function markdownPathFor(corpusDir: string, docId: string, old: CorpusEntry | undefined, entries: readonly CorpusEntry[]): string {
  if (old && old.source.endsWith('.md')) return old.source;
  let name = `${docId}.md`;
  for (let n = 2; existsSync(path.join(corpusDir, name)) && !entries.some((e) => e.source === name && e.meta.docId === docId); n++) name = `${docId}-${n}.md`;
  return name;
}

async function addOne(deps: LibraryDeps, input: AddInput, pending: Map<string, AddReport>): Promise<AddReport> {
  const fileName = sanitizeFileName(input.fileName);
  const entries = await readCorpusEntries(deps.corpusDir);
  const hash = sha256(input.bytes);
  const old = input.replace !== undefined ? entries.find((e) => e.meta.docId === input.replace) : undefined;
  if (input.replace !== undefined && !old) throw unknownDocError(input.replace, entries.map((e) => e.meta.docId));
  if (input.replace !== undefined && input.fields?.docId !== undefined && input.fields.docId !== input.replace) {
    throw new KbError(ERROR_CODES.INVALID_INPUT, `docId "${input.fields.docId}" differs from the document being replaced ("${input.replace}"); a replacement keeps its docId`);
  }
  // The same bytes again: nothing to do, say which document holds them.
  const same = entries.find((e) => e.meta.originalSha256 === hash && (input.replace === undefined || e.meta.docId === input.replace));
  if (same) {
    return { docId: same.meta.docId, file: fileName, title: same.meta.title, format: same.meta.format ?? 'markdown', pages: same.meta.pages?.length ?? 0, passages: 0, warnings: [], outcome: 'unchanged' };
  }
  const extracted = await extractDocument(input.bytes, fileName, deps.extract ?? {});
  const fields: DocumentFields = { ...input.fields, ...(input.replace !== undefined ? { docId: input.replace } : {}) };
  const stated = asCorpusDocument(input.bytes, fileName, extracted);
  const docId = fields.docId ?? stated?.docId ?? docIdFor(fileName);
  const target = old ?? entries.find((e) => e.meta.docId === docId);
  const originalFile = originalPathFor(docId, fileName);
  let meta: ValidMeta;
  let body: string;
  if (stated) {
    const doc = parseDocumentFile(fileName, input.bytes);
    const merged = metaForStatedFields({ ...stated, docId }, fields);
    const reparsed = parseDocumentFile(fileName, new TextEncoder().encode(serializeDocument({ ...merged, format: 'markdown', original: originalFile, originalName: fileName, originalSha256: hash }, doc.body)));
    meta = reparsed.meta;
    body = reparsed.body;
  } else {
    const prepared = prepareExtractedDocument({ extracted, fileName, sha256: hash, fields: { ...fields, docId }, originalFile });
    meta = prepared.meta;
    body = prepared.body;
  }
  const mdPath = markdownPathFor(deps.corpusDir, docId, target, entries);
  // Original first, then the text that points at it: a crash in between leaves an unreferenced
  // original, which the next ingest extracts again, never a text pointing at nothing.
  const originalFull = inside(deps.corpusDir, originalFile);
  await mkdir(path.dirname(originalFull), { recursive: true });
  await writeFileAtomic(originalFull, input.bytes);
  await writeFileAtomic(inside(deps.corpusDir, mdPath), serializeDocument(meta, body));
  if (target?.meta.original && target.meta.original !== originalFile) await removeFileQuietly(inside(deps.corpusDir, target.meta.original));
  if (target && target.source !== mdPath) await removeFileQuietly(inside(deps.corpusDir, target.source));
  const report: AddReport = {
    docId,
    file: fileName,
    title: meta.title,
    format: meta.format ?? extracted.format,
    pages: meta.pages?.length ?? 0,
    passages: 0,
    warnings: extracted.warnings,
    outcome: target ? 'replaced' : 'added',
  };
  pending.set(docId, report);
  deps.logger?.info('document written to the corpus', { docId, file: fileName, outcome: report.outcome, format: report.format });
  return report;
}

/** Fills passage counts from the index the change produced. */
async function withPassageCounts(deps: LibraryDeps, reports: AddReport[]): Promise<AddReport[]> {
  const manifest = (await readManifest(deps.indexDir))?.manifest;
  return reports.map((r) => ({ ...r, passages: manifest?.documents[r.docId]?.passages ?? 0 }));
}

/**
 * Adds (or replaces) documents. Each file is checked, extracted and written on its own: a bad
 * file is reported in `failures` (naming it and the problem) and the others still go in. The
 * index is updated once, at the end; when the call returns, the documents are searchable.
 */
export async function addDocuments(deps: LibraryDeps, inputs: readonly AddInput[]): Promise<LibraryChange<AddReport>> {
  return withLock(deps, async () => {
    const reports: AddReport[] = [];
    const failures: AddFailure[] = [];
    const pending = new Map<string, AddReport>();
    for (const input of inputs) {
      try {
        reports.push(await addOne(deps, input, pending));
      } catch (error) {
        failures.push(failureOf(sanitizeFileName(input.fileName), error));
      }
    }
    if (pending.size === 0) return { reports: await withPassageCounts(deps, reports), failures };
    const summary = await deps.reindex();
    const fileProblems = summary.fileErrors.filter((m) => [...pending.keys()].some((id) => m.startsWith(`${id}.md:`)));
    for (const problem of fileProblems) failures.push({ file: problem.split(':', 1)[0] as string, code: ERROR_CODES.CORPUS_FILE_INVALID, message: problem });
    return { reports: await withPassageCounts(deps, reports), failures, ingest: summary };
  });
}

/** Removes a document: its text, its original, and its passages from the index. */
export async function removeDocument(deps: LibraryDeps, docId: string): Promise<LibraryChange<{ docId: string; title: string }>> {
  return withLock(deps, async () => {
    const entries = await readCorpusEntries(deps.corpusDir);
    const entry = entries.find((e) => e.meta.docId === docId);
    if (!entry) throw unknownDocError(docId, entries.map((e) => e.meta.docId));
    await removeFileQuietly(inside(deps.corpusDir, entry.source));
    if (entry.meta.original) await removeFileQuietly(inside(deps.corpusDir, entry.meta.original));
    const summary = await deps.reindex();
    return { reports: [{ docId, title: entry.meta.title }], failures: [], ingest: summary };
  });
}

/** The original file of a document (for download), or undefined when it was added as text. */
export async function readOriginal(corpusDir: string, meta: Pick<ValidMeta, 'original' | 'originalName' | 'format'>): Promise<{ bytes: Buffer; fileName: string } | undefined> {
  if (!meta.original) return undefined;
  try {
    const bytes = await readFile(inside(corpusDir, meta.original));
    return { bytes, fileName: meta.originalName ?? path.basename(meta.original) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const TEXT_EXTENSIONS = new Set(['.md', '.txt']);
/** Names of files people drop in as documents; anything else is picked up only when its content is a known binary format. */
const DOCUMENT_EXTENSIONS = new Set(['.txt', '.pdf', '.docx', '.doc', '.wps', '.html', '.htm', '.shtml', '.xhtml', '.ofd']);

/**
 * Originals dropped into the corpus folder by hand (a PDF, a Word file, a GBK text file) get
 * their extracted text written beside them as `<name>.md`, as `kb add` would; an original whose
 * bytes changed is extracted again, keeping the metadata its text file states. Called by ingest
 * (a writer, under the lock). Returns the files written and the files that could not be read.
 */
export async function syncOriginals(corpusDir: string, extract: ExtractOptions = {}, logger: Logger = silentLogger): Promise<{ written: string[]; errors: KbError[] }> {
  let all;
  try {
    all = await readdir(corpusDir, { withFileTypes: true, recursive: true });
  } catch {
    return { written: [], errors: [] };
  }
  const files = all
    .filter((e) => e.isFile())
    .map((e) => path.relative(corpusDir, path.join(e.parentPath, e.name)))
    .filter((rel) => !rel.split(path.sep).some((part) => part.startsWith('.')) && !/\.tmp-\d+-\d+$/u.test(rel))
    .sort();
  const entries = await readCorpusEntries(corpusDir);
  const byOriginal = new Map(entries.filter((e) => e.meta.original).map((e) => [path.normalize(e.meta.original as string), e]));
  const written: string[] = [];
  const errors: KbError[] = [];
  for (const rel of files) {
    const ext = path.extname(rel).toLowerCase();
    const owner = byOriginal.get(path.normalize(rel));
    if (rel.split(path.sep)[0] === ORIGINALS_FOLDER && !owner) continue; // left over from a removed document
    if (ext === '.md' && !owner) continue;
    let bytes: Buffer;
    try {
      bytes = await readFile(path.join(corpusDir, rel));
    } catch {
      continue;
    }
    if (!owner && !DOCUMENT_EXTENSIONS.has(ext)) {
      // A stray file (import-map.yaml, a picture) is not a document unless its content says so.
      const sniffed = sniffFormat(bytes, path.basename(rel));
      if (sniffed === undefined || sniffed === 'text' || sniffed === 'html') continue;
    }
    const hash = sha256(bytes);
    if (owner && owner.meta.originalSha256 === hash) continue;
    if (!owner && TEXT_EXTENSIONS.has(ext)) {
      // A UTF-8 text file is a corpus document itself; only other encodings need extracting.
      try {
        parseDocumentFile(rel, bytes);
        continue;
      } catch (error) {
        if (!(isKbError(error) && /not valid UTF-8/u.test(error.message))) continue; // ingest reports it
      }
    }
    try {
      const extracted = await extractDocument(bytes, path.basename(rel), extract);
      const stem = rel.slice(0, rel.length - ext.length);
      const fields: DocumentFields = owner
        ? { docId: owner.meta.docId, title: owner.meta.title, issuer: owner.meta.issuer || undefined, status: owner.meta.status, effectiveFrom: owner.meta.effectiveFrom, effectiveTo: owner.meta.effectiveTo, supersededBy: owner.meta.supersededBy, docNumber: owner.meta.docNumber, dateIssued: owner.meta.dateIssued }
        : {};
      const prepared = prepareExtractedDocument({ extracted, fileName: path.basename(rel), sha256: hash, fields, originalFile: rel.split(path.sep).join('/') });
      const mdPath = owner ? owner.source : `${stem}.md`;
      if (!owner && entries.some((e) => e.source === mdPath)) {
        throw new KbError(ERROR_CODES.CORPUS_FILE_INVALID, `${rel}: its extracted text would go to ${mdPath}, which already holds another document; rename one of them`, { details: { file: rel } });
      }
      if (!owner && entries.some((e) => e.meta.docId === prepared.meta.docId)) {
        throw new KbError(ERROR_CODES.CORPUS_FILE_INVALID, `${rel}: docId "${prepared.meta.docId}" is already used by another document; rename the file`, { details: { file: rel } });
      }
      await writeFileAtomic(inside(corpusDir, mdPath), serializeDocument(prepared.meta, prepared.body));
      written.push(mdPath);
      logger.info('original extracted', { file: rel, to: mdPath, format: extracted.format, warnings: extracted.warnings.length });
    } catch (error) {
      errors.push(isKbError(error) ? error : new KbError(ERROR_CODES.DOCUMENT_UNREADABLE, `${rel}: ${(error as Error).message}`, { cause: error, details: { file: rel } }));
    }
  }
  return { written, errors };
}
