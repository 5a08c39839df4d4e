/**
 * How the configuration turns into extraction options, for every path that extracts (uploads, `kb add`,
 * originals dropped into the corpus folder, both backends): OCR engine and page cache, the per-document
 * limits, and a worker thread with a time and memory limit so that no file blocks the event loop.
 */
import path from 'node:path';
import type { Config } from '../../config/index.js';
import type { ExtractOptions } from '../../extract/types.js';

/** The OCR page cache lives beside the index: rebuilding the index keeps it, deleting INDEX_DIR clears it. */
export function ocrCacheDirFor(config: Pick<Config, 'indexDir'>): string {
  return path.join(config.indexDir, 'ocr-cache');
}

export function extractOptionsFor(config: Pick<Config, 'ocr' | 'ocrEngine' | 'indexDir' | 'maxPages' | 'maxOcrPages' | 'maxCharacters' | 'extractTimeoutS' | 'extractMemoryMb'>): ExtractOptions {
  return {
    ocr: config.ocr,
    ocrEngine: config.ocrEngine,
    ocrCacheDir: ocrCacheDirFor(config),
    limits: { pages: config.maxPages, ocrPages: config.maxOcrPages, characters: config.maxCharacters },
    isolate: { timeoutMs: config.extractTimeoutS * 1000, memoryMb: config.extractMemoryMb },
  };
}
