/**
 * Documents as people hold them: `extractDocument(bytes, fileName)` sniffs the format from the content (the
 * name only breaks ties: OLE .doc vs .wps, HTML vs text) and returns the text, pages, metadata hints and
 * warnings. Failures are KbErrors: `unsupported_format` or `document_unreadable`, naming the file.
 *
 * @example
 * const { text, pages, hints } = await extractDocument(await readFile('条例.pdf'), '条例.pdf');
 */
import { createHash } from 'node:crypto';
import { documentTooLarge, documentUnreadable, unsupportedFormat } from './errors.js';
import { extractIsolated } from './isolate.js';
import { EXTRACTORS } from './registry.js';
import type { DocumentFormat, ExtractContext, ExtractLimits, ExtractOptions, ExtractResult, FormatExtractor } from './types.js';
import { DEFAULT_MAX_DECOMPRESSED, isZip } from './zip.js';

export type { DocumentFormat, ExtractedPage, ExtractLimits, ExtractOptions, ExtractResult, MetadataHints, OcrEngineName, OcrProgress } from './types.js';

/**
 * Default per-document limits. 2,000 pages and 2 million characters hold the longest codes (the Civil Code is
 * about 110,000 characters); 100 OCR pages is about five minutes of OCR on two cores.
 */
export const DEFAULT_LIMITS: ExtractLimits = { pages: 2000, ocrPages: 100, characters: 2_000_000 };

function sniff(bytes: Uint8Array, fileName: string): { format: DocumentFormat; extractor: FormatExtractor } | undefined {
  for (const extractor of EXTRACTORS) {
    const format = extractor.sniff(bytes, fileName);
    if (format) return { format, extractor };
  }
  return undefined;
}

/** The document format from the bytes (magic numbers, container entries, markup), or undefined when unsupported. */
export function sniffFormat(bytes: Uint8Array, fileName: string): DocumentFormat | undefined {
  return sniff(bytes, fileName)?.format;
}

/** Describes what an unsupported file looks like, for the error message. */
function describeUnsupported(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'the file is empty';
  const head = Buffer.from(bytes.subarray(0, 8));
  if (head.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))) return 'the file is a PNG image';
  if (head[0] === 0xff && head[1] === 0xd8) return 'the file is a JPEG image';
  if (isZip(bytes)) return 'the file is a ZIP archive that is neither DOCX nor OFD (XLSX, PPTX and plain ZIP files are not read)';
  if (head.subarray(0, 4).toString('latin1') === 'GIF8') return 'the file is a GIF image (scans are read as PNG, JPEG, TIFF, BMP or WebP)';
  return 'the content is not a recognised document format (binary data)';
}

/**
 * Extracts the text of a document in the calling thread. Options: `ocr` (`auto` by default), `ocrEngine`
 * (`paddle`), `ocrCacheDir`, `limits` (DEFAULT_LIMITS), `maxDecompressedBytes` (200 MiB), `maxPages` (all),
 * `logger`, `signal`, `onProgress`, `isolate` (off: with it, the work runs in a worker thread with memory
 * and time limits, see isolate.ts, as servers need).
 */
export async function extractDocument(bytes: Uint8Array, fileName: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  if (options.isolate) {
    const { isolate, ...rest } = options;
    return extractIsolated(bytes, fileName, rest, isolate);
  }
  if (bytes.length === 0) throw documentUnreadable(fileName, 'the file is empty (0 bytes)', 'add the complete file');
  const found = sniff(bytes, fileName);
  if (!found) throw unsupportedFormat(fileName, describeUnsupported(bytes));
  const context: ExtractContext = {
    fileName,
    fileHash: createHash('sha256').update(bytes).digest('hex'),
    ocr: options.ocr ?? 'auto',
    ocrEngine: options.ocrEngine ?? 'paddle',
    ocrCacheDir: options.ocrCacheDir,
    onProgress: options.onProgress,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    maxDecompressedBytes: options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED,
    maxPages: options.maxPages ?? Number.POSITIVE_INFINITY,
    logger: options.logger,
    signal: options.signal,
  };
  const started = Date.now();
  const result = await found.extractor.extract(bytes, found.format, context);
  // Every format is held to the character limit (PDF and OFD check it early, page by page).
  if (result.text.length > context.limits.characters) throw documentTooLarge(fileName, 'characters of text', result.text.length, context.limits.characters, 'MAX_CHARACTERS');
  options.logger?.debug('extracted document', { file: fileName, format: result.format, pages: result.pages?.length, chars: result.text.length, ms: Date.now() - started, warnings: result.warnings.length });
  return result;
}
