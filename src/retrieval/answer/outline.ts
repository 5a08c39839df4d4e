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
export type OutlineUnit = 'article' | 'chapter' | 'section' | 'box' | 'part';

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
  /** The unit the last one is asked in when it names one (最后一条 of 一共分几章？最后一条是啥: an article, not a chapter). */
  lastUnit?: OutlineUnit;
  /** A unit of the whole document (条, 章, 专栏) the question counts, when it names one. */
  unit?: OutlineUnit;
  /** Words that may name the section whose parts are asked (保障措施, 重点行动), nearest first. */
  phrases: string[];
  /**
   * The words before the structure asked (云浮那个优惠办法, 云浮对人才的扶持): a count over the whole document is given
   * only when they name the document and nothing else (`answerOutline`).
   */
  before: string;
  /** A section asked for its number (附则是第几章): its name and the unit. */
  ordinal?: { name: string; unit: OutlineUnit };
}

/**
 * Words that make a question one about the outline: a total (一共, 总共, 共有…), a division (分成, 分为, 分了),
 * what a plan sets out (设了, 列了, 安排了 + a count), 几大 (几大工程), the last one, or an ordinal asked (第几章).
 */
const STRUCTURE_RE = /一共|总共|总计|合计|共(?:有|设|列|分|计|安排)|分成|分为|分了|分(?:几|多少)|有(?:几|多少)(?=章|条|节|个专栏|个部分|部分)|设了|设置了|列了|列出了|几大|最后一|第几(?:章|节|部分)/u;
/** How many: 多少 or 几 (not 哪几), with the measure word after it. */
const COUNT_RE = /(?<![哪第])(?:多少|几)(个|项|条|章|节|部分|块|大|方面|类|阶段|点|篇)?/u;
/** Which: 哪几/哪些/哪两… with the measure word, or 都是什么, 分别是什么, 都有哪些. */
const LIST_RE = /哪(?:几|些|[两三四五六七八九十])(个|项|条|章|节|部分|块|大|方面|类|阶段|点|篇)?|都是(?:什么|哪些)|分别是(?:什么|哪些)|都有(?:什么|哪些)|包括哪些|有哪些/u;
const LAST_RE = /最后一(个|项|条|章|节|部分|块|点|篇)?/u;
/** 附则是第几章: a section's name, then its ordinal asked. */
const ORDINAL_RE = /([\p{Script=Han}]{2,8}?)(?:是|在|为|属于)?第几(章|条|节)/u;
/** Where the words before a structure word stop naming the section: the document before it, a particle. */
const PHRASE_CUT_RE = /[的里中把将在对，,。？?、\s]|这个|这份|那个|那份/u;
/** Units a measure word counts over the whole document when no section is named: 条, 章, 部分 (the top-level parts). */
const UNIT_OF: Record<string, OutlineUnit> = { 条: 'article', 章: 'chapter', 节: 'section', 部分: 'part' };
const UNIT_NAME: Record<OutlineUnit, string> = { article: '条', chapter: '章', section: '节', box: '个专栏', part: '个部分' };

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
  const first = [count, list, last, ord].filter((m): m is RegExpExecArray => m !== null).sort((a, b) => a.index - b.index)[0];
  const cue0 = STRUCTURE_RE.exec(q);
  const before = q.slice(0, Math.min(first?.index ?? q.length, cue0?.index ?? q.length));
  for (const m of [count, list, last]) {
    if (!m) continue;
    // What follows may ask what it says (最后一条是啥, 讲的什么): no name of a section.
    const after = leadingPhrases(q.slice(m.index + m[0].length)).filter((p) => !/^(?:是|讲|说|写|内容|规定|叫|指)/u.test(p));
    if (after[0]?.startsWith('专栏')) unit = 'box';
    else if (after.length === 1 && UNIT_OF[after[0] as string]) unit ??= UNIT_OF[after[0] as string];
    else phrases.push(...after);
    const measure = m[1];
    if (measure && UNIT_OF[measure] && after.length === 0) unit ??= UNIT_OF[measure];
    // The words before: 保障措施 of …实施方案的保障措施一共有几条.
    const cue = STRUCTURE_RE.exec(q.slice(0, m.index + m[0].length));
    const near = q.slice(0, cue ? cue.index : m.index);
    const pieces = near.split(PHRASE_CUT_RE).filter((p) => p !== '');
    const tail = pieces[pieces.length - 1];
    if (tail && tail.length >= 2 && near.endsWith(tail)) phrases.push(tail);
  }
  const ask: OutlineAsk = { count: count !== null, list: list !== null, last: last !== null, structural, phrases: [...new Set(phrases)], before };
  if (unit) ask.unit = unit;
  const lastMeasure = last?.[1];
  if (lastMeasure && UNIT_OF[lastMeasure]) ask.lastUnit = UNIT_OF[lastMeasure];
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
  const title = node.title.trim();
  // The label as printed opens the title (第一章, 三、, （一）, 专栏3); the title's own spacing may differ from the body's.
  const label = node.label.replace(/[（(]/gu, '[（(]').replace(/[）)]/gu, '[）)]');
  const m = new RegExp(`^${label}`, 'u').exec(title);
  const rest = (m ? title.slice(m[0].length) : title.slice(Math.min(title.length, Math.max(0, node.markerEnd - node.start)))).replace(/^[\s、.．:：]+/u, '').trim();
  // The parser's title phrase can run into the text (重点任务立足国家发展全局): up to the first mark.
  return (rest.split(/[。，,；;：:！？!?]/u)[0] ?? '').trim();
}

function walk(node: SectionNode, visit: (n: SectionNode) => void): void {
  visit(node);
  for (const c of node.children) walk(c, visit);
}

/** Nodes of a kind in the main text, in document order (an annex's are left out). */
export function nodesOf(tree: SectionNode, kind: SectionKind): SectionNode[] {
  const out: SectionNode[] = [];
  // An annex (附件) is a document of its own: nothing from its start on is the main text's (the parser may hang an
  // annex's articles beside it rather than under it).
  let annexAt = Infinity;
  walk(tree, (n) => {
    if (n.kind === 'annex') annexAt = Math.min(annexAt, n.start);
  });
  walk(tree, (n) => {
    if (n.kind === kind && n.start < annexAt) out.push(n);
  });
  return out;
}

/** The parts of a section: its children of one kind (the first numbered kind; 专栏 boxes beside them are not parts). */
function partsOf(section: SectionNode): SectionNode[] {
  const numbered = section.children.filter((c) => c.kind !== 'box' && c.kind !== 'box-item' && c.kind !== 'annex');
  const kind = numbered[0]?.kind;
  return kind === undefined ? section.children.filter((c) => c.kind === section.children[0]?.kind) : numbered.filter((c) => c.kind === kind);
}

/**
 * The items under `parts` when they are numbered on from one part to the next (1–4 under （一）, 5–9 under （二）…), not
 * afresh in each: every part's numbered children, in order, numbered 1 to their count, across two parts or more. Else [].
 */
function continuousItems(parts: readonly SectionNode[]): SectionNode[] {
  if (parts.length < 2) return [];
  const items = parts.flatMap((p) => partsOf(p).filter((c) => c.number > 0));
  const kind = items[0]?.kind;
  const across = parts.filter((p) => partsOf(p).some((c) => c.number > 0)).length;
  return across >= 2 && items.every((c, i) => c.kind === kind && c.number === i + 1) ? items : [];
}

/**
 * The section a phrase names: a heading that is the phrase (保障措施) or, for a phrase of four characters or more,
 * holds it (发展目标 in 基本思路和发展目标) — the shallowest, then the first — and has parts. A shorter phrase (目标,
 * 阶段) is in too many headings to name one. `exact`: only a heading that is the phrase.
 */
function sectionNamed(tree: SectionNode, phrase: string, exact: boolean): SectionNode | undefined {
  const find = (words: string, holds: boolean): SectionNode | undefined => {
    let best: SectionNode | undefined;
    walk(tree, (n) => {
      const w = headingWords(n);
      if (n === tree || n.kind === 'annex' || n.children.length === 0 || !(w === words || n.label === words || (holds && words.length >= 4 && w.includes(words)))) return;
      if (!best || n.path.length < best.path.length) best = n;
    });
    return best;
  };
  const whole = find(phrase, !exact);
  if (whole) return whole;
  // An ending of the words that is a heading or a label (云浮优惠办法第三章 → 第三章; 云浮优惠办法总则 → 总则).
  const chars = [...phrase];
  for (let k = 1; k + 2 <= chars.length; k += 1) {
    const hit = find(chars.slice(k).join(''), false);
    if (hit) return hit;
  }
  return undefined;
}

/** Whether the words before a count name the document and nothing else: its title has three quarters of their characters. */
function namesOnlyDocument(before: string, title: string, names: readonly string[]): boolean {
  // Pointers, particles and the level a document is of (国家, 全国, 省里: 国家AI规划 is the State Council's plan).
  let rest = before.toLowerCase().replace(/这个|这份|这部|那个|那份|那部|该|本|的|里|中|在|是|现在|目前|一共|总共|国家|全国|中央|省里|市里/gu, '');
  for (const n of [...names].sort((a, b) => b.length - a.length)) rest = rest.split(n.toLowerCase()).join('');
  // A name's characters count as the document's (国家规划 names the national plan: 国, 家 of 国家AI规划).
  const chars = [...rest.replace(/[^\u4e00-\u9fff]/gu, '')].filter((c) => !names.some((n) => n.includes(c)));
  return chars.length < 2 || chars.filter((c) => title.includes(c)).length / chars.length >= 0.75;
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
export function answerOutline(ask: OutlineAsk, title: string, tree: SectionNode, body: string, names: readonly string[] = []): OutlineLine[] | undefined {
  const t = `《${title}》`;
  const lines: OutlineLine[] = [];
  if (ask.ordinal) {
    const units = ask.ordinal.unit === 'part' ? tree.children : nodesOf(tree, ask.ordinal.unit);
    // The name may come after the document's (云浮的优惠办法附则): the heading that is an ending of it.
    const name = ask.ordinal.name;
    const hit = units.find((n) => headingWords(n) !== '' && (name === headingWords(n) || name.endsWith(headingWords(n))));
    if (hit) lines.push({ text: `${t}的“${headingWords(hit)}”是${hit.label}。`, span: openingSpan(hit) });
    // 附则是第几章 asks the ordinal only; a count asked beside it (一共分几章) is read below.
    if (!ask.count && !ask.list && !ask.last) return lines.length > 0 ? lines : undefined;
  }
  const section = ask.unit === 'box' ? undefined : ask.phrases.map((p) => sectionNamed(tree, p, !ask.structural)).find((n) => n !== undefined);
  if (section) {
    const parts = partsOf(section);
    const listed = parts.map(named);
    const measure = parts[0]?.kind === 'article' ? '条' : '项';
    const head = `${t}${section.label}${headingWords(section) ? `“${headingWords(section)}”` : ''}`;
    lines.push({ text: `${head}共${cnCount(parts.length)}${measure}：${listed.join('；')}。`, span: openingSpan(section) });
    // Items numbered on across the parts (（一）1–4, （二）5–9, …, （四）…16): how many are numbered in all is a count
    // the question may mean (工作任务一共编了多少项); the last item, numbered as it is, is its evidence.
    const items = continuousItems(parts);
    const lastItem = items[items.length - 1];
    if (ask.count && lastItem) lines.push({ text: `其下各${measure}连续编号，共${cnCount(items.length)}${measure}（${named(items[0] as SectionNode)}至${named(lastItem)}）。`, span: { start: lastItem.start, end: Math.min(lastItem.end, lastItem.start + 200) } });
    const lastPart = parts[parts.length - 1];
    if (ask.last && lastPart) lines.push({ text: `最后一${measure}是${named(lastPart)}。`, span: openingSpan(lastPart) });
    return lines;
  }
  // A count over the whole document only when the words before it name the document alone (not 云浮对人才的扶持一共有多少条).
  const unit = ask.structural && namesOnlyDocument(ask.before, title, names) ? ask.unit : undefined;
  if (unit) {
    const units = unit === 'part' ? tree.children.filter((c) => c.kind !== 'annex' && c.kind !== 'article' && c.kind !== 'chapter') : nodesOf(tree, unit);
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
      // The last one in the unit it is asked in (最后一条), else in the unit counted.
      const lu = ask.lastUnit && ask.lastUnit !== 'part' ? ask.lastUnit : unit;
      const pool = lu === unit ? units : nodesOf(tree, lu);
      const end = pool[pool.length - 1];
      if (end) {
        const span = lu === unit ? lastSpan : lu === 'chapter' ? openingSpan(end) : { start: end.start, end: Math.min(end.end, end.start + 400) };
        const says = body.slice(Math.max(end.titleEnd, end.markerEnd), Math.min(end.end, end.titleEnd + 120)).replace(/\s+/gu, '').trim();
        const name = lu === 'article' ? end.label : named(end);
        lines.push({ text: `最后一${lu === 'box' ? '个专栏' : UNIT_NAME[lu]}是${name}${lu === 'article' && says !== '' ? `：${says}` : ''}。`.replace(/[。；;,，]。$/u, '。'), span });
      }
    }
  }
  return lines.length > 0 ? lines : undefined;
}
