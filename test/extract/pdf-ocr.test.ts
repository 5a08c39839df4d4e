import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractDocument, type OcrProgress } from '../../src/extract/index.js';
import { encryptedPdf, failure, makePdf, rasterizePages, rasterizePdf, REAL_FILES, SCANS, squash, type PdfPageSpec } from './fixtures.js';

const textPage: PdfPageSpec = { texts: [{ x: 72, y: 200, size: 14, text: 'Article 1. This page has a text layer.' }] };
/** A PDF with a text page and a scanned page (page 2). */
async function mixedPdf(): Promise<Uint8Array> {
  const source = makePdf([{ texts: [{ x: 72, y: 200, size: 28, text: 'Scanned notice number 42' }, { x: 72, y: 260, size: 28, text: 'applies from March 2024.' }] }]);
  return makePdf([textPage, ...(await rasterizePages(source, 1, 1))]);
}

const cjk = (text: string): number => (text.match(/[\u4e00-\u9fff]/gu) ?? []).length;
const onPath = (tool: string): boolean => (process.env.PATH ?? '').split(path.delimiter).some((dir) => existsSync(path.join(dir, tool)));

let mixed: Uint8Array;
let cacheDir: string;
beforeAll(async () => {
  mixed = await mixedPdf();
  cacheDir = mkdtempSync(path.join(tmpdir(), 'kb-ocr-cache-'));
});
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('PDF pages without a text layer (OCR from npm, no system tool)', () => {
  it('OCRs the scanned page only and marks it', { timeout: 120_000 }, async () => {
    const r = await extractDocument(mixed, 'mixed.pdf');
    expect(r.ocr).toBe(true);
    expect(r.pages?.map((p) => p.ocr ?? false)).toEqual([false, true]);
    const page2 = r.pages?.[1];
    expect(squash(page2 ? r.text.slice(page2.start, page2.end) : '').toLowerCase()).toBe('scannednoticenumber42appliesfrommarch2024.');
    expect(r.warnings).toEqual([]);
  });

  it('leaves the page empty with a warning when OCR is off', async () => {
    const r = await extractDocument(mixed, 'mixed.pdf', { ocr: 'off' });
    expect(r.ocr).toBe(false);
    expect(r.text).toBe('Article 1. This page has a text layer.');
    expect(r.pages).toEqual([{ page: 1, start: 0, end: 38 }, { page: 2, start: 38, end: 38 }]);
    expect(r.warnings).toEqual(['page(s) 2 have no text layer and OCR is off; they were left empty']);
  });

  it('reports a missing Tesseract as a warning when OCR_ENGINE=tesseract, not a crash', async () => {
    const saved = process.env.PATH;
    try {
      process.env.PATH = mkdtempSync(path.join(tmpdir(), 'kb-empty-path-'));
      const r = await extractDocument(mixed, 'mixed.pdf', { ocrEngine: 'tesseract' });
      expect(r.ocr).toBe(false);
      expect(r.text).toBe('Article 1. This page has a text layer.');
      expect(r.warnings).toEqual(['OCR could not read page(s) 2 (OCR_ENGINE=tesseract but tesseract is not installed: install tesseract-ocr and tesseract-ocr-chi-sim (Debian), or leave OCR_ENGINE unset for the built-in engine); they were left empty']);
    } finally {
      process.env.PATH = saved;
    }
  });

  it.skipIf(!onPath('tesseract'))('reads the scanned page with Tesseract when OCR_ENGINE=tesseract and it is installed', { timeout: 120_000 }, async () => {
    const r = await extractDocument(mixed, 'mixed.pdf', { ocrEngine: 'tesseract' });
    expect(squash(r.text).toLowerCase()).toContain('scannednoticenumber42');
  });

  it('refuses a fully scanned PDF with OCR off as unreadable, saying why', async () => {
    const source = makePdf([{ texts: [{ x: 72, y: 200, size: 28, text: 'Only an image' }] }]);
    const error = await failure(extractDocument(await rasterizePdf(source, 1, 1), 'scan.pdf', { ocr: 'off' }));
    expect(error.code).toBe('document_unreadable');
    expect(error.message).toBe('"scan.pdf": the PDF has no text layer and OCR gave no text; page(s) 1 have no text layer and OCR is off; they were left empty');
  });

  it('refuses a scan with more pages to OCR than the limit before reading any (413), naming MAX_OCR_PAGES', async () => {
    const error = await failure(extractDocument(mixed, 'mixed.pdf', { limits: { ocrPages: 0 } }));
    expect(error.code).toBe('document_too_large');
    expect(error.message).toBe('"mixed.pdf": pages that need OCR (no text layer): 1, more than the limit of 0; split the document, or raise MAX_OCR_PAGES for a file you trust');
  });

  it('refuses a PDF with more pages than MAX_PAGES and more characters than MAX_CHARACTERS (413)', async () => {
    const long = makePdf([textPage, textPage, textPage]);
    expect((await failure(extractDocument(long, 'long.pdf', { limits: { pages: 2 } }))).message).toBe('"long.pdf": pages: 3, more than the limit of 2; split the document, or raise MAX_PAGES for a file you trust');
    const chars = await failure(extractDocument(long, 'long.pdf', { limits: { characters: 60 } }));
    expect(chars.code).toBe('document_too_large');
    expect(chars.message).toBe('"long.pdf": characters of text (after 2 of 3 pages): 76, more than the limit of 60; split the document, or raise MAX_CHARACTERS for a file you trust');
  });

  it('reads an image on a page that has a text layer, besides the text layer', { timeout: 120_000 }, async () => {
    const figure = await rasterizePages(makePdf([{ width: 400, height: 120, texts: [{ x: 20, y: 60, size: 26, text: 'Table 3 gas price 3.07' }] }]), 1, 1, 200);
    const jpeg = figure[0]?.jpeg;
    if (!jpeg) throw new Error('no raster');
    // A page with a line of text and, below it, the scanned figure drawn at 400 × 120 pt.
    const page = makePdf([{ texts: [{ x: 72, y: 100, size: 14, text: 'Article 2. The figure below is a scan.' }], jpeg, jpegBox: { x: 72, y: 300, width: 400, height: 120 } }]);
    const r = await extractDocument(page, 'figure.pdf');
    expect(r.text.split('\n')[0]).toBe('Article 2. The figure below is a scan.');
    expect(squash(r.text).toLowerCase()).toContain('table3gasprice3.07');
    expect(r.pages).toEqual([{ page: 1, start: 0, end: r.text.length, ocr: true }]);
  });

  it('reports progress per page and reads a second add of the same file from the page cache', { timeout: 120_000 }, async () => {
    const first: OcrProgress[] = [];
    const r1 = await extractDocument(mixed, 'mixed.pdf', { ocrCacheDir: cacheDir, onProgress: (p) => first.push(p) });
    expect(first.map((p) => [p.page, p.done, p.of, p.cached])).toEqual([[2, 1, 1, false]]);
    const second: OcrProgress[] = [];
    const r2 = await extractDocument(mixed, 'again.pdf', { ocrCacheDir: cacheDir, onProgress: (p) => second.push(p) });
    expect(second.map((p) => [p.page, p.cached])).toEqual([[2, true]]);
    expect(r2.text).toBe(r1.text);
  });

  it.skipIf(!existsSync(REAL_FILES))('reads a scanned Chinese page (pdf-01 page 1 rasterized)', { timeout: 180_000 }, async () => {
    const scan = await rasterizePdf(new Uint8Array(readFileSync(path.join(REAL_FILES, 'pdf-01.pdf'))), 1, 1);
    const r = await extractDocument(scan, 'scan-zh.pdf');
    expect(r.ocr).toBe(true);
    expect(r.pages).toEqual([{ page: 1, start: 0, end: r.text.length, ocr: true }]);
    const text = squash(r.text);
    for (const phrase of ['城镇燃气管理条例', '第一章', '总则', '为了加强城镇燃气管理', '制定本条例', '适用本条例']) expect(text, phrase).toContain(phrase);
    // The page number "- 1 -" at the foot of the page is dropped.
    expect(r.text.trimEnd()).not.toMatch(/-\s*1\s*-$/u);
  });

  it('reads the scanned pages 1–2 of a real revision draft: ≥ 250 CJK characters, the issuer and the law named right', { timeout: 240_000 }, async () => {
    const r = await extractDocument(new Uint8Array(readFileSync(path.join(SCANS, 'nanning-671-p1-2.pdf'))), 'nanning-671.pdf');
    expect(r.ocr).toBe(true);
    expect(r.pages?.map((p) => [p.page, p.ocr])).toEqual([[1, true], [2, true]]);
    expect(cjk(r.text)).toBeGreaterThanOrEqual(250);
    const text = squash(r.text);
    expect(text).toContain('南宁市住房和城乡建设局');
    expect(text).toContain('南宁市城镇燃气管理条例');
    expect(text).toContain('关于征求《南宁市燃气管理条例（修订草案）');
    expect(text).toContain('为深入贯彻落实习近平总书记关于燃气安全的重要指示批示精神');
    expect(r.hints.docNumber).toMatch(/^南住建函〔2025[〕］\]]671号$/u);
  });
});

describe('encrypted PDF', () => {
  it('is refused as document_unreadable naming the file and what to do', async () => {
    const error = await failure(extractDocument(encryptedPdf(), 'secret.pdf'));
    expect(error.code).toBe('document_unreadable');
    expect(error.message).toBe('"secret.pdf": the PDF is encrypted with a password; remove the password (e.g. `qpdf --decrypt --password=… in.pdf out.pdf`) and add the decrypted file');
  });
});
