/**
 * Extractive answers with verifiable citations (no LLM). `decide` (src/retrieval/answer/decide.ts)
 * reads the candidate sentences of a search response and the fitted model, and chooses the outcome
 * (`answer`, `related`, `not_found`), the lead clause and — for lists — one row per document;
 * `compose` (answer/compose.ts) turns that into text and citations. All tuning is one object, the
 * fitted `AnswerModel` (answer/fitted.ts, refitted by `npm run calibrate`).
 */
import { isoToday } from '../shared/dates.js';
import type { EvidenceRequest, EvidenceView } from '../storage/types.js';
import { PENALTY_SOURCES } from './answer/candidates.js';
import { compose } from './answer/compose.js';
import { edgeAnswer } from './answer/edges.js';
import { quoteMatches } from './answer/units.js';
import { decideFrom, gatherEvidence, type Decision, type Evidence } from './answer/decide.js';
import { FITTED_MODEL } from './answer/fitted.js';
import type { AnswerModel } from './answer/model.js';
import { PENALTY_ASK_RE, quantityParts } from './answer/question.js';
import type { Answer } from './answer/types.js';
import type { SearchResponse } from './search.js';

export type { Answer, AnswerSignals, Citation, Outcome } from './answer/types.js';
export { clausePath, displayText, validityNotes } from './answer/citations.js';
export { isFiller } from './answer/candidates.js';
export { NOT_FOUND_TEXT, RELATED_TEXT, NOTHING_RETRIEVED, relatedHead } from './answer/compose.js';
export { questionForm, type QuestionForm } from './query.js';

/** The answer layer's tuning: the fitted model (any part of it may be overridden) and the date validity is judged on. */
export interface AnswerTuning extends AnswerModel {
  /** The date validity is judged on (YYYY-MM-DD); default: today's date when the answer is composed. */
  today?: string;
}

export const DEFAULT_ANSWER_TUNING: AnswerTuning = FITTED_MODEL;

/** The evidence, the decision and the answer for one response (what calibration and tests inspect). */
export interface AnswerTrace {
  evidence: Evidence;
  decision: Decision;
  answer: Answer;
}

/** Decides and composes the answer for a search response over the same snapshot, and says how. */
export function traceAnswer(kb: EvidenceView, response: SearchResponse, tuning: Partial<AnswerTuning> = {}): AnswerTrace {
  const t: AnswerTuning = { ...DEFAULT_ANSWER_TUNING, ...tuning };
  const evidence = gatherEvidence(kb, response, t);
  const decision = decideFrom(evidence, t, response.understanding.namedDocs.map((d) => d.docId));
  return { evidence, decision, answer: compose(kb, response, evidence, decision, t.today ?? isoToday()) };
}

/**
 * Composes the answer for a search response over the same snapshot: a question about a document
 * itself (文号, 还有效吗) or a request for a clause's text (第十条原文) is answered first, from the
 * document (answer/edges.ts); any other is decided and composed.
 */
export function composeAnswer(kb: EvidenceView, response: SearchResponse, tuning: Partial<AnswerTuning> = {}): Answer {
  return edgeAnswer(kb, response, tuning.today ?? isoToday()) ?? traceAnswer(kb, response, tuning).answer;
}

/**
 * Whether `composeAnswer` would not give this response as an answer (outcome `related` or
 * `not_found`), decided the same way without composing text (what a search reports as `abstained`).
 */
export function abstains(kb: EvidenceView, response: SearchResponse, tuning: Partial<AnswerTuning> = {}): boolean {
  const t: AnswerTuning = { ...DEFAULT_ANSWER_TUNING, ...tuning };
  const early = edgeAnswer(kb, response, t.today ?? isoToday());
  if (early) return early.abstained;
  return decideFrom(gatherEvidence(kb, response, t), t, response.understanding.namedDocs.map((d) => d.docId)).outcome !== 'answer';
}

/**
 * What deciding on this response reads: its hits' documents and passages, the documents the
 * question names, and — for a web-address question — every passage of the documents in scope.
 * Nothing corpus-wide: the decision reads the candidates, not term counts.
 */
export function evidenceRequest(response: SearchResponse): EvidenceRequest {
  const request: EvidenceRequest = {
    scope: response.scope,
    docIds: [...new Set([...response.results.map((h) => h.docId), ...response.understanding.namedDocs.map((d) => d.docId)])],
    passageIds: response.results.map((h) => h.passageId),
    terms: [],
  };
  if (quantityParts(response.query).some((p) => p.ask.kind === 'url') && response.scope.length > 0) request.withPassages = response.scope;
  // A penalty asked: the 法律责任 clauses of the documents read first are looked for among all their passages (answer/candidates.ts penaltyHits).
  else if (PENALTY_ASK_RE.test(response.query)) request.withPassages = [...new Set(response.results.slice(0, PENALTY_SOURCES).map((h) => h.docId))];
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
    if (c.highlight && (c.highlight.start < c.start || c.highlight.end > c.end)) problems.push(`citation ${c.n}: highlight is outside the quote`);
  }
  if (answer.abstained !== (answer.outcome !== 'answer')) problems.push(`abstained is ${answer.abstained} for outcome ${answer.outcome}`);
  return problems;
}
