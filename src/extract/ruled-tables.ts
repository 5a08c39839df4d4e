/**
 * Ruled tables on laid-out pages (PDF text layers, OFD): the ruling lines a page draws (cell borders, as Word,
 * WPS and OFD writers draw them: stroked lines or hairline filled rectangles) are joined into grids; a grid of
 * two columns or more and two rows or more is a table. Its text becomes one line per row, cells separated by
 * " | ", as DOCX and HTML tables are written (src/chunking/tables.ts reads them back); the rest of the page
 * goes through the ordinary reading order. Merged cells: a cell spanning rows repeats its text in each row
 * (as a header cell is repeated), a cell spanning columns is one cell. A box around one paragraph, a single
 * rule under a title or a page border is no table. Pure; coordinates top-down, in points.
 */
import { groupLines, readPageLines, type Fragment, type LayoutPage, type Line } from './layout.js';
import { joinSeparator } from './text-normalize.js';

/** An axis-aligned ruling line: horizontal when y0 = y1, vertical when x0 = x1 (x0 ≤ x1, y0 ≤ y1). */
export interface Rule {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Lines closer than this (points) are the same border: a border drawn cell by cell, a double rule. */
const SNAP = 2;
/** A rule shorter than this is a tick, an underline of one character or a dash, not a border. */
const MIN_RULE = 6;
/** A filled rectangle thinner than this is a drawn rule (Word and WPS draw borders as hairline rectangles). */
const MAX_RULE_WIDTH = 3;

/** A table found on a page: its box and its rows of cell texts, top to bottom. */
export interface RuledTable {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  rows: string[][];
}

/**
 * The rules of a path: straight axis-aligned segments, thin filled rectangles as their centre line, and the
 * edges of stroked rectangles. `points` is a polyline list (each subpath its points, closed or not).
 */
export function rulesOfPath(subpaths: Array<Array<[number, number]>>, painted: 'stroke' | 'fill'): Rule[] {
  const out: Rule[] = [];
  for (const pts of subpaths) {
    if (pts.length < 2) continue;
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    const w = Math.max(...xs) - Math.min(...xs);
    const h = Math.max(...ys) - Math.min(...ys);
    const axisAligned = pts.every((p, i) => i === 0 || Math.abs(p[0] - (pts[i - 1] as [number, number])[0]) < 0.5 || Math.abs(p[1] - (pts[i - 1] as [number, number])[1]) < 0.5);
    if (!axisAligned) continue;
    if (painted === 'fill') {
      // A filled shape is a rule only when it is a hairline; a shaded cell or a page background is not.
      if (h <= MAX_RULE_WIDTH && w >= MIN_RULE) out.push({ x0: Math.min(...xs), x1: Math.max(...xs), y0: (Math.min(...ys) + Math.max(...ys)) / 2, y1: (Math.min(...ys) + Math.max(...ys)) / 2 });
      else if (w <= MAX_RULE_WIDTH && h >= MIN_RULE) out.push({ y0: Math.min(...ys), y1: Math.max(...ys), x0: (Math.min(...xs) + Math.max(...xs)) / 2, x1: (Math.min(...xs) + Math.max(...xs)) / 2 });
      continue;
    }
    for (let i = 1; i < pts.length; i += 1) {
      const [ax, ay] = pts[i - 1] as [number, number];
      const [bx, by] = pts[i] as [number, number];
      if (Math.abs(ay - by) < 0.5 && Math.abs(ax - bx) >= MIN_RULE) out.push({ x0: Math.min(ax, bx), x1: Math.max(ax, bx), y0: ay, y1: ay });
      else if (Math.abs(ax - bx) < 0.5 && Math.abs(ay - by) >= MIN_RULE) out.push({ x0: ax, x1: ax, y0: Math.min(ay, by), y1: Math.max(ay, by) });
    }
  }
  return out;
}

/** Clusters close values; returns the cluster centres, ascending. */
function clusterPositions(values: number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const out: number[][] = [];
  for (const v of sorted) {
    const last = out[out.length - 1];
    if (last && v - (last[last.length - 1] as number) <= SNAP) last.push(v);
    else out.push([v]);
  }
  return out.map((c) => c.reduce((s, v) => s + v, 0) / c.length);
}

function find(parent: number[], i: number): number {
  let r = i;
  while (parent[r] !== r) r = parent[r] as number;
  while (parent[i] !== r) {
    const next = parent[i] as number;
    parent[i] = r;
    i = next;
  }
  return r;
}

/** Groups rules that touch or cross into connected sets (one set per grid). */
function connectedGrids(horizontal: Rule[], vertical: Rule[]): Array<{ h: Rule[]; v: Rule[] }> {
  const all = [...horizontal, ...vertical];
  const parent = all.map((_r, i) => i);
  const union = (a: number, b: number): void => {
    parent[find(parent, a)] = find(parent, b);
  };
  horizontal.forEach((h, i) => {
    vertical.forEach((v, j) => {
      if (v.x0 >= h.x0 - SNAP && v.x0 <= h.x1 + SNAP && h.y0 >= v.y0 - SNAP && h.y0 <= v.y1 + SNAP) union(i, horizontal.length + j);
    });
  });
  const groups = new Map<number, { h: Rule[]; v: Rule[] }>();
  all.forEach((r, i) => {
    const root = find(parent, i);
    const g = groups.get(root) ?? { h: [], v: [] };
    (i < horizontal.length ? g.h : g.v).push(r);
    groups.set(root, g);
  });
  return [...groups.values()];
}

const centreX = (f: Fragment): number => f.x + f.width / 2;
const centreY = (f: Fragment): number => f.y + f.height / 2;

/** The text of a cell: its fragments as lines, joined without breaks (a cell's wrapped text is one sentence). */
function cellText(fragments: Fragment[]): string {
  let text = '';
  for (const line of groupLines(fragments)) text += joinSeparator(text, line.text) + line.text;
  // A "|" inside a cell would read as a cell border.
  return text.replace(/\s*\|\s*/gu, '｜').trim();
}

/**
 * One grid as a table: column borders from its vertical rules, row borders from its horizontal ones; a border
 * missing between two grid cells merges them. Undefined when the grid is not a table (one column, one row,
 * or text in fewer than two rows).
 */
function readGrid(grid: { h: Rule[]; v: Rule[] }, fragments: Fragment[]): { table: RuledTable; used: Set<Fragment> } | undefined {
  const xs = clusterPositions(grid.v.map((r) => r.x0));
  const ys = clusterPositions(grid.h.map((r) => r.y0));
  if (xs.length < 3 || ys.length < 3) return undefined;
  const x0 = xs[0] as number;
  const x1 = xs[xs.length - 1] as number;
  const y0 = ys[0] as number;
  const y1 = ys[ys.length - 1] as number;
  const cols = xs.length - 1;
  const bands = ys.length - 1;
  const covers = (rules: Rule[], at: number, axis: 'x' | 'y', from: number, to: number): boolean => {
    const mid = (from + to) / 2;
    return rules.some((r) => (axis === 'x' ? Math.abs(r.x0 - at) <= SNAP && r.y0 - SNAP <= mid && r.y1 + SNAP >= mid : Math.abs(r.y0 - at) <= SNAP && r.x0 - SNAP <= mid && r.x1 + SNAP >= mid));
  };
  // Grid cells merged where a border is missing (union-find over band × column).
  const parent = Array.from({ length: bands * cols }, (_v, i) => i);
  for (let b = 0; b < bands; b += 1) {
    for (let c = 0; c < cols; c += 1) {
      const here = b * cols + c;
      if (c + 1 < cols && !covers(grid.v, xs[c + 1] as number, 'x', ys[b] as number, ys[b + 1] as number)) parent[find(parent, here + 1)] = find(parent, here);
      if (b + 1 < bands && !covers(grid.h, ys[b + 1] as number, 'y', xs[c] as number, xs[c + 1] as number)) parent[find(parent, here + cols)] = find(parent, here);
    }
  }
  const slot = (v: number, edges: number[]): number => {
    for (let i = 0; i + 1 < edges.length; i += 1) if (v >= (edges[i] as number) && v < (edges[i + 1] as number)) return i;
    return -1;
  };
  const inCell = new Map<number, Fragment[]>();
  const used = new Set<Fragment>();
  for (const f of fragments) {
    const c = slot(centreX(f), xs);
    const b = slot(centreY(f), ys);
    if (c < 0 || b < 0) continue;
    const root = find(parent, b * cols + c);
    inCell.set(root, [...(inCell.get(root) ?? []), f]);
    used.add(f);
  }
  const texts = new Map<number, string>();
  for (const [root, fs] of inCell) texts.set(root, cellText(fs));
  const rows: string[][] = [];
  for (let b = 0; b < bands; b += 1) {
    const cells: string[] = [];
    let lastRoot = -1;
    for (let c = 0; c < cols; c += 1) {
      const root = find(parent, b * cols + c);
      if (root === lastRoot) continue; // a cell spanning columns counts once
      lastRoot = root;
      cells.push(texts.get(root) ?? '');
    }
    if (cells.some((t) => t.length > 0)) rows.push(cells);
  }
  // A table has two columns in some row and text in two rows at least; otherwise it is a framed paragraph.
  if (rows.length < 2 || !rows.some((r) => r.filter((t) => t.length > 0).length >= 2)) return undefined;
  return { table: { x0, y0, x1, y1, rows }, used };
}

/** Merges collinear pieces of one border (drawn cell by cell) into one rule. */
function mergeCollinear(rules: Rule[], horizontal: boolean): Rule[] {
  const key = (r: Rule): number => (horizontal ? r.y0 : r.x0);
  const start = (r: Rule): number => (horizontal ? r.x0 : r.y0);
  const end = (r: Rule): number => (horizontal ? r.x1 : r.y1);
  const sorted = [...rules].sort((a, b) => key(a) - key(b) || start(a) - start(b));
  const out: Rule[] = [];
  for (const r of sorted) {
    const same = out.find((o) => Math.abs(key(o) - key(r)) <= SNAP && start(r) <= end(o) + SNAP && end(r) >= start(o) - SNAP);
    if (!same) {
      out.push({ ...r });
      continue;
    }
    if (horizontal) {
      same.x0 = Math.min(same.x0, r.x0);
      same.x1 = Math.max(same.x1, r.x1);
    } else {
      same.y0 = Math.min(same.y0, r.y0);
      same.y1 = Math.max(same.y1, r.y1);
    }
  }
  return out;
}

/** The ruled tables of a page and the fragments they hold. */
export function findRuledTables(fragments: Fragment[], rules: Rule[]): { tables: RuledTable[]; used: Set<Fragment> } {
  const horizontal = mergeCollinear(rules.filter((r) => Math.abs(r.y1 - r.y0) < 0.5 && r.x1 - r.x0 >= MIN_RULE), true);
  const vertical = mergeCollinear(rules.filter((r) => Math.abs(r.x1 - r.x0) < 0.5 && r.y1 - r.y0 >= MIN_RULE), false);
  const tables: RuledTable[] = [];
  const used = new Set<Fragment>();
  if (horizontal.length < 3 || vertical.length < 3) return { tables, used };
  for (const grid of connectedGrids(horizontal, vertical)) {
    const found = readGrid(grid, fragments.filter((f) => !used.has(f)));
    if (!found) continue;
    tables.push(found.table);
    for (const f of found.used) used.add(f);
  }
  tables.sort((a, b) => a.y0 - b.y0);
  return { tables, used };
}

/** A page with the ruling lines it draws. */
export interface RuledPage extends LayoutPage {
  rules?: Rule[];
}

/**
 * Lines of a page in reading order, its ruled tables as rows ("cell | cell", marked `table`): the text around
 * them is read as readPageLines reads it, each table placed before the first line below it.
 */
export function readPageLinesWithTables(page: RuledPage): Line[] {
  if (!page.rules || page.rules.length === 0) return readPageLines(page);
  const { tables, used } = findRuledTables(page.fragments, page.rules);
  if (tables.length === 0) return readPageLines(page);
  const lines = readPageLines({ ...page, fragments: page.fragments.filter((f) => !used.has(f)) });
  const size = lines.length > 0 ? lines.map((l) => l.height).sort((a, b) => a - b)[Math.floor(lines.length / 2)] as number : 10;
  for (const table of tables) {
    const rows: Line[] = table.rows.map((cells, i) => ({ text: cells.join(' | '), x0: table.x0, x1: table.x1, y: table.y0 + i * 0.01, height: size, table: true }));
    const at = lines.findIndex((l) => !l.table && l.y >= table.y1 - SNAP);
    lines.splice(at < 0 ? lines.length : at, 0, ...rows);
  }
  return lines;
}

const cellsOfLine = (line: Line): string[] => line.text.split(' | ');

/**
 * A table running over a page break: the header row the next page repeats is dropped (the table keeps the
 * header it started with), and a column left empty in every continued row takes the value of the last row
 * before the break (a cell spanning rows is printed once, on the page where it starts).
 */
export function joinTablesAcrossPages<P extends { lines: Line[] }>(pages: P[]): P[] {
  let header: string | undefined;
  let last: string[] | undefined;
  return pages.map((p) => {
    const lines = [...p.lines];
    const continued = header !== undefined && last !== undefined && lines[0]?.table === true;
    if (continued && last) {
      if (lines[0]?.text === header) lines.shift();
      const width = last.length;
      let end = 0;
      while (end < lines.length && lines[end]?.table && cellsOfLine(lines[end] as Line).length === width) end += 1;
      const run = lines.slice(0, end).map(cellsOfLine);
      for (let c = 0; c < width && end > 0; c += 1) {
        const above = last[c] ?? '';
        if (above.length === 0 || !run.every((cells) => (cells[c] ?? '').length === 0)) continue;
        run.forEach((cells) => {
          cells[c] = above;
        });
      }
      run.forEach((cells, i) => {
        lines[i] = { ...(lines[i] as Line), text: cells.join(' | ') };
      });
    }
    let start = lines.length;
    while (start > 0 && lines[start - 1]?.table) start -= 1;
    if (start === lines.length) {
      header = undefined;
      last = undefined;
    } else {
      if (!(continued && start === 0)) header = lines[start]?.text;
      last = cellsOfLine(lines[lines.length - 1] as Line);
    }
    return { ...p, lines };
  });
}
