/**
 * A cap on what a PDF's compressed streams inflate to, checked before pdf.js sees the file: pdf.js inflates a
 * FlateDecode stream whole, however large, so one 4 MB stream of zeros would cost it 4 GiB. Each stream is
 * inflated here by zlib with `maxOutputLength` (it stops at the cap rather than allocating past it), and the
 * file is refused when one would pass the cap. Streams that zlib cannot read (encrypted with an empty
 * password, or another filter) are left to pdf.js, bounded by the extraction worker's limits.
 */
import { inflateSync } from 'node:zlib';
import { documentUnreadable } from './errors.js';

const STREAM = Buffer.from('stream');
const END = Buffer.from('endstream');

/** The largest FlateDecode stream's size, or throws document_unreadable when a stream inflates past `maxBytes`. */
export function checkPdfStreams(bytes: Uint8Array, fileName: string, maxBytes: number): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let largest = 0;
  let at = buf.indexOf(STREAM);
  while (at >= 0) {
    // "stream" must follow a dictionary and be followed by an end of line ("endstream" contains it too).
    let p = at + STREAM.length;
    if (buf[p] === 0x0d) p += 1;
    const dictEnd = buf.lastIndexOf('>>', at);
    const isStream = buf[p] === 0x0a && (at < 3 || buf.subarray(at - 3, at).toString('latin1') !== 'end') && dictEnd >= 0 && /^\s*$/u.test(buf.subarray(dictEnd + 2, at).toString('latin1'));
    if (!isStream) {
      at = buf.indexOf(STREAM, at + STREAM.length);
      continue;
    }
    const start = p + 1;
    const end = buf.indexOf(END, start);
    if (end < 0) break;
    const objStart = buf.lastIndexOf(' obj', dictEnd);
    const dict = buf.subarray(Math.max(objStart, dictEnd - 4096, 0), dictEnd).toString('latin1');
    // Only a stream that is FlateDecode first: a filter chain starting elsewhere is not zlib data.
    if (/\/Filter\s*(?:\[\s*)?\/(?:FlateDecode|Fl)\b/u.test(dict) && buf[start] !== undefined && ((buf[start] as number) & 0x0f) === 8) {
      try {
        largest = Math.max(largest, inflateSync(buf.subarray(start, end), { maxOutputLength: maxBytes, finishFlush: 2 /* Z_SYNC_FLUSH: tolerate a missing end */ }).length);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
          throw documentUnreadable(fileName, `a compressed stream of the PDF (${(end - start).toLocaleString('en-US')} bytes at offset ${start}) inflates past the ${(maxBytes / 1024 / 1024).toFixed(0)} MiB limit: it looks like a decompression bomb`, 'check where the file came from; raise maxDecompressedBytes only for a file you trust');
        }
        // Corrupt or encrypted data: pdf.js decides what to do with it.
      }
    }
    at = buf.indexOf(STREAM, end + END.length);
  }
  return largest;
}
