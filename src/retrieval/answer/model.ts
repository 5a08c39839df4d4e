/**
 * The answer model: a linear ranker over candidate features (the lead is its argmax; a softmax over
 * the candidates gives each one's share), and two logistic models on question-level features — one
 * for "the lead answers the question" (outcome `answer` when its probability clears a threshold),
 * one for "this document's best clause answers" (a row of a list). Weights, thresholds and the
 * other knobs live in one object, fitted by `scripts/calibrate.ts` (src/retrieval/answer/fitted.ts).
 */
import { ERROR_CODES, KbError } from '../../shared/errors.js';
import { CANDIDATE_FEATURES, OUTCOME_FEATURES } from './features.js';

export interface LinearModel {
  /** Feature names, in the order of `weights` (checked against the code's when loaded). */
  features: readonly string[];
  weights: readonly number[];
  bias: number;
}

export interface ThresholdModel extends LinearModel {
  /** Probability at or above which the decision is yes. */
  threshold: number;
}

export interface AnswerModel {
  /** Scores candidate sentences; the lead is the best. */
  ranker: LinearModel;
  /** P(the lead answers the question): `answer` at or above `threshold`, else `related` or `not_found`. */
  outcome: ThresholdModel;
  /** P(a document's best sentence answers a list question): the document gets a row at or above `threshold`. */
  row: ThresholdModel;
  /**
   * `not_found` when no candidate (with its context) covers at least this share of the question's
   * subject: the topic itself is absent. Set below every answerable development question's.
   */
  topicFloor: number;
  /** Passages read for a single answer (the search's best first). */
  passages: number;
  /** For lists: passages read per document, documents read (in the order of their best hit; default `maxDocuments`), and rows shown at most. */
  passagesPerDocument: number;
  documentsRead?: number;
  maxDocuments: number;
  /** Sentences in a single answer: the lead and those that add what it lacks. */
  maxSentences: number;
}

export function linearScore(model: LinearModel, x: readonly number[]): number {
  let s = model.bias;
  for (let i = 0; i < model.weights.length; i += 1) s += (model.weights[i] as number) * (x[i] ?? 0);
  return s;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Softmax shares of scores (stable). */
export function softmax(scores: readonly number[]): number[] {
  if (scores.length === 0) return [];
  const max = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - max));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / total);
}

// Weight sets already checked (models are immutable objects; a check runs once per set).
const checked = new WeakSet<object>();

/** Whether a model's features are the code's, in order: a model fitted for other features is refused. */
export function checkModel(model: AnswerModel): void {
  if (checked.has(model.ranker) && checked.has(model.outcome) && checked.has(model.row)) return;
  const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
  if (!same(model.ranker.features, CANDIDATE_FEATURES) || model.ranker.weights.length !== CANDIDATE_FEATURES.length) {
    throw new KbError(ERROR_CODES.INTERNAL, `answer model: ranker features [${model.ranker.features.join(', ')}] are not the code's [${CANDIDATE_FEATURES.join(', ')}]; run npm run calibrate -- --write`);
  }
  for (const [name, m] of [['outcome', model.outcome], ['row', model.row]] as const) {
    if (!same(m.features, OUTCOME_FEATURES) || m.weights.length !== OUTCOME_FEATURES.length) {
      throw new KbError(ERROR_CODES.INTERNAL, `answer model: ${name} features [${m.features.join(', ')}] are not the code's [${OUTCOME_FEATURES.join(', ')}]; run npm run calibrate -- --write`);
    }
  }
  checked.add(model.ranker);
  checked.add(model.outcome);
  checked.add(model.row);
}
