/** Plain text in UTF-8 (with or without BOM), UTF-16 or GB18030/GBK: detected, never garbled. */
import { decodeUnknown, looksLikeText } from '../decode.js';
import { documentUnreadable } from '../errors.js';
import { guessHintsFromText } from '../hints.js';
import { dropInvisible, visibleLength } from '../text-normalize.js';
import type { ExtractContext, ExtractResult, FormatExtractor } from '../types.js';

async function extractText(bytes: Uint8Array, _format: string, ctx: ExtractContext): Promise<ExtractResult> {
  const decoded = decodeUnknown(bytes);
  if (!decoded || !looksLikeText(decoded.text)) {
    throw documentUnreadable(ctx.fileName, 'the file is not readable text in UTF-8, UTF-16 or GB18030/GBK', 'save it as UTF-8 text');
  }
  const text = dropInvisible(decoded.text).replace(/\r\n?/gu, '\n').replace(/[ \t]+$/gmu, '').trim();
  if (visibleLength(text) === 0) throw documentUnreadable(ctx.fileName, 'the file contains no text', 'add a file with the document text');
  const warnings = decoded.encoding === 'utf-8' ? [] : [`decoded as ${decoded.encoding}`];
  return { format: 'text', text, hints: guessHintsFromText(text, {}), warnings, ocr: false };
}

export const textExtractor: FormatExtractor = {
  formats: ['text'],
  sniff(bytes) {
    if (bytes.length === 0) return undefined;
    let end = Math.min(bytes.length, 64 * 1024);
    // Do not cut a UTF-8 sequence in two: back up to a lead byte.
    if (end < bytes.length) while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
    const decoded = decodeUnknown(bytes.subarray(0, end));
    // A sample may cut a multi-byte character: looksLikeText tolerates a few bad characters.
    return decoded && looksLikeText(decoded.text) ? 'text' : undefined;
  },
  extract: extractText,
};
