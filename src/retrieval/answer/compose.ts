/**
 * Compose: the decision as text and citations. An `answer` leads with its clause (a list: one line
 * per answering document); a `related` answer says in one line what is missing and shows the
 * clauses on the topic as low-confidence citations; `not_found` says why and cites nothing.
 */
import type { EvidenceView } from '../../storage/types.js';
import type { SearchResponse } from '../search.js';
import type { Candidate } from './candidates.js';
import { buildCitation, citedLine, validityNotes, wholeUnitSpan, type QuoteSpan } from './citations.js';
import { NOTHING_SPECIFIC_MISSING, type Decision, type Evidence } from './decide.js';
import { OUTCOME_FEATURES } from './features.js';
import { asksVerbatim, VERBATIM_MAX_CHARS, verbatimLines } from './edges.js';
import type { Answer, AnswerSignals, Citation } from './types.js';
import { highlightInQuote } from './units.js';

export const NOT_FOUND_TEXT = '知识库中未找到相关规定。';
export const RELATED_TEXT = '知识库中没有直接回答该问题的条文';

/**
 * A missing line worded as a sentence already: 未找到…, 未载明…, or a finding opening with what was found
 * (找到的条文规定的是问题所排除的情形（…），未找到问题所问情形的规定). server/web/app.js reads the same.
 */
const WORDED_MISSING_RE = /^(?:未|找到)/u;

/**
 * The one-line head a transport shows above a `related` answer (CLI, MCP; the page writes the same in
 * server/web/app.js): what is missing already reads 未找到…/未载明… (`WORDED_MISSING_RE`), anything else is said
 * as 缺少….
 */
export function relatedHead(missing: string | undefined): string {
  const what = missing === undefined || missing === '' ? '' : WORDED_MISSING_RE.test(missing) ? `：${missing}` : `：缺少${missing}`;
  return `【相关条文，不构成答案】${what}`;
}
/**
 * A document from which no clause on the question was retrieved: what was searched is said, not
 * that the document is silent (a differently worded clause may still be there).
 */
export const NOTHING_RETRIEVED = '未检索到相关条文';

/** The span a candidate is quoted by: its whole unit (units.ts), the candidate sentence as the highlight. */
export function quoteSpan(kb: EvidenceView, c: Candidate, maxChars?: number): QuoteSpan {
  return wholeUnitSpan(kb, c.hit.docId, { start: c.start, end: c.end }, maxChars);
}

/**
 * The candidates whose quoted units are not held in another's (the items of 第二十二条 beside the article with all its
 * items): a unit is quoted once, at the place of the first of its candidates shown, by the candidate quoting it whole.
 */
function wholeUnitsOnce(kb: EvidenceView, evidence: Evidence, order: readonly number[]): number[] {
  const spans = order.map((i) => {
    const c = evidence.candidates[i] as Candidate;
    return { i, docId: c.hit.docId, ...quoteSpan(kb, c) };
  });
  // A bounded unit (quoted in slices: a preamble, a long section) holds nothing whole: only units quoted in full count.
  const within = (a: (typeof spans)[number], b: (typeof spans)[number]): boolean => a.docId === b.docId && !a.segments && !b.segments && b.start <= a.start && a.end <= b.end;
  const out: number[] = [];
  for (const p of spans) {
    // The widest unit holding it (units nest: those holding one unit hold each other), the first of equals.
    const widest = spans.filter((q) => q === p || within(p, q)).reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
    if (!out.includes(widest.i)) out.push(widest.i);
  }
  return out;
}

/**
 * The line's text for a cited sentence: a list lead-in (…不得有下列行为：) is never given without its
 * items, so the line goes on with the rest of the quoted unit after it.
 */
function withItems(citation: Citation, text: string): string {
  const at = highlightInQuote(citation);
  if (!at || !/[：:]\s*$/u.test(text) || at.end >= citation.quote.length) return text;
  return `${text}\n${citation.quote.slice(at.end).trim()}`;
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
    return citedLine(citation, withItems(citation, c.text));
  };
  const lines: string[] = [];
  if (decision.outcome === 'related') {
    const missing = decision.missing ?? NOTHING_SPECIFIC_MISSING;
    // Nothing in particular missing: the line says it once (not 没有直接回答…（未找到直接回答…）).
    lines.push(`${RELATED_TEXT}${missing === NOTHING_SPECIFIC_MISSING ? '' : `（${missing}）`}。以下条文与问题相关，仅供参考：`);
    for (const i of wholeUnitsOnce(kb, evidence, (decision.shown ?? [decision.lead, ...decision.support]).filter((i): i is number => i !== undefined))) lines.push(cite(i, true));
    lines.push(...validityNotes(citations));
    return { ...base, answer: lines.join('\n'), citations, outcome: 'related', abstained: true, missing };
  }
  const lead = decision.lead === undefined ? undefined : evidence.candidates[decision.lead];
  if (lead && evidence.question.form === 'single' && asksVerbatim(response.query)) {
    // A 原文 request that named no clause (强制报告那一条原文): the lead clause's full text.
    const c = buildCitation(kb, 1, lead.hit, quoteSpan(kb, lead, VERBATIM_MAX_CHARS), { today });
    return { ...base, answer: verbatimLines(c).join('\n'), citations: [c], outcome: 'answer', abstained: false };
  }
  if (evidence.question.form === 'single' || decision.rows.length === 0) {
    for (const i of [decision.lead, ...decision.support]) if (i !== undefined) lines.push(cite(i, false));
  } else {
    for (const row of decision.rows) {
      if (row.answers && row.lead !== undefined) lines.push(cite(row.lead, false));
      else lines.push(`《${kb.documents.get(row.docId)?.meta.title ?? row.docId}》：${NOTHING_RETRIEVED}。`);
    }
    // A list as long as a list is shown, from a library holding more documents: others may answer too, and it says so.
    const answering = decision.rows.filter((r) => r.answers).length;
    if (decision.rowsLimit !== undefined && answering >= decision.rowsLimit && kb.documents.size > answering) lines.push(listMayGoOn(answering));
    // Other documents' clauses on the subject that do not answer: after the answers, said to be related only.
    const partial = decision.partial ?? [];
    if (partial.length > 0) {
      lines.push(PARTIAL_ROWS_TEXT);
      for (const i of partial) lines.push(cite(i, true));
    }
  }
  lines.push(...validityNotes(citations));
  return { ...base, answer: lines.join('\n'), citations, outcome: 'answer', abstained: false };
}

/** The line before a list's related rows (`Decision.partial`): clauses on the subject that do not answer. */
export const PARTIAL_ROWS_TEXT = '以下文件的条文涉及同一主题，但未直接写到所问内容，仅供参考：';

/** The line after a list that filled its rows: the documents shown are the first found, not every one. */
export const listMayGoOn = (n: number): string => `以上为检索到的前${n}个文件；库中可能还有其他文件也有相关条文，未逐一列出。`;

/** Citations of candidates, numbered from `first` (a compare row's clauses). */
export function citeCandidates(kb: EvidenceView, evidence: Evidence, indices: readonly number[], today: string, first: number): Citation[] {
  return indices.map((i, k) => {
    const c = evidence.candidates[i] as Candidate;
    return buildCitation(kb, first + k, c.hit, quoteSpan(kb, c), { today });
  });
}
