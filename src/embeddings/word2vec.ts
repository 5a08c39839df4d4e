/**
 * Reader for the word2vec binary format: a header line `<count> <dim>\n`, then per word its UTF-8
 * bytes, a space, `dim` little-endian float32 and (usually) a newline.
 */
import { ERROR_CODES, KbError } from '../shared/errors.js';

export interface WordVectors {
  words: string[];
  dim: number;
  /** Row-major [words.length, dim]. */
  vectors: Float32Array;
}

export function parseWord2VecBinary(bytes: Uint8Array, source = 'words.vector'): WordVectors {
  const newline = bytes.indexOf(0x0a);
  const header = new TextDecoder().decode(bytes.subarray(0, newline === -1 ? Math.min(bytes.length, 64) : newline));
  const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(header);
  if (newline === -1 || !match) {
    throw new KbError(ERROR_CODES.MODEL_BUILD_FAILED, `${source}: not a word2vec binary file (header "${header.slice(0, 40)}"; expected "<count> <dim>")`);
  }
  const count = Number(match[1]);
  const dim = Number(match[2]);
  const vectors = new Float32Array(count * dim);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const words: string[] = [];
  let pos = newline + 1;
  for (let i = 0; i < count; i += 1) {
    while (pos < bytes.length && (bytes[pos] === 0x0a || bytes[pos] === 0x20)) pos += 1;
    const space = bytes.indexOf(0x20, pos);
    if (space === -1 || space + 1 + dim * 4 > bytes.length) {
      throw new KbError(ERROR_CODES.MODEL_BUILD_FAILED, `${source}: truncated at word ${i + 1} of ${count} (byte ${pos} of ${bytes.length}); fetch the package again`);
    }
    words.push(decoder.decode(bytes.subarray(pos, space)));
    let at = space + 1;
    const row = i * dim;
    for (let d = 0; d < dim; d += 1, at += 4) vectors[row + d] = view.getFloat32(at, true);
    pos = at;
  }
  return { words, dim, vectors };
}
