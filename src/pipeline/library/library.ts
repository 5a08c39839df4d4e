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
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocumentFile, serializeDocument, STATEABLE_FIELDS, type PolicyMeta, type ValidMeta } from '../../corpus/document.js';
import { extractDocument } from '../../extract/index.js';
import type { ExtractOptions, ExtractResult } from '../../extract/types.js';
import { describeControlCharacter, findControlCharacter } from '../../shared/control-chars.js';
import { describeError, ERROR_CODES, isKbError, KbError, unknownDocError, type ErrorCode } from '../../shared/errors.js';
import { storageErrorOf } from '../../shared/fs-errors.js';
import { writeFileAtomic } from '../../shared/fs-atomic.js';
import type { Logger } from '../../shared/logger.js';
import { silentLogger } from '../../shared/logger.js';
import { listCorpusDocuments } from './corpus.js';
import { CorpusUndo, removeFileQuietly } from './corpus-undo.js';
import { docIdFor, metaForStatedFields, originalPathFor, prepareExtractedDocument, sanitizeFileName, type DocumentFields } from './extracted-document.js';
import { manifestPassageCounts, readManifest } from '../../storage/file/index-store.js';
import type { IngestSummary } from '../ingest/summary.js';
import { assertPassageLimit, type PassageLimit } from './upload-limits.js';
import { acquireWriteLock } from '../../storage/file/write-lock.js';

export interface LibraryDeps {
  corpusDir: string;
  /** The embedded index's folder: its lock file and manifest, unless `lock` and `passageCounts` are given. */
  indexDir: string;
  /** The backend's single-writer lock (default: the lock file in `indexDir`). */
  lock?: (options: { waitMs?: number; owner?: string }) => Promise<{ release(): Promise<void> }>;
  /** Passages stored per document after a change (default: the manifest in `indexDir`). */
  passageCounts?: () => Promise<Map<string, number>>;
  /**
   * The content hash the index holds for each document (default: the manifest in `indexDir`): a
   * file whose text the index does not hold yet was left by an interrupted write, which the same
   * upload completes instead of answering `unchanged`.
   */
  indexedHashes?: () => Promise<Map<string, string>>;
  /** Applies the corpus folder to the index (incremental ingest). Called with the write lock held. */
  reindex: () => Promise<IngestSummary>;
  extract?: ExtractOptions;
  /** How long to wait for another writer (a CLI `kb add`, another upload) before `write_locked`. */
  lockWaitMs?: number;
  /** Who holds the lock, for the message another writer sees: `kb add`, `HTTP upload`. */
  owner?: string;
  logger?: Logger;
  /** Refuses a document that would make more passages than this (MAX_PASSAGES). */
  passageLimit?: PassageLimit;
}

export interface AddInput {
  bytes: Uint8Array;
  fileName: string;
  fields?: DocumentFields;
  /** Replace this document (it must exist); its docId is kept. */
  replace?: string;
  /**
   * `upsert` (default, `kb add`): a new version of a file already added (same name, or the docId
   * given) replaces it. `add` (HTTP POST): never replaces — a docId someone named that exists is
   * refused (`doc_exists`), a derived one that exists gets a fresh id.
   */
  mode?: 'add' | 'upsert';
  /**
   * Add these bytes even when another document already holds the same (default false: that is
   * refused with `duplicate_document`, naming the document; the same file sent again under its own
   * name with nothing stated is `unchanged`).
   */
  allowDuplicate?: boolean;
  /**
   * Aborted when the caller no longer waits (an HTTP client that went away): extraction stops, and
   * nothing is written for a file whose turn had not come (`aborted` failure).
   */
  signal?: AbortSignal;
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
  /** sha256 of the document's corpus text: the index holds this version once its hash is this. */
  contentHash: string;
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
  /** sha256 of that file, as ingest records it. */
  contentHash: string;
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Every corpus document's metadata (bad files are skipped: ingest reports them). */
export async function readCorpusEntries(corpusDir: string): Promise<CorpusEntry[]> {
  return listCorpusDocuments(corpusDir);
}

/** A path inside the corpus folder, refusing anything that would leave it. */
export function inside(corpusDir: string, relative: string): string {
  const full = path.resolve(corpusDir, relative);
  const rel = path.relative(corpusDir, full);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new KbError(ERROR_CODES.INVALID_INPUT, `path ${relative} is outside the corpus folder`);
  }
  return full;
}

function failureOf(fileName: string, error: unknown, logger: Logger): AddFailure {
  if (isKbError(error)) return { file: fileName, code: error.code, message: error.message };
  // A full disk or a read-only corpus folder: said as such (507 / 503), with what to do.
  const storage = storageErrorOf(error, 'the corpus folder');
  if (storage) {
    logger.warn('a document could not be written to the corpus', { file: fileName, error: describeError(error) });
    return { file: fileName, code: storage.code, message: `${fileName}: ${storage.message}` };
  }
  // Unexpected (a full disk, a permission): the log gets the details, the caller no paths.
  logger.error('adding a document failed', { file: fileName, error: (error as Error).message ?? String(error) });
  return { file: fileName, code: ERROR_CODES.INTERNAL, message: `${fileName}: could not be stored (internal error; the server log has details)` };
}

/**
 * Metadata strings are one line of text: a control character in one (a NUL cannot even be stored in
 * PostgreSQL) is refused before anything is written, naming the field.
 */
function refuseControlCharacters(fileName: string, metadata: object): void {
  const found = findControlCharacter(metadata);
  if (found) throw new KbError(ERROR_CODES.INVALID_INPUT, `${fileName}: ${describeControlCharacter(found)}; remove it and send the file again`, { details: { file: fileName, field: found.field } });
}

/**
 * A plain UTF-8 Markdown/text upload keeps its own front matter (as written); other formats are extracted.
 * Front matter that does not parse is refused naming the file (never read as text titled "---").
 */
function ownFrontMatterOf(bytes: Uint8Array, fileName: string, extracted: ExtractResult): Record<string, unknown> | undefined {
  if (extracted.format !== 'text' || !/^\uFEFF?---\r?\n/u.test(new TextDecoder().decode(bytes.subarray(0, 8)))) return undefined;
  return parseDocumentFile(fileName, bytes).stated;
}

async function withLock<T>(deps: LibraryDeps, run: () => Promise<T>): Promise<T> {
  const options = { waitMs: deps.lockWaitMs ?? 10_000, owner: deps.owner ?? 'policy-kb' };
  const lock = deps.lock ? await deps.lock(options) : await acquireWriteLock(deps.indexDir, options);
  try {
    return await run();
  } finally {
    await lock.release();
  }
}

/** Where a new document's text goes: `<docId>.md`, or the file the document already lives in. */
function markdownPathFor(corpusDir: string, docId: string, old: CorpusEntry | undefined, entries: readonly CorpusEntry[]): string {
  if (old && old.source.endsWith('.md')) return old.source;
  let name = `${docId}.md`;
  for (let n = 2; existsSync(path.join(corpusDir, name)) && !entries.some((e) => e.source === name && e.meta.docId === docId); n++) name = `${docId}-${n}.md`;
  return name;
}

/** The stated fields with a value (empty strings from forms count as not stated). */
function statedOnly(fields: DocumentFields | undefined): DocumentFields {
  return Object.fromEntries(Object.entries(fields ?? {}).filter(([, v]) => v !== undefined && v !== '')) as DocumentFields;
}

/** `id`, or `id-2`, `id-3`… — the first that no document uses. */
function freeDocId(id: string, taken: ReadonlySet<string>): string {
  if (!taken.has(id)) return id;
  for (let n = 2; ; n++) {
    const candidate = `${id.slice(0, 60)}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

interface Pending {
  report: AddReport;
  /** The corpus file its text went to (ingest reports problems by it). */
  source: string;
  /** How to put the corpus back if the index step fails. */
  undo: CorpusUndo;
}

/** What one batch works from: the corpus as the batch leaves it, and what the index holds. */
interface BatchState {
  entries: CorpusEntry[];
  /** docId → content hash the index holds. */
  indexed: Map<string, string>;
  pending: Map<string, Pending>;
}

function duplicateError(fileName: string, holder: CorpusEntry): KbError {
  const { docId, title, originalName } = holder.meta;
  const as = originalName ? `, added as "${originalName}"` : '';
  return new KbError(
    ERROR_CODES.DUPLICATE_DOCUMENT,
    `${fileName}: the library already holds these exact bytes as 《${title}》 (docId ${docId}${as}); nothing was added. To add a second copy anyway send allowDuplicate=true (kb add --allow-duplicate); to change its metadata replace it (PUT /api/documents/${docId})`,
    { details: { file: fileName, docId, title } },
  );
}

/** The report of a document whose text is already in the corpus (an unchanged file, or one an interrupted write left). */
function reportOf(entry: CorpusEntry, fileName: string, outcome: AddOutcome): AddReport {
  const { meta } = entry;
  return { docId: meta.docId, file: fileName, title: meta.title, format: meta.format ?? 'markdown', pages: meta.pages?.length ?? 0, passages: 0, warnings: [], outcome, contentHash: entry.contentHash };
}

/**
 * Adds one file. `entries` is the corpus as this batch left it: read once per batch, and kept up to
 * date here after each write (the lock keeps every other writer out meanwhile).
 */
async function addOne(deps: LibraryDeps, input: AddInput, batch: BatchState): Promise<AddReport> {
  const { entries, indexed, pending } = batch;
  const fileName = sanitizeFileName(input.fileName);
  const fields = statedOnly(input.fields);
  refuseControlCharacters(fileName, fields);
  if (fields.docId !== undefined) docIdFor(fileName, fields.docId); // refuses a bad docId before anything else
  const taken = new Set(entries.map((e) => e.meta.docId));
  let target: CorpusEntry | undefined;
  if (input.replace !== undefined) {
    target = entries.find((e) => e.meta.docId === input.replace);
    if (!target) throw unknownDocError(input.replace, [...taken].sort());
    if (fields.docId !== undefined && fields.docId !== input.replace) {
      throw new KbError(ERROR_CODES.INVALID_INPUT, `docId "${fields.docId}" differs from the document being replaced ("${input.replace}"); a replacement keeps its docId`);
    }
  }
  const hash = sha256(input.bytes);
  const holders = entries.filter((e) => e.meta.originalSha256 === hash);
  const holder = holders.find((e) => e.meta.docId === input.replace) ?? holders[0];
  const nothingStated = Object.keys(fields).length === 0;
  // The index does not hold the holder's text yet: a write of these bytes was interrupted after the
  // corpus files and before the index (a killed process). This one completes it, under its docId.
  const interrupted = holder !== undefined && indexed.get(holder.meta.docId) !== holder.contentHash && (fields.docId ?? input.replace ?? holder.meta.docId) === holder.meta.docId;
  if (interrupted) target ??= holder;
  const sameFile = holder !== undefined && (input.replace !== undefined ? holder.meta.docId === input.replace : interrupted || holder.meta.originalName === fileName);
  if (holder && nothingStated && sameFile) {
    // The same file again with nothing new stated: `unchanged` only when the index holds it.
    if (!interrupted) return reportOf(holder, fileName, 'unchanged');
    const report = reportOf(holder, fileName, indexed.has(holder.meta.docId) ? 'replaced' : 'added');
    pending.set(holder.meta.docId, { report, source: holder.source, undo: new CorpusUndo() });
    deps.logger?.info('completing an interrupted write: the corpus holds the document, the index does not yet', { docId: holder.meta.docId, file: fileName });
    return report;
  }
  input.signal?.throwIfAborted();
  const extracted = await extractDocument(input.bytes, fileName, { ...deps.extract, ...(input.signal ? { signal: input.signal } : {}) });
  const ownFrontMatter = ownFrontMatterOf(input.bytes, fileName, extracted);
  const ownDocId = typeof ownFrontMatter?.docId === 'string' ? ownFrontMatter.docId : undefined;
  let docId = target?.meta.docId ?? fields.docId ?? ownDocId ?? docIdFor(fileName);
  if (!target && taken.has(docId)) {
    const existing = entries.find((e) => e.meta.docId === docId) as CorpusEntry;
    // A docId someone named, or a new version of the same file, replaces; another file whose name
    // happens to map to the same id gets an id of its own instead of overwriting it.
    const named = fields.docId !== undefined || ownDocId !== undefined;
    if (input.mode === 'add') {
      if (named) throw new KbError(ERROR_CODES.DOC_EXISTS, `docId "${docId}" is already used by 《${existing.meta.title}》; adding never replaces a document: replace it (PUT /api/documents/${docId}) or choose another docId`, { details: { docId } });
      docId = freeDocId(docId, taken);
    } else if (named || existing.meta.originalName === fileName) target = existing;
    else docId = freeDocId(docId, taken);
  }
  // The same bytes as another document: a second copy only when asked for.
  if (holder && holder.meta.docId !== docId && !input.allowDuplicate) throw duplicateError(fileName, holder);
  const originalFile = originalPathFor(docId, fileName);
  let text: string;
  if (ownFrontMatter) {
    const doc = parseDocumentFile(fileName, input.bytes);
    const statedKeys = STATEABLE_FIELDS.filter((k) => (ownFrontMatter[k] !== undefined && ownFrontMatter[k] !== '') || fields[k as keyof DocumentFields] !== undefined);
    const merged = metaForStatedFields({ ...ownFrontMatter, docId } as PolicyMeta, { ...fields, docId });
    text = serializeDocument({ ...merged, format: 'markdown', original: originalFile, originalName: fileName, originalSha256: hash, ...(statedKeys.length > 0 ? { statedFields: statedKeys } : {}) }, doc.body);
  } else {
    const prepared = prepareExtractedDocument({ extracted, fileName, sha256: hash, fields: { ...fields, docId }, originalFile });
    text = serializeDocument(prepared.meta, prepared.body);
  }
  // Read back as every later load will (what the text says of itself is inferred there): a document
  // that would not load is refused now, before anything is written.
  const mdPath = markdownPathFor(deps.corpusDir, docId, target, entries);
  const parsed = parseDocumentFile(mdPath, new TextEncoder().encode(text));
  if (deps.passageLimit) assertPassageLimit(parsed, fileName, deps.passageLimit);
  const meta = parsed.meta;
  // What the file says of itself is cleaned on extraction; an uploaded Markdown file's own front matter is its author's.
  refuseControlCharacters(fileName, meta);
  // Original first, then the text that points at it. A crash in between leaves an original nothing
  // points at, which the next ingest removes (it only ever holds what a write put there).
  const originalFull = inside(deps.corpusDir, originalFile);
  const mdFull = inside(deps.corpusDir, mdPath);
  const oldOriginal = target?.meta.original && target.meta.original !== originalFile ? inside(deps.corpusDir, target.meta.original) : undefined;
  const oldText = target && target.source !== mdPath ? inside(deps.corpusDir, target.source) : undefined;
  const undo = new CorpusUndo();
  for (const file of [originalFull, mdFull, oldOriginal, oldText]) if (file) await undo.remember(file);
  // A client that went away before its file was written: nothing is written for it.
  input.signal?.throwIfAborted();
  try {
    await undo.makeDirectory(path.dirname(originalFull));
    await writeFileAtomic(originalFull, input.bytes);
    await writeFileAtomic(mdFull, text);
    if (oldOriginal) await removeFileQuietly(oldOriginal);
    if (oldText) await removeFileQuietly(oldText);
  } catch (error) {
    await undo.undo().catch((e: unknown) => deps.logger?.warn('a failed corpus write was not undone', { file: fileName, reason: (e as Error).message }));
    throw error;
  }
  const contentHash = sha256(new TextEncoder().encode(text));
  if (target) entries.splice(entries.indexOf(target), 1);
  entries.push({ meta, source: mdPath, contentHash });
  const report: AddReport = {
    docId,
    file: fileName,
    title: meta.title,
    format: meta.format ?? extracted.format,
    pages: meta.pages?.length ?? 0,
    passages: 0,
    warnings: extracted.warnings,
    outcome: target && indexed.has(target.meta.docId) ? 'replaced' : 'added',
    contentHash,
  };
  pending.set(docId, { report, source: mdPath, undo });
  deps.logger?.info('document written to the corpus', { docId, file: fileName, outcome: report.outcome, format: report.format });
  return report;
}

/** Fills passage counts from the index the change produced. */
async function withPassageCounts(deps: LibraryDeps, reports: AddReport[]): Promise<AddReport[]> {
  const counts = await (deps.passageCounts ?? (() => manifestPassageCounts(deps.indexDir)))();
  return reports.map((r) => ({ ...r, passages: counts.get(r.docId) ?? 0 }));
}

/**
 * Adds (or replaces) documents. Each file is checked, extracted and written on its own: a bad
 * file is reported in `failures` (naming it and the problem) and the others still go in. The
 * index is updated once, at the end; when the call returns, the documents are searchable.
 */
export async function addDocuments(deps: LibraryDeps, inputs: readonly AddInput[]): Promise<LibraryChange<AddReport>> {
  return withLock(deps, async () => {
    const logger = deps.logger ?? silentLogger;
    let reports: AddReport[] = [];
    const failures: AddFailure[] = [];
    const batch: BatchState = { entries: await readCorpusEntries(deps.corpusDir), indexed: await indexedHashesOf(deps), pending: new Map() };
    for (const input of inputs) {
      try {
        reports.push(await addOne(deps, input, batch));
      } catch (error) {
        const file = sanitizeFileName(input.fileName);
        if (input.signal?.aborted && !isKbError(error)) {
          // The caller went away before the file was written: nothing of it is in the corpus.
          logger.info('document not added: the request was cancelled', { file });
          failures.push({ file, code: ERROR_CODES.INVALID_INPUT, message: `${file}: not added: the request was cancelled before the file was written` });
        } else failures.push(failureOf(file, error, logger));
      }
    }
    const pending = [...batch.pending.values()];
    if (pending.length === 0) return { reports: await withPassageCounts(deps, reports), failures };
    const summary = await reindexOrUndo(deps, pending.map((p) => p.undo));
    // A document the index step refused (its file failed to load) leaves the corpus as it was.
    const refused = new Set<AddReport>();
    for (const { source, report, undo } of pending) {
      const problem = summary.fileErrors.find((m) => m.startsWith(`${source}:`));
      if (!problem) continue;
      failures.push({ file: report.file, code: ERROR_CODES.CORPUS_FILE_INVALID, message: problem });
      refused.add(report);
      await undo.undo().catch((e: unknown) => logger.warn('the corpus files of a refused document were not removed', { file: report.file, reason: describeError(e) }));
    }
    reports = reports.filter((r) => !refused.has(r));
    return { reports: await withPassageCounts(deps, reports), failures, ingest: summary };
  });
}

/** What the index holds of each document (content hash), for telling an interrupted write from a finished one. */
async function indexedHashesOf(deps: LibraryDeps): Promise<Map<string, string>> {
  if (deps.indexedHashes) return deps.indexedHashes();
  const manifest = (await readManifest(deps.indexDir).catch(() => undefined))?.manifest;
  return new Map(Object.entries(manifest?.documents ?? {}).map(([id, d]) => [id, d.hash] as const));
}

/**
 * Applies the corpus to the index; when that fails, the corpus change is undone first (the error
 * is what the caller sees), so the next write does not meet the same document again.
 */
async function reindexOrUndo(deps: LibraryDeps, undos: readonly CorpusUndo[]): Promise<IngestSummary> {
  try {
    return await deps.reindex();
  } catch (error) {
    for (const undo of [...undos].reverse()) {
      await undo.undo().catch((e: unknown) => (deps.logger ?? silentLogger).warn('the corpus change of a failed write was not undone; the next ingest applies it', { reason: describeError(e) }));
    }
    throw storageErrorOf(error, 'the index') ?? error;
  }
}

/** Removes a document: its text, its original, and its passages from the index. */
export async function removeDocument(deps: LibraryDeps, docId: string): Promise<LibraryChange<{ docId: string; title: string }>> {
  return withLock(deps, async () => {
    const entries = await readCorpusEntries(deps.corpusDir);
    const entry = entries.find((e) => e.meta.docId === docId);
    if (!entry) throw unknownDocError(docId, entries.map((e) => e.meta.docId));
    // The original first: a crash in between leaves a text whose original is gone (still loadable),
    // never an original without its text (which the next ingest would extract back in).
    const files = [entry.meta.original, entry.source].filter((f): f is string => f !== undefined).map((f) => inside(deps.corpusDir, f));
    const undo = new CorpusUndo();
    try {
      for (const file of files) await undo.remember(file);
      for (const file of files) await removeFileQuietly(file);
    } catch (error) {
      await undo.undo().catch(() => undefined);
      throw storageErrorOf(error, 'the corpus folder') ?? error;
    }
    const summary = await reindexOrUndo(deps, [undo]);
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
