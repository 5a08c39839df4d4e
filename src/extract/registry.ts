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
import type { FormatExtractor } from './types.js';

export const EXTRACTORS: readonly FormatExtractor[] = [pdfExtractor, docxExtractor, ofdExtractor, oleExtractor, imageExtractor, htmlExtractor, textExtractor];
