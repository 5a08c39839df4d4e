/**
 * Question-level features on constructed sentences: the question's most specific word absent from every
 * candidate (or present only as a neighbour), the kinds of fact asked that no candidate states, and the figures a
 * threshold question states (带动100人以上) that the lead does not.
 */
import { describe, expect, it } from 'vitest';
import type { Candidate } from '../../../src/retrieval/answer/candidates.js';
import { gatherEvidence, outcomeFeatures, rarestTerm, type Evidence } from '../../../src/retrieval/answer/decide.js';
import { FITTED_MODEL } from '../../../src/retrieval/answer/fitted.js';
import { candidateFeatures, figureShare, OUTCOME_FEATURES, type OutcomeFeature } from '../../../src/retrieval/answer/features.js';
import type { QuestionAnalysis, QuestionTerm } from '../../../src/retrieval/answer/question.js';
import { quantityAsk, statedFigures } from '../../../src/retrieval/evidence.js';
import type { EvidenceView } from '../../../src/storage/types.js';

/** A view with no documents: titles fall back to the hit's, no 文号 is known. */
const EMPTY_VIEW = { documents: new Map() } as unknown as EvidenceView;

function term(word: string, weight: number, neighbours: [string, number][] = []): QuestionTerm {
  return { term: word, weight, forms: new Map([[word, 1], ...neighbours]), nominal: true };
}

function question(terms: QuestionTerm[], extra: Partial<QuestionAnalysis> = {}): QuestionAnalysis {
  return { query: '', terms, asks: [], years: [], figures: [], phrases: [], form: 'single', named: false, asksFiller: false, ...extra };
}

function candidate(text: string, i: number): Candidate {
  return {
    start: 0,
    end: text.length,
    text,
    filler: false,
    annotation: false,
    titleLine: false,
    hit: { rank: i + 1, passageId: `p${i}`, docId: 'doc', title: '某市办法', issuer: '', breadcrumb: '', clause: '', text, start: 0, end: text.length, score: 0, matchedBy: ['bm25'] },
    hitIndex: i,
    docIndex: i,
    index: 0,
    heading: '',
    before: '',
    pointed: false,
  };
}

/** The outcome features of the first candidate leading (scores: the first is best). */
function features(q: QuestionAnalysis, sentences: string[]): Record<OutcomeFeature, number> {
  const candidates = sentences.map(candidate);
  const evidence: Evidence = { question: q, candidates, table: candidateFeatures(EMPTY_VIEW, q, candidates) };
  const scores = candidates.map((_, i) => -i);
  const values = outcomeFeatures(evidence, scores, candidates.map((_, i) => i), 0);
  return Object.fromEntries(OUTCOME_FEATURES.map((f, i) => [f, values[i] as number])) as Record<OutcomeFeature, number>;
}

describe('the most specific subject word', () => {
  it('is the one of highest weight', () => {
    expect(rarestTerm(question([term('补贴', 6), term('冷链', 11), term('物流', 7)]))).toBe(1);
    expect(rarestTerm(question([]))).toBeUndefined();
  });

  it('is absent (1) when no candidate has it, though every other word matches', () => {
    // 冷链 is what the question is about; the candidates speak of 物流补贴 in general.
    const q = question([term('物流', 7), term('补贴', 6), term('冷链', 11)]);
    const f = features(q, ['对物流企业给予补贴。', '物流园区建设给予补贴支持。']);
    expect(f.rarestAbsent).toBe(1);
    expect(f.rarestLeadMissing).toBe(1);
    const found = features(q, ['对冷链物流企业给予补贴。']);
    expect(found.rarestAbsent).toBe(0);
    expect(found.rarestLeadMissing).toBe(0);
  });

  it('is partly absent where only a neighbour stands for it (共享 asked, 采集 stated)', () => {
    const q = question([term('数据', 4.8), term('共享', 8.3, [['采集', 0.6]])]);
    const f = features(q, ['数据采集率达到90%。']);
    expect(f.rarestLeadMissing).toBeCloseTo(0.4, 6);
    expect(f.rarestAbsent).toBeCloseTo(0.4, 6);
  });

  it('is absent from the lead only, when another candidate has it', () => {
    const q = question([term('物流', 7), term('冷链', 11)]);
    const f = features(q, ['物流企业给予补贴。', '冷链物流另行规定。']);
    expect(f.rarestLeadMissing).toBe(1);
    expect(f.rarestAbsent).toBe(0);
  });
});

describe('kinds of fact asked', () => {
  it('counts the share no candidate states (在哪个区 stated, 占地多大 not)', () => {
    const asks = ['在哪个区', '占地多大'].map((text) => ({ text, ask: quantityAsk(text) as NonNullable<ReturnType<typeof quantityAsk>> }));
    expect(asks.map((a) => a.ask.kind)).toEqual(['place', 'number']);
    const q = question([term('声谷', 12)], { asks });
    expect(features(q, ['华南声谷位于清城区高新技术产业开发区。']).asksAbsent).toBe(0.5);
    expect(features(q, ['华南声谷位于清城区高新技术产业开发区，占地300亩。']).asksAbsent).toBe(0);
    expect(features(question([term('声谷', 12)]), ['华南声谷位于清城区。']).asksAbsent).toBe(0);
  });
});

describe('figures a question states', () => {
  it('are read with their unit, in Arabic or Chinese numerals, years and ordinals aside', () => {
    expect(statedFigures('带动就业50人奖20万,那要是带动100人以上能奖多少?')).toEqual(['50人', '20万', '100人']);
    expect(statedFigures('超过五百平方米的，奖励三十万元')).toEqual(['500平', '30万']);
    expect(statedFigures('到2025年，第十条规定建成80%覆盖')).toEqual(['80%']);
    expect(statedFigures('2017年7月1日起施行，云府办〔2016〕27号')).toEqual([]);
    expect(statedFigures('一是加强领导，这一措施')).toEqual([]);
  });

  it('missing from the lead make a threshold question unanswered by the neighbouring case', () => {
    const figures = statedFigures('带动就业100人以上能奖多少?');
    expect(figureShare('带动就业50人以上的，给予一次性奖励20万元。', figures)).toBe(0);
    expect(figureShare('带动就业一百人以上的，奖励50万元。', figures)).toBe(1);
    const q = question([term('就业', 6), term('带动', 5)], { figures });
    expect(features(q, ['带动就业50人以上的，给予一次性奖励20万元。']).leadFiguresMissing).toBe(1);
    expect(features(q, ['带动就业100人以上的，给予奖励50万元。']).leadFiguresMissing).toBe(0);
    expect(features(question([term('就业', 6)]), ['带动就业50人以上的。']).leadFiguresMissing).toBe(0);
  });
});

describe('a list over cities', () => {
  /** Nine documents: eight national laws ranked first, then one city's plan, each with one passage on 冷链物流. */
  function listEvidence(): Evidence {
    const docs = [...Array.from({ length: 8 }, (_, i) => ({ docId: `law${i}`, title: `中华人民共和国第${i}法`, issuer: '全国人民代表大会常务委员会' })), { docId: 'city', title: '某某市冷链物流发展规划', issuer: '某某市人民政府' }];
    const text = '支持冷链物流设施建设。';
    const documents = new Map(docs.map((d) => [d.docId, { docId: d.docId, body: text, meta: { title: d.title, issuer: d.issuer } }]));
    const view = { documents, passages: [], byId: new Map() } as unknown as EvidenceView;
    const results = docs.map((d, i) => ({ rank: i + 1, passageId: `${d.docId}#0`, docId: d.docId, title: d.title, issuer: d.issuer, breadcrumb: `《${d.title}》`, clause: '', text, start: 0, end: text.length, score: 1 - i / 10, matchedBy: ['bm25' as const] }));
    const response = { query: '哪些城市支持冷链物流设施建设？', results, understanding: { terms: ['冷链', '物流', '设施', '建设'], namedDocs: [], clauseRefs: [], unknownPlaces: [] }, expansions: [], scope: [] };
    return gatherEvidence(view, response, { ...FITTED_MODEL, documentsRead: 8 });
  }

  it('reads the local documents, however many national ones rank before them', () => {
    const evidence = listEvidence();
    expect(evidence.question.form).toBe('list');
    expect(evidence.candidates.map((c) => c.hit.docId)).toEqual(['city']);
  });
});
