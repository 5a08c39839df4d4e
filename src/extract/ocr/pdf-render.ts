/**
 * PDF pages as images, from npm alone: pdf.js (bundled by unpdf) draws on a Skia canvas (`@napi-rs/canvas`,
 * prebuilt binaries). Also finds where a page paints images, so that a page with a text layer and a scanned
 * figure gets the figure read too.
 */
import { createIsomorphicCanvasFactory } from 'unpdf';
import { walkOperators, type PdfPage } from '../pdf-operators.js';
import { rgbaToRgb, type Raster } from './raster.js';

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

/**
 * Where the page paints raster images (scans, screenshots, photos), in page points top-down; images smaller
 * than `minArea` square points (a logo, a seal, a rule) are left out.
 */
export async function imageRegions(page: PdfPage, minArea: number): Promise<PageRegion[]> {
  const regions: PageRegion[] = [];
  await walkOperators(page, (OPS) => {
    const paints = new Set([OPS.paintImageXObject, OPS.paintInlineImageXObject, OPS.paintImageXObjectRepeat, OPS.paintInlineImageXObjectGroup]);
    return (fn, _args, toPage) => {
      if (!paints.has(fn)) return;
      // An image fills the unit square of its CTM.
      const m = toPage();
      const xs = [m[4], m[0] + m[4], m[2] + m[4], m[0] + m[2] + m[4]];
      const ys = [m[5], m[1] + m[5], m[3] + m[5], m[1] + m[3] + m[5]];
      const r = { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
      if ((r.x1 - r.x0) * (r.y1 - r.y0) >= minArea) regions.push(r);
    };
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
