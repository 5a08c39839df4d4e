/**
 * ZIP containers (DOCX, OFD) read with fflate under a decompressed-size limit: the declared sizes are checked
 * before anything is inflated, and the real sizes after, so a zip bomb is refused, not unpacked.
 */
import { unzipSync, type Unzipped } from 'fflate';
import { documentUnreadable } from './errors.js';

export const DEFAULT_MAX_DECOMPRESSED = 200 * 1024 * 1024;

export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05) && (bytes[3] === 0x04 || bytes[3] === 0x06);
}

/** True when a ZIP (even one cut short, without its central directory) holds an entry of that name. */
export function zipHasEntry(bytes: Uint8Array, name: string): boolean {
  const names = zipEntryNames(bytes);
  if (names.length > 0) return names.includes(name);
  // No readable central directory (a truncated archive): the local file headers carry the names too.
  return Buffer.from(bytes).includes(Buffer.from(name, 'utf8'));
}

/** Names of the entries in the central directory, without inflating anything ([] when unreadable). */
export function zipEntryNames(bytes: Uint8Array): string[] {
  const names: string[] = [];
  try {
    unzipSync(bytes, {
      filter: (file) => {
        names.push(file.name);
        return false;
      },
    });
  } catch {
    return names;
  }
  return names;
}

/**
 * Unzips the entries `wanted` accepts, refusing archives whose entries would inflate past `maxBytes`
 * (declared or real) and corrupt or truncated archives, with a document_unreadable error naming the file.
 */
export function unzipLimited(bytes: Uint8Array, fileName: string, maxBytes: number, wanted: (name: string) => boolean = () => true): Unzipped {
  let declared = 0;
  let files: Unzipped;
  const limitMiB = (maxBytes / 1024 / 1024).toFixed(0);
  try {
    files = unzipSync(bytes, {
      filter: (file) => {
        if (!wanted(file.name)) return false;
        declared += file.originalSize;
        // A tiny entry claiming a huge ratio is a bomb even under the limit.
        if (declared > maxBytes || (file.originalSize > 10 * 1024 * 1024 && file.originalSize > file.size * 1000)) {
          throw new RangeError(`bomb:${file.name}`);
        }
        return true;
      },
    });
  } catch (error) {
    if (error instanceof RangeError && error.message.startsWith('bomb:')) {
      throw documentUnreadable(fileName, `the archive would decompress past the ${limitMiB} MiB limit (entry ${error.message.slice(5)}): it looks like a zip bomb`, 'check where the file came from; raise maxDecompressedBytes only for a file you trust');
    }
    throw documentUnreadable(fileName, `the ZIP container is corrupt or truncated (${error instanceof Error ? error.message : String(error)})`, 'get a complete copy of the file or re-save it', error);
  }
  const real = Object.values(files).reduce((n, f) => n + f.length, 0);
  if (real > maxBytes) {
    throw documentUnreadable(fileName, `the archive decompresses to more than ${limitMiB} MiB: it looks like a zip bomb`, 'check where the file came from; raise maxDecompressedBytes only for a file you trust');
  }
  return files;
}
