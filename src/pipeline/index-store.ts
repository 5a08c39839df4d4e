/**
 * The index on disk. Each build is a complete folder `<indexDir>/index/v-…/`; the file
 * `<indexDir>/index/CURRENT` names the live one and is replaced atomically (write temp, fsync,
 * rename), so a crash at any moment leaves the previous index loadable.
 *
 * Loading verifies format version, checksums, model id + dimension and chunker settings, and
 * refuses a mismatch with a message that says what to run.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { CHUNKER_VERSION } from '../chunking/chunker.js';
import { DenseIndex, type HnswParams } from '../embeddings/dense-index.js';
import { ANALYZER_VERSION } from '../retrieval/analyzer.js';
import { Bm25Index } from '../retrieval/bm25.js';
import { assembleIndex, type IndexedDocument, type KnowledgeIndex, type PassageRecord } from '../retrieval/knowledge-index.js';
import { ERROR_CODES, KbError, describeError } from '../shared/errors.js';
import { fsyncDir, writeFileAtomic, writeFileDurable } from '../shared/fs-atomic.js';
import { decodePassages, encodePassages } from './passage-store.js';

/**
 * 2: binary passages.bin (Int32 columns + interned strings, no passage text, no terms) and
 * bm25.bin (typed-array postings); 1 stored both as JSON.
 */
export const INDEX_FORMAT_VERSION = 2;

export interface IndexManifest {
  formatVersion: number;
  createdAt: string;
  model: { id: string; dimension: number; pooling: string; queryPrefix: string; passagePrefix: string; buildVersion?: number };
  chunker: { version: number; maxChars: number; minChars: number };
  analyzerVersion: number;
  hnsw: { space: 'cosine'; M: number; efConstruction: number; nextLabel: number; deleted: number };
  documents: Record<string, { hash: string; source: string; passages: number }>;
  counts: { documents: number; passages: number };
  files: Record<string, { bytes: number; sha256: string }>;
}

/** What the running configuration expects of an index. */
export interface IndexExpectations {
  modelId: string;
  dimension: number;
  chunkMaxChars: number;
  chunkMinChars: number;
  efSearch: number;
}

const FILES = ['documents.json', 'passages.bin', 'vectors.f32', 'dense.hnsw', 'bm25.bin'] as const;
const REBUILD_HINT = 'run `npm run -s kb -- ingest --rebuild`';

export function indexRoot(indexDir: string): string {
  return path.join(indexDir, 'index');
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
    throw new KbError(ERROR_CODES.INDEX_UNREADABLE, `cannot read ${pointer} (${code ?? describeError(error)}); make ${indexDir} a folder this user can read and write, or set INDEX_DIR to one`, { cause: error });
  }
  if (!/^v-[0-9a-z-]+$/.test(name)) throw new KbError(ERROR_CODES.INDEX_CORRUPT, `${pointer} names "${name.slice(0, 40)}", not an index version; ${REBUILD_HINT}`);
  return name;
}

export interface SnapshotToWrite {
  manifest: Omit<IndexManifest, 'files' | 'formatVersion' | 'createdAt'>;
  documents: IndexedDocument[];
  passages: PassageRecord[];
  vectors: Float32Array;
  dense: DenseIndex;
  bm25: Bm25Index;
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Writes a new version folder and switches CURRENT to it; older versions are removed afterwards.
 * `beforeSwitch` lets tests and benchmarks observe the moment between the two.
 */
export async function writeSnapshot(indexDir: string, snapshot: SnapshotToWrite, hooks: { beforeSwitch?: () => Promise<void> } = {}): Promise<string> {
  const root = indexRoot(indexDir);
  await mkdir(root, { recursive: true });
  const version = `v-${Date.now().toString(36)}-${process.pid.toString(36)}`;
  const dir = path.join(root, version);
  await mkdir(dir);
  const contents: Record<(typeof FILES)[number], string | Uint8Array | undefined> = {
    'documents.json': JSON.stringify(snapshot.documents),
    'passages.bin': encodePassages(snapshot.passages),
    'vectors.f32': new Uint8Array(snapshot.vectors.buffer, snapshot.vectors.byteOffset, snapshot.vectors.byteLength),
    'dense.hnsw': undefined,
    'bm25.bin': snapshot.bm25.toBinary(),
  };
  const files: IndexManifest['files'] = {};
  for (const name of FILES) {
    const file = path.join(dir, name);
    const content = contents[name];
    if (content === undefined) {
      await snapshot.dense.save(file);
      const bytes = await readFile(file);
      // hnswlib writes without fsync: reopen and sync through the durable writer.
      await writeFileDurable(file, bytes);
      files[name] = { bytes: bytes.length, sha256: sha256(bytes) };
    } else {
      await writeFileDurable(file, content);
      files[name] = { bytes: typeof content === 'string' ? Buffer.byteLength(content) : content.length, sha256: sha256(content) };
    }
  }
  const manifest: IndexManifest = { formatVersion: INDEX_FORMAT_VERSION, createdAt: new Date().toISOString(), ...snapshot.manifest, files };
  await writeFileDurable(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  await fsyncDir(dir);
  await hooks.beforeSwitch?.();
  await writeFileAtomic(path.join(root, 'CURRENT'), `${version}\n`);
  for (const entry of await readdir(root)) {
    if (entry !== version && entry !== 'CURRENT' && (entry.startsWith('v-') || entry.startsWith('CURRENT.tmp'))) {
      await rm(path.join(root, entry), { recursive: true, force: true });
    }
  }
  return version;
}

/** Passages per document of the live index, from its manifest (empty before the first ingest). */
export async function manifestPassageCounts(indexDir: string): Promise<Map<string, number>> {
  const manifest = (await readManifest(indexDir))?.manifest;
  return new Map(Object.entries(manifest?.documents ?? {}).map(([id, d]) => [id, d.passages] as const));
}

export async function readManifest(indexDir: string): Promise<{ version: string; manifest: IndexManifest } | undefined> {
  const version = await currentVersion(indexDir);
  if (!version) return undefined;
  const file = path.join(indexRoot(indexDir), version, 'manifest.json');
  let manifest: IndexManifest;
  try {
    manifest = JSON.parse(await readFile(file, 'utf8')) as IndexManifest;
  } catch (error) {
    throw new KbError(ERROR_CODES.INDEX_CORRUPT, `index manifest ${file} is unreadable (${(error as Error).message}); ${REBUILD_HINT}`, { cause: error });
  }
  if (manifest.formatVersion !== INDEX_FORMAT_VERSION) {
    throw new KbError(ERROR_CODES.INDEX_MISMATCH, `index format is version ${manifest.formatVersion}; this build reads version ${INDEX_FORMAT_VERSION}; ${REBUILD_HINT}`, { details: { cause: 'build' } });
  }
  return { version, manifest };
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
export async function loadIndex(indexDir: string, expected: IndexExpectations): Promise<KnowledgeIndex> {
  const current = await readManifest(indexDir);
  if (!current) throw new KbError(ERROR_CODES.INDEX_MISSING, `no index in ${indexRoot(indexDir)}; run \`npm run -s kb -- ingest\``);
  const { version, manifest } = current;
  const mismatch = mismatchReason(manifest, expected);
  if (mismatch) throw new KbError(ERROR_CODES.INDEX_MISMATCH, `${mismatch.reason}; ${REBUILD_HINT}`, { details: { cause: mismatch.cause } });
  const dir = path.join(indexRoot(indexDir), version);
  const raw: Partial<Record<(typeof FILES)[number], Buffer>> = {};
  for (const name of FILES) {
    const file = path.join(dir, name);
    const expectedFile = manifest.files[name];
    if (!expectedFile || !existsSync(file)) throw new KbError(ERROR_CODES.INDEX_CORRUPT, `index file ${name} is missing from ${dir}; ${REBUILD_HINT}`);
    const size = (await stat(file)).size;
    if (size !== expectedFile.bytes) {
      throw new KbError(ERROR_CODES.INDEX_CORRUPT, `index file ${name} has ${size} bytes; the manifest says ${expectedFile.bytes} bytes (truncated or replaced); ${REBUILD_HINT}`);
    }
    const bytes = await readFile(file);
    if (sha256(bytes) !== expectedFile.sha256) throw new KbError(ERROR_CODES.INDEX_CORRUPT, `index file ${name} fails its checksum (corrupted); ${REBUILD_HINT}`);
    raw[name] = bytes;
  }
  try {
    const passages = decodePassages(raw['passages.bin'] as Buffer);
    const documents = JSON.parse((raw['documents.json'] as Buffer).toString('utf8')) as IndexedDocument[];
    const bodies = new Map(documents.map((d) => [d.meta.docId, d.body.length]));
    passages.forEach((p, i) => {
      const length = bodies.get(p.docId);
      if (length === undefined || p.end > length) throw new Error(`passage ${i} (${p.passageId}) ends at ${p.end}, beyond its document ${p.docId} (${length ?? 'missing'})`);
    });
    const vbytes = raw['vectors.f32'] as Buffer;
    // A view when aligned (large files are), else one copy.
    const vectors = vbytes.byteOffset % 4 === 0 ? new Float32Array(vbytes.buffer, vbytes.byteOffset, vbytes.byteLength / 4) : new Float32Array(vbytes.buffer.slice(vbytes.byteOffset, vbytes.byteOffset + vbytes.byteLength));
    if (vectors.length !== passages.length * manifest.model.dimension) {
      throw new Error(`vectors.f32 holds ${vectors.length} floats for ${passages.length} passages × ${manifest.model.dimension}`);
    }
    const params: HnswParams = { M: manifest.hnsw.M, efConstruction: manifest.hnsw.efConstruction, efSearch: expected.efSearch };
    const dense = await DenseIndex.load(path.join(dir, 'dense.hnsw'), manifest.model.dimension, params, passages.length);
    // A loaded index is never modified in place (ingest patches a fresh load of its own), so its
    // rows can answer restrictive filters exactly.
    dense.attachVectors(Int32Array.from(passages, (p) => p.label), vectors);
    const bm25 = Bm25Index.fromBinary(raw['bm25.bin'] as Buffer);
    if (bm25.size !== passages.length) throw new Error(`bm25.bin covers ${bm25.size} passages; passages.bin has ${passages.length}`);
    return assembleIndex({
      info: { formatVersion: manifest.formatVersion, modelId: manifest.model.id, dimension: manifest.model.dimension, createdAt: manifest.createdAt, version },
      documents: new Map(documents.map((d) => [d.meta.docId, d])),
      passages,
      vectors,
      dense,
      bm25,
    });
  } catch (error) {
    if (error instanceof KbError) throw error;
    throw new KbError(ERROR_CODES.INDEX_CORRUPT, `index ${version} is inconsistent: ${(error as Error).message}; ${REBUILD_HINT}`, { cause: error });
  }
}
