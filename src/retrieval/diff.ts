/**
 * 新旧对照: two versions of a document compared clause by clause, as drafters put it in a 修订说明.
 *
 * - Units: the articles (第X条) of each text, else its top-level sections, else its paragraphs.
 * - Alignment, renumbering-aware: clauses are matched by their content (the text after 第X条,
 *   NFKC-folded, spaces aside), never by their numbers: a monotone alignment maximises the summed
 *   similarity (character-bigram Dice) of pairs at least `MIN_SIMILARITY` alike (for documents too
 *   large for one table, identical texts first anchor it and the stretches between are aligned so). A clause left over on each side that is as alike to one on the
 *   other, out of order, is `moved`; the rest is `removed` or `added`.
 * - Changes inside a modified (or moved and edited) clause are character ranges, from jsdiff's
 *   `diffChars` (the `diff` package: the most used text diff on npm, Myers' O(ND) algorithm; an
 *   alignment of clauses is the part no library does, so it is written here).
 *
 * Pure: two documents in, rows out. Offsets (`start`, `end`, `changes`) index each document's body.
 */
import { diffChars } from 'diff';
import type { SectionNode } from '../corpus/parser.js';
import { ERROR_CODES, KbError } from '../shared/errors.js';

export type DiffStatus = 'unchanged' | 'modified' | 'added' | 'removed' | 'moved';

export interface DiffSide {
  /** The clause as cited: 第十条 (or the section's label, or ¶3 for a paragraph). */
  clause: string;
  start: number;
  end: number;
  /** `body.slice(start, end)`. */
  text: string;
}

export interface DiffRow {
  status: DiffStatus;
  from?: DiffSide;
  to?: DiffSide;
  /** Ranges of `to`'s body that are new in a modified clause (inside [to.start, to.end)). */
  changes?: [number, number][];
  /** Ranges of `from`'s body that are gone (inside [from.start, from.end)). */
  fromChanges?: [number, number][];
}

export interface DiffDocument {
  docId: string;
  title: string;
  dateIssued?: string;
  docNumber?: string;
}

export interface VersionDiff {
  from: DiffDocument;
  to: DiffDocument;
  rows: DiffRow[];
  /** Rows per status. */
  summary: Record<DiffStatus, number>;
}

export interface DiffInput {
  meta: { docId: string; title: string; dateIssued?: string; docNumber?: string };
  body: string;
  tree: SectionNode;
}

/** Two clauses this alike (character-bigram Dice, 0–1) are one clause, edited: more than half their pairs shared. */
export const MIN_SIMILARITY = 0.5;
/** Most clauses a document may have to be compared (a code of 1,260 articles is well inside). */
export const MAX_UNITS = 5000;
/** Cells of one alignment block (clauses × clauses between two anchors) before it is matched greedily. */
const MAX_BLOCK_CELLS = 250_000;
/** Longest document compared, in characters (a 1,260-article code has about 400,000). */
export const MAX_CHARS = 2_000_000;
/** Longest clause whose characters are diffed; a longer one is marked changed as a whole. */
const MAX_CHAR_DIFF = 20_000;

interface Unit extends DiffSide {
  /** Comparison text: the content after the clause's number, NFKC, no white space. */
  key: string;
  /** Body offset of each character of `key`. */
  offsets: number[];
  bigrams: Map<string, number>;
}

/** The units a document is compared by: its articles, else its top-level sections, else its paragraphs. */
function unitsOf(doc: DiffInput): Unit[] {
  if (doc.body.length > MAX_CHARS) throw new KbError(ERROR_CODES.INVALID_INPUT, `${doc.meta.docId} has ${doc.body.length} characters; versions are compared up to ${MAX_CHARS} characters each; compare a smaller document`, { details: { docId: doc.meta.docId, chars: doc.body.length } });
  const articles: SectionNode[] = [];
  const walk = (n: SectionNode): void => {
    if (n.kind === 'article') articles.push(n);
    else n.children.forEach(walk);
  };
  walk(doc.tree);
  const nodes = articles.length > 0 ? articles : doc.tree.children;
  const spans: { clause: string; start: number; contentStart: number; end: number }[] =
    nodes.length > 0
      ? nodes.map((n) => ({ clause: n.label, start: n.start, contentStart: n.kind === 'article' ? n.titleEnd : n.start, end: n.end }))
      : paragraphs(doc.body);
  if (spans.length > MAX_UNITS) {
    throw new KbError(ERROR_CODES.INVALID_INPUT, `${doc.meta.docId} has ${spans.length} clauses; versions are compared up to ${MAX_UNITS} clauses each; compare a smaller document`, { details: { docId: doc.meta.docId, clauses: spans.length } });
  }
  return spans.map((s) => {
    let end = s.end;
    while (end > s.start && /\s/u.test(doc.body[end - 1] as string)) end -= 1;
    const { key, offsets } = comparable(doc.body, s.contentStart, end);
    return { clause: s.clause, start: s.start, end, text: doc.body.slice(s.start, end), key, offsets, bigrams: bigramsOf(key) };
  });
}

function paragraphs(body: string): { clause: string; start: number; contentStart: number; end: number }[] {
  const out: { clause: string; start: number; contentStart: number; end: number }[] = [];
  const re = /[^\n]+/gu;
  for (let m = re.exec(body); m; m = re.exec(body)) if (m[0].trim()) out.push({ clause: `¶${out.length + 1}`, start: m.index, contentStart: m.index, end: m.index + m[0].length });
  return out;
}

/** The text compared: NFKC, white space dropped, with the body offset of each character. */
function comparable(body: string, start: number, end: number): { key: string; offsets: number[] } {
  let key = '';
  const offsets: number[] = [];
  for (let i = start; i < end; ) {
    const cp = body.codePointAt(i) as number;
    const ch = String.fromCodePoint(cp);
    if (!/\s/u.test(ch)) {
      const folded = ch.normalize('NFKC');
      key += folded;
      for (let k = 0; k < folded.length; k += 1) offsets.push(i);
    }
    i += ch.length;
  }
  return { key, offsets };
}

function bigramsOf(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const chars = [...text];
  if (chars.length === 1) out.set(chars[0] as string, 1);
  for (let i = 0; i + 1 < chars.length; i += 1) {
    const g = `${chars[i]}${chars[i + 1]}`;
    out.set(g, (out.get(g) ?? 0) + 1);
  }
  return out;
}

/** Dice coefficient of two bigram multisets (1 for equal texts, 0 for nothing shared). */
export function similarity(a: Map<string, number>, b: Map<string, number>): number {
  let shared = 0;
  let total = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const [g, n] of small) shared += Math.min(n, large.get(g) ?? 0);
  for (const n of a.values()) total += n;
  for (const n of b.values()) total += n;
  return total === 0 ? 1 : (2 * shared) / total;
}

/**
 * Matched pairs [fromIndex, toIndex], ascending on both sides, by dynamic programming over
 * similarity; for large documents identical texts that occur once on each side anchor first (their
 * longest increasing run), and each stretch between anchors is aligned so.
 */
function align(a: Unit[], b: Unit[]): [number, number][] {
  // Small enough for one table: the alignment of greatest total similarity, no anchors to second-guess it.
  if (a.length * b.length <= MAX_BLOCK_CELLS) return alignBlock(a, b, 0, a.length, 0, b.length);
  const once = (units: Unit[]): Map<string, number> => {
    const count = new Map<string, number>();
    for (const u of units) count.set(u.key, (count.get(u.key) ?? 0) + 1);
    return new Map(units.flatMap((u, i) => (count.get(u.key) === 1 ? [[u.key, i] as const] : [])));
  };
  const inA = once(a);
  const inB = once(b);
  const candidates = [...inA].flatMap(([key, i]) => (inB.has(key) ? [[i, inB.get(key) as number] as [number, number]] : [])).sort((x, y) => x[0] - y[0]);
  const anchors = longestIncreasing(candidates);
  const pairs: [number, number][] = [];
  let [ai, bi] = [0, 0];
  for (const [x, y] of [...anchors, [a.length, b.length] as [number, number]]) {
    pairs.push(...alignBlock(a, b, ai, x, bi, y));
    if (x < a.length) pairs.push([x, y]);
    [ai, bi] = [x + 1, y + 1];
  }
  return pairs;
}

/** The longest run of pairs increasing in both indexes (pairs sorted by the first). O(n log n). */
function longestIncreasing(pairs: [number, number][]): [number, number][] {
  const tails: number[] = [];
  const prev: number[] = new Array(pairs.length).fill(-1);
  pairs.forEach(([, y], i) => {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((pairs[tails[mid] as number] as [number, number])[1] < y) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1] as number;
    tails[lo] = i;
  });
  const out: [number, number][] = [];
  for (let i = tails[tails.length - 1] ?? -1; i >= 0; i = prev[i] as number) out.push(pairs[i] as [number, number]);
  return out.reverse();
}

/** Aligns a[a0, a1) with b[b0, b1): weighted LCS over pairs at least MIN_SIMILARITY alike. */
function alignBlock(a: Unit[], b: Unit[], a0: number, a1: number, b0: number, b1: number): [number, number][] {
  const n = a1 - a0;
  const m = b1 - b0;
  if (n === 0 || m === 0) return [];
  if (n * m > MAX_BLOCK_CELLS) return greedyBlock(a, b, a0, a1, b0, b1);
  const sim = new Float64Array(n * m);
  for (let i = 0; i < n; i += 1) for (let j = 0; j < m; j += 1) sim[i * m + j] = similarity((a[a0 + i] as Unit).bigrams, (b[b0 + j] as Unit).bigrams);
  // score[i][j]: best sum aligning the first i of a with the first j of b.
  const score = new Float64Array((n + 1) * (m + 1));
  const w = m + 1;
  for (let i = 1; i <= n; i += 1) {
    for (let j = 1; j <= m; j += 1) {
      const s = sim[(i - 1) * m + (j - 1)] as number;
      const diag = s >= MIN_SIMILARITY ? (score[(i - 1) * w + (j - 1)] as number) + s : -1;
      score[i * w + j] = Math.max(score[(i - 1) * w + j] as number, score[i * w + j - 1] as number, diag);
    }
  }
  const out: [number, number][] = [];
  for (let i = n, j = m; i > 0 && j > 0; ) {
    const s = sim[(i - 1) * m + (j - 1)] as number;
    const here = score[i * w + j] as number;
    if (s >= MIN_SIMILARITY && here === (score[(i - 1) * w + (j - 1)] as number) + s) {
      out.push([a0 + i - 1, b0 + j - 1]);
      i -= 1;
      j -= 1;
    } else if (here === (score[(i - 1) * w + j] as number)) i -= 1;
    else j -= 1;
  }
  return out.reverse();
}

/** A block too large for the table: each clause in turn takes the most alike later clause of the other side. */
function greedyBlock(a: Unit[], b: Unit[], a0: number, a1: number, b0: number, b1: number): [number, number][] {
  const out: [number, number][] = [];
  let next = b0;
  for (let i = a0; i < a1 && next < b1; i += 1) {
    let best = -1;
    let bestSim = MIN_SIMILARITY;
    for (let j = next; j < Math.min(b1, next + 50); j += 1) {
      const s = similarity((a[i] as Unit).bigrams, (b[j] as Unit).bigrams);
      if (s >= bestSim) [best, bestSim] = [j, s];
    }
    if (best >= 0) {
      out.push([i, best]);
      next = best + 1;
    }
  }
  return out;
}

/** Body ranges of the characters `diffChars` marks added (on `to`) and removed (on `from`). */
function charChanges(from: Unit, to: Unit): { changes: [number, number][]; fromChanges: [number, number][] } {
  if (from.key.length > MAX_CHAR_DIFF || to.key.length > MAX_CHAR_DIFF) return { changes: [[to.start, to.end]], fromChanges: [[from.start, from.end]] };
  const changes: [number, number][] = [];
  const fromChanges: [number, number][] = [];
  let fi = 0;
  let ti = 0;
  const push = (list: [number, number][], unit: Unit, at: number, length: number): void => {
    const start = unit.offsets[at] as number;
    const lastAt = unit.offsets[at + length - 1] as number;
    const end = lastAt + String.fromCodePoint(unit.text.codePointAt(lastAt - unit.start) ?? 32).length;
    const last = list[list.length - 1];
    // Ranges that only white space separates read as one.
    if (last && unit.text.slice(last[1] - unit.start, start - unit.start).trim() === '') last[1] = end;
    else list.push([start, end]);
  };
  for (const part of diffChars(from.key, to.key)) {
    if (part.added) {
      push(changes, to, ti, part.value.length);
      ti += part.value.length;
    } else if (part.removed) {
      push(fromChanges, from, fi, part.value.length);
      fi += part.value.length;
    } else {
      fi += part.value.length;
      ti += part.value.length;
    }
  }
  return { changes, fromChanges };
}

const side = (u: Unit): DiffSide => ({ clause: u.clause, start: u.start, end: u.end, text: u.text });

function pairRow(from: Unit, to: Unit, moved: boolean): DiffRow {
  if (from.key === to.key) return { status: moved ? 'moved' : 'unchanged', from: side(from), to: side(to) };
  return { status: moved ? 'moved' : 'modified', from: side(from), to: side(to), ...charChanges(from, to) };
}

const describe = (d: DiffInput): DiffDocument => ({ docId: d.meta.docId, title: d.meta.title, ...(d.meta.dateIssued ? { dateIssued: d.meta.dateIssued } : {}), ...(d.meta.docNumber ? { docNumber: d.meta.docNumber } : {}) });

/** Compares two versions (or any two documents) clause by clause. Throws `invalid_input` for a document over MAX_UNITS clauses. */
export function diffDocuments(fromDoc: DiffInput, toDoc: DiffInput): VersionDiff {
  const a = unitsOf(fromDoc);
  const b = unitsOf(toDoc);
  const pairs = align(a, b);
  const matchedA = new Set(pairs.map(([i]) => i));
  const matchedB = new Set(pairs.map(([, j]) => j));
  // Left over on both sides and alike: moved out of order (most alike first).
  const moves = new Map<number, number>();
  const leftA = a.map((_, i) => i).filter((i) => !matchedA.has(i));
  const leftB = b.map((_, j) => j).filter((j) => !matchedB.has(j));
  if (leftA.length * leftB.length <= MAX_BLOCK_CELLS) {
    const candidates: [number, number, number][] = [];
    for (const i of leftA) for (const j of leftB) {
      const s = similarity((a[i] as Unit).bigrams, (b[j] as Unit).bigrams);
      if (s >= MIN_SIMILARITY) candidates.push([s, i, j]);
    }
    candidates.sort((x, y) => y[0] - x[0] || x[1] - y[1] || x[2] - y[2]);
    const usedB = new Set<number>();
    for (const [, i, j] of candidates) {
      if (moves.has(i) || usedB.has(j)) continue;
      moves.set(i, j);
      usedB.add(j);
    }
  }
  const movedTo = new Map([...moves].map(([i, j]) => [j, i] as const));
  const rows: DiffRow[] = [];
  const pairOfB = new Map(pairs.map(([i, j]) => [j, i] as const));
  let nextA = 0;
  // Rows in the new text's order; a removed clause appears where it stood, before the clause that followed it.
  const flushRemoved = (upTo: number): void => {
    for (; nextA < upTo; nextA += 1) if (!matchedA.has(nextA) && !moves.has(nextA)) rows.push({ status: 'removed', from: side(a[nextA] as Unit) });
  };
  for (let j = 0; j < b.length; j += 1) {
    const i = pairOfB.get(j);
    if (i !== undefined) {
      flushRemoved(i);
      nextA = Math.max(nextA, i + 1);
      rows.push(pairRow(a[i] as Unit, b[j] as Unit, false));
    } else if (movedTo.has(j)) rows.push(pairRow(a[movedTo.get(j) as number] as Unit, b[j] as Unit, true));
    else rows.push({ status: 'added', to: side(b[j] as Unit) });
  }
  flushRemoved(a.length);
  const summary: Record<DiffStatus, number> = { unchanged: 0, modified: 0, added: 0, removed: 0, moved: 0 };
  for (const r of rows) summary[r.status] += 1;
  return { from: describe(fromDoc), to: describe(toDoc), rows, summary };
}

/**
 * The clause of `toDoc` that matches the clause of `fromDoc` holding `offset`: the one with the same
 * number when it is alike, else the most alike (at least MIN_SIMILARITY); `removed` when none is.
 * Cheaper than a whole diff: what an answer needs for one citation.
 */
export function matchingClause(fromDoc: DiffInput, offset: number, toDoc: DiffInput): { status: 'unchanged' | 'modified' | 'removed'; from: DiffSide; to?: DiffSide } | undefined {
  const a = unitsOf(fromDoc).find((u) => u.start <= offset && offset < Math.max(u.end, u.start + 1));
  if (!a) return undefined;
  const b = unitsOf(toDoc);
  const same = b.find((u) => u.clause === a.clause);
  let best: Unit | undefined = same && similarity(a.bigrams, same.bigrams) >= MIN_SIMILARITY ? same : undefined;
  if (!best) {
    let bestSim = MIN_SIMILARITY;
    for (const u of b) {
      const s = similarity(a.bigrams, u.bigrams);
      if (s >= bestSim) [best, bestSim] = [u, s];
    }
  }
  if (!best) return { status: 'removed', from: side(a) };
  return { status: best.key === a.key ? 'unchanged' : 'modified', from: side(a), to: side(best) };
}

const STATUS_NOTE: Record<DiffStatus, string> = { unchanged: '未修改', modified: '修改', added: '新增', removed: '删除', moved: '移动' };

/** Text for a Markdown table cell: pipes, emphasis marks and HTML escaped, line breaks as <br>. */
function cell(text: string): string {
  return text.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;').replace(/([|*~_\\`])/gu, '\\$1').replace(/\s*\n\s*/gu, '<br>');
}

/** A clause with its changed ranges marked: `mark` wraps each (**新增** or ~~删除~~). */
function marked(sideOf: DiffSide, ranges: readonly [number, number][] | undefined, open: string, close: string): string {
  if (!ranges?.length) return cell(sideOf.text);
  let out = '';
  let at = sideOf.start;
  for (const [s, e] of ranges) {
    out += cell(sideOf.text.slice(at - sideOf.start, s - sideOf.start));
    out += `${open}${cell(sideOf.text.slice(s - sideOf.start, e - sideOf.start))}${close}`;
    at = e;
  }
  return out + cell(sideOf.text.slice(at - sideOf.start));
}

const dated = (d: DiffDocument): string => `《${d.title.replace(/[|<>]/gu, '')}》${d.dateIssued ? `（${d.dateIssued}）` : ''}`;

/**
 * The comparison as drafters put it in a 修订说明: a 新旧对照表 of 修改前 | 修改后 | 说明, new text in
 * **bold**, removed text struck through; `unchanged` rows left out unless asked for.
 */
export function diffMarkdown(diff: VersionDiff, options: { unchanged?: boolean } = {}): string {
  const s = diff.summary;
  const lines = [
    `# ${dated(diff.from)}与${dated(diff.to)}新旧对照`,
    '',
    `修改前：${dated(diff.from)} ${diff.from.docId}；修改后：${dated(diff.to)} ${diff.to.docId}`,
    '',
    `未修改 ${s.unchanged} 条，修改 ${s.modified} 条，新增 ${s.added} 条，删除 ${s.removed} 条，移动 ${s.moved} 条。`,
    '',
    '| 修改前 | 修改后 | 说明 |',
    '| --- | --- | --- |',
  ];
  for (const r of diff.rows) {
    if (r.status === 'unchanged' && !options.unchanged) continue;
    const before = r.from ? marked(r.from, r.fromChanges, '~~', '~~') : '';
    const after = r.to ? marked(r.to, r.changes, '**', '**') : '';
    const renumbered = r.from && r.to && r.from.clause !== r.to.clause ? `（${r.from.clause}→${r.to.clause}）` : '';
    lines.push(`| ${before} | ${after} | ${STATUS_NOTE[r.status]}${renumbered} |`);
  }
  return `${lines.join('\n')}\n`;
}
