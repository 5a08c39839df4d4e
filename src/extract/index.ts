/**
 * Documents as people hold them: `extractDocument(bytes, fileName)` sniffs the format from the content (the
 * name only breaks ties: OLE .doc vs .wps, HTML vs text) and returns the text, pages, metadata hints and
 * warnings. Failures are KbErrors: `unsupported_format` or `document_unreadable`, naming the file.
 *
 * @example
 * const { text, pages, hints } = await extractDocument(await readFile('条例.pdf'), '条例.pdf');
 */
import { documentUnreadable, unsupportedFormat } from './errors.js';
import { EXTRACTORS } from './registry.js';
import type { DocumentFormat, ExtractContext, ExtractOptions, ExtractResult, FormatExtractor } from './types.js';
import { DEFAULT_MAX_DECOMPRESSED, isZip } from './zip.js';

export type { DocumentFormat, ExtractedPage, ExtractOptions, ExtractResult, MetadataHints } from './types.js';

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
  return 'the content is not a recognised document format (binary data)';
}

/**
 * Extracts the text of a document. Options: `ocr` (`auto` by default), `maxDecompressedBytes` (200 MiB),
 * `maxPages` (all), `logger`, `signal`.
 */
export async function extractDocument(bytes: Uint8Array, fileName: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  if (bytes.length === 0) throw documentUnreadable(fileName, 'the file is empty (0 bytes)', 'add the complete file');
  const found = sniff(bytes, fileName);
  if (!found) throw unsupportedFormat(fileName, describeUnsupported(bytes));
  const context: ExtractContext = {
    fileName,
    ocr: options.ocr ?? 'auto',
    maxDecompressedBytes: options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED,
    maxPages: options.maxPages ?? Number.POSITIVE_INFINITY,
    logger: options.logger,
    signal: options.signal,
  };
  const started = Date.now();
  const result = await found.extractor.extract(bytes, found.format, context);
  options.logger?.debug('extracted document', { file: fileName, format: result.format, pages: result.pages?.length, chars: result.text.length, ms: Date.now() - started, warnings: result.warnings.length });
  return result;
}
