/**
 * The index on disk. A full build is a complete folder `<indexDir>/index/v-…/`; a later write adds a
 * delta segment (index-segments.ts) in a folder of its own, whose manifest names the full build it
 * applies to and every segment since (`chain`). The file `<indexDir>/index/CURRENT` names the live
 * version and is replaced atomically (write temp, fsync, rename), so a crash at any moment leaves
 * the previous index loadable. Folders the live version does not use are removed by the next
 * writer; a full snapshot of the live state (a merge, index-compaction.ts) takes the segments' place.
 *
 * Loading verifies format version, checksums, model id + dimension and chunker settings, and
 * refuses a mismatch with a message that says what to run.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { CHUNKER_VERSION } from '../../chunking/chunker.js';
import { DenseIndex, type HnswParams } from '../../embeddings/dense-index.js';
import type { ModelProfile } from '../../embeddings/profiles.js';
import { ANALYZER_VERSION } from '../../lexical/analyzer.js';
import { Bm25Index } from './bm25.js';
import { assembleIndex, type IndexedDocument, type KnowledgeIndex, type PassageRecord } from './knowledge-index.js';
import { ERROR_CODES, KbError, describeError } from '../../shared/errors.js';
import { fsyncDir, writeFileAtomic, writeFileDurable } from '../../shared/fs-atomic.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import { DOCUMENTS_FILE, DocumentsFileWriter, readDocumentsFile } from './documents-file.js';
import { applySegments, canExtend, markState, renamed, stateOf } from './index-chain.js';
import { readSegment, writeSegmentFiles, type SegmentRef } from './index-segments.js';
import { decodePassages, encodePassages } from './passage-store.js';
import { INGEST_HINT, REBUILD_HINT, readFileVerified, sizeError, syncAndHashFile, writeFileHashed, type FileDigest } from './snapshot-io.js';

/**
 * 4: a version may be a full build plus delta segments (`chain`), and says which state it holds
 * (`state`); 3: documents.bin (one binary record per document, see documents-file.ts) instead of
 * one JSON documents.json; 2: binary passages.bin (Int32 columns + interned strings, no passage
 * text, no terms) and bm25.bin (typed-array postings); 1 stored both as JSON. A format 3 index is
 * read as a full build (its files are the same).
 */
export const INDEX_FORMAT_VERSION = 4;
const READABLE_FORMATS = new Set([3, INDEX_FORMAT_VERSION]);

export interface IndexManifest {
  formatVersion: number;
  createdAt: string;
  model: { id: string; dimension: number; pooling: string; queryPrefix: string; passagePrefix: string; buildVersion?: number };
  chunker: { version: number; maxChars: number; minChars: number };
  analyzerVersion: number;
  hnsw: { space: 'cosine'; M: number; efConstruction: number; nextLabel: number; deleted: number };
  documents: Record<string, { hash: string; source: string; passages: number }>;
  counts: { documents: number; passages: number };
  /** This folder's own files: the five of a full build; none for a version made of a build and segments. */
  files: Record<string, { bytes: number; sha256: string }>;
  /**
   * The documents' state this version holds: the folder name of a full build made from the corpus,
   * the state a merge wrote out, or the folder of the last segment of `chain` (format 4).
   */
  state?: string;
  /** A version made of the full build in folder `base` (holding `baseState`) and `segments`, applied in order. */
  chain?: { base: string; baseState: string; segments: SegmentRef[] };
}

/** What the running configuration expects of an index. */
export interface IndexExpectations {
  modelId: string;
  dimension: number;
  chunkMaxChars: number;
  chunkMinChars: number;
  efSearch: number;
}

/** What the embedded index is made with: its folder, the embedder's model and the chunk and HNSW settings. */
export interface FileIndexSettings {
  indexDir: string;
  modelId: string;
  dimension: number;
  profile: ModelProfile;
  chunkMaxChars: number;
  chunkMinChars: number;
  hnsw: HnswParams;
}

/** What loading the index checks it against (another model, chunk sizes or HNSW search width refuse it). */
export function expectationsOf(settings: Pick<FileIndexSettings, 'modelId' | 'dimension' | 'chunkMaxChars' | 'chunkMinChars' | 'hnsw'>): IndexExpectations {
  return { modelId: settings.modelId, dimension: settings.dimension, chunkMaxChars: settings.chunkMaxChars, chunkMinChars: settings.chunkMinChars, efSearch: settings.hnsw.efSearch };
}

const FILES = [DOCUMENTS_FILE, 'passages.bin', 'vectors.f32', 'dense.hnsw', 'bm25.bin'] as const;

export function indexRoot(indexDir: string): string {
  return path.join(indexDir, 'index');
}

let versionsNamed = 0;
/** A new folder name: time, pid and a counter (two versions in one millisecond get two names). */
export function newVersionName(prefix: 'v' | 'm' = 'v'): string {
  versionsNamed += 1;
  return `${prefix}-${Date.now().toString(36)}-${process.pid.toString(36)}-${versionsNamed.toString(36)}`;
}

/** The state a version holds (format 3 has no `state`: its own folder). */
export function stateOfManifest(version: string, manifest: IndexManifest): string {
  return manifest.state ?? version;
}

/** The folders a version reads: its own, its full build and its segments'. */
export function foldersOf(version: string, manifest: IndexManifest | undefined): string[] {
  if (!manifest?.chain) return [version];
  return [...new Set([version, manifest.chain.base, ...manifest.chain.segments.map((s) => s.version)])];
}

/** The live version folder, or undefined when no index was built yet. */
export async function currentVersion(indexDir: string): Promise<string | undefined> {
  const pointer = path.join(indexRoot(indexDir), 'CURRENT');
  let name: string;
  try {
    name = (await readFile(pointer, 'utf8')).trim();
  } catch (error) {
    // Only a missing file means "no index yet"; a folder this user cannot read is not an empty one.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new KbError(ERROR_CODES.INDEX_UNREADABLE, `cannot read ${pointer} (${code ?? describeError(error)})`, { cause: error, hint: `make ${indexDir} a folder this user can read and write, or set INDEX_DIR to one` });
  }
  if (!/^v-[0-9a-z-]+$/.test(name)) throw new KbError(ERROR_CODES.INDEX_CORRUPT, `${pointer} names "${name.slice(0, 40)}", not an index version`, { hint: REBUILD_HINT });
  return name;
}

export interface SnapshotToWrite {
  manifest: Omit<IndexManifest, 'files' | 'formatVersion' | 'createdAt'>;
  /** Consumed one at a time, in order (an array, a generator or an async stream). */
  documents: Iterable<IndexedDocument> | AsyncIterable<IndexedDocument>;
  passages: PassageRecord[];
  vectors: Float32Array;
  /** The graph (only saved: a merge passes one it saved already). */
  dense: Pick<DenseIndex, 'save'>;
  bm25: Bm25Index;
}

export interface SnapshotHooks {
  /** Runs after every file is written and synced, right before CURRENT switches (tests, benchmarks). */
  beforeSwitch?: () => Promise<void>;
  /** Write the folder but leave CURRENT alone (a merge, which switches later under the write lock). */
  noSwitch?: boolean;
}

/**
 * A version folder being written: documents go in one at a time as the caller produces them, then
 * `commit` writes the other files and the manifest and switches CURRENT to it. Until the switch the
 * live index is untouched; a commit that fails before it removes the folder, as `abort` does.
 */
export interface SnapshotDraft {
  /** The folder's name. */
  readonly version: string;
  addDocument(doc: IndexedDocument): Promise<void>;
  /** Writes the rest, switches CURRENT, removes versions the live one does not use; returns the new version's name. */
  commit(rest: Omit<SnapshotToWrite, 'documents'>, hooks?: SnapshotHooks): Promise<string>;
  /** Drops the unfinished folder (no-op after a commit switched, or twice). */
  abort(): Promise<void>;
}

/** A delta segment being written (index-segments.ts): the documents a write put, then the rest. */
export interface SegmentDraft {
  readonly version: string;
  addDocument(doc: IndexedDocument): Promise<void>;
  /**
   * Writes the segment's files and the manifest of the version it makes (`manifest`: the whole
   * state after it; its `chain` gets this segment appended), switches CURRENT; returns the version.
   */
  commit(rest: { manifest: Omit<IndexManifest, 'files' | 'formatVersion' | 'createdAt' | 'state' | 'chain'>; chain: { base: string; baseState: string; segments: SegmentRef[] }; removed: string[]; passages: PassageRecord[]; vectors: Float32Array; bm25: Bm25Index }, hooks?: SnapshotHooks): Promise<string>;
  abort(): Promise<void>;
}

export interface SnapshotOptions {
  /** Where a leftover that could not be removed is reported (default: nowhere). */
  logger?: Logger;
  /** The folder name (default a new `v-…`; a merge writes `m-…` without the write lock, see index-compaction.ts). */
  version?: string;
}

/**
 * A new folder under index/ with its documents file opened on first use, and the steps every
 * version's commit shares: the manifest, CURRENT, and removing what the live version does not use.
 */
function openVersionFolder(indexDir: string, options: SnapshotOptions) {
  const logger = options.logger ?? silentLogger;
  const root = indexRoot(indexDir);
  const version = options.version ?? newVersionName();
  const dir = path.join(root, version);
  let state: 'open' | 'committing' | 'switched' | 'aborted' = 'open';
  let opening: Promise<DocumentsFileWriter> | undefined;
  const documents = (): Promise<DocumentsFileWriter> => {
    opening ??= (async () => {
      await mkdir(root, { recursive: true });
      if (!version.startsWith('m-')) await removeLeftovers(indexDir, version, logger);
      await mkdir(dir);
      return DocumentsFileWriter.create(path.join(dir, DOCUMENTS_FILE));
    })();
    return opening;
  };
  const remove = async (): Promise<void> => {
    if (opening) await (await opening.catch(() => undefined))?.discard().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  return {
    version,
    dir,
    documents,
    usable(what: string): void {
      if (state !== 'open') throw new KbError(ERROR_CODES.INTERNAL, `cannot ${what} index version ${version}: it is ${state === 'aborted' ? 'aborted' : 'already committed'}`);
    },
    /** Runs `write` (the files and the manifest), then switches CURRENT; a failure removes the folder. */
    async commit(write: () => Promise<IndexManifest>, hooks: SnapshotHooks): Promise<string> {
      this.usable('commit');
      state = 'committing';
      let manifest: IndexManifest;
      try {
        manifest = await write();
        await writeFileDurable(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
        await fsyncDir(dir);
        await hooks.beforeSwitch?.();
        if (!hooks.noSwitch) await writeFileAtomic(path.join(root, 'CURRENT'), `${version}\n`);
      } catch (error) {
        state = 'aborted';
        // What stopped the commit is the error to report; a folder left behind goes with the next writer.
        await remove().catch((cleanup: unknown) => logger.warn('unfinished index version not removed; the next ingest removes it', { folder: dir, reason: describeError(cleanup) }));
        throw error;
      }
      state = 'switched';
      // The new version is live: an old folder that cannot be removed now is only disk space (the
      // next writer tries again), never a reason to report this commit failed.
      if (!hooks.noSwitch) await removeOthers(root, foldersOf(version, manifest), logger);
      return version;
    },
    async abort(): Promise<void> {
      if (state === 'switched' || state === 'aborted') return;
      state = 'aborted';
      await remove();
    },
  };
}

/** The documents file's digest, once its count matches the manifest's. */
async function finishDocuments(writer: DocumentsFileWriter, version: string, listed: readonly string[], counted: number): Promise<FileDigest> {
  const set = new Set(listed);
  const unlisted = writer.docIds.find((id) => !set.has(id));
  if (writer.count !== counted || writer.count !== set.size || unlisted !== undefined) {
    const without = unlisted === undefined ? '' : `, without ${unlisted}`;
    throw new KbError(ERROR_CODES.INTERNAL, `index version ${version} was given ${writer.count} documents; its manifest counts ${counted} and lists ${set.size}${without}`);
  }
  const { bytes, sha256 } = await writer.finish();
  return { bytes, sha256 };
}

/**
 * Starts a new full index version in `indexDir` (its folder is created on first use). Call it
 * holding the index's write lock: on first use it removes what an earlier writer left behind (a
 * version folder a crash did not finish, a temporary CURRENT), everything the live version does
 * not use.
 *
 * @example
 * const draft = beginSnapshot(indexDir);
 * try {
 *   for await (const doc of documents) await draft.addDocument(doc);
 *   await draft.commit({ manifest, passages, vectors, dense, bm25 });
 * } catch (error) { await draft.abort(); throw error; }
 */
export function beginSnapshot(indexDir: string, options: SnapshotOptions = {}): SnapshotDraft {
  const folder = openVersionFolder(indexDir, options);
  const { version, dir } = folder;
  return {
    version,
    async addDocument(doc) {
      folder.usable('add a document to');
      await (await folder.documents()).add(doc);
    },
    commit: (rest, hooks = {}) =>
      folder.commit(async () => {
        // In FILES order, as the manifest lists them.
        const files: IndexManifest['files'] = {};
        files[DOCUMENTS_FILE] = await finishDocuments(await folder.documents(), version, Object.keys(rest.manifest.documents), rest.manifest.counts.documents);
        files['passages.bin'] = await writeFileHashed(path.join(dir, 'passages.bin'), encodePassages(rest.passages));
        files['vectors.f32'] = await writeFileHashed(path.join(dir, 'vectors.f32'), new Uint8Array(rest.vectors.buffer, rest.vectors.byteOffset, rest.vectors.byteLength));
        const hnsw = path.join(dir, 'dense.hnsw');
        await rest.dense.save(hnsw);
        // hnswlib writes without fsync: sync the file in place, hashing it in chunks.
        files['dense.hnsw'] = await syncAndHashFile(hnsw);
        files['bm25.bin'] = await writeFileHashed(path.join(dir, 'bm25.bin'), rest.bm25.toBinary());
        // A full build made from the corpus holds a state of its own; a merge says which it wrote out.
        const { chain: _chain, ...manifest } = rest.manifest;
        return { formatVersion: INDEX_FORMAT_VERSION, createdAt: new Date().toISOString(), ...manifest, state: rest.manifest.state ?? version, files };
      }, hooks),
    abort: () => folder.abort(),
  };
}

/**
 * Starts a delta segment: the documents a write puts, then (commit) their passages, vectors and
 * term counts and the manifest of the new version. Call it holding the write lock, as
 * `beginSnapshot`.
 */
export function beginSegment(indexDir: string, options: SnapshotOptions = {}): SegmentDraft {
  const folder = openVersionFolder(indexDir, options);
  const { version, dir } = folder;
  const put: string[] = [];
  return {
    version,
    async addDocument(doc) {
      folder.usable('add a document to');
      await (await folder.documents()).add(doc);
      put.push(doc.meta.docId);
    },
    commit: (rest, hooks = {}) =>
      folder.commit(async () => {
        const files = await writeSegmentFiles(dir, { documents: await finishDocuments(await folder.documents(), version, put, put.length), passages: rest.passages, vectors: rest.vectors, bm25: rest.bm25 });
        const segment: SegmentRef = { version, removed: [...rest.removed].sort(), documents: [...put], passages: rest.passages.length, files };
        return { formatVersion: INDEX_FORMAT_VERSION, createdAt: new Date().toISOString(), ...rest.manifest, files: {}, state: version, chain: { ...rest.chain, segments: [...rest.chain.segments, segment] } };
      }, hooks),
    abort: () => folder.abort(),
  };
}

/**
 * Switches CURRENT to a version made of an existing full build (a merge's, renamed from `m-…` to
 * a `v-…` folder first) and the segments written since the state it holds; call it holding the
 * write lock. Returns the version now live.
 */
export async function switchToMerged(indexDir: string, merged: { folder: string; manifest: IndexManifest }, later: { manifest: IndexManifest; segments: SegmentRef[] }, logger: Logger = silentLogger): Promise<string> {
  const root = indexRoot(indexDir);
  const base = newVersionName();
  await rename(path.join(root, merged.folder), path.join(root, base));
  await fsyncDir(root);
  let version = base;
  let manifest = merged.manifest;
  if (later.segments.length > 0) {
    // The segments written while the merge ran apply to the merged state as they did to the old one.
    version = newVersionName();
    await mkdir(path.join(root, version));
    const { files: _files, chain: _chain, ...rest } = later.manifest;
    manifest = { ...rest, formatVersion: INDEX_FORMAT_VERSION, createdAt: new Date().toISOString(), files: {}, chain: { base, baseState: stateOfManifest(base, merged.manifest), segments: later.segments } };
    await writeFileDurable(path.join(root, version, 'manifest.json'), JSON.stringify(manifest, null, 2));
    await fsyncDir(path.join(root, version));
  }
  await writeFileAtomic(path.join(root, 'CURRENT'), `${version}\n`);
  await removeOthers(root, foldersOf(version, manifest), logger);
  return version;
}

/** Whether an `m-…` folder (a merge being written) may belong to a process still running: its pid is in its name. */
function mergeInProgress(entry: string): boolean {
  const pid = Number.parseInt(entry.split('-')[2] ?? '', 36);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes every version folder, unfinished merge of a process that is gone and temporary CURRENT
 * in `root` but those in `keep`; a failure is logged, not thrown.
 */
async function removeOthers(root: string, keep: readonly string[], logger: Logger): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch (error) {
    logger.warn('old index versions not removed', { folder: root, reason: describeError(error) });
    return;
  }
  for (const entry of entries) {
    if (keep.includes(entry) || entry === 'CURRENT') continue;
    if (!(entry.startsWith('v-') || entry.startsWith('CURRENT.tmp') || (entry.startsWith('m-') && !mergeInProgress(entry)))) continue;
    try {
      await rm(path.join(root, entry), { recursive: true, force: true });
    } catch (error) {
      logger.warn('old index version not removed; the next ingest tries again', { folder: path.join(root, entry), reason: describeError(error) });
    }
  }
}

/**
 * Before a new version is written (under the write lock): what a crashed writer left (a partial
 * version folder can hold gigabytes) goes, all but what the live version uses and `draft`. When
 * CURRENT or its manifest cannot be read, nothing is removed: which folders are live is not known.
 */
async function removeLeftovers(indexDir: string, draft: string, logger: Logger): Promise<void> {
  let live: string | undefined;
  let manifest: IndexManifest | undefined;
  try {
    live = await currentVersion(indexDir);
    manifest = live === undefined ? undefined : await readVersionManifest(indexDir, live);
  } catch (error) {
    logger.warn('leftover index versions not removed: the live version is unreadable', { reason: describeError(error) });
    return;
  }
  await removeOthers(indexRoot(indexDir), [draft, ...(live === undefined ? [] : foldersOf(live, manifest))], logger);
}

/**
 * What crashed writers and merges left (partial version folders, a killed merge's `m-…` folder,
 * a temporary CURRENT), removed when a write finds nothing to change, so that an up-to-date
 * `kb ingest` after a crash clears them too. Call it holding the write lock, as a write does.
 */
export async function removeCrashLeftovers(indexDir: string, logger: Logger = silentLogger): Promise<void> {
  if ((await currentVersion(indexDir).catch(() => undefined)) === undefined) return;
  await removeLeftovers(indexDir, 'CURRENT', logger);
}

/**
 * Writes a new version folder and switches CURRENT to it; older versions are removed afterwards.
 * Documents are written one at a time as `snapshot.documents` yields them. `beforeSwitch` lets
 * tests and benchmarks observe the moment between the two.
 */
export async function writeSnapshot(indexDir: string, snapshot: SnapshotToWrite, hooks: SnapshotHooks = {}, options: SnapshotOptions = {}): Promise<string> {
  const { documents, ...rest } = snapshot;
  const draft = beginSnapshot(indexDir, options);
  try {
    for await (const doc of documents) await draft.addDocument(doc);
    return await draft.commit(rest, hooks);
  } catch (error) {
    await draft.abort();
    throw error;
  }
}

/** Passages per document of the live index, from its manifest (empty before the first ingest). */
export async function manifestPassageCounts(indexDir: string): Promise<Map<string, number>> {
  const manifest = (await readManifest(indexDir))?.manifest;
  return new Map(Object.entries(manifest?.documents ?? {}).map(([id, d]) => [id, d.passages] as const));
}

export async function readManifest(indexDir: string): Promise<{ version: string; manifest: IndexManifest } | undefined> {
  const version = await currentVersion(indexDir);
  if (!version) return undefined;
  return { version, manifest: await readVersionManifest(indexDir, version) };
}

/** The manifest of one version folder (the live one, or a full build a chain applies to). */
export async function readVersionManifest(indexDir: string, version: string): Promise<IndexManifest> {
  const file = path.join(indexRoot(indexDir), version, 'manifest.json');
  let manifest: IndexManifest;
  try {
    manifest = JSON.parse(await readFile(file, 'utf8')) as IndexManifest;
  } catch (error) {
    throw new KbError(ERROR_CODES.INDEX_CORRUPT, `index manifest ${file} is unreadable (${(error as Error).message})`, { hint: REBUILD_HINT, cause: error });
  }
  if (!READABLE_FORMATS.has(manifest.formatVersion)) {
    throw new KbError(ERROR_CODES.INDEX_MISMATCH, `index format is version ${manifest.formatVersion}; this build reads version ${INDEX_FORMAT_VERSION}`, { hint: REBUILD_HINT, details: { cause: 'build' } });
  }
  return manifest;
}

/** Why an index cannot serve this configuration, or undefined when it can. */
/**
 * Why an index cannot serve this process, and whose doing that is: `build` when this code reads
 * another format (an upgrade: rebuilding is always right), `configuration` when the settings differ
 * (model, chunk sizes: the operator decides).
 */
export function mismatchReason(manifest: IndexManifest, expected: IndexExpectations): { reason: string; cause: 'build' | 'configuration' } | undefined {
  if (manifest.model.id !== expected.modelId || manifest.model.dimension !== expected.dimension) {
    return { cause: 'configuration', reason: `index has ${manifest.model.dimension}-dim vectors (model ${manifest.model.id}); the embedder is ${expected.modelId} with ${expected.dimension} dimensions` };
  }
  if (manifest.chunker.version !== CHUNKER_VERSION || manifest.chunker.maxChars !== expected.chunkMaxChars || manifest.chunker.minChars !== expected.chunkMinChars) {
    const cause = manifest.chunker.version !== CHUNKER_VERSION ? 'build' : 'configuration';
    return { cause, reason: `index was chunked with chunker v${manifest.chunker.version} (max ${manifest.chunker.maxChars}, min ${manifest.chunker.minChars}); this configuration uses v${CHUNKER_VERSION} (max ${expected.chunkMaxChars}, min ${expected.chunkMinChars})` };
  }
  if (manifest.analyzerVersion !== ANALYZER_VERSION) {
    return { cause: 'build', reason: `index terms come from analyzer v${manifest.analyzerVersion}; this build uses v${ANALYZER_VERSION}` };
  }
  return undefined;
}

/** Loads the live index. Throws index_missing / index_mismatch / index_corrupt with what to run. */
export async function loadIndex(indexDir: string, expected: IndexExpectations, options: { from?: KnowledgeIndex } = {}): Promise<KnowledgeIndex> {
  const current = await readManifest(indexDir);
  if (!current) throw new KbError(ERROR_CODES.INDEX_MISSING, `no index in ${indexRoot(indexDir)}`, { hint: INGEST_HINT });
  const { version, manifest } = current;
  const mismatch = mismatchReason(manifest, expected);
  if (mismatch) throw new KbError(ERROR_CODES.INDEX_MISMATCH, mismatch.reason, { hint: REBUILD_HINT, details: { cause: mismatch.cause } });
  const info = infoOf(version, manifest);
  const state = stateOfManifest(version, manifest);
  const { from } = options;
  // The same documents under another version name (a merge took the segments' place): nothing to
  // read but that its files are all there at their sizes.
  if (from && stateOf(from) === state && from.info.dimension === manifest.model.dimension) {
    await checkFiles(indexDir, version, manifest);
    if (manifest.chain) await checkFiles(indexDir, manifest.chain.base, await readVersionManifest(indexDir, manifest.chain.base));
    return renamed(from, info);
  }
  const chain = manifest.chain;
  if (!chain) return loadFullVersion(indexDir, version, manifest, expected);
  // What the index held in memory continues into this chain: only the segments written since are read.
  const held = from && canExtend(from) && from.info.dimension === manifest.model.dimension ? stateOf(from) : undefined;
  // The first segment `from` lacks: 0 when it holds the base's state, past the one it holds; -1 when it holds neither.
  const next = held === undefined ? -1 : held === chain.baseState ? 0 : chain.segments.findIndex((s) => s.version === held) + 1 || -1;
  const base = next === -1 ? await loadFullVersion(indexDir, chain.base, await readVersionManifest(indexDir, chain.base), expected) : (from as KnowledgeIndex);
  const segments = [];
  for (const ref of chain.segments.slice(Math.max(next, 0))) segments.push(await readSegment(indexRoot(indexDir), ref, manifest.model.dimension));
  try {
    const kb = applySegments(base, segments, info, state);
    if (kb.passages.length !== manifest.counts.passages || kb.documents.size !== manifest.counts.documents) {
      throw new Error(`its segments give ${kb.documents.size} documents and ${kb.passages.length} passages; the manifest counts ${manifest.counts.documents} and ${manifest.counts.passages}`);
    }
    return kb;
  } catch (error) {
    if (error instanceof KbError) throw error;
    throw new KbError(ERROR_CODES.INDEX_CORRUPT, `index ${version} is inconsistent: ${(error as Error).message}`, { hint: REBUILD_HINT, cause: error });
  }
}

function infoOf(version: string, manifest: IndexManifest): KnowledgeIndex['info'] {
  return { formatVersion: manifest.formatVersion, modelId: manifest.model.id, dimension: manifest.model.dimension, createdAt: manifest.createdAt, version };
}

/** Every file of a full build is there at the size its manifest records (a version with a chain has none of its own). */
async function checkFiles(indexDir: string, version: string, manifest: IndexManifest): Promise<Record<(typeof FILES)[number], FileDigest>> {
  const dir = path.join(indexRoot(indexDir), version);
  const expectedFiles = {} as Record<(typeof FILES)[number], FileDigest>;
  if (manifest.chain) return expectedFiles;
  for (const name of FILES) {
    const file = path.join(dir, name);
    const expectedFile = manifest.files[name];
    if (!expectedFile || !existsSync(file)) throw new KbError(ERROR_CODES.INDEX_CORRUPT, `index file ${name} is missing from ${dir}`, { hint: REBUILD_HINT });
    const size = (await stat(file)).size;
    if (size !== expectedFile.bytes) throw sizeError(name, size, expectedFile.bytes);
    expectedFiles[name] = expectedFile;
  }
  return expectedFiles;
}

/** Loads the full build in folder `version` (the live version, or the base of a chain). */
async function loadFullVersion(indexDir: string, version: string, manifest: IndexManifest, expected: IndexExpectations): Promise<KnowledgeIndex> {
  const dir = path.join(indexRoot(indexDir), version);
  if (manifest.chain) throw new KbError(ERROR_CODES.INDEX_CORRUPT, `index version ${version} is named as a full build but is made of segments`, { hint: REBUILD_HINT });
  // Every file is there with its recorded size before any is read.
  const expectedFiles = await checkFiles(indexDir, version, manifest);
  // Each file is read once, in chunks, hashed on the way (the checksum is checked before anything
  // decoded from it is used); documents.bin is decoded record by record as it streams in.
  const at = (name: (typeof FILES)[number]): string => path.join(dir, name);
  const documents = await readDocumentsFile(at(DOCUMENTS_FILE), { expected: expectedFiles[DOCUMENTS_FILE] });
  const passageBytes = await readFileVerified(at('passages.bin'), expectedFiles['passages.bin']);
  const vectorBytes = await readFileVerified(at('vectors.f32'), expectedFiles['vectors.f32']);
  await readFileVerified(at('dense.hnsw'), expectedFiles['dense.hnsw'], { keep: false });
  const bm25Bytes = await readFileVerified(at('bm25.bin'), expectedFiles['bm25.bin']);
  try {
    const passages = decodePassages(passageBytes);
    const bodies = new Map(documents.map((d) => [d.meta.docId, d.body.length]));
    passages.forEach((p, i) => {
      const length = bodies.get(p.docId);
      if (length === undefined || p.end > length) throw new Error(`passage ${i} (${p.passageId}) ends at ${p.end}, beyond its document ${p.docId} (${length ?? 'missing'})`);
    });
    if (vectorBytes.length % 4 !== 0) throw new Error(`vectors.f32 has ${vectorBytes.length} bytes, not a whole number of floats`);
    // readFileVerified returns a fresh buffer at offset 0: aligned for a view.
    const vectors = new Float32Array(vectorBytes.buffer, vectorBytes.byteOffset, vectorBytes.byteLength / 4);
    if (vectors.length !== passages.length * manifest.model.dimension) {
      throw new Error(`vectors.f32 holds ${vectors.length} floats for ${passages.length} passages × ${manifest.model.dimension}`);
    }
    const params: HnswParams = { M: manifest.hnsw.M, efConstruction: manifest.hnsw.efConstruction, efSearch: expected.efSearch };
    const dense = await DenseIndex.load(path.join(dir, 'dense.hnsw'), manifest.model.dimension, params, passages.length);
    // A loaded index is never modified in place (ingest patches a fresh load of its own), so its
    // rows can answer restrictive filters exactly.
    dense.attachVectors(Int32Array.from(passages, (p) => p.label), vectors);
    const bm25 = Bm25Index.fromBinary(bm25Bytes);
    if (bm25.size !== passages.length) throw new Error(`bm25.bin covers ${bm25.size} passages; passages.bin has ${passages.length}`);
    const kb = assembleIndex({ info: infoOf(version, manifest), documents: new Map(documents.map((d) => [d.meta.docId, d])), passages, vectors, dense, bm25 });
    markState(kb, stateOfManifest(version, manifest), manifest.hnsw.deleted);
    return kb;
  } catch (error) {
    if (error instanceof KbError) throw error;
    throw new KbError(ERROR_CODES.INDEX_CORRUPT, `index ${version} is inconsistent: ${(error as Error).message}`, { hint: REBUILD_HINT, cause: error });
  }
}
