/**
 * Fixtures built at test time: small PDFs written by hand (text at positions, page rotation, image-only scans
 * rendered from npm), DOCX packages, zip bombs, legacy-charset text. No system tool is needed; the few
 * committed files are in test/fixtures/scans.
 */
import { constants as zlibConstants, crc32, deflateRawSync, deflateSync } from 'node:zlib';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { getDocumentProxy } from 'unpdf';
import { strToU8, zipSync, type Zippable } from 'fflate';
import { canvasFactory, renderPage } from '../../src/extract/ocr/pdf-render.js';
import { KbError } from '../../src/shared/errors.js';
import { ROOT } from '../helpers.js';

/** shared/ beside the checkout (CI, /work/main); from a worktree under /work/wt it is one level further up. */
const SHARED_FORMATS = [path.resolve(ROOT, '..', 'shared', 'formats'), path.resolve(ROOT, '..', '..', 'shared', 'formats')].find((d) => existsSync(path.join(d, 'files'))) ?? path.resolve(ROOT, '..', 'shared', 'formats');
export const REAL_FILES = path.join(SHARED_FORMATS, 'files');
export const REAL_QUESTIONS = path.join(SHARED_FORMATS, 'questions.jsonl');

export interface PdfText {
  /** Left edge, points from the left. */
  x: number;
  /** Baseline, points from the top. */
  y: number;
  size?: number;
  text: string;
}

export interface PdfPageSpec {
  width?: number;
  height?: number;
  rotate?: 0 | 90 | 180 | 270;
  texts?: PdfText[];
  /** A JPEG drawn over the whole page (a scan), or over `jpegBox`. */
  jpeg?: { data: Uint8Array; width: number; height: number; components: number };
  /** Where the JPEG goes: left, top (points from the top), width and height. */
  jpegBox?: { x: number; y: number; width: number; height: number };
  /**
   * Ruling lines, points from the top-left: stroked (`m l S`, as most writers draw borders) or, with `fill`,
   * as hairline filled rectangles (`re f`, as Word and WPS draw them).
   */
  rules?: Array<{ x0: number; y0: number; x1: number; y1: number; fill?: boolean }>;
}

const escapePdf = (s: string): string => s.replace(/[\\()]/gu, (c) => `\\${c}`);

/** A valid PDF (Helvetica text, Latin only) with an exact xref table. */
export function makePdf(pages: PdfPageSpec[]): Uint8Array {
  const objects: Array<Buffer> = [];
  const add = (body: Buffer | string): number => {
    objects.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
    return objects.length;
  };
  const catalog = add('');
  const pagesObj = add('');
  const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const kids: number[] = [];
  for (const spec of pages) {
    const width = spec.width ?? 595;
    const height = spec.height ?? 842;
    let content = '';
    let resources = `/Font << /F1 ${font} 0 R >>`;
    if (spec.jpeg) {
      const img = add(Buffer.concat([
        Buffer.from(`<< /Type /XObject /Subtype /Image /Width ${spec.jpeg.width} /Height ${spec.jpeg.height} /ColorSpace /${spec.jpeg.components === 1 ? 'DeviceGray' : 'DeviceRGB'} /BitsPerComponent 8 /Filter /DCTDecode /Length ${spec.jpeg.data.length} >>\nstream\n`, 'latin1'),
        Buffer.from(spec.jpeg.data),
        Buffer.from('\nendstream', 'latin1'),
      ]));
      resources += ` /XObject << /Im0 ${img} 0 R >>`;
      const box = spec.jpegBox ?? { x: 0, y: 0, width, height };
      content += `q ${box.width} 0 0 ${box.height} ${box.x} ${height - box.y - box.height} cm /Im0 Do Q\n`;
    }
    for (const r of spec.rules ?? []) {
      if (r.fill) {
        const w = Math.max(r.x1 - r.x0, 0.5);
        const h = Math.max(r.y1 - r.y0, 0.5);
        content += `${r.x0} ${height - r.y0 - h} ${w} ${h} re f\n`;
      } else content += `0.5 w ${r.x0} ${height - r.y0} m ${r.x1} ${height - r.y1} l S\n`;
    }
    for (const t of spec.texts ?? []) {
      content += `BT /F1 ${t.size ?? 12} Tf ${t.x} ${height - t.y} Td (${escapePdf(t.text)}) Tj ET\n`;
    }
    const stream = add(`<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}endstream`);
    kids.push(add(`<< /Type /Page /Parent ${pagesObj} 0 R /MediaBox [0 0 ${width} ${height}] /Rotate ${spec.rotate ?? 0} /Resources << ${resources} >> /Contents ${stream} 0 R >>`));
  }
  objects[catalog - 1] = Buffer.from(`<< /Type /Catalog /Pages ${pagesObj} 0 R >>`, 'latin1');
  objects[pagesObj - 1] = Buffer.from(`<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`, 'latin1');
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let offset = parts[0]!.length;
  objects.forEach((body, i) => {
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]);
    offsets.push(offset);
    offset += obj.length;
    parts.push(obj);
  });
  const xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R >>\nstartxref\n${offset}\n%%EOF\n`;
  parts.push(Buffer.from(xref, 'latin1'));
  return new Uint8Array(Buffer.concat(parts));
}

/** Width and height of a baseline/progressive JPEG, read from its SOF marker. */
export function jpegSize(data: Uint8Array): { width: number; height: number; components: number } {
  let i = 2;
  while (i < data.length) {
    if (data[i] !== 0xff) throw new Error('not a JPEG');
    const marker = data[i + 1] as number;
    const len = ((data[i + 2] as number) << 8) | (data[i + 3] as number);
    if (marker >= 0xc0 && marker <= 0xc3) {
      return { height: ((data[i + 5] as number) << 8) | (data[i + 6] as number), width: ((data[i + 7] as number) << 8) | (data[i + 8] as number), components: data[i + 9] as number };
    }
    i += 2 + len;
  }
  throw new Error('no SOF marker');
}

/**
 * Pages of `pdf` rendered from npm alone (pdf.js on @napi-rs/canvas, as OCR renders them) and encoded as
 * grayscale JPEG by sharp, as page specs for makePdf: scanned pages, made without poppler.
 */
export async function rasterizePages(pdf: Uint8Array, firstPage: number, lastPage: number, dpi = 150): Promise<PdfPageSpec[]> {
  const doc = await getDocumentProxy(new Uint8Array(pdf), { CanvasFactory: await canvasFactory(), verbosity: 0 } as Parameters<typeof getDocumentProxy>[1]);
  try {
    const pages: PdfPageSpec[] = [];
    for (let n = firstPage; n <= lastPage; n += 1) {
      const raster = await renderPage(await doc.getPage(n), dpi / 72);
      const data = new Uint8Array(await sharp(raster.data, { raw: { width: raster.width, height: raster.height, channels: 3 } }).greyscale().jpeg({ quality: 85 }).toBuffer());
      const size = jpegSize(data);
      pages.push({ width: (size.width * 72) / dpi, height: (size.height * 72) / dpi, jpeg: { data, ...size } });
    }
    return pages;
  } finally {
    await doc.loadingTask.destroy();
  }
}

/** A scan: pages of `pdf` rasterized and wrapped in an image-only PDF. */
export async function rasterizePdf(pdf: Uint8Array, firstPage: number, lastPage: number, dpi = 150): Promise<Uint8Array> {
  return makePdf(await rasterizePages(pdf, firstPage, lastPage, dpi));
}

/** Committed fixtures (test/fixtures/scans, README there says where each comes from). */
export const SCANS = path.join(ROOT, 'test', 'fixtures', 'scans');

/**
 * A PDF encrypted with a user password (qpdf --encrypt user-secret owner-secret 256, run once on makePdf of
 * one text page; committed so that the tests need no qpdf).
 */
export function encryptedPdf(): Uint8Array {
  return new Uint8Array(readFileSync(path.join(SCANS, 'encrypted.pdf')));
}

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';

/** A DOCX package with the given body XML (w:p/w:tbl elements) and optional numbering.xml body. */
export function makeDocx(bodyXml: string, numberingXml?: string, extra: Zippable = {}): Uint8Array {
  const files: Zippable = {
    '[Content_Types].xml': strToU8('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
    'word/document.xml': strToU8(`<?xml version="1.0" encoding="UTF-8"?><w:document ${W}><w:body>${bodyXml}</w:body></w:document>`),
    ...extra,
  };
  if (numberingXml) files['word/numbering.xml'] = strToU8(`<?xml version="1.0" encoding="UTF-8"?><w:numbering ${W}>${numberingXml}</w:numbering>`);
  return zipSync(files);
}

export const para = (text: string, numId?: number, ilvl = 0): string =>
  `<w:p>${numId === undefined ? '' : `<w:pPr><w:numPr><w:ilvl w:val="${ilvl}"/><w:numId w:val="${numId}"/></w:numPr></w:pPr>`}<w:r><w:t xml:space="preserve">${text}</w:t></w:r></w:p>`;

/** A ZIP whose one entry inflates from a few KiB to `bytes` (zeros). */
export function makeZipBomb(entry: string, bytes: number, extra: Zippable = {}): Uint8Array {
  return zipSync({ ...extra, [entry]: [new Uint8Array(bytes), { level: 9 }] });
}

/**
 * A ZIP whose entry inflates to `inflated` bytes of zeros while its local header and central directory declare
 * `declared` bytes (the probe's bomb: a DOCX "of 2,000 bytes" that inflates to 1 GiB). The DEFLATE stream is one
 * 16 MiB block of zeros (sync-flushed, so it ends on a byte boundary) repeated, then an empty final block: the
 * fixture costs 16 MiB to build, not `inflated`.
 */
export function makeLyingZipBomb(entry: string, inflated: number, declared: number, extra: Record<string, Uint8Array> = { '[Content_Types].xml': strToU8('<Types/>') }): Uint8Array {
  const unit = 16 * 1024 * 1024;
  const block = deflateRawSync(new Uint8Array(unit), { level: 9, finishFlush: zlibConstants.Z_SYNC_FLUSH });
  const repeats = Math.ceil(inflated / unit);
  const data = Buffer.concat([...Array.from({ length: repeats }, () => block), Buffer.from([0x03, 0x00])]);
  const files: Array<{ name: Buffer; data: Buffer; method: number; size: number; crc: number }> = [
    ...Object.entries(extra).map(([name, bytes]) => ({ name: Buffer.from(name), data: Buffer.from(bytes), method: 0, size: bytes.length, crc: crc32(bytes) })),
    { name: Buffer.from(entry), data, method: 8, size: declared, crc: 0 },
  ];
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(f.method, 8);
    local.writeUInt32LE(f.crc, 14);
    local.writeUInt32LE(f.data.length, 18);
    local.writeUInt32LE(f.size, 22);
    local.writeUInt16LE(f.name.length, 26);
    const head = Buffer.alloc(46);
    head.writeUInt32LE(0x02014b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt16LE(20, 6);
    head.writeUInt16LE(f.method, 10);
    head.writeUInt32LE(f.crc, 16);
    head.writeUInt32LE(f.data.length, 20);
    head.writeUInt32LE(f.size, 24);
    head.writeUInt16LE(f.name.length, 28);
    head.writeUInt32LE(offset, 42);
    parts.push(local, f.name, f.data);
    central.push(head, f.name);
    offset += local.length + f.name.length + f.data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...parts, cd, end]));
}

/** Text with all white space removed, for comparing extracted text with evidence. */
export const squash = (s: string): string => s.replace(/\s+/gu, '');

/** The KbError a promise rejects with (fails the test when it resolves or throws something else). */
export async function failure(promise: Promise<unknown>): Promise<KbError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KbError) return error;
    throw error;
  }
  throw new Error('expected a KbError');
}

/** A one-page PDF whose content stream is FlateDecode zeros inflating to `inflated` bytes (a stream bomb). */
export function makePdfStreamBomb(inflated: number): Uint8Array {
  const unit = 16 * 1024 * 1024;
  const block = deflateSync(new Uint8Array(0), { finishFlush: zlibConstants.Z_SYNC_FLUSH }).subarray(0, 2);
  const body = deflateRawSync(new Uint8Array(unit), { level: 9, finishFlush: zlibConstants.Z_SYNC_FLUSH });
  const data = Buffer.concat([block, ...Array.from({ length: Math.ceil(inflated / unit) }, () => body), Buffer.from([0x03, 0x00])]);
  const objects = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>'),
    Buffer.concat([Buffer.from(`<< /Length ${data.length} /Filter /FlateDecode >>\nstream\n`), data, Buffer.from('\nendstream')]),
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n')];
  const offsets: number[] = [];
  let offset = parts[0]!.length;
  objects.forEach((body, i) => {
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), body, Buffer.from('\nendobj\n')]);
    offsets.push(offset);
    offset += obj.length;
    parts.push(obj);
  });
  parts.push(Buffer.from(`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${offset}\n%%EOF\n`));
  return new Uint8Array(Buffer.concat(parts));
}
