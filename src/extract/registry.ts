/**
 * The format registry: extractors in sniffing order (most specific container first, plain text last).
 * Adding a format is adding a module under formats/ and a line here.
 */
import { docxExtractor } from './formats/docx.js';
import { htmlExtractor } from './formats/html.js';
import { imageExtractor } from './formats/image.js';
import { ofdExtractor } from './formats/ofd.js';
import { oleExtractor } from './formats/ole.js';
import { pdfExtractor } from './formats/pdf.js';
import { textExtractor } from './formats/text.js';
import type { DocumentFormat, FormatExtractor } from './types.js';

export const EXTRACTORS: readonly FormatExtractor[] = [pdfExtractor, docxExtractor, ofdExtractor, oleExtractor, imageExtractor, htmlExtractor, textExtractor];

/**
 * The file-name extensions each format goes by (lower case, with the dot): the one list every
 * other place derives from (the corpus folder's reader, originals dropped into it). Images are
 * recognised by their content only (OCR), never by name alone, so they have none here.
 */
export const FORMAT_EXTENSIONS: Readonly<Partial<Record<DocumentFormat, readonly string[]>>> = {
  text: ['.txt'],
  pdf: ['.pdf'],
  docx: ['.docx'],
  doc: ['.doc'],
  wps: ['.wps'],
  html: ['.html', '.htm', '.shtml', '.xhtml'],
  ofd: ['.ofd'],
};

/** Names of files people drop in as documents; anything else is picked up only when its content is a known binary format. */
export const DOCUMENT_EXTENSIONS: ReadonlySet<string> = new Set(Object.values(FORMAT_EXTENSIONS).flat());

/** Corpus documents themselves, read as they are: Markdown, and text (UTF-8; other encodings are extracted). */
export const CORPUS_TEXT_EXTENSIONS: ReadonlySet<string> = new Set(['.md', ...(FORMAT_EXTENSIONS.text ?? [])]);
