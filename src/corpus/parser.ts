/**
 * Structure-aware parser for Chinese policy and legal texts.
 *
 * In scraped policy pages the headings sit inline in one long line ("…制定本规划。一、战略态势人工智能…"),
 * so the parser finds heading markers by pattern and accepts one only where a heading can stand
 * (start of text, after sentence punctuation, a closing bracket, whitespace, or right after the
 * previous heading's title) and only when it continues the numbering of its siblings. In-body
 * references such as "依照第十条" or "（一）至（三）项" fail one of the two tests.
 *
 * Pure: `parsePolicy(body)` takes the text and returns the tree with `[start, end)` offsets into it.
 */
import { ORDINAL_NUMBER_SOURCE, parseNumeral, SMALL_NUMBER_SOURCE, toChineseNumeral } from '../shared/numerals.js';

export type SectionKind =
  | 'root'
  | 'part' // 第X编
  | 'chapter' // 第X章
  | 'section' // 第X节
  | 'article' // 第X条
  | 'clause' // 第X款
  | 'item-cn' // 一、
  | 'item-cn-paren' // （一）
  | 'item-num' // 1. / 1、
  | 'item-num-paren' // （1）
  | 'box' // 专栏N
  | 'box-item' // N-M inside 专栏N
  | 'annex' // 附件
  | 'heading'; // Markdown heading

export interface SectionNode {
  /** Document-order id: `s0` is the root. */
  id: string;
  kind: SectionKind;
  /** Canonical label: `第十条`, `（二）`, `一、`, `1.`, `专栏3`, `附件`, or the Markdown heading text. */
  label: string;
  /** Normalized number (第二十四条 → 24); 0 for the root and unnumbered nodes. */
  number: number;
  /** The heading as printed, marker included, up to the end of its short title phrase. */
  title: string;
  /** Markdown heading level (1–6); 0 otherwise. */
  level: number;
  /** Labels from the top section down to this one (the root excluded). */
  path: string[];
  start: number;
  end: number;
  /** Offset where the heading marker ends. */
  markerEnd: number;
  /** Offset where the title phrase ends (the node's own text starts here). */
  titleEnd: number;
  children: SectionNode[];
}

export interface ParseOptions {
  /** Longest heading title phrase, in characters (default 40). */
  maxTitleChars?: number;
}

interface Candidate {
  kind: SectionKind;
  number: number;
  /** For box items (4-1): the box number. */
  major: number;
  start: number;
  markerEnd: number;
  level: number;
  mdTitle: string;
  /** A Markdown heading read as a structural unit: the plain heading, when the unit does not fit the numbering. */
  asHeading?: Candidate;
}

// Bounded quantifiers and plain classes only: linear time on any input. Every part is read by its
// group's name (readCandidate), so a group added to one marker shifts nothing in another.
const STRUCTURAL_MARKERS = [
    // An article may carry a caption (条旨) before its number: "【立法目的】第一条".
    `(?<legal>(?:【[^】\\n]{1,20}】[ \\t\\u3000]{0,4}\\n?[ \\t\\u3000]{0,4})?第(?<legalNum>${ORDINAL_NUMBER_SOURCE})(?<legalKind>[编章节条款]))`,
    `(?<itemCn>(?<itemCnNum>${SMALL_NUMBER_SOURCE})、)`,
    `(?<itemCnParen>[（(](?<itemCnParenNum>${SMALL_NUMBER_SOURCE})[）)])`,
    `(?<itemNumParen>[（(](?<itemNumParenNum>[0-9]{1,2})[）)])`,
    `(?<box>专栏[ \\t]?(?<boxNum>[0-9]{1,2}|${SMALL_NUMBER_SOURCE}))`,
    `(?<boxItem>(?<boxMajor>[0-9]{1,2})-(?<boxMinor>[0-9]{1,2})(?![0-9]))`,
    `(?<itemNum>(?<itemNumNum>[0-9]{1,2})(?:[.．](?![0-9])|、))`,
    `(?<annex>附件[ \\t]?(?<annexNum>[0-9]{0,2})[ \\t]?[：:]?)`,
];
const MARKER_RE = new RegExp([...STRUCTURAL_MARKERS, `(?<md>^(?<mdHashes>#{1,6})[ \\t]+(?<mdText>[^\\n]{1,200}))`].join('|'), 'gmu');
/**
 * The structural marker a Markdown heading's text starts with ("## 第一章 总 则", "## 一、总体要求"): the
 * heading is that unit, marks aside. Same groups as MARKER_RE (the wrapper does not capture).
 */
const HEADING_MARKER_RE = new RegExp(`^(?:${STRUCTURAL_MARKERS.join('|')})`, 'u');

const LEGAL_KIND: Record<string, SectionKind> = { 编: 'part', 章: 'chapter', 节: 'section', 条: 'article', 款: 'clause' };
/** Coarse-to-fine rank inside the 编/章/节/条/款 family. */
const LEGAL_RANK: Partial<Record<SectionKind, number>> = { part: 1, chapter: 2, section: 3, article: 4, clause: 5 };
/** Kinds numbered through the whole document rather than per parent. */
const GLOBAL_KINDS = new Set<SectionKind>(['part', 'chapter', 'article', 'box']);
const ITEM_KINDS = new Set<SectionKind>(['item-num', 'item-num-paren']);

const BOUNDARY_BEFORE = new Set([...'。；;：:!！?？）)】〕」』\n']);
/** A title phrase never spans a sentence end: text with one before a marker is body text. */
const TITLE_BREAK = /[。；;!！?？\n]/u;
const TITLE_END = new Set([...'。；;：:!！?？，,\n']);

function readCandidate(m: RegExpExecArray): Candidate | undefined {
  const g = m.groups ?? {};
  const base = { start: m.index, markerEnd: m.index + m[0].length, major: 0, level: 0, mdTitle: '' };
  if (g.legal !== undefined) {
    const num = parseNumeral(g.legalNum ?? '');
    const kind = LEGAL_KIND[g.legalKind ?? ''];
    return num === undefined || kind === undefined ? undefined : { ...base, kind, number: num };
  }
  const numbered = (kind: SectionKind, text: string | undefined): Candidate | undefined => {
    const num = parseNumeral(text ?? '');
    return num === undefined ? undefined : { ...base, kind, number: num };
  };
  if (g.itemCn !== undefined) return numbered('item-cn', g.itemCnNum);
  if (g.itemCnParen !== undefined) return numbered('item-cn-paren', g.itemCnParenNum);
  if (g.itemNumParen !== undefined) return numbered('item-num-paren', g.itemNumParenNum);
  if (g.box !== undefined) return numbered('box', g.boxNum);
  if (g.boxItem !== undefined) {
    const c = numbered('box-item', g.boxMinor);
    return c && { ...c, major: Number(g.boxMajor) };
  }
  if (g.itemNum !== undefined) return numbered('item-num', g.itemNumNum);
  if (g.annex !== undefined) return { ...base, kind: 'annex', number: g.annexNum ? Number(g.annexNum) : 0 };
  if (g.md !== undefined) {
    const hashes = g.mdHashes ?? '#';
    const text = g.mdText ?? '';
    const heading: Candidate = { ...base, kind: 'heading', number: 0, level: hashes.length, mdTitle: text.trim() };
    // "## 第一章 总 则" is the chapter itself: its number joins the sequence, its title is the line.
    const textStart = m.index + m[0].length - text.length + (text.length - text.trimStart().length);
    const inner = HEADING_MARKER_RE.exec(text.trimStart());
    const unit = inner ? readCandidate(inner) : undefined;
    if (!unit || unit.kind === 'heading') return heading;
    return { ...unit, start: m.index, markerEnd: textStart + unit.markerEnd, level: hashes.length, mdTitle: heading.mdTitle, asHeading: heading };
  }
  return undefined;
}

function canonicalLabel(c: Candidate, unitOf: (k: SectionKind) => string): string {
  switch (c.kind) {
    case 'part':
    case 'chapter':
    case 'section':
    case 'article':
    case 'clause':
      return `第${toChineseNumeral(c.number)}${unitOf(c.kind)}`;
    case 'item-cn':
      return `${toChineseNumeral(c.number)}、`;
    case 'item-cn-paren':
      return `（${toChineseNumeral(c.number)}）`;
    case 'item-num':
      return `${c.number}.`;
    case 'item-num-paren':
      return `（${c.number}）`;
    case 'box':
      return `专栏${c.number}`;
    case 'box-item':
      return `${c.major}-${c.number}`;
    case 'annex':
      return c.number > 0 ? `附件${c.number}` : '附件';
    case 'heading':
      return c.mdTitle;
    case 'root':
      return '';
  }
}

const UNIT_OF: Record<string, string> = { part: '编', chapter: '章', section: '节', article: '条', clause: '款' };

interface Open {
  node: SectionNode;
  /** Last child number per kind, for the sequence test. */
  lastChild: Map<SectionKind, number>;
}

/** True when the text before `pos` ends where a heading may start (ignoring spaces). */
function atBoundary(body: string, pos: number): boolean {
  if (pos === 0) return true;
  const prev = body[pos - 1] as string;
  if (prev === ' ' || prev === '\t' || prev === '\u3000' || prev === '\n' || prev === '\r') return true;
  return BOUNDARY_BEFORE.has(prev);
}

/** Parses a policy body into its section tree. Never throws; text without markers gives a bare root. */
export function parsePolicy(body: string, options: ParseOptions = {}): SectionNode {
  const maxTitle = options.maxTitleChars ?? 40;
  let nextId = 0;
  const makeNode = (c: Candidate | undefined, parent: SectionNode | undefined): SectionNode => ({
    id: `s${nextId++}`,
    kind: c?.kind ?? 'root',
    label: c ? canonicalLabel(c, (k) => UNIT_OF[k] ?? '') : '',
    number: c?.number ?? 0,
    title: '',
    level: c?.level ?? 0,
    path: c && parent ? [...parent.path, canonicalLabel(c, (k) => UNIT_OF[k] ?? '')] : [],
    start: c?.start ?? 0,
    end: body.length,
    markerEnd: c?.markerEnd ?? 0,
    titleEnd: c?.markerEnd ?? 0,
    children: [],
  });

  const root = makeNode(undefined, undefined);
  const stack: Open[] = [{ node: root, lastChild: new Map() }];
  const globalLast = new Map<SectionKind, number>();
  const accepted: SectionNode[] = [];

  const closeAbove = (depth: number, at: number): void => {
    while (stack.length > depth + 1) {
      const open = stack.pop() as Open;
      open.node.end = at;
    }
  };

  const attach = (c: Candidate, depth: number): void => {
    closeAbove(depth, c.start);
    const parent = stack[depth] as Open;
    const node = makeNode(c, parent.node);
    parent.node.children.push(node);
    parent.lastChild.set(c.kind, c.number);
    if (GLOBAL_KINDS.has(c.kind)) globalLast.set(c.kind, c.number);
    // Chapters restart in each 编 (刑法: 第二编 第一章); articles run on through the whole code.
    if (c.kind === 'part') globalLast.delete('chapter');
    stack.push({ node, lastChild: new Map() });
    accepted.push(node);
  };

  /**
   * Where a candidate may attach (stack depth), or -1 when it is not a heading.
   * `siblingOnly`: accept only a continuation of an open numbering (used off heading positions).
   */
  const placeFor = (c: Candidate, siblingOnly = false): number => {
    if (c.kind === 'heading') {
      let depth = stack.length - 1;
      while (depth > 0) {
        const n = (stack[depth] as Open).node;
        // Markdown levels nest (a 第一章 written as "##" holds the "###" below it).
        if (n.level > 0 && n.level < c.level) break;
        depth -= 1;
      }
      return depth;
    }
    if (c.kind === 'annex') return 0;
    const last = globalLast.get(c.kind) ?? 0;
    // A Markdown heading is a heading by its marks: its number may skip one the source lost (第八章 → 第十章).
    const globalOk = !GLOBAL_KINDS.has(c.kind) || c.number === last + 1 || (c.level > 0 && c.number > last);
    if (!globalOk) return -1;
    if (c.kind === 'box-item') {
      for (let d = stack.length - 1; d > 0; d -= 1) {
        const open = stack[d] as Open;
        if (open.node.kind === 'box') {
          const expected = (open.lastChild.get('box-item') ?? 0) + 1;
          return open.node.number === c.major && c.number === expected ? d : -1;
        }
      }
      return -1;
    }
    // A sibling of an open or just-closed node of the same kind, continuing its numbering.
    for (let d = stack.length - 1; d >= 0; d -= 1) {
      const last = (stack[d] as Open).lastChild.get(c.kind);
      if (last !== undefined && (c.number === last + 1 || GLOBAL_KINDS.has(c.kind))) return d;
      if (last !== undefined && !ITEM_KINDS.has(c.kind)) break;
    }
    if (siblingOnly) return -1;
    // A new level: numbering starts at 1 (global kinds continue), and a kind never nests in itself.
    const startsLevel = GLOBAL_KINDS.has(c.kind) || c.number === 1 || continuesCousins(c);
    if (!startsLevel || stack.some((o) => o.node.kind === c.kind)) return -1;
    let depth = stack.length - 1;
    const rank = LEGAL_RANK[c.kind];
    if (rank !== undefined) {
      // 第X章 never sits under 第X条: climb to a coarser legal unit or a non-legal section.
      while (depth > 0) {
        const r = LEGAL_RANK[(stack[depth] as Open).node.kind];
        if (r === undefined || r < rank) break;
        depth -= 1;
      }
    }
    if (c.kind === 'box') {
      // A 专栏 belongs to the section, not to the numbered item it follows.
      while (depth > 0 && ITEM_KINDS.has((stack[depth] as Open).node.kind)) depth -= 1;
    }
    return depth;
  };

  /** Items numbered across sections: （一）1.–4. then （二）5. (深圳's plan does this). */
  const continuesCousins = (c: Candidate): boolean => {
    const top = (stack[stack.length - 1] as Open).node;
    const parent = stack[stack.length - 2]?.node;
    const previous = parent?.children[parent.children.length - 2];
    if (!previous || previous.kind !== top.kind) return false;
    const last = [...previous.children].reverse().find((ch) => ch.kind === c.kind);
    return last !== undefined && c.number === last.number + 1;
  };

  const plausible = (c: Candidate): boolean => {
    if (c.kind === 'heading') return true;
    if (c.kind === 'item-num' || c.kind === 'box-item') {
      // "2016-2020", "1.5": digits glued to digits are numbers, not headings.
      const prev = body[c.start - 1];
      if (prev !== undefined && /[0-9.．]/.test(prev)) return false;
      // Box items (4-1, 4-2…) are checked against their box's numbering wherever they stand.
      if (c.kind === 'box-item') return true;
    }
    // "（一）至（三）项", "第1项": a marker followed by these is a reference.
    if (c.kind !== 'annex' && /^[至项款]/u.test(body.slice(c.markerEnd, c.markerEnd + 1))) return false;
    if (atBoundary(body, c.start)) return true;
    // Right after the previous heading's short title: "二、主要工作任务(一)统筹…".
    const prev = accepted[accepted.length - 1];
    if (prev === undefined || prev.kind === 'article' || prev.kind === 'clause') return false;
    const gap = body.slice(prev.markerEnd, c.start);
    return gap.length <= maxTitle && !TITLE_BREAK.test(gap);
  };

  const toc = findTableOfContents(body);
  const titleAt = markdownTitleAt(body);
  MARKER_RE.lastIndex = 0;
  for (let m = MARKER_RE.exec(body); m !== null; m = MARKER_RE.exec(body)) {
    // Headings listed in a table of contents are not sections: the body repeats them.
    if (toc && m.index >= toc.start && m.index < toc.end) {
      MARKER_RE.lastIndex = toc.end;
      continue;
    }
    let c = readCandidate(m);
    // The first line "# 中华人民共和国专利法实施细则", when no other "# " heading follows, is the
    // document's title, not a section.
    if (c?.kind === 'heading' && c.level === 1 && c.start === titleAt) continue;
    let depth = -1;
    if (c && plausible(c)) depth = placeFor(c);
    else if (c && looksLikeLostLineBreak(body, c)) depth = placeFor(c, true);
    if (c?.asHeading && depth < 0) {
      c = c.asHeading;
      depth = placeFor(c);
    }
    if (c && depth >= 0) {
      attach(c, depth);
    } else {
      // A rejected match may hide a heading that starts inside it.
      MARKER_RE.lastIndex = m.index + 1;
    }
  }
  closeAbove(0, body.length);
  root.end = body.length;

  accepted.forEach((node, i) => {
    const next = accepted[i + 1];
    node.titleEnd = findTitleEnd(body, node, next?.start ?? body.length, maxTitle);
    // A Markdown heading's title is its text without the marks ("## 第一章 总 则" → "第一章 总 则").
    node.title = body.slice(node.start, node.titleEnd).trimEnd().replace(/^#{1,6}[ \t]+/u, '').replace(/[ \t\u3000]*\n[ \t\u3000]*/gu, ' ');
    const displaced = next ? displacedTitle(body, node, next, maxTitle) : undefined;
    if (displaced) node.title = `${node.title} ${displaced}`;
  });
  return root;
}

/** Where the document's "# title" line starts: the first line, when it is the only level-1 heading; else -1. */
export function markdownTitleAt(body: string): number {
  const first = /^\s*/u.exec(body)?.[0].length ?? 0;
  if (!/^#[ \t]+\S/u.test(body.slice(first, first + 3))) return -1;
  return /\n#[ \t]/u.test(body.slice(first)) ? -1 : first;
}

/**
 * A table of contents in extracted documents: a line "目录" followed by heading lines, up to where the body
 * repeats the first listed heading at the start of a line. Undefined when there is none.
 */
const TOC_FIRST_RE = new RegExp(`\\n[ \\t\\u3000]*(第(?:${ORDINAL_NUMBER_SOURCE})[编章节条]|${SMALL_NUMBER_SOURCE}、|附件)`, 'u');

function findTableOfContents(body: string): { start: number; end: number } | undefined {
  const head = /(?:^|\n)[ \t\u3000]*目[ \t\u3000]*录[ \t\u3000]*(?:\n|$)/u.exec(body);
  if (!head) return undefined;
  const start = head.index;
  const first = TOC_FIRST_RE.exec(body.slice(start, start + 400));
  if (!first?.[1]) return undefined;
  const from = start + first.index + first[0].length;
  const repeat = new RegExp(`\\n[ \\t\\u3000]*${first[1]}`, 'u').exec(body.slice(from, from + 20_000));
  return repeat ? { start, end: from + repeat.index + 1 } : undefined;
}

/** Scraping joined lines: "…各电信运营商等(二)加快政务数据…". Accept only next-in-sequence
 * （X）/X、/N、 headings that do not read as a reference ("本条（三）项", "（一）至（三）"). */
const RELAXED_KINDS = new Set<SectionKind>(['item-cn-paren', 'item-cn', 'item-num']);
const REFERENCE_BEFORE = /[第本和或及至与、按照依据见款项条]$/u;
const REFERENCE_AFTER = /^[至项款和或及与、的中条目所规个家0-9０-９]/u;

function looksLikeLostLineBreak(body: string, c: Candidate): boolean {
  if (!RELAXED_KINDS.has(c.kind)) return false;
  return !REFERENCE_BEFORE.test(body.slice(Math.max(0, c.start - 1), c.start)) && !REFERENCE_AFTER.test(body.slice(c.markerEnd, c.markerEnd + 1));
}

const isSpace = (ch: string | undefined): boolean => ch === ' ' || ch === '\u3000' || ch === '\t';
const CAPTION_RE = /^[ \t\u3000]{0,4}【[^】\n]{1,20}】/u;

function findTitleEnd(body: string, node: SectionNode, limit: number, maxTitle: number): number {
  // A Markdown heading (also one read as 第X章) is titled by its whole line.
  if (node.kind === 'heading' || node.level > 0) {
    const nl = body.indexOf('\n', node.markerEnd);
    return nl === -1 ? body.length : nl;
  }
  // Articles and clauses carry no title phrase: the text after 第X条 is the provision itself,
  // except a caption (条旨) right after the number: "第一条【立法目的】".
  if (node.kind === 'article' || node.kind === 'clause') {
    const caption = CAPTION_RE.exec(body.slice(node.markerEnd, Math.min(limit, node.markerEnd + 30)));
    return caption ? node.markerEnd + caption[0].length : node.markerEnd;
  }
  let pos = node.markerEnd;
  while (pos < limit && isSpace(body[pos])) pos += 1;
  // Extracted documents put a heading's title on the line after its marker: "第一章\n总则".
  if (body[pos] === '\n') {
    let next = pos + 1;
    while (next < limit && isSpace(body[next])) next += 1;
    const lineEnd = body.indexOf('\n', next);
    const line = body.slice(next, lineEnd === -1 ? body.length : lineEnd);
    if (next < limit && line.length > 0 && line.length <= maxTitle && !TITLE_BREAK.test(line) && !/[，,：:]/u.test(line)) {
      return Math.min(limit, next + line.length);
    }
  }
  const cap = Math.min(limit, pos + maxTitle);
  for (let i = pos; i < cap; i += 1) {
    const ch = body[i] as string;
    if (TITLE_END.has(ch)) return i;
    if ((ch === ' ' || ch === '\u3000' || ch === '\t') && i > pos) return i;
    if (ch === '-' && body[i + 1] === '-') return i;
  }
  return cap;
}

/**
 * PDF text streams can put a chapter's title after its first article number ("第一章\n第一条\n总则\n为了…"):
 * the short line right after the article number is then the chapter's title.
 */
function displacedTitle(body: string, node: SectionNode, next: SectionNode, maxTitle: number): string | undefined {
  if (node.kind !== 'chapter' && node.kind !== 'part' && node.kind !== 'section') return undefined;
  if (node.titleEnd !== node.markerEnd || next.kind !== 'article') return undefined;
  if (body.slice(node.markerEnd, next.start).trim().length > 0) return undefined;
  const after = /^[ \t\u3000]*\n[ \t\u3000]*([^\n]{1,40})\n/u.exec(body.slice(next.markerEnd, next.markerEnd + maxTitle + 10));
  const line = after?.[1]?.trim();
  if (!line || line.length > 12 || TITLE_BREAK.test(line) || /[，,：:]/u.test(line)) return undefined;
  return line;
}

/** Every node in document order (the root first). */
export function flattenTree(root: SectionNode): SectionNode[] {
  const out: SectionNode[] = [];
  const walk = (n: SectionNode): void => {
    out.push(n);
    n.children.forEach(walk);
  };
  walk(root);
  return out;
}

/** Counts nodes per kind (the root excluded). */
export function countKinds(root: SectionNode): Partial<Record<SectionKind, number>> {
  const counts: Partial<Record<SectionKind, number>> = {};
  for (const n of flattenTree(root)) {
    if (n.kind !== 'root') counts[n.kind] = (counts[n.kind] ?? 0) + 1;
  }
  return counts;
}
