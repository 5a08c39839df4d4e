/**
 * Streaming file I/O for the index snapshot: every file is written and read in bounded chunks with
 * its sha256 computed on the way, so no file is ever one string or one `readFile` (V8 strings stop
 * near 536M characters, `readFile` at 2 GiB; a million-passage index has files of ~1–2 GB).
 */
import { createHash, type Hash } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ERROR_CODES, KbError } from '../../shared/errors.js';
import { REBUILD_HINT } from '../types.js';

export { REBUILD_HINT };
/** What to run when there is no index yet. */
export const INGEST_HINT = 'run `npm run -s kb -- ingest`';

/** Size and checksum of one snapshot file, as the manifest records them. */
export interface FileDigest {
  bytes: number;
  sha256: string;
}

/** Writes are gathered into blocks of this size; reads go in chunks of it. */
const CHUNK_BYTES = 4 << 20;
/** One `write(2)` never takes more than this (Linux caps a single write near 2 GiB). */
const MAX_WRITE_BYTES = 64 << 20;

export function checksumError(name: string): KbError {
  return new KbError(ERROR_CODES.INDEX_CORRUPT, `index file ${name} fails its checksum (corrupted)`, { hint: REBUILD_HINT });
}

export function sizeError(name: string, size: number, expected: number): KbError {
  return new KbError(ERROR_CODES.INDEX_CORRUPT, `index file ${name} has ${size} bytes; the manifest says ${expected} bytes (truncated or replaced)`, { hint: REBUILD_HINT });
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, Math.min(bytes.length - done, MAX_WRITE_BYTES));
    done += bytesWritten;
  }
}

/**
 * A new file written front to back: small writes are gathered into 4 MiB blocks, large ones go
 * straight through; `finish` fsyncs and closes it and returns its size and sha256. Writes land in
 * the order they are called, even when a caller does not wait for one before the next; after a
 * failed write every later one fails with the same error.
 */
export class HashingFileWriter {
  private readonly hash: Hash = createHash('sha256');
  private readonly block = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private written = 0;
  private closed = false;
  private tail: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
  ) {}

  /** Creates (or truncates) `file`. */
  static async create(file: string): Promise<HashingFileWriter> {
    return new HashingFileWriter(file, await open(file, 'w'));
  }

  /** Bytes written so far, queued writes included (= the offset the next write lands at). */
  get position(): number {
    return this.written;
  }

  /** Queues `bytes` (not to be changed until the returned promise settles). */
  write(bytes: Uint8Array): Promise<void> {
    this.hash.update(bytes);
    this.written += bytes.length;
    return this.enqueue(() => this.store(bytes));
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.tail.then(() => {
      if (this.failure) throw this.failure.error;
      return step();
    });
    this.tail = run.catch((error: unknown) => {
      this.failure ??= { error };
    });
    return run;
  }

  private async store(bytes: Uint8Array): Promise<void> {
    if (this.used + bytes.length <= this.block.length) {
      this.block.set(bytes, this.used);
      this.used += bytes.length;
      return;
    }
    await this.flush();
    if (bytes.length >= this.block.length / 2) await writeAll(this.handle, bytes);
    else {
      this.block.set(bytes, 0);
      this.used = bytes.length;
    }
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    await writeAll(this.handle, this.block.subarray(0, this.used));
    this.used = 0;
  }

  /** Flushes, fsyncs and closes the file. */
  async finish(): Promise<FileDigest> {
    try {
      await this.enqueue(async () => {
        await this.flush();
        await this.handle.sync();
      });
    } finally {
      await this.close();
    }
    return { bytes: this.written, sha256: this.hash.digest('hex') };
  }

  /** Closes and deletes the unfinished file. */
  async discard(): Promise<void> {
    await this.tail;
    await this.close();
    await rm(this.file, { force: true });
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

/** Writes `bytes` to a new file (fsync'd), hashing as it goes. */
export async function writeFileHashed(file: string, bytes: Uint8Array): Promise<FileDigest> {
  const writer = await HashingFileWriter.create(file);
  try {
    await writer.write(bytes);
  } catch (error) {
    await writer.discard();
    throw error;
  }
  return writer.finish();
}

/**
 * fsyncs a file that another library wrote (hnswlib does not sync) and hashes it in chunks.
 */
export async function syncAndHashFile(file: string): Promise<FileDigest> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let bytes = 0;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, bytes);
      if (bytesRead === 0) break;
      hash.update(chunk.subarray(0, bytesRead));
      bytes += bytesRead;
    }
    return { bytes, sha256: hash.digest('hex') };
  } finally {
    await handle.close();
  }
}

/**
 * Reads a whole snapshot file into a fresh, 8-byte aligned buffer of the size the manifest gives,
 * chunk by chunk, hashing as it reads; throws index_corrupt when the size or checksum differ.
 * `keep: false` only checks (the buffer is then one reused chunk).
 */
export async function readFileVerified(file: string, expected: FileDigest, options: { keep?: boolean } = {}): Promise<Uint8Array> {
  const name = path.basename(file);
  const keep = options.keep ?? true;
  const out = keep ? new Uint8Array(expected.bytes) : undefined;
  const chunk = keep ? undefined : Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(expected.bytes, 1)));
  const hash = createHash('sha256');
  const handle = await open(file, 'r');
  try {
    let done = 0;
    while (done < expected.bytes) {
      const length = Math.min(CHUNK_BYTES, expected.bytes - done);
      const target = out ? out.subarray(done, done + length) : (chunk as Buffer).subarray(0, length);
      const { bytesRead } = await handle.read(target, 0, length, done);
      if (bytesRead === 0) break;
      hash.update(target.subarray(0, bytesRead));
      done += bytesRead;
    }
    // One byte past the expected end tells a grown file from a complete one.
    const grown = done === expected.bytes && (await handle.read(Buffer.alloc(1), 0, 1, done)).bytesRead > 0;
    if (done !== expected.bytes || grown) throw sizeError(name, (await handle.stat()).size, expected.bytes);
    if (hash.digest('hex') !== expected.sha256) throw checksumError(name);
    return out ?? new Uint8Array(0);
  } finally {
    await handle.close();
  }
}

/**
 * Reads a file front to back in exact-length pieces, hashing every byte once, in order. A piece
 * shorter than a chunk is a view into the reader's buffer, valid until the next call.
 */
export class SequentialFileReader {
  private readonly hash: Hash = createHash('sha256');
  private buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private start = 0;
  private end = 0;
  /** File offset of `buffer[end]`. */
  private filePosition = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  /** File offset of the next byte `read` returns. */
  get position(): number {
    return this.filePosition - (this.end - this.start);
  }

  /** The next `length` bytes; throws a RangeError at the end of the file. */
  async read(length: number): Promise<Uint8Array> {
    if (this.position + length > this.size) throw new RangeError(`needs ${length} bytes at byte ${this.position}; the file ends at ${this.size}`);
    if (this.end - this.start >= length) {
      const view = this.buffer.subarray(this.start, this.start + length);
      this.start += length;
      return view;
    }
    if (length > this.buffer.length / 2) {
      const out = new Uint8Array(length);
      const buffered = this.end - this.start;
      out.set(this.buffer.subarray(this.start, this.end));
      this.start = this.end = 0;
      await this.fill(out, buffered);
      return out;
    }
    this.buffer.copy(this.buffer, 0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
    while (this.end < length) {
      const want = Math.min(this.buffer.length - this.end, this.size - this.filePosition);
      const got = await this.readAt(this.buffer.subarray(this.end, this.end + want));
      this.end += got;
    }
    const view = this.buffer.subarray(0, length);
    this.start = length;
    return view;
  }

  /** Reads and hashes whatever is left; returns the sha256 of the whole file. */
  async digest(): Promise<string> {
    this.start = this.end = 0;
    while (this.filePosition < this.size) {
      await this.readAt(this.buffer.subarray(0, Math.min(this.buffer.length, this.size - this.filePosition)));
    }
    return this.hash.digest('hex');
  }

  private async fill(out: Uint8Array, from: number): Promise<void> {
    let done = from;
    while (done < out.length) done += await this.readAt(out.subarray(done, Math.min(out.length, done + CHUNK_BYTES)));
  }

  private async readAt(target: Uint8Array): Promise<number> {
    const { bytesRead } = await this.handle.read(target, 0, target.length, this.filePosition);
    if (bytesRead === 0) throw new RangeError(`the file ends at byte ${this.filePosition}, before the ${this.size} bytes it had when opened`);
    this.hash.update(target.subarray(0, bytesRead));
    this.filePosition += bytesRead;
    return bytesRead;
  }
}
