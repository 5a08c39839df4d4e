/**
 * Whether a document is in force. Three sources, most trusted first: what the user or front matter
 * states (`status`, `effectiveFrom`, `effectiveTo`, `supersededBy`), what the source page's metadata
 * box says (实施日期/失效日期/效力状态, passed in as front matter by extraction), and what the text
 * itself says ("自2017年7月1日起实施，试行期三年", "自印发之日起施行", "有效期至2025年12月31日").
 * Pure: `inferValidityFromText(body, dateIssued)` reads the text, `judgeValidity(meta, today)`
 * judges against a date the caller supplies (tests set the clock).
 */
import { chineseDate, isRealDate, parseChineseDate } from '../shared/dates.js';
import { CHINESE_NUMERAL_CHARS, DATE_NUMBER_CHARS, parseNumeral } from '../shared/numerals.js';

export { chineseDate, isRealDate, parseChineseDate };

export type ValidityStatus = 'in_force' | 'expired' | 'repealed' | 'superseded' | 'not_yet' | 'draft' | 'unknown';

export interface Validity {
  status: ValidityStatus;
  effectiveFrom?: string;
  effectiveTo?: string;
  /** Why, in Chinese, as a reader checks it: "正文：自2017年7月1日起实施，试行期三年". */
  basis: string;
  /** What kind of evidence decided the status (the validity check splits its agreement by it). */
  evidence?: ValidityEvidence;
  /** Set when sources disagree (a page's 失效日期 against the text's 有效期5年): said, not resolved. */
  conflict?: string;
  /** A planning period the title states ("2016-2020年", "十三五") and whether it has ended; no legal status. */
  period?: { from: number; to: number; ended: boolean };
  /** The next version (`superseded`), or the document that repeals this one (`repealed` by the library). */
  supersededBy?: string;
  repealedBy?: string;
}

/**
 * Why a status: stated metadata (front matter, upload fields, a page's 效力状态 box), a later version
 * of the same instrument in the library, a repeal by another document of the library, an expiry rule
 * of the text (有效期至, 试行N年), the text's own dates, or nothing at all.
 */
export type ValidityEvidence = 'stated' | 'version' | 'repeal' | 'expiry' | 'dates' | 'none';

/**
 * What the library says of a document, derived when it is read (src/corpus/lineage.ts): the versions of
 * its instrument, the next one, and a document that repeals it. Never written into the document.
 */
export interface Lineage {
  /** Versions of the same instrument, oldest first, this one included. */
  versions: { docId: string; title: string; date?: string }[];
  /** The next version and the day it took effect (its effectiveFrom, else its date). */
  supersededBy?: { docId: string; title: string; date?: string; from?: string };
  /** The document of the library that repeals this one, the clause and sentence, and the day it took effect. */
  repealedBy?: { docId: string; title: string; clause?: string; sentence: string; from?: string };
}

/** The validity fields of a document's metadata (front matter or upload fields). */
export interface ValidityFields {
  title?: string;
  status?: string;
  effectiveFrom?: string;
  effectiveTo?: string;
  supersededBy?: string;
  /** Where inferred validity dates came from (set by `withInferredValidity`). */
  validityBasis?: string;
  /** Stated dates the text contradicts (set by `withInferredValidity`). */
  validityConflict?: string;
  /** Set when read from a library (`deriveLineage`). */
  lineage?: Lineage;
}

/** Statuses as people write them (front matter, upload forms, 效力状态 boxes) → the judged kind. */
const STATUS_WORDS: ReadonlyArray<readonly [RegExp, ValidityStatus | 'trial' | 'amended']> = [
  [/^(in_force|现行有效|有效|现行|生效|尚有效)$/u, 'in_force'],
  [/^(expired|失效|已失效|过期|已过期|届满|已届满)$/u, 'expired'],
  [/^(repealed|废止|已废止|撤销|已撤销|宣布失效)$/u, 'repealed'],
  [/^(amended|已修订|已修改|修订|被修订)$/u, 'amended'],
  [/^(not_yet|尚未生效|尚未施行|未生效)$/u, 'not_yet'],
  [/^(draft|征求意见稿|草案|草稿|送审稿|征求意见)$/u, 'draft'],
  [/^(trial|试行|暂行)$/u, 'trial'],
  [/^(unknown|未知)$/u, 'unknown'],
];

/** Reads a status word; undefined when it is none of the known ones. */
export function parseStatusWord(word: string): ValidityStatus | 'trial' | 'amended' | undefined {
  const w = word.trim().replace(/\s+/gu, '');
  for (const [re, status] of STATUS_WORDS) if (re.test(w)) return status;
  return undefined;
}

/** Every status word accepted, for error messages. */
export const STATUS_EXAMPLES = '现行有效, 试行, 已修订, 已废止, 失效, 征求意见稿 (or in_force, expired, repealed, not_yet, draft, unknown)';

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})$/u;

/** The day before the same date `years` later: a term of N years from 2017-07-01 ends 2020-06-30. */
export function addYearsInclusive(from: string, years: number, months = 0): string {
  const m = ISO_RE.exec(from);
  if (!m) return from;
  const total = (Number(m[1]) + years) * 12 + (Number(m[2]) - 1) + months;
  const year = Math.floor(total / 12);
  const month = total % 12;
  // The same day of the target month, clamped to its last day (31 Jan + 1 month → 28/29 Feb).
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const date = new Date(Date.UTC(year, month, Math.min(Number(m[3]), lastDay)));
  date.setUTCDate(date.getUTCDate() - 1);
  return date.toISOString().slice(0, 10);
}

const NUM = `[${DATE_NUMBER_CHARS}]{1,6}`;
/** 第N条 opening a clause's text. */
const ARTICLE_LEAD_RE = new RegExp(`^第[0-9${CHINESE_NUMERAL_CHARS}]+条\\s*`, 'u');
const DATE_SRC = `(${NUM})\\s*年\\s*(${NUM})\\s*月\\s*(${NUM})\\s*日`;

const START_RE = new RegExp(`自\\s*${DATE_SRC}\\s*起\\s*(?:施行|实施|执行|生效|试行|开始施行|正式实施)`, 'gu');
const START_ON_ISSUE_RE = /自(?:印发|发布|公布|颁布|签发)之日起(?:施行|实施|执行|生效|试行)/gu;
const TERM_RE = new RegExp(`(试行期|有效期|实施期|执行期)(?:为|限为|暂定)?\\s*(${NUM}|半)\\s*(年|个月)`, 'gu');
// The end of a term needs its keyword in the same phrase: "有效期至2027年12月31日", "有效期自…至…";
// a bare "…至2024年3月31日止" is an application window, not the document's term.
const UNTIL_RE = new RegExp(`(?:有效期|试行期|执行期|实施期)(?:为|限为|暂定)?\\s*(?:自\\s*${DATE_SRC}\\s*起?\\s*)?(?:至|到|截至)\\s*${DATE_SRC}`, 'gu');

/**
 * Names of kinds of documents: the 公文种类 of 党政机关公文处理工作条例 (第八条: 决议, 决定, 命令, 公报, 公告, 通告,
 * 意见, 通知, 通报, 报告, 请示, 批复, 议案, 函, 纪要) and the names 法规 and 规章 take (条例, 规定, 办法 —
 * 行政法规制定程序条例 第五条; 细则, 规则), with the compounds policy documents use (实施细则, 行动计划, 若干措施…).
 */
export const DOCUMENT_NOUN = '(?:实施细则|实施办法|实施方案|实施意见|行动计划|行动方案|若干措施|若干规定|若干政策|暂行办法|试行办法|办法|条例|规定|细则|规则|通知|意见|方案|规划|计划|决定|决议|纲要|措施|政策|指引|指南|标准|批复|公告|通告|命令|规范)';
/** "本办法", "本优惠办法的", "本实施细则": the document itself as a clause's subject. */
const SELF_SUBJECT_RE = new RegExp(`^本[\\u4e00-\\u9fff]{0,4}?${DOCUMENT_NOUN}(?:的)?$`, 'u');

/**
 * Where the clause or sentence holding `at` starts (just after the last of `chars` before it), for
 * every `at` from one pass: a backward scan per term was quadratic on a text of thousands of terms
 * and no punctuation (a hostile upload: 54 s at 200,000 characters).
 */
function stopsBefore(text: string, chars: string): (at: number) => number {
  let stops: Int32Array | undefined;
  return (at) => {
    if (!stops) {
      stops = new Int32Array(text.length + 1);
      for (let i = 0; i < text.length; i += 1) stops[i + 1] = chars.includes(text[i] as string) ? i + 1 : (stops[i] as number);
    }
    return stops[Math.max(0, Math.min(at, text.length))] as number;
  };
}

const CLAUSE_STOPS = '。；;\n，,：:';
const SENTENCE_STOPS = '。；;\n';

/**
 * Whether a term ("有效期5年", "有效期至2027年12月31日", "试行期三年") is the document's own: its clause names
 * the document ("本办法有效期…"), or names nothing and continues the commencement sentence ("自…起施行，
 * 有效期5年") or the sentence after it. A licence's or certificate's term ("许可证有效期为5年") is not:
 * reading those as the document's made 42 instruments in force "expired" (validity-dev.tsv).
 */
function isDocumentTerm(text: string, at: number, commencement: RegExpExecArray | undefined, stops: { clause: (at: number) => number; sentence: (at: number) => number }): boolean {
  const clauseStart = stops.clause(at);
  // A lead that can pass is a few characters (本办法, 其, 并, or nothing, spaces aside): a longer one names something else.
  if (at - clauseStart > 64) return false;
  const lead = text.slice(clauseStart, at).replace(/^[\s\u3000]+|[\s\u3000]+$/gu, '');
  if (SELF_SUBJECT_RE.test(lead)) return true;
  if (lead !== '' && lead !== '其' && lead !== '并') return false;
  if (!commencement || commencement.index > at) return false;
  const sentenceStart = stops.sentence(at);
  const previousStart = sentenceStart > 0 ? stops.sentence(sentenceStart - 1) : 0;
  return commencement.index >= previousStart;
}

/** The last match of `re` that `keep` accepts. */
function lastMatchWhere(re: RegExp, text: string, keep: (m: RegExpExecArray) => boolean): RegExpExecArray | undefined {
  let last: RegExpExecArray | undefined;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) if (keep(m)) last = m;
  return last;
}

export interface InferredValidity {
  effectiveFrom?: string;
  effectiveTo?: string;
  /** The sentence(s) the dates come from, verbatim. */
  basis?: string;
  /** Where the start comes from when the head set it (a revision, a 施行 line), not the text's own clause. */
  startBasis?: string;
}

function lastMatch(re: RegExp, text: string): RegExpExecArray | undefined {
  let last: RegExpExecArray | undefined;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) last = m;
  return last;
}

/** The clause or sentence around a match, for the basis a reader can check. */
function sentenceAround(text: string, index: number, length: number, original: string): string {
  const before = text.slice(0, index);
  const startCandidates = ['。', '；', ';', '\n'].map((c) => before.lastIndexOf(c));
  const start = Math.max(...startCandidates) + 1;
  const after = text.slice(index + length);
  const endRel = after.search(/[。；;\n]/u);
  const end = endRel < 0 ? text.length : index + length + endRel;
  // Drop a leading article number: "第二十四条 本优惠办法自…" reads as the clause itself.
  // Quote the original where normalization kept the length (offsets still line up).
  const source = original.length === text.length ? original : text;
  const piece = source.slice(start, end).trim().replace(ARTICLE_LEAD_RE, '');
  return piece.slice(0, 160);
}

/**
 * Reads when a document takes and loses effect from its own words. The last statement wins
 * (the commencement clause stands at the end; earlier "自…之日起" phrases refer to other things).
 */
export function inferValidityFromText(body: string, dateIssued?: string, revision: RevisionFacts = {}): InferredValidity {
  const text = body.normalize('NFKC');
  const out: InferredValidity = {};
  const bases: string[] = [];
  const start = lastMatch(START_RE, text);
  const onIssue = lastMatch(START_ON_ISSUE_RE, text);
  if (start && (!onIssue || start.index >= onIssue.index)) {
    const from = parseChineseDate(start[0]);
    if (from) {
      out.effectiveFrom = from;
      bases.push(sentenceAround(text, start.index, start[0].length, body));
    }
  } else if (onIssue && dateIssued) {
    out.effectiveFrom = dateIssued;
    bases.push(sentenceAround(text, onIssue.index, onIssue[0].length, body));
  }
  // A revised text took effect no earlier than its revision: its commencement clause may be the
  // original's ("本细则自2001年7月1日起施行" in the 2023 revision). The head's 施行 line, else the
  // revision's date, is the start; the clause stays quoted as the original's.
  const floor = revision.headEffective && (!revision.revised || revision.headEffective >= revision.revised) ? revision.headEffective : revision.revised;
  if (floor && (!out.effectiveFrom || out.effectiveFrom < floor)) {
    const original = bases.pop();
    const said = floor === revision.headEffective ? `题注：${chineseDate(floor)}施行` : `修订：${chineseDate(floor)}（修订后文本的施行日期未载明，以修订日期计）`;
    out.effectiveFrom = floor;
    out.startBasis = original ? `${said}；正文“${original}”为原文本的施行日期` : said;
  }
  const commencement = start && (!onIssue || start.index >= onIssue.index) ? start : onIssue;
  const stops = { clause: stopsBefore(text, CLAUSE_STOPS), sentence: stopsBefore(text, SENTENCE_STOPS) };
  const until = lastMatchWhere(UNTIL_RE, text, (m) => isDocumentTerm(text, m.index, commencement, stops));
  const term = lastMatchWhere(TERM_RE, text, (m) => isDocumentTerm(text, m.index, commencement, stops));
  if (until) {
    // The last date of the match is the end (a "自…至…" match carries the start first).
    const dates = [...until[0].matchAll(new RegExp(DATE_SRC, 'gu'))].map((d) => parseChineseDate(d[0]));
    const to = dates[dates.length - 1];
    if (to) {
      out.effectiveTo = to;
      if (!out.effectiveFrom && dates.length > 1 && dates[0]) out.effectiveFrom = dates[0];
      const s = sentenceAround(text, until.index, until[0].length, body);
      if (!bases.includes(s)) bases.push(s);
    }
  } else if (term && out.effectiveFrom) {
    // 三年, 18个月, 半年; "半个月" and other fractions of a month are not a term this reads.
    const months = term[2] === '半' ? (term[3] === '年' ? 6 : undefined) : ((n) => (n === undefined ? undefined : term[3] === '个月' ? n : n * 12))(parseNumeral(term[2] as string));
    if (months !== undefined && months > 0) {
      out.effectiveTo = addYearsInclusive(out.effectiveFrom, Math.floor(months / 12), months % 12);
      const s = sentenceAround(text, term.index, term[0].length, body);
      if (!bases.includes(s)) bases.push(s);
    }
  }
  // A term that would end before it starts was misread: keep only the start.
  if (out.effectiveFrom && out.effectiveTo && out.effectiveTo < out.effectiveFrom) delete out.effectiveTo;
  if (bases.length > 0) out.basis = bases.join('；');
  return out;
}

/** What a document's head says of the text in hand (document-facts.ts reads it). */
export interface RevisionFacts {
  /** The text in hand is a revision of this date. */
  revised?: string;
  /** A 施行 line of the head, on or after the text's date. */
  headEffective?: string;
}

/**
 * Fills validity fields the metadata leaves open from the text; stated fields always win.
 * Returns a new object (the input is not changed).
 */
export function withInferredValidity<T extends ValidityFields & { dateIssued?: string }>(meta: T, body: string, revision: RevisionFacts = {}): T {
  const inferred = inferValidityFromText(body, meta.dateIssued, revision);
  if (!inferred.effectiveFrom && !inferred.effectiveTo) return meta;
  // Stated dates win; when the text says otherwise, the basis says so too, so a reader can check.
  const conflicts = [
    meta.effectiveFrom && inferred.effectiveFrom && meta.effectiveFrom !== inferred.effectiveFrom,
    meta.effectiveTo && inferred.effectiveTo && meta.effectiveTo !== inferred.effectiveTo,
  ].some(Boolean);
  const conflict = conflicts && inferred.basis ? conflictNote(meta, inferred) : undefined;
  if (meta.effectiveFrom && meta.effectiveTo) {
    if (!conflicts || !inferred.basis) return meta;
    const note = `正文另载：${inferred.basis}`;
    const out: T = meta.validityBasis?.includes(note) ? { ...meta } : { ...meta, validityBasis: `${meta.validityBasis ? `${meta.validityBasis}；` : ''}${note}`.slice(0, 500) };
    if (conflict) out.validityConflict = conflict;
    return out;
  }
  const out: T = { ...meta };
  if (conflict) out.validityConflict = conflict;
  let filled = false;
  if (!out.effectiveFrom && inferred.effectiveFrom && (!out.effectiveTo || inferred.effectiveFrom <= out.effectiveTo)) {
    out.effectiveFrom = inferred.effectiveFrom;
    filled = true;
  }
  if (!out.effectiveTo && inferred.effectiveTo && (!out.effectiveFrom || inferred.effectiveTo >= out.effectiveFrom)) {
    out.effectiveTo = inferred.effectiveTo;
    filled = true;
  }
  if ((filled || conflicts) && (inferred.basis || inferred.startBasis)) {
    const fromText = [inferred.startBasis, inferred.basis && `${conflicts ? '正文另载' : '正文'}：${inferred.basis}`].filter(Boolean).join('；');
    if (!out.validityBasis) out.validityBasis = fromText;
    else if (!out.validityBasis.includes(fromText)) out.validityBasis = `${out.validityBasis}；${fromText}`.slice(0, 500);
  }
  return out;
}

/** "页面信息所载失效日期2029年12月6日，正文为2026年12月5日（正文：…有效期5年）". */
function conflictNote(meta: ValidityFields, inferred: InferredValidity): string {
  const source = meta.validityBasis?.startsWith('页面信息') ? '页面信息所载' : '元数据所载';
  const parts: string[] = [];
  if (meta.effectiveTo && inferred.effectiveTo && meta.effectiveTo !== inferred.effectiveTo) parts.push(`${source}失效日期${chineseDate(meta.effectiveTo)}，正文为${chineseDate(inferred.effectiveTo)}`);
  if (meta.effectiveFrom && inferred.effectiveFrom && meta.effectiveFrom !== inferred.effectiveFrom) parts.push(`${source}施行日期${chineseDate(meta.effectiveFrom)}，正文为${chineseDate(inferred.effectiveFrom)}`);
  return `${parts.join('；')}（正文：${inferred.basis ?? ''}）`.slice(0, 300);
}

/**
 * The planning period a title states: "(2016-2020年)", "（2016—2018年）", "“十三五”" (the N-th five-year
 * plan from the third on runs 1966 + 5·(N−3) to four years later: 十三五 = 2016–2020).
 */
export function titlePeriod(title: string | undefined): { from: number; to: number } | undefined {
  const t = (title ?? '').normalize('NFKC');
  const range = /((?:19|20)\d{2})\s*年?\s*[-—–~～至到]\s*((?:19|20)\d{2})\s*年/u.exec(t) ?? /[(]\s*((?:19|20)\d{2})\s*[-—–~～]\s*((?:19|20)\d{2})\s*[)]/u.exec(t);
  if (range) {
    const [from, to] = [Number(range[1]), Number(range[2])];
    return from <= to && to - from <= 20 ? { from, to } : undefined;
  }
  const plan = /十([一二三四五六七八九])五[”"]?(?:规划|计划)/u.exec(t);
  if (plan) {
    const n = 10 + ' 一二三四五六七八九'.indexOf(plan[1] as string);
    const from = 1966 + 5 * (n - 3);
    return { from, to: from + 4 };
  }
  return undefined;
}

/**
 * Judges a document's validity on `today` (YYYY-MM-DD). A stated repeal, amendment or draft
 * status stands whatever the dates say; a later version in the library supersedes it, and a
 * document of the library that repeals it repeals it, from the day they took effect; otherwise the
 * dates decide; a stated 现行有效 with no dates is in force; nothing known is `unknown`.
 */
export function judgeValidity(meta: ValidityFields, today: string): Validity {
  const stated = meta.status ? parseStatusWord(meta.status) : undefined;
  const from = meta.effectiveFrom;
  const to = meta.effectiveTo;
  const dates: Pick<Validity, 'effectiveFrom' | 'effectiveTo'> = {};
  if (from) dates.effectiveFrom = from;
  if (to) dates.effectiveTo = to;
  const basisParts: string[] = [];
  // A status the page's info box gave is already in the basis it wrote.
  if (meta.status && !(meta.validityBasis ?? '').includes(`效力状态 ${meta.status.trim()}`)) basisParts.push(`状态：${meta.status.trim()}`);
  if (meta.supersededBy) basisParts.push(`已被《${meta.supersededBy.replace(/^《|》$/gu, '')}》取代`);
  if (meta.validityBasis) basisParts.push(meta.validityBasis);
  else {
    if (from) basisParts.push(`施行日期：${chineseDate(from)}`);
    if (to) basisParts.push(`有效期至：${chineseDate(to)}`);
  }
  const period = titlePeriod(meta.title);
  const ended = period !== undefined && String(period.to) < today.slice(0, 4);
  const periodNote = period ? `规划期${period.from}—${period.to}年${ended ? '，已届满' : ''}` : undefined;
  const basis = basisParts.join('；') || (periodNote ? `${periodNote}；文件未载明施行日期或效力状态` : '文件未载明施行日期或效力状态');
  const extras: Partial<Validity> = {};
  if (meta.validityConflict) extras.conflict = meta.validityConflict;
  if (period) extras.period = { ...period, ended };
  const result = (status: ValidityStatus, evidence: ValidityEvidence, said = basis): Validity => ({ status, ...dates, basis: said, evidence, ...extras });
  // The library's own evidence, when the document was read from one: a later version, a repeal.
  // A status a person stated (现行有效) stands; the library's evidence against it is said as a conflict.
  const statedInForce = stated === 'in_force' || stated === 'trial';
  const lineage = meta.lineage;
  if (statedInForce && (lineage?.supersededBy || lineage?.repealedBy)) {
    const other = lineage.supersededBy ? `知识库中另有新版本《${lineage.supersededBy.title}》` : `知识库中《${lineage.repealedBy?.title ?? ''}》载明废止本文件`;
    extras.conflict = extras.conflict ? `${extras.conflict}；${other}` : other;
  }
  const next = statedInForce ? undefined : lineage?.supersededBy && (!lineage.supersededBy.from || today >= lineage.supersededBy.from) ? lineage.supersededBy : undefined;
  const repealer = statedInForce ? undefined : lineage?.repealedBy && (!lineage.repealedBy.from || today >= lineage.repealedBy.from) ? lineage.repealedBy : undefined;
  if (stated === 'draft') return result('draft', 'stated');
  if (stated === 'repealed' || stated === 'amended' || meta.supersededBy) return result('repealed', 'stated');
  if (next) return { ...result('superseded', 'version', [`已被新版本取代：《${next.title}》${next.date ? `（${chineseDate(next.date)}）` : ''}`, basis].join('；')), supersededBy: next.docId };
  if (repealer) return { ...result('repealed', 'repeal', [`已被《${repealer.title}》${repealer.clause ?? ''}废止：“${repealer.sentence.slice(0, 120)}”`, basis].join('；')), repealedBy: repealer.docId };
  if (stated === 'expired') return result('expired', 'stated');
  if (from && today < from) return result('not_yet', 'dates');
  if (to && today > to) return result('expired', 'expiry');
  if (stated === 'not_yet' && !from) return result('not_yet', 'stated');
  // No status from a guess: in force by what the text states, with no repeal known to the library.
  const unknownToLibrary = lineage ? '；知识库中未见废止或新版本' : '';
  if (stated === 'in_force' || stated === 'trial') return result('in_force', 'stated', basis + unknownToLibrary);
  if (from || to) return result('in_force', to ? 'expiry' : 'dates', basis + unknownToLibrary);
  return result('unknown', 'none', basis + unknownToLibrary);
}

/** What is said of a period a title states once it has ended (a plan's 2016—2020年): a fact of the title, no legal status. */
export function periodEnded(period: { from: number; to: number }): string {
  return `所定期限为${period.from}—${period.to}年，已届满；文件未载明效力状态，引用前请核对是否仍在执行`;
}

/** The noun a warning uses for a document: 该办法, 该条例, 该通知… (该文件 when the title says none). */
function documentNoun(title: string | undefined): string {
  const t = (title ?? '').replace(/[（(][^）)]*[）)]\s*$/u, '');
  const m = /(办法|条例|规定|细则|通知|意见|方案|规划|计划|决定|纲要|规则|措施|指引|标准|批复|公告|通告)$/u.exec(t);
  return `该${m ? m[1] : '文件'}`;
}

/**
 * A warning for an answer that cites a document not in force, e.g.
 * "注意：该办法自2017年7月1日起实施，试行期三年，已于2020年6月30日届满"; for a status unknown, the end of a plan's
 * period its title states ("注意：该计划规划期为2016—2018年，已届满…"); undefined when in force, or unknown otherwise.
 */
export function validityNote(v: Validity, title?: string): string | undefined {
  const noun = documentNoun(title);
  const fromText = v.effectiveFrom ? `自${chineseDate(v.effectiveFrom)}起施行` : '';
  const textual = /正文：([^；]+)/u.exec(v.basis)?.[1];
  const said = textual ? textual.replace(/^本[^自]{0,12}(?=自)/u, '').replace(/[。；]+$/u, '') : fromText;
  switch (v.status) {
    case 'expired':
      return `注意：${noun}${said ? `${said}，` : ''}${v.effectiveTo ? `已于${chineseDate(v.effectiveTo)}届满` : '已失效'}`;
    case 'repealed':
      return `注意：${noun}已废止或被修订（${v.basis}），引用前请核对现行文本`;
    case 'superseded':
      return `注意：${noun}已被新版本取代（${(v.basis.split('；')[0] ?? '').replace(/^已被新版本取代：/u, '')}），所引为旧文本，引用前请核对现行文本`;
    case 'not_yet':
      return `注意：${noun}尚未施行${v.effectiveFrom ? `，将自${chineseDate(v.effectiveFrom)}起施行` : ''}`;
    case 'draft':
      return `注意：${noun}为征求意见稿或草案，不具效力`;
    case 'unknown':
      // A plan whose title states a period that has ended (行动计划(2016—2018年)): said, without inventing a legal status.
      return v.period?.ended ? `注意：${noun}${periodEnded(v.period)}` : undefined;
    default:
      return undefined;
  }
}
