/**
 * Reading order for laid-out pages (PDF text layers, OFD): positioned text fragments → lines → columns →
 * running headers, footers and page numbers removed → paragraphs re-joined across line and page breaks.
 * Coordinates are top-down (y grows downwards), in points.
 */
import { joinSeparator, tidyLine } from './text-normalize.js';
import type { ExtractedPage } from './types.js';

export interface Fragment {
  x: number;
  /** Top of the glyph box. */
  y: number;
  width: number;
  /** Font size / glyph height. */
  height: number;
  text: string;
}

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

/** Groups fragments whose vertical extents overlap into lines, left to right. */
function groupLines(fragments: Fragment[]): Line[] {
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
  return rows.map((row) => {
    row.sort((a, b) => a.x - b.x);
    let text = '';
    let end = -Infinity;
    for (const f of row) {
      const gap = f.x - end;
      if (text.length > 0 && gap > 0.25 * f.height && !/\s$/u.test(text)) text += ' ';
      text += f.text;
      end = Math.max(end, f.x + f.width);
    }
    const first = row[0] as Fragment;
    return {
      text: tidyLine(text),
      x0: first.x,
      x1: end,
      y: Math.min(...row.map((f) => f.y)),
      height: median(row.map((f) => f.height)),
    };
  });
}

/**
 * Finds an empty vertical gutter in the middle of the page that splits the text into two columns,
 * each holding a good share of it. Fragments wider than the gutter region (titles) do not count.
 */
function findGutter(page: LayoutPage): number | undefined {
  const width = Math.ceil(page.width);
  if (width <= 0 || page.fragments.length < 8) return undefined;
  const narrow = page.fragments.filter((f) => f.width < page.width * 0.45 && f.text.trim().length > 0);
  const cover = new Uint8Array(width + 1);
  for (const f of narrow) {
    for (let x = Math.max(0, Math.floor(f.x)); x <= Math.min(width, Math.ceil(f.x + f.width)); x += 1) cover[x] = 1;
  }
  let best: { start: number; len: number } | undefined;
  let run = 0;
  for (let x = Math.floor(width * 0.3); x <= Math.ceil(width * 0.7); x += 1) {
    run = cover[x] ? 0 : run + 1;
    if (run > 0 && (!best || run > best.len)) best = { start: x - run + 1, len: run };
  }
  if (!best || best.len < 8) return undefined;
  const mid = best.start + best.len / 2;
  const chars = (fs: Fragment[]): number => fs.reduce((n, f) => n + f.text.length, 0);
  const left = chars(narrow.filter((f) => f.x + f.width <= mid));
  const right = chars(narrow.filter((f) => f.x >= mid));
  const total = left + right;
  // Both sides must carry text, and lines on the left must mostly stop before the gutter.
  if (total === 0 || left < total * 0.2 || right < total * 0.2) return undefined;
  // A column is a run of lines, not a cover page with a date on each side: six lines a side at least.
  const rows = (fs: Fragment[]): number => new Set(fs.map((f) => Math.round(f.y / Math.max(1, f.height)))).size;
  if (rows(narrow.filter((f) => f.x + f.width <= mid)) < 6 || rows(narrow.filter((f) => f.x >= mid)) < 6) return undefined;
  const spanning = page.fragments.filter((f) => f.x < mid && f.x + f.width > mid);
  return chars(spanning) < total * 0.25 ? mid : undefined;
}

/** Lines of a page in reading order: column by column when the page has two. */
export function readPageLines(page: LayoutPage): Line[] {
  const fragments = page.fragments.filter((f) => f.text.length > 0);
  const gutter = findGutter({ ...page, fragments });
  if (gutter === undefined) return groupLines(fragments);
  // Full-width lines (titles) split the page into bands; each band reads left column then right.
  const spanningLines = groupLines(fragments.filter((f) => f.x < gutter && f.x + f.width > gutter));
  const rest = fragments.filter((f) => !(f.x < gutter && f.x + f.width > gutter));
  const out: Line[] = [];
  let top = -Infinity;
  for (const boundary of [...spanningLines.map((l) => l.y), Infinity]) {
    const band = rest.filter((f) => f.y >= top && f.y < boundary);
    out.push(...groupLines(band.filter((f) => f.x + f.width / 2 < gutter)).map((l) => ({ ...l, column: 1 })));
    out.push(...groupLines(band.filter((f) => f.x + f.width / 2 >= gutter)).map((l) => ({ ...l, column: 2 })));
    const spanning = spanningLines.find((l) => l.y === boundary);
    if (spanning) out.push(spanning);
    top = boundary;
  }
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
      if (candidates.has(l) && (counts.get(normalizeRepeat(l.text)) ?? 0) >= minRepeat && normalizeRepeat(l.text).length > 0) return false;
      return true;
    });
    return { ...p, lines };
  });
}

const HEADING_START_RE = /^(?:第[零〇一二两三四五六七八九十百千0-9]{1,6}[编章节条]|[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|附件|【)/u;
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
