/**
 * Section tree → citable chunks. The chunk is the smallest structural unit (条/款/item/paragraph),
 * merged with following siblings only while short, split at sentence ends when longer than the budget.
 * Pure: every chunk's `text === body.slice(start, end)` and the chunks tile the body exactly.
 */
import { createHash } from 'node:crypto';
import type { SectionNode } from '../corpus/parser.js';
import { findTableRows, labelRow, type TableRow } from './tables.js';

/**
 * Bump when chunk boundaries or ids change: the index manifest records it. v3: one passage per table row.
 * v4: Markdown "## 第一章" headings are chapters (labels, breadcrumbs) and the "# title" line is no section.
 */
export const CHUNKER_VERSION = 4;

export interface ChunkOptions {
  /** Budget: a chunk longer than this is split at sentence ends (default 400 characters). */
  maxChars?: number;
  /** A chunk shorter than this takes in the following sibling while the budget allows (default 100). */
  minChars?: number;
}

export interface Chunk {
  /**
   * Stable: same docId, section path and text ⇒ same id across rebuilds and across edits
   * elsewhere in the document (an inserted article shifts offsets, not the ids of the others).
   */
  passageId: string;
  docId: string;
  /** Position in the document, 0-based. */
  index: number;
  text: string;
  start: number;
  end: number;
  /** 《title》 › 三、重点任务 › （二）… › 第十条; a table row ends › 表1 › 第3行. */
  breadcrumb: string;
  /** Heading titles from the top section down to the chunk's own unit. */
  headings: string[];
  /** Canonical labels of the same path: ['第三章', '第十条']. */
  labels: string[];
  /** The clause a drafter cites: `第十条`, `第二十三条—第二十四条`, `（二）`, `表1第3行`; '' for the preamble. */
  clause: string;
  /** Section ids the chunk covers (for outlines). */
  sectionIds: string[];
  /** Set when one unit was split: part k of n. */
  part?: { index: number; of: number };
  /** What embedding and BM25 see: breadcrumb, then the text (a table row: its cells named by the header's). */
  indexText: string;
}

export interface DocumentInput {
  docId: string;
  title: string;
  body: string;
  tree: SectionNode;
}

interface Piece {
  node: SectionNode;
  parent: SectionNode | undefined;
  start: number;
  end: number;
  part?: { index: number; of: number };
  row?: TableRow;
}

const SENTENCE_END = new Set([...'。；;！!？?\n']);
const SOFT_BREAK = new Set([...'，,、：:']);
const CLOSERS = new Set([...'”’」』）)】']);
/** A heading line this short is never left alone: it joins its first child even past the budget. */
const LEAD_MAX = 60;

/** Chunks one parsed document. */
export function chunkDocument(doc: DocumentInput, options: ChunkOptions = {}): Chunk[] {
  const maxChars = options.maxChars ?? 400;
  const minChars = Math.min(options.minChars ?? 100, maxChars);
  const pieces: Piece[] = [];
  const rows = findTableRows(doc.body);
  const addRange = (node: SectionNode, parent: SectionNode | undefined, start: number, end: number, row?: TableRow): void => {
    const ranges = splitRange(doc.body, start, end, maxChars);
    ranges.forEach(([s, e], i) => {
      pieces.push({ node, parent, start: s, end: e, ...(ranges.length > 1 ? { part: { index: i + 1, of: ranges.length } } : {}), ...(row ? { row } : {}) });
    });
  };
  // A section the parser found inside a table row ("1 | 第一条 …" of a 新旧对照表 with a 序号 column) starts
  // with its row: a row is never cut in two.
  const snap = (pos: number): number => rows.find((row) => row.start < pos && pos < row.end)?.start ?? pos;
  const walk = (node: SectionNode, parent: SectionNode | undefined): void => {
    const ownStart = node.kind === 'root' ? 0 : snap(node.start);
    const ownEnd = snap(node.children[0]?.start ?? node.end);
    // Table rows inside the node's own text are pieces of their own (a row runs to the next line's start).
    let at = ownStart;
    for (const row of rows) {
      if (row.start < ownStart || row.start >= ownEnd) continue;
      if (row.start > at) addRange(node, parent, at, row.start);
      const rowEnd = Math.min(ownEnd, row.end + 1);
      addRange(node, parent, row.start, rowEnd, row);
      at = rowEnd;
    }
    if (ownEnd > at) addRange(node, parent, at, ownEnd);
    node.children.forEach((child) => walk(child, node));
  };
  walk(doc.tree, undefined);

  const groups: Piece[][] = [];
  for (const piece of pieces) {
    const current = groups[groups.length - 1];
    if (current && canMerge(current, piece, minChars, maxChars)) current.push(piece);
    else groups.push([piece]);
  }
  const ancestors = indexParents(doc.tree);
  const chunks = groups.map((group, index) => buildChunk(doc, group, index, ancestors));
  // Identical text under the same path (a repeated 同上, an empty item) is told apart by its ordinal.
  const seen = new Map<string, number>();
  for (const chunk of chunks) {
    const key = `${chunk.labels.join('/')}\u0000${chunk.text}`;
    const ordinal = seen.get(key) ?? 0;
    seen.set(key, ordinal + 1);
    chunk.passageId = passageIdFor(doc.docId, `${chunk.labels.join('/')}#${ordinal}`, chunk.text);
  }
  return chunks;
}

function canMerge(group: Piece[], next: Piece, minChars: number, maxChars: number): boolean {
  const first = group[0] as Piece;
  const last = group[group.length - 1] as Piece;
  // A table's header rides with its first row; rows never merge with each other or with text.
  if (last.row || next.row) return last.row?.row === 0 && next.row?.table === last.row.table && next.row.row === 1 && !last.part && (next.part?.index ?? 1) === 1;
  const length = last.end - first.start;
  if (length >= minChars) return false;
  // A bare heading ("二、总体思路") joins its first child, even the first part of a split one.
  if (next.parent === last.node && !last.part && length <= LEAD_MAX && (next.part?.index ?? 1) === 1) return true;
  if (next.end - first.start > maxChars || last.part || next.part) return false;
  // Siblings merge; a heading's own lead text merges into its first child.
  return next.parent === last.parent || next.parent === last.node;
}

/**
 * Splits [start, end) into ranges of at most maxChars, cutting after sentence ends where possible.
 * Pieces are balanced (a 450-character article gives two of ~225, not 400 + 50).
 */
export function splitRange(body: string, start: number, end: number, maxChars: number): [number, number][] {
  const out: [number, number][] = [];
  let pos = start;
  while (end - pos > maxChars) {
    const remaining = end - pos;
    const target = Math.ceil(remaining / Math.ceil(remaining / maxChars));
    const limit = pos + Math.min(maxChars, target + Math.floor(target / 4));
    const floor = pos + Math.floor(target / 2);
    let cut = lastBreak(body, floor, limit, SENTENCE_END);
    // One sentence alone exceeds the budget: fall back to a comma, then to the hard limit.
    if (cut < 0) cut = lastBreak(body, floor, limit, SOFT_BREAK);
    if (cut < 0) cut = pos + Math.min(maxChars, target);
    // Keep a closing quote or bracket with its sentence.
    while (cut < end && cut < pos + maxChars && CLOSERS.has(body[cut] as string)) cut += 1;
    out.push([pos, cut]);
    pos = cut;
  }
  if (end > pos) out.push([pos, end]);
  return out;
}

/** Offset just after the last break character in [floor, limit), or -1. */
function lastBreak(body: string, floor: number, limit: number, breaks: Set<string>): number {
  for (let i = limit - 1; i >= floor; i -= 1) {
    if (breaks.has(body[i] as string)) return i + 1;
  }
  return -1;
}

function indexParents(root: SectionNode): Map<SectionNode, SectionNode[]> {
  const map = new Map<SectionNode, SectionNode[]>();
  const walk = (node: SectionNode, chain: SectionNode[]): void => {
    map.set(node, chain);
    const next = node.kind === 'root' ? [] : [...chain, node];
    node.children.forEach((c) => walk(c, next));
  };
  walk(root, []);
  return map;
}

function buildChunk(doc: DocumentInput, group: Piece[], index: number, ancestors: Map<SectionNode, SectionNode[]>): Chunk {
  const first = group[0] as Piece;
  const last = group[group.length - 1] as Piece;
  const start = first.start;
  const end = last.end;
  const text = doc.body.slice(start, end);
  // The deepest unit the chunk is about: follow heading leads down into their first child.
  let anchor = first;
  for (const p of group.slice(1)) {
    if (p.parent !== anchor.node) break;
    anchor = p;
  }
  const chain = anchor.node.kind === 'root' ? [] : [...(ancestors.get(anchor.node) ?? []), anchor.node];
  const siblings = group.filter((p) => p.parent === anchor.parent && p.node !== anchor.node && p.node.kind !== 'root');
  const lastSibling = siblings[siblings.length - 1];
  const headings = chain.map((n) => n.title || n.label);
  const labels = chain.map((n) => n.label);
  if (lastSibling) {
    // 一、 … 三、 reads 一—三、 (the enumeration mark once, at the end); 第四条—第五条 stays as it is.
    const range = `${anchor.node.label.replace(/[、.．]$/u, '')}—${lastSibling.node.label}`;
    headings[headings.length - 1] = range;
    labels[labels.length - 1] = range;
  }
  const row = last.row && last.row.row > 0 ? last.row : undefined;
  if (row) {
    headings.push(`表${row.table}`, `第${row.row}行`);
    labels.push(`表${row.table}`, `第${row.row}行`);
  }
  const breadcrumb = [`《${doc.title}》`, ...headings].join(' › ');
  const clause = row ? `表${row.table}第${row.row}行` : (labels[labels.length - 1] ?? '');
  const chunk: Chunk = {
    passageId: '',
    docId: doc.docId,
    index,
    text,
    start,
    end,
    breadcrumb,
    headings,
    labels,
    clause,
    sectionIds: [...new Set(group.map((p) => p.node.id))],
    // A row is searched with its cells named by the header's (a part of a long row: the header, then the part).
    indexText: `${breadcrumb}\n${!row ? text : last.part ? `${row.header.join(' | ')}\n${text}` : labelRow(row)}`,
  };
  const split = group.find((p) => p.part);
  if (split?.part) chunk.part = split.part;
  return chunk;
}

/** `yunfu-3f2a9c1b7d`: docId plus a hash of the chunk's place (section path + ordinal) and text. */
export function passageIdFor(docId: string, place: string, text: string): string {
  const digest = createHash('sha256').update(`${docId}\u0000${place}\u0000${text}`).digest('hex').slice(0, 10);
  return `${docId}-${digest}`;
}
