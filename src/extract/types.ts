/**
 * What every format extractor returns: the document text, its pages (offsets into the text), metadata hints
 * read from the file itself, and warnings about what could not be read.
 */
import type { Logger } from '../shared/logger.js';
import type { OcrEngineName } from './ocr/engine.js';
import type { OcrProgress } from './ocr/page-ocr.js';

export type DocumentFormat = 'pdf' | 'docx' | 'doc' | 'wps' | 'html' | 'ofd' | 'image' | 'text';
export type { OcrEngineName, OcrProgress };

export interface ExtractedPage {
  /** 1-based page number. */
  page: number;
  /** `[start, end)` offsets into `ExtractResult.text`. */
  start: number;
  end: number;
  /** True when the page's text came from OCR. */
  ocr?: boolean;
}

export interface MetadataHints {
  title?: string;
  issuer?: string;
  /** 文号, e.g. 穗府办规〔2021〕19号. */
  docNumber?: string;
  /** 成文日期, YYYY-MM-DD. */
  dateIssued?: string;
  publishedDate?: string;
  /** 实施日期, YYYY-MM-DD. */
  effectiveFrom?: string;
  /** 失效日期, YYYY-MM-DD. */
  effectiveTo?: string;
  /** 效力状态 as written, e.g. 现行有效. */
  status?: string;
  sourceUrl?: string;
}

export interface ExtractResult {
  format: DocumentFormat;
  text: string;
  pages?: ExtractedPage[];
  hints: MetadataHints;
  warnings: string[];
  /** True when any page was OCRed. */
  ocr: boolean;
}

/**
 * Per-document limits: a file past one is refused with `document_too_large` (HTTP 413) before the work it
 * would cost is done. Defaults in DEFAULT_LIMITS.
 */
export interface ExtractLimits {
  /** Pages of a paginated document. */
  pages: number;
  /** Pages (or images) that need OCR. */
  ocrPages: number;
  /** Characters of extracted text. */
  characters: number;
}

export interface ExtractOptions {
  /** `auto` (default) OCRs pages without a text layer; `off` leaves them empty with a warning. */
  ocr?: 'auto' | 'off';
  /** `paddle` (default: PP-OCR from npm) or `tesseract` (Debian's tesseract-ocr-chi-sim). */
  ocrEngine?: OcrEngineName;
  /** Folder of the OCR page cache (keyed by the file's SHA-256); no cache when absent. */
  ocrCacheDir?: string;
  /** Called after each OCRed page. */
  onProgress?: (progress: OcrProgress) => void;
  /** Limits that refuse a file (default DEFAULT_LIMITS). */
  limits?: Partial<ExtractLimits>;
  /**
   * Run in a worker thread with a heap and a time limit (isolate.ts) instead of the calling thread: what a
   * server does, so that one file never blocks its event loop.
   */
  isolate?: { timeoutMs?: number; memoryMb?: number; idleMs?: number };
  /** Zip-bomb limit for DOCX/OFD: total decompressed bytes (default 200 MiB). */
  maxDecompressedBytes?: number;
  /** Pages read at most (default: all); the rest are dropped with a warning. */
  maxPages?: number;
  logger?: Logger;
  signal?: AbortSignal;
}

/** Options with defaults filled, plus the file name for messages. */
export interface ExtractContext {
  fileName: string;
  /** SHA-256 of the bytes, hex (the OCR cache key). */
  fileHash: string;
  ocr: 'auto' | 'off';
  ocrEngine: OcrEngineName;
  ocrCacheDir: string | undefined;
  onProgress: ((progress: OcrProgress) => void) | undefined;
  limits: ExtractLimits;
  maxDecompressedBytes: number;
  maxPages: number;
  logger: Logger | undefined;
  signal: AbortSignal | undefined;
}

/**
 * One file format (or a family sharing a container, like OLE doc + wps). `sniff` looks at the content
 * (the name only breaks ties); `extract` turns bytes into text.
 */
export interface FormatExtractor {
  readonly formats: readonly DocumentFormat[];
  sniff(bytes: Uint8Array, fileName: string): DocumentFormat | undefined;
  extract(bytes: Uint8Array, format: DocumentFormat, context: ExtractContext): Promise<ExtractResult>;
}
