/**
 * OCR of page images, shared by scanned PDFs and image files: one engine per process (models load once), a
 * page cache keyed by the file's SHA-256 so that adding the same file again does not read it again, per-page
 * progress, and cancellation between pages and line batches.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../shared/fs-atomic.js';
import type { Logger } from '../../shared/logger.js';
import type { Fragment } from '../fragment.js';
import { linesToFragments, type OcrEngine, type OcrEngineName } from './engine.js';
import { createPaddleEngine } from './paddle-engine.js';
import type { Raster } from './raster.js';
import { createTesseractEngine } from './tesseract-engine.js';

/** What OCR reports after each page. */
export interface OcrProgress {
  file: string;
  page: number;
  done: number;
  of: number;
  ms: number;
  cached: boolean;
}

export interface OcrSettings {
  engine: OcrEngineName;
  fileName: string;
  /** SHA-256 of the file, hex: the cache key. */
  fileHash: string;
  /** Folder of the page cache; none when undefined. */
  cacheDir?: string | undefined;
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
  onProgress?: ((progress: OcrProgress) => void) | undefined;
}

/** Pixels per point each engine reads pages at: PP-OCR at 180 dpi, Tesseract at 300 dpi (its documented optimum). */
export const RENDER_SCALE: Record<OcrEngineName, number> = { paddle: 2.5, tesseract: 300 / 72 };

const engines = new Map<OcrEngineName, OcrEngine>();

/** The process's engine of that name (created on first use; its models stay loaded). */
export function ocrEngine(name: OcrEngineName): OcrEngine {
  let engine = engines.get(name);
  if (!engine) {
    engine = name === 'tesseract' ? createTesseractEngine() : createPaddleEngine();
    engines.set(name, engine);
  }
  return engine;
}

/** One image to read: its place in the file, where it sits on the page (points), and how to get its pixels. */
export interface OcrJob {
  page: number;
  /** Part of the page the image covers, in points; the whole page when absent. */
  region?: { x0: number; y0: number; x1: number; y1: number } | undefined;
  /** Pixels per point of the raster `image()` gives. */
  scale: number;
  image: () => Promise<Raster>;
}

function cacheFile(settings: OcrSettings, engine: OcrEngine, job: OcrJob): string | undefined {
  if (!settings.cacheDir) return undefined;
  const where = job.region ? `-${[job.region.x0, job.region.y0, job.region.x1, job.region.y1].map((v) => Math.round(v)).join('_')}` : '';
  return path.join(settings.cacheDir, settings.fileHash.slice(0, 2), settings.fileHash, `${engine.version}-p${job.page}${where}-s${job.scale.toFixed(2)}.json`);
}

async function readCached(file: string | undefined): Promise<Fragment[] | undefined> {
  if (!file) return undefined;
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { fragments?: Fragment[] };
    return Array.isArray(parsed.fragments) ? parsed.fragments : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads each job's image; returns the text fragments per job (same order), in page points. The first failure
 * of the engine itself (missing, broken) is thrown; the caller turns it into a warning.
 */
export async function runOcrJobs(jobs: readonly OcrJob[], settings: OcrSettings): Promise<Fragment[][]> {
  const engine = ocrEngine(settings.engine);
  const out: Fragment[][] = [];
  for (const [i, job] of jobs.entries()) {
    settings.signal?.throwIfAborted();
    const started = Date.now();
    const file = cacheFile(settings, engine, job);
    let fragments = await readCached(file);
    const cached = fragments !== undefined;
    if (!fragments) {
      const image = await job.image();
      settings.signal?.throwIfAborted();
      const lines = await engine.recognize(image, settings.signal);
      fragments = linesToFragments(lines, 1 / job.scale, { x: job.region?.x0 ?? 0, y: job.region?.y0 ?? 0 });
      if (file) {
        try {
          await mkdir(path.dirname(file), { recursive: true });
          await writeFileAtomic(file, JSON.stringify({ engine: engine.version, page: job.page, fragments }));
        } catch (error) {
          // A cache that cannot be written costs time later, nothing now.
          settings.logger?.warn('OCR page cache not written', { file: settings.fileName, error: error instanceof Error ? error.message : String(error) });
        }
      }
    }
    out.push(fragments);
    const progress: OcrProgress = { file: settings.fileName, page: job.page, done: i + 1, of: jobs.length, ms: Date.now() - started, cached };
    settings.logger?.info('ocr page', { ...progress });
    settings.onProgress?.(progress);
  }
  return out;
}

/** "1, 2, 3, 5" → "1–3, 5": page lists in warnings stay short for long scans. */
export function formatPageList(pages: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < pages.length; i += 1) {
    let j = i;
    while (j + 1 < pages.length && pages[j + 1] === (pages[j] as number) + 1) j += 1;
    parts.push(j > i + 1 ? `${pages[i]}–${pages[j]}` : j === i + 1 ? `${pages[i]}, ${pages[j]}` : String(pages[i]));
    i = j;
  }
  return parts.join(', ');
}

/** The warning for pages left unread because the engine could not run. */
export function ocrFailureWarning(error: unknown, pages: readonly number[]): string {
  const why = error instanceof Error ? error.message : String(error);
  return `OCR could not read page(s) ${formatPageList(pages)} (${why}); they were left empty`;
}
