/**
 * A near-miss compound (issue 20): the question asks for one measure of a thing (its 开放率) and the lead states
 * another measure of the same thing (its 归集率). Such a lead is never an `answer`, whatever the fitted outcome model
 * says. Constructed sentences, no dev question.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/lexical/analyzer.js';
import { decideFrom, gatherEvidence, nearMissLead, type Evidence } from '../../../src/retrieval/answer/decide.js';
import { FITTED_MODEL } from '../../../src/retrieval/answer/fitted.js';
import type { AnswerModel } from '../../../src/retrieval/answer/model.js';
import { nearMissCompound } from '../../../src/retrieval/evidence.js';
import type { EvidenceView } from '../../../src/storage/types.js';

describe('nearMissCompound', () => {
  it('finds the same modifier with another head of the same suffix', () => {
    expect(nearMissCompound('某市2025年公共数据资源开放率要达到多少？', '到2025年，公共数据资源归集率达到90%。')).toBe('开放率');
    expect(nearMissCompound('全市电子证照使用量有多大？', '推动电子证照签发量逐年增长。')).toBe('使用量');
    // jieba tags the head a verb (采集/v 率/v): read on characters, it is found all the same.
    expect(nearMissCompound('政务数据采集率达到多少', '政务数据共享率达到80%')).toBe('采集率');
  });

  it('is silent where the text states the asked measure, names the modifier without a measure, or names none', () => {
    expect(nearMissCompound('某市2025年公共数据资源开放率要达到多少？', '到2025年，公共数据资源开放率达到60%，归集率达到90%。')).toBeUndefined();
    expect(nearMissCompound('某市2025年公共数据资源开放率要达到多少？', '加快公共数据资源开放，建设统一开放平台。')).toBeUndefined();
    expect(nearMissCompound('某市2025年公共数据资源开放率要达到多少？', '到2025年，数字经济增加值占比达到50%。')).toBeUndefined();
    expect(nearMissCompound('数据中心的电费补贴标准是什么？', '对数据中心给予电费补贴。')).toBeUndefined();
  });
});

const QUESTION = '某市2025年公共数据资源开放率要达到多少？';

/** One city's plan with one passage `text`, the only result of `QUESTION`. */
function evidenceFor(text: string): Evidence {
  const doc = { docId: 'city', title: '某市数字政府建设规划', issuer: '某市人民政府' };
  // A constructed view: only what reading candidates touches (documents with body and meta).
  const view = { documents: new Map([[doc.docId, { docId: doc.docId, body: text, meta: { title: doc.title, issuer: doc.issuer } }]]), passages: [], byId: new Map() } as unknown as EvidenceView;
  const results = [{ rank: 1, passageId: 'city#0', docId: doc.docId, title: doc.title, issuer: doc.issuer, breadcrumb: `《${doc.title}》`, clause: '', text, start: 0, end: text.length, score: 1, matchedBy: ['bm25' as const] }];
  const response = { query: QUESTION, results, understanding: { terms: analyze(QUESTION), namedDocs: [], clauseRefs: [], unknownPlaces: [] }, expansions: [], scope: [] };
  return gatherEvidence(view, response, FITTED_MODEL);
}

/** The fitted model with every lead over its outcome threshold and no topic floor: only the rules can refuse. */
const lenient: AnswerModel = { ...FITTED_MODEL, topicFloor: 0, outcome: { ...FITTED_MODEL.outcome, threshold: 0 } };

describe('a lead stating a neighbouring measure', () => {
  it('is related, naming the measure asked as missing; the lead stating the asked one is an answer', () => {
    const near = evidenceFor('到2025年，公共数据资源归集率达到90%。');
    expect(nearMissLead(near, 0)).toBe('开放率');
    const decision = decideFrom(near, lenient);
    expect(decision.outcome).toBe('related');
    expect(decision.missing).toBe('未找到提到“开放率”的条文');
    const right = evidenceFor('到2025年，公共数据资源开放率达到60%。');
    expect(nearMissLead(right, 0)).toBeUndefined();
    expect(decideFrom(right, lenient).outcome).toBe('answer');
  });
});
