/**
 * ZIP containers (DOCX, OFD) read under a hard limit on what they inflate to. The sizes an archive declares are
 * never trusted: the central directory only says where each entry's compressed bytes are, and inflation
 * (Node's zlib with `maxOutputLength`, which stops at the limit instead of allocating past it) ends as soon as
 * the real output passes the limit, so a bomb costs at most the limit in memory and time, whatever it claims.
 * zlib rather than fflate's streaming Inflate: the same cap, native speed (a 200 MiB bomb is refused in about
 * 0.3 s instead of 3 s).
 */
import { inflateRawSync } from 'node:zlib';
import { documentUnreadable } from './errors.js';

export const DEFAULT_MAX_DECOMPRESSED = 200 * 1024 * 1024;

/** An entry that inflates past this and past 1000× its compressed size is a bomb even under the limit. */
const BOMB_FLOOR = 10 * 1024 * 1024;
const BOMB_RATIO = 1000;

export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05) && (bytes[3] === 0x04 || bytes[3] === 0x06);
}

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  flags: number;
  compressedSize: number;
  /** What the archive claims; used for nothing but messages. */
  declaredSize: number;
  localOffset: number;
}

const u16 = (b: Uint8Array, i: number): number => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
const u32 = (b: Uint8Array, i: number): number => (u16(b, i) | (u16(b, i + 2) << 16)) >>> 0;
const u64 = (b: Uint8Array, i: number): number => u32(b, i) + u32(b, i + 4) * 2 ** 32;

/** The central directory's entries, or undefined when the archive has none that can be read (truncated, corrupt). */
export function zipEntries(bytes: Uint8Array): ZipEntry[] | undefined {
  // End of central directory: 22 bytes plus a comment of up to 64 KiB, at the end of the file.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i -= 1) {
    if (u32(bytes, i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  let count = u16(bytes, eocd + 10);
  let offset = u32(bytes, eocd + 16);
  // ZIP64: the locator just before the EOCD points at the ZIP64 end record.
  if ((count === 0xffff || offset === 0xffffffff) && eocd >= 20 && u32(bytes, eocd - 20) === 0x07064b50) {
    const z64 = u64(bytes, eocd - 12);
    if (u32(bytes, z64) !== 0x06064b50) return undefined;
    count = u64(bytes, z64 + 32);
    offset = u64(bytes, z64 + 48);
  }
  const entries: ZipEntry[] = [];
  let p = offset;
  for (let n = 0; n < count; n += 1) {
    if (p + 46 > bytes.length || u32(bytes, p) !== 0x02014b50) return undefined;
    const flags = u16(bytes, p + 8);
    const nameLength = u16(bytes, p + 28);
    const extraLength = u16(bytes, p + 30);
    const commentLength = u16(bytes, p + 32);
    const nameBytes = bytes.subarray(p + 46, p + 46 + nameLength);
    const name = (flags & 0x800 ? new TextDecoder() : new TextDecoder('latin1')).decode(nameBytes);
    let compressedSize = u32(bytes, p + 20);
    let declaredSize = u32(bytes, p + 24);
    let localOffset = u32(bytes, p + 42);
    // ZIP64 extra field (id 1) carries the sizes and offset that do not fit 32 bits, in that order.
    for (let e = p + 46 + nameLength; e + 4 <= p + 46 + nameLength + extraLength; e += 4 + u16(bytes, e + 2)) {
      if (u16(bytes, e) !== 1) continue;
      let q = e + 4;
      if (declaredSize === 0xffffffff) {
        declaredSize = u64(bytes, q);
        q += 8;
      }
      if (compressedSize === 0xffffffff) {
        compressedSize = u64(bytes, q);
        q += 8;
      }
      if (localOffset === 0xffffffff) localOffset = u64(bytes, q);
    }
    entries.push({ name, method: u16(bytes, p + 10), flags, compressedSize, declaredSize, localOffset });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Names of the entries in the central directory ([] when unreadable). */
export function zipEntryNames(bytes: Uint8Array): string[] {
  return (zipEntries(bytes) ?? []).map((e) => e.name);
}

/** True when a ZIP (even one cut short, without its central directory) holds an entry of that name. */
export function zipHasEntry(bytes: Uint8Array, name: string): boolean {
  const entries = zipEntries(bytes);
  if (entries) return entries.some((e) => e.name === name);
  // No readable central directory (a truncated archive): the local file headers carry the names too.
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(Buffer.from(name, 'utf8'));
}

class BombError extends Error {}

/** Inflates (or copies) one entry, throwing BombError once the output passes `budget` or the bomb ratio. */
function inflateEntry(bytes: Uint8Array, entry: ZipEntry, budget: number): Uint8Array {
  const local = entry.localOffset;
  if (u32(bytes, local) !== 0x04034b50) throw new Error(`no local header for ${entry.name}`);
  const start = local + 30 + u16(bytes, local + 26) + u16(bytes, local + 28);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw new Error(`${entry.name} runs past the end of the archive`);
  const data = bytes.subarray(start, end);
  if (entry.method === 0) {
    if (data.length > budget) throw new BombError(entry.name);
    return data.slice();
  }
  if (entry.method !== 8) throw new Error(`${entry.name} uses compression method ${entry.method}, not DEFLATE`);
  // A thousandfold ratio past 10 MiB is a bomb even under the limit (text compresses 5–20:1).
  const cap = Math.min(budget, Math.max(BOMB_FLOOR, BOMB_RATIO * Math.max(1, entry.compressedSize)));
  let out: Buffer;
  try {
    out = inflateRawSync(data, { maxOutputLength: cap + 1 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new BombError(entry.name);
    throw new Error(`${entry.name}: ${(error as Error).message}`);
  }
  if (out.length > cap) throw new BombError(entry.name);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/**
 * Inflates the entries `wanted` accepts, refusing an archive whose entries inflate past `maxBytes` in all (or
 * an entry past the bomb ratio) and corrupt, truncated or encrypted archives, with a document_unreadable
 * error naming the file.
 */
export function unzipLimited(bytes: Uint8Array, fileName: string, maxBytes: number, wanted: (name: string) => boolean = () => true): Record<string, Uint8Array> {
  const limitMiB = (maxBytes / 1024 / 1024).toFixed(0);
  const entries = zipEntries(bytes);
  if (!entries) throw documentUnreadable(fileName, 'the ZIP container is corrupt or truncated (its central directory is missing)', 'get a complete copy of the file or re-save it');
  const files: Record<string, Uint8Array> = {};
  let total = 0;
  for (const entry of entries) {
    if (!wanted(entry.name) || entry.name.endsWith('/')) continue;
    if (entry.flags & 1) throw documentUnreadable(fileName, `the archive is encrypted (entry ${entry.name})`, 'save the document again without a password');
    try {
      const data = inflateEntry(bytes, entry, maxBytes - total);
      total += data.length;
      files[entry.name] = data;
    } catch (error) {
      if (error instanceof BombError) {
        throw documentUnreadable(fileName, `the archive would decompress past the ${limitMiB} MiB limit (entry ${error.message}, which declares ${entry.declaredSize.toLocaleString('en-US')} bytes): it looks like a zip bomb`, 'check where the file came from; raise maxDecompressedBytes only for a file you trust');
      }
      throw documentUnreadable(fileName, `the ZIP container is corrupt or truncated (${error instanceof Error ? error.message : String(error)})`, 'get a complete copy of the file or re-save it', error);
    }
  }
  return files;
}
