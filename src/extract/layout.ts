/**
 * Reading order for laid-out pages (PDF text layers, OFD): positioned text fragments → lines → columns →
 * running headers, footers and page numbers removed → paragraphs re-joined across line and page breaks.
 * Coordinates are top-down (y grows downwards), in points.
 */
import { isCjk, joinSeparator, tidyLine } from './text-normalize.js';
import type { Fragment } from './fragment.js';
import type { ExtractedPage } from './types.js';
import { CHINESE_NUMERAL_CHARS, SMALL_NUMBER_SOURCE } from '../shared/numerals.js';

export type { Fragment } from './fragment.js';

export interface LayoutPage {
  width: number;
  height: number;
  fragments: Fragment[];
}

export interface Line {
  text: string;
  /** 0 for a single-column page or a full-width line, 1 and 2 for the left and right columns. */
  column?: number;
  x0: number;
  x1: number;
  y: number;
  height: number;
  /** A row of a table (cells joined by " | "): never joined to a neighbour, never taken for a running header. */
  table?: boolean;
}

export interface PageLines {
  width: number;
  height: number;
  lines: Line[];
  /** Set by the caller for pages whose lines came from OCR. */
  ocr?: boolean;
}

/** "- 3 -", "— １０１２ —", "-1-", "· 3 ·", "3", "第 3 页", "第3页 共18页", "3 / 18", "Page 3". */
export const PAGE_NUMBER_RE =
  /^(?:[-—–－‒―~〜·•\s]*[0-9０-９]{1,4}[-—–－‒―~〜·•\s]*|第\s*[0-9０-９]{1,4}\s*页(?:\s*[,，/]?\s*共\s*[0-9０-９]{1,4}\s*页)?|[0-9]{1,4}\s*\/\s*[0-9]{1,4}|page\s*[0-9]{1,4}(?:\s*of\s*[0-9]{1,4})?)$/iu;

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
}

/** Groups fragments whose vertical extents overlap into rows, each left to right. */
function groupRows(fragments: Fragment[]): Fragment[][] {
  const sorted = [...fragments].sort((a, b) => a.y + a.height / 2 - (b.y + b.height / 2) || a.x - b.x);
  const rows: Fragment[][] = [];
  for (const f of sorted) {
    const row = rows[rows.length - 1];
    const head = row?.[0];
    if (row && head) {
      const top = Math.max(head.y, f.y);
      const bottom = Math.min(head.y + head.height, f.y + f.height);
      if (bottom - top > 0.5 * Math.min(head.height, f.height)) {
        row.push(f);
        continue;
      }
    }
    rows.push([f]);
  }
  for (const row of rows) row.sort((a, b) => a.x - b.x);
  return rows;
}

/** One row of fragments as a line: a space where the fragments are apart, runs of spaces collapsed. */
function toLine(row: Fragment[]): Line {
  let text = '';
  let end = -Infinity;
  for (const f of row) {
    const gap = f.x - end;
    // Justified Chinese lines spread characters apart: only a wide gap (a heading's "第一章 总则") is a space.
    const cjk = isCjk(text[text.length - 1]) && isCjk(f.text[0]);
    if (text.length > 0 && gap > (cjk ? 0.6 : 0.25) * f.height && !/\s$/u.test(text)) text += ' ';
    text += f.text;
    end = Math.max(end, f.x + f.width);
  }
  const first = row[0] as Fragment;
  return { text: dropJustificationSpaces(tidyLine(text)), x0: first.x, x1: end, y: Math.min(...row.map((f) => f.y)), height: median(row.map((f) => f.height)) };
}

const HEADING_BEFORE_SPACE_RE = /(?:^|\s)(?:第[零〇一二两三四五六七八九十百千0-9]{1,6}[编章节条款]|附件[0-9]*|专栏[0-9]*)$/u;

/** "有关 安全生产的法律、法 规": spaces a PDF put between ideographs to justify a line; the one after 第X条 stays. */
export function dropJustificationSpaces(line: string): string {
  return line.replace(/(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])/gu, (space, offset: number, whole: string) => (HEADING_BEFORE_SPACE_RE.test(whole.slice(0, offset)) ? space : ''));
}

/** Groups fragments into lines, top to bottom. */
export function groupLines(fragments: Fragment[]): Line[] {
  return groupRows(fragments).map(toLine);
}

/** The narrowest gutter between columns: wider than a word space of the page's text (1.2 em, 8 pt at least). */
function minGutter(fragments: Fragment[]): number {
  return Math.max(8, 1.2 * median(fragments.map((f) => f.height)));
}

/** True when the row's fragments leave no gap of `gap` points around x (it crosses x). */
function rowCrosses(row: Fragment[], x: number, gap: number): boolean {
  let leftEnd = -Infinity;
  let rightStart = Infinity;
  for (const f of row) {
    if (f.x < x && f.x + f.width > x) return true;
    if (f.x + f.width <= x) leftEnd = Math.max(leftEnd, f.x + f.width);
    else rightStart = Math.min(rightStart, f.x);
  }
  return rightStart - leftEnd < gap && Number.isFinite(leftEnd) && Number.isFinite(rightStart);
}

/**
 * Finds an empty vertical gutter in the middle of the page that splits the text into two columns, each
 * holding a good share of it. Rows that run across the middle (a title, a full-width preamble) are left out
 * of the search; they are read as bands above or between the columns.
 */
function findGutter(page: LayoutPage, rows: Fragment[][], gap: number): number | undefined {
  const width = Math.ceil(page.width);
  if (width <= 0 || page.fragments.length < 8) return undefined;
  const lo = Math.floor(width * 0.3);
  const hi = Math.ceil(width * 0.7);
  const coverOf = (fs: Fragment[]): Uint8Array => {
    const cover = new Uint8Array(width + 1);
    for (const f of fs) {
      for (let x = Math.max(0, Math.floor(f.x)); x <= Math.min(width, Math.ceil(f.x + f.width)); x += 1) cover[x] = 1;
    }
    return cover;
  };
  // A row is split when it has a gutter-wide gap somewhere in the middle band.
  const split = rows.filter((row) => {
    const cover = coverOf(row);
    let run = 0;
    for (let x = lo; x <= hi; x += 1) {
      run = cover[x] ? 0 : run + 1;
      if (run >= gap) return true;
    }
    return false;
  });
  const cover = coverOf(split.flat());
  let best: { start: number; len: number } | undefined;
  let run = 0;
  for (let x = lo; x <= hi; x += 1) {
    run = cover[x] ? 0 : run + 1;
    if (run > 0 && (!best || run > best.len)) best = { start: x - run + 1, len: run };
  }
  if (!best || best.len < gap) return undefined;
  const mid = best.start + best.len / 2;
  const chars = (fs: Fragment[]): number => fs.reduce((n, f) => n + f.text.length, 0);
  const leftRows = split.filter((row) => row.some((f) => f.x + f.width <= mid));
  const rightRows = split.filter((row) => row.some((f) => f.x >= mid));
  const left = chars(split.flat().filter((f) => f.x + f.width <= mid));
  const right = chars(split.flat().filter((f) => f.x >= mid));
  const total = left + right;
  // Both sides carry text, six lines a side at least (a cover page with a date on each side is no layout).
  if (total === 0 || left < total * 0.2 || right < total * 0.2) return undefined;
  if (leftRows.length < 6 || rightRows.length < 6) return undefined;
  // Full-width rows (a title, a preamble) are read as bands; they must not dominate the page.
  const spanning = rows.filter((row) => rowCrosses(row, mid, gap));
  return chars(spanning.flat()) < total * 1.5 ? mid : undefined;
}

/** Lines of a page in reading order: column by column when the page has two. */
export function readPageLines(page: LayoutPage): Line[] {
  const fragments = page.fragments.filter((f) => f.text.length > 0);
  const rows = groupRows(fragments);
  const gap = minGutter(fragments);
  const gutter = findGutter({ ...page, fragments }, rows, gap);
  if (gutter === undefined) return rows.map(toLine);
  // Rows across the gutter split the page into bands; each band reads left column then right.
  const out: Line[] = [];
  let left: Fragment[] = [];
  let right: Fragment[] = [];
  const flushBand = (): void => {
    out.push(...groupLines(left).map((l) => ({ ...l, column: 1 })));
    out.push(...groupLines(right).map((l) => ({ ...l, column: 2 })));
    left = [];
    right = [];
  };
  for (const row of rows) {
    if (rowCrosses(row, gutter, gap)) {
      flushBand();
      out.push(toLine(row));
      continue;
    }
    for (const f of row) (f.x + f.width / 2 < gutter ? left : right).push(f);
  }
  flushBand();
  return out;
}

const normalizeRepeat = (text: string): string => text.replace(/[0-9０-９]+/gu, '#').replace(/\s+/gu, '');

/**
 * Removes page numbers and running headers/footers: page-number lines in the top or bottom 10% of a page
 * (or first/last on it), and lines in the top or bottom 10% repeated (digits aside) on at least half the pages.
 */
export function removeRunningLines(pages: PageLines[]): PageLines[] {
  const inMargin = (p: PageLines, l: Line): boolean => l.y < p.height * 0.1 || l.y + l.height > p.height * 0.9;
  const marginCandidates = (p: PageLines): Line[] => {
    const top = p.lines.slice(0, 3);
    const bottom = p.lines.slice(-3);
    return [...new Set([...top, ...bottom])].filter((l) => inMargin(p, l));
  };
  const counts = new Map<string, number>();
  for (const p of pages) {
    for (const key of new Set(marginCandidates(p).map((l) => normalizeRepeat(l.text)))) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const minRepeat = Math.max(2, Math.ceil(pages.length * 0.5));
  return pages.map((p) => {
    const candidates = new Set(marginCandidates(p));
    const first = p.lines[0];
    const last = p.lines[p.lines.length - 1];
    const lines = p.lines.filter((l) => {
      const pageNumber = PAGE_NUMBER_RE.test(l.text.trim());
      if (pageNumber && (inMargin(p, l) || l === first || l === last)) return false;
      if (l.table) return true;
      if (candidates.has(l) && (counts.get(normalizeRepeat(l.text)) ?? 0) >= minRepeat && normalizeRepeat(l.text).length > 0) return false;
      return true;
    });
    return { ...p, lines };
  });
}

const HEADING_START_RE = new RegExp(`^(?:第[${CHINESE_NUMERAL_CHARS}0-9]{1,6}[编章节条]|${SMALL_NUMBER_SOURCE}、|[（(]${SMALL_NUMBER_SOURCE}[）)]|附件|【)`, 'u');
const SENTENCE_END_RE = /[。！？；：!?;:]$/u;

interface Metrics {
  left: number;
  right: number;
  size: number;
}

function pageMetrics(lines: Line[]): Metrics {
  const size = median(lines.map((l) => l.height)) || 10;
  // The body's left edge: the most common line start (rounded to half a character).
  const bins = new Map<number, number>();
  for (const l of lines) {
    const key = Math.round(l.x0 / (size / 2));
    bins.set(key, (bins.get(key) ?? 0) + l.text.length);
  }
  let leftKey = 0;
  let leftWeight = -1;
  for (const [k, w] of bins) {
    if (w > leftWeight || (w === leftWeight && k < leftKey)) {
      leftKey = k;
      leftWeight = w;
    }
  }
  return { left: leftKey * (size / 2), right: quantile(lines.map((l) => l.x1), 0.9), size };
}

const centreOffset = (l: Line, m: Metrics): number => Math.abs((l.x0 + l.x1) / 2 - (m.left + m.right) / 2);
const centred = (l: Line, m: Metrics): boolean => {
  const unit = Math.max(m.size, l.height);
  return l.x0 > m.left + 1.5 * unit && centreOffset(l, m) < 2 * unit;
};

/**
 * A long title wrapped over two lines of the same size, the second centred: "关于发布《关于建立…管理" +
 * "工作机制的方案》的通知". The first is centred too, or set in a larger font than the body across the page.
 */
function centredContinuation(prev: Line, pm: Metrics, next: Line, nm: Metrics): boolean {
  if (!centred(next, nm)) return false;
  const titleFont = prev.height > 1.15 * pm.size && centreOffset(prev, pm) < 2 * Math.max(pm.size, prev.height);
  if (!centred(prev, pm) && !titleFont) return false;
  if (Math.abs(prev.height - next.height) > 0.1 * Math.max(prev.height, next.height)) return false;
  if (SENTENCE_END_RE.test(prev.text) || /[）)]$/u.test(prev.text) || /^[（(]/u.test(next.text)) return false;
  if (HEADING_START_RE.test(next.text) || /^第[^\s]{1,6}[编章节]/u.test(prev.text)) return false;
  // Both halves are long: a short centred line (a chapter title, a signature) stands alone.
  return prev.x1 - prev.x0 > 8 * pm.size && next.x1 - next.x0 > 4 * nm.size;
}

/** True when `next` continues the sentence of `prev` (a soft line wrap), judged from the layout. */
function continues(prev: Line, pm: Metrics, next: Line, nm: Metrics): boolean {
  if (prev.table || next.table) return false;
  const prevColumn = prev.column ?? 0;
  const nextColumn = next.column ?? 0;
  if (prevColumn !== nextColumn && (prevColumn === 0 || nextColumn === 0)) return false; // a full-width title and a column
  if (Math.abs(prev.height - next.height) > 0.2 * Math.max(prev.height, next.height)) return false; // a heading in another size
  if (centredContinuation(prev, pm, next, nm)) return true;
  if (next.x0 > nm.left + 0.8 * Math.max(nm.size, next.height)) return false; // indented: a new paragraph (or centred heading)
  // The line was broken by hand when the next line's first word would have fitted after it.
  const charWidth = (next.x1 - next.x0) / Math.max(1, next.text.length);
  const firstWord = /^[A-Za-z0-9'’\-.,;:()]+/u.exec(next.text)?.[0].length ?? 1;
  if (prev.x1 + charWidth * (firstWord + 0.5) < pm.right - 0.5 * pm.size) return false;
  if (prev.x0 > pm.left + 4 * pm.size && SENTENCE_END_RE.test(prev.text)) return false;
  if (HEADING_START_RE.test(next.text) && SENTENCE_END_RE.test(prev.text)) return false;
  // A chapter heading ("第五章 法律责任") starts its own line; "第五章规定的" inside a sentence has no space.
  if (/^第[零〇一二两三四五六七八九十百千0-9]{1,6}[编章节](?:\s|$)/u.test(next.text)) return false;
  return true;
}

/**
 * Joins the lines of all pages into one text: paragraphs one per line, soft wraps re-joined (no space between
 * Chinese characters), pages recorded as offsets. A sentence running over a page break is joined too.
 */
export function assembleText(pages: PageLines[]): { text: string; pages: ExtractedPage[] } {
  // Margins per column kind over the whole document: a page with two lines says little about its right edge.
  const documentMetrics = new Map<number, Metrics>();
  for (const column of [0, 1, 2]) {
    const lines = pages.flatMap((p) => p.lines.filter((l) => (l.column ?? 0) === column));
    if (lines.length > 0) documentMetrics.set(column, pageMetrics(lines));
  }
  let text = '';
  const out: ExtractedPage[] = [];
  let prev: { line: Line; metrics: Metrics } | undefined;
  pages.forEach((p, i) => {
    const metricsOf = new Map<number, Metrics>();
    for (const column of [0, 1, 2]) {
      const lines = p.lines.filter((l) => (l.column ?? 0) === column);
      const whole = documentMetrics.get(column);
      if (lines.length >= 8 || (whole === undefined && lines.length > 0)) metricsOf.set(column, pageMetrics(lines));
      else if (whole) metricsOf.set(column, whole);
    }
    let start: number | undefined;
    for (const line of p.lines) {
      if (line.text.length === 0) continue;
      const metrics = metricsOf.get(line.column ?? 0) as Metrics;
      if (prev && continues(prev.line, prev.metrics, line, metrics)) text += joinSeparator(text, line.text);
      else if (text.length > 0) text += '\n';
      start ??= text.length;
      text += line.text;
      prev = { line, metrics };
    }
    start ??= text.length;
    // Pages tile the text: the separator before a page belongs to the page before it.
    const before = out[out.length - 1];
    if (before) before.end = start;
    const page: ExtractedPage = { page: i + 1, start, end: text.length };
    if (p.ocr) page.ocr = true;
    out.push(page);
  });
  return { text, pages: out };
}
