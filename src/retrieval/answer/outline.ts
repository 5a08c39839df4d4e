/**
 * Questions about a document's outline — 一共多少条, 分几章, 附则是第几章, 设了多少个专栏, 保障措施分成哪几块,
 * 一共列了几项重点行动, 最后一项讲什么 — answered from its section tree (corpus/parser.ts) rather than from
 * clauses, which state none of it: no clause says how many 专栏 a plan has. Each answer cites the sections it
 * counts (the section asked, its last part when asked). Pure: question and document in; lines and spans out.
 */
import type { SectionKind, SectionNode } from '../../corpus/parser.js';
import { toChineseNumeral } from '../../shared/numerals.js';
import type { Span } from './units.js';

/** Units counted over a whole document: 条, 章, 专栏. */
export type OutlineUnit = 'article' | 'chapter' | 'box' | 'part';

export interface OutlineAsk {
  /** How many (一共多少条, 几大重点工程). */
  count: boolean;
  /** Which they are (哪几块, 都是什么, 分别是什么). */
  list: boolean;
  /**
   * Whether it says it asks about the structure (`STRUCTURE_RE`); else it only asks which parts a section has
   * (保障措施有哪些) and is one only where a heading is exactly the words it names.
   */
  structural: boolean;
  /** The last one (最后一条讲的什么). */
  last: boolean;
  /** A unit of the whole document (条, 章, 专栏) the question counts, when it names one. */
  unit?: OutlineUnit;
  /** Words that may name the section whose parts are asked (保障措施, 重点行动), nearest first. */
  phrases: string[];
  /** A section asked for its number (附则是第几章): its name and the unit. */
  ordinal?: { name: string; unit: OutlineUnit };
}

/**
 * Words that make a question one about the outline: a total (一共, 总共, 共有…), a division (分成, 分为, 分了),
 * what a plan sets out (设了, 列了, 安排了 + a count), 几大 (几大工程), the last one, or an ordinal asked (第几章).
 */
const STRUCTURE_RE = /一共|总共|总计|合计|共(?:有|设|列|分|计|安排)|分成|分为|分了|设了|设置了|列了|列出了|几大|最后一|第几(?:章|节|部分)/u;
/** How many: 多少 or 几 (not 哪几), with the measure word after it. */
const COUNT_RE = /(?<!哪)(?:多少|几)(个|项|条|章|节|部分|块|大|方面|类|阶段|点|篇)?/u;
/** Which: 哪几/哪些/哪两… with the measure word, or 都是什么, 分别是什么, 都有哪些. */
const LIST_RE = /哪(?:几|些|[两三四五六七八九十])(个|项|条|章|节|部分|块|大|方面|类|阶段|点|篇)?|都是(?:什么|哪些)|分别是(?:什么|哪些)|都有(?:什么|哪些)|包括哪些|有哪些/u;
const LAST_RE = /最后一(?:个|项|条|章|节|部分|块|点|篇)?/u;
/** 附则是第几章: a section's name, then its ordinal asked. */
const ORDINAL_RE = /([\p{Script=Han}]{2,8}?)(?:是|在|为|属于)?第几(章|条|节)/u;
/** Where the words before a structure word stop naming the section: the document before it, a particle. */
const PHRASE_CUT_RE = /[的里中把将在对，,。？?、\s]|这个|这份|那个|那份/u;
/** Units a measure word counts over the whole document when no section is named: 条, 章, 部分 (the top-level parts). */
const UNIT_OF: Record<string, OutlineUnit> = { 条: 'article', 章: 'chapter', 部分: 'part' };
const UNIT_NAME: Record<OutlineUnit, string> = { article: '条', chapter: '章', box: '个专栏', part: '个部分' };

/** The words opening `text` up to a punctuation mark, and the runs either side of a 的 in them (阶段的发展目标 → 阶段, 发展目标). */
function leadingPhrases(text: string): string[] {
  const run = /^[\p{Script=Han}A-Za-z0-9]*/u.exec(text.split(/[，,。？?；;：:、]/u)[0] ?? '')?.[0] ?? '';
  return run.split('的').filter((p) => p !== '');
}

/** The question as an outline question, else undefined (it must say it asks about the structure: `STRUCTURE_RE`). */
export function outlineQuestion(question: string): OutlineAsk | undefined {
  const q = question.normalize('NFKC');
  const structural = STRUCTURE_RE.test(q);
  const list = LIST_RE.exec(q);
  if (!structural && !list) return undefined;
  const count = structural ? COUNT_RE.exec(q) : null;
  const last = structural ? LAST_RE.exec(q) : null;
  const ord = structural ? ORDINAL_RE.exec(q) : null;
  if (!count && !list && !last && !ord) return undefined;
  const phrases: string[] = [];
  let unit: OutlineUnit | undefined;
  for (const m of [count, list, last]) {
    if (!m) continue;
    const after = leadingPhrases(q.slice(m.index + m[0].length));
    if (after[0]?.startsWith('专栏')) unit = 'box';
    else if (after.length === 1 && UNIT_OF[after[0] as string]) unit ??= UNIT_OF[after[0] as string];
    else phrases.push(...after);
    const measure = m[1];
    if (measure && UNIT_OF[measure] && after.length === 0) unit ??= UNIT_OF[measure];
    // The words before: 保障措施 of …实施方案的保障措施一共有几条.
    const cue = STRUCTURE_RE.exec(q.slice(0, m.index + m[0].length));
    const before = q.slice(0, cue ? cue.index : m.index);
    const pieces = before.split(PHRASE_CUT_RE).filter((p) => p !== '');
    const tail = pieces[pieces.length - 1];
    if (tail && tail.length >= 2 && before.endsWith(tail)) phrases.push(tail);
  }
  const ask: OutlineAsk = { count: count !== null, list: list !== null, last: last !== null, structural, phrases: [...new Set(phrases)] };
  if (unit) ask.unit = unit;
  if (ord) {
    const name = (ord[1] as string).split(PHRASE_CUT_RE).filter((p) => p !== '').pop() ?? '';
    if (name.length >= 2) ask.ordinal = { name, unit: UNIT_OF[ord[2] as string] ?? 'chapter' };
  }
  return ask;
}

/** A line of an outline answer and the span of the body it cites. */
export interface OutlineLine {
  text: string;
  span?: Span;
}

/** A heading's words without its marker (三、保障措施 → 保障措施; 第八章 附则 → 附则). */
function headingWords(node: SectionNode): string {
  return node.title.slice(Math.min(node.title.length, Math.max(0, node.markerEnd - node.start))).replace(/^[\s、.．:：]+/u, '').trim() || node.title;
}

function walk(node: SectionNode, visit: (n: SectionNode) => void): void {
  visit(node);
  for (const c of node.children) walk(c, visit);
}

/** Nodes of a kind, in document order. */
function nodesOf(tree: SectionNode, kind: SectionKind): SectionNode[] {
  const out: SectionNode[] = [];
  walk(tree, (n) => {
    if (n.kind === kind) out.push(n);
  });
  return out;
}

/**
 * The section a phrase names: a heading that is the phrase (保障措施) or, for a phrase of four characters or more,
 * holds it (发展目标 in 基本思路和发展目标) — the shallowest, then the first — and has parts. A shorter phrase (目标,
 * 阶段) is in too many headings to name one. `exact`: only a heading that is the phrase.
 */
function sectionNamed(tree: SectionNode, phrase: string, exact: boolean): SectionNode | undefined {
  let best: SectionNode | undefined;
  walk(tree, (n) => {
    const words = headingWords(n);
    if (n === tree || n.children.length === 0 || !(words === phrase || (!exact && phrase.length >= 4 && words.includes(phrase)))) return;
    if (!best || n.path.length < best.path.length) best = n;
  });
  return best;
}

/** The heading line of a node: its marker and short title. */
/** A node's opening: its heading and its first part's heading (三、保障措施(一)强化组织领导), or itself when short. */
function openingSpan(n: SectionNode): Span {
  const first = n.children[0];
  if (n.end - n.start <= 400 || !first) return { start: n.start, end: Math.min(n.end, n.start + 400) };
  return { start: n.start, end: Math.max(first.titleEnd, first.markerEnd) };
}

const cnCount = (k: number): string => (k === 2 ? '两' : toChineseNumeral(k));
/** A unit as listed: its label and heading words (第八章 附则, 专栏14 …, 一、总体要求). */
const named = (n: SectionNode): string => `${n.label}${/[、.．)）]$/u.test(n.label) ? '' : ' '}${headingWords(n)}`.trim();

/**
 * The lines answering an outline question about one document (its title, tree and body), or undefined when the
 * document has no section the question names and no unit it counts.
 */
export function answerOutline(ask: OutlineAsk, title: string, tree: SectionNode, body: string): OutlineLine[] | undefined {
  const t = `《${title}》`;
  const lines: OutlineLine[] = [];
  if (ask.ordinal) {
    const units = ask.ordinal.unit === 'part' ? tree.children : nodesOf(tree, ask.ordinal.unit);
    const named = units.find((n) => headingWords(n).includes(ask.ordinal?.name ?? ''));
    if (named) lines.push({ text: `${t}的“${headingWords(named)}”是${named.label}。`, span: openingSpan(named) });
  }
  const section = ask.unit === 'box' ? undefined : ask.phrases.map((p) => sectionNamed(tree, p, !ask.structural)).find((n) => n !== undefined);
  if (section) {
    const parts = section.children;
    const names = parts.map((p) => `${p.label}${headingWords(p)}`);
    const head = `${t}${section.label}“${headingWords(section)}”`;
    lines.push({ text: `${head}共${cnCount(parts.length)}项：${names.join('；')}。`, span: openingSpan(section) });
    const lastPart = parts[parts.length - 1];
    if (ask.last && lastPart) lines.push({ text: `最后一项是${lastPart.label}${headingWords(lastPart)}。`, span: openingSpan(lastPart) });
    return lines;
  }
  const unit = ask.structural ? ask.unit : undefined;
  if (unit) {
    const units = unit === 'part' ? tree.children.filter((c) => c.kind !== 'annex') : nodesOf(tree, unit);
    if (units.length === 0) return lines.length > 0 ? lines : undefined;
    const first = units[0] as SectionNode;
    const lastUnit = units[units.length - 1] as SectionNode;
    const listed = unit === 'article' ? '' : `：${units.map(named).join('；')}`;
    const chapters = unit === 'article' ? nodesOf(tree, 'chapter').length : 0;
    const range = unit === 'article' ? `（${first.label}至${lastUnit.label}${chapters > 0 ? `，分${cnCount(chapters)}章` : ''}）` : '';
    // The last unit, numbered as it is, is the evidence of the count: both lines cite it.
    const lastSpan = unit === 'chapter' ? openingSpan(lastUnit) : { start: lastUnit.start, end: Math.min(lastUnit.end, lastUnit.start + 400) };
    if (ask.count || ask.list || !ask.last) lines.push({ text: `${t}共${cnCount(units.length)}${UNIT_NAME[unit]}${range}${listed}。`, span: lastSpan });
    if (ask.last) {
      const says = body.slice(Math.max(lastUnit.titleEnd, lastUnit.markerEnd), Math.min(lastUnit.end, lastUnit.titleEnd + 120)).replace(/\s+/gu, '').trim();
      const name = unit === 'article' ? lastUnit.label : named(lastUnit);
      lines.push({ text: `最后一${unit === 'box' ? '个专栏' : UNIT_NAME[unit]}是${name}${unit === 'article' && says !== '' ? `：${says}` : ''}。`.replace(/[。；;,，]。$/u, '。'), span: lastSpan });
    }
  }
  return lines.length > 0 ? lines : undefined;
}
