/**
 * The OCR engine seam: an engine turns a page image into text lines with their boxes; lines become layout
 * fragments (points, top-down) so that OCRed text goes through the same reading-order logic as a text layer
 * (columns, running headers, re-joined paragraphs).
 */
import type { Fragment } from '../fragment.js';
import { boundsOf, type Raster, type RotatedBox } from './raster.js';

export interface OcrLine {
  text: string;
  /** The engine's confidence, 0–1. */
  score: number;
  /** Where the line is, in image pixels. */
  box: RotatedBox;
}

export interface OcrEngine {
  /** `paddle` or `tesseract`. */
  readonly name: string;
  /** Names the models: a cached page read by another version is read again. */
  readonly version: string;
  recognize(image: Raster, signal?: AbortSignal): Promise<OcrLine[]>;
  close(): Promise<void>;
}

export type OcrEngineName = 'paddle' | 'tesseract';

const CJK_GAP_RE = /(?<=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]) (?=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])/gu;

/**
 * OCR lines as layout fragments: `scale` points per image pixel, `offset` (points) where the image's top-left
 * corner lies on the page. The fragment's height is the line's height (glyph size), its width the line's length.
 */
export function linesToFragments(lines: readonly OcrLine[], scale: number, offset: { x: number; y: number } = { x: 0, y: 0 }): Fragment[] {
  return lines.map((line) => {
    const b = boundsOf(line.box);
    // A slightly skewed line: its own height, not the height of its tilted bounds.
    const height = Math.min(b.y1 - b.y0, Math.max(1, line.box.height));
    const top = line.box.cy - height / 2;
    return { x: offset.x + b.x0 * scale, y: offset.y + top * scale, width: (b.x1 - b.x0) * scale, height: height * scale, text: line.text.replace(CJK_GAP_RE, '') };
  });
}
