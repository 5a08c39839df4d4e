import { describe, expect, it } from 'vitest';
import { computeMetrics, isHit, matchedEvidence, parseEvalSet, type EvalRun } from '../../src/retrieval/eval.js';

const item = (type: string, docs: string[], evidence: string[]) => ({ id: 'x', question: 'q', docs, evidence, type });
const result = (docId: string, text: string) => ({ rank: 1, passageId: 'p', docId, title: '', breadcrumb: '', text, start: 0, end: text.length, score: 1 });

describe('evidence matching', () => {
  it('accepts the whole evidence or any 12-character window of it, ignoring whitespace', () => {
    const ev = ['建成全市统一的政府数据开放平台,数据开放单位超过80%'];
    expect(matchedEvidence('……数据开放平台,数据开放单 位超过80%……', ev)).toBe(0);
    expect(matchedEvidence('政府数据开放平台', ev)).toBe(-1);
    expect(isHit(result('shenzhen', '政府数据开放平台,数据开放单位'), item('fact', ['shenzhen'], ev))).toBe(true);
    expect(isHit(result('dongguan', '政府数据开放平台,数据开放单位'), item('fact', ['shenzhen'], ev))).toBe(false);
  });
});

describe('computeMetrics', () => {
  it('scores answerable, cross and none items as specified', () => {
    const runs: EvalRun[] = [
      { item: item('fact', ['a'], ['甲乙丙']), abstained: false, results: [result('a', '甲乙丙')] },
      { item: item('fact', ['a'], ['甲乙丙']), abstained: true, results: [result('b', 'x'), result('a', '甲乙丙')] },
      { item: item('cross', ['a', 'b'], ['子丑', '寅卯']), abstained: false, results: [result('a', '子丑'), result('c', 'x'), result('c', 'x'), result('c', 'x'), result('c', 'x'), result('b', '寅卯')] },
      { item: item('none', [], []), abstained: true, results: [] },
      { item: item('none', [], []), abstained: false, results: [] },
    ];
    const m = computeMetrics(runs);
    expect(m.hit1).toBeCloseTo(2 / 3);
    expect(m.hit5).toBeCloseTo(2 / 3); // the cross item misses b in the top 5
    expect(m.mrr10).toBeCloseTo((1 + 0.5 + 1) / 3);
    expect(m.crossCoverage10).toBe(1);
    // Retrieval-only runs: the outcome is read from abstained; citation figures have no answers to read.
    expect(m.noneNotAnswered).toBe(0.5);
    expect(m.coverage).toBeCloseTo(2 / 3);
    expect(m.falseNotFound).toBeCloseTo(1 / 3);
    expect(m.answer1).toBeNaN();
    expect(m.risk).toBeNaN();
  });

  it('scores answers by outcome: related shows clauses, not_found scores nothing, risk reads every answer', () => {
    const answer = (outcome: 'answer' | 'related' | 'not_found', ...quotes: [string, string][]) => ({ outcome, abstained: outcome !== 'answer', text: '', citations: quotes.map(([docId, quote]) => ({ docId, passageId: 'p', quote })) });
    const runs: EvalRun[] = [
      // answered right
      { item: item('fact', ['a'], ['甲乙丙']), abstained: false, results: [], answer: answer('answer', ['a', '甲乙丙']) },
      // answered, first citation wrong, the second right: answer@3 only, and a risk
      { item: item('fact', ['a'], ['甲乙丙']), abstained: false, results: [], answer: answer('answer', ['b', '甲乙丙'], ['a', '甲乙丙']) },
      // related whose first clause holds the evidence: answer@1, not coverage
      { item: item('fact', ['a'], ['甲乙丙']), abstained: true, results: [], answer: answer('related', ['a', '甲乙丙']) },
      // not_found with a citation that would hold: scores nothing, a false not-found
      { item: item('fact', ['a'], ['甲乙丙']), abstained: true, results: [], answer: answer('not_found', ['a', '甲乙丙']) },
      // a none question answered: a risk; one related: not answered
      { item: item('none', [], []), abstained: false, results: [], answer: answer('answer', ['a', 'x']) },
      { item: item('none', [], []), abstained: true, results: [], answer: answer('related', ['a', 'x']) },
    ];
    const m = computeMetrics(runs);
    expect(m.answer1).toBeCloseTo(2 / 4);
    expect(m.answer3).toBeCloseTo(3 / 4);
    expect(m.coverage).toBeCloseTo(2 / 4);
    expect(m.risk).toBeCloseTo(2 / 3);
    expect(m.falseNotFound).toBeCloseTo(1 / 4);
    expect(m.noneNotAnswered).toBe(0.5);
  });
});

describe('parseEvalSet', () => {
  it('names the line of a bad entry', () => {
    expect(() => parseEvalSet('{"id":"a","question":"q","docs":[],"evidence":[],"type":"none"}\n{"id":1}', 'set.jsonl')).toThrow(/^set\.jsonl:2: id: /);
    expect(() => parseEvalSet('nope', 'set.jsonl')).toThrow('set.jsonl:1: not valid JSON');
  });
});
