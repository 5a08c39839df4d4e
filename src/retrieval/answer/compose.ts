/**
 * Compose: the decision as text and citations. An `answer` leads with its clause (a list: one line
 * per answering document); a `related` answer says in one line what is missing and shows the
 * clauses on the topic as low-confidence citations; `not_found` says why and cites nothing.
 */
import type { EvidenceView } from '../../storage/types.js';
import type { SearchResponse } from '../search.js';
import type { Candidate } from './candidates.js';
import { buildCitation, citedLine, validityNotes } from './citations.js';
import type { Decision, Evidence } from './decide.js';
import { OUTCOME_FEATURES } from './features.js';
import type { Answer, AnswerSignals, Citation } from './types.js';

export const NOT_FOUND_TEXT = '知识库中未找到相关规定。';
export const RELATED_TEXT = '知识库中没有直接回答该问题的条文';
/**
 * A document from which no clause on the question was retrieved: what was searched is said, not
 * that the document is silent (a differently worded clause may still be there).
 */
export const NOTHING_RETRIEVED = '未检索到相关条文';

/**
 * The span a candidate is quoted by, and the sentence inside it that answers.
 * TODO(ans20b): quote the whole unit (条 with its 款/项, or the numbered item) from
 * `src/retrieval/answer/units.ts` once it is on this branch, with the sentence as the highlight.
 */
export function quoteSpan(_kb: EvidenceView, c: Candidate): { start: number; end: number; highlight: { start: number; end: number } } {
  return { start: c.start, end: c.end, highlight: { start: c.start, end: c.end } };
}

function signalsOf(evidence: Evidence, decision: Decision, response: SearchResponse): AnswerSignals {
  const lead = decision.lead;
  const presence = lead === undefined ? [] : (evidence.table.presence[lead] ?? []);
  const weights = evidence.question.terms.map((t) => t.weight);
  const total = weights.reduce((a, b) => a + b, 0);
  const sentence = lead === undefined ? 0 : (evidence.table.rows[lead]?.[0] ?? 0);
  return {
    form: evidence.question.form,
    features: Object.fromEntries(OUTCOME_FEATURES.map((f, i) => [f, Number((decision.outcomeFeatures[i] ?? 0).toFixed(4))])),
    absentTerms: evidence.question.terms.filter((_, j) => !evidence.candidates.some((__, i) => ((evidence.table.presence[i] as number[])[j] ?? 0) > 0)).map((t) => t.term),
    unknownPlaces: response.understanding.unknownPlaces,
    leadCoverage: Number((total > 0 ? sentence : presence.length === 0 ? 0 : 1).toFixed(4)),
  };
}

export function compose(kb: EvidenceView, response: SearchResponse, evidence: Evidence, decision: Decision, today: string): Answer {
  const base = { question: response.query, confidence: Number(decision.probability.toFixed(3)), generator: 'extractive' as const, signals: signalsOf(evidence, decision, response) };
  if (decision.outcome === 'not_found') {
    const reason = decision.reason ?? '';
    return { ...base, answer: reason.startsWith('知识库') ? reason : `${NOT_FOUND_TEXT}${reason}`, citations: [], outcome: 'not_found', abstained: true, reason };
  }
  const citations: Citation[] = [];
  const cite = (i: number, lowConfidence: boolean): string => {
    const c = evidence.candidates[i] as Candidate;
    const citation = buildCitation(kb, citations.length + 1, c.hit, quoteSpan(kb, c), { today, lowConfidence });
    citations.push(citation);
    return citedLine(citation, c.text);
  };
  const lines: string[] = [];
  if (decision.outcome === 'related') {
    const missing = decision.missing ?? '未找到直接回答该问题的条文';
    lines.push(`${RELATED_TEXT}（${missing}）。以下条文与问题相关，仅供参考：`);
    for (const i of [decision.lead, ...decision.support]) if (i !== undefined) lines.push(cite(i, true));
    lines.push(...validityNotes(citations));
    return { ...base, answer: lines.join('\n'), citations, outcome: 'related', abstained: true, missing };
  }
  if (evidence.question.form === 'single' || decision.rows.length === 0) {
    for (const i of [decision.lead, ...decision.support]) if (i !== undefined) lines.push(cite(i, false));
  } else {
    for (const row of decision.rows) {
      if (row.answers && row.lead !== undefined) lines.push(cite(row.lead, false));
      else lines.push(`《${kb.documents.get(row.docId)?.meta.title ?? row.docId}》：${NOTHING_RETRIEVED}。`);
    }
  }
  lines.push(...validityNotes(citations));
  return { ...base, answer: lines.join('\n'), citations, outcome: 'answer', abstained: false };
}

/** Citations of candidates, numbered from `first` (a compare row's clauses). */
export function citeCandidates(kb: EvidenceView, evidence: Evidence, indices: readonly number[], today: string, first: number): Citation[] {
  return indices.map((i, k) => {
    const c = evidence.candidates[i] as Candidate;
    return buildCitation(kb, first + k, c.hit, quoteSpan(kb, c), { today });
  });
}
