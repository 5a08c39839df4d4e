/**
 * Whole units to quote: the clause a sentence stands in, as a drafter cites it. Given a document's
 * section tree and body and the span of an answering sentence, `wholeUnit` returns the 条 with its
 * 款 and 项 (an article is always the unit of any sentence inside it), else the deepest numbered
 * item holding the sentence (（一）, 1., 一、, 4-1 in a 专栏), else the paragraph. The sentence is the
 * `highlight` inside it. Pure: tree and body in, offsets out.
 *
 * Bounding: a unit longer than `maxChars` (default `UNIT_MAX_CHARS`) is quoted in segments — its
 * head (label and lead-in), the part holding the sentence, elided text marked by `ELISION` — and
 * every segment is a slice of the body: `quote === segments.map((s) => body.slice(s.start, s.end)).join(ELISION)`.
 * A zero-length segment at the unit's end marks text left out after the last segment. The answering
 * sentence is never cut, and a list lead-in (…不得有下列行为：) is never quoted without its items.
 */
import type { SectionKind, SectionNode } from '../../corpus/parser.js';
import { splitSentences } from '../evidence.js';

export interface Span {
  start: number;
  end: number;
}

/** The marker standing for text left out of a bounded quote. */
export const ELISION = '……';

/**
 * Longest unit quoted whole, in characters: 99.7% of the 145,086 articles of the 3,420 laws and
 * local regulations in ../shared/library/laws are no longer (p99 439; `npx tsx scripts/unit-lengths.ts
 * ../shared/library/laws/files corpus`). Longer articles, and the long numbered items of plans, are bounded.
 */
export const UNIT_MAX_CHARS = 600;

export interface QuotedUnit {
  /** What the unit is: the article or item kind, or `paragraph` when no numbered unit holds the sentence. */
  kind: SectionKind | 'paragraph';
  /** The whole unit, whitespace trimmed at both ends. */
  unit: Span;
  /** What is quoted: `unit` when whole, else from the first segment's start to the last one's end. */
  start: number;
  end: number;
  /** The quote: `body.slice(start, end)` when whole, else the segments joined by ELISION. */
  text: string;
  /** Set when the unit was bounded: the slices quoted, in body order. */
  segments?: Span[];
  /** The answering sentence (whitespace trimmed), inside one segment. */
  highlight: Span;
}

export interface UnitOptions {
  /** Longest unit quoted whole (default UNIT_MAX_CHARS); `Infinity` quotes any unit whole (原文 requests). */
  maxChars?: number;
}

/** Kinds whose node is a unit a drafter cites by its label (the article is handled first). */
const ITEM_KINDS = new Set<SectionKind>(['item-cn', 'item-cn-paren', 'item-num', 'item-num-paren', 'box-item', 'box', 'clause']);

/** A line ending with a colon introduces the items after it (…不得有下列行为：). */
const LEAD_IN_RE = /[：:]\s*$/u;

const isSpace = (ch: string | undefined): boolean => ch !== undefined && /\s/u.test(ch);

function trimmed(body: string, a: number, b: number): Span {
  let start = a;
  let end = b;
  while (start < end && isSpace(body[start])) start += 1;
  while (end > start && isSpace(body[end - 1])) end -= 1;
  return { start, end };
}

/** Root to the deepest node holding [start, end) whole. */
function pathTo(tree: SectionNode, span: Span): SectionNode[] {
  const path = [tree];
  for (;;) {
    const node = path[path.length - 1] as SectionNode;
    const child = node.children.find((c) => c.start <= span.start && span.end <= c.end);
    if (!child) return path;
    path.push(child);
  }
}

/** The node's own text: from its start to its first child (the whole node when it has none). */
function ownEnd(node: SectionNode): number {
  return node.children[0]?.start ?? node.end;
}

/** The lines [start, end) holding the span, inside `within`. */
function paragraph(body: string, span: Span, within: Span): Span {
  const before = body.lastIndexOf('\n', Math.max(within.start, span.start - 1));
  const start = Math.max(within.start, before < within.start ? within.start : before + 1);
  const after = body.indexOf('\n', span.end);
  const end = Math.min(within.end, after < 0 ? body.length : after);
  return { start, end: Math.max(end, span.end) };
}

interface Choice {
  kind: QuotedUnit['kind'];
  range: Span;
  /** The node when the unit is a whole node (its children bound it). */
  node?: SectionNode;
}

function chooseUnit(tree: SectionNode, body: string, span: Span): Choice {
  const path = pathTo(tree, span);
  const article = path.find((n) => n.kind === 'article');
  if (article) return { kind: 'article', range: { start: article.start, end: article.end }, node: article };
  for (let i = path.length - 1; i > 0; i -= 1) {
    const node = path[i] as SectionNode;
    if (!ITEM_KINDS.has(node.kind)) continue;
    const own = ownEnd(node);
    // The sentence stands in the item's own text before its sub-items: unless that text leads into
    // them (：), the own text is the unit (an intro paragraph is not its 2,000-character section).
    if (node.children.length > 0 && span.end <= own && !LEAD_IN_RE.test(body.slice(node.start, own))) {
      return { kind: node.kind, range: { start: node.start, end: own } };
    }
    return { kind: node.kind, range: { start: node.start, end: node.end }, node };
  }
  const deepest = path[path.length - 1] as SectionNode;
  const within = { start: deepest === tree ? 0 : deepest.start, end: deepest === tree ? body.length : deepest.end };
  return { kind: 'paragraph', range: paragraph(body, span, within) };
}

/**
 * Sentences of [range) around the focus, at most `budget` characters (the focus itself always),
 * grown one sentence at a time on the side that keeps it shortest.
 */
function windowAround(body: string, range: Span, focus: Span, budget: number): Span {
  const sentences = splitSentences(body, range.start, range.end);
  if (sentences.length === 0) return trimmed(body, range.start, range.end);
  let lo = sentences.findIndex((s) => s.end > focus.start);
  if (lo < 0) lo = sentences.length - 1;
  let hi = sentences.findIndex((s) => s.end >= focus.end);
  if (hi < lo) hi = lo;
  if (hi < 0) hi = sentences.length - 1;
  for (;;) {
    const before = lo > 0 ? (sentences[hi] as Span).end - (sentences[lo - 1] as Span).start : Infinity;
    const after = hi < sentences.length - 1 ? (sentences[hi + 1] as Span).end - (sentences[lo] as Span).start : Infinity;
    const next = Math.min(before, after);
    if (next === Infinity || next > budget) break;
    if (after <= before) hi += 1;
    else lo -= 1;
  }
  return { start: Math.min((sentences[lo] as Span).start, focus.start), end: Math.max((sentences[hi] as Span).end, focus.end) };
}

/** The first sentence of a range (an item's heading, an article's label and lead). */
function firstSentence(body: string, range: Span): Span {
  const s = splitSentences(body, range.start, range.end)[0];
  return s ? { start: s.start, end: s.end } : trimmed(body, range.start, range.end);
}

/**
 * Segments of a node (or a range without structure) that keep the focus, within `budget`.
 * Returns slices in body order; the caller joins them and marks what was left out.
 */
function boundNode(body: string, node: SectionNode | undefined, range: Span, focus: Span, budget: number): Span[] {
  const whole = trimmed(body, range.start, range.end);
  if (whole.end - whole.start <= budget) return [whole];
  if (!node || node.children.length === 0) {
    // No structure: the head sentence (label, title) and the sentences around the focus.
    const head = firstSentence(body, whole);
    if (focus.start < head.end) return [windowAround(body, whole, focus, budget)];
    const rest = Math.max(0, budget - (head.end - head.start));
    return [head, windowAround(body, { start: head.end, end: whole.end }, focus, rest)];
  }
  const own = trimmed(body, node.start, ownEnd(node));
  const focusChild = node.children.find((c) => c.start <= focus.start && focus.end <= c.end);
  if (!focusChild) {
    // The focus is in the node's own text (or spans children): that text, and when it leads into
    // the items, the items in order while they fit (at least the first: a lead-in never stands alone).
    const ownPart = own.end - own.start <= budget ? own : windowAround(body, own, focus, budget);
    const out = [ownPart];
    if (LEAD_IN_RE.test(body.slice(own.start, own.end)) || focus.end > own.end) {
      let used = ownPart.end - ownPart.start;
      for (const [i, child] of node.children.entries()) {
        const c = trimmed(body, child.start, child.end);
        if (i > 0 && used + (c.end - c.start) > budget && c.start >= focus.end) break;
        out.push(c);
        used += c.end - c.start;
      }
    }
    return out;
  }
  // The focus is in one child: the node's lead (whole when short, else its first sentence and its
  // lead-in), then the child bounded with what is left.
  const lead: Span[] = [];
  if (own.end > own.start) {
    const sentences = splitSentences(body, own.start, own.end);
    const head = sentences[0];
    const last = sentences[sentences.length - 1];
    if (own.end - own.start <= budget / 3 || !head || !last) lead.push(own);
    else {
      lead.push({ start: head.start, end: head.end });
      if (last !== head && LEAD_IN_RE.test(last.text)) lead.push({ start: last.start, end: last.end });
    }
  }
  const used = lead.reduce((a, s) => a + (s.end - s.start), 0);
  return [...lead, ...boundNode(body, focusChild, focusChild, focus, Math.max(0, budget - used))];
}

/** Adjacent segments (only whitespace between) merged; empty ones dropped. */
function mergeSegments(body: string, segments: readonly Span[]): Span[] {
  const out: Span[] = [];
  for (const s of segments) {
    if (s.end <= s.start) continue;
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else if (last && body.slice(last.end, s.start).trim() === '') last.end = s.end;
    else out.push({ ...s });
  }
  return out;
}

/** The quote of segments: their slices joined by ELISION (a zero-length last segment adds a trailing one). */
export function joinSegments(body: string, segments: readonly Span[]): string {
  return segments.map((s) => body.slice(s.start, s.end)).join(ELISION);
}

/**
 * The whole unit holding `span` (an answering sentence) in a document with this section tree,
 * bounded to `maxChars`, with the sentence as its highlight.
 */
export function wholeUnit(tree: SectionNode, body: string, span: Span, options: UnitOptions = {}): QuotedUnit {
  const budget = options.maxChars ?? UNIT_MAX_CHARS;
  const sentence = trimmed(body, span.start, span.end);
  // The unit is the one the sentence ends in: a sentence that runs in from headings above (四、主要任务
  // (一)加强…1、推进…) belongs to the item it ends in, and is highlighted from that item's start.
  const choice = chooseUnit(tree, body, { start: Math.max(sentence.start, sentence.end - 1), end: sentence.end });
  const unit = trimmed(body, Math.min(choice.range.start, sentence.end - 1), Math.max(choice.range.end, sentence.end));
  const highlight = trimmed(body, Math.max(sentence.start, unit.start), sentence.end);
  if (unit.end - unit.start <= budget) return { kind: choice.kind, unit, start: unit.start, end: unit.end, text: body.slice(unit.start, unit.end), highlight };
  const segments = mergeSegments(body, boundNode(body, choice.node, unit, highlight, budget).map((s) => trimmed(body, s.start, s.end)));
  const first = segments[0] as Span;
  const last = segments[segments.length - 1] as Span;
  if (segments.length === 1 && first.start === unit.start && last.end === unit.end) return { kind: choice.kind, unit, start: unit.start, end: unit.end, text: body.slice(unit.start, unit.end), highlight };
  // Text left out after the last segment is marked by a zero-length segment at the unit's end.
  if (last.end < unit.end) segments.push({ start: unit.end, end: unit.end });
  return { kind: choice.kind, unit, start: first.start, end: (segments[segments.length - 1] as Span).end, text: joinSegments(body, segments), segments, highlight };
}

/** Whether a quote is what its offsets say: `body.slice(start, end)`, or its segments joined. */
export function quoteMatches(body: string, c: { quote: string; start: number; end: number; segments?: readonly Span[] }): boolean {
  if (!c.segments || c.segments.length === 0) return body.slice(c.start, c.end) === c.quote;
  const inOrder = c.segments.every((s, i) => s.start <= s.end && (i === 0 || (c.segments?.[i - 1] as Span).end <= s.start));
  const first = c.segments[0] as Span;
  const last = c.segments[c.segments.length - 1] as Span;
  return inOrder && first.start === c.start && last.end === c.end && joinSegments(body, c.segments) === c.quote;
}

/** Where the highlight falls inside a quote (offsets into the quote string), or undefined when it is outside. */
export function highlightInQuote(c: { quote: string; start: number; end: number; segments?: readonly Span[]; highlight?: Span }): Span | undefined {
  const h = c.highlight;
  if (!h) return undefined;
  const pieces = c.segments && c.segments.length > 0 ? c.segments : [{ start: c.start, end: c.end }];
  let at = 0;
  for (const s of pieces) {
    if (s.start <= h.start && h.end <= s.end) return { start: at + (h.start - s.start), end: at + (h.end - s.start) };
    at += s.end - s.start + ELISION.length;
  }
  return undefined;
}
