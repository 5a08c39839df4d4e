/**
 * Raster images as the OCR engines read them: 8-bit RGB, row-major, top-down. Pure helpers only (no decoding
 * here: formats/image.ts and ocr/pdf-render.ts make rasters from files and PDF pages).
 */

export interface Raster {
  width: number;
  height: number;
  /** RGB, 3 bytes a pixel, `width * height * 3` long. */
  data: Uint8Array;
}

/** A rectangle turned by `angle` radians about its centre: a text line as the detector found it. */
export interface RotatedBox {
  cx: number;
  cy: number;
  /** Along the text direction. */
  width: number;
  /** Across it. */
  height: number;
  /** Angle of the width axis from the x axis (radians, small for horizontal lines). */
  angle: number;
  /** Mean text probability inside the box (0–1). */
  score: number;
}

/** Axis-aligned bounds of a rotated box: the four corners' extremes. */
export function boundsOf(box: RotatedBox): { x0: number; y0: number; x1: number; y1: number } {
  const ux = Math.cos(box.angle);
  const uy = Math.sin(box.angle);
  const hw = box.width / 2;
  const hh = box.height / 2;
  const dx = Math.abs(ux * hw) + Math.abs(uy * hh);
  const dy = Math.abs(uy * hw) + Math.abs(ux * hh);
  return { x0: box.cx - dx, y0: box.cy - dy, x1: box.cx + dx, y1: box.cy + dy };
}

/** RGBA (canvas, sharp with alpha) → RGB. */
export function rgbaToRgb(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): Raster {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; j < data.length; i += 4, j += 3) {
    // Transparent pixels are paper: composite over white.
    const a = (rgba[i + 3] ?? 255) / 255;
    data[j] = Math.round((rgba[i] ?? 0) * a + 255 * (1 - a));
    data[j + 1] = Math.round((rgba[i + 1] ?? 0) * a + 255 * (1 - a));
    data[j + 2] = Math.round((rgba[i + 2] ?? 0) * a + 255 * (1 - a));
  }
  return { width, height, data };
}

/**
 * The text line inside `box`, straightened and scaled to `height` pixels high (width following the box's
 * aspect, at most `maxWidth`), as CHW floats normalized to [-1, 1] (PaddleOCR's recognizer input), written
 * into `out` at `offset` in a tensor `outWidth` wide (the rest of the row stays 0, the recognizer's padding).
 */
export function cropLine(img: Raster, box: RotatedBox, height: number, width: number, out: Float32Array, outWidth: number, offset: number): void {
  const ux = Math.cos(box.angle);
  const uy = Math.sin(box.angle);
  // Source step per output pixel, along and across the line.
  const stepU = box.width / width;
  const stepV = box.height / height;
  const plane = height * outWidth;
  const { width: w, height: h, data } = img;
  for (let y = 0; y < height; y += 1) {
    const v = (y + 0.5) * stepV - box.height / 2;
    for (let x = 0; x < width; x += 1) {
      const u = (x + 0.5) * stepU - box.width / 2;
      const sx = box.cx + u * ux - v * uy - 0.5;
      const sy = box.cy + u * uy + v * ux - 0.5;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const o = offset + y * outWidth + x;
      // Bilinear; outside the image reads as white paper. BGR order: PaddleOCR's models saw OpenCV images.
      for (let c = 0; c < 3; c += 1) {
        const a = x0 >= 0 && y0 >= 0 && x0 < w && y0 < h ? (data[(y0 * w + x0) * 3 + c] as number) : 255;
        const b = x0 + 1 >= 0 && y0 >= 0 && x0 + 1 < w && y0 < h ? (data[(y0 * w + x0 + 1) * 3 + c] as number) : 255;
        const d = x0 >= 0 && y0 + 1 >= 0 && x0 < w && y0 + 1 < h ? (data[((y0 + 1) * w + x0) * 3 + c] as number) : 255;
        const e = x0 + 1 >= 0 && y0 + 1 >= 0 && x0 + 1 < w && y0 + 1 < h ? (data[((y0 + 1) * w + x0 + 1) * 3 + c] as number) : 255;
        const value = (a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy;
        out[o + (2 - c) * plane] = value / 127.5 - 1;
      }
    }
  }
}
