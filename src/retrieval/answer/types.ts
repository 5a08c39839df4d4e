/** The shapes of an answer, as every transport receives it. */
import type { Validity } from '../../corpus/validity.js';
import type { QuestionForm } from '../query.js';
import type { CitationFact } from './doc-facts.js';
import type { Span } from './units.js';

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
  /** The sentence inside the quote that answers (body offsets, within [start, end)), when the quote is a whole unit around it. */
  highlight?: Span;
  /** Set when a long unit was bounded: the slices quoted; `quote` is their texts joined by …… (units.ts). */
  segments?: Span[];
  /** On an answer about a document itself (文号, 还有效吗): the fact, and whether the quote or only the metadata states it. */
  fact?: CitationFact;
  /** Set on clauses shown beside a `related` answer: on the topic, but not an answer. */
  lowConfidence?: boolean;
  /** The clause's full label path as drafters cite it (三、（五）, 第三章第六条). */
  clausePath?: string;
  /** Whether the cited document is in force on the answer's date (`today`). */
  validity?: Validity;
}

/**
 * What an answer is: `answer` — a clause states what was asked (it leads); `related` — clauses on
 * the topic, none states what was asked (`missing` says what is missing); `not_found` — the library
 * holds nothing on the topic, or nothing from the place or document named (`reason` says which).
 */
export type Outcome = 'answer' | 'related' | 'not_found';

export interface Answer {
  question: string;
  answer: string;
  citations: Citation[];
  outcome: Outcome;
  /** `outcome !== 'answer'` (kept for older clients). */
  abstained: boolean;
  /** For `related`: one line naming what is missing (未找到规定补贴金额的条文). */
  missing?: string;
  /** For `not_found`: why (Chinese, shown to the user). */
  reason?: string;
  /** The calibrated probability that the lead clause answers the question (0–1). */
  confidence: number;
  /** How the answer was produced. */
  generator: 'extractive' | 'llm';
  /** Set when an LLM answer cited markers that were not in the retrieved set. */
  flagged?: boolean;
  /** What the decision read, kept on the answer so it can be inspected and refitted. */
  signals?: AnswerSignals;
}

export interface AnswerSignals {
  /** The question's shape: one answer, one row per document (哪些城市), or one part per named document. */
  form: QuestionForm;
  /** Question-level features of the lead (`OUTCOME_FEATURES` names → values). */
  features: Record<string, number>;
  /** Subject words no candidate has (in question order). */
  absentTerms: string[];
  /** Places named that no document covers. */
  unknownPlaces: string[];
  /** Share of the subject the lead sentence covers (0–1). */
  leadCoverage: number;
}
