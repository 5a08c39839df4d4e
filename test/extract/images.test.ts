import { readFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { getDocumentProxy } from 'unpdf';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractDocument, sniffFormat } from '../../src/extract/index.js';
import { canvasFactory, renderPage } from '../../src/extract/ocr/pdf-render.js';
import type { Raster } from '../../src/extract/ocr/raster.js';
import { failure, makePdf, SCANS, squash } from './fixtures.js';

/** Page `n` of a PDF rendered at `dpi` (the scanner a test stands for). */
async function render(pdf: Uint8Array, n: number, dpi: number): Promise<Raster> {
  const doc = await getDocumentProxy(new Uint8Array(pdf), { CanvasFactory: await canvasFactory(), verbosity: 0 } as Parameters<typeof getDocumentProxy>[1]);
  try {
    return await renderPage(await doc.getPage(n), dpi / 72);
  } finally {
    await doc.loadingTask.destroy();
  }
}

const rawOf = (r: Raster) => sharp(r.data, { raw: { width: r.width, height: r.height, channels: 3 } });

/** A 24-bit bottom-up BMP written by hand (the format's simplest form, as scanners and Paint save it). */
function bmp(r: Raster): Uint8Array {
  const row = Math.ceil((r.width * 3) / 4) * 4;
  const out = Buffer.alloc(54 + row * r.height);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(r.width, 18);
  out.writeInt32LE(r.height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  out.writeUInt32LE(row * r.height, 34);
  for (let y = 0; y < r.height; y += 1) {
    for (let x = 0; x < r.width; x += 1) {
      const s = (y * r.width + x) * 3;
      const d = 54 + (r.height - 1 - y) * row + x * 3;
      out[d] = r.data[s + 2] as number;
      out[d + 1] = r.data[s + 1] as number;
      out[d + 2] = r.data[s] as number;
    }
  }
  return new Uint8Array(out);
}

const notice = (lines: string[]): Uint8Array => makePdf([{ width: 420, height: 200, texts: lines.map((text, i) => ({ x: 20, y: 50 + i * 40, size: 22, text })) }]);

let scanPage1: Raster;
let small: Raster;
let small2: Raster;
beforeAll(async () => {
  scanPage1 = await render(new Uint8Array(readFileSync(path.join(SCANS, 'nanning-671-p1-2.pdf'))), 1, 200);
  small = await render(notice(['Notice 7 on gas prices', 'applies from 1 May 2025.']), 1, 200);
  small2 = await render(notice(['Page two of the notice', 'signed by the bureau.']), 1, 200);
}, 60_000);

describe('scans and photos as documents', () => {
  it('sniffs PNG, JPEG, TIFF, BMP and WebP as images, by content', async () => {
    const kinds = await Promise.all([rawOf(small).png().toBuffer(), rawOf(small).jpeg().toBuffer(), rawOf(small).tiff().toBuffer(), Promise.resolve(Buffer.from(bmp(small))), rawOf(small).webp().toBuffer()]);
    expect(kinds.map((b) => sniffFormat(new Uint8Array(b), 'scan.txt'))).toEqual(['image', 'image', 'image', 'image', 'image']);
  });

  it('reads a PNG of a real scanned page as a document with its text, one page, marked OCR', { timeout: 180_000 }, async () => {
    const png = new Uint8Array(await rawOf(scanPage1).greyscale().png().withMetadata({ density: 200 }).toBuffer());
    const r = await extractDocument(png, 'nanning-671-p1.png');
    expect(r.format).toBe('image');
    expect(r.ocr).toBe(true);
    expect(r.pages).toEqual([{ page: 1, start: 0, end: r.text.length, ocr: true }]);
    const text = squash(r.text);
    expect(text).toContain('南宁市住房和城乡建设局');
    expect(text).toContain('南宁市城镇燃气管理条例');
    expect((r.text.match(/[\u4e00-\u9fff]/gu) ?? []).length).toBeGreaterThanOrEqual(250);
  });

  it('reads every page of a multi-page TIFF as its own page', { timeout: 120_000 }, async () => {
    const tiff = new Uint8Array(await sharp([await rawOf(small).png().toBuffer(), await rawOf(small2).png().toBuffer()], { join: { animated: true } }).tiff().toBuffer());
    const r = await extractDocument(tiff, 'two-pages.tif');
    expect(r.pages?.map((p) => [p.page, p.ocr])).toEqual([[1, true], [2, true]]);
    const [p1, p2] = r.pages ?? [];
    expect(squash(r.text.slice(p1?.start, p1?.end)).toLowerCase()).toContain('notice7ongasprices');
    expect(squash(r.text.slice(p2?.start, p2?.end)).toLowerCase()).toContain('pagetwoofthenotice');
  });

  it('reads a JPEG, a BMP and a WebP of the same page to the same words', { timeout: 120_000 }, async () => {
    const files: Array<[string, Uint8Array]> = [
      ['photo.jpg', new Uint8Array(await rawOf(small).jpeg({ quality: 85 }).toBuffer())],
      ['scan.bmp', bmp(small)],
      ['scan.webp', new Uint8Array(await rawOf(small).webp({ lossless: true }).toBuffer())],
    ];
    for (const [name, bytes] of files) {
      const r = await extractDocument(bytes, name);
      expect(squash(r.text).toLowerCase(), name).toContain('notice7ongaspricesappliesfrom1may2025');
    }
  });

  it('reads a phone photo taken sideways upright (EXIF orientation)', { timeout: 120_000 }, async () => {
    // Pixels stored turned 90° clockwise, with orientation 8 saying "turn back".
    const sideways = new Uint8Array(await rawOf(small).rotate(90).jpeg().withMetadata({ orientation: 8 }).toBuffer());
    const r = await extractDocument(sideways, 'sideways.jpg');
    expect(squash(r.text).toLowerCase()).toContain('notice7ongasprices');
  });

  it('refuses an image with OCR off, and more image pages than MAX_OCR_PAGES (413)', async () => {
    const png = new Uint8Array(await rawOf(small).png().toBuffer());
    const off = await failure(extractDocument(png, 'scan.png', { ocr: 'off' }));
    expect(off.code).toBe('document_unreadable');
    expect(off.message).toBe('"scan.png": the file is an image (PNG), which needs OCR, and OCR is off; set OCR=auto, or add a version with a text layer');
    const many = await failure(extractDocument(png, 'scan.png', { limits: { ocrPages: 0 } }));
    expect(many.code).toBe('document_too_large');
    expect(many.message).toBe('"scan.png": pages that need OCR (image pages): 1, more than the limit of 0; split the document, or raise MAX_OCR_PAGES for a file you trust');
  });

  it('refuses an image of more than 80 megapixels before decoding it (a pixel bomb)', async () => {
    // A PNG whose header claims 20000 × 20000 pixels, with a few bytes of data.
    const chunk = (type: string, data: Buffer): Buffer => {
      const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
      const out = Buffer.alloc(12 + data.length);
      out.writeUInt32BE(data.length, 0);
      body.copy(out, 4);
      out.writeUInt32BE(crc32(body), 8 + data.length);
      return out;
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(20000, 0);
    ihdr.writeUInt32BE(20000, 4);
    ihdr.set([8, 0, 0, 0, 0], 8);
    const png = new Uint8Array(Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1000))), chunk('IEND', Buffer.alloc(0))]));
    const error = await failure(extractDocument(png, 'huge.png'));
    expect(error.code).toBe('document_too_large');
    expect(error.message).toContain('"huge.png": pixels in the image (20000 × 20000): 400,000,000, more than the limit of 80,000,000');
  }, 60_000);
});

describe('legacy Word with no system tool', () => {
  it('reads a fast-saved .doc in JavaScript: all 35 articles, none twice', async () => {
    const r = await extractDocument(new Uint8Array(readFileSync(path.join(SCANS, '..', 'legacy-word', 'nanning-gas-2021.doc'))), 'nanning-gas-2021.doc');
    expect(r.format).toBe('doc');
    expect(r.warnings).toEqual([]);
    const articles = r.text.split('\n').map((l) => /^第([一二三四五六七八九十]+)条/u.exec(l)?.[1]).filter(Boolean);
    expect(articles).toHaveLength(35);
    expect(new Set(articles).size).toBe(35);
    expect(r.hints.title).toBe('南宁市燃气管理条例');
    expect(squash(r.text)).toContain('第三十五条本条例自2013年12月1日起施行。');
  });
});
