/**
 * Extractive answers with verifiable citations (no LLM): the best-supported sentences of the top
 * passages, each followed by [n]; citation n gives the document, clause, breadcrumb and the quote
 * with its `start`/`end` in the document body. Abstains when the evidence is too weak.
 */
import type { ValidMeta } from '../corpus/document.js';
import { isoToday } from '../shared/dates.js';
import { judgeValidity, validityNote, type Validity } from '../corpus/validity.js';
import { analyze } from './analyzer.js';
import { URL_ASK_WORDS, alternativePresent, coverageOf, mustBeStated, passagesToRead, placeCovered, statesOwnNumber, coveredConcepts, previousSentence, quantityAsk, questionConcepts, splitSentences, statesQuantity, withAlternatives, type Concept, type QuantityAsk, type Sentence } from './evidence.js';
import type { EvidenceRequest, EvidenceView, PassageFields } from '../storage/types.js';
import type { SectionNode } from '../corpus/parser.js';
import { questionForm, resolveClauseRefs, type QuestionForm } from './query.js';
import type { SearchHit, SearchResponse } from './search.js';
// ans20b hooks (issue 20 edges): whole units, questions about a document, 原文 requests, outcome.
import { edgeAnswer, finishAnswer, type EdgeTools, type Outcome } from './answer/edges.js';
import type { CitationFact } from './answer/doc-facts.js';
import { quoteMatches, type Span } from './answer/units.js';

export type { Outcome };

export { questionForm, type QuestionForm };

export interface Citation {
  n: number;
  passageId: string;
  docId: string;
  title: string;
  issuer: string;
  docNumber?: string;
  dateIssued?: string;
  breadcrumb: string;
  clause: string;
  /** Verbatim: `quote === body.slice(start, end)`. */
  quote: string;
  start: number;
  end: number;
  /** Set on the nearest passages listed when the answer abstains. */
  lowConfidence?: boolean;
  /** The clause's full label path as drafters cite it (三、（五）, 第三章第六条). */
  clausePath?: string;
  /** Whether the cited document is in force on the answer's date (`today`). */
  validity?: Validity;
  /** The answering sentence inside the quoted whole unit (body offsets within [start, end)). */
  highlight?: Span;
  /** Set when a long unit was bounded: the slices quoted; `quote` is their texts joined by …… (answer/units.ts). */
  segments?: Span[];
  /** On an answer about a document itself (文号, 还有效吗): the fact, and whether the quote or only the metadata states it. */
  fact?: CitationFact;
}

export interface Answer {
  question: string;
  answer: string;
  citations: Citation[];
  /**
   * `answer`: a clause states what was asked (it leads); `related`: clauses on the topic, none states
   * it (`missing` names what is missing); `not_found`: nothing on the topic, or nothing from the
   * place or document named. Set in one place (answer/edges.ts `finishAnswer`).
   */
  outcome: Outcome;
  /** For `related`: one line naming what is missing. */
  missing?: string;
  /** Kept for compatibility: `outcome !== 'answer'`. */
  abstained: boolean;
  /** Why it abstained (Chinese, shown to the user). */
  reason?: string;
  /** Share of the question's weighted terms covered by the best evidence sentence (0–1). */
  confidence: number;
  /** How the answer was produced. */
  generator: 'extractive' | 'llm';
  /** Set when an LLM answer cited markers that were not in the retrieved set. */
  flagged?: boolean;
  /** What the extractive layer measured (coverage, absent terms, question form). */
  signals?: AnswerSignals;
}

/** An answer as composed, before its outcome is set (answer/edges.ts `finishAnswer`, ans20b). */
type Composed = Omit<Answer, 'outcome'>;

/** What the abstention decision read: kept on the answer so calibration can be refitted. */
export interface AnswerSignals {
  /** Share of the question's weight (global idf) the lead sentence covers. */
  bestCoverage: number;
  /** Share of the question's weight carried by terms no passage in scope contains (院长, 牌照, PUE). */
  absentShare: number;
  /** Those terms, in question order. */
  absentTerms: string[];
  /** Places named that no document covers. */
  unknownPlaces: string[];
  /** For a quantity question: whether a sentence states it (with at least quantityCoverageRatio of the best coverage). */
  quantityFound?: boolean;
  /** The question's shape: one answer, one line per document (哪些城市), or one part per named document. */
  form: QuestionForm;
  /** Share of the question's in-scope weight (how specific each term is there) the lead sentence covers. */
  leadCoverage?: number;
}


export interface AnswerTuning {
  /**
   * Abstain when the best sentence's coverage, less `absentPenalty` × the share of the question
   * carried by terms the documents in scope never contain, is below this.
   */
  minCoverage: number;
  absentPenalty: number;
  /** A quantity question needs a sentence stating it with at least this share of the best coverage. */
  quantityCoverageRatio: number;
  /** Enumerations and parts: a document is listed when its best sentence reaches this share of the best coverage. */
  listRatio: number;
  /**
   * Parts answers (各/分别, one per named document): a named document speaks when its best sentence
   * covers this share of the question (as a compare row does), even below listRatio of another's.
   */
  partCoverage: number;
  /** The asked-for term leads when a sentence with it scores at least this share of the best. */
  focusRatio: number;
  /** Score multiplier of purpose/basis clauses (为…特制定本办法) when the question does not ask for them. */
  fillerPenalty: number;
  /** Passages read for sentences (a list question reads `passages` per document). */
  passages: number;
  /** Sentences in the answer (list questions: one per document, up to `maxDocuments`). */
  maxSentences: number;
  maxDocuments: number;
  /** The date validity is judged on (YYYY-MM-DD); default: today's date when the answer is composed. */
  today?: string;
}

export const DEFAULT_ANSWER_TUNING: AnswerTuning = {
  // Fitted by scripts/calibrate.ts on dev.jsonl + dev2.jsonl pooled (5-fold CV: README "Measured").
  minCoverage: 0.125,
  absentPenalty: 0.5,
  quantityCoverageRatio: 0.6,
  // The lowest ratio with the best cross precision that keeps every answering document, on dev and
  // on dev2 alike (0.6 lists more non-answering documents; 0.75 drops answering ones on dev2).
  listRatio: 0.7,
  partCoverage: 0.5,
  focusRatio: 0.5,
  fillerPenalty: 0.3,
  passages: 5,
  maxSentences: 3,
  maxDocuments: 8,
};

export const ABSTAIN_TEXT = '知识库中未找到相关规定。';

interface ScoredSentence extends Sentence {
  hit: SearchHit;
  /** Global-idf coverage (what thresholds read). */
  coverage: number;
  /** Ranking score: in-scope-specificity coverage × rank prior × filler penalty. */
  score: number;
  quantity: boolean;
  concepts: Set<string>;
  /** A purpose, basis or covering-notice sentence (isFiller). */
  filler: boolean;
}


function citationFor(n: number, hit: SearchHit, meta: ValidMeta | undefined, span: { start: number; end: number; text: string }, lowConfidence = false, today = isoToday(), labels?: readonly string[]): Citation {
  const c: Citation = {
    n,
    passageId: hit.passageId,
    docId: hit.docId,
    title: hit.title,
    issuer: hit.issuer,
    breadcrumb: hit.breadcrumb,
    clause: hit.clause,
    quote: span.text,
    start: span.start,
    end: span.end,
  };
  if (meta?.docNumber) c.docNumber = meta.docNumber;
  if (meta?.dateIssued) c.dateIssued = meta.dateIssued;
  if (lowConfidence) c.lowConfidence = true;
  if (labels && labels.length > 0) {
    c.clausePath = clausePath(labels);
    c.clause = labels[labels.length - 1] as string;
  }
  if (meta) c.validity = judgeValidity(meta, today);
  return c;
}

function labelsOf(kb: EvidenceView, passageId: string): readonly string[] | undefined {
  const pos = kb.byId.get(passageId);
  return pos === undefined ? undefined : kb.passages[pos]?.labels;
}

/**
 * The labels of the deepest section holding `offset`: the quote's own clause (第五条 of a 第四条—第五条
 * passage, 二、 of 一—三、), which is what a drafter cites. [] for a preamble before the first section.
 */
function labelsAt(kb: EvidenceView, docId: string, offset: number): readonly string[] | undefined {
  let node = kb.documents.get(docId)?.tree;
  if (!node) return undefined;
  for (;;) {
    const child: typeof node | undefined = node.children.find((c) => c.start <= offset && offset < c.end);
    if (!child) return node.path;
    node = child;
  }
}

/** One warning line per cited document that is expired, repealed, not yet in force or a draft. */
export function validityNotes(citations: readonly Citation[]): string[] {
  const seen = new Set<string>();
  const notes: string[] = [];
  for (const c of citations) {
    if (seen.has(c.docId) || !c.validity) continue;
    seen.add(c.docId);
    const note = validityNote(c.validity, c.title);
    if (note) notes.push(`${note}（《${c.title}》）。`);
  }
  return notes;
}

function abstain(kb: EvidenceView, response: SearchResponse, reason: string, confidence: number, signals?: AnswerSignals, today = isoToday()): Composed {
  const nearest = response.results.slice(0, 3);
  const citations = nearest.map((hit, i) => citationFor(i + 1, hit, kb.documents.get(hit.docId)?.meta, { start: hit.start, end: hit.end, text: hit.text }, true, today, labelsOf(kb, hit.passageId)));
  const list = citations.map((c) => `[${c.n}]《${c.title}》${c.clause}`).join('；');
  const answer = citations.length > 0 ? `${ABSTAIN_TEXT}${reason}\n以下条文最接近，但不足以回答该问题（低置信度，仅供参考）：${list}` : `${ABSTAIN_TEXT}${reason}`;
  const out: Composed = { question: response.query, answer, citations, abstained: true, reason, confidence: Number(confidence.toFixed(3)), generator: 'extractive' };
  if (signals) out.signals = signals;
  return out;
}

/** Purpose, basis and covering-notice sentences: true but rarely the answer. */
const FILLER_RE = /为(?:了)?[^。；]{0,240}?(?:特)?(?:制定|制订)本(?:办法|规划|方案|计划|意见|细则|规定)|(?:结合|根据|按照)[^。；]{0,200}?(?:特)?(?:制定|制订)本(?:办法|规划|方案|计划)|现将[^。]{0,80}印发给你们|请认真(?:贯彻执行|组织实施|抓好落实)|(?:人民政府|管委会|各部门|成员单位|直属机构)[^。：:]{0,40}[:：]/u;
/** Questions that ask for exactly those (依据了哪些文件, 为什么出台, 印发前经过…). */
const ASKS_FILLER_RE = /依据|根据|目的|为什么|为何|宗旨|出台|制定|印发|通知|背景|初衷/u;

export function isFiller(sentence: string): boolean {
  return FILLER_RE.test(sentence);
}

/** A bare heading ("3.高效能计算基础设施。") says nothing alone: it joins the sentence after it. */
function joinBareHeadings(body: string, sentences: Sentence[]): Sentence[] {
  const out: Sentence[] = [];
  for (let i = 0; i < sentences.length; i += 1) {
    const s = sentences[i] as Sentence;
    const next = sentences[i + 1];
    // An article (第五十四条 农村的燃气管理参照本条例的规定执行。) is short, not bare: only its label alone joins.
    const article = /^第[一二三四五六七八九十百零〇]+条\s*(.*)$/su.exec(s.text);
    if (next && s.text.length <= 24 && (!article || (article[1] ?? '').replace(/[\s。；;]/gu, '').length < 4) && /^(?:[0-9]{1,2}[.、．]|[（(][一二三四五六七八九十0-9]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|专栏|第[一二三四五六七八九十百]+[章节条])/u.test(s.text)) {
      out.push({ start: s.start, end: next.end, text: body.slice(s.start, next.end) });
      i += 1;
    } else {
      out.push(s);
    }
  }
  return out;
}

/** Leading labels of a sentence that the clause path already names ("第十条 ", "8.", "专栏1 ") are not repeated. */
const LEAD_LABEL_RE = /^\s*(?:第[一二三四五六七八九十百零〇]+[编章节条]\s*|[0-9]{1,2}[.、．]\s*|[（(][一二三四五六七八九十0-9]{1,3}[)）]\s*|[一二三四五六七八九十]{1,3}、\s*|专栏\s?[0-9一二三四五六七八九十]+\s*|[0-9]{1,2}-[0-9]{1,2}\s*)+/u;

/** The drafters' clause path: labels joined, a space where two numbers would run together (专栏1 8.). */
export function clausePath(labels: readonly string[]): string {
  let out = '';
  for (const l of labels) out += out !== '' && /[0-9]$/u.test(out) && /^[0-9]/u.test(l) ? ` ${l}` : l;
  return out;
}

/** How a sentence reads after its clause path: the labels the path already gives are dropped. */
export function displayText(text: string, path: string, lastLabel?: string): string {
  if (path === '') return text.trim();
  // Headings run into the sentence (…优惠办法(试行) 第一章 总则 第一条 为…): start after the clause's own label.
  if (lastLabel && /^第.+[条章节]$/u.test(lastLabel)) {
    const at = text.indexOf(lastLabel);
    if (at > 0 && at <= 80 && text.length - at - lastLabel.length >= 4) return text.slice(at + lastLabel.length).trim();
  }
  const m = LEAD_LABEL_RE.exec(text);
  if (!m) return text.trim();
  const rest = text.slice(m[0].length).trim();
  return rest.length >= 4 ? rest : text.trim();
}

/** Question parts split at 、，；？ that each ask for a quantity ("补多少、上限多少"). */
function quantityParts(question: string): { text: string; ask: QuantityAsk }[] {
  const parts = question.normalize('NFKC').split(/[、，,；;？?]/u).map((p) => p.trim()).filter((p) => p.length > 0);
  return parts.flatMap((text) => {
    const ask = quantityAsk(text);
    return ask ? [{ text, ask }] : [];
  });
}

/** A title as its lines read, without spaces, book-title marks and closing punctuation. */
function bareTitle(text: string): string {
  return text.normalize('NFKC').replace(/[\s《》〈〉]/gu, '').replace(/[。；;：:]+$/u, '');
}

/** A sentence of a passage as every question reads it: bare headings joined, filler tested once. */
interface PreparedSentence extends Sentence {
  filler: boolean;
}

// A passage's sentences do not depend on the question: split, joined and tested once per span of
// each document object (snapshots are immutable; a reload brings new objects and a fresh memo).
const sentenceMemo = new WeakMap<object, Map<string, readonly PreparedSentence[]>>();
const SENTENCE_MEMO_SPANS_PER_DOCUMENT = 4096;

function passageSentences(kb: EvidenceView, docId: string, start: number, end: number): readonly PreparedSentence[] {
  const doc = kb.documents.get(docId);
  const body = doc?.body ?? '';
  const key = `${start}:${end}`;
  const spans = doc ? sentenceMemo.get(doc) : undefined;
  const hit = spans?.get(key);
  if (hit) return hit;
  // The document's title standing as a line of its body (a .txt's first line) names the document; it
  // answers nothing, so it is read as filler.
  const title = doc ? bareTitle(doc.meta.title) : '';
  const sentences = joinBareHeadings(body, splitSentences(body, start, end)).map((s) => ({ ...s, filler: isFiller(s.text) || (title !== '' && bareTitle(s.text) === title) }));
  if (doc) {
    let memo = spans;
    if (!memo) sentenceMemo.set(doc, (memo = new Map()));
    if (memo.size >= SENTENCE_MEMO_SPANS_PER_DOCUMENT) memo.delete(memo.keys().next().value as string);
    memo.set(key, sentences);
  }
  return sentences;
}

// Which passages lie in a scope (the documents a response was restricted to; none: all), and how
// many, per snapshot and scope: questionConcepts asks it of every posting of every concept.
interface ScopeMask {
  mask: Uint8Array;
  /** Passages in scope among the first `bm25.size` (BM25's N). */
  size: number;
}
const scopeMasks = new WeakMap<EvidenceView, Map<string, ScopeMask>>();
const SCOPE_MASKS_PER_SNAPSHOT = 256;
// Each document's passage positions, once per snapshot: a named scope's mask is built from its
// documents' passages, not by testing every passage of the index.
const positionsByDoc = new WeakMap<EvidenceView, Map<string, number[]>>();

function scopeMask(kb: EvidenceView, scope: readonly string[]): ScopeMask {
  const key = scope.join('\u0000');
  let masks = scopeMasks.get(kb);
  const hit = masks?.get(key);
  if (hit) return hit;
  const mask = new Uint8Array(kb.passages.length);
  if (scope.length === 0) {
    kb.passages.forEach((p, i) => {
      if (kb.documents.has(p.docId)) mask[i] = 1;
    });
  } else {
    let byDoc = positionsByDoc.get(kb);
    if (!byDoc) {
      byDoc = new Map();
      for (let i = 0; i < kb.passages.length; i += 1) {
        const docId = (kb.passages[i] as PassageFields).docId;
        const list = byDoc.get(docId);
        if (list) list.push(i);
        else byDoc.set(docId, [i]);
      }
      positionsByDoc.set(kb, byDoc);
    }
    for (const docId of new Set(scope)) for (const i of byDoc.get(docId) ?? []) mask[i] = 1;
  }
  let size = 0;
  for (let i = 0, n = Math.min(kb.bm25.size, mask.length); i < n; i += 1) size += mask[i] as number;
  const built = { mask, size };
  if (!masks) scopeMasks.set(kb, (masks = new Map()));
  if (masks.size >= SCOPE_MASKS_PER_SNAPSHOT) masks.delete(masks.keys().next().value as string);
  masks.set(key, built);
  return built;
}

// Whether a phrase occurs in the bodies of a scope, per snapshot: a list question over the whole
// index reads every body (tens of MB at 100k passages) per phrase. Bounded.
const phraseMemo = new WeakMap<EvidenceView, Map<string, boolean>>();
const PHRASES_PER_SNAPSHOT = 4096;

function phraseInBodies(kb: EvidenceView, scope: readonly string[], scopeDocs: ReadonlySet<string> | undefined, phrase: string): boolean {
  const key = `${phrase}\u0000${scope.join('\u0000')}`;
  let memo = phraseMemo.get(kb);
  const known = memo?.get(key);
  if (known !== undefined) return known;
  const found = (scopeDocs ? [...scopeDocs].map((d) => kb.documents.get(d)) : [...kb.documents.values()]).some((d) => d?.body.includes(phrase));
  if (!memo) phraseMemo.set(kb, (memo = new Map()));
  if (memo.size >= PHRASES_PER_SNAPSHOT) memo.delete(memo.keys().next().value as string);
  memo.set(key, found);
  return found;
}

/** Every sentence of the given hits, scored against the question's concepts. */
function scoreSentences(kb: EvidenceView, hits: readonly SearchHit[], concepts: readonly Concept[], asks: readonly QuantityAsk[], o: { fillerPenalty: number; asksFiller: boolean; perDocumentRank: boolean; rankConcepts?: readonly Concept[] }): ScoredSentence[] {
  const ranking = o.rankConcepts ?? concepts;
  const out: ScoredSentence[] = [];
  const seenPerDoc = new Map<string, number>();
  hits.forEach((hit, position) => {
    // The rank prior counts within the document when each document is judged on its own.
    const rank = o.perDocumentRank ? (seenPerDoc.get(hit.docId) ?? 0) : position;
    seenPerDoc.set(hit.docId, (seenPerDoc.get(hit.docId) ?? 0) + 1);
    const body = kb.documents.get(hit.docId)?.body ?? '';
    for (const prepared of passageSentences(kb, hit.docId, hit.start, hit.end)) {
      const s: Sentence = { start: prepared.start, end: prepared.end, text: prepared.text };
      const covered = coveredConcepts(s.text, concepts);
      const rawCov = coverageOf(covered, concepts);
      const filler = !o.asksFiller && prepared.filler;
      const penalty = filler ? o.fillerPenalty : 1;
      // Rank prior: a sentence in a better passage wins ties.
      const score = coverageOf(ranking === concepts ? covered : coveredConcepts(s.text, ranking), ranking, 'local') * (1 - 0.05 * rank) * penalty;
      // A purpose clause or an addressee list is not evidence for what the question asks.
      const cov = filler ? rawCov * o.fillerPenalty : rawCov;
      out.push({ start: s.start, end: s.end, text: s.text, hit, coverage: cov, score, quantity: false, concepts: covered, filler: prepared.filler });
      for (const ask of asks) {
        if (!statesQuantity(s.text, ask)) continue;
        // A figure often comes a few sentences after the one that names its subject
        // ("第二步，到2025年…。——…。新一代人工智能…规模超过4000亿元"): judge it with that context.
        let from = s.start;
        for (let back = 0; back < 3; back += 1) {
          const prev = previousSentence(body, from);
          if (!prev || s.start - prev.start > 300) break;
          from = prev.start;
        }
        // …and under the lead-in of its passage (一、工作目标到2020年，…), which names what the figures are.
        const lead = from > hit.start ? splitSentences(body, hit.start, from)[0] : undefined;
        const context = lead ? `${lead.text}${body.slice(from, s.end)}` : body.slice(from, s.end);
        if (ask.subject && !context.includes(ask.subject)) continue;
        const ctxCovered = coveredConcepts(context, concepts);
        const spanCov = Math.max(cov, coverageOf(ctxCovered, concepts));
        const spanScore = Math.max(score, coverageOf(ranking === concepts ? ctxCovered : coveredConcepts(context, ranking), ranking, 'local') * (1 - 0.05 * rank) * penalty);
        out.push({ start: s.start, end: s.end, text: s.text, hit, coverage: spanCov, score: spanScore, quantity: true, concepts: ctxCovered, filler: prepared.filler });
        break;
      }
    }
  });
  return out.sort((a, b) => b.score - a.score || a.start - b.start);
}

/**
 * Greedy cover within one document: after the lead, add the sentence that covers the most question
 * weight not yet covered (a second aspect: 补多少 then 上限多少). Stops when nothing adds enough.
 */
function chooseSentences(sentences: readonly ScoredSentence[], concepts: readonly Concept[], first: ScoredSentence, max: number, skip: (s: ScoredSentence) => boolean): ScoredSentence[] {
  const chosen: ScoredSentence[] = [first];
  const covered = new Set(first.concepts);
  const total = concepts.reduce((a, c) => a + c.local, 0) || 1;
  const overlaps = (s: ScoredSentence): boolean => chosen.some((c) => c.hit.docId === s.hit.docId && c.start < s.end && s.start < c.end);
  while (chosen.length < max) {
    let pick: ScoredSentence | undefined;
    let pickValue = 0;
    for (const s of sentences) {
      if (s.hit.docId !== first.hit.docId || overlaps(s) || skip(s)) continue;
      let gain = 0;
      for (const c of concepts) if (s.concepts.has(c.term) && !covered.has(c.term)) gain += c.local;
      gain /= total;
      const value = gain >= 0.1 ? gain + 0.01 * s.score : 0;
      if (value > pickValue) {
        pick = s;
        pickValue = value;
      }
    }
    if (!pick) break;
    chosen.push(pick);
    for (const c of pick.concepts) covered.add(c);
  }
  return chosen;
}

/** The question's words a document does not cover, in question order ("电费补贴"). */
function missingTopic(question: string, concepts: readonly Concept[], covered: ReadonlySet<string>): string {
  const asked = askedConcepts(question, concepts).map((c) => c.term);
  if (asked.length > 0) return asked.join('');
  const missing = concepts.filter((c) => !covered.has(c.term)).map((c) => c.term);
  return (missing.length > 0 ? missing : concepts.map((c) => c.term)).join('');
}

/** Composes the answer for a search response over the same snapshot. */
export function composeAnswer(kb: EvidenceView, response: SearchResponse, tuning: Partial<AnswerTuning> = {}): Answer {
  // ans20b hook: a question about a document itself, or a clause's text, is answered first; every
  // answer then quotes whole units and gets its outcome (answer/edges.ts).
  const tools = edgeTools(kb, tuning.today ?? isoToday());
  const early = edgeAnswer(kb, response, tuning.today ?? isoToday(), tools);
  return finishAnswer(kb, response, early ?? (judge(kb, response, tuning, false) as Composed), tools);
}

/** The answer module's citation builder and labels, for the edge hooks (ans20b). */
function edgeTools(kb: EvidenceView, today: string): EdgeTools<Citation> {
  return {
    cite: (n, hit, span, labels) => citationFor(n, hit, kb.documents.get(hit.docId)?.meta, span, false, today, labels),
    labelsAt: (docId, offset) => labelsAt(kb, docId, offset),
    clausePath,
    validityNotes,
  };
}

/**
 * Whether `composeAnswer` abstains on this response, decided the same way but without composing
 * the answer or its citations (what a search reports as `abstained`).
 */
export function abstains(kb: EvidenceView, response: SearchResponse, tuning: Partial<AnswerTuning> = {}): boolean {
  // ans20b hook: a question about a document itself is answered (or not) from its facts.
  const early = edgeAnswer(kb, response, tuning.today ?? isoToday(), edgeTools(kb, tuning.today ?? isoToday()));
  if (early) return early.abstained;
  return judge(kb, response, tuning, true) === ABSTAINS;
}

const ABSTAINS = Symbol('abstains');
const ANSWERS = Symbol('answers');

/** The answer, or with `decideOnly` just whether there is one (ABSTAINS / ANSWERS). */
function judge(kb: EvidenceView, response: SearchResponse, tuning: Partial<AnswerTuning>, decideOnly: boolean): Composed | typeof ABSTAINS | typeof ANSWERS {
  const t = { ...DEFAULT_ANSWER_TUNING, ...tuning };
  const today = t.today ?? isoToday();
  const { understanding } = response;
  const form = questionForm(response.query, understanding.namedDocs);
  if (response.results.length === 0) return decideOnly ? ABSTAINS : abstain(kb, response, '没有与问题相关的条文。', 0, undefined, today);

  // A question about a place no document covers (广州, 贵州): abstain unless the top passages are about that place too.
  const top = response.results.slice(0, t.passages);
  if (understanding.unknownPlaces.length > 0 && !placeCovered(top, understanding.unknownPlaces, (docId) => kb.documents.get(docId)?.body.length ?? 0)) {
    return decideOnly ? ABSTAINS : abstain(kb, response, `知识库中没有${understanding.unknownPlaces.join('、')}的相关文件。`, 0, undefined, today);
  }

  // Words that only name the document (云浮, or every word of a quoted title) are not evidence.
  const namedWords = new Set(understanding.namedDocs.flatMap((d) => [d.by, ...analyze(d.by)]));
  // A question that points at a clause (专栏10, 第15项 “强化安全支撑”) names it by its heading: those
  // words find the clause but are not what is asked; the answer comes from inside the clause.
  const pointed = pointedClauses(kb, response);
  const clauseWords = new Set(pointed.flatMap((node) => analyze(node.title)));
  const parts = quantityParts(response.query);
  const asks = parts.map((p) => p.ask);
  if (asks.some((a) => a.kind === 'url')) for (const w of URL_ASK_WORDS) namedWords.add(w);
  const scopeDocs = response.scope.length > 0 ? new Set(response.scope) : undefined;
  const asked = response.query.normalize('NFKC');
  const inBodies = kb.hasPhrase ?? ((phrase: string): boolean => phraseInBodies(kb, response.scope, scopeDocs, phrase));
  const isPhrase = (phrase: string): boolean => asked.includes(phrase) && inBodies(phrase);
  // A view loaded for this request's scope holds only postings in scope; a whole snapshot is masked once per scope.
  const scoped = kb.scopedPassages === undefined ? scopeMask(kb, response.scope) : undefined;
  const mask = scoped?.mask;
  // A mask of every passage BM25 numbers (no scope) tests nothing: hits are counted straight off the postings.
  const inScope = mask && (scoped?.size ?? 0) < kb.bm25.size ? (i: number): boolean => mask[i] === 1 : undefined;
  const scopeSize = kb.scopedPassages ?? scoped?.size;
  // Both concept lists below count hits in the same scope: each form counted once.
  const counted = new Map<string, number>();
  const concepts = withAlternatives(response.query, questionConcepts(kb.bm25, understanding.terms, response.expansions, namedWords, inScope, undefined, scopeSize, counted));
  const asksFiller = ASKS_FILLER_RE.test(response.query);
  // List and part questions read the best passages of every document in the results.
  const focus = focusConcept(response.query, concepts);
  // Only a concept the question asks for (after its interrogative) is looked for further down.
  const perDoc = form === 'single' ? passagesToRead(response.results, t.passages, askedConcepts(response.query, concepts).length > 0 ? focus : undefined) : spreadHits(response.results, t.passages, t.maxDocuments);
  // A web address is a fact about the document: look for it in the named documents' whole text.
  const extra = asks.some((a) => a.kind === 'url') && response.scope.length > 0 ? urlHits(kb, response.scope, perDoc.length) : [];
  // Inside each document of a list or parts answer, the sentence that has the question's phrases
  // (投资基金) ranks above one with the same words scattered (设立种子基金，…创业投资…).
  const phrased = form === 'single' ? concepts : withAlternatives(response.query, questionConcepts(kb.bm25, understanding.terms, response.expansions, namedWords, inScope, isPhrase, scopeSize, counted));
  const rankConcepts = clauseWords.size > 0 && concepts.some((c) => !clauseWords.has(c.term)) ? concepts.filter((c) => !clauseWords.has(c.term)) : phrased;
  const scored = scoreSentences(kb, [...perDoc, ...extra], concepts, asks, { fillerPenalty: t.fillerPenalty, asksFiller, perDocumentRank: form !== 'single', rankConcepts });
  const insidePointed = (x: ScoredSentence): boolean => pointed.some((n) => kb.documents.get(x.hit.docId)?.tree && n.docId === x.hit.docId && x.start >= n.start && x.end <= n.end);
  const inside = pointed.length > 0 ? scored.filter((x) => insidePointed(x) && x.coverage > 0) : [];
  const sentences = inside.length > 0 ? [...inside, ...scored.filter((x) => !inside.includes(x))] : scored;
  const best = sentences[0];
  const bestCoverage = best?.coverage ?? 0;
  const totalWeight = concepts.reduce((a, c) => a + c.weight, 0) || 1;
  // Terms the documents in scope never contain. Single characters (来, 搞, 拿) and clause numbers
  // are paraphrase or pointers, not subjects.
  const absent = concepts.filter((c) => c.scopeFreq === 0 && [...c.term].length >= 2 && !/^第|部分$/u.test(c.term) && !alternativePresent(c, concepts));
  const signals: AnswerSignals = {
    bestCoverage: Number(bestCoverage.toFixed(4)),
    absentShare: Number((absent.reduce((a, c) => a + c.weight, 0) / totalWeight).toFixed(4)),
    absentTerms: absent.map((c) => c.term),
    unknownPlaces: understanding.unknownPlaces,
    form,
  };
  // A question that only names the document and asks for one of its facts (全文出自哪个网站, 文号)
  // has no subject words to cover: the stated fact decides.
  const factOnly = concepts.length === 0 && asks.length > 0;
  if (!best || (!factOnly && bestCoverage - t.absentPenalty * signals.absentShare < t.minCoverage)) {
    const why = signals.absentTerms.length > 0 && t.absentPenalty * signals.absentShare >= bestCoverage - t.minCoverage ? `相关文件中没有提到“${signals.absentTerms.join('、')}”。` : '检索到的条文与问题关联太弱。';
    return decideOnly ? ABSTAINS : abstain(kb, response, why, bestCoverage, signals, today);
  }

  // Quantity questions: each part that asks for a figure needs a sentence stating it.
  // A document's 文号 is its own (meta.docNumber), not that of a document it cites (你院《请示》（路中医发〔2011〕10号）).
  const ownFact = (s: ScoredSentence, ask: QuantityAsk): number => (ask.kind === 'docNumber' && statesOwnNumber(s.text, kb.documents.get(s.hit.docId)?.meta.docNumber) ? 1 : 0);
  const stated = (ask: QuantityAsk, pool: readonly ScoredSentence[]): ScoredSentence | undefined =>
    pool.filter((s) => s.quantity && statesQuantity(s.text, ask) && s.coverage >= t.quantityCoverageRatio * bestCoverage).sort((a, b) => ownFact(b, ask) - ownFact(a, ask) || b.score - a.score)[0];
  if (asks.length > 0) {
    const found = asks.map((a) => stated(a, sentences));
    signals.quantityFound = found.some(Boolean);
    // A day, time of day or length of time stated leads; one not stated refuses nothing (it may be in the title).
    const strict = asks.filter(mustBeStated);
    if (!signals.quantityFound && strict.length > 0) {
      const ask = strict[0] as QuantityAsk;
      const what = ask.kind === 'money' ? '具体金额' : ask.kind === 'ratio' ? '具体比例' : ask.kind === 'docNumber' ? '文号' : ask.kind === 'year' ? '具体年份' : ask.kind === 'url' ? '网址' : ask.kind === 'who' ? '由谁负责' : ask.per ? `按${ask.per.map((u) => `每${u}`).join('')}计的标准` : '具体数字';
      return decideOnly ? ABSTAINS : abstain(kb, response, `相关文件涉及这一主题，但没有规定${what}。`, bestCoverage, signals, today);
    }
  }

  if (decideOnly) return ANSWERS;

  const lines: string[] = [];
  const citations: Citation[] = [];
  const cite = (s: ScoredSentence): string => {
    const n = citations.length + 1;
    // Cite the clause the sentence stands in, the way drafters do: 《title》四、（一）1. / 第三章第十条.
    // A quote that runs over two clauses keeps the passage's range label (第五十四条—第五十五条).
    const first = labelsAt(kb, s.hit.docId, s.start);
    const last = labelsAt(kb, s.hit.docId, Math.max(s.start, s.end - 1));
    const labels = (first && last && first.join('/') === last.join('/') ? first : labelsOf(kb, s.hit.passageId)) ?? [];
    citations.push(citationFor(n, s.hit, kb.documents.get(s.hit.docId)?.meta, s, false, today, labels));
    const path = clausePath(labels);
    return `《${s.hit.title}》${path}${path && !/[、.．]$/u.test(path) ? '：' : ''}${displayText(s.text, path, labels[labels.length - 1])}[${n}]`;
  };
  // A document's line: its best sentence, or — when the question asks for a figure — its best
  // sentence stating it (共享率达90% rather than the goal sentence that names the topic).
  const bestOf = (docId: string): ScoredSentence | undefined => {
    const own = sentences.filter((s) => s.hit.docId === docId);
    const top = own[0];
    if (!top) return top;
    if (asks.length > 0) return asks.map((a) => stated(a, own.filter((s) => s.coverage >= t.quantityCoverageRatio * top.coverage))).find(Boolean) ?? top;
    const focused = focus && !top.concepts.has(focus.term) ? own.find((s) => s.concepts.has(focus.term) && s.score >= t.focusRatio * top.score) : undefined;
    return focused ?? top;
  };

  if (form === 'single') {
    // Inside the clause the question points at, when it does.
    const pool = inside.length > 0 ? inside : sentences;
    const firstQuantity = asks.length > 0 ? asks.map((a) => stated(a, pool)).find(Boolean) : undefined;
    // The thing asked for (电费 in 有什么电费补贴) leads: its most specific term must be in the
    // lead when a sentence that has it scores at least focusRatio of the best.
    const focused = focus && !best.concepts.has(focus.term) ? pool.find((s) => s.concepts.has(focus.term) && s.score >= t.focusRatio * best.score) : undefined;
    const lead = firstQuantity ?? focused ?? best;
    const chosen = chooseSentences(sentences, concepts, lead, t.maxSentences, (s) => !asksFiller && s.filler);
    signals.leadCoverage = Number(coverageOf(lead.concepts, concepts, 'local').toFixed(4));
    for (const s of chosen) lines.push(cite(s));
    // A part asking for a figure no chosen sentence states is said to be missing (补多少、上限多少).
    if (parts.length >= 2) {
      for (const p of parts) {
        if (chosen.some((s) => statesQuantity(s.text, p.ask) && (!p.ask.subject || s.text.includes(p.ask.subject)))) continue;
        if (stated(p.ask, sentences.filter((s) => s.hit.docId === lead.hit.docId))) continue;
        lines.push(`《${lead.hit.title}》未规定${partTopic(p.text, p.ask, concepts)}。`);
      }
    }
  } else {
    // One line per document: the documents named (parts), or every document whose best sentence
    // answers as well as listRatio of the best (list); a named document that says nothing is said so.
    const docs = form === 'parts' ? understanding.namedDocs.map((d) => d.docId).filter((d, i, a) => a.indexOf(d) === i) : [...new Set(sentences.map((s) => s.hit.docId))];
    // Each named document of a parts answer is judged on its own: another's fuller answer does not silence it.
    const floor = Math.max(t.minCoverage, form === 'parts' ? Math.min(t.partCoverage, t.listRatio * bestCoverage) : t.listRatio * bestCoverage);
    const answered: ScoredSentence[] = [];
    const silent: string[] = [];
    for (const docId of docs) {
      // Whether the document answers is judged by its best-covering sentence; the line shows the one
      // with the asked-for term or figure when there is one.
      const top = sentences.filter((x) => x.hit.docId === docId).reduce<ScoredSentence | undefined>((a, x) => (!a || x.coverage > a.coverage ? x : a), undefined);
      const s = bestOf(docId);
      if (s && top && top.coverage >= floor) answered.push(s);
      else if (form === 'parts') silent.push(docId);
    }
    // 哪些城市 asks for cities: a national or provincial document is not one of them (unless only such answer).
    if (form === 'list' && ASKS_CITIES_RE.test(response.query.normalize('NFKC'))) {
      const cities = answered.filter((s) => isCityDocument(kb.documents.get(s.hit.docId)?.meta));
      if (cities.length > 0) answered.splice(0, answered.length, ...cities);
    }
    answered.sort((a, b) => (form === 'parts' ? docs.indexOf(a.hit.docId) - docs.indexOf(b.hit.docId) : b.score - a.score));
    for (const s of answered.slice(0, t.maxDocuments)) lines.push(cite(s));
    for (const docId of silent) {
      const title = kb.documents.get(docId)?.meta.title ?? docId;
      const covered = new Set(sentences.filter((s) => s.hit.docId === docId).flatMap((s) => [...s.concepts]));
      lines.push(`《${title}》未规定${missingTopic(response.query, concepts, covered)}。`);
    }
  }
  lines.push(...validityNotes(citations));
  const answer: Composed = { question: response.query, answer: lines.join('\n'), citations, abstained: false, confidence: Number(bestCoverage.toFixed(3)), generator: 'extractive', signals };
  return answer;
}

/** Questions whose answer is a list of cities (哪些城市, 哪几个市, 各地市). */
const ASKS_CITIES_RE = /哪些(?:城市|地市|市)|哪几(?:个|座)(?:城市|市)|各(?:个)?(?:城市|地市)|各市/u;

/** A city's document: a city government issued it, or its title starts with the city (东莞市…). */
function isCityDocument(meta: ValidMeta | undefined): boolean {
  if (!meta) return false;
  return /^[\u4e00-\u9fff]{2,6}市/u.test(meta.issuer) || /^[\u4e00-\u9fff]{2,6}市/u.test(meta.title);
}

const INTERROGATIVE_RE = /什么|哪些|哪个|哪几|多少|怎样的|怎么|如何|是否|有没有|有无|几/gu;

/**
 * The concept the question asks for: among the terms after its last interrogative (有什么电费补贴 →
 * 电费, 补贴) — or, for a keyword query, its last two terms — the most specific in scope.
 */
export function focusConcept(question: string, concepts: readonly Concept[]): Concept | undefined {
  const q = question.normalize('NFKC');
  const asked = askedConcepts(q, concepts);
  const pool = asked.length > 0 ? asked : [...concepts].sort((a, b) => q.lastIndexOf(b.term) - q.lastIndexOf(a.term)).slice(0, 2);
  return [...pool].sort((a, b) => b.local - a.local)[0];
}

/** The concepts after the question's last interrogative, in question order (有什么电费补贴 → 电费, 补贴). */
export function askedConcepts(question: string, concepts: readonly Concept[]): Concept[] {
  const q = question.normalize('NFKC').replace(/[？?。！!\s]+$/u, '');
  let tail = '';
  for (const m of q.matchAll(INTERROGATIVE_RE)) tail = q.slice((m.index ?? 0) + m[0].length);
  if (tail.trim() === '') return [];
  return concepts.filter((c) => tail.includes(c.term)).sort((a, b) => tail.indexOf(a.term) - tail.indexOf(b.term));
}

/** The words of a question part that name its subject ("上限多少" → "上限"). */
function partTopic(part: string, ask: QuantityAsk, concepts: readonly Concept[]): string {
  const words = concepts.filter((c) => part.includes(c.term)).map((c) => c.term);
  const topic = words.length > 0 ? words.join('') : part.replace(/多少|几|多大|是|为|的|[？?]/gu, '');
  const what: Partial<Record<QuantityAsk['kind'], string>> = { date: '具体日期', clock: '具体时段', duration: '具体期限', year: '具体年份', who: '负责主体', docNumber: '文号', url: '网址' };
  return `${topic}的${what[ask.kind] ?? '具体数额'}`;
}

/** The clauses the question points at (resolved in the documents of its results), with their docId. */
function pointedClauses(kb: EvidenceView, response: SearchResponse): (SectionNode & { docId: string })[] {
  const refs = response.understanding.clauseRefs;
  if (refs.length === 0) return [];
  const docs = [...new Set(response.results.filter((h) => h.matchedBy.includes('clause')).map((h) => h.docId))];
  return docs.flatMap((docId) => {
    const tree = kb.documents.get(docId)?.tree;
    return tree ? resolveClauseRefs(tree, refs).map((n) => ({ ...n, docId })) : [];
  });
}

/** Hits for the passages of the given documents that state a web address (ranked after `after`). */
function urlHits(kb: EvidenceView, docIds: readonly string[], after: number): SearchHit[] {
  const out: SearchHit[] = [];
  kb.passages.forEach((p) => {
    if (!docIds.includes(p.docId) || out.length >= 3) return;
    const doc = kb.documents.get(p.docId);
    const text = doc?.body.slice(p.start, p.end) ?? '';
    if (!/https?:\/\/|www\./u.test(text)) return;
    out.push({ rank: after + out.length + 1, passageId: p.passageId, docId: p.docId, title: doc?.meta.title ?? '', issuer: doc?.meta.issuer ?? '', breadcrumb: p.breadcrumb, clause: p.clause, text, start: p.start, end: p.end, score: 0, matchedBy: [] });
  });
  return out;
}

/** The best `per` hits of each document, documents in order of their best hit, at most `maxDocs` documents. */
function spreadHits(results: readonly SearchHit[], per: number, maxDocs: number): SearchHit[] {
  const byDoc = new Map<string, SearchHit[]>();
  for (const h of results) {
    let list = byDoc.get(h.docId);
    if (!list) {
      if (byDoc.size >= maxDocs) continue;
      byDoc.set(h.docId, (list = []));
    }
    if (list.length < per) list.push(h);
  }
  // Keep rank order so the rank prior still favours better passages.
  const keep = new Set([...byDoc.values()].flat());
  return results.filter((h) => keep.has(h));
}

/**
 * What composing an answer to this response reads: its hits' documents and passages, the question's
 * words (with expansions, adjacent pairs and single characters) in scope, and — for a web-address
 * question — every passage of the named documents. A store loads exactly this (`KnowledgeStore.evidence`).
 */
export function evidenceRequest(response: SearchResponse): EvidenceRequest {
  const terms = response.understanding.terms;
  const pairs: string[] = [];
  for (let i = 0; i + 1 < terms.length; i += 1) pairs.push((terms[i] as string) + (terms[i + 1] as string));
  const asked = response.query.normalize('NFKC');
  const urlAsk = quantityParts(response.query).some((p) => p.ask.kind === 'url');
  const request: EvidenceRequest = {
    scope: response.scope,
    // The hits' documents, and those the question names (a part answer names each, hits or not).
    docIds: [...new Set([...response.results.map((h) => h.docId), ...response.understanding.namedDocs.map((d) => d.docId)])],
    passageIds: response.results.map((h) => h.passageId),
    terms: [...new Set([...terms, ...response.expansions.map((e) => e.term), ...pairs])],
    phrases: pairs.filter((p) => asked.includes(p)),
    prefixes: [...new Set(terms.filter((t) => [...t].length === 1 && /[\u4e00-\u9fff]/u.test(t)))],
  };
  if (urlAsk && response.scope.length > 0) request.withPassages = response.scope;
  return request;
}

/** Checks the invariants every answer must satisfy; returns the problems found (empty when sound). */
export function checkAnswer(kb: EvidenceView, answer: Answer): string[] {
  const problems: string[] = [];
  const numbers = new Set(answer.citations.map((c) => c.n));
  for (const m of answer.answer.matchAll(/\[(\d+)\]/gu)) {
    if (!numbers.has(Number(m[1]))) problems.push(`marker [${m[1]}] has no citation`);
  }
  for (const c of answer.citations) {
    const body = kb.documents.get(c.docId)?.body;
    if (body === undefined) problems.push(`citation ${c.n}: unknown document ${c.docId}`);
    else if (!quoteMatches(body, c)) problems.push(`citation ${c.n}: quote is not body.slice(${c.start}, ${c.end})${c.segments ? ' (its segments joined)' : ''}`);
    else if (c.highlight && (c.highlight.start < c.start || c.highlight.end > c.end)) problems.push(`citation ${c.n}: highlight is outside the quote`);
  }
  return problems;
}
