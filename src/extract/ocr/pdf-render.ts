/**
 * PDF pages as images, from npm alone: pdf.js (bundled by unpdf) draws on a Skia canvas (`@napi-rs/canvas`,
 * prebuilt binaries). Also finds where a page paints images, so that a page with a text layer and a scanned
 * figure gets the figure read too.
 */
import { createIsomorphicCanvasFactory, getResolvedPDFJS } from 'unpdf';
import type { getDocumentProxy } from 'unpdf';
import { rgbaToRgb, type Raster } from './raster.js';

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;
type PdfPage = Awaited<ReturnType<PdfDocument['getPage']>>;

// pdf.js 5 calls ArrayBuffer.prototype.transferToFixedLength (Node 21+) when it draws with system fonts; it
// polyfills its other newer built-ins itself but not this one. Node 20 gets the same behaviour (a copy of the
// first `length` bytes), defined only where it is missing, as pdf.js defines its own polyfills.
if (typeof (ArrayBuffer.prototype as { transferToFixedLength?: unknown }).transferToFixedLength !== 'function') {
  Object.defineProperty(ArrayBuffer.prototype, 'transferToFixedLength', {
    value(this: ArrayBuffer, length?: number): ArrayBuffer {
      const size = length ?? this.byteLength;
      const copy = new ArrayBuffer(size);
      new Uint8Array(copy).set(new Uint8Array(this, 0, Math.min(size, this.byteLength)));
      return copy;
    },
    writable: true,
    configurable: true,
  });
}

type CanvasFactoryClass = Awaited<ReturnType<typeof createIsomorphicCanvasFactory>>;
let factory: Promise<CanvasFactoryClass> | undefined;

/** pdf.js's canvas factory backed by @napi-rs/canvas (loaded once, on first use). */
export function canvasFactory(): Promise<CanvasFactoryClass> {
  factory ??= createIsomorphicCanvasFactory(() => import('@napi-rs/canvas'));
  return factory;
}

/** A rectangle on the page, in points, top-down (pdf.js viewport space at scale 1). */
export interface PageRegion {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

type Matrix = [number, number, number, number, number, number];
const multiply = (m: Matrix, n: Matrix): Matrix => [m[0] * n[0] + m[2] * n[1], m[1] * n[0] + m[3] * n[1], m[0] * n[2] + m[2] * n[3], m[1] * n[2] + m[3] * n[3], m[0] * n[4] + m[2] * n[5] + m[4], m[1] * n[4] + m[3] * n[5] + m[5]];

/**
 * Where the page paints raster images (scans, screenshots, photos), in page points top-down; images smaller
 * than `minArea` square points (a logo, a seal, a rule) are left out.
 */
export async function imageRegions(page: PdfPage, minArea: number): Promise<PageRegion[]> {
  const { OPS } = (await getResolvedPDFJS()) as unknown as { OPS: Record<string, number> };
  const list = await page.getOperatorList();
  const viewport = page.getViewport({ scale: 1 }).transform as Matrix;
  const paints = new Set([OPS.paintImageXObject, OPS.paintInlineImageXObject, OPS.paintImageXObjectRepeat, OPS.paintInlineImageXObjectGroup]);
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  const stack: Matrix[] = [];
  const regions: PageRegion[] = [];
  list.fnArray.forEach((fn, i) => {
    const args = list.argsArray[i] as unknown[] | null;
    if (fn === OPS.save || fn === OPS.paintFormXObjectBegin) {
      stack.push(ctm);
      const matrix = fn === OPS.paintFormXObjectBegin ? (args?.[0] as Matrix | null) : null;
      if (matrix) ctm = multiply(ctm, matrix);
    } else if (fn === OPS.restore || fn === OPS.paintFormXObjectEnd) {
      ctm = stack.pop() ?? ctm;
    } else if (fn === OPS.transform && args) {
      ctm = multiply(ctm, args as Matrix);
    } else if (paints.has(fn)) {
      // An image fills the unit square of its CTM.
      const m = multiply(viewport, ctm);
      const xs = [m[4], m[0] + m[4], m[2] + m[4], m[0] + m[2] + m[4]];
      const ys = [m[5], m[1] + m[5], m[3] + m[5], m[1] + m[3] + m[5]];
      const r = { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
      if ((r.x1 - r.x0) * (r.y1 - r.y0) >= minArea) regions.push(r);
    }
  });
  return regions;
}

/**
 * Renders a page (or the `region` of it) at `scale` pixels per point as an RGB raster, white behind
 * transparent parts.
 */
export async function renderPage(page: PdfPage, scale: number, region?: PageRegion): Promise<Raster> {
  const Factory = await canvasFactory();
  const full = page.getViewport({ scale: 1 });
  const r = region ?? { x0: 0, y0: 0, x1: full.width, y1: full.height };
  const width = Math.max(1, Math.ceil((r.x1 - r.x0) * scale));
  const height = Math.max(1, Math.ceil((r.y1 - r.y0) * scale));
  const viewport = page.getViewport({ scale, offsetX: -r.x0 * scale, offsetY: -r.y0 * scale });
  const canvases = new Factory();
  const drawing = canvases.create(width, height);
  try {
    const context = drawing.context as unknown as { fillStyle: string; fillRect(x: number, y: number, w: number, h: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, width, height);
    await page.render({ canvas: drawing.canvas, canvasContext: drawing.context, viewport } as unknown as Parameters<PdfPage['render']>[0]).promise;
    return rgbaToRgb(context.getImageData(0, 0, width, height).data, width, height);
  } finally {
    canvases.destroy(drawing);
  }
}
