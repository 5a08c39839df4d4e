/**
 * The rows of a parts answer (深圳和中山分别…): one per place or title the question names. In a library a place
 * names many documents (深圳 names 深圳经济特区…条例 as well as the city's plan); the question asks for each
 * place's part once, from its best document, not for a row per document that happens to carry the place's name.
 */
import { describe, expect, it } from 'vitest';
import { decideFrom, gatherEvidence, namedGroups } from '../../../src/retrieval/answer/decide.js';
import { FITTED_MODEL } from '../../../src/retrieval/answer/fitted.js';
import type { SearchResponse } from '../../../src/retrieval/search.js';
import type { EvidenceView } from '../../../src/storage/types.js';

const DOCS = [
  { docId: 'sz-plan', title: '深圳市促进大数据发展行动计划', issuer: '深圳市人民政府', by: '深圳', text: '建立食品药品安全风险监测预警大数据平台，提升食品药品监管水平。' },
  { docId: 'sz-law-a', title: '深圳经济特区绿色建筑条例', issuer: '深圳市人民代表大会常务委员会', by: '深圳', text: '绿色建筑应当符合国家标准。' },
  { docId: 'sz-law-b', title: '深圳经济特区学前教育条例', issuer: '深圳市人民代表大会常务委员会', by: '深圳', text: '幼儿园应当配备保健人员。' },
  { docId: 'zs-plan', title: '中山市促进大数据发展实施方案', issuer: '中山市人民政府', by: '中山', text: '运用大数据开展食品药品安全风险监测预警。' },
];

function partsResponse(): { view: EvidenceView; response: SearchResponse } {
  const documents = new Map(DOCS.map((d) => [d.docId, { docId: d.docId, body: d.text, meta: { title: d.title, issuer: d.issuer } }]));
  // A constructed view: only what reading candidates touches (documents with body and meta).
  const view = { documents, passages: [], byId: new Map() } as unknown as EvidenceView;
  const results = DOCS.map((d, i) => ({ rank: i + 1, passageId: `${d.docId}-000000000${i}`, docId: d.docId, title: d.title, issuer: d.issuer, breadcrumb: `《${d.title}》`, clause: '', text: d.text, start: 0, end: d.text.length, score: 1 - i / 10, matchedBy: ['bm25' as const] }));
  const response: SearchResponse = {
    query: '深圳和中山用大数据做食品药品风险监测预警，分别是怎么说的',
    results,
    understanding: { terms: ['数据', '食品', '药品', '风险', '监测', '预警'], namedDocs: DOCS.map((d) => ({ docId: d.docId, by: d.by })), clauseRefs: [], unknownPlaces: [] } as unknown as SearchResponse['understanding'],
    expansions: [],
    scope: DOCS.map((d) => d.docId),
  };
  return { view, response };
}

describe('a parts answer', () => {
  it('groups the named documents by the word that names them, in the order named', () => {
    const { view, response } = partsResponse();
    const evidence = gatherEvidence(view, response, FITTED_MODEL);
    expect(evidence.question.form).toBe('parts');
    expect(namedGroups(evidence, DOCS.map((d) => d.docId))).toEqual([['sz-plan', 'sz-law-a', 'sz-law-b'], ['zs-plan']]);
  });

  it('has one row per place named, from its document on the topic', () => {
    const { view, response } = partsResponse();
    const evidence = gatherEvidence(view, response, FITTED_MODEL);
    const decision = decideFrom(evidence, FITTED_MODEL, DOCS.map((d) => d.docId));
    expect(decision.rows.map((r) => r.docId).sort()).toEqual(['sz-plan', 'zs-plan']);
  });

  it('keeps every document of a place that answers', () => {
    const { view, response } = partsResponse();
    const evidence = gatherEvidence(view, response, FITTED_MODEL);
    const all = { ...FITTED_MODEL, row: { ...FITTED_MODEL.row, threshold: 0 } };
    expect(decideFrom(evidence, all, DOCS.map((d) => d.docId)).rows.map((r) => r.docId).sort()).toEqual(['sz-law-a', 'sz-law-b', 'sz-plan', 'zs-plan']);
  });

  it('shows a place none of whose documents answers once, by its most probable document', () => {
    const { view, response } = partsResponse();
    const evidence = gatherEvidence(view, response, FITTED_MODEL);
    const none = { ...FITTED_MODEL, row: { ...FITTED_MODEL.row, threshold: 1.000001 }, outcome: { ...FITTED_MODEL.outcome, threshold: 0 } };
    const rows = decideFrom(evidence, none, DOCS.map((d) => d.docId)).rows;
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.docId)).toContain('zs-plan');
  });

  it('keeps a row per document when the naming words are not known', () => {
    const { view, response } = partsResponse();
    const { named: _named, ...evidence } = gatherEvidence(view, response, FITTED_MODEL);
    expect(namedGroups(evidence, ['a', 'b', 'a'])).toEqual([['a'], ['b']]);
  });
});
