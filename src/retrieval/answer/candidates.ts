/**
 * Candidate answers: the sentences of the passages a search returned, each with what surrounds it
 * (its section headings, the sentences before it in its passage). Sentences are split once per
 * passage span and document object and memoized; nothing here reads the question.
 */
import type { SectionNode } from '../../corpus/parser.js';
import type { EvidenceView, PassageFields } from '../../storage/types.js';
import { STOPWORDS } from '../../lexical/analyzer.js';
import { previousSentence, splitSentences, type Sentence } from '../evidence.js';
import { resolveClauseRefs } from '../query.js';
import type { SearchHit, SearchResponse } from '../search.js';
import { ARABIC_ITEM_SOURCE, CHINESE_NUMERAL_CHARS, CN_ITEM_SOURCE, PAREN_ITEM_SOURCE, parseNumeral, SMALL_NUMBER_SOURCE } from '../../shared/numerals.js';

/**
 * Purpose, basis and covering-notice sentences: true, but rarely what is asked. The forms are those
 * of Chinese official documents: the purpose/basis clause (为…，根据…，制定本条例/本办法…, 立法目的条款),
 * the covering notice of a 公文 (现将…印发给你们，请认真贯彻执行), and the addressee line (主送机关:
 * 各区人民政府、市政府各部门：, GB/T 9704-2012 《党政机关公文格式》 7.2.3).
 */
const FILLER_RE = /为(?:了)?[^。；]{0,240}?(?:特)?(?:制定|制订)本(?:法|条例|规定|办法|细则|规划|方案|计划|意见|决定|规则|实施意见)|(?:结合|根据|按照|依据)[^。；]{0,200}?(?:特)?(?:制定|制订)本(?:法|条例|规定|办法|细则|规划|方案|计划|意见|决定|规则)|现将[^。]{0,80}印发给你们|请认真(?:贯彻执行|组织实施|抓好落实)|(?:人民政府|管委会|各部门|成员单位|直属机构)[^。：:]{0,40}[:：]/u;

export function isFiller(sentence: string): boolean {
  return FILLER_RE.test(sentence.trim());
}

/**
 * A task-division annotation: the line of an implementation plan that only says who carries a task out
 * (--责任单位:市经信局, （牵头单位：市发展改革委）, (市经济和信息化局及各有关单位负责)). The form is the
 * 任务分工 convention of Chinese implementation plans and action plans: it answers "who is responsible" and
 * nothing else. In flattened text it often runs into the next task's heading (…下同)2、统筹…,
 * …市统计局5-3经济分析--内容:… or (责任单位:…)  ——推进…): the annotation ends at its closing bracket, or
 * before the next heading or 专栏 field.
 */
const UNIT = String.raw`(?:主要|具体)?(?:责任|牵头|配合|参与|协办|主办)(?:单位|部门)[:：]`;
const NEXT_HEADING = String.raw`(?=[0-9]{1,2}[、.．]|[0-9]{1,2}-[0-9]{1,2}|--|[（(]${SMALL_NUMBER_SOURCE}[)）]|——|专栏|$)`;
const ANNOTATION_HEAD_RE = new RegExp(
  String.raw`^(?:${ARABIC_ITEM_SOURCE}|${PAREN_ITEM_SOURCE})?[\s\-—–－]*(?:[（(]\s*${UNIT}[^（()）]*[)）]|[（(][^（()）:：。]{2,80}负责\s*[)）]|${UNIT}(?:[^。（()）]|[（(][^（()）]*[)）])*?${NEXT_HEADING})[。；;]?`,
  'u',
);

/** Whether a sentence is a task-division annotation and nothing else. */
export function isAnnotation(sentence: string): boolean {
  const text = sentence.trim();
  const m = ANNOTATION_HEAD_RE.exec(text);
  return m !== null && m[0].trim().length === text.length;
}

/** A sentence that starts with an annotation is two: the annotation, and what follows it. */
function splitAnnotations(body: string, sentences: Sentence[]): Sentence[] {
  return sentences.flatMap((s) => {
    const m = ANNOTATION_HEAD_RE.exec(s.text);
    if (!m || m[0].trim().length === 0 || m[0].length >= s.text.length) return [s];
    let restStart = s.start + m[0].length;
    while (restStart < s.end && /\s/u.test(body[restStart] as string)) restStart += 1;
    const headEnd = s.start + m[0].trimEnd().length;
    if (restStart >= s.end) return [s];
    return [
      { start: s.start, end: headEnd, text: body.slice(s.start, headEnd) },
      { start: restStart, end: s.end, text: body.slice(restStart, s.end) },
    ];
  });
}

/** A title as its lines read, without spaces, book-title marks and closing punctuation. */
function bareTitle(text: string): string {
  return text.normalize('NFKC').replace(/[\s《》〈〉]/gu, '').replace(/[。；;：:]+$/u, '');
}

const BARE_HEADING_RE = new RegExp(String.raw`^(?:${ARABIC_ITEM_SOURCE}|${PAREN_ITEM_SOURCE}|${CN_ITEM_SOURCE}|专栏|第[一二三四五六七八九十百千零〇0-9]+[编章节条])`, 'u');
const ARTICLE_RE = /^第[一二三四五六七八九十百千零〇0-9]+条\s*(.*)$/su;

/** A bare heading ("3.高效能计算基础设施。", "第五条") says nothing alone: it joins the sentence after it. */
function joinBareHeadings(body: string, sentences: Sentence[]): Sentence[] {
  const out: Sentence[] = [];
  for (let i = 0; i < sentences.length; i += 1) {
    const s = sentences[i] as Sentence;
    const next = sentences[i + 1];
    const article = ARTICLE_RE.exec(s.text);
    if (next && s.text.length <= 24 && (!article || (article[1] ?? '').replace(/[\s。；;]/gu, '').length < 4) && BARE_HEADING_RE.test(s.text)) {
      out.push({ start: s.start, end: next.end, text: body.slice(s.start, next.end) });
      i += 1;
    } else {
      out.push(s);
    }
  }
  return out;
}

/** A sentence of a passage as every question reads it: bare headings joined, filler tested once. */
export interface PassageSentence extends Sentence {
  filler: boolean;
  /** A task-division annotation (责任单位：…): answers who is responsible, nothing else. */
  annotation: boolean;
  /** The document's title standing as a line of its body. */
  titleLine: boolean;
}

// A passage's sentences do not depend on the question: split, joined and tested once per span of
// each document object (snapshots are immutable; a reload brings new objects and a fresh memo).
const sentenceMemo = new WeakMap<object, Map<string, readonly PassageSentence[]>>();
const SENTENCE_MEMO_SPANS_PER_DOCUMENT = 4096;

export function passageSentences(kb: EvidenceView, docId: string, start: number, end: number): readonly PassageSentence[] {
  const doc = kb.documents.get(docId);
  const body = doc?.body ?? '';
  const key = `${start}:${end}`;
  const spans = doc ? sentenceMemo.get(doc) : undefined;
  const known = spans?.get(key);
  if (known) return known;
  const title = doc ? bareTitle(doc.meta.title) : '';
  const sentences = joinBareHeadings(body, splitAnnotations(body, splitSentences(body, start, end))).map((s) => {
    const titleLine = title !== '' && bareTitle(s.text) === title;
    return { ...s, filler: titleLine || isFiller(s.text), annotation: isAnnotation(s.text), titleLine };
  });
  if (doc) {
    let memo = spans;
    if (!memo) sentenceMemo.set(doc, (memo = new Map()));
    if (memo.size >= SENTENCE_MEMO_SPANS_PER_DOCUMENT) memo.delete(memo.keys().next().value as string);
    memo.set(key, sentences);
  }
  return sentences;
}

/** A sentence opening an item of a plan: a dash item (——), a numbered item (1. （一） 一、). */
const ITEM_BOUNDARY_RE = new RegExp(`^\\s*(?:——|${ARABIC_ITEM_SOURCE}|${PAREN_ITEM_SOURCE}|${CN_ITEM_SOURCE})`, 'u');
/** A task-division line closing an item ((责任单位:…), (牵头单位:…)). */
const TASK_DIVISION_RE = /^\s*[（(]\s*(?:责任单位|牵头单位|配合单位|责任部门|牵头部门)/u;

/** One candidate: a sentence of a passage the search returned. */
export interface Candidate extends PassageSentence {
  hit: SearchHit;
  /** Position of its passage among the passages read (0 = the search's best). */
  hitIndex: number;
  /** Position of its passage among the passages read of the same document. */
  docIndex: number;
  /** Position of the sentence in its passage. */
  index: number;
  /** The section headings above it (the breadcrumb without the title). */
  heading: string;
  /** What comes before it in its passage: the passage's first sentence and up to two sentences right before. */
  before: string;
  /** Inside a clause the question points at (第十条, 专栏3). */
  pointed: boolean;
  /** Overlapping a clause the question points at (a heading joined to its first sentence included). */
  touchesPointed: boolean;
  /** The printed titles of the sections holding it, outermost first (三、发展目标 (二)2020年发展目标). */
  titles: string;
  /**
   * The parts of its full sentence before it, where it continues one after a semicolon (情节严重的，吊销… after
   * 违反本条例规定，…的，处…罚款；): '' where it opens a sentence.
   */
  opening: string;
}

/**
 * The text of the full sentence (to 。！？, a colon or a line end) before `start`, where a semicolon ends what is right
 * before it; '' where none does, or the sentence reaches back further than `OPENING_MAX` characters.
 */
export function openingBefore(body: string, start: number): string {
  let end = start;
  while (end > 0 && /[^\S\n]/u.test(body[end - 1] as string)) end -= 1;
  if (end === 0 || !/[；;]/u.test(body[end - 1] as string)) return '';
  const floor = Math.max(0, end - OPENING_MAX);
  let i = end - 1;
  while (i > floor && !/[。！!？?：:\n]/u.test(body[i - 1] as string)) i -= 1;
  if (i === floor && floor > 0) return '';
  const opening = body.slice(i, end).trim();
  return /\p{Script=Han}/u.test(opening) ? opening : '';
}

/** The longest sentence `openingBefore` reads back over. */
const OPENING_MAX = 600;

/** The printed titles of the sections of `tree` that hold `offset`, outermost first, joined. */
function titlesAt(tree: SectionNode | undefined, body: string, offset: number): string {
  const out: string[] = [];
  let node = tree;
  while (node) {
    const inside: SectionNode | undefined = node.children.find((c) => c.start <= offset && offset < c.end);
    if (!inside) break;
    out.push(inside.title || body.slice(inside.start, inside.titleEnd));
    node = inside;
  }
  return out.join(' ');
}

/** The clauses the question points at (resolved in the documents of its results), with their docId. */
export function pointedClauses(kb: EvidenceView, response: SearchResponse): (SectionNode & { docId: string })[] {
  const refs = response.understanding.clauseRefs;
  if (refs.length === 0) return [];
  const docs = [...new Set(response.results.filter((h) => h.matchedBy.includes('clause')).map((h) => h.docId))];
  // No chain resolved in any document (the search marked none): each reference on its own in the documents named — a 款
  // the parser has no heading for (第三条第二款 → 第三条), or two written side by side (第三条和第四条).
  const chained = docs.length > 0;
  return (chained ? docs : refs.length < 2 ? [] : response.scope).flatMap((docId) => {
    const tree = kb.documents.get(docId)?.tree;
    if (!tree) return [];
    const nodes = chained ? resolveClauseRefs(tree, refs) : refs.flatMap((r) => resolveClauseRefs(tree, [r]));
    return nodes.map((n) => ({ ...n, docId }));
  });
}

/** The breadcrumb's section part: 《title》 › 第三章 … › 第六条 → 第三章 … 第六条. */
function headingOf(hit: SearchHit): string {
  return hit.breadcrumb.replace(/^《[^》]*》\s*(?:›\s*)?/u, '').replace(/\s*›\s*/gu, ' ');
}

/** The candidates of the given hits, in hit order then reading order. */
export function candidatesOf(kb: EvidenceView, hits: readonly SearchHit[], pointed: readonly (SectionNode & { docId: string })[], breaches = false): Candidate[] {
  const out: Candidate[] = [];
  const perDoc = new Map<string, number>();
  hits.forEach((hit, hitIndex) => {
    const docIndex = perDoc.get(hit.docId) ?? 0;
    perDoc.set(hit.docId, docIndex + 1);
    const body = kb.documents.get(hit.docId)?.body ?? '';
    const tree = kb.documents.get(hit.docId)?.tree;
    const sentences = passageSentences(kb, hit.docId, hit.start, hit.end);
    const heading = headingOf(hit);
    sentences.forEach((s, index) => {
      // The passage's first sentence is context while no item lies between (this or an earlier sentence opening an item, or
      // a task-division line closing one: the 责任单位 of the next item is not the first item's).
      const lead = index > 0 && !ITEM_BOUNDARY_RE.test(s.text) && !sentences.slice(1, index).some((x) => ITEM_BOUNDARY_RE.test(x.text) || TASK_DIVISION_RE.test(x.text)) ? (sentences[0] as PassageSentence).text : '';
      let before = '';
      let from = s.start;
      // Up to two sentences right before, within the item: none before a sentence opening one, none across a task-division line.
      for (let back = 0; back < 2 && index - back > 1 && !ITEM_BOUNDARY_RE.test(s.text); back += 1) {
        const prev = previousSentence(body, from);
        if (!prev || prev.start < hit.start || TASK_DIVISION_RE.test(prev.text)) break;
        before = prev.text + before;
        from = prev.start;
        if (ITEM_BOUNDARY_RE.test(prev.text)) break;
      }
      // Read for a penalty asked only (`unaskedCase`, `breachedText`).
      const opening = breaches ? openingBefore(body, s.start) : '';
      out.push({
        ...s,
        hit,
        hitIndex,
        docIndex,
        index,
        heading,
        // A penalty asked: a clause punishing a breach reads with the duty it names by number before it (违反本条例第二十二条第二项… after that item's text),
        // and so does a case continuing its sentence after a semicolon (…责令改正；拒不改正的，处以二百元罚款).
        before: (breaches ? breachedText(kb, hit.docId, opening + s.text) : '') + lead + before,
        pointed: pointed.some((n) => n.docId === hit.docId && s.start >= n.start && s.end <= n.end),
        touchesPointed: pointed.some((n) => n.docId === hit.docId && s.start < n.end && s.end > n.start),
        titles: titlesAt(tree, body, s.start),
        opening,
      });
    });
  });
  return out;
}

// Each document's passage positions, once per snapshot (a view holds the passages of every document it loaded).
const positionsByDoc = new WeakMap<EvidenceView, Map<string, number[]>>();

/** The positions in `kb.passages` of a document's passages, in reading order. */
export function passagesOfDocument(kb: EvidenceView, docId: string): readonly number[] {
  let byDoc = positionsByDoc.get(kb);
  if (!byDoc) {
    byDoc = new Map();
    for (let i = 0; i < kb.passages.length; i += 1) {
      const id = (kb.passages[i] as PassageFields).docId;
      const list = byDoc.get(id);
      if (list) list.push(i);
      else byDoc.set(id, [i]);
    }
    positionsByDoc.set(kb, byDoc);
  }
  return byDoc.get(docId) ?? [];
}

/** Hits for the passages of the given documents that state a web address (ranked after `after`), at most 3. */
export function urlHits(kb: EvidenceView, docIds: readonly string[], after: number): SearchHit[] {
  const out: SearchHit[] = [];
  for (const docId of docIds) {
    const doc = kb.documents.get(docId);
    for (const i of passagesOfDocument(kb, docId)) {
      const p = kb.passages[i] as PassageFields;
      const text = doc?.body.slice(p.start, p.end) ?? '';
      if (out.length >= 3 || !/https?:\/\/|www\./u.test(text)) continue;
      out.push(passageHit(doc?.meta ?? { title: '', issuer: '' }, p, text, after + out.length + 1));
    }
  }
  return out;
}

/**
 * For a list asking which documents mention its subject: of each document read, the first passage writing the subject
 * (`writes`) where none of its passages found does — the search ranks a passage by all its words, so a mention in
 * passing may be below the passages read. At most one per document.
 */
export function mentionHits(kb: EvidenceView, hits: readonly SearchHit[], writes: (text: string) => boolean): SearchHit[] {
  const out: SearchHit[] = [];
  for (const docId of [...new Set(hits.map((h) => h.docId))]) {
    if (hits.some((h) => h.docId === docId && writes(h.text))) continue;
    const doc = kb.documents.get(docId);
    for (const i of passagesOfDocument(kb, docId)) {
      const p = kb.passages[i] as PassageFields;
      const text = doc?.body.slice(p.start, p.end) ?? '';
      if (!writes(text)) continue;
      out.push(passageHit(doc?.meta ?? { title: '', issuer: '' }, p, text, hits.length + out.length + 1));
      break;
    }
  }
  return out;
}

/** The hits whose articles' penalty clauses are looked for (the search's best; a duty further down is not what was asked). */
export const PENALTY_SOURCES = 3;
/** Penalty clauses added at most. */
export const PENALTY_HITS_MAX = 3;

/**
 * What a penalty clause states: the kinds of penalty of 行政处罚法 第九条, 责令改正 (an order to correct), and civil
 * liability (赔偿, 承担…责任) of a 法律责任 chapter. 处罚, 警告 and 处分 count as imposed, not as the head of a noun
 * phrase: a record, decision or law of penalties (行政处罚记录, 处罚决定书, 治安管理处罚法) and a warning sign (警告标志)
 * state none. The words after are the nouns 处罚/警告/处分 head in 行政处罚法 and 行政处罚决定书's own wording.
 */
export const PENALTY_STATED_RE = /罚款|罚金|处罚(?!记录|决定|信息|结果|情况|程序|种类|法|权|裁量|依据|清单|案件)|警告(?!标志|标识|牌|信息)|吊销|没收|拘留|处分(?!决定|记录)|责令|赔偿|承担[^。；]{0,8}责任/u;

/** A case and the penalty imposed for it, as a 法律责任 sentence writes them: 〈condition〉的，(由…)处/给予/责令/吊销…. */
const PENALTY_CASE_RE = /的[，,](?=[^。；]*?(?:处(?!理|置)|给予|予以|责令|吊销|没收|拘留|罚款|追究))/u;

/**
 * How much of a penalty sentence's condition (法律责任 clauses write 〈condition〉的，处〈penalty〉) the question does not
 * state: its Han characters, stopwords aside, once the question's words and their forms, the article label and a
 * breach by number (违反本条例第二十二条规定) are taken out; undefined for a sentence that writes no case and penalty. A repeated or
 * aggravated case (再次饮酒后驾驶…的, 发生重大交通事故，构成犯罪的) is not the case asked about when the question says
 * neither.
 */
export function unaskedCondition(text: string, forms: readonly string[]): number | undefined {
  const m = PENALTY_CASE_RE.exec(text);
  if (!m) return undefined;
  const named = text.slice(0, m.index).replace(BREACH_CASE_RE, '');
  const generic = named.replace(GENERIC_BREACH_RE, '');
  // A catch-all (违反本条例规定的，由…处…罚款) names no case: it is the plain case of no question.
  if (generic !== named && !/\p{Script=Han}/u.test(generic.replace(ARTICLE_LABEL_RE, ''))) return undefined;
  const sorted = forms.filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
  const unasked = (part: string): number => {
    let condition = part;
    for (const f of sorted) condition = condition.split(f).join('，');
    return [...condition].filter((ch) => /\p{Script=Han}/u.test(ch) && !STOPWORDS.has(ch)).length;
  };
  // Cases joined as alternatives (〈case A〉，或者〈case B〉的: one of them is the case asked) add only the words of the one
  // asked: the case writing most of the question's words, the one adding fewest of its own among those.
  const cases = generic.replace(ARTICLE_LABEL_RE, '').split(DISJUNCT_RE).filter((p) => /\p{Script=Han}/u.test(p));
  if (cases.length <= 1) return unasked(cases[0] ?? '');
  const written = (part: string): number => sorted.filter((f) => part.includes(f)).length;
  const most = Math.max(...cases.map(written));
  // None of them writes a word of the question: nothing says which is asked, and the whole condition counts.
  if (most === 0) return unasked(cases.join('，'));
  return Math.min(...cases.filter((p) => written(p) === most).map(unasked));
}

/**
 * Where a condition's alternative cases meet: 或者 (或) opening a clause after a comma or semicolon, as 法律责任 clauses
 * join cases (驾驶人或者搭载人未佩戴安全头盔，或者搭载六周岁以下未成年人未使用儿童座椅的). 或者 inside a clause joins
 * words (饮酒后或者醉酒驾驶), not cases.
 */
const DISJUNCT_RE = /[，,；;]\s*或(?:者|是)?/u;

/**
 * `unaskedCondition` of a candidate, where a sentence continuing one after a semicolon (情节严重的，吊销…) adds its case
 * to the case its sentence opens with: an aggravation of that case, not a plain case of its own.
 */
export function unaskedCase(c: Pick<Candidate, 'text' | 'opening'>, forms: readonly string[]): number | undefined {
  const n = unaskedCondition(c.text, forms);
  return n === undefined ? undefined : n + (unaskedCondition(c.opening, forms) ?? 0);
}

const ARTICLE_LABEL = `第[${CHINESE_NUMERAL_CHARS}0-9]+条`;
/** A breach of the instrument itself (违反本条例, 违反本法…): what `BREACH_RE` and `GENERIC_BREACH_RE` open with. */
const BREACH_OF_OWN = '违反本(?:法|条例|规定|办法|细则|决定|规则|实施办法)';
/** Any article label (第二十二条), global: read with `matchAll` and `replace` only. */
const ARTICLE_LABEL_RE = new RegExp(ARTICLE_LABEL, 'gu');
/** An article heading a line or sentence of a passage (the articles a hit holds). */
const ARTICLE_AT_RE = new RegExp(`(?:^|[\\n。；\\s])(${ARTICLE_LABEL})`, 'gu');
/**
 * A breach of this instrument's own articles, as a 法律责任 clause writes it: 违反本条例第二十二条第一、二、三项规定的,
 * 违反本法第十条、第十二条规定. Another instrument's articles (违反《…》第五条) do not match.
 */
const BREACH_RE = new RegExp(`${BREACH_OF_OWN}((?:${ARTICLE_LABEL}(?:第[${CHINESE_NUMERAL_CHARS}、，和或及]+[款项])*[、，和或及]?)+)`, 'gu');

/** A breach by number with the 规定 after it (违反本条例第二十二条规定): the case a penalty clause names by reference. */
const BREACH_CASE_RE = new RegExp(`${BREACH_RE.source}(?:的?规定)?`, 'gu');

/**
 * A breach of the instrument as a whole (违反本条例规定, 违反本法有关规定): the case every penalty clause of it opens with,
 * nothing the question would have to say.
 */
const GENERIC_BREACH_RE = new RegExp(`${BREACH_OF_OWN}(?:的|有关|相关)?(?:规定)?`, 'gu');

/** One breach a text names: an article of the instrument itself, and the items (项) of it named, if any. */
interface Breach {
  article: string;
  items: number[];
}

const BREACH_PART_RE = new RegExp(`(${ARTICLE_LABEL})(?:第[${CHINESE_NUMERAL_CHARS}]+款)?(?:第([${CHINESE_NUMERAL_CHARS}、，和或及]+)项)?`, 'gu');

/** The breaches a text names (违反本条例第二十二条第一、二、三项规定的 → 第二十二条, items 1–3). */
export function breachesOf(text: string): Breach[] {
  const out: Breach[] = [];
  for (const m of text.matchAll(BREACH_RE)) {
    for (const part of (m[1] ?? '').matchAll(BREACH_PART_RE)) {
      const items = (part[2] ?? '').split(/[、，和或及]/u).flatMap((x) => {
        const n = parseNumeral(x);
        return n === undefined ? [] : [n];
      });
      out.push({ article: part[1] as string, items });
    }
  }
  return out;
}

/** The node of an article (第二十二条) in a section tree. */
function articleNode(tree: SectionNode, label: string): SectionNode | undefined {
  for (const c of tree.children) {
    if (c.label === label) return c;
    const found = articleNode(c, label);
    if (found) return found;
  }
  return undefined;
}

/** How much of a breached duty a penalty clause reads with: the article's text, or only the items it names. */
const BREACHED_TEXT_MAX = 400;

/**
 * The text of the duties a sentence punishes by number (违反本条例第二十二条第一、二、三项 → items 一 to 三 of 第二十二条),
 * or '' when it names none of its own instrument's articles.
 */
export function breachedText(kb: EvidenceView, docId: string, sentence: string): string {
  if (!sentence.includes('违反本')) return '';
  const doc = kb.documents.get(docId);
  if (!doc?.tree) return '';
  const parts: string[] = [];
  for (const b of breachesOf(sentence)) {
    const node = articleNode(doc.tree, b.article);
    if (!node) continue;
    const items = b.items.length > 0 ? node.children.filter((c) => b.items.includes(c.number)) : [];
    parts.push(...(items.length > 0 ? items : [node]).map((n) => doc.body.slice(n.start, n.end).slice(0, BREACHED_TEXT_MAX)));
  }
  return parts.join('');
}

/**
 * Hits for the passages that punish a breach of the articles the given hits hold (ranked after `after`), at most
 * `max`: the 法律责任 clause of a statute names the duty it enforces by number only (第四十三条 违反本条例第二十二条第一、
 * 二、三项规定的…处二十元以上二百元以下罚款), so a search on the duty's words finds the duty and not what breaching it
 * costs. Read in the same document only. Up to `max` in all, the rest are the penalty clauses of those documents that
 * write the most of the question (`covers`, > 0): a clause that names the breach in words rather than by number
 * (违反本条例规定，在禁止吸烟公共场所吸烟的，…处五十元罚款) is found when the duty it enforces was not.
 */
export function penaltyHits(kb: EvidenceView, hits: readonly SearchHit[], after: number, max: number, covers: (text: string) => number = () => 0): SearchHit[] {
  const out: SearchHit[] = [];
  const known = new Set(hits.map((h) => h.passageId));
  out.push(...penaltiesByArticle(kb, hits, after, max, known));
  const worded: { hit: SearchHit; cover: number }[] = [];
  for (const docId of new Set(hits.map((h) => h.docId))) {
    const doc = kb.documents.get(docId);
    if (!doc) continue;
    for (const i of passagesOfDocument(kb, docId)) {
      const p = kb.passages[i] as PassageFields;
      if (known.has(p.passageId)) continue;
      const text = doc.body.slice(p.start, p.end);
      const cover = PENALTY_STATED_RE.test(text) ? covers(text) : 0;
      if (cover > 0) worded.push({ hit: passageHit(doc.meta, p, text, 0), cover });
    }
  }
  worded.sort((a, b) => b.cover - a.cover);
  for (const { hit } of worded.slice(0, max - out.length)) out.push({ ...hit, rank: after + out.length + 1 });
  return out;
}

/** `penaltyHits`' first part: the passages punishing a breach of the hits' articles by number. Adds them to `known`. */
function penaltiesByArticle(kb: EvidenceView, hits: readonly SearchHit[], after: number, max: number, known: Set<string>): SearchHit[] {
  const out: SearchHit[] = [];
  for (const hit of hits) {
    const articles = new Set([...hit.text.matchAll(ARTICLE_AT_RE)].map((m) => m[1] as string));
    // An item passage (（一）—（五）) names its article only in its breadcrumb (… › 第二十二条 › （一）—（五）).
    for (const label of [hit.clause, hit.breadcrumb]) if (label) for (const a of label.matchAll(ARTICLE_LABEL_RE)) articles.add(a[0]);
    if (articles.size === 0) continue;
    const doc = kb.documents.get(hit.docId);
    if (!doc) continue;
    for (const i of passagesOfDocument(kb, hit.docId)) {
      if (out.length >= max) return out;
      const p = kb.passages[i] as PassageFields;
      if (known.has(p.passageId)) continue;
      const text = doc.body.slice(p.start, p.end);
      if (!PENALTY_STATED_RE.test(text) || !breachesOf(text).some((b) => articles.has(b.article))) continue;
      known.add(p.passageId);
      out.push(passageHit(doc.meta, p, text, after + out.length + 1));
    }
  }
  return out;
}

/** A stored passage as a hit the search did not rank (score 0), at `rank`. */
function passageHit(meta: { title: string; issuer: string }, p: PassageFields, text: string, rank: number): SearchHit {
  return { rank, passageId: p.passageId, docId: p.docId, title: meta.title, issuer: meta.issuer, breadcrumb: p.breadcrumb, clause: p.clause, text, start: p.start, end: p.end, score: 0, matchedBy: [] };
}

/** The best `per` hits of each document, documents in order of their best hit, at most `maxDocs` documents (rank order kept). */
export function spreadHits(results: readonly SearchHit[], per: number, maxDocs: number): SearchHit[] {
  const byDoc = new Map<string, SearchHit[]>();
  for (const h of results) {
    let list = byDoc.get(h.docId);
    if (!list) {
      if (byDoc.size >= maxDocs) continue;
      byDoc.set(h.docId, (list = []));
    }
    if (list.length < per) list.push(h);
  }
  const keep = new Set([...byDoc.values()].flat());
  return results.filter((h) => keep.has(h));
}
