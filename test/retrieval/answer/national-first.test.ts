/**
 * A question that names no place is asked of the whole country (issue 20, lead choice): where a national instrument's
 * clause covers it as well as a local instrument's lead, the national one leads. Constructed documents and questions.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/lexical/analyzer.js';
import { decideFrom, gatherEvidence, type Evidence } from '../../../src/retrieval/answer/decide.js';
import { FITTED_MODEL } from '../../../src/retrieval/answer/fitted.js';
import type { EvidenceView } from '../../../src/storage/types.js';

const LOCAL = { docId: 'local', title: '泰州市燃气管理条例', issuer: '泰州市人民代表大会常务委员会' };
const NATIONAL = { docId: 'national', title: '城镇燃气管理条例', issuer: '国务院' };

/** The two documents, each with one passage, retrieved local first. */
function evidenceOf(question: string, localText: string, nationalText: string, national = NATIONAL): Evidence {
  const docs = [
    { meta: LOCAL, body: localText },
    { meta: national, body: nationalText },
  ];
  const view = { documents: new Map(docs.map((d) => [d.meta.docId, { docId: d.meta.docId, body: d.body, meta: d.meta }])), passages: [], byId: new Map() } as unknown as EvidenceView;
  const results = docs.map((d, i) => ({ rank: i + 1, passageId: `${d.meta.docId}#0`, docId: d.meta.docId, title: d.meta.title, issuer: d.meta.issuer, breadcrumb: `《${d.meta.title}》`, clause: '', text: d.body, start: 0, end: d.body.length, score: 1 / (i + 1), matchedBy: ['bm25' as const] }));
  const response = { query: question, results, understanding: { terms: analyze(question), namedDocs: [], clauseRefs: [], unknownPlaces: [] }, expansions: [], scope: [] };
  return gatherEvidence(view, response, FITTED_MODEL);
}

const leadDoc = (evidence: Evidence): string | undefined => {
  const { lead } = decideFrom(evidence, FITTED_MODEL);
  return lead === undefined ? undefined : evidence.candidates[lead]?.hit.docId;
};

describe('a question that names no place', () => {
  const clause = '从事燃气经营活动的，应当依法取得燃气经营许可证。';

  it('is led by the national instrument when its clause covers the question as well as the local lead', () => {
    expect(leadDoc(evidenceOf('从事燃气经营要取得什么许可证', clause, clause))).toBe('national');
  });

  it('keeps the local lead when the question names a place', () => {
    expect(leadDoc(evidenceOf('在青岛从事燃气经营要取得什么许可证', clause, clause))).toBe('local');
  });

  it('keeps the local lead when the national clause covers less of the question', () => {
    expect(leadDoc(evidenceOf('从事燃气经营要取得什么许可证', clause, '燃气经营者应当向用户公布服务标准。'))).toBe('local');
  });

  it('keeps the local lead when the national instrument is about something else (no question word in its title)', () => {
    const ships = { docId: 'national', title: '外国籍船舶航行长江水域管理规定', issuer: '国务院' };
    expect(leadDoc(evidenceOf('从事燃气经营要取得什么许可证', clause, clause, ships))).toBe('local');
  });

  it('keeps the local lead when the national clause covers as much through another subject word', () => {
    // The local clause writes 装修 and 小区; the national one 遛狗 and 小区 (more weight, another subject).
    const estates = { docId: 'national', title: '住宅小区管理条例', issuer: '国务院' };
    expect(leadDoc(evidenceOf('在小区装修和遛狗要注意什么', '在小区装修的，应当在规定时间内施工。', '在小区遛狗的，应当束犬链。', estates))).toBe('local');
  });

  it('reads a province or city by its one-character name (沪, 粤) as naming a place', () => {
    expect(leadDoc(evidenceOf('沪上从事燃气经营要取得什么许可证', clause, clause))).toBe('local');
    expect(leadDoc(evidenceOf('粤从事燃气经营要取得什么许可证', clause, clause))).toBe('local');
  });

  it('reads 中国 and 城市 as naming no place', () => {
    expect(leadDoc(evidenceOf('中国从事燃气经营要取得什么许可证', clause, clause))).toBe('national');
  });

  it('is led by the national penalty clause when a penalty is asked', () => {
    const fine = '未取得燃气经营许可证从事燃气经营活动的，由燃气管理部门责令停止违法行为，处5万元以上50万元以下罚款。';
    expect(leadDoc(evidenceOf('没取得燃气经营许可证就经营燃气怎么处罚', fine, fine))).toBe('national');
    expect(leadDoc(evidenceOf('泰州没取得燃气经营许可证就经营燃气怎么处罚', fine, fine))).toBe('local');
  });
});
