/**
 * Tesseract as the optional engine (`OCR_ENGINE=tesseract`): Debian's `tesseract` with its Simplified Chinese
 * model (`tesseract-ocr-chi-sim`) reads the page image as TSV, whose word boxes are grouped into lines.
 * Not needed by default: the PP-OCR engine runs from npm alone.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTool, ToolMissingError } from '../tools.js';
import type { OcrEngine, OcrLine } from './engine.js';
import type { Raster } from './raster.js';

/** Why Tesseract cannot run, for the caller's warning. */
export class OcrEngineUnavailable extends Error {}

/** Turns Tesseract TSV (level 5 words) into one line per text line, in image pixels. */
export function parseTesseractTsv(tsv: string): OcrLine[] {
  const lines = new Map<string, { left: number; top: number; right: number; bottom: number; words: string[]; conf: number[] }>();
  for (const row of tsv.split('\n').slice(1)) {
    const cols = row.split('\t');
    if (cols.length < 12 || cols[0] !== '5') continue;
    const word = (cols[11] ?? '').trim();
    const conf = Number(cols[10]);
    if (word.length === 0 || conf < 0) continue;
    const [left, top, width, height] = [Number(cols[6]), Number(cols[7]), Number(cols[8]), Number(cols[9])];
    const key = `${cols[2]}.${cols[3]}.${cols[4]}`;
    const line = lines.get(key) ?? { left, top, right: left + width, bottom: top + height, words: [], conf: [] };
    line.left = Math.min(line.left, left);
    line.top = Math.min(line.top, top);
    line.right = Math.max(line.right, left + width);
    line.bottom = Math.max(line.bottom, top + height);
    line.words.push(word);
    line.conf.push(conf / 100);
    lines.set(key, line);
  }
  return [...lines.values()].map((l) => ({
    text: l.words.join(' '),
    score: l.conf.reduce((a, b) => a + b, 0) / l.conf.length,
    box: { cx: (l.left + l.right) / 2, cy: (l.top + l.bottom) / 2, width: l.right - l.left, height: Math.max(1, l.bottom - l.top), angle: 0, score: 1 },
  }));
}

export function createTesseractEngine(): OcrEngine {
  let lang: Promise<string> | undefined;
  const languages = async (signal?: AbortSignal): Promise<string> => {
    let out: Buffer;
    try {
      out = await runTool('tesseract', ['--list-langs'], { timeoutMs: 10_000, signal });
    } catch (error) {
      if (error instanceof ToolMissingError) throw new OcrEngineUnavailable('OCR_ENGINE=tesseract but tesseract is not installed: install tesseract-ocr and tesseract-ocr-chi-sim (Debian), or leave OCR_ENGINE unset for the built-in engine');
      throw error;
    }
    const langs = out.toString('utf8').split('\n').slice(1).map((l) => l.trim()).filter(Boolean);
    if (!langs.includes('chi_sim')) throw new OcrEngineUnavailable('OCR_ENGINE=tesseract but Tesseract has no Simplified Chinese model: install tesseract-ocr-chi-sim, or leave OCR_ENGINE unset for the built-in engine');
    return langs.includes('eng') ? 'chi_sim+eng' : 'chi_sim';
  };
  return {
    name: 'tesseract',
    version: 'tesseract-chi_sim-1',
    async recognize(image: Raster, signal?: AbortSignal): Promise<OcrLine[]> {
      lang ??= languages(signal);
      const l = await lang.catch((error: unknown) => {
        lang = undefined;
        throw error;
      });
      const dir = await mkdtemp(path.join(tmpdir(), 'kb-ocr-'));
      try {
        const file = path.join(dir, 'page.png');
        const { default: sharp } = await import('sharp');
        await writeFile(file, await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).png().toBuffer());
        const tsv = await runTool('tesseract', [file, 'stdout', '-l', l, '--psm', '3', 'tsv'], { timeoutMs: 120_000, signal });
        return parseTesseractTsv(tsv.toString('utf8'));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async close(): Promise<void> {},
  };
}
