/**
 * OCR for PDF pages without a text layer: each page is rendered by poppler's `pdftoppm` and read by Tesseract
 * with the Simplified Chinese model (`tesseract-ocr-chi-sim`), as TSV so that lines keep their positions and
 * go through the same layout as a text layer. A missing engine is reported as a warning by the caller.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from '../../shared/logger.js';
import type { Fragment, LayoutPage } from '../layout.js';
import { runTool, ToolMissingError } from '../tools.js';

const DPI = 300;
const CJK_GAP_RE = /(?<=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]) (?=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])/gu;

export interface OcrOutcome {
  pages: Map<number, LayoutPage>;
  warnings: string[];
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

/** Languages Tesseract has, or undefined when the engine is missing. */
async function tesseractLanguages(signal: AbortSignal | undefined): Promise<string[] | undefined> {
  try {
    const out = await runTool('tesseract', ['--list-langs'], { timeoutMs: 10_000, signal });
    return out.toString('utf8').split('\n').slice(1).map((l) => l.trim()).filter(Boolean);
  } catch (error) {
    if (error instanceof ToolMissingError) return undefined;
    throw error;
  }
}

/** Turns Tesseract TSV (level 5 words) into one fragment per text line, in points. */
export function parseTesseractTsv(tsv: string, widthPt: number, heightPt: number): LayoutPage {
  const scale = 72 / DPI;
  const lines = new Map<string, { left: number; top: number; right: number; bottom: number; words: string[] }>();
  for (const row of tsv.split('\n').slice(1)) {
    const cols = row.split('\t');
    if (cols.length < 12 || cols[0] !== '5') continue;
    const word = (cols[11] ?? '').trim();
    if (word.length === 0 || Number(cols[10]) < 0) continue;
    const [left, top, width, height] = [Number(cols[6]), Number(cols[7]), Number(cols[8]), Number(cols[9])];
    const key = `${cols[2]}.${cols[3]}.${cols[4]}`;
    const line = lines.get(key) ?? { left, top, right: left + width, bottom: top + height, words: [] };
    line.left = Math.min(line.left, left);
    line.top = Math.min(line.top, top);
    line.right = Math.max(line.right, left + width);
    line.bottom = Math.max(line.bottom, top + height);
    line.words.push(word);
    lines.set(key, line);
  }
  const fragments: Fragment[] = [...lines.values()].map((l) => ({
    x: l.left * scale,
    y: l.top * scale,
    width: (l.right - l.left) * scale,
    height: Math.max(1, (l.bottom - l.top) * scale),
    text: l.words.join(' ').replace(CJK_GAP_RE, ''),
  }));
  return { width: widthPt, height: heightPt, fragments };
}

/**
 * OCRs the given 1-based pages of a PDF. Pages that fail are left out with a warning; a missing engine
 * (pdftoppm, tesseract or its chi_sim model) gives one warning and no pages.
 */
export async function ocrPdfPages(
  pdf: Uint8Array,
  pageNumbers: readonly number[],
  sizes: ReadonlyMap<number, { width: number; height: number }>,
  options: { fileName: string; signal?: AbortSignal | undefined; logger?: Logger | undefined },
): Promise<OcrOutcome> {
  const warnings: string[] = [];
  const pages = new Map<number, LayoutPage>();
  if (pageNumbers.length === 0) return { pages, warnings };
  const list = formatPageList(pageNumbers);
  const langs = await tesseractLanguages(options.signal);
  if (langs === undefined) {
    warnings.push(`OCR engine not found: page(s) ${list} have no text layer and were left empty; install tesseract-ocr and tesseract-ocr-chi-sim (Debian) to read them`);
    return { pages, warnings };
  }
  if (!langs.includes('chi_sim')) {
    warnings.push(`Tesseract has no Simplified Chinese model: page(s) ${list} have no text layer and were left empty; install tesseract-ocr-chi-sim`);
    return { pages, warnings };
  }
  const lang = langs.includes('eng') ? 'chi_sim+eng' : 'chi_sim';
  const dir = await mkdtemp(path.join(tmpdir(), 'kb-ocr-'));
  try {
    const input = path.join(dir, 'in.pdf');
    await writeFile(input, pdf);
    for (const n of pageNumbers) {
      const started = Date.now();
      const base = path.join(dir, `p${n}`);
      try {
        await runTool('pdftoppm', ['-r', String(DPI), '-gray', '-png', '-singlefile', '-f', String(n), '-l', String(n), input, base], { timeoutMs: 60_000, signal: options.signal });
        const tsv = await runTool('tesseract', [`${base}.png`, 'stdout', '-l', lang, '--psm', '3', 'tsv'], { timeoutMs: 120_000, signal: options.signal });
        const size = sizes.get(n) ?? { width: 595, height: 842 };
        pages.set(n, parseTesseractTsv(tsv.toString('utf8'), size.width, size.height));
        options.logger?.info('ocr page', { file: options.fileName, page: n, done: pages.size, of: pageNumbers.length, ms: Date.now() - started });
      } catch (error) {
        if (error instanceof ToolMissingError) {
          warnings.push(`${error.tool} not found: page(s) ${list} have no text layer and were left empty; install poppler-utils to render them for OCR`);
          return { pages, warnings };
        }
        if (options.signal?.aborted) throw error;
        warnings.push(`OCR of page ${n} failed (${error instanceof Error ? error.message : String(error)}); the page was left empty`);
      } finally {
        await rm(`${base}.png`, { force: true });
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { pages, warnings };
}
