/**
 * `documents.bin`: the indexed documents (metadata, content hash, source, section tree and body),
 * one record per document, written and read one record at a time: no string ever holds the whole
 * file, so a corpus of any size fits (a JSON array of every document stops near V8's 536M-character
 * string limit). Passage text is not stored anywhere else: it is always `body.slice(start, end)`.
 *
 * Layout, little-endian:
 *
 *   header   16 bytes: magic "KBDOCS\0\0", u32 version (1), u32 reserved (0)
 *   records  one per document, in the order written, each:
 *              u32 meta bytes M, u32 body bytes B, u32 flags, u32 CRC-32 of the M + B bytes,
 *              M bytes of UTF-8 JSON {meta, contentHash, source, tree}, B bytes of body
 *            flags bit 0: the body is UTF-16LE instead of UTF-8 (only for a body holding a lone
 *            surrogate, which UTF-8 cannot carry; offsets into the body must survive exactly)
 *   offsets  n + 1 u64: where each record starts, then where this table starts
 *   ids      per record: u32 byte length + the UTF-8 docId
 *   footer   32 bytes: u64 offsets start, u64 ids start, u32 n, u32 CRC-32 of offsets + ids,
 *            magic "KBDOCEND"
 *
 * The footer, the offset table and the ids let a reader find and read one document without the
 * others (`openDocumentsFile`); loading reads front to back (`readDocumentsFile`). Every record
 * carries its own CRC-32, so a reader of one record can check it without hashing the file.
 */
import { open, type FileHandle } from 'node:fs/promises';
import * as zlib from 'node:zlib';
import type { SectionNode } from '../../corpus/parser.js';
import type { IndexedDocument } from './knowledge-index.js';
import { ERROR_CODES, KbError } from '../../shared/errors.js';
import { HashingFileWriter, REBUILD_HINT, SequentialFileReader, checksumError, sizeError, type FileDigest } from './snapshot-io.js';

export const DOCUMENTS_FILE = 'documents.bin';

const MAGIC = Buffer.from('KBDOCS\0\0', 'latin1');
const END_MAGIC = Buffer.from('KBDOCEND', 'latin1');
const VERSION = 1;
const HEADER_BYTES = 16;
const RECORD_HEADER_BYTES = 16;
const FOOTER_BYTES = 32;
const FLAG_UTF16 = 1;

/** A surrogate without its pair (a string UTF-8 cannot encode as it is). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

type Crc32 = (data: Uint8Array, value?: number) => number;

let crcTable: Uint32Array | undefined;
const nativeCrc32 = (zlib as { crc32?: Crc32 }).crc32;
/**
 * zlib.crc32 where Node has it (20.15+), else the same CRC-32 (IEEE) computed here. An empty
 * input returns `value` itself (zlib answers 0 for an empty buffer without memory behind it).
 */
const crc32: Crc32 = (data, value = 0) => (data.length === 0 ? value : nativeCrc32 ? nativeCrc32(data, value) : tableCrc32(data, value));

/** CRC-32 (IEEE) without zlib, for Node before 20.15; exported for its test against zlib. */
export function tableCrc32(data: Uint8Array, value = 0): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let c = ~value >>> 0;
  for (const byte of data) c = (crcTable[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

function damaged(file: string, detail: string, cause?: unknown): KbError {
  return new KbError(ERROR_CODES.INDEX_CORRUPT, `documents file ${file} is damaged: ${detail}`, cause === undefined ? { hint: REBUILD_HINT } : { hint: REBUILD_HINT, cause });
}

/** What a record's JSON part holds: the document minus its body. */
type DocumentHead = Omit<IndexedDocument, 'body'>;

/**
 * Writes `documents.bin` one document at a time. `finish` writes the offset table, ids and footer,
 * fsyncs and closes; `discard` closes and deletes an unfinished file.
 */
export class DocumentsFileWriter {
  private readonly offsets: number[] = [];
  private readonly ids: string[] = [];
  private readonly seen = new Set<string>();

  private constructor(private readonly out: HashingFileWriter) {}

  static async create(file: string): Promise<DocumentsFileWriter> {
    const out = await HashingFileWriter.create(file);
    const header = Buffer.alloc(HEADER_BYTES);
    MAGIC.copy(header, 0);
    header.writeUInt32LE(VERSION, 8);
    try {
      await out.write(header);
    } catch (error) {
      await out.discard();
      throw error;
    }
    return new DocumentsFileWriter(out);
  }

  get count(): number {
    return this.ids.length;
  }

  /** docIds added so far, in order. */
  get docIds(): readonly string[] {
    return this.ids;
  }

  /** Appends one record; `add`s not awaited one by one still land whole and in call order. */
  async add(doc: IndexedDocument): Promise<void> {
    const docId = doc.meta.docId;
    // The callers put each docId once (the scan refuses a second file with one): a repeat is a bug here, not bad input.
    if (this.seen.has(docId)) throw new KbError(ERROR_CODES.INTERNAL, `document ${docId} was added to ${this.out.file} twice; each docId goes in once`);
    const head: DocumentHead = { meta: doc.meta, contentHash: doc.contentHash, source: doc.source, tree: doc.tree };
    const meta = encoder.encode(JSON.stringify(head));
    const utf16 = LONE_SURROGATE.test(doc.body);
    const body = utf16 ? Buffer.from(doc.body, 'utf16le') : encoder.encode(doc.body);
    if (meta.length > 0xffffffff || body.length > 0xffffffff) throw new KbError(ERROR_CODES.INVALID_INPUT, `document ${docId} is ${meta.length + body.length} bytes; a record holds at most 4 GiB`);
    const header = Buffer.alloc(RECORD_HEADER_BYTES);
    header.writeUInt32LE(meta.length, 0);
    header.writeUInt32LE(body.length, 4);
    header.writeUInt32LE(utf16 ? FLAG_UTF16 : 0, 8);
    header.writeUInt32LE(crc32(body, crc32(meta)), 12);
    this.seen.add(docId);
    this.ids.push(docId);
    this.offsets.push(this.out.position);
    // Queued in call order, so adds that do not wait for each other still write whole records.
    await Promise.all([this.out.write(header), this.out.write(meta), this.out.write(body)]);
  }

  async finish(): Promise<FileDigest & { count: number }> {
    const n = this.ids.length;
    const tableStart = this.out.position;
    const table = Buffer.alloc((n + 1) * 8);
    this.offsets.forEach((offset, i) => table.writeBigUInt64LE(BigInt(offset), i * 8));
    table.writeBigUInt64LE(BigInt(tableStart), n * 8);
    const idBlock = Buffer.concat(
      this.ids.flatMap((id) => {
        const bytes = Buffer.from(id, 'utf8');
        const length = Buffer.alloc(4);
        length.writeUInt32LE(bytes.length, 0);
        return [length, bytes];
      }),
    );
    const footer = Buffer.alloc(FOOTER_BYTES);
    footer.writeBigUInt64LE(BigInt(tableStart), 0);
    footer.writeBigUInt64LE(BigInt(tableStart + table.length), 8);
    footer.writeUInt32LE(n, 16);
    footer.writeUInt32LE(crc32(idBlock, crc32(table)), 20);
    END_MAGIC.copy(footer, 24);
    try {
      await Promise.all([this.out.write(table), this.out.write(idBlock), this.out.write(footer)]);
    } catch (error) {
      await this.out.discard();
      throw error;
    }
    return { ...(await this.out.finish()), count: n };
  }

  discard(): Promise<void> {
    return this.out.discard();
  }
}

/** Writes every document of `documents` (an array, a generator, an async stream) to `file`. */
export async function writeDocumentsFile(file: string, documents: Iterable<IndexedDocument> | AsyncIterable<IndexedDocument>): Promise<FileDigest & { count: number }> {
  const writer = await DocumentsFileWriter.create(file);
  try {
    for await (const doc of documents) await writer.add(doc);
  } catch (error) {
    await writer.discard();
    throw error;
  }
  return writer.finish();
}

interface Footer {
  tableStart: number;
  idsStart: number;
  count: number;
  crc: number;
}

/** The footer of a file of `size` bytes, checked against the file's own bounds. */
function parseFooter(bytes: Uint8Array, size: number): Footer {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!view.subarray(24, 32).equals(END_MAGIC)) throw new RangeError('it has no end marker (truncated, or not a documents file)');
  const tableStart = Number(view.readBigUInt64LE(0));
  const idsStart = Number(view.readBigUInt64LE(8));
  const count = view.readUInt32LE(16);
  if (tableStart < HEADER_BYTES || idsStart !== tableStart + (count + 1) * 8 || idsStart + count * 4 > size - FOOTER_BYTES) {
    throw new RangeError(`its footer places ${count} records' table at bytes ${tableStart}–${idsStart} of a ${size}-byte file`);
  }
  return { tableStart, idsStart, count, crc: view.readUInt32LE(20) };
}

function checkHeader(bytes: Uint8Array): void {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!view.subarray(0, 8).equals(MAGIC)) throw new RangeError('it does not start with the documents-file magic');
  const version = view.readUInt32LE(8);
  if (version !== VERSION) throw new RangeError(`it is version ${version}; this build reads version ${VERSION}`);
}

/** The offset table and ids, checked against the footer's CRC. */
function parseDirectory(table: Uint8Array, ids: Uint8Array, footer: Footer): { offsets: number[]; docIds: string[] } {
  if (crc32(ids, crc32(table)) !== footer.crc) throw new RangeError('its offset table fails its CRC-32');
  const tableView = Buffer.from(table.buffer, table.byteOffset, table.byteLength);
  const offsets = Array.from({ length: footer.count + 1 }, (_, i) => Number(tableView.readBigUInt64LE(i * 8)));
  const idsView = Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength);
  const docIds: string[] = [];
  let at = 0;
  for (let i = 0; i < footer.count; i += 1) {
    if (at + 4 > idsView.length) throw new RangeError(`its id list ends after ${i} of ${footer.count} ids`);
    const length = idsView.readUInt32LE(at);
    if (at + 4 + length > idsView.length) throw new RangeError(`its id list ends inside id ${i}`);
    docIds.push(utf8.decode(idsView.subarray(at + 4, at + 4 + length)));
    at += 4 + length;
  }
  if (at !== idsView.length) throw new RangeError(`its id list has ${idsView.length - at} bytes after the last id`);
  return { offsets, docIds };
}

function parseRecordHeader(bytes: Uint8Array): { metaBytes: number; bodyBytes: number; flags: number; crc: number } {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { metaBytes: view.readUInt32LE(0), bodyBytes: view.readUInt32LE(4), flags: view.readUInt32LE(8), crc: view.readUInt32LE(12) };
}

function decodeBody(bytes: Uint8Array, flags: number): string {
  return flags & FLAG_UTF16 ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf16le') : utf8.decode(bytes);
}

function assembleDocument(metaText: string, body: string): IndexedDocument {
  const head = JSON.parse(metaText) as Partial<DocumentHead> | null;
  if (typeof head?.meta?.docId !== 'string' || typeof head.contentHash !== 'string' || typeof head.source !== 'string' || typeof head.tree !== 'object') {
    throw new RangeError('its JSON lacks meta.docId, contentHash, source or tree');
  }
  return { meta: head.meta, body, contentHash: head.contentHash, source: head.source, tree: head.tree as SectionNode };
}

/** Reads record `i` of `n` at `start` through `read`, checking its bounds (`end`) and CRC. */
async function readRecord(read: (length: number) => Promise<Uint8Array>, i: number, start: number, end: number): Promise<IndexedDocument> {
  const where = `record ${i} (byte ${start})`;
  if (start + RECORD_HEADER_BYTES > end) throw new RangeError(`${where} has no room for its header before byte ${end}`);
  const { metaBytes, bodyBytes, flags, crc } = parseRecordHeader(await read(RECORD_HEADER_BYTES));
  if (start + RECORD_HEADER_BYTES + metaBytes + bodyBytes > end) throw new RangeError(`${where} claims ${metaBytes} + ${bodyBytes} bytes, past byte ${end}`);
  if (flags & ~FLAG_UTF16) throw new RangeError(`${where} has unknown flags ${flags}`);
  const metaView = await read(metaBytes);
  // The view is reused by the next read: decode (copy) it first.
  let running = crc32(metaView);
  let metaText: string | Error;
  try {
    metaText = utf8.decode(metaView);
  } catch (error) {
    metaText = error as Error;
  }
  const bodyView = await read(bodyBytes);
  running = crc32(bodyView, running);
  if (running !== crc) throw new RangeError(`${where} fails its CRC-32`);
  try {
    if (metaText instanceof Error) throw metaText;
    return assembleDocument(metaText, decodeBody(bodyView, flags));
  } catch (error) {
    throw new RangeError(`${where} does not decode (${(error as Error).message})`);
  }
}

/**
 * Reads every document of `file`, front to back, one record at a time. With `expected` (the
 * manifest's size and sha256) the file is hashed on the way and a mismatch reported as the
 * manifest check reports it, before any decoding complaint (a damaged file fails its checksum).
 * Throws index_corrupt naming the file and what is wrong.
 */
export async function readDocumentsFile(file: string, options: { expected?: FileDigest } = {}): Promise<IndexedDocument[]> {
  const { expected } = options;
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (expected && size !== expected.bytes) throw sizeError(DOCUMENTS_FILE, size, expected.bytes);
    const reader = new SequentialFileReader(handle, size);
    const documents: IndexedDocument[] = [];
    let problem: Error | undefined;
    try {
      await decodeAll(handle, reader, size, documents);
    } catch (error) {
      problem = error as Error;
    }
    // Hash to the end even after a problem: a file that fails its checksum is reported as such.
    const digest = expected ? await reader.digest().catch(() => undefined) : undefined;
    if (expected && digest !== expected.sha256) throw checksumError(DOCUMENTS_FILE);
    if (problem) throw problem instanceof KbError ? problem : damaged(file, problem.message, problem);
    return documents;
  } finally {
    await handle.close();
  }
}

async function decodeAll(handle: FileHandle, reader: SequentialFileReader, size: number, documents: IndexedDocument[]): Promise<void> {
  if (size < HEADER_BYTES + 8 + FOOTER_BYTES) throw new RangeError(`it has ${size} bytes, fewer than an empty documents file (truncated)`);
  const footerBytes = Buffer.alloc(FOOTER_BYTES);
  await handle.read(footerBytes, 0, FOOTER_BYTES, size - FOOTER_BYTES);
  const footer = parseFooter(footerBytes, size);
  checkHeader(await reader.read(HEADER_BYTES));
  const starts: number[] = [];
  const read = (length: number): Promise<Uint8Array> => reader.read(length);
  while (reader.position < footer.tableStart) {
    if (starts.length === footer.count) throw new RangeError(`it holds more records than the ${footer.count} its footer counts`);
    starts.push(reader.position);
    documents.push(await readRecord(read, starts.length - 1, reader.position, footer.tableStart));
  }
  if (starts.length !== footer.count) throw new RangeError(`it holds ${starts.length} records; its footer counts ${footer.count}`);
  const table = Buffer.from(await reader.read(footer.idsStart - footer.tableStart));
  const { offsets, docIds } = parseDirectory(table, await reader.read(size - FOOTER_BYTES - footer.idsStart), footer);
  if (offsets.some((offset, i) => offset !== (starts[i] ?? footer.tableStart))) throw new RangeError('its offset table does not match its records');
  const mismatch = docIds.findIndex((id, i) => id !== documents[i]?.meta.docId);
  if (mismatch >= 0) throw new RangeError(`its id list names ${docIds[mismatch]} for record ${mismatch}, which holds ${documents[mismatch]?.meta.docId}`);
  await reader.read(FOOTER_BYTES);
}

/** One documents file opened for reading single documents (see `openDocumentsFile`). */
export interface DocumentsFile {
  /** docIds in record order. */
  readonly docIds: readonly string[];
  /** Reads one document by docId (its record's CRC checked); undefined when the file lacks it. */
  read(docId: string): Promise<IndexedDocument | undefined>;
  close(): Promise<void>;
}

/**
 * Opens `file` for random access: reads only its footer and directory; each `read(docId)` then
 * reads that one record. Throws index_corrupt naming the file when the directory is damaged.
 *
 * @example
 * const docs = await openDocumentsFile(path.join(versionDir, DOCUMENTS_FILE));
 * try { const yunfu = await docs.read('yunfu'); } finally { await docs.close(); }
 */
export async function openDocumentsFile(file: string): Promise<DocumentsFile> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size < HEADER_BYTES + 8 + FOOTER_BYTES) throw damaged(file, `it has ${size} bytes, fewer than an empty documents file (truncated)`);
    const readAt = async (position: number, length: number): Promise<Uint8Array> => {
      const bytes = Buffer.alloc(length);
      const { bytesRead } = await handle.read(bytes, 0, length, position);
      if (bytesRead !== length) throw new RangeError(`it ends at byte ${position + bytesRead}, inside the ${length} bytes read from ${position}`);
      return bytes;
    };
    let directory: { offsets: number[]; docIds: string[] };
    try {
      checkHeader(await readAt(0, HEADER_BYTES));
      const footer = parseFooter(await readAt(size - FOOTER_BYTES, FOOTER_BYTES), size);
      directory = parseDirectory(await readAt(footer.tableStart, footer.idsStart - footer.tableStart), await readAt(footer.idsStart, size - FOOTER_BYTES - footer.idsStart), footer);
    } catch (error) {
      throw damaged(file, (error as Error).message, error);
    }
    const { offsets, docIds } = directory;
    const positions = new Map(docIds.map((id, i) => [id, i] as const));
    return {
      docIds,
      async read(docId) {
        const i = positions.get(docId);
        if (i === undefined) return undefined;
        const start = offsets[i] as number;
        const end = offsets[i + 1] as number;
        let at = start;
        const read = async (length: number): Promise<Uint8Array> => {
          const bytes = await readAt(at, length);
          at += length;
          return bytes;
        };
        try {
          const doc = await readRecord(read, i, start, end);
          if (doc.meta.docId !== docId) throw new RangeError(`record ${i} holds ${doc.meta.docId}, not ${docId}`);
          return doc;
        } catch (error) {
          throw damaged(file, (error as Error).message, error);
        }
      },
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
