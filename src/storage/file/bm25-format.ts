/**
 * The binary form of a BM25 index (`Bm25Index.toBinary`/`fromBinary`): one buffer, versioned.
 */
import { endianness } from 'node:os';
import type { Bm25Postings } from './bm25-postings.js';

const MAGIC = 'KBBM25\0\0';
const BINARY_VERSION = 1;
const HEADER_BYTES = 48;

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** Byte offsets of the sections of the binary form. */
function layout(n: number, v: number, p: number, tfWidth: number): { lengths: number; offsets: number; docs: number; tfs: number; terms: number } {
  const lengths = HEADER_BYTES;
  const offsets = align8(lengths + n * 4);
  const docs = align8(offsets + (v + 1) * 4);
  const tfs = align8(docs + p * 4);
  return { lengths, offsets, docs, tfs, terms: align8(tfs + p * tfWidth) };
}

/**
 * One buffer: a 48-byte header (magic, format version, counts, k1, b, tf width), then passage
 * lengths (u32), term offsets (u32), posting passage indices (i32), term frequencies (u8, u16 or
 * u32, as the header says), each 8-byte aligned, then the vocabulary as a UTF-8 JSON array.
 * Little-endian.
 */
export function encodeBm25(postings: Bm25Postings): Uint8Array {
  const { params, termList, postingDocs, postingTfs, docLengths, offsets } = postings;
  const n = docLengths.length;
  const v = termList.length;
  const p = postingDocs.length;
  const terms = new TextEncoder().encode(JSON.stringify(termList));
  const tfWidth = postingTfs.BYTES_PER_ELEMENT;
  const at = layout(n, v, p, tfWidth);
  const out = new Uint8Array(at.terms + terms.length);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, BINARY_VERSION, true);
  view.setUint32(12, n, true);
  view.setUint32(16, v, true);
  view.setUint32(20, p, true);
  view.setFloat64(24, params.k1, true);
  view.setFloat64(32, params.b, true);
  view.setUint32(40, terms.length, true);
  view.setUint32(44, tfWidth, true);
  const bytesOf = (a: Uint8Array | Uint16Array | Uint32Array | Int32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  out.set(bytesOf(docLengths), at.lengths);
  out.set(bytesOf(offsets), at.offsets);
  out.set(bytesOf(postingDocs), at.docs);
  out.set(bytesOf(postingTfs), at.tfs);
  out.set(terms, at.terms);
  return out;
}

/** Reads what `encodeBm25` wrote; throws a RangeError naming the first inconsistency. */
export function decodeBm25(input: Uint8Array): Bm25Postings {
  if (endianness() !== 'LE') throw new RangeError('the BM25 index file is little-endian; this machine is big-endian');
  // Typed-array views need aligned offsets; Node's pooled buffers may not be.
  const bytes = input.byteOffset % 8 === 0 ? input : input.slice();
  if (bytes.length < HEADER_BYTES || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw new RangeError('not a BM25 index (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== BINARY_VERSION) throw new RangeError(`BM25 index binary version ${version}; this build reads ${BINARY_VERSION}`);
  const n = view.getUint32(12, true);
  const v = view.getUint32(16, true);
  const p = view.getUint32(20, true);
  const params = { k1: view.getFloat64(24, true), b: view.getFloat64(32, true) };
  const termBytes = view.getUint32(40, true);
  const tfWidth = view.getUint32(44, true);
  if (tfWidth !== 1 && tfWidth !== 2 && tfWidth !== 4) throw new RangeError(`BM25 index declares ${tfWidth}-byte term frequencies; expected 1, 2 or 4`);
  const at = layout(n, v, p, tfWidth);
  if (bytes.length !== at.terms + termBytes) throw new RangeError(`BM25 index has ${bytes.length} bytes; its header describes ${at.terms + termBytes}`);
  const base = bytes.byteOffset;
  const docLengths = new Uint32Array(bytes.buffer, base + at.lengths, n);
  const offsets = new Uint32Array(bytes.buffer, base + at.offsets, v + 1);
  const postingDocs = new Int32Array(bytes.buffer, base + at.docs, p);
  const postingTfs = tfWidth === 1 ? new Uint8Array(bytes.buffer, base + at.tfs, p) : tfWidth === 2 ? new Uint16Array(bytes.buffer, base + at.tfs, p) : new Uint32Array(bytes.buffer, base + at.tfs, p);
  const termList = JSON.parse(new TextDecoder().decode(bytes.subarray(at.terms))) as unknown;
  if (!Array.isArray(termList) || termList.length !== v || !termList.every((t) => typeof t === 'string')) throw new RangeError(`BM25 vocabulary is not ${v} strings`);
  if (offsets[0] !== 0 || offsets[v] !== p) throw new RangeError('BM25 term offsets do not cover the postings');
  for (let t = 0; t < v; t += 1) {
    const from = offsets[t] as number;
    const to = offsets[t + 1] as number;
    if (to < from) throw new RangeError(`BM25 term offsets decrease at term ${t}`);
    for (let i = from; i < to; i += 1) {
      const d = postingDocs[i] as number;
      if (d < 0 || d >= n || (i > from && d <= (postingDocs[i - 1] as number))) throw new RangeError(`BM25 postings of "${termList[t] as string}" are not ascending passage indices below ${n}`);
    }
  }
  return { params, termList: termList as string[], offsets, postingDocs, postingTfs, docLengths };
}
