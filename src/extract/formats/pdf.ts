/**
 * PDF: the text layer through pdf.js (unpdf), read in layout order (columns, running headers and page
 * numbers removed, wrapped lines re-joined, /Rotate honoured); pages without a text layer are OCRed.
 * A browser "print to PDF" of a government page has its site chrome stripped and its info box read as hints.
 */
import { getDocumentProxy } from 'unpdf';
import { documentUnreadable, throwIfAborted } from '../errors.js';
import { guessHintsFromText, readInfoLines, setHint } from '../hints.js';
import { assembleText, readPageLines, removeRunningLines, type Fragment, type LayoutPage, type Line, type PageLines } from '../layout.js';
import { visibleLength } from '../text-normalize.js';
import type { ExtractContext, ExtractResult, FormatExtractor, MetadataHints } from '../types.js';
import { formatPageList, ocrPdfPages } from './ocr.js';

/** Fewer visible characters than this on a page means "no text layer": OCR it. */
const MIN_TEXT_CHARS = 16;

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

async function openPdf(bytes: Uint8Array, fileName: string): Promise<Awaited<ReturnType<typeof getDocumentProxy>>> {
  try {
    // pdf.js may detach the buffer it is given: hand it a copy.
    return await getDocumentProxy(new Uint8Array(bytes), { stopAtErrors: false, verbosity: 0 });
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

async function extractPdf(bytes: Uint8Array, _format: string, ctx: ExtractContext): Promise<ExtractResult> {
  if (looksTruncated(bytes)) {
    throw documentUnreadable(ctx.fileName, `the PDF is truncated (${bytes.length} bytes, no %%EOF marker at its end)`, 'download or copy the complete file again');
  }
  const pdf = await openPdf(bytes, ctx.fileName);
  const warnings: string[] = [];
  const hints: MetadataHints = {};
  try {
    const count = Math.min(pdf.numPages, ctx.maxPages);
    if (pdf.numPages > count) warnings.push(`only the first ${count} of ${pdf.numPages} pages were read (maxPages)`);
    const layout: LayoutPage[] = [];
    const sizes = new Map<number, { width: number; height: number }>();
    const scanned: number[] = [];
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
      sizes.set(n, { width: viewport.width, height: viewport.height });
      layout.push({ width: viewport.width, height: viewport.height, fragments });
      const pageText = fragments.map((f) => f.text).join('');
      if (visibleLength(pageText) < MIN_TEXT_CHARS || unmappedShare(pageText) > 0.3) scanned.push(n);
      page.cleanup();
    }
    const ocrPages = new Set<number>();
    if (scanned.length > 0) {
      if (ctx.ocr === 'off') {
        warnings.push(`page(s) ${formatPageList(scanned)} have no text layer and OCR is off; they were left empty`);
      } else {
        const outcome = await ocrPdfPages(bytes, scanned, sizes, { fileName: ctx.fileName, signal: ctx.signal, logger: ctx.logger });
        warnings.push(...outcome.warnings);
        for (const [n, page] of outcome.pages) {
          if (page.fragments.length === 0) continue;
          layout[n - 1] = page;
          ocrPages.add(n);
        }
      }
    }
    let lines: PageLines[] = layout.map((p, i) => ({ width: p.width, height: p.height, lines: readPageLines(p), ...(ocrPages.has(i + 1) ? { ocr: true } : {}) }));
    lines = removeRunningLines(lines);
    if (looksLikeWebPrint(lines)) lines = stripWebChrome(lines, hints);
    const { text, pages } = assembleText(lines);
    if (visibleLength(text) === 0) {
      throw documentUnreadable(
        ctx.fileName,
        scanned.length > 0 ? 'the PDF has no text layer and OCR gave no text' : 'the PDF contains no text',
        scanned.length > 0 ? `${warnings.join('; ') || 'the scan may be unreadable'}; install tesseract-ocr-chi-sim or add a PDF with a text layer` : 'add a PDF with a text layer',
      );
    }
    const info = await pdf.getMetadata().catch(() => undefined);
    const title = (info?.info as { Title?: unknown } | undefined)?.Title;
    if (typeof title === 'string' && title.trim().length > 3 && hints.title === undefined && !/^(?:untitled|microsoft word|document)/iu.test(title)) setHint(hints, 'title', title);
    guessHintsFromText(text, hints);
    return { format: 'pdf', text, pages, hints, warnings, ocr: ocrPages.size > 0 };
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
