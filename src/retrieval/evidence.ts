/**
 * Sentence-level evidence: splits passages into sentences with body offsets, scores them against
 * the query, and reads what quantity a question asks for. Pure.
 */
import { analyze, isGlueArtefact, STOPWORDS } from './analyzer.js';
import type { TermView } from '../storage/types.js';
import { JURISDICTION_NOUNS, tagWords } from './answer/words.js';

export interface Sentence {
  /** Offsets into the document body. */
  start: number;
  end: number;
  text: string;
}

const SENTENCE_END = /[。；;！!？?\n]/u;
const CLOSERS = /[”’」』）)】]/u;

/** Sentences of body[start, end): cut after 。；！？ (closing quotes kept), whitespace trimmed. */
export function splitSentences(body: string, start: number, end: number): Sentence[] {
  const out: Sentence[] = [];
  let s = start;
  const push = (a: number, b: number): void => {
    while (a < b && /\s/u.test(body[a] as string)) a += 1;
    while (b > a && /\s/u.test(body[b - 1] as string)) b -= 1;
    if (b > a) out.push({ start: a, end: b, text: body.slice(a, b) });
  };
  for (let i = start; i < end; i += 1) {
    if (!SENTENCE_END.test(body[i] as string)) continue;
    let j = i + 1;
    while (j < end && CLOSERS.test(body[j] as string)) j += 1;
    push(s, j);
    s = j;
    i = j - 1;
  }
  push(s, end);
  return out;
}

/** The sentence just before `start` in the body (looking back at most 300 characters). */
export function previousSentence(body: string, start: number): Sentence | undefined {
  const floor = Math.max(0, start - 300);
  let end = start;
  while (end > floor && /\s/u.test(body[end - 1] as string)) end -= 1;
  if (end <= floor) return undefined;
  let i = end - 1;
  // Step over the previous sentence's own terminator (and closing quotes), then find the one before.
  while (i > floor && CLOSERS.test(body[i] as string)) i -= 1;
  if (SENTENCE_END.test(body[i] as string)) i -= 1;
  while (i >= floor && !SENTENCE_END.test(body[i] as string)) i -= 1;
  if (i < floor && floor > 0) return undefined;
  const sentences = splitSentences(body, i + 1, end);
  return sentences[sentences.length - 1];
}

const CJK_RE = /^[\u4e00-\u9fff]+$/u;

/** Words that shape a question rather than name its subject: they never count as evidence. */
export const QUESTION_WORDS = new Set([
  '多', '大', '多大', '多少', '几', '比例', '比重', '占比', '分别', '各是', '各', '具体', '达到', '要', '哪些', '哪个', '什么', '怎么',
  '怎样', '如何', '是否', '有没有', '有无', '能否', '可否', '情况', '说法', '提出', '指的是', '指', '意思', '谁', '哪', '哪一年', '哪年',
  '何时', '多久', '城市', '文件', '各地', '打算', '计划', '准备', '规定', '要求', '明确', '写', '里', '分到', '还是', '之间', '没有', '如果',
  '以后', '之前', '这份', '份文件', '哪几', '哪几种', '怎样才能', '能不能', '会不会', '有没有', '各有', '各是', '措施', '举措', '做法',
  // When-questions and pointers to the document at hand (什么时候开始, 哪一天, 这次, 这部): they ask, they are not asked about.
  '时候', '什么时候', '哪天', '哪一天', '哪一日', '开始', '这次', '这部', '这项', '这个', '这些', '这一',
  // Kinds pointed at (这类模式, 哪两类): the kind word asks, the noun after it is the subject.
  '类', '这类', '此类', '该类', '哪类', '这种', '哪种',
  '多长时间', '多长', '多久', '多少天', '哪一日',
]);

/** Words that say a web address is wanted (网址, 官方网站, 出自): they describe the answer, not its subject. */
export const URL_ASK_WORDS = new Set(['网址', '网站', '官方网站', '官方网', '官网', '链接', '出处', '来源', '全文', '出自', '官方']);

/** One thing the question asks about: a term, its weight, and the forms that count as it (its expansions). */
export interface Concept {
  term: string;
  /** idf over the whole index. */
  weight: number;
  /** idf over the passages in scope (the documents the question is about): how specific the term is there. */
  local: number;
  forms: Set<string>;
  /** Passages in scope that contain one of the forms. */
  scopeFreq: number;
  /** For a compound (投资基金): its parts among the question's terms; a text with all of them has it. */
  parts?: string[];
  /** One side of an either-or (PPP或“政府和社会资本合作”): a text covering either side covers the pair. */
  alternative?: { group: number; side: 0 | 1 };
}

/**
 * The question's concepts with weights (idf); named-document words and question words excluded.
 * An expansion counts as its source term (电价 for 电费). A term absent from the index weighs as
 * much as the average known term: it is often a paraphrase (年末 for 年底), not the subject.
 */
export function questionConcepts(
  bm25: TermView,
  terms: readonly string[],
  expansions: readonly { term: string; from: string }[],
  exclude: ReadonlySet<string>,
  /** Which passages are in scope; undefined: every passage the view numbers. */
  inScope?: (passage: number) => boolean,
  isPhrase?: (phrase: string) => boolean,
  /**
   * Passages in scope: given when `bm25` numbers only some of the index's passages (a loaded
   * evidence view) or when the caller already counted them; else counted here with `inScope`.
   */
  scopeSize?: number,
  /**
   * Hits already counted in this scope (by forms and parts), shared by calls for one question:
   * filled here, and read before counting again.
   */
  counted?: Map<string, number>,
): Concept[] {
  // Parts of a question word the question uses (一天 of 哪一天, 几种 of 哪几种) ask too.
  const asking = terms.filter((t) => QUESTION_WORDS.has(t));
  const subject = (t: string): boolean => !exclude.has(t) && !QUESTION_WORDS.has(t) && !isGlueArtefact(t) && !asking.some((q) => q !== t && q.includes(t));
  const distinct = [...new Set(terms)].filter(subject);
  // Two words the question writes as one phrase (投资 基金 → 投资基金) that the documents also write
  // so are one concept: 投资 and 基金 scattered over a sentence do not answer it.
  const phrases = new Set<string>();
  if (isPhrase) {
    for (let i = 0; i + 1 < terms.length; i += 1) {
      const a = terms[i] as string;
      const b = terms[i + 1] as string;
      const phrase = a + b;
      if (a.length < 2 || b.length < 2 || !subject(a) || !subject(b) || distinct.includes(phrase) || !CJK_RE.test(phrase) || !isPhrase(phrase)) continue;
      distinct.push(phrase);
      phrases.add(phrase);
    }
  }
  // Search-mode segmentation also yields a compound's parts (数据中心 → 数据, 中心): count the compound once.
  const wanted = distinct.filter((t) => !distinct.some((o) => o !== t && o.length > t.length && o.includes(t)));
  // …but a text that has all the parts (创业投资 + 基金 for 投资基金) still counts as having it.
  const partsOf = (t: string): string[] => distinct.filter((o) => o !== t && o.length < t.length && t.includes(o));
  const known = wanted.filter((t) => bm25.has(t)).map((t) => bm25.idf(t));
  const unseen = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : Math.log(1 + bm25.size);
  const concepts: Concept[] = wanted.map((t) => {
    const parts = partsOf(t);
    // A phrase the index does not hold as one word weighs as its parts together.
    const partsWeight = phrases.has(t) && parts.length >= 2 ? parts.reduce((a, p) => a + (bm25.has(p) ? bm25.idf(p) : unseen), 0) : 0;
    const c: Concept = { term: t, weight: bm25.has(t) ? bm25.idf(t) : partsWeight > 0 ? partsWeight : unseen, local: 0, forms: new Set([t]), scopeFreq: 0 };
    if (parts.length >= 2 && parts.join('').length >= t.length) c.parts = parts;
    return c;
  });
  // A part's expansion counts for a compound the question keeps instead when the documents never
  // write that compound (拿到 → 取得 for 没拿到); a compound they do write (经济运行) is its own word.
  for (const e of expansions) (concepts.find((c) => c.term === e.from) ?? concepts.find((c) => !bm25.has(c.term) && c.term.includes(e.from)))?.forms.add(e.term);
  // A single character the documents never use alone (补 in 补多少) abbreviates a word they do use
  // (补贴, 补助): the two-character words that start with it count as it.
  const anyInScope = (term: string): boolean => {
    const list = postingsOf(bm25, term);
    if (!inScope) return list.length > 0;
    for (let j = 0; j < list.length; j += 1) if (inScope(list[j] as number)) return true;
    return false;
  };
  for (const c of concepts) {
    if ([...c.term].length !== 1 || !/[\u4e00-\u9fff]/u.test(c.term) || anyInScope(c.term)) continue;
    const words = twoCharWordsStartingWith(bm25, c.term).filter(anyInScope);
    for (const w of words.slice(0, 8)) c.forms.add(w);
  }
  let size = scopeSize ?? (inScope ? 0 : bm25.size);
  if (scopeSize === undefined && inScope) for (let i = 0; i < bm25.size; i += 1) if (inScope(i)) size += 1;
  for (const c of concepts) {
    const key = `${[...c.forms].sort().join('\u0001')}\u0000${c.parts?.join('\u0001') ?? ''}`;
    const hits = counted?.get(key) ?? countHits(bm25, c.forms, c.parts, inScope);
    counted?.set(key, hits);
    c.scopeFreq = hits;
    c.local = Math.log(1 + (size - hits + 0.5) / (hits + 0.5));
  }
  return concepts;
}

/** A term's postings without a copy where the index holds them so. */
function postingsOf(bm25: TermView, term: string): ArrayLike<number> {
  return bm25.postings ? bm25.postings(term) : bm25.passagesWith(term);
}

// Per term view, a stamp per passage: a passage counts once per concept however many of its forms
// it has, without a Set of (at 100k passages) tens of thousands of numbers per concept.
const stampsOf = new WeakMap<TermView, { stamps: Uint32Array; epoch: number }>();

/**
 * Passages in scope that have one of `forms`, or all of `parts` (a compound written apart):
 * how many distinct ones.
 */
function countHits(bm25: TermView, forms: Iterable<string>, parts: readonly string[] | undefined, inScope: ((passage: number) => boolean) | undefined): number {
  const lists = [...forms].map((f) => postingsOf(bm25, f));
  const together = parts ? intersectPostings(parts.map((p) => postingsOf(bm25, p)), !!bm25.postings) : [];
  if (lists.length === 1 && together.length === 0) {
    const list = lists[0] as ArrayLike<number>;
    // Every passage in scope: a posting list names each of its passages once.
    if (!inScope) return list.length;
    let n = 0;
    for (let j = 0; j < list.length; j += 1) if (inScope(list[j] as number)) n += 1;
    return n;
  }
  let memo = stampsOf.get(bm25);
  if (!memo) stampsOf.set(bm25, (memo = { stamps: new Uint32Array(bm25.size), epoch: 0 }));
  if (memo.epoch === 0xffffffff) {
    memo.stamps.fill(0);
    memo.epoch = 0;
  }
  memo.epoch += 1;
  const epoch = memo.epoch;
  let n = 0;
  for (const list of [...lists, together]) {
    for (let j = 0; j < list.length; j += 1) {
      const i = list[j] as number;
      if (inScope && !inScope(i)) continue;
      // A loaded view numbers postings past its passages: grow to the largest seen.
      if (i >= memo.stamps.length) {
        const grown = new Uint32Array(Math.max(i + 1, memo.stamps.length * 2));
        grown.set(memo.stamps);
        memo.stamps = grown;
      }
      if (memo.stamps[i] === epoch) continue;
      memo.stamps[i] = epoch;
      n += 1;
    }
  }
  return n;
}

/** Passages in every list (ascending lists are merged; others go through Sets). */
function intersectPostings(lists: readonly ArrayLike<number>[], ascending: boolean): ArrayLike<number> {
  const [first, ...rest] = lists;
  if (!first) return [];
  if (!ascending) {
    const sets = rest.map((r) => new Set(Array.from(r)));
    return Array.from(first).filter((i) => sets.every((r) => r.has(i)));
  }
  const out: number[] = [];
  const at = rest.map(() => 0);
  outer: for (let j = 0; j < first.length; j += 1) {
    const i = first[j] as number;
    for (let r = 0; r < rest.length; r += 1) {
      const list = rest[r] as ArrayLike<number>;
      let p = at[r] as number;
      while (p < list.length && (list[p] as number) < i) p += 1;
      at[r] = p;
      if (p >= list.length) break outer;
      if (list[p] !== i) continue outer;
    }
    out.push(i);
  }
  return out;
}

/**
 * The passages a single answer reads: the top `n` results, and — when none of them has the concept
 * the question asks for (电费 in 有什么电费补贴, with its forms 电价, 用电) — the best-ranked later
 * result that has it. Clauses that share the rest of the question's words (落户, 数据中心) can outrank
 * the one clause that names the thing asked, more so as the corpus grows and idf shifts.
 */
export function passagesToRead<T extends { text: string }>(results: readonly T[], n: number, focus: Concept | undefined): T[] {
  const top = results.slice(0, n);
  if (!focus) return top;
  const has = (hit: T): boolean => coveredConcepts(hit.text, [focus]).has(focus.term);
  if (top.some(has)) return top;
  const later = results.slice(n).find(has);
  return later ? [...top, later] : top;
}

/**
 * Whether the top results are about a place no document is named for (a question on 广州 over
 * other cities' plans is not): at least two of the top three mention it, or the top one does and is
 * (nearly) its whole document — a one-page 批复 that cites 浙江省 once is about 浙江省 as much as it can be.
 */
export function placeCovered(top: readonly { docId: string; text: string; start: number; end: number }[], places: readonly string[], bodyLength: (docId: string) => number): boolean {
  const mentions = (text: string): boolean => places.some((p) => text.includes(p));
  if (top.slice(0, 3).filter((h) => mentions(h.text)).length >= 2) return true;
  const first = top[0];
  if (!first || !mentions(first.text)) return false;
  const length = bodyLength(first.docId);
  return length > 0 && first.end - first.start >= 0.8 * length;
}

// The vocabulary's two-character words (stopwords out) by first character, in vocabulary order:
// built once per index instead of scanning the whole vocabulary per single-character concept.
const twoCharWords = new WeakMap<TermView, Map<string, string[]>>();

function twoCharWordsStartingWith(bm25: TermView, first: string): readonly string[] {
  let byFirst = twoCharWords.get(bm25);
  if (!byFirst) {
    byFirst = new Map();
    for (const w of bm25.terms()) {
      if (w.length !== 2 || STOPWORDS.has(w)) continue;
      const head = w[0] as string;
      const list = byFirst.get(head);
      if (list) list.push(w);
      else byFirst.set(head, [w]);
    }
    twoCharWords.set(bm25, byFirst);
  }
  return byFirst.get(first) ?? [];
}

// Passages recur across questions: their sentences' terms are analyzed once (bounded memo).
const termMemo = new Map<string, Set<string>>();
const TERM_MEMO_MAX = 50_000;

/** The analyzed terms of a text, memoized. */
export function termSet(text: string): Set<string> {
  let terms = termMemo.get(text);
  if (!terms) {
    terms = new Set(analyze(text));
    if (termMemo.size >= TERM_MEMO_MAX) termMemo.delete(termMemo.keys().next().value as string);
    termMemo.set(text, terms);
  }
  return terms;
}

/** The concepts a text mentions. */
export function coveredConcepts(text: string, concepts: readonly Concept[]): Set<string> {
  const present = termSet(text);
  const out = new Set<string>();
  for (const c of concepts) {
    for (const f of c.forms) if (present.has(f)) out.add(c.term);
    // A compound (投资基金) is there verbatim, inside a longer word too (创业投资基金), or with all its
    // parts inside one clause; parts scattered over a sentence (设立种子基金，…与创业投资…) name something else.
    if (c.parts && !out.has(c.term) && (text.includes(c.term) || (c.parts.every((p) => present.has(p)) && clausesOf(text).some((cl) => c.parts?.every((p) => termSet(cl).has(p)))))) out.add(c.term);
  }
  return out;
}

/** The comma-separated clauses of a sentence. */
function clausesOf(text: string): string[] {
  return text.split(/[，,；;：:]/u).filter((x) => x.trim() !== '');
}

/** Share of the question's concept weight a text covers (0–1); `local` weighs by specificity in scope. */
export function coverage(text: string, concepts: readonly Concept[], key: 'weight' | 'local' = 'weight'): number {
  return coverageOf(coveredConcepts(text, concepts), concepts, key);
}

/**
 * Share of the concept weight the named concepts carry. The two sides of an either-or carry their
 * joint weight in the share of the better-covered side.
 */
export function coverageOf(covered: ReadonlySet<string>, concepts: readonly Concept[], key: 'weight' | 'local' = 'weight'): number {
  let total = 0;
  let got = 0;
  const groups = new Map<number, { weight: number; sides: [number, number]; got: [number, number] }>();
  for (const c of concepts) {
    total += c[key];
    if (!c.alternative) {
      if (covered.has(c.term)) got += c[key];
      continue;
    }
    let g = groups.get(c.alternative.group);
    if (!g) groups.set(c.alternative.group, (g = { weight: 0, sides: [0, 0], got: [0, 0] }));
    g.weight += c[key];
    g.sides[c.alternative.side] += c[key];
    if (covered.has(c.term)) g.got[c.alternative.side] += c[key];
  }
  for (const g of groups.values()) got += g.weight * Math.max(...([0, 1] as const).map((i) => (g.sides[i] > 0 ? g.got[i] / g.sides[i] : 0)));
  return total > 0 ? got / total : 0;
}

/** Whether the other side of the either-or a concept is on is in the documents in scope (then its absence says nothing). */
export function alternativePresent(c: Concept, concepts: readonly Concept[]): boolean {
  const alt = c.alternative;
  return !!alt && concepts.some((o) => o.alternative?.group === alt.group && o.alternative.side !== alt.side && o.scopeFreq > 0);
}

const EITHER_RE = /或者|或是|或(?!许|缺|多或少)/u;
/** Where the words before 或 begin: after punctuation or the interrogative (哪些文件里明确写了PPP或…). */
const LEFT_START_RE = /[，,、；;：:？?。！!（）()]|什么|哪些|哪个|哪几|多少|是否|有没有|怎么|如何/gu;
/** Where the words after 或 end (…或“政府和社会资本合作”这类模式). */
const RIGHT_END_RE = /[，,、；;：:？?。！!（）()]|这类|这些|之类|等|方面/u;

/**
 * Reads an either-or in the question (A或B): the concepts written right after 或 are one side, as
 * many written just before it the other, and covering either side covers the pair. When the word
 * just before 或 is part of a concept after it (数据或数据服务), that word counts as the concept.
 * Returns the same concepts, marked.
 */
export function withAlternatives(question: string, concepts: Concept[]): Concept[] {
  const q = question.normalize('NFKC').toLowerCase().replace(/[“”"'‘’《》「」]/gu, '');
  const m = EITHER_RE.exec(q);
  if (!m) return concepts;
  let left = q.slice(0, m.index);
  for (const stop of left.matchAll(LEFT_START_RE)) left = q.slice((stop.index ?? 0) + stop[0].length, m.index);
  let right = q.slice(m.index + m[0].length);
  const end = RIGHT_END_RE.exec(right);
  if (end) right = right.slice(0, end.index);
  const after = concepts.filter((c) => right.includes(c.term));
  if (after.length === 0 || left === '') return concepts;
  const last = analyze(left).at(-1);
  if (last === undefined) return concepts;
  const widened = after.find((c) => c.term !== last && c.term.includes(last));
  if (widened) {
    widened.forms.add(last);
    return concepts;
  }
  if (!concepts.some((c) => c.term === last)) return concepts;
  const before = concepts
    .filter((c) => left.includes(c.term) && !after.includes(c))
    .sort((a, b) => left.lastIndexOf(b.term) - left.lastIndexOf(a.term))
    .slice(0, after.length);
  if (before.length === 0) return concepts;
  const group = 1 + Math.max(0, ...concepts.map((c) => c.alternative?.group ?? 0));
  for (const c of before) c.alternative = { group, side: 0 };
  for (const c of after) c.alternative = { group, side: 1 };
  return concepts;
}

export type QuantityKind = 'money' | 'ratio' | 'count' | 'docNumber' | 'year' | 'date' | 'clock' | 'duration' | 'url' | 'who' | 'place' | 'number';

export interface QuantityAsk {
  kind: QuantityKind;
  /** For counts: the measure word (条, 个, 家…). */
  unit?: string;
  /** For money: what the amount is of (补贴, 奖励, 规模…); the evidence must name it. */
  subject?: string;
  /** Rates asked (每人每月 → 人, 月): the evidence must state the figure per the same units. */
  per?: string[];
  /** The words of the question that ask it (哪个官方网站, 多大比例): they say what kind of answer, not what it is about. */
  cue?: string;
}

const PER_RE = /每(平方米|小时|季度|人|月|年|天|日|户|家|度|辆|台|亩|个|次|周)/gu;

/**
 * Whether an answer must state what is asked or abstain. A day, a time of day or a length of time
 * only chooses the lead: documents often give it where no sentence does (行动计划(2016—2018年)).
 */
export function mustBeStated(ask: QuantityAsk): boolean {
  return ask.kind !== 'date' && ask.kind !== 'clock' && ask.kind !== 'duration';
}

/** What kind of number (or fact) the question wants, or undefined when it wants none. */
export function quantityAsk(question: string): QuantityAsk | undefined {
  const ask = baseQuantityAsk(question);
  if (!ask || ask.kind === 'url' || ask.kind === 'docNumber' || ask.kind === 'who' || ask.kind === 'place' || ask.kind === 'date' || ask.kind === 'clock') return ask;
  const per = [...new Set([...question.normalize('NFKC').matchAll(PER_RE)].map((m) => m[1] as string))];
  return per.length > 0 ? { ...ask, per } : ask;
}

/**
 * The kinds of fact a question can ask for, each with the question forms that ask it (the first
 * matching kind wins). Sources: the interrogative constructions of Chinese grammar for who (谁,
 * 哪个部门), where (哪里, 哪个区), when (哪一天, 几点, 哪一年, 多久) and how much (多少 + a measure word
 * or currency), and the names of the facts a 公文 states (文号, 网址).
 */
const ASK_FORMS: [QuantityKind, RegExp][] = [
  ['docNumber', /文号|发文字号/u],
  ['url', /网址|链接|官网|出处|(?:哪个|什么)(?:官方)?网站|来源于?哪/u],
  // Who: a person or body must be named as the one who does it (由…负责, …牵头).
  ['who', /是谁|由谁|谁来|谁负责|谁牵头|哪个部门|哪个单位|哪家单位|哪(?:个|家)(?:机构|机关)/u],
  // Where: 哪里, 何处, 在哪, or which of a kind of place (哪个区, 哪些园区, 哪些城市) — answered by a place name.
  ['place', /哪里|哪儿|何处|在哪|什么地方|哪(?:个|些|几个)(?:省|市|县|区|镇|城市|地方|地区|片区|园区|基地|区域)/u],
  // A day (从哪一天起), a time of day (哪些时段, 晚上几点) or a length of time (多长时间, 多久) is
  // stated as such: 2025年11月1日, 二十一时至次日八时, 48 小时内.
  ['date', /哪一?[天日]|几月几[日号]|几号|(?:什么|哪个)日期|(?:起始|生效|施行|实施|截止)日期/u],
  ['clock', /时段|时间段|几点|几时|(?:早上|晚上|夜间|夜里|白天|中午|午间|凌晨)[^，,。？?]{0,10}时间/u],
  ['duration', /多长时间|多久|多长(?:期限|时限)|多少(?:个)?(?:天|日|工作日|小时|分钟|秒|个月)|几(?:个)?(?:天|日|工作日|小时|分钟|秒|个月)/u],
  ['year', /哪一?年|何年|什么时候|何时|哪个时间/u],
];
const WANTS_NUMBER_RE = /多少|几[毛分元个项条家台万亿年岁次倍成]|多大|多高|比例|比重|占比|百分之|几成|(补贴|奖励|资助|收费|补助)(的)?标准/u;

function baseQuantityAsk(question: string): QuantityAsk | undefined {
  const q = question.normalize('NFKC');
  for (const [kind, re] of ASK_FORMS) {
    const m = re.exec(q);
    if (m) return { kind, cue: m[0] };
  }
  const wants = WANTS_NUMBER_RE.exec(q);
  if (!wants) return undefined;
  const cue = wants[0];
  const measure = /(?:多少|几)(条|个|家|项|台|次|人|名|所|座|户|件|类)/u.exec(q);
  if (measure) return { kind: 'count', unit: measure[1] as string, cue: measure[0] };
  const ratio = /比例|比重|占比|百分|几成|覆盖率|率[是为达]?多少|多少[%％]/u.exec(q);
  if (ratio) return { kind: 'ratio', cue: ratio[0] };
  // 规模/产值/收入 are money only when the question names a currency (多大规模的群体感知 is not).
  const currency = /亿元|万元|元|钱|毛/u.test(q);
  if (currency || /资金|奖励|补贴|补助|资助|投资|经费|收费/u.test(q)) {
    const subject = /资金|奖励|补贴|补助|资助|投资|经费|收费|收入|产值|规模|营收/u.exec(q)?.[0];
    return subject ? { kind: 'money', subject, cue } : { kind: 'money', cue };
  }
  return { kind: 'number', cue };
}

const NUM = '[0-9０-９]+(?:[.．][0-9]+)?|[零〇一二两三四五六七八九十百千万亿]+';
const PATTERNS: Record<QuantityKind, RegExp> = {
  money: new RegExp(`(?:${NUM})\\s*(?:万|亿|千)?\\s*(?:元|块|毛|角)`, 'u'),
  ratio: new RegExp(`(?:${NUM})\\s*(?:[%％]|成)|百分之|[零〇一二三四五六七八九十]分之`, 'u'),
  count: new RegExp(`(?:${NUM})`, 'u'),
  docNumber: /〔\d{4}〕\d+号|\[\d{4}\]\d+号/u,
  url: /https?:\/\/|www\./u,
  who: /负责|牵头|主管|承担|组织实施|会同|主办|责任单位|(?:局|委|办|办公室|部|厅|政府|委员会)[^。，,；]{0,24}印发|(?:由|经)[^。，,；]{1,24}(?:局|委|办|部|部门|政府|中心|公司|集团|院|所|小组|委员会|管委会)|设在[^。，,；]{1,12}(?:局|委|办|部|部门|厅)/u,
  year: /(?:19|20)[0-9]{2}\s*年|[0-9]{4}年(?:底|末|前)/u,
  // A named zone: a name before a generic noun of zones (通名) — 前海蛇口自贸片区, 仲恺高新区, 普洛斯物流园 (jieba's place tag does the rest).
  place: /[\u4e00-\u9fff]{2,10}(?:片区|新区|园区|产业园|物流园|开发区|高新区|保税区|自贸区|示范区|基地|核心区)/u,
  date: new RegExp(`(?:[0-9]{1,2}|[〇零一二三四五六七八九十]{1,3})\\s*月\\s*(?:[0-9]{1,2}|[〇零一二三四五六七八九十]{1,3})\\s*[日号]|之日起`, 'u'),
  clock: /(?:[0-9]{1,2}|[〇零一二两三四五六七八九十]{1,3})\s*[时点](?!间|期|代|候|段|刻|效)|[0-9]{1,2}[:：][0-9]{2}/u,
  // 三年, 48 小时, 1个月内, 半年, 2016—2018年 — not a year (2017年, 二〇一七年) nor a date's day (11月1日).
  duration: new RegExp(`(?<![〇零一二两三四五六七八九十百千0-9.])(?:[0-9]{1,3}(?:[.．][0-9]+)?|[一二两三四五六七八九十百千]+)\\s*(?:个\\s*月|个\\s*工作日|工作日|小时|天|周|星期|分钟|秒|(?:个\\s*)?年(?![底末度初])|日(?=内|以内|之内|前|后))|半(?:个)?(?:月|年|小时)|(?:19|20)[0-9]{2}\\s*[-—–~～至到]\\s*(?:19|20)[0-9]{2}\\s*年`, 'u'),
  number: new RegExp(`[0-9０-９]|[一二两三四五六七八九十百千万亿]+(?:个|家|项|条|元|万|亿|倍|年|%|成|台)`, 'u'),
};

/** Whether jieba tags a word of the text as a place name (ns) that is not a collective noun (城市, 全市, 各地). */
function namesPlace(text: string): boolean {
  return tagWords(text).some((t) => t.tag === 'ns' && [...t.word].length >= 2 && !JURISDICTION_NOUNS.has(t.word) && !/^(?:全|本|我|各|该|城乡|农村|乡村|社区)/u.test(t.word));
}

/** Whether a sentence states the document's own 文号 (spaces and bracket forms aside). */
export function statesOwnNumber(sentence: string, docNumber: string | undefined): boolean {
  if (!docNumber) return false;
  const norm = (x: string): string => x.normalize('NFKC').replace(/\s+/gu, '').replace(/[[［〔]/gu, '〔').replace(/[\]］〕]/gu, '〕');
  return norm(sentence).includes(norm(docNumber));
}

/** Whether a sentence states the kind of quantity asked (leading heading numbers "2." ignored). */
export function statesQuantity(sentence: string, ask: QuantityAsk): boolean {
  const text = sentence.replace(/^\s*(?:[0-9]{1,2}[.、．]|[（(][0-9一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|第[一二三四五六七八九十百]+[条章节])/u, '');
  // A rate (每人每月) is stated per the same units: 每人 / 人均, 每月, 10元/平方米.
  const perOk = (ask.per ?? []).every((u) => text.includes(`每${u}`) || text.includes(`/${u}`) || (u === '人' && text.includes('人均')) || (u === '年' && text.includes('年均')));
  if (!perOk) return false;
  if (ask.kind === 'place') return PATTERNS.place.test(text) || namesPlace(text);
  if (ask.kind === 'count' && ask.unit) return new RegExp(`(?:${NUM})\\s*(?:多|余)?\\s*(?:万|亿)?${ask.unit}`, 'u').test(text);
  // A year (到2025年) dates a target; it is not the figure asked for unless the year is.
  if (ask.kind === 'number') return PATTERNS.number.test(text.replace(/(?:19|20)[0-9]{2}\s*年(?:底|末|前)?/gu, ''));
  return PATTERNS[ask.kind].test(text);
}
