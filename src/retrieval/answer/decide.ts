/**
 * Decide: what the answer is (`answer`, `related`, `not_found`), which clause leads, and — for a
 * list or a comparison of named documents — which document gets a row with which clause. Reads
 * the candidates' features and the fitted model only; composing text and citations is `compose`.
 */
import { CHINESE_NUMERAL_CHARS } from '../../shared/numerals.js';
import type { ValidMeta } from '../../corpus/document.js';
import type { SectionNode } from '../../corpus/parser.js';
import type { EvidenceView } from '../../storage/types.js';
import { figureMiss, levelMiss, membersNotNamed, ordinalMiss, tierStated, nearMissCompound, placeCovered, statesQuantity, unnamedMembers } from '../evidence.js';
import { resolveClauseRefs, type ClauseRef } from '../query.js';
import type { SearchResponse } from '../search.js';
import { GENRE_WORD_RE, normalizeTitle } from '../named-titles.js';
import { candidatesOf, mentionHits, PENALTY_HITS_MAX, PENALTY_SOURCES, PENALTY_STATED_RE, penaltyHits, pointedClauses, spreadHits, unaskedCase, urlHits, type Candidate } from './candidates.js';
import { DOCUMENT_NOUNS } from './doc-facts.js';
import { BARE_GENRE_RE, CANDIDATE_FEATURES, candidateFeatures, presenceOf, statesYear, type CandidateTable, type OutcomeFeature, OUTCOME_FEATURES } from './features.js';
import { titlePeriod } from '../../corpus/validity.js';
import { checkModel, linearScore, sigmoid, softmax, type AnswerModel } from './model.js';
import { analyzeQuestion, questionParts, type QuestionAnalysis } from './question.js';
import { framesQuestion, tagWords } from './words.js';
import type { Outcome } from './types.js';

/** What decide reads: the question, its candidates and their features (nothing fitted yet). */
export interface Evidence {
  question: QuestionAnalysis;
  candidates: Candidate[];
  table: CandidateTable;
  /** Set when the outcome is `not_found` before any candidate is read (no results, a place no document covers). */
  notFound?: string;
  /** The documents the question names, with the word naming each (深圳 may name several documents). */
  named?: readonly { docId: string; by: string }[];
  /** Whether a document's whole text states a year (2018年 in a passage not read); read only when a ruling needs it. */
  statesYearIn?: (docId: string, year: string) => boolean;
  /** Whether a document's whole text writes a phrase (whitespace aside); read only when a ruling needs it. */
  writesIn?: (docId: string, phrase: string) => boolean;
}

/** One row of a list or parts answer. */
export interface Row {
  docId: string;
  /** Its best candidate (index into `Evidence.candidates`); undefined for a named document with none. */
  lead?: number;
  /** P(this document's best candidate answers). */
  probability: number;
  /** Whether it answers (at or above the row threshold; the answer's lead document always does). */
  answers: boolean;
}

export interface Decision {
  outcome: Outcome;
  /** The lead candidate (index into `Evidence.candidates`). */
  lead?: number;
  /** Candidates that follow the lead in a single answer (what the lead lacks), or the clauses a `related` answer shows besides the lead. */
  support: number[];
  /**
   * For `related`: the clauses shown, in order (the lead and `support`, the clause holding the head of what is asked
   * first: the ranker's lead may lack it). `lead` stays the ranker's choice, which the outcome was decided on.
   */
  shown?: number[];
  /** List and parts answers: one row per document, in order. */
  rows: Row[];
  /** For lists: the most rows shown (`AnswerModel.maxDocuments`); a list that fills it may leave documents out. */
  rowsLimit?: number;
  /**
   * For a list given as `answer`: the best clauses of other documents that write the question's most specific subject
   * word but do not answer (流动人口 without 信息 of 流动人口信息): shown after the rows as related clauses, not as answers.
   */
  partial?: number[];
  /** P(the lead answers the question). */
  probability: number;
  /** The question-level features the probability was computed from (`OUTCOME_FEATURES` order). */
  outcomeFeatures: number[];
  /** Ranking scores of the candidates. */
  scores: number[];
  /** For `related`: what is missing; for `not_found`: why. */
  missing?: string;
  reason?: string;
}

const CITY_RE = /^[\u4e00-\u9fff]{2,8}?(?:市|州|县|盟|旗)/u;
const LOCAL_RE = /^[\u4e00-\u9fff]{2,8}?(?:省|自治区|市|州|县|区|盟|旗)/u;
const NATIONAL_RE = /^(?:中华人民共和国|国务院|全国|中共中央|最高人民)/u;

/**
 * Whether a document is a local government's (its issuer or title starts with a jurisdiction: 深圳市…,
 * 河北省…); `city` asks for a city, prefecture or county (市, 州, 县), not a province.
 */
export function isLocalDocument(meta: Pick<ValidMeta, 'issuer' | 'title'> | undefined, city: boolean): boolean {
  if (!meta) return false;
  const re = city ? CITY_RE : LOCAL_RE;
  return [meta.issuer, meta.title].some((x) => !NATIONAL_RE.test(x) && re.test(x));
}

/** Whether a list's scope words ask for cities (城市, 地市, 各市) rather than any jurisdiction (各地, 地方). */
function asksCities(question: QuestionAnalysis): boolean {
  return question.scope?.kind === 'local' && question.scope.words.some((w) => /市|县|州/u.test(w));
}

/** Reads the candidates of a search response and their features. */
export function gatherEvidence(kb: EvidenceView, response: SearchResponse, model: AnswerModel): Evidence {
  const question = analyzeQuestion(response);
  const named = response.understanding.namedDocs;
  const empty = { question, candidates: [], table: { rows: [], presence: [], stated: [] }, named };
  if (response.results.length === 0) return { ...empty, notFound: '没有与问题相关的条文。' };
  const { understanding } = response;
  // A place no document is named for (广州, 贵州), unless the top passages are about it too.
  if (understanding.unknownPlaces.length > 0 && !placeCovered(response.results.slice(0, 5), understanding.unknownPlaces, (docId) => kb.documents.get(docId)?.body.length ?? 0)) {
    return { ...empty, notFound: `知识库中没有${understanding.unknownPlaces.join('、')}的相关文件。` };
  }
  // A document written out by its title that the library does not hold: other documents' clauses do not answer for it.
  const titles = understanding.unknownTitles ?? [];
  if (titles.length > 0) return { ...empty, notFound: `知识库中没有${titles.map((t) => `《${t}》`).join('、')}。` };
  // A unit pointed at (第17项, 专栏1第9项) that no document named has: nothing of it to quote, whatever its neighbours say.
  const missingUnit = unitNotHeld(kb, named, understanding.clauseRefs);
  if (missingUnit) return { ...empty, notFound: missingUnit };
  let results = response.results;
  // A list over cities reads local documents only, before documents are counted: national ones take no place.
  if (question.form === 'list' && question.scope?.kind === 'local') {
    const city = asksCities(question);
    const local = results.filter((h) => isLocalDocument(kb.documents.get(h.docId)?.meta, city));
    if (local.length > 0) results = local;
  }
  let hits = question.form === 'single' ? results.slice(0, model.passages) : spreadHits(results, model.passagesPerDocument, model.documentsRead ?? model.maxDocuments);
  // A web address is a fact of the document: looked for in the named documents' whole text.
  if (question.asks.some((a) => a.ask.kind === 'url') && response.scope.length > 0) {
    const known = new Set(hits.map((h) => h.passageId));
    hits = [...hits, ...urlHits(kb, response.scope, hits.length).filter((h) => !known.has(h.passageId))];
  }
  // A penalty asked of a single question: the clauses punishing a breach of the articles read first (a 法律责任 clause names the duty by number only).
  if (question.form === 'single' && question.asksPenalty) {
    // How much of the question a clause writes: the weights of the subject words one of whose forms it holds (吸烟 for 抽烟).
    const covers = (text: string): number => question.terms.reduce((a, t) => a + ([...t.forms.keys()].some((f) => text.includes(f)) ? t.weight : 0), 0);
    hits = [...hits, ...penaltyHits(kb, hits.slice(0, PENALTY_SOURCES), hits.length, PENALTY_HITS_MAX, covers)];
  }
  // Which documents mention the subject: a document read whose passages found do not write it may write it elsewhere.
  if (question.form === 'list' && question.asksMention) hits = [...hits, ...mentionHits(kb, hits, (text) => writesSubjectText(question, text))];
  const candidates = candidatesOf(kb, hits, pointedClauses(kb, response), question.asksPenalty);
  const statesYearIn = (docId: string, year: string): boolean => statesYear(kb.documents.get(docId)?.body ?? '', year);
  const bodies = new Map<string, string>();
  const writesIn = (docId: string, phrase: string): boolean => {
    let body = bodies.get(docId);
    if (body === undefined) bodies.set(docId, (body = squeezed(kb.documents.get(docId)?.body ?? '')));
    return body.includes(squeezed(phrase));
  };
  return { question, candidates, table: candidateFeatures(kb, question, candidates), named, statesYearIn, writesIn };
}

const col = (name: (typeof CANDIDATE_FEATURES)[number]): number => CANDIDATE_FEATURES.indexOf(name);

/** Kinds of unit a question may point at and a document be said to lack: numbered articles, items and boxes. */
const POINTABLE: ReadonlySet<string> = new Set(['article', 'item-num', 'item-num-paren', 'item-cn', 'item-cn-paren', 'box', 'box-item']);

/**
 * Whether references point at one unit: a single one (第17项), or a chain of two levels (专栏5-17, 专栏1第9项, (八)第4条).
 * Two references of one kind side by side (第三条和第四条) are two units, and a 款 is not printed as a heading a parser
 * reads.
 */
function unitPointer(refs: readonly ClauseRef[]): boolean {
  if (refs.length === 0 || refs.length > 2 || !refs.every((r) => r.kinds.every((k) => POINTABLE.has(k)))) return false;
  // Two at different levels (专栏1 › 第9项, (八) › 第4条) point at one; two of one kind side by side (第三条和第四条) at two.
  return refs.length === 1 || !(refs[0]?.kinds ?? []).some((k) => refs[1]?.kinds.includes(k));
}

/** Whether a section tree has a node of the kind. */
function hasKind(node: SectionNode | undefined, kind: string): boolean {
  return !!node && (node.kind === kind || node.children.some((c) => hasKind(c, kind)));
}

/**
 * Why nothing answers when the question points at a unit (第17项, 专栏5-17) that none of the documents it names has,
 * read on their section trees: a plan of 16 tasks has no 17th. Undefined when no unit is pointed at, no document is
 * named, one of them has it, or one of them has no section tree to read.
 */
export function unitNotHeld(kb: EvidenceView, named: readonly { docId: string; by: string }[], refs: readonly ClauseRef[]): string | undefined {
  if (named.length === 0 || !unitPointer(refs)) return undefined;
  const docs = [...new Set(named.map((d) => d.docId))].map((id) => kb.documents.get(id));
  if (docs.some((d) => !d?.tree || d.tree.children.length === 0 || resolveClauseRefs(d.tree, refs).length > 0)) return undefined;
  // 专栏5-17 read as box 5's item 17 only where the document numbers items inside its boxes (else 专栏1-3 is a range).
  if (/^[-－—–]/u.test(refs[1]?.text ?? '') && docs.some((d) => !hasKind(d?.tree, 'box-item'))) return undefined;
  const titles = docs.map((d) => `《${d?.meta.title ?? ''}》`);
  const where = titles.length <= 2 ? titles.join('、') : `${[...new Set(named.map((d) => d.by))].join('、')}的${titles.length}份文件`;
  return `${where}中没有“${refs.map((r) => r.text).join('')}”。`;
}

/** Question-level features of `lead` among the candidates `among`. */
export function outcomeFeatures(evidence: Evidence, scores: readonly number[], among: readonly number[], lead: number): number[] {
  const { table, question } = evidence;
  const row = table.rows[lead] as number[];
  const shares = softmax(among.map((i) => scores[i] as number));
  const leadAt = among.indexOf(lead);
  const others = among.filter((i) => i !== lead).map((i) => scores[i] as number);
  const margin = others.length > 0 ? Math.min(10, (scores[lead] as number) - Math.max(...others)) : 10;
  const weights = question.terms.map((t) => t.weight);
  const total = weights.reduce((a, b) => a + b, 0);
  const found = weights.map((_, j) => among.some((i) => ((table.presence[i] as number[])[j] ?? 0) > 0));
  const absent = total > 0 ? weights.reduce((a, w, j) => a + (found[j] ? 0 : w), 0) / total : 0;
  const top = Math.max(0, ...weights);
  const leadPresence = table.presence[lead] as number[];
  const nominal = question.terms.map((t) => t.nominal);
  const absentMax = top > 0 ? Math.max(0, ...weights.map((w, j) => (found[j] || !nominal[j] ? 0 : w / top))) : 0;
  const leadMissingMax = top > 0 ? Math.max(0, ...weights.map((w, j) => ((leadPresence[j] ?? 0) > 0 || !nominal[j] ? 0 : w / top))) : 0;
  const best = Math.max(...scores);
  const values: Record<OutcomeFeature, number> = {
    leadScore: scores[lead] as number,
    leadShare: shares[leadAt] ?? 0,
    margin,
    gap: Math.min(10, best - (scores[lead] as number)),
    leadRelative: row[col('coverRelative')] as number,
    leadCover: row[col('cover')] as number,
    leadContext: row[col('coverContext')] as number,
    absent,
    absentMax,
    leadMissingMax,
    leadNominal: row[col('coverNominal')] as number,
    // Weighed by how specific the head is (标准 in 达到什么标准 says little; 院长 in 院长是谁 says much).
    leadHeadMissing: question.head !== undefined && (row[col('head')] as number) === 0 ? (question.terms[question.head]?.weight ?? 0) / top : 0,
    headAbsent: question.head !== undefined && !found[question.head] ? 1 : 0,
    asks: question.asks.length > 0 ? 1 : 0,
    leadStates: row[col('askStated')] as number,
    leadNear: row[col('askNear')] as number,
    anyStates: among.some((i) => (table.rows[i] as number[])[col('askStated')] === 1) ? 1 : 0,
    leadUnstated: question.asks.length > 0 && row[col('askStated')] !== 1 ? 1 : 0,
    leadYear: row[col('year')] as number,
    leadFiller: row[col('filler')] as number,
    leadPointed: row[col('pointed')] as number,
    named: question.named ? 1 : 0,
    noSubject: question.terms.length === 0 ? 1 : 0,
  };
  return OUTCOME_FEATURES.map((f) => values[f]);
}

const ocol = (name: OutcomeFeature): number => OUTCOME_FEATURES.indexOf(name);

/**
 * Whether a single answer's lead cannot be an `answer`, whatever its probability: the question asks for a
 * kind of fact (an amount, a date, a place, a 文号…) and the lead states none, or the lead is a purpose,
 * notice or task-division line the question did not ask for. On the development sets no lead that answered
 * was either (0 of 157 on corpus and library); these are rules of what an answer is, so they are not left to the fitted weights,
 * which trade them against coverage.
 */
export function cannotAnswer(evidence: Evidence, features: readonly number[]): boolean {
  return evidence.question.form === 'single' && (features[ocol('leadUnstated')] === 1 || features[ocol('leadFiller')] === 1);
}

/**
 * The measure a single answer's lead misses by a near-miss compound (`nearMissCompound`: the question asks for
 * 共享率 of 政务数据资源, the lead states its 采集率), else undefined. Such a lead states a neighbouring figure: it is
 * never an `answer`, whatever its probability (a rule of what an answer is, as `cannotAnswer`).
 */
export function nearMissLead(evidence: Evidence, lead: number | undefined): string | undefined {
  const c = lead === undefined ? undefined : evidence.candidates[lead];
  if (evidence.question.form !== 'single' || !c) return undefined;
  return nearMissCompound(evidence.question.query, c.text);
}

/**
 * An ask of a single answer (`QuestionAnalysis.asks` index) that neither the lead nor any other candidate of its
 * document states, else undefined: 在哪个区、占地多大 answered by a clause naming the zone and no clause stating the area
 * answers half the question. An answer states every fact asked, in the lead or in a clause of its document that
 * follows it (`supportOf` adds those); the rest is `related` (a rule of what an answer is, as `cannotAnswer`).
 */
export function unansweredAsk(evidence: Evidence, lead: number | undefined): number | undefined {
  const { question, candidates, table } = evidence;
  const c = lead === undefined ? undefined : candidates[lead];
  if (question.form !== 'single' || !c || question.asks.length < 2) return undefined;
  // Another clause states the fact for the question's subject: one of the lead's passage (…数字档案馆。该馆选址于…),
  // one opening with a word pointing back at a thing (该馆, 此项: `POINTS_BACK_RE`), or one writing the head asked
  // about, else the question's most specific noun (档案馆 of 数字档案馆建在哪里) — not a clause elsewhere in the plan
  // naming a 开发区 for 招商引资.
  const nouns = question.terms.flatMap((t, j) => (t.nominal ? [j] : []));
  const head = question.head ?? (nouns.length === 0 ? undefined : nouns.reduce((a, b) => ((question.terms[b]?.weight ?? 0) > (question.terms[a]?.weight ?? 0) ? b : a)));
  const onSubject = (i: number): boolean =>
    i === lead || head === undefined || candidates[i]?.hit.passageId === c.hit.passageId || POINTS_BACK_RE.test(candidates[i]?.text ?? '') || ((table.presence[i] ?? [])[head] ?? 0) > 0;
  const sameDoc = candidates.flatMap((x, i) => (x.hit.docId === c.hit.docId && onSubject(i) ? [i] : []));
  const k = question.asks.findIndex((_, k) => !sameDoc.some((i) => table.stated[i]?.[k] === true));
  return k < 0 ? undefined : k;
}

/** A clause opening by pointing back at a thing named before (该馆, 该中心, 此项): not 本办法, 本市, 此外. */
const POINTS_BACK_RE = /^(?:该|此)(?!外|前|后|次|时)\p{Script=Han}/u;

/**
 * A yes-no question's predicate (能不能关掉 → 关掉) when a single answer's lead, with its headings and context, has
 * none of its words (nor a word-vector neighbour of one): the lead is about the thing, not about what is asked of it.
 * Returns the words, else undefined (a rule of what an answer is, as `cannotAnswer`).
 */
export function yesNoUnaddressed(evidence: Evidence, lead: number | undefined): string | undefined {
  const { question, table } = evidence;
  const predicate = question.yesNo;
  if (question.form !== 'single' || lead === undefined || !predicate) return undefined;
  const presence = table.presence[lead] ?? [];
  if (predicate.some((j) => (presence[j] ?? 0) > 0)) return undefined;
  return predicate.map((j) => question.terms[j]?.term ?? '').join('”“');
}

/** The mean weight of the question's subject words: the bar a word must reach to be named as missing (0 with none). */
function meanWeight(question: QuestionAnalysis): number {
  return question.terms.reduce((a, t) => a + t.weight, 0) / Math.max(1, question.terms.length);
}

/**
 * Who a yes-no question of permission asks about (云计算行业协会这类社会组织…，也能拿…奖励吗; 分公司能享受吗) when a single
 * answer's lead lacks it: a specific noun of the question outside its predicate (weight at least the question's mean,
 * the same bar as the missing line's) that the lead, with its headings and context, does not have, nor a form of it,
 * nor its head word (外资企业 is covered by a clause on 企业: a kind of what it provides for). Places are left to the
 * place rules. The clause provides for someone else, and whether the one asked about is covered is what it does not
 * say. Returns the noun, else undefined (a rule of what an answer is, as `yesNoUnaddressed`).
 */
export function yesNoSubjectMissed(evidence: Evidence, lead: number | undefined): string | undefined {
  const { question, table, candidates } = evidence;
  const c = lead === undefined ? undefined : candidates[lead];
  if (question.form !== 'single' || !c || question.terms.length < 2) return undefined;
  // Whether the one asked about may (能, 可以, 能不能…): asked of a subject, not whether a document says something.
  if (!question.yesNoForm || !question.asksPermission) return undefined;
  const presence = table.presence[lead as number] ?? [];
  const mean = meanWeight(question);
  const predicate = new Set(question.yesNo ?? []);
  const read = `${c.heading}${c.before}${c.text}`;
  const missing = question.terms.find((t, j) => {
    if (!t.nominal || predicate.has(j) || t.weight < mean || (presence[j] ?? 0) > 0) return false;
    const words = tagWords(t.term);
    if (words.some((w) => /^ns|^s$/u.test(w.tag))) return false;
    // The head of a compound: its last part among the question's words (外资企业 → 企业), else jieba's last word of it.
    const head = (t.parts ?? []).find((p) => t.term.endsWith(p)) ?? (words.length > 1 ? (words.at(-1)?.word ?? '') : '');
    return !(head.length >= 2 && head !== t.term && read.includes(head));
  });
  return missing?.term;
}

/**
 * The year a single question names when its lead states other years only (`leadYear` −1: 2017年以后还给吗 against
 * 行动计划(2014-2016)…每年安排2亿元; a 2030 target against the 2025 figure), else undefined. Such a lead answers for
 * another year: never an `answer` (a rule of what an answer is, as `cannotAnswer`). Kept by cross-validation when added: held-out AURC 0.027 → 0.025
 * (corpus), 0.049 → 0.044 (library) on dev + dev2 + fresh + fresh2, seed 20.
 */
export function otherYearLead(evidence: Evidence, features: readonly number[]): string | undefined {
  const { question } = evidence;
  if (question.form !== 'single' || features[ocol('leadYear')] !== -1) return undefined;
  return question.years.map((y) => `${y}年`).join('”“');
}

/**
 * A question on how things stand now (已经, 目前, 现在, 现阶段, 当前, 眼下: 现代汉语 § 时间副词 and time nouns of the present)
 * that names no year and asks for no aim (目标, 计划, 要, 将, 打算, 力争, 争取), when a single answer's lead is an aim set
 * for a year ahead (到2030年…达到世界领先水平, 力争…): what is planned does not say what is so. Such a lead is never an
 * `answer` (a rule of what an answer is, as `otherYearLead`); returns the line saying so, else undefined.
 */
export function aimForStatus(evidence: Evidence, lead: number | undefined): string | undefined {
  const { question } = evidence;
  const c = lead === undefined ? undefined : evidence.candidates[lead];
  if (question.form !== 'single' || !c || question.years.length > 0) return undefined;
  const q = question.query.normalize('NFKC');
  // Whole words only: 现在 of 体现在, 表现在 is no time.
  if (!tagWords(q).some((t) => STATUS_WORDS.has(t.word)) || AIM_ASKED_RE.test(q)) return undefined;
  // 到2015年底，全市已建成…: a year reached, told as done (已), is how things stood, not an aim.
  const text = c.text.normalize('NFKC');
  return AIM_STATED_RE.test(text) && !/已/u.test(text) ? '找到的条文是今后的目标，未找到讲现状的条文' : undefined;
}
const STATUS_WORDS: ReadonlySet<string> = new Set(['已经', '目前', '现在', '现阶段', '当前', '眼下']);
const AIM_ASKED_RE = /目标|计划|打算|力争|争取|将要|要(?:达到|实现|建成)|(?:哪年|何时|什么时候)/u;
/** An aim for a year ahead: 到/至 a year (…年), or 力争/争取 opening the clause. */
const AIM_STATED_RE = /(?:^|[。,;:]|第[一二三四五六七八九十]步,?)[^,。;]{0,6}(?:到|至)(?:19|20)[0-9]{2}年|(?:^|[。,;])(?:力争|争取)/u;

/**
 * The year a single question names when no candidate of the lead's document states it, in its sentence, context or
 * span (`year` feature 1), nor the document's title holds it (深圳…行动计划(2016—2018年) for 2017): 国家AI规划对2035年
 * 定了什么目标 against a plan whose targets stop at 2030. A lead with no year then answers for none asked: never an
 * `answer` (a rule of what an answer is, as `otherYearLead`).
 */
export function yearUnstated(evidence: Evidence, lead: number | undefined): string | undefined {
  const { question, candidates, table } = evidence;
  const c = lead === undefined ? undefined : candidates[lead];
  if (question.form !== 'single' || !c || question.years.length === 0) return undefined;
  const year = col('year');
  if (candidates.some((x, i) => x.hit.docId === c.hit.docId && (table.rows[i] as number[])[year] === 1)) return undefined;
  // The title's span, written out (2016—2018年) or as a five-year plan (“十三五” = 2016–2020: corpus/validity.ts titlePeriod).
  const title = c.hit.title.normalize('NFKC');
  const period = titlePeriod(title);
  if (question.years.some((y) => statesYear(title, y) || (period !== undefined && Number(y) >= period.from && Number(y) <= period.to))) return undefined;
  return question.years.map((y) => `${y}年`).join('”“');
}

/**
 * The count of members a single answer's lead only mentions when the question asks which they are (`unnamedMembers`:
 * 那17个景区都是哪几个 against 在17个4A以上景区推广), else undefined. Such a lead says the set exists, not its members: never
 * an `answer` (a rule of what an answer is, as `cannotAnswer`).
 */
export function membersUnnamed(evidence: Evidence, lead: number | undefined): string | undefined {
  const c = lead === undefined ? undefined : evidence.candidates[lead];
  if (evidence.question.form !== 'single' || !c) return undefined;
  return unnamedMembers(evidence.question.query, c.text);
}

/**
 * The set a single answer's lead mentions without naming any member when the question asks who they are
 * (`membersNotNamed`: 首批试点院校是哪几所 against 尽快在试点院校建立人工智能学院), else undefined. Never an `answer`
 * (a rule of what an answer is, as `membersUnnamed`).
 */
export function setUnnamed(evidence: Evidence, lead: number | undefined): string | undefined {
  const c = lead === undefined ? undefined : evidence.candidates[lead];
  if (evidence.question.form !== 'single' || !c) return undefined;
  return membersNotNamed(evidence.question.query, c.text);
}

/** Why a lead is ruled out: `missed` names what it misses when a rule says (开放率, 100人, 关掉). */
export interface Ruling {
  missed?: string;
  /** The whole missing line when the rule words it itself (未找到列出这17个具体是哪些的条文). */
  line?: string;
}

/**
 * The case a question sets aside (…（不是租现有标准厂房）) when a single answer's lead is about that very case: every
 * subject word of the excluded phrase is in the lead's sentence. The lead provides for what the question says it is
 * not. Returns the phrase (不是…), else undefined (a rule of what an answer is, as `nearMissLead`).
 */
export function excludedCaseLead(evidence: Evidence, lead: number | undefined): string | undefined {
  const c = lead === undefined ? undefined : evidence.candidates[lead];
  if (evidence.question.form !== 'single' || !c) return undefined;
  const text = c.text.normalize('NFKC');
  for (const { phrase, said } of evidence.question.setAside) {
    const words = evidence.question.terms.filter((t) => t.nominal && phrase.includes(t.term));
    if (words.length >= 2 && words.every((t) => [...t.forms.keys()].some((f) => text.includes(f)))) return said;
  }
  return undefined;
}

/** A text as compared for quoting: NFKC, lower case, no whitespace. */
const squeezed = (text: string): string => text.normalize('NFKC').toLowerCase().replace(/\s+/gu, '');

/**
 * A phrase the question quotes that the lead's document never writes (四个“用数据” of 惠州's plan, which another city's
 * plan writes): the user quotes the document they mean, so a lead from one that lacks the quote answers about
 * something else; in a list, the quote is what the documents are asked for. Returns the phrase, else undefined (a rule
 * of what an answer is, as `nearMissLead`).
 */
export function quotedMissLead(evidence: Evidence, lead: number | undefined): string | undefined {
  const c = lead === undefined ? undefined : evidence.candidates[lead];
  if (evidence.question.form === 'parts' || !c || !evidence.writesIn) return undefined;
  return quoteUnwritten(evidence, c.hit.docId);
}

/** A phrase the question quotes that a document never writes, else undefined (a list's row answers only without one). */
function quoteUnwritten(evidence: Evidence, docId: string): string | undefined {
  return evidence.question.quoted.find((phrase) => evidence.writesIn?.(docId, phrase) === false);
}

/**
 * Whether a single answer's lead is ruled out as an `answer` whatever its probability, else undefined: `cannotAnswer`;
 * the lead is about a case the question sets aside (`excludedCaseLead`); a near-miss measure (`nearMissLead`); a
 * quoted phrase its document never writes (`quotedMissLead`); who a question of permission asks about missing
 * (`yesNoSubjectMissed`); another tier's figure (`figureMissLead`); a yes-no predicate it does not speak of
 * (`yesNoUnaddressed`); another year, or none (`otherYearLead`, `yearUnstated`); a count or set whose members it
 * does not name; or an ask nothing of its document states (`unansweredAsk`). Each rule is read once; the fit reads
 * the same function.
 */
export function ruledOut(evidence: Evidence, features: readonly number[], lead: number | undefined): Ruling | undefined {
  const excluded = excludedCaseLead(evidence, lead);
  if (excluded !== undefined) return { line: `找到的条文规定的是问题所排除的情形（${excluded}），未找到问题所问情形的规定` };
  const missed = nearMissLead(evidence, lead) ?? quotedMissLead(evidence, lead) ?? yesNoSubjectMissed(evidence, lead) ?? figureMissLead(evidence, lead) ?? yesNoUnaddressed(evidence, lead) ?? otherYearLead(evidence, features) ?? yearUnstated(evidence, lead);
  if (missed !== undefined) return { missed };
  const aim = aimForStatus(evidence, lead);
  if (aim !== undefined) return { line: aim };
  const count = membersUnnamed(evidence, lead);
  if (count !== undefined) return { line: `未找到列出这${count}个具体是哪些的条文` };
  const set = setUnnamed(evidence, lead);
  if (set !== undefined) return { line: `未找到列出${set}具体是哪些的条文` };
  return cannotAnswer(evidence, features) || unansweredAsk(evidence, lead) !== undefined ? {} : undefined;
}

/**
 * The figure a question part that asks states as its condition (带动100人以上能奖多少) when a single answer's lead states
 * the same unit only with other figures (50人以上…奖励20万元: another tier), else undefined (`figureMiss`); or the level
 * the question names (省级) when the lead's sentence names only other levels (国家级: `levelMiss`). Such a lead answers
 * for another tier: never an `answer` (a rule of what an answer is, as `cannotAnswer`).
 */
export function figureMissLead(evidence: Evidence, lead: number | undefined): string | undefined {
  const c = lead === undefined ? undefined : evidence.candidates[lead];
  if (evidence.question.form !== 'single' || !c) return undefined;
  const { question } = evidence;
  // The parts of the question's own case that ask nothing state conditions of what the others ask (投资只有500万的企业，
  // 能奖多少); what comes before a part opened by 那 / 而 / 但是 is context (带动80人奖10万，那200人以上的奖多少).
  const own = new Set(questionParts(question.caseText));
  for (const a of question.asks) {
    if (!own.has(a.text)) continue;
    // The words that ask (多久开一次, 几个) state no condition: only the rest of the part does.
    const miss = figureMiss([...question.conditions, a.ask.cue ? a.text.replace(a.ask.cue, '，') : a.text].join('，'), c.text);
    if (miss !== undefined) return miss;
  }
  // A yes-no question states its conditions anywhere in its case (带动50人但合同只签一年的，能拿奖励吗 against 两年以上), and so
  // does one asking no kind of fact (提供了80万融资，这1%的奖励怎么算 against 使用资金超过100万元的).
  if (question.asks.length === 0 || question.yesNoForm) {
    const miss = figureMiss(question.caseText, c.text);
    if (miss !== undefined) return miss;
  }
  // A tier named by its level (省级…奖励多少) against a sentence of another level only (国家级…100万元), or by its ordinal
  // (第一年补贴多少 against 第二年起…每月2000元).
  return levelMiss(evidence.question.query, c.text) ?? ordinalMiss(evidence.question.query, c.text);
}

/**
 * A clause building on an article of its own instrument (在享受本办法第十条优惠政策的基础上): the
 * article, captured. Not 基本法第二十三条 (another law), nor a mere reference (符合本办法第三条规定条件的).
 */
const OWN_ARTICLE_RE = new RegExp(`(?<![基根])本(?:办法|条例|规定|细则|法|决定|意见)(第[${CHINESE_NUMERAL_CHARS}0-9]+条)(?:[^。；]*?)基础上`, 'u');

/** The best candidate among `among` (ties: the earlier). */
function argmax(scores: readonly number[], among: readonly number[]): number | undefined {
  let best: number | undefined;
  for (const i of among) if (best === undefined || (scores[i] as number) > (scores[best] as number)) best = i;
  return best;
}

/**
 * Of candidates that may lead, those of national instruments on the question's topic (a question word in the title)
 * that write every question word `local` writes (else the best of the local ones among them) and cover the question
 * as well, when the question names no place (`QuestionAnalysis.placed`) and there are some; else all of them. A
 * question that names no place is asked of the whole country: 城镇燃气管理条例 answers it wherever the user is,
 * 青岛市燃气管理条例 only in 青岛.
 */
function nationalFirst(evidence: Evidence, among: readonly number[], local?: number): number[] {
  if (evidence.question.placed) return [...among];
  const cover = (i: number): number => (evidence.table.rows[i] as number[])[col('cover')] ?? 0;
  const isLocal = (i: number): boolean => isLocalDocument(evidence.candidates[i]?.hit, false);
  const locals = local === undefined ? among.filter(isLocal) : [local];
  if (locals.length === 0) return [...among];
  const ref = locals.reduce((a, b) => (cover(b) > cover(a) ? b : a));
  // The same subject: every question word the local clause writes (遛狗 and 小区, not 小区 alone), and as much in all.
  const held = (i: number): number[] => (evidence.table.presence[i] ?? []).flatMap((p, j) => (p > 0 ? [j] : []));
  const required = held(ref);
  // An instrument about the question's topic: its title writes one of the question's words (城镇燃气管理条例 for 燃气经营;
  // not 外国籍船舶航行长江水域管理规定 for 放鞭炮, whose clause on ships also names 鞭炮).
  const onTopic = (i: number): boolean => {
    const title = evidence.candidates[i]?.hit.title ?? '';
    return evidence.question.terms.some((t) => [...t.forms.keys()].some((f) => f.length >= 2 && title.includes(f)));
  };
  const national = among.filter((i) => !isLocal(i) && cover(i) >= cover(ref) && required.every((j) => ((evidence.table.presence[i] ?? [])[j] ?? 0) > 0) && onTopic(i));
  return national.length > 0 ? national : [...among];
}

/**
 * Whether candidate `i` writes the subject of a list that asks which documents mention it (`QuestionAnalysis.asksMention`):
 * every subject word as the question writes it (no stand-in or neighbour) and every pair the question writes together
 * (工业互联网, not 工业 and 互联网 apart), in the sentence itself. By what was asked, such a clause answers.
 */
export function writesSubject(evidence: Evidence, i: number): boolean {
  // A filler (a 责任单位 annotation naming 农业局, a title line) writes words, not the subject: it never answers.
  if ((evidence.table.rows[i] as number[] | undefined)?.[col('filler')] === 1) return false;
  return writesSubjectText(evidence.question, evidence.candidates[i]?.text ?? '');
}

/** Whether a text writes the subject of a list asking which documents mention it (`writesSubject`, on any text). */
export function writesSubjectText(question: QuestionAnalysis, raw: string): boolean {
  const text = raw.normalize('NFKC').toLowerCase();
  if (!question.asksMention || question.terms.length === 0 || text === '') return false;
  const where = question.lookedIn;
  const subject = listSubject(question);
  // A term the question quotes is asked as written, its symbols too (“互联网+”, “数据孤岛”).
  const quoted = question.quoted.map((q) => q.normalize('NFKC').toLowerCase().trim()).filter((q) => [...q].length >= 2);
  // A compound word is written whole, or its parts in order with a modifier between (柔性引进人工智能人才 writes 引进人才).
  const writes = (t: QuestionAnalysis['terms'][number]): boolean => text.includes(t.term.toLowerCase()) || (t.parts !== undefined && partsInOrder(text, t.parts.map((p) => p.toLowerCase())));
  const phrases = question.phrases.filter((p) => !where.includes(p));
  return subject.length > 0 && subject.every(writes) && phrases.every((p) => text.includes(p)) && (question.mentionWords ?? []).every((w) => text.includes(w)) && quoted.every((q) => text.includes(q));
}

/** Characters a modifier between a compound's parts may take (人工智能 in 引进人工智能人才). */
const PARTS_GAP_MAX = 4;

/** Whether `parts` occur in `text` in order, each at most `PARTS_GAP_MAX` characters after the one before. */
function partsInOrder(text: string, parts: readonly string[]): boolean {
  for (let at = text.indexOf(parts[0] ?? ''); at >= 0 && parts.length > 0; at = text.indexOf(parts[0] as string, at + 1)) {
    let end = at + (parts[0] as string).length;
    let ok = true;
    for (const p of parts.slice(1)) {
      const next = text.indexOf(p, end);
      if (next < 0 || next - end > PARTS_GAP_MAX) {
        ok = false;
        break;
      }
      end = next + p.length;
    }
    if (ok) return true;
  }
  return false;
}

/**
 * The subject words of a list: not 文件 of 哪些地方的文件里提到了 (`framesQuestion`), nor a kind of document (数据文件 of
 * 哪几个市的大数据文件提了, jieba cutting 大/数据文件; a bare 规划, 办法: `BARE_GENRE_RE`), nor a word of the documents looked
 * in (哪些城市的区块链规划里提到: 区块链 names the plans, not what they mention).
 */
function listSubject(question: QuestionAnalysis): QuestionAnalysis['terms'] {
  let subject = listSubjects.get(question);
  if (!subject) {
    subject = question.terms.filter((t) => !framesQuestion(t.term) && !/文件$/u.test(t.term) && !BARE_GENRE_RE.test(t.term) && !question.lookedIn.includes(t.term.toLowerCase()));
    listSubjects.set(question, subject);
  }
  return subject;
}
// Read once per question: `writesSubjectText` asks it of every candidate and passage.
const listSubjects = new WeakMap<QuestionAnalysis, QuestionAnalysis['terms']>();

/**
 * The lead among `among`: the best-scored candidate that is no filler (a purpose, covering-notice or title line, or a
 * 责任单位 annotation the question did not ask for: `filler` 1), else the best of all. A filler never answers, so it
 * never leads while a clause that may answer is there.
 */
export function leadAmong(evidence: Evidence, scores: readonly number[], among: readonly number[]): number | undefined {
  const filler = col('filler');
  const plain = among.filter((i) => (evidence.table.rows[i] as number[])[filler] !== 1);
  // The unit the question points at (第三条第二款, 专栏1第8项) is what it asks about: a sentence of it (or one joined to its
  // heading) leads while there is one — unless the question sets that unit aside (除了第十条…).
  const basic = plain.length > 0 ? plain : among;
  const pointed = basic.filter((i) => evidence.candidates[i]?.touchesPointed === true);
  const pool = !evidence.question.pointsAside && pointed.length > 0 ? pointed : basic;
  // A penalty asked (怎么处罚, 罚多少钱) is answered by a clause stating one: the duty it punishes does not lead while a
  // clause on the topic (with its context: a penalty clause reads with the duty it names by number) states a penalty.
  if (evidence.question.asksPenalty) {
    const context = (i: number): number => (evidence.table.rows[i] as number[])[col('coverContext')] ?? 0;
    const penalties = pool.filter((i) => PENALTY_STATED_RE.test(evidence.candidates[i]?.text ?? '') && context(i) > 0);
    // An amount asked (罚多少钱, 罚多少, 罚几倍) is a fine: of the penalties closest to the question (with their context),
    // the sentence stating one (拒不改正的，处以二百元罚款, 处违法所得一倍以上五倍以下罚款) answers, not 责令改正 before it.
    const closest = penalties.filter((i) => context(i) >= Math.max(...penalties.map(context)));
    const amounts = evidence.question.asks.filter((a) => a.ask.kind === 'money' || a.ask.kind === 'number');
    const stating = closest.filter((i) => {
      const text = evidence.candidates[i]?.text ?? '';
      return amounts.some((a) => statesQuantity(text, { ...a.ask, kind: 'money' }) || (a.ask.kind === 'number' && /倍/u.test(text)));
    });
    const punishing = nationalFirst(evidence, stating.length > 0 ? stating : penalties);
    if (punishing.length > 0) {
      // Of those that cover the question best, the one whose condition adds least to what was asked (the plain case of
      // 饮酒后驾驶机动车的, not 再次饮酒后驾驶… nor …发生重大交通事故，构成犯罪的).
      const cover = col('cover');
      const top = Math.max(...punishing.map((i) => (evidence.table.rows[i] as number[])[cover] ?? 0));
      const forms = evidence.question.terms.flatMap((t) => [...t.forms.keys()]);
      const covering = punishing.filter((i) => ((evidence.table.rows[i] as number[])[cover] ?? 0) >= top);
      const extra = new Map(covering.flatMap((i) => {
        const n = unaskedCase(evidence.candidates[i] as Candidate, forms);
        return n === undefined ? [] : [[i, n] as const];
      }));
      if (extra.size === 0) return argmax(scores, punishing);
      const least = Math.min(...extra.values());
      return argmax(scores, [...extra.keys()].filter((i) => extra.get(i) === least));
    }
  }
  let best = argmax(scores, pool);
  // A clause building on another of its instrument (…在享受本办法第十条优惠政策的基础上，…) gives the extra of a narrower
  // case: the clause it names leads while that clause covers the question as well (the base provision).
  const builds = best === undefined ? undefined : OWN_ARTICLE_RE.exec(evidence.candidates[best]?.text ?? '');
  if (best !== undefined && builds) {
    const cover = col('cover');
    const bestCover = (evidence.table.rows[best] as number[])[cover] ?? 0;
    const docId = evidence.candidates[best]?.hit.docId;
    const named = pool.filter((i) => {
      const c = evidence.candidates[i];
      return c !== undefined && c.hit.docId === docId && c.titles.split(/\s+/u).includes(builds[1] as string) && ((evidence.table.rows[i] as number[])[cover] ?? 0) >= bestCover;
    });
    if (named.length > 0) best = argmax(scores, named);
  }
  // A question that names no place is asked of the whole country: a national instrument's clause covering it as well as
  // a local instrument's lead does (城镇燃气管理条例 beside 青岛市燃气管理条例) leads, since it applies wherever the user
  // is, and the local one only in its own place.
  if (best !== undefined && isLocalDocument(evidence.candidates[best]?.hit, false)) {
    const national = nationalFirst(evidence, pool, best);
    if (national.length < pool.length) best = argmax(scores, national);
  }
  // A clause of another tier than the one named (第二年起… for 第一年, 国家级… for 省级) does not lead while a clause of
  // its document states the tier named.
  const c = best === undefined ? undefined : evidence.candidates[best];
  const query = evidence.question.query;
  if (c && (ordinalMiss(query, c.text) !== undefined || levelMiss(query, c.text) !== undefined)) {
    const stating = pool.filter((i) => evidence.candidates[i]?.hit.docId === c.hit.docId && tierStated(query, evidence.candidates[i]?.text ?? ''));
    if (stating.length > 0) return argmax(scores, stating);
  }
  return best;
}

const KIND_NAMES: Record<string, string> = { money: '金额', ratio: '比例', count: '数量', docNumber: '文号', url: '网址', who: '负责主体', place: '地点', year: '年份', month: '月份', area: '面积', length: '距离或长度', age: '年龄', date: '日期', clock: '时段', frequency: '频次', duration: '期限', number: '具体数字' };

/** What a `related` answer's `missing` says when no word or kind of fact in particular is missing. */
export const NOTHING_SPECIFIC_MISSING = '未找到直接回答该问题的条文';

/** One line naming what the related clauses lack (未找到规定补贴金额的条文). */
export function missingLine(evidence: Evidence, shown: readonly number[]): string {
  const { question, table, candidates } = evidence;
  // A clause is shown whole: what another of its sentences states is not missing (情节严重的，吊销… in the clause whose
  // first sentence was found).
  const clauses = shown.map((i) => candidates[i]?.hit.text ?? '');
  const ask = question.asks.find((a) => !shown.some((i, k) => statesQuantity(candidates[i]?.text ?? '', a.ask) || statesQuantity(clauses[k] as string, a.ask)))?.ask;
  const byWeight = [...question.terms].sort((a, b) => b.weight - a.weight);
  if (ask) {
    // What the fact is of: the money noun asked, else the most specific noun (a verb, 拿到, names no subject).
    const kind = KIND_NAMES[ask.kind] ?? '具体内容';
    // Not the word that asks the kind itself (文号 of 文号是多少: 未找到规定文号的条文, not 文号文号), nor a kind of document (份文件).
    const noun = byWeight.find((t) => t.nominal && !kind.includes(t.term) && !t.term.includes(kind) && !GENRE_WORD_RE.test(t.term) && !t.term.endsWith('文件'));
    const subject = ask.subject ?? (noun ?? byWeight.find((t) => !kind.includes(t.term)))?.term ?? '';
    return `未找到规定${subject}${kind}的条文`;
  }
  // Only subject words (nouns, names) are named as missing: a verb or modal (不能, 需要) is not what a clause lacks; nor a
  // word less specific than the question's words on average (公司, 政府: a clause says 企业, 地方政府 — an everyday word's
  // absence says nothing of what is missing).
  const mean = meanWeight(question);
  const inClauses = presenceOf(clauses.join('\n'), question.terms);
  const unseen = question.terms.filter((t, j) => t.nominal && t.weight >= mean && (inClauses[j] ?? 0) === 0 && !shown.some((i) => ((table.presence[i] as number[])[j] ?? 0) > 0)).map((t) => t.term);
  if (unseen.length > 0) return `未找到提到“${unseen.slice(0, 3).join('”“')}”的条文`;
  return NOTHING_SPECIFIC_MISSING;
}

/** Candidates after the lead that add what it lacks: uncovered subject weight, or an asked figure it does not state. */
function supportOf(evidence: Evidence, scores: readonly number[], lead: number, max: number): number[] {
  const { question, table, candidates } = evidence;
  const leadDoc = candidates[lead]?.hit.docId;
  const weights = question.terms.map((t) => t.weight);
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  const covered = [...((table.presence[lead] as number[]) ?? [])];
  const stated = new Set(question.asks.map((a, k) => (statesQuantity(candidates[lead]?.text ?? '', a.ask) ? k : -1)).filter((k) => k >= 0));
  const chosen = [lead];
  const order = candidates.map((_, i) => i).filter((i) => candidates[i]?.hit.docId === leadDoc && i !== lead).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  for (const i of order) {
    if (chosen.length >= max) break;
    const c = candidates[i] as Candidate;
    if (c.filler || chosen.some((j) => overlaps(candidates[j] as Candidate, c))) continue;
    const presence = table.presence[i] as number[];
    const gain = weights.reduce((a, w, j) => a + w * Math.max(0, (presence[j] ?? 0) - (covered[j] ?? 0)), 0) / total;
    const newAsk = question.asks.findIndex((a, k) => !stated.has(k) && statesQuantity(c.text, a.ask));
    if (gain < 0.1 && newAsk < 0) continue;
    chosen.push(i);
    presence.forEach((p, j) => (covered[j] = Math.max(covered[j] ?? 0, p)));
    if (newAsk >= 0) stated.add(newAsk);
  }
  return chosen.slice(1);
}

/** A title without the bracket that ends it, however long (its 令 number and revision year), normalized. */
const instrumentName = (title: string): string => normalizeTitle(title.replace(/[（(][^（()）]*[）)]\s*$/u, ''));

/**
 * The first `max` of `order` whose passages differ (a clause is quoted whole: two sentences of one passage quote it
 * twice), and whose sentences are not the same sentence of another version of the same instrument (a library holds
 * 未成年人保护法 as amended in 2020 and in 2024, its 第五十九条 word for word in both).
 */
export function distinctPassages(candidates: readonly Candidate[], order: readonly number[], max: number): number[] {
  const out: number[] = [];
  // Two copies of one instrument (the library's text and an uploaded PDF of it) differ in how the title is bracketed
  // (城镇燃气管理条例（2010年国务院令第583号，2016年修订）) and in the spaces a PDF's text layer puts inside a sentence (处 3 万元);
  // a clause one copy quotes whole is quoted by the other's same passage, whichever of its sentences was found there.
  const same = (a: Candidate | undefined, b: Candidate | undefined): boolean =>
    !!a && !!b && (a.hit.passageId === b.hit.passageId || (instrumentName(a.hit.title) === instrumentName(b.hit.title) && (squeezed(a.text) === squeezed(b.text) || squeezed(a.hit.text) === squeezed(b.hit.text))));
  for (const i of order) {
    if (out.length >= max) break;
    if (!out.some((j) => same(candidates[j], candidates[i]))) out.push(i);
  }
  return out;
}

/**
 * The clauses a single question's `related` answer shows, at most `max`: none states what was asked, so they are
 * ordered by how near they come to it. First the best-scored clause of the lead's document holding the head of what
 * is asked (电价 for 电费 of 有什么电费补贴) when the lead lacks it, then the lead; then, most specific word first, the
 * best clause of that document holding a subject noun none shown has; then the best scored. The line saying what is
 * missing is read from these, so it names only words no clause shown has.
 */
function relatedShown(evidence: Evidence, scores: readonly number[], lead: number, max: number): number[] {
  const { candidates, table, question } = evidence;
  const has = (i: number, j: number): boolean => ((table.presence[i] as number[] | undefined)?.[j] ?? 0) > 0;
  const leadDoc = candidates[lead]?.hit.docId;
  const byScore = candidates.map((_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  const ofLeadDoc = byScore.filter((i) => candidates[i]?.hit.docId === leadDoc && !candidates[i]?.filler);
  const head = question.head;
  const headFirst = head !== undefined && question.terms[head]?.nominal && !has(lead, head) ? ofLeadDoc.find((i) => has(i, head)) : undefined;
  const order = headFirst === undefined ? [lead] : [headFirst, lead];
  const nouns = question.terms.map((t, j) => ({ t, j })).filter(({ t }) => t.nominal).sort((a, b) => b.t.weight - a.t.weight);
  for (const { j } of nouns) {
    const shownSoFar = distinctPassages(candidates, order, max);
    if (shownSoFar.length >= max || shownSoFar.some((i) => has(i, j))) continue;
    const adds = ofLeadDoc.find((i) => has(i, j) && !shownSoFar.some((k) => candidates[k]?.hit.passageId === candidates[i]?.hit.passageId));
    if (adds !== undefined) order.push(adds);
  }
  return distinctPassages(candidates, [...order, ...byScore], max);
}

const overlaps = (a: Candidate, b: Candidate): boolean => a.hit.docId === b.hit.docId && a.start < b.end && b.start < a.end;

/** The decision for gathered evidence under a fitted model. */
export function decideFrom(evidence: Evidence, model: AnswerModel, namedDocIds: readonly string[] = []): Decision {
  checkModel(model);
  const { candidates, table, question } = evidence;
  const base: Decision = { outcome: 'not_found', support: [], rows: [], probability: 0, outcomeFeatures: [], scores: [] };
  if (evidence.notFound || candidates.length === 0) return { ...base, reason: evidence.notFound ?? '没有与问题相关的条文。' };
  const scores = table.rows.map((x) => linearScore(model.ranker, x));
  const all = candidates.map((_, i) => i);
  // A list asking which documents mention its subject: a clause writing it leads while there is one (each candidate read once).
  const writing = new Set(all.filter((i) => writesSubject(evidence, i)));
  const lead = leadAmong(evidence, scores, writing.size > 0 ? [...writing] : all) as number;
  const features = outcomeFeatures(evidence, scores, all, lead);
  const probability = sigmoid(linearScore(model.outcome, features));
  const decision: Decision = { ...base, lead, scores, probability, outcomeFeatures: features };
  // The topic itself is absent: no candidate, with its headings and what precedes it, covers enough of the subject.
  const bestContext = Math.max(0, ...table.rows.map((x) => x[col('coverContext')] as number));
  if (question.terms.length > 0 && bestContext < model.topicFloor) {
    const byWeight = [...question.terms].sort((a, b) => b.weight - a.weight).slice(0, 3).map((t) => t.term);
    return { ...decision, outcome: 'not_found', reason: `知识库中没有关于“${byWeight.join('”“')}”的条文。` };
  }
  const ruling = ruledOut(evidence, features, lead);
  // A list asking which documents mention its subject is answered by mention only: with no clause writing it, the
  // clauses on the topic are related, however close (信息孤岛 for “数据孤岛”). (`writing` is empty for any other question.)
  const answers = question.asksMention ? writing.has(lead) : probability >= model.outcome.threshold;
  decision.outcome = answers && ruling === undefined ? 'answer' : 'related';
  if (question.form !== 'single') decision.rows = rowsOf(evidence, scores, model, writing, lead, decision.outcome === 'answer', namedDocIds);
  if (question.form === 'list') decision.rowsLimit = model.maxDocuments;
  if (question.form === 'list' && decision.outcome === 'answer') {
    const partial = partialRows(evidence, rowsOf(evidence, scores, model, writing, lead, false, namedDocIds, model.maxDocuments), decision.rows);
    // At most as many as a related answer shows (three): the closest, after the answers, never more rows than a list has.
    if (partial.length > 0) decision.partial = partial.slice(0, Math.min(RELATED_SHOWN, Math.max(0, model.maxDocuments - decision.rows.length)));
  }
  if (decision.outcome === 'answer' && question.form === 'single') decision.support = supportOf(evidence, scores, lead, model.maxSentences);
  if (decision.outcome === 'related') {
    // The clauses on the topic: a list's rows (each document's best, at least the three closest), else the best three of distinct passages.
    const rowLeads = (question.form === 'single' ? [] : rowsOf(evidence, scores, model, writing, lead, false, namedDocIds, RELATED_SHOWN)).flatMap((r) => (r.lead === undefined ? [] : [r.lead]));
    const shown = rowLeads.length > 0 ? distinctPassages(candidates, [lead, ...rowLeads], model.maxDocuments) : relatedShown(evidence, scores, lead, RELATED_SHOWN);
    decision.shown = shown;
    decision.support = shown.filter((i) => i !== lead);
    decision.rows = [];
    const missed = ruling?.missed;
    // A year the lead's document does state, in a passage not read, is not said to be missing: the line names what is.
    const leadDoc = candidates[lead]?.hit.docId ?? '';
    const yearStated = missed !== undefined && question.years.some((y) => missed.includes(`${y}年`) && evidence.statesYearIn?.(leadDoc, y) === true);
    decision.missing = ruling?.line ?? (missed === undefined || yearStated ? missingLine(evidence, shown) : `未找到提到“${missed}”的条文`);
  }
  return decision;
}

/** Clauses a related answer shows (the lead and two more), and the most related rows a list answer adds. */
const RELATED_SHOWN = 3;

/**
 * Of a list's rows not shown as answers, the leads of those writing the question's most specific subject word as it is
 * written (the heaviest word of `listSubject` some clause writes) and words of at least half the
 * subject's weight: each document's best clause on the subject, which the reader of a list wants to see beside the
 * answers, marked as not answering.
 */
function partialRows(evidence: Evidence, all: readonly Row[], shown: readonly Row[]): number[] {
  const { question, candidates, table } = evidence;
  const kept = new Set(listSubject(question));
  const subject = question.terms.map((t, j) => ({ t, j })).filter(({ t }) => kept.has(t));
  // The most specific word some clause writes: one no clause writes (盯着, 乱开药: the asker's own words) tells none apart.
  const written = subject.filter(({ t }) => candidates.some((c) => c.text.normalize('NFKC').toLowerCase().includes(t.term.toLowerCase())));
  if (written.length === 0) return [];
  const heaviest = written.reduce((a, b) => (b.t.weight > a.t.weight ? b : a)).t.term.toLowerCase();
  const total = subject.reduce((a, { t }) => a + t.weight, 0);
  // The clause writes the most specific word as written, and words of at least half the subject's weight (in any form).
  const covers = (i: number): boolean => subject.reduce((a, { t, j }) => a + (((table.presence[i] as number[] | undefined)?.[j] ?? 0) > 0 ? t.weight : 0), 0) >= total / 2;
  const shownDocs = new Set(shown.map((r) => r.docId));
  return all.flatMap((r) => (r.lead !== undefined && !shownDocs.has(r.docId) && (candidates[r.lead]?.text ?? '').normalize('NFKC').toLowerCase().includes(heaviest) && covers(r.lead) ? [r.lead] : []));
}

/**
 * The rows of a list (every document whose best candidate answers, best first; the lead's
 * document first when the outcome is `answer`) or of parts (every named document, in the order
 * named, answering or not).
 */
function rowsOf(evidence: Evidence, scores: readonly number[], model: AnswerModel, writing: ReadonlySet<number>, lead: number, answered: boolean, namedDocIds: readonly string[], atLeast = 0): Row[] {
  const { candidates, question } = evidence;
  const byDoc = new Map<string, number[]>();
  candidates.forEach((c, i) => {
    const list = byDoc.get(c.hit.docId);
    if (list) list.push(i);
    else byDoc.set(c.hit.docId, [i]);
  });
  const rowFor = (docId: string): Row => {
    const among = byDoc.get(docId) ?? [];
    const written = among.filter((i) => writing.has(i));
    const best = leadAmong(evidence, scores, written.length > 0 ? written : among);
    if (best === undefined) return { docId, probability: 0, answers: false };
    const probability = sigmoid(linearScore(model.row, outcomeFeatures(evidence, scores, among, best)));
    // A mention list's rows are the documents writing its subject (`writesSubject`); the others are related at most.
    // A document that never writes a phrase the question quotes answers nothing of it (“数据孤岛” against 信息孤岛).
    const answers = question.asksMention ? writing.has(best) : probability >= model.row.threshold && quoteUnwritten(evidence, docId) === undefined;
    return { docId, lead: best, probability, answers };
  };
  const leadDoc = candidates[lead]?.hit.docId;
  // Parts: every place or title named, with each of its documents that answers (else its best one), the lead's first
  // when it answers, then those answering, best first.
  const first = (r: Row): number => (answered && r.docId === leadDoc ? 1 : 0);
  if (question.form === 'parts') return namedGroups(evidence, namedDocIds).flatMap((docs) => placeRows(docs.map(rowFor).map((r) => (first(r) ? { ...r, answers: true } : r)))).sort((a, b) => first(b) - first(a) || Number(b.answers) - Number(a.answers) || b.probability - a.probability);
  const rows = [...byDoc.keys()].map(rowFor).sort((a, b) => b.probability - a.probability);
  const passing = rows.filter((r) => r.answers || (answered && r.docId === leadDoc));
  // Not an answer: the documents closest to one are still what a reader looks at first.
  const out = passing.length >= atLeast ? passing : rows.slice(0, Math.max(atLeast, passing.length));
  if (answered) out.sort((a, b) => (a.docId === leadDoc ? -1 : b.docId === leadDoc ? 1 : 0));
  return out.slice(0, model.maxDocuments).map((r) => (r.docId === leadDoc && answered ? { ...r, answers: true } : r));
}

/**
 * The named documents grouped by the word that names them, in the order named: 深圳 in a library names a dozen
 * documents (深圳经济特区…条例), and the question asks for 深圳's part once, not for a row per document. Without
 * the naming words (`Evidence.named` unset), each document is its own group.
 */
export function namedGroups(evidence: Evidence, namedDocIds: readonly string[]): string[][] {
  const ids = [...new Set(namedDocIds)];
  const by = new Map<string, string[]>();
  const groupOf = new Map((evidence.named ?? []).map((n) => [n.docId, n.by] as const));
  for (const docId of ids) {
    const key = groupOf.get(docId) ?? `\u0000${docId}`;
    const group = by.get(key);
    if (group) group.push(docId);
    else by.set(key, [docId]);
  }
  return [...by.values()];
}

/** A place's rows: those of its documents that answer, else its most probable one (the first named when none has candidates). */
function placeRows(rows: readonly Row[]): Row[] {
  const answering = rows.filter((r) => r.answers);
  if (answering.length > 0) return answering;
  return [rows.reduce((best, r) => (r.lead !== undefined && (best.lead === undefined || r.probability > best.probability) ? r : best), rows[0] as Row)];
}

/** One document's row on its own (a compare row): its best candidate, P(it answers), and what follows it. */
export interface DocumentRow {
  lead?: number;
  probability: number;
  answers: boolean;
  /** Further candidates of the row that add what the lead lacks (as a single answer's support). */
  support: number[];
}

/**
 * The words of a topic that none of `among` has, nor a stand-in or word-vector neighbour of them (`presence` 0):
 * 补贴 of 电费补贴 in a document whose clauses only mention 用电. A comparison's topic is a few words naming one
 * thing (电费补贴, 人才引进, 落户奖励), each of which it needs; a list question is a sentence with alternatives and
 * asides (投资基金 of 哪些城市打算设立大数据领域的投资基金 is answered without 领域), so lists do not use this.
 */
export function topicWordsMissing(evidence: Evidence, among: readonly number[]): string[] {
  const { question, table } = evidence;
  // A word naming a kind of document (措施, 政策, 办法: doc-facts DOCUMENT_NOUNS) says how the topic is written, not
  // what it is: 租金补贴措施 is answered by 第五条's 租金补贴.
  return question.terms.flatMap((t, j) => (KIND_WORD_RE.test(t.term) || among.some((i) => ((table.presence[i] as number[])[j] ?? 0) > 0) ? [] : [t.term]));
}

const KIND_WORD_RE = new RegExp(`^(?:${DOCUMENT_NOUNS})$`, 'u');

/**
 * The row of a document whose candidates are all of `evidence` (a search restricted to it): a compare row. It
 * answers when the row model says so and every word of the topic is found in the document's clauses
 * (`topicWordsMissing`): fitted on list questions, the row model weighs a missing word lightly (lists ask with
 * alternatives), and let 深圳's 用电 monitoring clause into a 电费补贴 comparison (row probability 0.32, threshold 0.30).
 */
export function decideRow(evidence: Evidence, model: AnswerModel): DocumentRow {
  checkModel(model);
  const { candidates, table } = evidence;
  if (evidence.notFound || candidates.length === 0) return { probability: 0, answers: false, support: [] };
  const scores = table.rows.map((x) => linearScore(model.ranker, x));
  const all = candidates.map((_, i) => i);
  const lead = leadAmong(evidence, scores, all) as number;
  const probability = sigmoid(linearScore(model.row, outcomeFeatures(evidence, scores, all, lead)));
  const answers = probability >= model.row.threshold && topicWordsMissing(evidence, all).length === 0;
  return { lead, probability, answers, support: answers ? supportOf(evidence, scores, lead, model.maxSentences) : [] };
}
