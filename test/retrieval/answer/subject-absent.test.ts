/**
 * The question's most specific subject word absent from everything read: a clause on the neighbouring topic is not an
 * answer (decide's `subjectAbsent`), whatever the fitted outcome model says. Constructed sentences, no dev question.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/lexical/analyzer.js';
import { absentSubjectWeight, decideFrom, gatherEvidence, rarestSubject, subjectAbsent, type Evidence } from '../../../src/retrieval/answer/decide.js';
import { FITTED_MODEL } from '../../../src/retrieval/answer/fitted.js';
import type { AnswerModel } from '../../../src/retrieval/answer/model.js';
import type { EvidenceView } from '../../../src/storage/types.js';

const QUESTION = '某某市如何支持冷链物流的无人机配送？';

/** One city's plan with one passage `text`, the only result of `QUESTION`; `expansions` as the search found them. */
function evidenceFor(text: string, expansions: { term: string; from: string; similarity: number }[] = []): Evidence {
  const doc = { docId: 'city', title: '某某市物流业发展规划', issuer: '某某市人民政府' };
  // A constructed view: only what reading candidates touches (documents with body and meta).
  const view = { documents: new Map([[doc.docId, { docId: doc.docId, body: text, meta: { title: doc.title, issuer: doc.issuer } }]]), passages: [], byId: new Map() } as unknown as EvidenceView;
  const results = [{ rank: 1, passageId: 'city#0', docId: doc.docId, title: doc.title, issuer: doc.issuer, breadcrumb: `《${doc.title}》`, clause: '', text, start: 0, end: text.length, score: 1, matchedBy: ['bm25' as const] }];
  const response = { query: QUESTION, results, understanding: { terms: analyze(QUESTION), namedDocs: [], clauseRefs: [], unknownPlaces: [] }, expansions, scope: [] };
  return gatherEvidence(view, response, FITTED_MODEL);
}

/** The fitted model with every lead over its outcome threshold and no topic floor: only the rules can refuse. */
const lenient = (absentSubject?: number): AnswerModel => ({ ...FITTED_MODEL, topicFloor: 0, outcome: { ...FITTED_MODEL.outcome, threshold: 0 }, ...(absentSubject === undefined ? {} : { absentSubject }) });

describe('the most specific subject word of a question', () => {
  it('is its rarest noun by jieba IDF, not a verb of the question (配送, 支持)', () => {
    const { question } = evidenceFor('推广无人机配送。');
    const j = rarestSubject(question);
    expect(j === undefined ? undefined : question.terms[j]?.term).toBe('无人机');
  });
});

describe('a question whose most specific subject word no candidate has', () => {
  const without = evidenceFor('支持冷链物流设施建设，完善城乡物流配送体系。');
  const withIt = evidenceFor('支持冷链物流企业开展无人机配送试点。');

  it('reads the word as absent only when no candidate has it, nor a word-vector neighbour of it', () => {
    expect(absentSubjectWeight(without)).toBeGreaterThan(8);
    expect(absentSubjectWeight(withIt)).toBe(0);
    const neighbour = evidenceFor('支持冷链物流企业开展飞行器配送试点。', [{ term: '飞行器', from: '无人机', similarity: 0.7 }]);
    expect(absentSubjectWeight(neighbour)).toBe(0);
  });

  it('is not answered, whatever the outcome model says; with the word there it is', () => {
    const weight = absentSubjectWeight(without);
    expect(decideFrom(without, lenient(weight)).outcome).toBe('related');
    expect(decideFrom(without, lenient(weight)).missing).toMatch(/无人机/u);
    expect(decideFrom(withIt, lenient(weight)).outcome).toBe('answer');
  });

  it('fires only for a word at least as specific as the fitted threshold, and never without one', () => {
    const weight = absentSubjectWeight(without);
    expect(subjectAbsent(without, { absentSubject: weight })).toBe(true);
    expect(subjectAbsent(without, { absentSubject: weight + 0.01 })).toBe(false);
    expect(subjectAbsent(without, {})).toBe(false);
    expect(decideFrom(without, lenient(weight + 0.01)).outcome).toBe('answer');
  });
});
