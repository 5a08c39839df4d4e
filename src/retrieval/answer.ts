/**
 * Extractive answers with verifiable citations (no LLM): the best-supported sentences of the top
 * passages, each followed by [n]; citation n gives the document, clause, breadcrumb and the quote
 * with its `start`/`end` in the document body. Abstains when the evidence is too weak.
 */
import type { ValidMeta } from '../corpus/document.js';
import { analyze } from './analyzer.js';
import { coverage, coveredConcepts, previousSentence, quantityAsk, questionConcepts, splitSentences, statesQuantity, type Concept, type Sentence } from './evidence.js';
import type { KnowledgeIndex } from './knowledge-index.js';
import type { SearchHit, SearchResponse } from './search.js';

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
}

export interface Answer {
  question: string;
  answer: string;
  citations: Citation[];
  abstained: boolean;
  /** Why it abstained (Chinese, shown to the user). */
  reason?: string;
  /** Share of the question's weighted terms covered by the best evidence sentence (0–1). */
  confidence: number;
  /** How the answer was produced. */
  generator: 'extractive' | 'llm';
  /** Set when an LLM answer cited markers that were not in the retrieved set. */
  flagged?: boolean;
}

export interface AnswerTuning {
  /** Abstain when the best sentence covers less than this share of the question (default 0.2). */
  minCoverage: number;
  /** A quantity question needs a sentence stating it with at least this share of the best coverage. */
  quantityCoverageRatio: number;
  /** Passages read for sentences. */
  passages: number;
  /** Sentences in the answer. */
  maxSentences: number;
}

export const DEFAULT_ANSWER_TUNING: AnswerTuning = { minCoverage: 0.2, quantityCoverageRatio: 0.6, passages: 5, maxSentences: 3 };

export const ABSTAIN_TEXT = '知识库中未找到相关规定。';

interface ScoredSentence extends Sentence {
  hit: SearchHit;
  coverage: number;
  score: number;
  quantity: boolean;
  concepts: Set<string>;
}

function citationFor(n: number, hit: SearchHit, meta: ValidMeta | undefined, span: { start: number; end: number; text: string }, lowConfidence = false): Citation {
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
  return c;
}

function abstain(kb: KnowledgeIndex, response: SearchResponse, reason: string, confidence: number): Answer {
  const nearest = response.results.slice(0, 3);
  const citations = nearest.map((hit, i) => citationFor(i + 1, hit, kb.documents.get(hit.docId)?.meta, { start: hit.start, end: hit.end, text: hit.text }, true));
  const list = citations.map((c) => `[${c.n}]《${c.title}》${c.clause}`).join('；');
  const answer = citations.length > 0 ? `${ABSTAIN_TEXT}${reason}\n以下条文最接近，但不足以回答该问题（低置信度，仅供参考）：${list}` : `${ABSTAIN_TEXT}${reason}`;
  return { question: response.query, answer, citations, abstained: true, reason, confidence: Number(confidence.toFixed(3)), generator: 'extractive' };
}

/**
 * Greedy cover: after the first sentence, add the one that covers the most question weight not yet
 * covered (a second aspect, 电费 after 数据中心), or — when the question spans documents — the best
 * sentence of a document not yet cited. Stops when nothing adds enough.
 */
function chooseSentences(
  sentences: readonly ScoredSentence[],
  concepts: readonly Concept[],
  o: { first: ScoredSentence; max: number; spread: boolean; bestCoverage: number; minCoverage: number },
): ScoredSentence[] {
  const weightOf = new Map(concepts.map((c) => [c.term, c.weight]));
  const total = concepts.reduce((a, c) => a + c.weight, 0) || 1;
  const chosen: ScoredSentence[] = [o.first];
  const covered = new Set(o.first.concepts);
  const overlaps = (s: ScoredSentence): boolean => chosen.some((c) => c.hit.docId === s.hit.docId && c.start < s.end && s.start < c.end);
  while (chosen.length < o.max) {
    let pick: ScoredSentence | undefined;
    let pickValue = 0;
    for (const s of sentences) {
      if (overlaps(s) || chosen.filter((c) => c.hit.passageId === s.hit.passageId).length >= 2) continue;
      let gain = 0;
      for (const c of s.concepts) if (!covered.has(c)) gain += weightOf.get(c) ?? 0;
      gain /= total;
      const newDoc = o.spread && !chosen.some((c) => c.hit.docId === s.hit.docId) && s.coverage >= Math.max(o.minCoverage, 0.6 * o.bestCoverage);
      const value = newDoc ? 1 + s.score : gain >= 0.1 ? gain + 0.01 * s.score : 0;
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

/** A bare heading ("3.高效能计算基础设施。") says nothing alone: it joins the sentence after it. */
function joinBareHeadings(body: string, sentences: Sentence[]): Sentence[] {
  const out: Sentence[] = [];
  for (let i = 0; i < sentences.length; i += 1) {
    const s = sentences[i] as Sentence;
    const next = sentences[i + 1];
    if (next && s.text.length <= 24 && /^(?:[0-9]{1,2}[.、．]|[（(][一二三四五六七八九十0-9]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|专栏|第[一二三四五六七八九十百]+[章节条])/u.test(s.text)) {
      out.push({ start: s.start, end: next.end, text: body.slice(s.start, next.end) });
      i += 1;
    } else {
      out.push(s);
    }
  }
  return out;
}

/** Composes the answer for a search response over the same snapshot. */
export function composeAnswer(kb: KnowledgeIndex, response: SearchResponse, tuning: Partial<AnswerTuning> = {}): Answer {
  const t = { ...DEFAULT_ANSWER_TUNING, ...tuning };
  const { understanding } = response;
  if (response.results.length === 0) return abstain(kb, response, '没有与问题相关的条文。', 0);

  const top = response.results.slice(0, t.passages);
  // A question about a place no document covers (广州, 贵州): abstain unless the top passages are
  // about that place too (mentioned in at least two of the top three).
  const placeMentions = top.slice(0, 3).filter((h) => understanding.unknownPlaces.some((p) => h.text.includes(p))).length;
  if (understanding.unknownPlaces.length > 0 && placeMentions < 2) {
    return abstain(kb, response, `知识库中没有${understanding.unknownPlaces.join('、')}的相关文件。`, 0);
  }

  // Words that only name the document (云浮, or every word of a quoted title) are not evidence.
  const namedWords = new Set(understanding.namedDocs.flatMap((d) => [d.by, ...analyze(d.by)]));
  const concepts = questionConcepts(kb.bm25, understanding.terms, response.expansions, namedWords);
  const sentences: ScoredSentence[] = [];
  const ask = quantityAsk(response.query);
  top.forEach((hit, rank) => {
    const body = kb.documents.get(hit.docId)?.body ?? '';
    for (const s of joinBareHeadings(body, splitSentences(body, hit.start, hit.end))) {
      const cov = coverage(s.text, concepts);
      // Rank prior: a sentence in a better passage wins ties.
      sentences.push({ ...s, hit, coverage: cov, score: cov * (1 - 0.05 * rank), quantity: false, concepts: coveredConcepts(s.text, concepts) });
      if (ask && statesQuantity(s.text, ask)) {
        // A figure often comes a few sentences after the one that names its subject
        // ("第二步，到2025年…。——…。新一代人工智能…规模超过4000亿元"): judge it with that context.
        let from = s.start;
        for (let back = 0; back < 3; back += 1) {
          const prev = previousSentence(body, from);
          if (!prev || s.start - prev.start > 300) break;
          from = prev.start;
        }
        const context = body.slice(from, s.end);
        if (ask.subject && !context.includes(ask.subject)) continue;
        const spanCov = Math.max(cov, coverage(context, concepts));
        sentences.push({ ...s, hit, coverage: spanCov, score: spanCov * (1 - 0.05 * rank), quantity: true, concepts: coveredConcepts(context, concepts) });
      }
    }
  });
  sentences.sort((a, b) => b.score - a.score || a.start - b.start);
  const best = sentences[0];
  const bestCoverage = best?.coverage ?? 0;
  if (!best || bestCoverage < t.minCoverage) return abstain(kb, response, '检索到的条文与问题关联太弱。', bestCoverage);

  if (ask) {
    const q = sentences.filter((s) => s.quantity).sort((a, b) => b.score - a.score)[0];
    if (!q || q.coverage < t.quantityCoverageRatio * bestCoverage) {
      const what = ask.kind === 'money' ? '具体金额' : ask.kind === 'ratio' ? '具体比例' : ask.kind === 'docNumber' ? '文号' : '具体数字';
      return abstain(kb, response, `相关文件涉及这一主题，但没有规定${what}。`, bestCoverage);
    }
  }

  const chosen = chooseSentences(sentences, concepts, {
    first: ask ? (sentences.filter((x) => x.quantity).sort((a, b) => b.score - a.score)[0] as ScoredSentence) : best,
    max: t.maxSentences,
    spread: understanding.namedDocs.length !== 1,
    bestCoverage,
    minCoverage: t.minCoverage,
  });
  // Read in document order within each passage, passages in rank order.
  chosen.sort((a, b) => a.hit.rank - b.hit.rank || a.start - b.start);
  const citations: Citation[] = [];
  const lines: string[] = [];
  for (const s of chosen) {
    const n = citations.length + 1;
    citations.push(citationFor(n, s.hit, kb.documents.get(s.hit.docId)?.meta, s));
    // Cite the clause the way drafters do: 《title》四、（一）1. / 第三章第十条.
    const pos = kb.byId.get(s.hit.passageId);
    const path = pos === undefined ? s.hit.clause : (kb.passages[pos]?.labels ?? []).join('');
    lines.push(`《${s.hit.title}》${path}：${s.text}[${n}]`);
  }
  return { question: response.query, answer: lines.join('\n'), citations, abstained: false, confidence: Number(bestCoverage.toFixed(3)), generator: 'extractive' };
}

/** Checks the invariants every answer must satisfy; returns the problems found (empty when sound). */
export function checkAnswer(kb: KnowledgeIndex, answer: Answer): string[] {
  const problems: string[] = [];
  const numbers = new Set(answer.citations.map((c) => c.n));
  for (const m of answer.answer.matchAll(/\[(\d+)\]/gu)) {
    if (!numbers.has(Number(m[1]))) problems.push(`marker [${m[1]}] has no citation`);
  }
  for (const c of answer.citations) {
    const body = kb.documents.get(c.docId)?.body;
    if (body === undefined) problems.push(`citation ${c.n}: unknown document ${c.docId}`);
    else if (body.slice(c.start, c.end) !== c.quote) problems.push(`citation ${c.n}: quote is not body.slice(${c.start}, ${c.end})`);
  }
  return problems;
}
