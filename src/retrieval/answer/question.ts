/**
 * What a question asks, read once per question: its subject words (weighted by how specific they
 * are in general Chinese text, with their word-vector neighbours as other forms), the kinds of fact
 * it asks for (an amount, a date, who…), the years it names, the shape of the answer it wants (one
 * answer, one row per document, one part per named document) and the scope words of a list.
 * Pure given the search response.
 */
import { analyze, COUNT_FOLLOWERS, isGlueArtefact, STOPWORDS } from '../../lexical/analyzer.js';
import { CHINESE_NUMERAL_CHARS } from '../../shared/numerals.js';
import { quantityAsk, type QuantityAsk } from '../evidence.js';
import { NOT_PLACES, questionForm as namedForm, type QuestionForm } from '../query.js';
import type { SearchResponse } from '../search.js';
import { framesQuestion, FUNCTION_TAG_RE, isInterrogative, isSubjectTag, listScope, tagWords, termWeight, UNKNOWN_WORD_IDF, type ListScope } from './words.js';
import { GENRE_WORD_RE } from '../named-titles.js';

/** One subject word of the question. */
export interface QuestionTerm {
  term: string;
  /** jieba IDF (general text): library-independent. */
  weight: number;
  /** The forms that count as it, with how much: itself 1, a word-vector neighbour its similarity. */
  forms: Map<string, number>;
  /** For a compound (投资基金): its parts among the question's words; all of them in one clause count as it. */
  parts?: string[];
  /**
   * A nominal word (noun, name, abbreviation, idiom, foreign word): what the question is about.
   * Verbs (打算, 提出, 打通) more often phrase the question than name its topic.
   */
  nominal: boolean;
}

export interface QuestionAnalysis {
  query: string;
  terms: QuestionTerm[];
  /** Kinds of fact asked for, one per question part that asks one (补多少、上限多少 → two). */
  asks: { text: string; ask: QuantityAsk }[];
  /** Years the question names (2030): the answer should be about that year. */
  years: string[];
  /** Two adjacent subject words the question writes together (投资基金 of 设立投资基金): a sentence writing them so names the same thing. */
  phrases: string[];
  form: QuestionForm;
  /** The question names a document (its search was restricted to the documents named). */
  named: boolean;
  /**
   * The question names a place (`namesPlace`; a place no document is named for) or a document. One that names neither
   * is asked of the whole country.
   */
  placed: boolean;
  /**
   * The place names the question writes (jieba `ns`, two characters or more, not `NOT_PLACES`), and the words naming a
   * document that its title starts with (清远 of 清远数字档案馆建在哪里: `questionPlaces`). They are the subject's place,
   * so a sentence naming them does not tell where, unless after a word of place (`CandidateTable.stated`).
   */
  places: string[];
  /**
   * The head of what is asked (index into `terms`, see `headTerm`): 电费 in 有什么电费补贴, 院长 in
   * 研究院的院长是谁. An answer should name it or a paraphrase of it.
   */
  head?: number;
  scope?: ListScope;
  /**
   * A yes-no question's predicate (indices into `terms`): the subject words after its yes-no form in the same
   * clause, modal verbs aside (能不能关掉 → 关掉; 是否需要备案 → 备案). A clause answering it speaks of one of them.
   */
  yesNo?: number[];
  /** The question asks for a purpose or basis (依据, 目的, 为什么…): purpose clauses are not filler then. */
  asksFiller: boolean;
  /**
   * A list asks which documents mention its subject (工业互联网 哪几个文件提到了, 哪些城市的规划里有…): a clause writing
   * the subject's words is an answer by what was asked (`MENTION_RE`).
   */
  asksMention: boolean;
  /** For `asksMention`: words of the subject analysis cut in two that a clause must write whole (区块链 of 区块 + 链). */
  mentionWords?: string[];
  /** It asks what a breach costs (怎么处罚, 罚多少钱, 什么法律责任: candidates.ts `PENALTY_ASK_RE`). */
  asksPenalty: boolean;
  /**
   * The question's own case: from its last part opened by a conjunction of contrast (那, 而, 但是…) to its end, else the
   * whole question. What comes before such a part is context (带动80人奖10万，那200人以上的奖多少), not a condition.
   */
  caseText: string;
  /** The parts of `caseText` that ask no kind of fact: conditions of the parts that do (投资只有500万的企业，能奖多少). */
  conditions: string[];
  /** A yes-no question: a yes-no form (是否, A不A) or closed by the particle 吗. */
  yesNoForm: boolean;
  /** The subject of a question of permission (…也能拿奖励吗, 能不能享受): a modal of possibility or permission is asked. */
  asksPermission: boolean;
  /** Cases the question sets aside (（不是租现有标准厂房）): the phrase, and the words as written (不是租现有标准厂房). */
  setAside: { phrase: string; said: string }[];
  /** Phrases the question quotes (“用数据”, "一核多簇"). */
  quoted: string[];
  /** The documents a list looks in, as the question names them before 里/中 (…城市的大数据规划里: `LOOKED_IN_RE`), or ''. */
  lookedIn: string;
  /** A unit it points at is set aside (除了第十条那个补贴，还能拿多少): what it asks is elsewhere. */
  pointsAside: boolean;
}

/**
 * Whether a word of the question names a place: a word of two characters or more jieba tags ns (北京, 浙江; not 中国,
 * 城市 or the other `NOT_PLACES`), or one character standing alone that jieba tags ns or j — the one-character names of
 * provinces and cities (沪, 京, 粤, 甬), which jieba's dictionary holds as place words or abbreviations.
 */
function namesPlace(t: { word: string; tag: string }): boolean {
  const length = [...t.word].length;
  if (length === 1) return t.tag === 'ns' || t.tag === 'j';
  return t.tag === 'ns' && !NOT_PLACES.has(t.word);
}

/**
 * The places a question names: words jieba tags as places (`namesPlace`, two characters or more), and the words naming a
 * document that its title starts with (清远 of 清远数字档案馆: jieba reads 清远 as an adjective, the title 清远市… as the place).
 */
function questionPlaces(response: SearchResponse, tagged: readonly { word: string; tag: string }[]): string[] {
  const titles = new Map(response.results.map((r) => [r.docId, r.title]));
  const jurisdictions = response.understanding.namedDocs.filter((d) => [...d.by].length >= 2 && titles.get(d.docId)?.startsWith(d.by) === true).map((d) => d.by);
  return [...new Set([...tagged.filter((t) => [...t.word].length >= 2 && namesPlace(t)).map((t) => t.word), ...jurisdictions])];
}

/** An exceptive phrase (除了…, 除去…, 除开…: 现代汉语八百词 § 除了) holding a unit pointed at (第十条, 专栏3, （二）). */
const POINTS_ASIDE_RE = /(?:除了|除去|除开)[^，,；;？?。]{0,12}?(?:第[^，,；;？?。]{1,6}?[条章节款项]|专栏|[（(][一二三四五六七八九十0-9]+[）)])/u;

/**
 * A case the question sets aside (自己拿地盖厂房的企业（不是租现有标准厂房）): 不是, 而不是, 并非, 不属于 + what follows, up to
 * the clause's end — not the A-不-A yes-no forms 是不是, 属不属于, which ask rather than set aside.
 */
const SET_ASIDE_RE = /(?:而不是|并不是|(?<!是)不是|并非|(?<!属)不属于)([^，,。；;？?！!）)]{2,16})/gu;
/**
 * A place set aside as an attribute (不在大数据产业园里的企业, 不在保护范围内的房屋): 不在 + the place + a word of location
 * (里, 内, 中, 范围内) + 的 — not the A-不-A form 在不在, which asks, nor a contrast after it (注册地不在高新区但办公在高新区内的:
 * the place is where it is asked about).
 */
const OUTSIDE_RE = /(?<!在)不在([^，,。；;？?！!）)但而却在]{2,12}?)(?:之内|范围内|里|内|中)(?=的)/gu;
/** Phrases a question quotes: two or more characters in Chinese, corner or plain double quotes. */
const QUOTED_RE = /[“"「]([^”"」]{2,30})[”"」]/gu;

/** A question's parts, split at 、，；？ (the unit `quantityParts` and the conditions are read in). */
export function questionParts(question: string): string[] {
  return question.normalize('NFKC').split(/[、，,；;？?]/u).map((p) => p.trim()).filter((p) => p.length > 0);
}

/**
 * A part opened by a conjunction of contrast or sequel (那, 那么, 而, 但是, 可是, 不过: 现代汉语八百词 § 那 ③ 连词, 而,
 * 但是) sets its case against the one before; 那个, 那些, 那里 (the demonstrative) do not.
 */
const CONTRAST_OPENING_RE = /^(?:那么|那(?![个些里儿样种位家项条])|而|但是?|可是|不过)/u;

/** A question closed by the particle 吗 (是非问). */
const CLOSED_BY_MA_RE = /吗\s*[？?]?\s*$/u;

/**
 * Modal verbs of possibility and permission (能愿动词: 黄伯荣、廖序东《现代汉语》§ 动词 — 能、能够、可以) and their yes-no
 * forms (能否, 可否, 能不能, 可不可以).
 */
const PERMISSION_MODALS: ReadonlySet<string> = new Set(['能', '能够', '可以', '能否', '可否', '能不能', '可不可以']);

/**
 * Verbs of mentioning (《现代汉语词典》: 提 "谈起" → 提到, 提及, 提过; 说到, 讲到, 写到; 涉及; 出现) and 有 after a
 * document's inside (文件里有, 规划中有): the question asks where its subject is written, not what is done about it.
 */
const MENTION_RE = /提到|提及|提过|提了|提起|说到|说过|讲到|写到|写了|写过|用到|用过|涉及|出现|(?:文件|规划|方案|计划|办法|条例)(?:里|中)(?:也)?有/u;
/**
 * The documents a mention list looks in: the phrase after 的 or the list's which, ending in a kind of document, before
 * 里, 中 or 内 (…城市的大数据规划里提到, 哪些文件中有).
 */
export const LOOKED_IN_RE = /(?:的|哪些|哪几个|哪个|各)([\p{Script=Han}]{0,8}?(?:文件|规划|计划|方案|办法|条例|政策|意见|通知))(?:里|中|内)/u;

/** Conjunctions of alternatives (选择关系: 或, 或者, 或是, 还是 — 黄伯荣、廖序东《现代汉语》§ 连词). */
const ALTERNATIVE_WORDS: ReadonlySet<string> = new Set(['或', '或者', '或是', '还是']);
/** A negation before the verb of mentioning (没有提到, 未提及, 不涉及): the question asks for the documents that do not. */
const NEGATED_BEFORE_RE = /(?:没有?|未曾?|不曾|并未|从未|不)(?:曾|再)?$/u;

/**
 * The words of mentioning when a question asks only which documents mention its subject (哪几个文件提到了工业互联网):
 * not negated (哪些城市没有提到…), and asking nothing of the subject's content besides the list's own which (哪些城市
 * 提到了…的标准是什么, …提到补贴多少). Else null.
 */
function mentionAsked(query: string): string | null {
  const q = query.normalize('NFKC');
  const m = MENTION_RE.exec(q);
  if (!m || NEGATED_BEFORE_RE.test(q.slice(0, m.index))) return null;
  // The list's own which (哪些城市, 哪些地方) reads as a place asked; any other kind asked is content.
  const words = tagWords(q);
  if (quantityParts(q).some((a) => a.ask.kind !== 'place') || words.filter((t) => isInterrogative(t.word)).length > 1) return null;
  // Either of two subjects (产学研合作或者“政产学研用”平台): no one wording is asked, and the fitted model decides.
  if (words.some((t) => ALTERNATIVE_WORDS.has(t.word) && t.tag === 'c')) return null;
  return m[0];
}

/**
 * Whether the subject terms hold every content word the question writes (its words that neither frame it, nor name
 * its scope, the documents or the mentioning): 刷脸 of 刷脸支付, a word analysis dropped, leaves 支付 standing for the
 * subject, and a clause writing 支付 is no mention of 刷脸支付.
 */
function subjectWritten(tagged: readonly { word: string; tag: string }[], terms: readonly QuestionTerm[], aside: readonly string[]): string[] | undefined {
  const covered = (w: string): boolean => terms.some((x) => w.includes(x.term) || x.term.includes(w));
  const whole: string[] = [];
  for (const [k, t] of tagged.entries()) {
    const w = t.word.toLowerCase();
    // A word of Chinese characters jieba does not know (两化 of 两化融合: x, like punctuation) is content all the same.
    const unknown = t.tag === 'x' && /^\p{Script=Han}{2,}$/u.test(w) && !isInterrogative(w);
    // Words analysis drops whole (相关, 有关: the analyzer's stopwords) say nothing of the subject.
    if (!unknown && (!/^[\p{Script=Han}a-z0-9]+$/u.test(w) || FUNCTION_TAG_RE.test(t.tag) || framesQuestion(w) || GENRE_WORD_RE.test(w) || analyze(w).length === 0)) continue;
    if (aside.some((a) => a.includes(w) || w.includes(a)) || covered(w)) continue;
    // One character cut from the word before or after it (链 of 区块链), or an unknown word glued to one (两化融合): the
    // two are written whole.
    const before = tagged[k - 1]?.word.toLowerCase() ?? '';
    const after = tagged[k + 1]?.word.toLowerCase() ?? '';
    // Not to a kind of document (大 of 大/数据文件: the documents looked in, not the subject).
    const glued = [...w].length === 1 || unknown;
    const subjectWord = (x: string): boolean => x !== '' && !/文件$/u.test(x) && covered(x);
    if (glued && subjectWord(before)) whole.push(before + w);
    else if (glued && subjectWord(after)) whole.push(w + after);
    else if ([...w].length === 1 && (/文件$/u.test(before) || /文件$/u.test(after))) continue;
    else return undefined;
  }
  return whole;
}

/** `asksMention` and `mentionWords` of a question whose words of mentioning are `mention` (`mentionAsked`). */
function mentionSubject(mention: string | null, tagged: readonly { word: string; tag: string }[], terms: readonly QuestionTerm[], aside: readonly string[]): Pick<QuestionAnalysis, 'asksMention' | 'mentionWords'> {
  const whole = mention === null ? undefined : subjectWritten(tagged, terms, aside);
  if (whole === undefined) return { asksMention: false };
  return whole.length > 0 ? { asksMention: true, mentionWords: whole } : { asksMention: true };
}
/**
 * Words of purpose and basis clauses and of issuing (依据, 根据, 目的, 宗旨, 为什么, 为何, 背景, 初衷,
 * 出台, 制定, 印发): the vocabulary of the very clauses `isFiller` marks, so a question written with
 * it asks for them.
 */
const ASKS_FILLER_RE = /依据|根据|目的|宗旨|为什么|为何|背景|初衷|出台|制定|印发/u;
/** A year the question names (2018年, 2018的目标): four digits not followed by another digit or a unit (2000万元, 2000人). */
const YEAR_RE = /(?:19|20)[0-9]{2}(?=\s*年|(?![0-9]|\s*(?:万|亿|千|百|元|人|个|家|多|余|平方|公顷|亩|%|％|件|台|名|户|条|项|次|倍|套|吨|米))[^0-9]|$)/gu;
/** Yes-no forms (是非问, 正反问: 是否, 能否, 可否, A不A, A没A), as in `isInterrogative`; read on the question's characters, since jieba cuts 能不能 into 能/不能. */
const YES_NO_FORM_RE = /是否|能否|可否|(\p{Script=Han})[不没]\1/u;
/**
 * Modal verbs (能愿动词, a closed class: 黄伯荣、廖序东《现代汉语》§ 动词 — 能、能够、会、可以、可能、应该、应当、要、
 * 愿意、肯、敢、得、必须、需要): after a yes-no form they phrase the question, the verb after them is what is asked.
 */
const MODAL_VERBS = new Set(['能', '能够', '会', '可以', '可能', '应该', '应当', '要', '愿意', '肯', '敢', '得', '必须', '需要', '不能', '不会']);

/** A question closed by the particle 吗 (是非问: 企业搬走了，要退钱吗): its last clause is what is asked of the rest. */
const MA_QUESTION_RE = /(?:^|[，,；;：:])([^，,；;：:]*?)吗\s*[？?]?\s*$/u;

/**
 * The predicate of a 吗 question of more than one clause (…，要退钱吗 → 退钱): the terms of its last clause, modal verbs
 * aside, or undefined when the question is one clause (能享受…政策吗 asks of the whole: no part of it is the predicate).
 */
function particlePredicate(q: string, terms: readonly QuestionTerm[]): number[] | undefined {
  const m = MA_QUESTION_RE.exec(q);
  return !m || m.index === 0 ? undefined : predicateTerms(m[1] as string, terms);
}

/** The terms a predicate clause holds, modal verbs aside, or undefined when it holds none. */
function predicateTerms(clause: string, terms: readonly QuestionTerm[]): number[] | undefined {
  const out = terms.flatMap((t, j) => (!MODAL_VERBS.has(t.term) && clause.includes(t.term) ? [j] : []));
  return out.length > 0 ? out : undefined;
}

/** The terms of a yes-no question's predicate (see `QuestionAnalysis.yesNo`), or undefined when it has no yes-no form. */
function yesNoPredicate(query: string, terms: readonly QuestionTerm[]): number[] | undefined {
  const q = query.normalize('NFKC').toLowerCase();
  const m = YES_NO_FORM_RE.exec(q);
  if (!m) return particlePredicate(q, terms);
  const from = m.index + m[0].length;
  const end = q.slice(from).search(/[，,；;？?。！!]/u);
  return predicateTerms(q.slice(from, end < 0 ? undefined : from + end), terms);
}

/** Question parts split at 、，；？ that each ask for a quantity ("补多少、上限多少"). */
export function quantityParts(question: string): { text: string; ask: QuantityAsk }[] {
  return questionParts(question).flatMap((text) => {
    const ask = quantityAsk(text);
    return ask ? [{ text, ask }] : [];
  });
}

/**
 * The shape of answer a question wants: `parts` when it sets named documents side by side or
 * distributes over them (云浮和深圳各…), `list` when it names none and asks over jurisdictions or
 * documents (哪些城市, 各地, 哪些文件) or distributes (分别), else `single`.
 */
export function answerForm(query: string, namedDocs: SearchResponse['understanding']['namedDocs'], scope: ListScope | undefined): QuestionForm {
  if (namedDocs.length > 0) return namedForm(query, namedDocs);
  return scope || /分别|各自/u.test(query.normalize('NFKC')) ? 'list' : 'single';
}

/**
 * A question about what follows a breach (怎么处罚, 罚多少钱, 要承担什么法律责任, 有什么后果). The words are the kinds
 * of administrative penalty of 《中华人民共和国行政处罚法》(2021) 第九条 (警告、罚款、没收、吊销、拘留…), the
 * 法律责任 chapter every statute closes with, and 处分 of civil servants.
 */
export const PENALTY_ASK_RE = /罚|法律责任|什么责任|吊销|拘留|没收|处分|后果/u;

/** Verbs that name punishing in general (处罚, 惩罚, 惩处: 现代汉语词典), as a penalty question writes them. */
const PUNISH_WORDS: ReadonlySet<string> = new Set(['处罚', '惩罚', '惩处']);
/**
 * The kinds of penalty a clause imposes, each of which states a 处罚: the administrative penalties of
 * 《中华人民共和国行政处罚法》(2021) 第九条 (警告、通报批评、罚款、没收违法所得、没收非法财物、暂扣许可证件、降低资质等级、
 * 吊销许可证件、限制开展生产经营活动、责令停产停业、责令关闭、限制从业、行政拘留), 罚金 of 刑法 第三十四条, and 处分 of
 * 公务员法 第六十二条.
 */
const PENALTY_KINDS: readonly string[] = ['警告', '通报批评', '罚款', '没收', '暂扣', '降低资质等级', '吊销', '限制开展生产经营活动', '责令停产停业', '责令关闭', '限制从业', '拘留', '罚金', '处分'];

/**
 * Nouns of expression (说法, 提法, 表述, 字眼, 词语, 概念, 术语, 口号: 《现代汉语词典》 words for a way of putting something)
 * after a demonstrative (这个, 这种, 这一, 该, 此): they point at the words the question quotes, and no clause writes them.
 */
const EXPRESSION_NOUN_RE = /(?:这个|这种|这一|这类|(?<![应因如彼由从就为对据在])(?:该|此))(说法|提法|表述|表达|字眼|词语|词汇|词(?![条典库频性组根])|概念|术语|口号)/gu;

export function analyzeQuestion(response: SearchResponse, extraExcluded: Iterable<string> = []): QuestionAnalysis {
  const query = response.query;
  const { understanding } = response;
  const scope = understanding.namedDocs.length === 0 ? listScope(query) : undefined;
  // Words that name the document (云浮, a quoted title), the clause pointed at (第十条), or the scope of a list (城市) are not the subject.
  const excluded = new Set<string>(extraExcluded);
  for (const d of [...understanding.namedDocs, ...(understanding.excludedDocs ?? [])]) for (const w of [d.by, ...analyze(d.by)]) excluded.add(w);
  for (const r of understanding.clauseRefs) for (const w of analyze(r.text)) excluded.add(w);
  for (const w of scope?.words ?? []) excluded.add(w);
  // A noun of expression pointed at by a demonstrative (新常态这个说法, 这一提法) stands for the words quoted before it.
  // Not where the noun is also a word of the subject (概念验证中心这个概念).
  const nfkc = query.normalize('NFKC');
  const expressions = [...nfkc.matchAll(EXPRESSION_NOUN_RE)].map((m) => m[1] as string).filter((w) => nfkc.split(w).length === 2);
  for (const w of expressions) excluded.add(w);
  // A list asking which documents mention its subject: the words of mentioning (提到, 文件里有) are not the subject.
  const mention = scope === undefined ? null : mentionAsked(query);
  // Every word of mentioning, not only the first (哪些文件里有提到…: 文件里有 and 提到).
  const mentions = mention ? [...nfkc.matchAll(new RegExp(MENTION_RE.source, 'gu'))].map((m) => m[0]) : [];
  for (const m of mentions) for (const w of [m, ...analyze(m)]) excluded.add(w);
  // A word cut across a name's edge (云浮云计算 → 云/浮云/计算) is no word of the question.
  const named = [...understanding.namedDocs, ...(understanding.excludedDocs ?? [])].map((d) => d.by.normalize('NFKC').toLowerCase());
  const lowered = query.normalize('NFKC').toLowerCase();
  const acrossName = (t: string): boolean => straddlesOnly(lowered, t, named);
  // The words that ask for a kind of fact (哪个片区, 多大比例) stay subject words: answers often name the kind too (前海蛇口自贸片区).
  const asks = quantityParts(query).filter((a) => !(scope && a.ask.kind === 'place'));
  // Each search-mode term takes the tag of the word it was cut from (数据 of 数据中心/n is a noun).
  const tagged = tagWords(query);
  const tagOf = (term: string): string | undefined => tagged.find((t) => t.word === term)?.tag ?? tagged.find((t) => t.word.includes(term))?.tag;
  const askingWords = tagged.filter((t) => isInterrogative(t.word)).map((t) => t.word);
  let retrievedTexts: string[] | undefined;
  const retrieved = (): string[] => (retrievedTexts ??= response.results.map((h) => h.text.normalize('NFKC').toLowerCase()));
  const subject = (t: string): boolean => {
    const tag = tagOf(t);
    if (excluded.has(t) || [...t].length < 2 || /^[0-9.]+$/u.test(t) || FRACTION_RE.test(t) || RANGE_ADVERBS.has(t) || acrossName(t) || /^第[0-9]+/u.test(t) || isGlueArtefact(t) || isInterrogative(t) || measureGlued(t, lowered) || modalGlued(t, tag)) return false;
    if (askingWords.some((w) => w.includes(t))) return false;
    return tag === undefined || isSubjectTag(tag) || (tag === UNKNOWN_WORD_TAG && unknownWordNamed(t, retrieved()));
  };
  const distinct = [...new Set(understanding.terms)].filter(subject);
  // Search-mode segmentation also yields a compound's parts (数据中心 → 数据, 中心): the compound counts once.
  const wanted = distinct.filter((t) => !distinct.some((o) => o !== t && o.length > t.length && o.includes(t)));
  const terms: QuestionTerm[] = wanted.map((term) => {
    const parts = distinct.filter((o) => o !== term && o.length < term.length && term.includes(o));
    const tag = tagOf(term) ?? 'n';
    const q: QuestionTerm = { term, weight: termWeight(term), forms: new Map([[term, 1]]), nominal: !/^(?:v|vd|vg|a|ad|ag|d)$/u.test(tag) };
    if (parts.length >= 2 && parts.join('').length >= term.length) q.parts = parts;
    return q;
  });
  // A word-vector neighbour counts as the word it was found for (电价 for 电费), as much as they are alike.
  for (const e of response.expansions) {
    const t = terms.find((x) => x.term === e.from);
    if (t && !t.forms.has(e.term)) t.forms.set(e.term, Math.min(1, e.similarity));
  }
  const normalized = query.normalize('NFKC');
  const lookedIn = LOOKED_IN_RE.exec(normalized.toLowerCase())?.[1] ?? '';
  const asksPenalty = PENALTY_ASK_RE.test(normalized);
  // 处罚 asked is stated by the penalty imposed (处…罚款, 吊销…, 拘留): its kinds count as it.
  if (asksPenalty) for (const t of terms) if (PUNISH_WORDS.has(t.term)) for (const kind of PENALTY_KINDS) if (!t.forms.has(kind)) t.forms.set(kind, 1);
  const head = headTerm(terms, tagged, asks.map((a) => a.ask.cue ?? ''));
  const yesNo = yesNoPredicate(query, terms);
  return {
    ...(head !== undefined ? { head } : {}),
    query,
    terms,
    // 哪些城市 of a list is its scope (one row per city's document), not a place to be named.
    asks,
    years: [...new Set([...normalized.matchAll(YEAR_RE)].map((m) => m[0]))],
    phrases: adjacentPhrases(normalized.toLowerCase(), understanding.terms, subject),
    form: answerForm(query, understanding.namedDocs, scope),
    named: understanding.namedDocs.length > 0,
    placed: understanding.namedDocs.length > 0 || understanding.unknownPlaces.length > 0 || tagged.some(namesPlace),
    places: questionPlaces(response, tagged),
    ...(scope ? { scope } : {}),
    ...(yesNo ? { yesNo } : {}),
    asksFiller: ASKS_FILLER_RE.test(normalized),
    lookedIn,
    ...mentionSubject(mention, tagged, terms, [...mentions, ...(scope?.words ?? []), ...named, ...expressions, ...(mention && lookedIn !== '' ? [lookedIn] : [])]),
    asksPenalty,
    ...questionCase(normalized, asks),
    // A predicate (`yesNo`) is only read in one of these forms.
    yesNoForm: YES_NO_FORM_RE.test(normalized) || CLOSED_BY_MA_RE.test(normalized),
    asksPermission: tagged.some((t) => PERMISSION_MODALS.has(t.word) || (modalGlued(t.word, t.tag) && PERMISSION_CHARS.has(t.word[0] as string))),
    setAside: [...normalized.matchAll(SET_ASIDE_RE), ...normalized.matchAll(OUTSIDE_RE)].map((m) => ({ phrase: m[1] as string, said: m[0] })),
    quoted: [...normalized.matchAll(QUOTED_RE)].map((m) => m[1] as string),
    pointsAside: POINTS_ASIDE_RE.test(normalized),
  };
}

/** The question's own case and its conditions (see `QuestionAnalysis.caseText`). */
function questionCase(query: string, asks: readonly { text: string }[]): { caseText: string; conditions: string[] } {
  const parts = questionParts(query);
  let from = 0;
  parts.forEach((p, i) => {
    if (CONTRAST_OPENING_RE.test(p)) from = i;
  });
  const own = parts.slice(from);
  const asking = new Set(asks.map((a) => a.text));
  return { caseText: from === 0 ? query : own.join('，'), conditions: own.filter((p) => !asking.has(p)) };
}

/**
 * Whether every occurrence of `term` in `text` straddles the edge of one of `names` there (浮云 in 云浮云计算, named by
 * 云浮): a segmentation across a name, not a word the question wrote. False when the term occurs nowhere.
 */
function straddlesOnly(text: string, term: string, names: readonly string[]): boolean {
  const spans: [number, number][] = [];
  for (const n of names) for (let at = text.indexOf(n); n !== '' && at >= 0; at = text.indexOf(n, at + 1)) spans.push([at, at + n.length]);
  let found = false;
  for (let at = text.indexOf(term); at >= 0; at = text.indexOf(term, at + 1)) {
    found = true;
    const end = at + term.length;
    if (!spans.some(([s, e]) => at < e && end > s && (at < s || end > e))) return false;
  }
  return found;
}

/**
 * Adverbs of range (范围副词: 黄伯荣、廖序东《现代汉语》§ 副词 — 都、全、总共、一共、统统、一概、一律、仅仅、单单、光):
 * they say how much of something, never what. jieba tags some of them as nouns or abbreviations (一共/j).
 */
const RANGE_ADVERBS: ReadonlySet<string> = new Set(['总共', '一共', '统统', '一概', '一律', '仅仅', '单单']);

/**
 * A fraction's numeral (百分之, 千分之五: 分数 and 百分数 are numerals, 现代汉语 § 数词), which jieba tags as an idiom:
 * a clause states it as a figure (85%), so it is the kind asked, never a subject word.
 */
const FRACTION_RE = /^[百千万]分(?:之|$)/u;

/**
 * Auxiliary verbs (能愿动词: 黄伯荣、廖序东《现代汉语》§ 动词 — 能, 会, 该, 可) glued to the one-character verb after them
 * (能免, 该交, 可领): the word asks whether something may or must be done; the verb alone is too short to be a subject
 * word (as every one-character word). Glued by jieba's HMM (a made-up word, x), or a dictionary verb of 能/可 that its
 * IDF table weighs within 1 of a word it does not know (能免, 可免: forms no text of its corpus used); 会谈, 会考, 可控,
 * 可调 are words of their own (会 + verb stays: 会考 is as rare as 能免), and 会议, 可靠, 能源 other parts of speech.
 */
const MODAL_CHARS: ReadonlySet<string> = new Set(['能', '会', '该', '可']);
const PERMISSION_CHARS: ReadonlySet<string> = new Set(['能', '可']);

function modalGlued(word: string, tag: string | undefined): boolean {
  const chars = [...word];
  if (chars.length !== 2 || !MODAL_CHARS.has(chars[0] as string) || !/^(?:v|zg)$/u.test(tagWords(chars[1] as string)[0]?.tag ?? '')) return false;
  if (tag === UNKNOWN_WORD_TAG) return true;
  return tag === 'v' && PERMISSION_CHARS.has(chars[0] as string) && termWeight(word) >= UNKNOWN_WORD_IDF - 1;
}

/** The tag jieba gives a word its HMM found outside its dictionary (养犬人, 犬牌, 算力): punctuation's tag, not a part of speech. */
const UNKNOWN_WORD_TAG = 'x';

/**
 * Whether a word jieba's HMM made up names something (养犬人, 犬牌) rather than glues a word to a function word
 * (区为, 提了, 要建, 用大): Han characters only, none of them a stopword or a function word on its own (jieba's own
 * tag for the character), and written as it is in a passage the search retrieved for this question (a per-question
 * check: a glued pair such as 价算 or 来管 is in no passage; a word of the field is).
 */
function unknownWordNamed(word: string, retrieved: readonly string[]): boolean {
  const chars = [...word];
  if (chars.length < 2 || !/^\p{Script=Han}+$/u.test(word)) return false;
  if (chars.some((c) => STOPWORDS.has(c) || FUNCTION_TAG_RE.test(tagWords(c)[0]?.tag ?? UNKNOWN_WORD_TAG))) return false;
  return retrieved.some((text) => text.includes(word));
}

const NUMERAL_BEFORE_RE = new RegExp(`[0-9${CHINESE_NUMERAL_CHARS}万几]`, 'u');

/**
 * A term cut from a numeral's measure word and the word after it (一次奖 → 1次奖 once numerals are read as digits →
 * 次奖; 五百强云计算 → 500强云计算 → 强云): it starts with a measure word (jieba tags the character q, or the analyzer
 * reads a count before it: `COUNT_FOLLOWERS`) and follows a numeral wherever the question has it. It names nothing.
 */
function measureGlued(term: string, question: string): boolean {
  const first = term[0] as string;
  if (!COUNT_FOLLOWERS.includes(first) && tagWords(first)[0]?.tag !== 'q') return false;
  let at = question.indexOf(term);
  if (at < 0) return false;
  for (; at >= 0; at = question.indexOf(term, at + 1)) if (!NUMERAL_BEFORE_RE.test(question[at - 1] ?? '')) return false;
  return true;
}

/**
 * The head of what is asked: the most specific subject word of the noun phrase the first
 * interrogative asks about. An interrogative used as a determiner asks about the phrase after it
 * (有什么电费补贴 → 电费, 补贴; 多大比例的政府单位 → 政府, 单位); one at the end asks about the
 * phrase before it (研究院的院长是谁 → 院长). Words that only say what kind of answer is wanted
 * (比例 of 多大比例) are passed over.
 */
/** Interrogatives that ask how or whether (怎么规定, 如何建设, 是否有): adverbs, never determiners of the phrase after them. */
const ADVERBIAL_RE = /^(?:怎么|怎样|怎么样|如何|为何|为什么|是否|能否|可否|有没有|是不是|能不能|会不会|何时|多久)$/u;
/** 多 + a one-syllable adjective, which jieba cuts apart (多/大): one interrogative. */
const DEGREE_ADJECTIVES = new Set(['大', '久', '长', '高', '远', '重', '深', '宽', '快', '少']);

function headTerm(terms: readonly QuestionTerm[], tagged: readonly { word: string; tag: string }[], cues: readonly string[]): number | undefined {
  const k = tagged.findIndex((t, i) => isInterrogative(t.word) || (t.word === '多' && DEGREE_ADJECTIVES.has(tagged[i + 1]?.word ?? '')));
  if (k < 0 || terms.length === 0) return undefined;
  const adverbial = ADVERBIAL_RE.test((tagged[k] as { word: string }).word);
  const after = (tagged[k] as { word: string }).word === '多' ? k + 2 : k + 1;
  const termsOf = (word: string): number[] => terms.map((t, i) => (word.includes(t.term) || t.term.includes(word) ? i : -1)).filter((i) => i >= 0);
  const isCue = (word: string): boolean => cues.some((c) => c.includes(word));
  const phrase: number[] = [];
  // After (a determiner only): skip measure words, numerals, 的 and the kind words; take the nouns up to the first verb or mark.
  for (let j = after; !adverbial && j < tagged.length; j += 1) {
    const t = tagged[j] as { word: string; tag: string };
    if (/^(?:q|m|mq|uj)$/u.test(t.tag) || isCue(t.word)) continue;
    if (!/^(?:n[rstzg]?|vn|j|i|l|b|nt|eng)$/u.test(t.tag)) break;
    phrase.push(...termsOf(t.word));
  }
  // Before: the nouns right before it, over 是/的/有.
  if (phrase.length === 0) {
    let started = false;
    for (let j = k - 1; j >= 0; j -= 1) {
      const t = tagged[j] as { word: string; tag: string };
      const noun = /^(?:n[rstzg]?|vn|j|i|l|b|nt|eng)$/u.test(t.tag) && !isCue(t.word);
      if (!noun && !started) {
        // Over a copula, 的 and adverbs (条件是怎么规定的, 院长是谁), not over a verb of the question (依托哪些).
        if (/^(?:uj|d)$/u.test(t.tag) || /^(?:是|有|为|要|将)$/u.test(t.word)) continue;
        break;
      }
      if (!noun) break;
      started = true;
      phrase.push(...termsOf(t.word));
    }
  }
  if (phrase.length === 0) return undefined;
  return phrase.reduce((best, i) => ((terms[i] as QuestionTerm).weight > (terms[best] as QuestionTerm).weight ? i : best), phrase[0] as number);
}

/** Adjacent analyzer terms, both subject words of two characters or more, written together in the question (and not one term already). */
function adjacentPhrases(query: string, terms: readonly string[], subject: (t: string) => boolean): string[] {
  const out = new Set<string>();
  for (let i = 0; i + 1 < terms.length; i += 1) {
    const a = terms[i] as string;
    const b = terms[i + 1] as string;
    if ([...a].length < 2 || [...b].length < 2 || !subject(a) || !subject(b) || terms.includes(a + b)) continue;
    if (query.includes(a + b)) out.add(a + b);
  }
  return [...out];
}
