/**
 * Scans and photos as documents: PNG, JPEG, TIFF (every page of a multi-page scan), BMP and WebP, each page
 * read by OCR and laid out like a PDF page (columns, running headers and page numbers, re-joined paragraphs).
 * Decoded by sharp (libvips; EXIF rotation applied, so a phone photo taken sideways reads upright) and, for
 * BMP, which libvips does not read, by Skia through @napi-rs/canvas. Both load on first use, not when a
 * process that never reads an image starts.
 */
import type { Metadata, Sharp } from 'sharp';
import { documentTooLarge, documentUnreadable, throwIfAborted } from '../errors.js';
import { guessHintsFromText } from '../hints.js';
import { assembleText, readPageLines, removeRunningLines, type PageLines } from '../layout.js';
import { formatPageList, ocrFailureWarning, runOcrJobs, type OcrJob } from '../ocr/page-ocr.js';
import { rgbaToRgb, type Raster } from '../ocr/raster.js';
import { visibleLength } from '../text-normalize.js';
import type { ExtractContext, ExtractResult, FormatExtractor } from '../types.js';

/** Largest image decoded, in pixels (a 600 dpi A3 scan is 70 MP); libvips refuses larger ones before decoding. */
export const MAX_IMAGE_PIXELS = 80_000_000;
/** Longest side OCR reads: larger photos are scaled down first (PP-OCR's detector sees 1600 px anyway). */
const MAX_OCR_SIDE = 4000;
/** Resolution assumed when the file states none (scanners write it; photos rarely do). */
const DEFAULT_DPI = 200;

type ImageKind = 'png' | 'jpeg' | 'tiff' | 'bmp' | 'webp';

function kindOf(bytes: Uint8Array): ImageKind | undefined {
  const b = (i: number): number => bytes[i] ?? -1;
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47) return 'png';
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'jpeg';
  if ((b(0) === 0x49 && b(1) === 0x49 && b(2) === 0x2a && b(3) === 0) || (b(0) === 0x4d && b(1) === 0x4d && b(2) === 0 && b(3) === 0x2a)) return 'tiff';
  // "BM", then a DIB header of a known size at offset 14 (12, 40, 52, 56, 64, 108 or 124 bytes).
  if (b(0) === 0x42 && b(1) === 0x4d && [12, 40, 52, 56, 64, 108, 124].includes(b(14) | (b(15) << 8)) && b(16) === 0 && b(17) === 0) return 'bmp';
  if (Buffer.from(bytes.subarray(0, 4)).toString('latin1') === 'RIFF' && Buffer.from(bytes.subarray(8, 12)).toString('latin1') === 'WEBP') return 'webp';
  return undefined;
}

interface Frame {
  /** Size of the raster OCR reads (the image, upright, scaled to fit MAX_OCR_SIDE). */
  width: number;
  height: number;
  /** Points per raster pixel. */
  scale: number;
}

/** Size of frame `page` as OCR will read it, from the header alone. */
async function frameOf(bytes: Uint8Array, kind: ImageKind, page: number, dpi: number): Promise<Frame> {
  const { default: sharp } = await import('sharp');
  let width: number;
  let height: number;
  if (kind === 'bmp') {
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const small = view.readUInt32LE(14) === 12;
    width = small ? view.readUInt16LE(18) : Math.abs(view.readInt32LE(18));
    height = small ? view.readUInt16LE(20) : Math.abs(view.readInt32LE(22));
  } else {
    const meta = await sharp(bytes, { page, limitInputPixels: false }).metadata();
    const turned = (meta.orientation ?? 1) >= 5;
    width = (turned ? meta.height : meta.width) ?? 0;
    height = (turned ? meta.width : meta.pageHeight ?? meta.height) ?? 0;
  }
  if (width <= 0 || height <= 0 || width * height > MAX_IMAGE_PIXELS) throw new RangeError(`the image is ${width} × ${height} pixels; at most ${MAX_IMAGE_PIXELS.toLocaleString('en-US')} are read`);
  const f = Math.min(1, MAX_OCR_SIDE / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * f)), height: Math.max(1, Math.round(height * f)), scale: 72 / dpi / f };
}

/** Decodes frame `page` upright, flattened on white, at the frame's OCR size. */
async function decodeFrame(bytes: Uint8Array, kind: ImageKind, page: number, frame: Frame): Promise<Raster> {
  const { default: sharp } = await import('sharp');
  let input: Sharp;
  if (kind === 'bmp') {
    const { createCanvas, loadImage } = await import('@napi-rs/canvas');
    const image = await loadImage(Buffer.from(bytes));
    const canvas = createCanvas(image.width, image.height);
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const rgb = rgbaToRgb(context.getImageData(0, 0, image.width, image.height).data, image.width, image.height);
    input = sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } });
  } else {
    input = sharp(bytes, { page, limitInputPixels: MAX_IMAGE_PIXELS }).rotate();
  }
  const data = await input.flatten({ background: '#ffffff' }).toColourspace('srgb').resize(frame.width, frame.height, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  return { width: frame.width, height: frame.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

async function extractImage(bytes: Uint8Array, _format: string, ctx: ExtractContext): Promise<ExtractResult> {
  const { default: sharp } = await import('sharp');
  const kind = kindOf(bytes) as ImageKind;
  let frames = 1;
  let dpi = DEFAULT_DPI;
  if (kind !== 'bmp') {
    let meta: Metadata;
    try {
      // The header only (metadata decodes no pixels): the size is checked below, with a clear message.
      meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    } catch (error) {
      throw documentUnreadable(ctx.fileName, `the ${kind.toUpperCase()} image cannot be read (${error instanceof Error ? error.message : String(error)}); it may be corrupt or truncated`, 'get a complete copy of the file, or save it again as PNG', error);
    }
    frames = kind === 'tiff' ? (meta.pages ?? 1) : 1;
    if ((meta.width ?? 0) * (meta.height ?? 0) > MAX_IMAGE_PIXELS) {
      throw documentTooLarge(ctx.fileName, `pixels in the image (${meta.width} × ${meta.height})`, (meta.width ?? 0) * (meta.height ?? 0), MAX_IMAGE_PIXELS, 'nothing (scan at 300 dpi or less)');
    }
    // A density in pixels per centimetre is converted by sharp; below 50 dpi it is a screen default, not a scan.
    if (meta.density && meta.density >= 50 && meta.density <= 2400) dpi = meta.density;
  }
  if (frames > ctx.limits.pages) throw documentTooLarge(ctx.fileName, 'pages in the image', frames, ctx.limits.pages, 'MAX_PAGES');
  if (ctx.ocr === 'off') throw documentUnreadable(ctx.fileName, `the file is an image (${kind.toUpperCase()}), which needs OCR, and OCR is off`, 'set OCR=auto, or add a version with a text layer');
  if (frames > ctx.limits.ocrPages) throw documentTooLarge(ctx.fileName, 'pages that need OCR (image pages)', frames, ctx.limits.ocrPages, 'MAX_OCR_PAGES');
  const sizes: Array<{ width: number; height: number }> = [];
  const jobs: OcrJob[] = [];
  const unreadable = (page: number, error: unknown): Error =>
    documentUnreadable(ctx.fileName, `page ${page + 1} of the ${kind.toUpperCase()} image cannot be decoded (${error instanceof Error ? error.message : String(error)}); it may be corrupt or truncated`, 'get a complete copy of the file, or save it again as PNG', error);
  for (let page = 0; page < frames; page += 1) {
    throwIfAborted(ctx.signal);
    const frame = await frameOf(bytes, kind, page, dpi).catch((error: unknown) => {
      throw unreadable(page, error);
    });
    sizes.push({ width: frame.width * frame.scale, height: frame.height * frame.scale });
    // Decoded when read (one page in memory at a time), not at all when the page cache has it.
    jobs.push({ page: page + 1, scale: 1 / frame.scale, image: () => decodeFrame(bytes, kind, page, frame).catch((error: unknown) => { throw unreadable(page, error); }) });
  }
  const warnings: string[] = [];
  let read: Awaited<ReturnType<typeof runOcrJobs>>;
  try {
    read = await runOcrJobs(jobs, { engine: ctx.ocrEngine, fileName: ctx.fileName, fileHash: ctx.fileHash, cacheDir: ctx.ocrCacheDir, signal: ctx.signal, logger: ctx.logger, onProgress: ctx.onProgress });
  } catch (error) {
    if (ctx.signal?.aborted) throw error;
    throw documentUnreadable(ctx.fileName, ocrFailureWarning(error, jobs.map((j) => j.page)), 'check the OCR settings (OCR_ENGINE) or add a version with a text layer', error);
  }
  const lines: PageLines[] = removeRunningLines(
    sizes.map((size, i) => ({ width: size.width, height: size.height, lines: readPageLines({ ...size, fragments: read[i] ?? [] }), ocr: true })),
  );
  const { text, pages } = assembleText(lines);
  const empty = pages.filter((p) => p.end === p.start).map((p) => p.page);
  if (empty.length > 0 && empty.length < pages.length) warnings.push(`OCR found no text on page(s) ${formatPageList(empty)}`);
  if (visibleLength(text) === 0) throw documentUnreadable(ctx.fileName, 'OCR found no text in the image', 'check that it is a scan or photo of text, sharp and upright, at 150 dpi or more');
  return { format: 'image', text, pages, hints: guessHintsFromText(text, {}), warnings, ocr: true };
}

export const imageExtractor: FormatExtractor = {
  formats: ['image'],
  sniff(bytes) {
    return kindOf(bytes) ? 'image' : undefined;
  },
  extract: extractImage,
};
