import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractDocument } from '../../src/extract/index.js';
import { encryptPdf, makePdf, rasterizePages, rasterizePdf, REAL_FILES, type PdfPageSpec, failure, squash } from './fixtures.js';


const textPage: PdfPageSpec = { texts: [{ x: 72, y: 200, size: 14, text: 'Article 1. This page has a text layer.' }] };
/** A PDF with a text page and a scanned page (page 2). */
function mixedPdf(): Uint8Array {
  const source = makePdf([{ texts: [{ x: 72, y: 200, size: 28, text: 'Scanned notice number 42' }, { x: 72, y: 260, size: 28, text: 'applies from March 2024.' }] }]);
  return makePdf([textPage, ...rasterizePages(source, 1, 1)]);
}

describe('PDF pages without a text layer', () => {
  it('OCRs the scanned page only and marks it', async () => {
    const r = await extractDocument(mixedPdf(), 'mixed.pdf');
    expect(r.ocr).toBe(true);
    expect(r.pages?.map((p) => p.ocr ?? false)).toEqual([false, true]);
    const page2 = r.pages?.[1];
    expect(page2 && r.text.slice(page2.start, page2.end)).toBe('Scanned notice number 42 applies from March 2024.');
    expect(r.warnings).toEqual([]);
  });

  it('leaves the page empty with a warning when OCR is off', async () => {
    const r = await extractDocument(mixedPdf(), 'mixed.pdf', { ocr: 'off' });
    expect(r.ocr).toBe(false);
    expect(r.text).toBe('Article 1. This page has a text layer.');
    expect(r.pages).toEqual([{ page: 1, start: 0, end: 38 }, { page: 2, start: 38, end: 38 }]);
    expect(r.warnings).toEqual(['page(s) 2 have no text layer and OCR is off; they were left empty']);
  });

  it('reports a missing OCR engine as a warning, not a crash', async () => {
    const pdf = mixedPdf();
    const bin = mkdtempSync(path.join(tmpdir(), 'kb-no-tesseract-'));
    const saved = process.env.PATH;
    try {
      // Only pdftoppm on PATH: tesseract is "not installed".
      symlinkSync(execFileSync('which', ['pdftoppm']).toString().trim(), path.join(bin, 'pdftoppm'));
      process.env.PATH = bin;
      const r = await extractDocument(pdf, 'mixed.pdf');
      expect(r.ocr).toBe(false);
      expect(r.text).toBe('Article 1. This page has a text layer.');
      expect(r.warnings).toEqual(['OCR engine not found: page(s) 2 have no text layer and were left empty; install tesseract-ocr and tesseract-ocr-chi-sim (Debian) to read them']);
    } finally {
      process.env.PATH = saved;
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('refuses a fully scanned PDF with OCR off as unreadable, saying why', async () => {
    const source = makePdf([{ texts: [{ x: 72, y: 200, size: 28, text: 'Only an image' }] }]);
    const error = await failure(extractDocument(rasterizePdf(source, 1, 1), 'scan.pdf', { ocr: 'off' }));
    expect(error.code).toBe('document_unreadable');
    expect(error.message).toBe('"scan.pdf": the PDF has no text layer and OCR gave no text; page(s) 1 have no text layer and OCR is off; they were left empty; install tesseract-ocr-chi-sim or add a PDF with a text layer');
  });

  it.skipIf(!existsSync(REAL_FILES))('reads a scanned Chinese page (pdf-01 page 1 rasterized) with chi_sim', { timeout: 180_000 }, async () => {
    const scan = rasterizePdf(new Uint8Array(readFileSync(path.join(REAL_FILES, 'pdf-01.pdf'))), 1, 1);
    const r = await extractDocument(scan, 'scan-zh.pdf');
    expect(r.ocr).toBe(true);
    expect(r.pages).toEqual([{ page: 1, start: 0, end: r.text.length, ocr: true }]);
    const text = squash(r.text);
    for (const phrase of ['城镇燃气管理条例', '第一章', '总则', '为了加强城镇燃气管理', '制定本条例', '适用本条例']) expect(text, phrase).toContain(phrase);
    // The page number "- 1 -" at the foot of the page is dropped.
    expect(r.text.trimEnd()).not.toMatch(/-\s*1\s*-$/u);
  });
});

describe('encrypted PDF', () => {
  it('is refused as document_unreadable naming the file and what to do', async () => {
    const pdf = encryptPdf(makePdf([textPage]));
    const error = await failure(extractDocument(pdf, 'secret.pdf'));
    expect(error.code).toBe('document_unreadable');
    expect(error.message).toBe('"secret.pdf": the PDF is encrypted with a password; remove the password (e.g. `qpdf --decrypt --password=… in.pdf out.pdf`) and add the decrypted file');
  });
});
