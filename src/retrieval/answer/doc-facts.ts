/**
 * Questions about a document itself — 还有效吗, 废止了吗, 什么时候施行, 有效期到什么时候, 文号是多少,
 * 发文机关/谁发的, 印发日期, 依据什么文件 — answered from the document's facts (metadata, judged
 * validity) with the evidence cited: the clause or line of the body that states the fact (the 施行
 * clause, the 文号 line, the 根据《…》 sentence, the repealing clause), or, when only the metadata
 * (a source page's info box, what was stated on upload) gives it, a citation that says so.
 * Pure: question, documents and date in; lines, their sources and the outcome out.
 */
import type { ValidMeta } from '../../corpus/document.js';
import { findRepeals } from '../../corpus/document-facts.js';
import { historyHead } from '../../corpus/history.js';
import type { SectionNode } from '../../corpus/parser.js';
import { chineseDate, inferValidityFromText, judgeValidity, type Validity } from '../../corpus/validity.js';
import { CHINESE_DIGITS, toChineseNumeral } from '../../shared/numerals.js';
import { VALIDITY_LABELS } from '../presenter.js';
import type { Span } from './units.js';

export type DocFactKind = 'validity' | 'effectiveFrom' | 'effectiveTo' | 'docNumber' | 'issuer' | 'dateIssued' | 'basis' | 'title' | 'period' | 'addressees' | 'versions';

export interface DocFactAsk {
  kind: DocFactKind;
  /** The question asks about an earlier document the one named replaced (原来的办法还有效吗). */
  earlier: boolean;
  /** The question points at its document by a demonstrative (这个, 该, 这次) rather than by name. */
  demonstrative: boolean;
  /** The words the ask stands on (燃气管理条例 in 燃气管理条例什么时候施行): a document's name, maybe a partial one. */
  subject?: string;
  /** Other facts the same question asks of the document (还有效吗？什么时候开始实施的: effectiveFrom beside validity). */
  also?: DocFactKind[];
}

/**
 * The question forms of each fact, as people ask them: the forms issue 20 (item 3) lists and their
 * everyday variants in general Chinese (管用/作数 for 有效, 啥时候/哪天 for 什么时候; 施行/实施/执行/
 * 生效 are the commencement verbs of Chinese legislative drafting, "本法自…起施行"). Read in the order the
 * question writes them; two matching at one place, in this order (有效期到什么时候 is the end of the term, not validity).
 */
const FACT_FORMS: readonly (readonly [DocFactKind, RegExp])[] = [
  ['effectiveTo', /有效期(?:是)?(?:到|至|截至|截止)?(?:什么时候|啥时候|何时|哪天|哪一天|哪年|几时|多久|多长|几年|为止)|(?:什么时候|啥时候|何时|哪天|哪年)(?:到期|失效|届满|截止|过期)|(?:失效|到期|届满)(?:日期|时间)/u],
  ['effectiveFrom', /(?:什么时候|啥时候|何时|哪天|哪一天|几号|哪年|从哪天|从什么时候|从何时|自何时)(?:开始|起)?(?:正式)?(?:施行|实施|执行|生效|实行)|(?:施行|实施|生效)(?:日期|时间)/u],
  ['validity', /(?:还|仍|仍然|现在|目前|是否|是不是)?(?:有效|管用|作数|算数|现行有效)(?:吗|么|嘛|没有|不|呢|？|\?|$)|(?:失效|废止|作废|过期|撤销|被替代|被取代)了?(?:吗|么|没有|没|呢)|效力(?:如何|怎样|怎么样|状态|是什么)|是否(?:有效|失效|废止|现行)|有效期(?:内|之内|以内)(?:(?:吗|么|嘛|呢|没有|没)(?:[？?，,。]|$)|[？?]?$)/u],
  ['docNumber', /文号|发文字号|发文号/u],
  ['issuer', /是[\p{Script=Han}]{0,10}?(?:国务院|中央|部|委|厅|局|办|政府|人大|常委会|办公室|院|署)(?:发|印发|发布|出)的还是[\p{Script=Han}]{0,10}?(?:国务院|中央|部|委|厅|局|办|政府|人大|常委会|办公室|院|署)(?:发|印发|发布|出)的|发文机关|发文单位|发布机关|制定机关|印发机关|(?:是)?谁(?:发|印发|发布|制定|颁布|出台|下发)的|(?:哪个|什么|哪家|哪一个)(?:部门|单位|机关|机构)(?:发|印发|发布|制定|颁布|出台|下发)的|由谁(?:发布|印发|制定|颁布|出台)/u],
  ['dateIssued', /(?:印发|发文|发布|成文|颁布|公布|出台)(?:日期|时间)|(?:什么时候|啥时候|何时|哪天|哪年|哪一年)(?:发|印发|发布|出台|颁布|公布|下发|出)的/u],
  ['basis', /(?:依据|根据|按照)(?:的是|是)?(?:国家|中央|国务院|省里|省|市里|上级|上面)?(?:的)?(?:什么|哪些|哪个|哪部|哪几)(?:文件|法律|法规|规定|上位法)?|制定依据|上位法/u],
  // The full title (全称叫什么), the years a plan covers (管的是哪几年, 管到哪一年), whom a notice is sent to (主送机关:
  // 下发给了哪些单位) — the parts of a 公文 《党政机关公文格式》(GB/T 9704) names: 标题, 主送机关.
  ['title', /全称|全名|完整(?:的)?(?:名称|标题|名字)|标题是什么|(?:叫|是)什么名字|名称是什么|是(?:什么|哪个|哪份)文件/u],
  ['period', /管(?:的是)?哪几年|管到(?:哪一?年|什么时候)|(?:规划|计划|实施|行动)(?:期|期限|年限)(?:是)?(?:多久|多长|哪几年|几年|从哪年到哪年)|覆盖(?:哪几年|哪些年)|是哪几年的/u],
  ['addressees', /(?:下发|发给|印发给|发送给?|主送|下达)(?:给)?了?(?:哪些|谁|哪几个)(?:单位|部门|机关|地方)?|主送(?:机关|单位)|收文(?:单位|机关)|发给了谁/u],
  // Which text of an amended instrument is in force (现在用的是哪一版, 最新版是哪年的, 修改过几次): a law's 修订 and 修正
  // (立法法 第六十八条 ff.) each give a new text, and a library may hold several.
  ['versions', /(?:现在|目前|如今|现行)?(?:用|适用|执行|施行|实行)?的?是?(?:哪一?版|哪一?个版本|什么版本)|最新(?:的)?(?:一)?(?:版本?|文本)|(?:修订|修改|修正)(?:过)?(?:几|多少)次|有(?:几|多少)个版本/u],
];

/**
 * What a document is called when a question points at it: the kinds of 公文 in 《党政机关公文处理工作条例》
 * 第八条 (决定, 命令/令, 公告, 通告, 意见, 通知, 通报, 批复, 函, 纪要…), the forms of legislation in
 * 《立法法》 and 《规章制定程序条例》 (法, 条例, 规定, 办法, 细则, 规则), plan forms (规划, 计划, 方案,
 * 纲要, 措施) and the generic nouns (文件, 政策, 法规, 规章, 文).
 */
export const DOCUMENT_NOUNS = '决议|决定|命令|令|公报|公告|通告|意见|通知|通报|批复|复函|函|纪要|法|条例|规定|办法|细则|规则|规划|计划|方案|纲要|措施|文件|政策|法规|规章|本文|该文|原文件';
const DOCUMENT_NOUN_RE = new RegExp(`(?:${DOCUMENT_NOUNS})$`, 'u');
/** Words that point back at a document (这个办法, 该条例, 这次调价 — the act the document is). */
export const DEMONSTRATIVE_RE = /这个|这份|这部|这项|这次|本次|此次|该|此|它|上述|上面(?:那个|这个)?/u;
/** An earlier document the named one replaced: 原来的办法, 旧办法, 以前那个规定. */
const EARLIER_RE = /原来|原先|以前|之前|旧(?:的|版)?|老(?:的|版)|上一版|原(?=[\u4e00-\u9fff]{0,8}(?:办法|细则|条例|规定|通知|文件))/u;
/**
 * A document another one refers to (《中山…计划》引用的本市行动计划文号): its facts are in the citing
 * document's text, not in its own metadata — the clauses answer it.
 */
const REFERRED_RE = /引用|提到|提及|援引|转发|所附|附件|涉及|列出|所列/u;
/** A question that asks which document (哪份文件, 哪个文件, 什么文件): it identifies one, it does not name one. */
const IDENTIFY_RE = /哪(?:份|个|部|项|一份|一个)(?:文件|规定|通知|政策|法规)|哪一?份|什么文件/u;
/** Filler between the subject and the asked fact: 的, 现在, 还, 是, 目前… */
const BETWEEN_RE = /(?:的|了|是|现在|目前|如今|还|仍然|仍|已经|都|从|自|在|主要|当初|最初|具体|，|,|\s)+$/u;

/**
 * Whether the question asks a fact of a document itself, and which. The asked form must stand on a
 * document: right after a document noun (…通知的文号, …条例现在还有效吗), a name (`names`: the words
 * that named documents in it), a 文号 or 》, or a demonstrative (这次调价从哪天开始执行), or open the
 * question (文号是多少？, a follow-up). "许可证是谁发的" asks about a licence, not the document.
 */
export function docFactQuestion(question: string, names: readonly string[] = []): DocFactAsk | undefined {
  const q = question.normalize('NFKC').trim();
  // The forms the question writes, in the order it writes them (还有效吗？什么时候开始实施的: validity first); at one place,
  // in FACT_FORMS's order. The first whose subject is a document decides; the others are asked too (`also`).
  const asked = FACT_FORMS.flatMap(([kind, re], order) => {
    const m = re.exec(q);
    return m ? [{ kind, m, order }] : [];
  }).sort((a, b) => a.m.index - b.m.index || a.order - b.order);
  for (const { kind, m } of asked) {
    const before = q.slice(0, m.index);
    // The subject is the last clause before the ask (广州这个细则出台后，原来2019年的办法还有效吗); an
    // ask opening its own clause (…，文号是多少) stands on the clause before it.
    const clauses = before.split(/[，,；;。？?！!]/u);
    let clause = clauses.pop() ?? '';
    if (clause.replace(BETWEEN_RE, '') === '' && clauses.length > 0) clause = clauses.pop() ?? '';
    // That clause may ask a fact of its own (东莞大数据规划什么时候出的，现在还管用吗): its subject is what comes before that ask.
    const inner = Math.min(...FACT_FORMS.map(([, r]) => r.exec(clause)?.index ?? clause.length));
    if (inner > 0) clause = clause.slice(0, inner);
    // "…是哪份文件批准设立的，文号是多少": the document is what the question asks to find, not one it names.
    if (IDENTIFY_RE.test(clause)) continue;
    const subject = clause.replace(BETWEEN_RE, '');
    const demonstrative = DEMONSTRATIVE_RE.test(before);
    const named = DOCUMENT_NOUN_RE.test(subject) || /[》〕\]号]$/u.test(subject) || names.some((n) => n.length > 0 && subject.toLowerCase().endsWith(n.toLowerCase()));
    // A title, a period, addressees or versions are asked of a document written as one (…文件全称叫什么, …计划管的是哪几年),
    // not of whatever a pointer points at (这个补贴发给谁, 这个补贴有几个版本的申请表); 是什么文件 only of a 文号 or a 《title》.
    const strict = kind === 'title' || kind === 'period' || kind === 'addressees' || kind === 'versions';
    if (kind === 'title' && /文件$/u.test(m[0]) && !/[》〕\]号]$/u.test(subject)) continue;
    const stands = subject === '' || named || (!strict && demonstrative);
    if (REFERRED_RE.test(subject)) return undefined;
    // Not on a document: another form of the question may be (…还有效吗？什么时候开始实施的).
    if (!stands) continue;
    const ask: DocFactAsk = { kind, earlier: EARLIER_RE.test(clause), demonstrative };
    if (subject !== '') ask.subject = subject;
    const also = asked.filter((a) => a.kind !== kind).map((a) => a.kind);
    if (also.length > 0) ask.also = also;
    return ask;
  }
  return undefined;
}

/** A document a fact is read from. */
export interface FactDocument {
  meta: ValidMeta;
  body: string;
  tree: SectionNode;
}

/** What a line of a fact answer cites: a span of a document's body, or its metadata only. */
export interface FactSource {
  docId: string;
  /** The sentence or line of the body that states the fact; absent when only the metadata gives it. */
  span?: Span;
  fact: CitationFact;
}

/** What a citation of a fact says about it (set on answers to questions about a document). */
export interface CitationFact {
  kind: DocFactKind;
  /** The fact as stated: 南发改规〔2025〕4号, 2026-01-01, 现行有效… */
  value: string;
  /** `text`: the quote states it; `metadata`: only the document's metadata does (the quote is empty). */
  source: 'text' | 'metadata';
  /** For a metadata fact: where it came from, shown in place of a quote. */
  note?: string;
}

export interface FactLine {
  text: string;
  source?: FactSource;
}

export interface DocFactResult {
  outcome: 'answer' | 'related';
  /** For `related`: one line naming what is missing. */
  missing?: string;
  lines: FactLine[];
}

const METADATA_NOTE = '取自文件元数据（来源页面信息框或添加文件时填写的信息），正文未载明';

/** The offset of `needle` in `body`, brackets and full-width forms compared loosely; -1 when absent. */
function findLoose(body: string, needle: string, from: 'first' | 'last' = 'first'): number {
  const fold = (s: string): string => s.replace(/[〔［【（(]/gu, '[').replace(/[〕］】）)]/gu, ']').replace(/[０-９]/gu, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
  const hay = fold(body);
  const n = fold(needle);
  return from === 'first' ? hay.indexOf(n) : hay.lastIndexOf(n);
}

/**
 * The last place the body writes this date, as documents write it: 2021年12月6日, 2018 年 3 月 22 日,
 * 2021年12月06日, 二〇二一年十二月六日 (the signature's date stands last).
 */
function findDate(body: string, iso: string): Span | undefined {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const year = [...String(y)].map((c) => (c === '0' ? '[〇零]' : CHINESE_DIGITS[Number(c)])).join('');
  const arabic = new RegExp(`${y}\\s*年\\s*0?${m}\\s*月\\s*0?${d}\\s*日`, 'gu');
  const chinese = new RegExp(`${year}年${toChineseNumeral(m)}月${toChineseNumeral(d)}日`, 'gu');
  let last: Span | undefined;
  for (const re of [arabic, chinese]) for (const match of body.matchAll(re)) if (!last || (match.index as number) > last.start) last = { start: match.index as number, end: (match.index as number) + match[0].length };
  return last;
}

/** The line of the body around [at, at + length): where a 文号, a signature or a date stands. */
function lineAround(body: string, at: number, length: number): Span {
  const start = body.lastIndexOf('\n', at) + 1;
  const nl = body.indexOf('\n', at + length);
  const end = nl < 0 ? body.length : nl;
  // A scraped page has no line breaks: keep to the sentence.
  if (end - start > 200) {
    const s = Math.max(start, ...['。', '；', ' '].map((c) => body.lastIndexOf(c, at) + 1));
    const e = [...'。； '].map((c) => body.indexOf(c, at + length)).filter((i) => i >= 0);
    const stop = e.length > 0 ? Math.min(...e) : Math.min(body.length, at + length + 100);
    return { start: s, end: body[stop] === ' ' ? stop : stop + 1 };
  }
  return { start, end };
}

/** The body sentences the validity dates come from (the 施行 clause, the 有效期 sentence), located. */
function validitySpans(doc: FactDocument): Span[] {
  const basis = inferValidityFromText(doc.body, doc.meta.dateIssued).basis;
  if (!basis) return [];
  const out: Span[] = [];
  for (const piece of basis.split('；')) {
    const at = doc.body.indexOf(piece);
    if (at >= 0 && piece.length > 0) out.push({ start: at, end: at + piece.length });
  }
  return out;
}

const cn = chineseDate;
/** A fact the document does not state: the line cites the document itself (its metadata), saying so. */
const unstated = (doc: FactDocument, kind: DocFactKind, text: string, missing: string): DocFactResult => ({
  outcome: 'related',
  missing,
  lines: [{ text, source: { docId: doc.meta.docId, fact: { kind, value: '未载明', source: 'metadata', note: '文件元数据与正文均未载明' } } }],
});
const metaSource = (doc: FactDocument, kind: DocFactKind, value: string, note = METADATA_NOTE): FactSource => ({ docId: doc.meta.docId, fact: { kind, value, source: 'metadata', note } });
const textSource = (doc: FactDocument, kind: DocFactKind, value: string, span: Span): FactSource => ({ docId: doc.meta.docId, span, fact: { kind, value, source: 'text' } });

/** Validity as the page and exports say it; a draft's answer adds that it has no force. */
const STATUS_TEXT: Record<Validity['status'], string> = { ...VALIDITY_LABELS, draft: '征求意见稿（不具效力）' };

/**
 * Where a validity judgement comes from: the 施行/有效期 sentence when the dates it was judged on are
 * the ones the text gives, else the metadata (a source page's box, a stated status) with its basis.
 */
function validitySource(doc: FactDocument, v: Validity, spans: readonly Span[]): FactSource {
  const value = STATUS_TEXT[v.status];
  const inText = inferValidityFromText(doc.body, doc.meta.dateIssued);
  const same = (inText.effectiveFrom ?? v.effectiveFrom) === v.effectiveFrom && (inText.effectiveTo ?? v.effectiveTo) === v.effectiveTo && (inText.effectiveFrom !== undefined || inText.effectiveTo !== undefined);
  const fromText = spans[0] && same && !doc.meta.status && !doc.meta.supersededBy;
  return fromText ? textSource(doc, 'validity', value, spans[spans.length - 1] as Span) : metaSource(doc, 'validity', value, `依据：${v.basis}`);
}

function validityLines(doc: FactDocument, today: string, lookup: (titleOrNumber: string) => FactDocument | undefined): DocFactResult {
  const t = `《${doc.meta.title}》`;
  const v = judgeValidity(doc.meta, today);
  const spans = validitySpans(doc);
  const asOf = `（按${cn(today)}判断）`;
  const from = v.effectiveFrom ? `自${cn(v.effectiveFrom)}起施行` : '';
  const lines: FactLine[] = [];
  switch (v.status) {
    case 'in_force':
      lines.push({ text: `${t}现行有效${from ? `：${from}` : ''}${v.effectiveTo ? `，有效期至${cn(v.effectiveTo)}` : ''}${asOf}。`, source: validitySource(doc, v, spans) });
      break;
    case 'expired':
      lines.push({ text: `${t}已失效${from ? `：${from}` : ''}${v.effectiveTo ? `，有效期至${cn(v.effectiveTo)}，已届满` : ''}${asOf}。`, source: validitySource(doc, v, spans) });
      break;
    case 'not_yet':
      lines.push({ text: `${t}尚未施行${v.effectiveFrom ? `，将${from}` : ''}${asOf}。`, source: validitySource(doc, v, spans) });
      break;
    case 'superseded': {
      // A later version of the same instrument in the library took effect (corpus/lineage.ts): this text is no longer
      // the one in force, whatever its own 施行 clause says.
      const next = doc.meta.lineage?.supersededBy;
      const when = next?.from ?? next?.date;
      const own = doc.meta.dateIssued ? `（${cn(doc.meta.dateIssued)}文本）` : '';
      lines.push({ text: `${t}${own}已被新版本取代${next ? `：现行文本为《${next.title}》${next.date ? `（${cn(next.date)}）` : ''}${when ? `，自${cn(when)}起施行` : ''}` : ''}，引用请以新版本为准${asOf}。`, source: metaSource(doc, 'validity', STATUS_TEXT.superseded, `依据：${v.basis}`) });
      break;
    }
    case 'draft':
      lines.push({ text: `${t}为征求意见稿或草案，不具效力。`, source: metaSource(doc, 'validity', STATUS_TEXT.draft, `依据：${v.basis}`) });
      break;
    case 'repealed': {
      // The repealing clause, when the repealing document is in the library.
      const by = doc.meta.supersededBy ? lookup(doc.meta.supersededBy) : undefined;
      const repeal = by ? findRepeals(by.body).find((r) => r.title === doc.meta.title || (doc.meta.docNumber !== undefined && r.docNumber === doc.meta.docNumber)) : undefined;
      const at = by && repeal ? by.body.indexOf(repeal.sentence) : -1;
      const text = `${t}已废止${doc.meta.supersededBy ? `，已被《${doc.meta.supersededBy.replace(/^《|》$/gu, '')}》废止或取代` : ''}。`;
      lines.push({ text, source: by && repeal && at >= 0 ? textSource(by, 'validity', STATUS_TEXT.repealed, { start: at, end: at + repeal.sentence.length }) : metaSource(doc, 'validity', STATUS_TEXT.repealed, `依据：${v.basis}`) });
      break;
    }
    default: {
      // A plan whose title states its years (2016-2020年, “十三五”): that they have ended is a fact of the title, no status.
      const period = v.period?.ended ? v.period : undefined;
      return {
        outcome: 'related',
        missing: `${t}的效力状态：文件未载明施行日期、有效期或废止情况`,
        lines: [{ text: `${t}未载明施行日期、有效期或效力状态，无法据此判断其现在是否有效${period ? `；标题所定期限为${period.from}—${period.to}年，已届满，引用前请核对是否仍在执行` : ''}${doc.meta.dateIssued ? `；该文件于${cn(doc.meta.dateIssued)}印发` : ''}。`, source: metaSource(doc, 'validity', STATUS_TEXT.unknown, `依据：${v.basis}`) }],
      };
    }
  }
  // The text and the source page's info box disagree (有效期5年 against 失效日期 2029-12-06): say so, citing the text.
  const inText = inferValidityFromText(doc.body, doc.meta.dateIssued);
  const span = spans[spans.length - 1];
  if (span && ((inText.effectiveTo && inText.effectiveTo !== v.effectiveTo) || (inText.effectiveFrom && inText.effectiveFrom !== v.effectiveFrom))) {
    const to = inText.effectiveTo;
    lines.push({ text: `注意：正文所载与文件元数据不一致${to ? `，按正文有效期至${cn(to)}${today > to ? '，已届满' : ''}` : ''}，引用前请核对。`, source: to ? textSource(doc, 'effectiveTo', to, span) : textSource(doc, 'validity', STATUS_TEXT[v.status], span) });
  }
  return { outcome: 'answer', lines };
}

/** The lines of a text's head stating its history (1991年9月4日…通过 … 2024年4月26日…第二次修正): their span in the body. */
function historySpan(body: string): Span | undefined {
  const head = historyHead(body);
  const at = head === '' ? -1 : body.indexOf(head);
  const first = /(?:19|20)[0-9]{2}\s*年/u.exec(head);
  if (at < 0 || !first) return undefined;
  return { start: at + first.index, end: at + head.trimEnd().length };
}

/**
 * 现在用的是哪一版: the versions of the instrument the library holds (corpus/lineage.ts), oldest first, the latest
 * judged on the day, and the promulgation and amendments its head states (cited from the head).
 */
function versionsLines(doc: FactDocument, today: string, lookup: (titleOrNumber: string) => FactDocument | undefined): DocFactResult {
  const t = `《${doc.meta.title}》`;
  const versions = doc.meta.lineage?.versions ?? [];
  const latestId = versions.length > 1 ? (versions[versions.length - 1] as { docId: string }).docId : doc.meta.docId;
  const latest = latestId === doc.meta.docId ? doc : (lookup(latestId) ?? doc);
  const lines: FactLine[] = [];
  if (versions.length > 1) {
    const list = versions.map((v) => (v.date ? `${cn(v.date)}文本` : `《${v.title}》`)).join('、');
    lines.push({ text: `知识库中${t}有${versions.length}个版本：${list}。`, source: metaSource(doc, 'versions', `${versions.length}个版本`, '依据：知识库中同一法规的各个文本（按标题与日期识别）') });
  }
  const textOf = (d: FactDocument): string => (d.meta.dateIssued ? `${cn(d.meta.dateIssued)}文本` : '现有文本');
  if (latest.meta.docId === latestId) {
    const v = judgeValidity(latest.meta, today);
    const opening = versions.length > 1 ? `最新的是${textOf(latest)}` : `知识库中${t}只有一个文本（${textOf(latest)}）`;
    lines.push({ text: `${opening}，${STATUS_TEXT[v.status]}${v.effectiveFrom ? `，自${cn(v.effectiveFrom)}起施行` : ''}（按${cn(today)}判断）。`, source: metaSource(latest, 'validity', STATUS_TEXT[v.status], `依据：${v.basis}`) });
  } else {
    // The latest version is not among the documents read: what the lineage says of it.
    const last = versions[versions.length - 1] as { title: string; date?: string };
    lines.push({ text: `最新的是${last.date ? `${cn(last.date)}文本` : `《${last.title}》`}。` });
  }
  // The history the text asked about states (2020年的…修改过几次: that text's head, not the latest's).
  const history = doc.meta.history ?? [];
  if (history.length > 1) {
    const events = history.map((h) => `${cn(h.date)}${h.ordinal ? `第${toChineseNumeral(h.ordinal)}次` : ''}${h.action}`).join('，');
    const span = historySpan(doc.body);
    const which = versions.length > 1 ? textOf(doc) : '该文本';
    lines.push({ text: `${which}载明：${events}。`, source: span ? textSource(doc, 'versions', events, span) : metaSource(doc, 'versions', events) });
  }
  return { outcome: 'answer', lines };
}

/** 原来的办法还有效吗: the documents the named one repeals, from its repealing clause. */
function earlierLines(doc: FactDocument, question: string): DocFactResult {
  const t = `《${doc.meta.title}》`;
  const repeals = findRepeals(doc.body);
  const years = [...question.normalize('NFKC').matchAll(/(\d{4})\s*年/gu)].map((m) => m[1] as string);
  const pick = repeals.find((r) => years.some((y) => `${r.title}${r.docNumber ?? ''}`.includes(y))) ?? repeals[0];
  if (!pick) return unstated(doc, 'validity', `${t}没有写明废止哪份原有文件，无法据此判断原文件是否有效。`, `${t}没有废止其他文件的条文`);
  const at = doc.body.indexOf(pick.sentence);
  const name = `《${pick.title}》${pick.docNumber ? `（${pick.docNumber}）` : ''}`;
  return {
    outcome: 'answer',
    lines: [{ text: `${name}已废止：${t}施行时同时废止该文件。`, ...(at >= 0 ? { source: textSource(doc, 'validity', STATUS_TEXT.repealed, { start: at, end: at + pick.sentence.length }) } : {}) }],
  };
}

function effectiveFromLines(doc: FactDocument): DocFactResult {
  const t = `《${doc.meta.title}》`;
  const from = doc.meta.effectiveFrom;
  if (!from) return unstated(doc, 'effectiveFrom', `${t}未载明施行日期${doc.meta.dateIssued ? `；该文件于${cn(doc.meta.dateIssued)}印发` : ''}。`, `${t}的施行日期：文件未载明`);
  const span = validitySpans(doc)[0];
  const inText = inferValidityFromText(doc.body, doc.meta.dateIssued).effectiveFrom;
  // The text's 施行 clause and the metadata disagree (an amended law keeps 本条例自2015年6月1日起施行; the source gives the
  // amendment's date): both, each cited, never one stated as the other's.
  if (span && inText && inText !== from) {
    return {
      outcome: 'answer',
      lines: [
        { text: `${t}正文写明自${cn(inText)}起施行。`, source: textSource(doc, 'effectiveFrom', inText, span) },
        { text: `注意：文件元数据所载施行日期为${cn(from)}（修改后的文本常以修改决定的施行日期为准），与正文不一致，引用前请核对。`, source: metaSource(doc, 'effectiveFrom', from, `依据：${doc.meta.validityBasis ?? '文件元数据'}`) },
      ],
    };
  }
  return { outcome: 'answer', lines: [{ text: `${t}自${cn(from)}起施行。`, source: span && !/信息框/u.test(doc.meta.validityBasis ?? '') ? textSource(doc, 'effectiveFrom', from, span) : metaSource(doc, 'effectiveFrom', from) }] };
}

function effectiveToLines(doc: FactDocument, today: string): DocFactResult {
  const t = `《${doc.meta.title}》`;
  const v = judgeValidity(doc.meta, today);
  if (!v.effectiveTo) return unstated(doc, 'effectiveTo', `${t}未载明有效期或失效日期${v.status === 'in_force' ? '，现行有效' : ''}。`, `${t}的有效期：文件未载明有效期或失效日期`);
  const spans = validitySpans(doc);
  const span = spans[spans.length - 1];
  const inText = inferValidityFromText(doc.body, doc.meta.dateIssued).effectiveTo;
  const ended = (to: string): string => (today > to ? '，已届满' : '');
  // The text states this end (有效期5年 from its start): its sentence is the evidence.
  if (span && inText === v.effectiveTo) return { outcome: 'answer', lines: [{ text: `${t}有效期至${cn(v.effectiveTo)}${ended(v.effectiveTo)}。`, source: textSource(doc, 'effectiveTo', v.effectiveTo, span) }] };
  const lines: FactLine[] = [{ text: `${t}有效期至${cn(v.effectiveTo)}${ended(v.effectiveTo)}（据文件元数据）。`, source: metaSource(doc, 'effectiveTo', v.effectiveTo, `依据：${v.basis}`) }];
  // The source page's box and the text disagree (失效日期 2029-12-06 against 有效期5年): both, each cited.
  if (span && inText) lines.push({ text: `注意：正文所载与此不一致，按正文应至${cn(inText)}${ended(inText)}，引用前请核对。`, source: textSource(doc, 'effectiveTo', inText, span) });
  return { outcome: 'answer', lines };
}

function docNumberLines(doc: FactDocument): DocFactResult {
  const t = `《${doc.meta.title}》`;
  const number = doc.meta.docNumber;
  if (!number) return unstated(doc, 'docNumber', `${t}未载明文号。`, `${t}的文号：知识库中该文件未载明文号`);
  const at = findLoose(doc.body, number);
  return { outcome: 'answer', lines: [{ text: `${t}的文号是${number}。`, source: at >= 0 ? textSource(doc, 'docNumber', number, lineAround(doc.body, at, number.length)) : metaSource(doc, 'docNumber', number) }] };
}

function issuerLines(doc: FactDocument): DocFactResult {
  const t = `《${doc.meta.title}》`;
  const issuer = doc.meta.issuer.trim();
  if (!issuer) return unstated(doc, 'issuer', `${t}未载明发文机关。`, `${t}的发文机关：知识库中该文件未载明`);
  // The signature above the date at the end, else the first mention (head note, red header).
  const tail = doc.body.length - 400;
  const last = findLoose(doc.body, issuer, 'last');
  const at = last >= Math.max(0, tail) ? last : findLoose(doc.body, issuer);
  return { outcome: 'answer', lines: [{ text: `${t}由${issuer}发布。`, source: at >= 0 ? textSource(doc, 'issuer', issuer, lineAround(doc.body, at, issuer.length)) : metaSource(doc, 'issuer', issuer) }] };
}

function dateIssuedLines(doc: FactDocument): DocFactResult {
  const t = `《${doc.meta.title}》`;
  const date = doc.meta.dateIssued;
  if (!date) return unstated(doc, 'dateIssued', `${t}未载明印发日期。`, `${t}的印发日期：知识库中该文件未载明`);
  const at = findDate(doc.body, date);
  return { outcome: 'answer', lines: [{ text: `${t}于${cn(date)}印发。`, source: at ? textSource(doc, 'dateIssued', date, lineAround(doc.body, at.start, at.end - at.start)) : metaSource(doc, 'dateIssued', date) }] };
}

/** The sentence that names what a document is made under: 根据《…》…制定本办法. */
const BASIS_RE = /(?:根据|依据|按照|依照|为贯彻落实|贯彻落实|为贯彻)[^。；]{0,300}?《[^》]{2,100}》[^。]{0,300}?(?:制定|制订|结合|现就|特)[^。]{0,120}[。：:]?/u;
/** …or lists them as its basis: 本规划的主要编制依据有《…》、《…》. */
const BASIS_LIST_RE = /(?:编制|制定|主要)依据(?:主要)?(?:有|是|为|包括)[:：]?[^。]{0,600}?《[^》]{2,100}》[^。]*。?/u;
/** …or names no document but what it follows: 按照党中央、国务院部署要求，制定本规划. */
const BASIS_PLAIN_RE = /(根据|依据|按照|依照)([^。；，,]{2,80})[，,]?[^。；]{0,40}?(?:制定|制订)本(?:办法|规划|方案|计划|意见|细则|规定|条例|通知|决定|措施)/u;

function basisLines(doc: FactDocument): DocFactResult {
  const t = `《${doc.meta.title}》`;
  const head = doc.body.slice(0, 6000);
  const m = BASIS_RE.exec(head) ?? BASIS_LIST_RE.exec(head);
  if (m) {
    // Each title with the 文号 the sentence gives it (《…》(国发〔2015〕50号)).
    const titles = [...new Set([...m[0].matchAll(/《([^》]{2,100})》(?:\s*[(（]([^()（）]{2,30}号)[)）])?/gu)].map((x) => `《${x[1]}》${x[2] ? `（${x[2]}）` : ''}`))];
    return { outcome: 'answer', lines: [{ text: `${t}依据${titles.join('、')}制定。`, source: textSource(doc, 'basis', titles.join('、'), { start: m.index, end: m.index + m[0].length }) }] };
  }
  const plain = BASIS_PLAIN_RE.exec(head);
  if (plain) {
    const what = (plain[2] as string).trim();
    return { outcome: 'answer', lines: [{ text: `${t}是${plain[1]}${what}制定的，正文没有列出依据的具体文件。`, source: textSource(doc, 'basis', what, { start: plain.index, end: plain.index + plain[0].length }) }] };
  }
  return unstated(doc, 'basis', `${t}正文没有写明依据哪些文件制定。`, `${t}的制定依据：正文没有写明依据的文件`);
}

/** Where the body first writes its title, spaces and bracket forms aside (…(2018-2020 年)), within its first 2,000 characters. */
function titleSpan(doc: FactDocument): Span | undefined {
  const chars = [...doc.meta.title.normalize('NFKC').replace(/\s+/gu, '')].map((c) => (/[(（]/u.test(c) ? '[(（]' : /[)）]/u.test(c) ? '[)）]' : c.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')));
  const m = new RegExp(chars.join('\\s*'), 'u').exec(doc.body.slice(0, 2000));
  return m ? { start: m.index, end: m.index + m[0].length } : undefined;
}

function titleLines(doc: FactDocument): DocFactResult {
  const t = doc.meta.title;
  const at = titleSpan(doc);
  return { outcome: 'answer', lines: [{ text: `该文件全称为《${t}》${doc.meta.docNumber ? `（${doc.meta.docNumber}）` : ''}。`, source: at ? textSource(doc, 'title', t, at) : metaSource(doc, 'title', t) }] };
}

/** A span of years in a title: (2018-2020年), (2016—2018年), “十三五” (2016–2020, the 13th five-year plan). */
const TITLE_SPAN_RE = /((?:19|20)[0-9]{2})\s*年?\s*[-—–~～至到]\s*((?:19|20)[0-9]{2})\s*年?/u;
/** The five-year plans by number (国民经济和社会发展第N个五年规划: 十三五 is 2016–2020). */
const FIVE_YEAR_RE = /[“"]?十([一二三四五六])五[”"]?/u;

function periodLines(doc: FactDocument): DocFactResult {
  const t = `《${doc.meta.title}》`;
  const title = doc.meta.title.normalize('NFKC');
  const m = TITLE_SPAN_RE.exec(title);
  const five = FIVE_YEAR_RE.exec(title);
  let from: number | undefined;
  let to: number | undefined;
  if (m) [from, to] = [Number(m[1]), Number(m[2])];
  else if (five) {
    // The N-th plan from the fourth (1971–1975) on starts in 1956 + 5(N − 1): 十一五 2006, 十三五 2016.
    const n = 10 + '一二三四五六'.indexOf(five[1] as string) + 1;
    from = 1956 + (n - 1) * 5;
    to = from + 4;
  }
  if (from === undefined || to === undefined) return unstated(doc, 'period', `${t}的标题没有写明期限。`, `${t}的期限：标题未写明起止年份`);
  const at = titleSpan(doc);
  const value = `${from}—${to}`;
  const source = at ? textSource(doc, 'period', value, at) : metaSource(doc, 'period', value, '取自文件标题');
  return { outcome: 'answer', lines: [{ text: `${t}的期限是${from}年至${to}年（见标题）。`, source }] };
}

/** The 主送机关 line of a notice: 各市人民政府，省直各部门： — a run of 各… or bodies ending with a colon near the top. */
const ADDRESSEES_RE = /((?:各|省|市|县|国务院|中央|自治区)[^。：:\n]{2,200}?)[：:]/u;

function addresseesLines(doc: FactDocument): DocFactResult {
  const t = `《${doc.meta.title}》`;
  const head = doc.body.slice(0, 1500);
  const m = /(各[^。：:\n]{2,200}?)[：:]/u.exec(head) ?? ADDRESSEES_RE.exec(head);
  // A salutation lists bodies: no verb of duty (各区要加强领导，具体如下：), before the text's first heading.
  const firstHeading = head.search(/[一二三四五六七八九十]、|第[一二三四五六七八九十]+[章条]/u);
  if (!m || !/部门|人民政府|单位|机构|委员会|管委会/u.test(m[1] as string) || /要|应当|具体|加强|如下/u.test(m[1] as string) || (firstHeading >= 0 && m.index > firstHeading)) return unstated(doc, 'addressees', `${t}的正文未载明主送机关。`, `${t}的主送机关：正文未载明`);
  const who = (m[1] as string).trim();
  const lines: FactLine[] = [{ text: `${t}主送${who}。`, source: textSource(doc, 'addressees', who, { start: m.index, end: m.index + m[0].length }) }];
  // 此件公开发布 and the like: whether it was made public, said beside the addressees.
  const pub = /[(（](此件[^)）]{2,12})[)）]/u.exec(doc.body.slice(0, 3000));
  if (pub) lines.push({ text: `文件注明“${pub[1]}”。`, source: textSource(doc, 'addressees', pub[1] as string, { start: pub.index, end: pub.index + pub[0].length }) });
  return { outcome: 'answer', lines };
}

/**
 * The answer to a fact question about these documents, one block of lines per document (the
 * outcome is `answer` when every document's fact is known, else `related` naming what is missing).
 * `lookup` finds another document of the library by title or 文号 (the repealing one).
 */
export function answerDocFact(ask: DocFactAsk, docs: readonly FactDocument[], today: string, question: string, lookup: (titleOrNumber: string) => FactDocument | undefined = () => undefined): DocFactResult {
  // A validity answer states the dates of effect too: 什么时候施行 beside 还有效吗 adds nothing.
  // A basis sentence gives the 文号 of the documents it names (根据省里哪个文件定的？文号是多少 asks theirs, not this one's).
  const also = (ask.also ?? []).filter((k) => !(ask.kind === 'validity' && (k === 'effectiveFrom' || k === 'effectiveTo')) && !(ask.kind === 'basis' && k === 'docNumber'));
  if (also.length > 0) {
    return combined([ask.kind, ...also].map((kind) => answerDocFact({ kind, earlier: ask.earlier, demonstrative: ask.demonstrative }, docs, today, question, lookup)));
  }
  const results = docs.map((doc): DocFactResult => {
    if (ask.earlier && ask.kind === 'validity') return earlierLines(doc, question);
    switch (ask.kind) {
      case 'validity':
        return validityLines(doc, today, lookup);
      case 'effectiveFrom':
        return effectiveFromLines(doc);
      case 'effectiveTo':
        return effectiveToLines(doc, today);
      case 'docNumber':
        return docNumberLines(doc);
      case 'issuer':
        return issuerLines(doc);
      case 'dateIssued':
        return dateIssuedLines(doc);
      case 'basis':
        return basisLines(doc);
      case 'title':
        return titleLines(doc);
      case 'period':
        return periodLines(doc);
      case 'addressees':
        return addresseesLines(doc);
      case 'versions':
        return versionsLines(doc, today, lookup);
    }
  });
  return combined(results);
}

/** Several fact answers as one: `answer` when every one is, else `related` naming each thing missing. */
function combined(results: readonly DocFactResult[]): DocFactResult {
  const missing = results.filter((r) => r.outcome === 'related').map((r) => r.missing as string);
  const out: DocFactResult = { outcome: missing.length > 0 ? 'related' : 'answer', lines: results.flatMap((r) => r.lines) };
  if (missing.length > 0) out.missing = missing.join('；');
  return out;
}

/** Share of the subject's character pairs found in the title: how far the subject is a name of it. */
function nameOverlap(subject: string, title: string): number {
  const chars = [...subject.replace(/[^\u4e00-\u9fff0-9]/gu, '')];
  if (chars.length < 4) return 0;
  let found = 0;
  for (let i = 0; i + 1 < chars.length; i += 1) if (title.includes(`${chars[i]}${chars[i + 1]}`)) found += 1;
  return found / (chars.length - 1);
}

/**
 * Which documents a fact question is about: those it names (several names: each; one name of
 * several documents: the one ranked first among the hits), else the best-ranked hit whose title
 * holds the subject the question gives (燃气管理条例 for 某市燃气管理条例: at least 3/4 of its character
 * pairs), else — when it points by a demonstrative (这个办法) — the top hit's document.
 * `hitTitles`: each hit document's title, in rank order.
 */
export function factDocumentIds(ask: DocFactAsk, namedDocs: readonly { docId: string; by: string }[], hitDocIds: readonly string[], hitTitles: ReadonlyMap<string, string> = new Map(), checkSubject = true): string[] {
  const ids = chosenDocumentIds(ask, namedDocs, hitDocIds, hitTitles);
  return checkSubject ? coveringSubject(ids, ask, namedDocs, hitDocIds, hitTitles) : ids;
}

/**
 * Share of the characters of the words a question uses for its document, less the names that named documents
 * (北京 of 北京控烟条例) and demonstratives, that a title (with its issuer, as `hitTitles` gives it) has; undefined
 * when fewer than two are left (the name was all of it).
 */
function subjectCoverage(subject: string, names: readonly string[], title: string): number | undefined {
  // Pointers, particles, the verbs of issuing and the kind words of documents say nothing of which one (…印发的那个大数据文件).
  let rest = subject.replace(new RegExp(DEMONSTRATIVE_RE.source, 'gu'), '').replace(/那个|那份|那部|的|印发|发布|出台|制定|颁布|下发/gu, '').replace(new RegExp(`(?:${DOCUMENT_NOUNS})$`, 'u'), '');
  for (const n of [...names].sort((a, b) => b.length - a.length)) rest = rest.split(n).join('');
  // A name's characters count as the document's (国家规划 names the national plan: 国, 家 of 国家AI规划).
  const chars = [...rest.replace(/[^\u4e00-\u9fff]/gu, '')].filter((c) => !names.some((n) => n.includes(c)));
  if (chars.length < 2) return undefined;
  const t = title.normalize('NFKC');
  return chars.filter((c) => t.includes(c)).length / chars.length;
}

/**
 * The documents chosen, each checked against the words the question uses for it: a title that lacks a quarter of
 * their characters (北京控烟条例 → 北京市新技术产业开发试验区暂行条例, chosen by the city alone) gives way to the hit
 * whose title has the most of them (北京市控制吸烟条例), else is dropped — no answer is better than another
 * document's facts given as this one's. Titles not known (a hit not given) are not checked.
 */
function coveringSubject(ids: readonly string[], ask: DocFactAsk, namedDocs: readonly { docId: string; by: string }[], hitDocIds: readonly string[], hitTitles: ReadonlyMap<string, string>): string[] {
  const subject = ask.subject;
  if (!subject) return [...ids];
  const names = [...new Set(namedDocs.map((d) => d.by))];
  const covered = (id: string): number | undefined => {
    const title = hitTitles.get(id);
    return title === undefined ? undefined : subjectCoverage(subject, names, title);
  };
  const out: string[] = [];
  for (const id of ids) {
    const c = covered(id);
    if (c === undefined || c >= 0.75) {
      out.push(id);
      continue;
    }
    let best: string | undefined;
    let bestCover = 0.75;
    for (const h of hitDocIds) {
      const ch = covered(h) ?? 0;
      if (ch > bestCover || (ch === bestCover && best === undefined && ch >= 0.75)) [best, bestCover] = [h, ch];
    }
    if (best !== undefined && !out.includes(best)) out.push(best);
  }
  return out;
}

function chosenDocumentIds(ask: DocFactAsk, namedDocs: readonly { docId: string; by: string }[], hitDocIds: readonly string[], hitTitles: ReadonlyMap<string, string>): string[] {
  const byName = new Map<string, string[]>();
  for (const d of namedDocs) byName.set(d.by, [...(byName.get(d.by) ?? []), d.docId]);
  // A name given by a demonstrative and a kind (这个办法) names every document of that kind: not a name.
  let real = [...byName.entries()].filter(([by]) => !DEMONSTRATIVE_RE.test(by));
  // The most specific name (城镇燃气管理条例: one or two documents) is what the question is about; a
  // name many documents share (国务院, 广州) only narrows it.
  const fewest = Math.min(...real.map(([, ids]) => ids.length));
  real = real.filter(([, ids]) => ids.length === fewest);
  if (real.length > 0) {
    return [...new Set(real.map(([, ids]) => (ids.length === 1 ? (ids[0] as string) : (hitDocIds.find((h) => ids.includes(h)) ?? (ids[0] as string)))))];
  }
  const subject = ask.subject?.replace(DEMONSTRATIVE_RE, '').replace(/^(?:那个|那份|那部)/u, '');
  const titled = subject ? hitDocIds.find((id) => nameOverlap(subject.slice(-24), (hitTitles.get(id) ?? '').normalize('NFKC')) >= 0.75) : undefined;
  if (titled) return [titled];
  if (ask.demonstrative && hitDocIds[0]) {
    const kinds = [...byName.values()].flat();
    return [kinds.length > 0 ? (hitDocIds.find((h) => kinds.includes(h)) ?? (hitDocIds[0] as string)) : (hitDocIds[0] as string)];
  }
  return [];
}
