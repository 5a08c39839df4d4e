/**
 * PDF: the text layer through pdf.js (unpdf), read in layout order (columns, running headers and page
 * numbers removed, wrapped lines re-joined, /Rotate honoured); pages without a text layer are OCRed.
 * A browser "print to PDF" of a government page has its site chrome stripped and its info box read as hints.
 */
import { getDocumentProxy } from 'unpdf';
import { documentTooLarge, documentUnreadable, throwIfAborted } from '../errors.js';
import { guessHintsFromText, readInfoLines, setHint } from '../hints.js';
import { assembleText, removeRunningLines, type Fragment, type Line, type PageLines } from '../layout.js';
import { formatPageList, ocrFailureWarning, RENDER_SCALE, runOcrJobs, type OcrJob } from '../ocr/page-ocr.js';
import { canvasFactory, imageRegions, renderPage, type PageRegion } from '../ocr/pdf-render.js';
import { pageRules } from '../pdf-rules.js';
import { checkPdfStreams } from '../pdf-streams.js';
import { joinTablesAcrossPages, readPageLinesWithTables, type RuledPage } from '../ruled-tables.js';
import { isKbError } from '../../shared/errors.js';
import { visibleLength } from '../text-normalize.js';
import type { ExtractContext, ExtractResult, FormatExtractor, MetadataHints } from '../types.js';

/** Fewer visible characters than this on a page (or inside an image on it) means "no text layer": OCR it. */
const MIN_TEXT_CHARS = 16;
/**
 * An image covering less of the page than this is a logo, a seal or a rule, not a scanned figure worth OCR:
 * a red-header emblem or a 4.2 cm seal covers about 3% of an A4 page, a scanned table or clipping 15% or more.
 */
const MIN_IMAGE_SHARE = 0.08;
/** pdf.js refuses to decode larger images (pixels): a 600 dpi A3 scan is 70 MP; a bomb may claim billions. */
const MAX_IMAGE_PIXELS = 80_000_000;

/** Share of characters that fonts without a Unicode map produce (private use, U+FFFD, controls): such a text layer is unusable. */
function unmappedShare(text: string): number {
  const chars = [...text.replace(/\s+/gu, '')];
  if (chars.length === 0) return 0;
  const bad = chars.filter((ch) => {
    const c = ch.codePointAt(0) ?? 0;
    return c < 0x20 || (c >= 0xe000 && c <= 0xf8ff) || c === 0xfffd;
  }).length;
  return bad / chars.length;
}

type Matrix = [number, number, number, number, number, number];

function multiply(m: Matrix, n: Matrix): Matrix {
  return [
    m[0] * n[0] + m[2] * n[1],
    m[1] * n[0] + m[3] * n[1],
    m[0] * n[2] + m[2] * n[3],
    m[1] * n[2] + m[3] * n[3],
    m[0] * n[4] + m[2] * n[5] + m[4],
    m[1] * n[4] + m[3] * n[5] + m[5],
  ];
}

interface TextItemLike {
  str: string;
  transform: number[];
  width: number;
  height: number;
}

/** Fragments in viewport space (top-down, rotation applied). Vertical or rotated text keeps its own order. */
function toFragments(items: TextItemLike[], viewport: Matrix): Fragment[] {
  const out: Fragment[] = [];
  for (const item of items) {
    if (item.str.trim().length === 0) continue;
    const m = multiply(viewport, item.transform as Matrix);
    const size = Math.hypot(m[2], m[3]) || item.height || 10;
    // Direction of the baseline in viewport space; text running right is the common case.
    const scaleX = Math.hypot(m[0], m[1]) || 1;
    const dx = m[0] / scaleX;
    const dy = m[1] / scaleX;
    const length = item.width * (Math.hypot(viewport[0], viewport[1]) || 1);
    if (Math.abs(dx) >= Math.abs(dy)) {
      const left = dx >= 0 ? m[4] : m[4] - length;
      out.push({ x: left, y: m[5] - size, width: length, height: size, text: item.str });
    } else {
      // Text running down the page (rotated 90°): treat each item as its own line at its position.
      out.push({ x: m[4] - size, y: Math.min(m[5], m[5] + dy * length), width: size, height: size, text: item.str });
    }
  }
  return out;
}

const CHROME_LINE_RE =
  /无障碍|网站支持IPV6|字体[:：]?\s*[【[]?\s*大\s*中\s*小|^当前位置|^您现在的位置|^首页\s*[>＞»]|浏览量[:：]|浏览次数|^【?打印】?$|^【?关闭】?$|^关闭窗口$|^请输入关键字|^分享到|网站标识码|ICP备|公网安备|^主办单位|^承办单位|^网站地图|^联系我们|^相关链接|^扫一扫|^E-mail[:：]|^邮编[:：]/u;
const BROWSER_HEADER_RE = /^[0-9]{1,4}[/-][0-9]{1,2}[/-][0-9]{1,4}\s*(?:上午|下午)?\s*[0-9]{1,2}:[0-9]{2}/u;
const URL_FOOTER_RE = /^(?:https?:\/\/|www\.)\S+(?:\s+[0-9]{1,3}\s*\/\s*[0-9]{1,3})?$/u;
const TAIL_START_RE = /^(?:相关链接|相关文件|相关解读|网站地图|主办单位|扫一扫|【打印|【关闭|关闭窗口|打印本页)/u;
const HEAD_END_RE = /字体[:：]?\s*[【[]?\s*大\s*中\s*小|^发布时间[:：]|浏览量[:：]|浏览次数/u;

/** True when the pages look like a web page printed from a browser (site chrome, footer with 网站标识码/ICP). */
function looksLikeWebPrint(pages: PageLines[]): boolean {
  const all = pages.flatMap((p) => p.lines.map((l) => l.text));
  const marks = all.filter((t) => /网站标识码|ICP备|公网安备|无障碍|字体[:：]?\s*[【[]?\s*大\s*中\s*小|当前位置/u.test(t)).length;
  return marks >= 2;
}

/**
 * Strips site chrome from a printed web page: everything up to the 发布时间/【字体】 line except the title,
 * the footer from 相关链接/网站地图/主办单位 on, and chrome lines anywhere. The info box becomes hints.
 */
function stripWebChrome(pages: PageLines[], hints: MetadataHints): PageLines[] {
  const flat: Array<{ page: number; line: Line }> = pages.flatMap((p, i) => p.lines.map((line) => ({ page: i, line })));
  const headEnd = flat.findIndex((e, i) => i < flat.length * 0.6 && HEAD_END_RE.test(e.line.text));
  const head = flat.slice(0, Math.max(0, headEnd + 1)).map((e) => e.line.text);
  readInfoLines(head, hints);
  let keepFrom = headEnd + 1;
  // The title stands alone just above the 发布时间 line: keep it as the first line of the text.
  const titleIndex = head.findLastIndex((t, i) => i < head.length - 1 && (t.replace(/\s+/gu, '') === hints.title?.replace(/\s+/gu, '') || (t.length > 6 && !/[:：|]/u.test(t) && !CHROME_LINE_RE.test(t))));
  const tail = flat.findIndex((e, i) => i >= keepFrom && TAIL_START_RE.test(e.line.text));
  const keepTo = tail === -1 ? flat.length : tail;
  const kept = new Set<Line>();
  if (titleIndex >= 0 && headEnd >= 0) kept.add((flat[titleIndex] as { line: Line }).line);
  if (headEnd < 0) keepFrom = 0;
  flat.slice(keepFrom, keepTo).forEach((e) => {
    if (!CHROME_LINE_RE.test(e.line.text) && !BROWSER_HEADER_RE.test(e.line.text) && !URL_FOOTER_RE.test(e.line.text)) kept.add(e.line);
  });
  return pages.map((p) => ({ ...p, lines: p.lines.filter((l) => kept.has(l)) }));
}

async function openPdf(bytes: Uint8Array, fileName: string, rendering: boolean): Promise<Awaited<ReturnType<typeof getDocumentProxy>>> {
  try {
    const CanvasFactory = rendering ? await canvasFactory() : undefined;
    // pdf.js may detach the buffer it is given: hand it a copy.
    return await getDocumentProxy(new Uint8Array(bytes), { stopAtErrors: false, verbosity: 0, maxImageSize: MAX_IMAGE_PIXELS, isEvalSupported: false, ...(CanvasFactory ? { CanvasFactory } : {}) } as Parameters<typeof getDocumentProxy>[1]);
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (name === 'PasswordException') {
      throw documentUnreadable(fileName, 'the PDF is encrypted with a password', 'remove the password (e.g. `qpdf --decrypt --password=… in.pdf out.pdf`) and add the decrypted file', error);
    }
    throw documentUnreadable(fileName, `the PDF is corrupt or truncated (${error instanceof Error ? error.message : String(error)})`, 'get a complete copy of the file or re-save it as PDF', error);
  }
}

/** A complete PDF ends with %%EOF (a few bytes of padding may follow); a download cut short does not. */
function looksTruncated(bytes: Uint8Array): boolean {
  return !Buffer.from(bytes.subarray(Math.max(0, bytes.length - 1024))).toString('latin1').includes('%%EOF');
}

/**
 * True when two lines or more hold fragments set apart by a gap wider than two characters: cells side by side
 * (or a two-column page). A page of running text has none, and its operator list is not read.
 */
function mayHoldTable(fragments: Fragment[]): boolean {
  const sorted = [...fragments].sort((a, b) => a.y - b.y || a.x - b.x);
  const rowsWithGap = new Set<number>();
  for (let i = 1; i < sorted.length; i += 1) {
    const a = sorted[i - 1] as Fragment;
    const b = sorted[i] as Fragment;
    const sameLine = Math.abs(a.y - b.y) < 0.5 * Math.min(a.height, b.height);
    if (sameLine && b.x - (a.x + a.width) > 2 * Math.max(a.height, b.height)) rowsWithGap.add(Math.round(a.y));
  }
  return rowsWithGap.size >= 2;
}

/** True when a fragment's centre lies inside the region. */
const inside = (f: Fragment, r: PageRegion): boolean => f.x + f.width / 2 >= r.x0 && f.x + f.width / 2 <= r.x1 && f.y + f.height / 2 >= r.y0 && f.y + f.height / 2 <= r.y1;
/** True when two boxes overlap by more than half of the smaller one's height and some width. */
const overlaps = (a: Fragment, b: Fragment): boolean => Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) > 0 && Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > 0.5 * Math.min(a.height, b.height);

async function extractPdf(bytes: Uint8Array, _format: string, ctx: ExtractContext): Promise<ExtractResult> {
  if (looksTruncated(bytes)) {
    throw documentUnreadable(ctx.fileName, `the PDF is truncated (${bytes.length} bytes, no %%EOF marker at its end)`, 'download or copy the complete file again');
  }
  checkPdfStreams(bytes, ctx.fileName, ctx.maxDecompressedBytes);
  const pdf = await openPdf(bytes, ctx.fileName, ctx.ocr !== 'off');
  const warnings: string[] = [];
  const hints: MetadataHints = {};
  try {
    if (pdf.numPages > ctx.limits.pages) throw documentTooLarge(ctx.fileName, 'pages', pdf.numPages, ctx.limits.pages, 'MAX_PAGES');
    const count = Math.min(pdf.numPages, ctx.maxPages);
    if (pdf.numPages > count) warnings.push(`only the first ${count} of ${pdf.numPages} pages were read (maxPages)`);
    // Images are looked for only in files that have any (the operator list costs a second pass over the page).
    const hasImages = ctx.ocr !== 'off' && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes('/Image');
    const layout: RuledPage[] = [];
    const scanned: number[] = [];
    const jobs: OcrJob[] = [];
    let characters = 0;
    for (let n = 1; n <= count; n += 1) {
      throwIfAborted(ctx.signal);
      let page;
      try {
        page = await pdf.getPage(n);
      } catch (error) {
        throw documentUnreadable(ctx.fileName, `page ${n} of the PDF cannot be read (${error instanceof Error ? error.message : String(error)}); the file is corrupt or truncated`, 'get a complete copy of the file', error);
      }
      const viewport = page.getViewport({ scale: 1 });
      const content = await page.getTextContent();
      const items = content.items.flatMap((i) => ('str' in i ? [i as TextItemLike] : []));
      const fragments = toFragments(items, viewport.transform as Matrix);
      // Table borders are read only where the text is laid out in columns (the operator list is a second pass).
      layout.push({ width: viewport.width, height: viewport.height, fragments, ...(mayHoldTable(fragments) ? { rules: await pageRules(page) } : {}) });
      const pageText = fragments.map((f) => f.text).join('');
      characters += pageText.length;
      if (characters > ctx.limits.characters) throw documentTooLarge(ctx.fileName, `characters of text (after ${n} of ${count} pages)`, characters, ctx.limits.characters, 'MAX_CHARACTERS');
      const scan = visibleLength(pageText) < MIN_TEXT_CHARS || unmappedShare(pageText) > 0.3;
      const pageRef = page;
      if (scan) {
        scanned.push(n);
        jobs.push({ page: n, scale: RENDER_SCALE[ctx.ocrEngine], image: () => renderPage(pageRef, RENDER_SCALE[ctx.ocrEngine]) });
      } else if (hasImages) {
        // A page with a text layer may carry a scanned figure or table: read the images the text layer does not cover.
        const minArea = MIN_IMAGE_SHARE * viewport.width * viewport.height;
        for (const region of await imageRegions(page, minArea)) {
          const r = { x0: Math.max(0, region.x0), y0: Math.max(0, region.y0), x1: Math.min(viewport.width, region.x1), y1: Math.min(viewport.height, region.y1) };
          if (r.x1 - r.x0 < 10 || r.y1 - r.y0 < 10) continue;
          const covered = fragments.filter((f) => inside(f, r)).map((f) => f.text).join('');
          if (visibleLength(covered) >= MIN_TEXT_CHARS) continue;
          jobs.push({ page: n, region: r, scale: RENDER_SCALE[ctx.ocrEngine], image: () => renderPage(pageRef, RENDER_SCALE[ctx.ocrEngine], r) });
        }
      }
      if (jobs.length === 0 || jobs[jobs.length - 1]?.page !== n) page.cleanup();
    }
    const ocrPages = new Set<number>();
    if (jobs.length > 0) {
      if (ctx.ocr === 'off') {
        warnings.push(`page(s) ${formatPageList(scanned)} have no text layer and OCR is off; they were left empty`);
      } else {
        const pagesToRead = new Set(jobs.map((j) => j.page)).size;
        if (pagesToRead > ctx.limits.ocrPages) throw documentTooLarge(ctx.fileName, 'pages that need OCR (no text layer)', pagesToRead, ctx.limits.ocrPages, 'MAX_OCR_PAGES');
        try {
          const read = await runOcrJobs(jobs, { engine: ctx.ocrEngine, fileName: ctx.fileName, fileHash: ctx.fileHash, cacheDir: ctx.ocrCacheDir, signal: ctx.signal, logger: ctx.logger, onProgress: ctx.onProgress });
          jobs.forEach((job, i) => {
            const found = read[i] ?? [];
            if (found.length === 0) return;
            const page = layout[job.page - 1] as RuledPage;
            // A scanned page is its OCR; an image on a text page adds the lines the text layer does not already have.
            page.fragments = job.region ? [...page.fragments, ...found.filter((f) => !page.fragments.some((t) => overlaps(t, f)))] : found;
            ocrPages.add(job.page);
          });
        } catch (error) {
          if (ctx.signal?.aborted) throw error;
          warnings.push(ocrFailureWarning(error, [...new Set(jobs.map((j) => j.page))]));
        }
      }
    }
    let lines: PageLines[] = layout.map((p, i) => ({ width: p.width, height: p.height, lines: readPageLinesWithTables(p), ...(ocrPages.has(i + 1) ? { ocr: true } : {}) }));
    lines = joinTablesAcrossPages(removeRunningLines(lines));
    if (looksLikeWebPrint(lines)) lines = stripWebChrome(lines, hints);
    const { text, pages } = assembleText(lines);
    if (text.length > ctx.limits.characters) throw documentTooLarge(ctx.fileName, 'characters of text', text.length, ctx.limits.characters, 'MAX_CHARACTERS');
    if (visibleLength(text) === 0) {
      throw documentUnreadable(
        ctx.fileName,
        scanned.length > 0 ? 'the PDF has no text layer and OCR gave no text' : 'the PDF contains no text',
        scanned.length > 0 ? `${warnings.join('; ') || 'the scan may be unreadable (too faint, too small or not text)'}` : 'add a PDF with a text layer',
      );
    }
    const info = await pdf.getMetadata().catch(() => undefined);
    const title = (info?.info as { Title?: unknown } | undefined)?.Title;
    if (typeof title === 'string' && title.trim().length > 3 && hints.title === undefined && !/^(?:untitled|microsoft word|document)/iu.test(title)) setHint(hints, 'title', title);
    guessHintsFromText(text, hints);
    return { format: 'pdf', text, pages, hints, warnings, ocr: ocrPages.size > 0 };
  } catch (error) {
    // pdf.js reports a damaged object (a bad xref entry, a broken content stream) when the page that needs it is
    // read, long after the document opened: that is still a corrupt file, not a crash.
    if (isKbError(error) || ctx.signal?.aborted) throw error;
    throw documentUnreadable(ctx.fileName, `the PDF is corrupt (${error instanceof Error ? error.message : String(error)})`, 'get a complete copy of the file or re-save it as PDF', error);
  } finally {
    await pdf.loadingTask.destroy();
  }
}

export const pdfExtractor: FormatExtractor = {
  formats: ['pdf'],
  sniff(bytes) {
    // "%PDF-" within the first 1 KiB (some files carry junk before it).
    const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
    return head.includes('%PDF-') ? 'pdf' : undefined;
  },
  extract: extractPdf,
};
