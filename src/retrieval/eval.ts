/**
 * Scoring of a question set (JSONL: id, question, docs, evidence, type), so figures compare across
 * tools. A result is a hit when its docId is in `docs` and its text (whitespace removed) contains
 * an evidence string or any 12-character window of one.
 */
import { z } from 'zod';
import { docIdFromFileName } from '../corpus/document.js';
import { ERROR_CODES, KbError } from '../shared/errors.js';

/**
 * One question. `docs` names the answering documents; a question about an added file may name the
 * `file` instead, which stands for the docId `kb add` gives it (`pdf-01.pdf` → `pdf-01`).
 */
export const evalItemSchema = z
  .object({
    id: z.string().min(1),
    question: z.string().min(1),
    docs: z.array(z.string()).optional(),
    file: z.string().min(1).optional(),
    evidence: z.array(z.string()),
    type: z.string().min(1),
  })
  .refine((q) => q.docs !== undefined || q.file !== undefined, { message: 'needs docs (docIds) or file', path: ['docs'] })
  .transform(({ file, docs, ...rest }) => ({ ...rest, docs: docs ?? [docIdFromFileName(file as string)], ...(file !== undefined ? { file } : {}) }));
export type EvalItem = z.output<typeof evalItemSchema>;

export interface EvalResult {
  rank: number;
  passageId: string;
  docId: string;
  title: string;
  breadcrumb: string;
  text: string;
  start: number;
  end: number;
  score: number;
}

/** What an answer is, as every transport reports it (`Answer.outcome`). */
export type EvalOutcome = 'answer' | 'related' | 'not_found';

/** What `ask` answered, reduced to what answer-level scoring reads. */
export interface EvalAnswer {
  /** `answer`: a clause states what was asked; `related`: clauses on the topic, none states it; `not_found`: nothing on the topic. */
  outcome: EvalOutcome;
  /** `outcome !== 'answer'` (kept for older readers). */
  abstained: boolean;
  text: string;
  /**
   * Citations in order: an `answer`'s, or the clauses a `related` answer shows; none for `not_found`
   * (whatever it listed as nearest scores nothing).
   */
  citations: { docId: string; passageId: string; quote: string }[];
}

export interface EvalRun {
  item: EvalItem;
  /** Whether the question was not given as an answer (`outcome !== 'answer'`). */
  abstained: boolean;
  results: EvalResult[];
  /** Set when the run also asked the question (answer-level metrics need it). */
  answer?: EvalAnswer;
}

export function parseEvalSet(text: string, source = 'question set'): EvalItem[] {
  const items: EvalItem[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new KbError(ERROR_CODES.INVALID_INPUT, `${source}:${i + 1}: not valid JSON`);
    }
    const parsed = evalItemSchema.safeParse(json);
    if (!parsed.success) throw new KbError(ERROR_CODES.INVALID_INPUT, `${source}:${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    items.push(parsed.data);
  });
  if (items.length === 0) throw new KbError(ERROR_CODES.INVALID_INPUT, `${source}: no questions`);
  return items;
}

const squash = (s: string): string => s.replace(/\s+/gu, '');

/** Index of the evidence string the text supports, or -1. */
export function matchedEvidence(text: string, evidence: readonly string[]): number {
  const t = squash(text);
  return evidence.findIndex((e) => {
    const ev = squash(e);
    if (ev.length === 0) return false;
    if (ev.length <= 12) return t.includes(ev);
    for (let i = 0; i + 12 <= ev.length; i += 1) if (t.includes(ev.slice(i, i + 12))) return true;
    return false;
  });
}

export function isHit(result: Pick<EvalResult, 'docId' | 'text'>, item: EvalItem): boolean {
  return item.docs.includes(result.docId) && matchedEvidence(result.text, item.evidence) >= 0;
}

export interface Metrics {
  n: number;
  /** Retrieval, answerable items: the first result is a hit. */
  hit1: number;
  /** Retrieval: a hit in the top 5 (cross items: every listed document hit in the top 5). */
  hit5: number;
  mrr10: number;
  recall10: number;
  /** Cross items: share of the listed documents hit in the top 10. */
  crossCoverage10: number;
  medianTop5Chars: number;
  /**
   * Answerable items whose answer's first citation quotes evidence of a listed document (its quote
   * holds an evidence string or a 12-character window of one). `not_found` scores 0; a `related`
   * answer scores by the clauses it shows. NaN without answers.
   */
  answer1: number;
  /** The same with any of the first three citations. */
  answer3: number;
  /** Answerable items given as `answer`. */
  coverage: number;
  /**
   * Share of the `answer` outcomes (every type) that are wrong: a `none` item, or a first citation
   * without evidence of a listed document. NaN when nothing was given as an answer.
   */
  risk: number;
  /** Answerable items given as `not_found`. */
  falseNotFound: number;
  /** `none` items not given as `answer` (`related` or `not_found`). */
  noneNotAnswered: number;
  /** Cross items whose answer (not `not_found`) cites every listed document with a quote holding evidence. */
  crossCited: number;
  /** Cross items: share of the documents an answer cites that are listed (cites no document that does not cover it). */
  crossPrecision: number;
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const mean = (xs: number[]): number => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Whether a citation quotes evidence of a listed document. */
export function citationHolds(c: { docId: string; quote: string }, item: EvalItem): boolean {
  return item.docs.includes(c.docId) && matchedEvidence(c.quote, item.evidence) >= 0;
}

/** What a run answered: its answer's outcome, or — for a retrieval-only run — whether it abstained. */
export function outcomeOf(run: EvalRun): EvalOutcome {
  return run.answer?.outcome ?? (run.abstained ? 'not_found' : 'answer');
}

/** The citations an answer-level figure reads: none for `not_found`. */
function citationsOf(run: EvalRun): EvalAnswer['citations'] {
  return !run.answer || run.answer.outcome === 'not_found' ? [] : run.answer.citations;
}

/**
 * Retrieval: hit@1, hit@5, MRR@10 and recall@10 over answerable items (cross items count for hit@5
 * only when every listed document is hit in the top 5); cross coverage = share of listed docs hit in
 * the top 10; median length of the top-5 texts.
 * Answers (see `Metrics`): answer@1/@3, coverage, risk, false not-found, none not answered, cross
 * cited and cross precision. Without answers (a retrieval-only run) the outcome is read from
 * `abstained` (`not_found` when set) and the citation figures are NaN.
 */
export function computeMetrics(runs: readonly EvalRun[]): Metrics {
  const answerable = runs.filter((r) => r.item.type !== 'none');
  const none = runs.filter((r) => r.item.type === 'none');
  const withAnswers = runs.some((r) => r.answer);
  const hit1: number[] = [];
  const hit5: number[] = [];
  const mrr: number[] = [];
  const recall: number[] = [];
  const cross: number[] = [];
  const answer1: number[] = [];
  const answer3: number[] = [];
  const crossCited: number[] = [];
  const crossPrecision: number[] = [];
  const risk: number[] = [];
  for (const run of runs) {
    if (outcomeOf(run) !== 'answer' || !withAnswers) continue;
    const first = citationsOf(run)[0];
    risk.push(run.item.type === 'none' || !first || !citationHolds(first, run.item) ? 1 : 0);
  }
  for (const run of answerable) {
    if (run.answer) {
      const cites = citationsOf(run);
      const first = cites[0];
      answer1.push(first && citationHolds(first, run.item) ? 1 : 0);
      answer3.push(cites.slice(0, 3).some((c) => citationHolds(c, run.item)) ? 1 : 0);
      if (run.item.type === 'cross') {
        crossCited.push(run.item.docs.every((d) => cites.some((c) => c.docId === d && citationHolds(c, run.item))) ? 1 : 0);
        const cited = [...new Set(cites.map((c) => c.docId))];
        crossPrecision.push(cited.length === 0 ? 0 : cited.filter((d) => run.item.docs.includes(d)).length / cited.length);
      }
    }
    const top10 = run.results.slice(0, 10);
    const hits = top10.map((r) => isHit(r, run.item));
    const first = hits.indexOf(true);
    hit1.push(hits[0] ? 1 : 0);
    mrr.push(first >= 0 ? 1 / (first + 1) : 0);
    const found = new Set<number>();
    for (const r of top10) {
      if (!run.item.docs.includes(r.docId)) continue;
      const e = matchedEvidence(r.text, run.item.evidence);
      if (e >= 0) found.add(e);
    }
    recall.push(run.item.evidence.length > 0 ? found.size / run.item.evidence.length : 0);
    const docsHit = (results: readonly EvalResult[]): number => run.item.docs.filter((d) => results.some((r) => r.docId === d && isHit(r, run.item))).length;
    if (run.item.type === 'cross') {
      cross.push(docsHit(top10) / run.item.docs.length);
      hit5.push(docsHit(run.results.slice(0, 5)) === run.item.docs.length ? 1 : 0);
    } else {
      hit5.push(hits.slice(0, 5).some(Boolean) ? 1 : 0);
    }
  }
  return {
    n: runs.length,
    hit1: mean(hit1),
    hit5: mean(hit5),
    mrr10: mean(mrr),
    recall10: mean(recall),
    crossCoverage10: mean(cross),
    medianTop5Chars: median(runs.flatMap((r) => r.results.slice(0, 5).map((x) => x.text.length))),
    answer1: mean(answer1),
    answer3: mean(answer3),
    coverage: mean(answerable.map((r) => (outcomeOf(r) === 'answer' ? 1 : 0))),
    risk: mean(risk),
    falseNotFound: mean(answerable.map((r) => (outcomeOf(r) === 'not_found' ? 1 : 0))),
    noneNotAnswered: mean(none.map((r) => (outcomeOf(r) !== 'answer' ? 1 : 0))),
    crossCited: mean(crossCited),
    crossPrecision: mean(crossPrecision),
  };
}

export function metricsByType(runs: readonly EvalRun[]): Record<string, Metrics> {
  const types = [...new Set(runs.map((r) => r.item.type))].sort();
  return Object.fromEntries(types.map((t) => [t, computeMetrics(runs.filter((r) => r.item.type === t))]));
}

const fmt = (x: number): string => (Number.isNaN(x) ? '  -  ' : x.toFixed(2).padStart(5));

export const METRIC_COLUMNS: [keyof Metrics, string][] = [
  ['hit1', 'hit@1'],
  ['hit5', 'hit@5'],
  ['mrr10', 'MRR@10'],
  ['crossCoverage10', 'cross@10'],
  ['answer1', 'answer@1'],
  ['answer3', 'answer@3'],
  ['coverage', 'coverage'],
  ['risk', 'risk'],
  ['falseNotFound', 'false-nf'],
  ['noneNotAnswered', 'none-not-ans'],
  ['crossCited', 'x-cited'],
  ['crossPrecision', 'x-prec'],
];

/** A table: one row per named run, one column per metric (two spaces at least between columns). */
export function formatMetricsTable(rows: readonly [string, Metrics][]): string {
  const nameWidth = Math.max(22, ...rows.map(([name]) => name.length + 2));
  const widths = METRIC_COLUMNS.map(([, h]) => Math.max(h.length, 5) + 2);
  const header = ['system'.padEnd(nameWidth), ...METRIC_COLUMNS.map(([, h], i) => h.padStart(widths[i] as number))].join('');
  const lines = rows.map(([name, m]) => [name.padEnd(nameWidth), ...METRIC_COLUMNS.map(([key], i) => fmt(m[key]).padStart(widths[i] as number))].join(''));
  return [header, ...lines].join('\n');
}
