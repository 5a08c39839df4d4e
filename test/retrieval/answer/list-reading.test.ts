/**
 * Which documents a list reads: a list over cities (哪些城市…) reads local documents only, chosen before documents are
 * counted, so national laws ranked above a city's plan do not take its place (issue 20, item 5: the decision must not
 * move with library size).
 */
import { describe, expect, it } from 'vitest';
import { gatherEvidence, type Evidence } from '../../../src/retrieval/answer/decide.js';
import { FITTED_MODEL } from '../../../src/retrieval/answer/fitted.js';
import type { EvidenceView } from '../../../src/storage/types.js';

/** Nine documents: eight national laws ranked first, then one city's plan, each with one passage on 冷链物流. */
function listEvidence(documentsRead: number): Evidence {
  const docs = [...Array.from({ length: 8 }, (_, i) => ({ docId: `law${i}`, title: `中华人民共和国第${i}法`, issuer: '全国人民代表大会常务委员会' })), { docId: 'city', title: '某某市冷链物流发展规划', issuer: '某某市人民政府' }];
  const text = '支持冷链物流设施建设。';
  const documents = new Map(docs.map((d) => [d.docId, { docId: d.docId, body: text, meta: { title: d.title, issuer: d.issuer } }]));
  // A constructed view: only what reading candidates touches (documents with body and meta).
  const view = { documents, passages: [], byId: new Map() } as unknown as EvidenceView;
  const results = docs.map((d, i) => ({ rank: i + 1, passageId: `${d.docId}#0`, docId: d.docId, title: d.title, issuer: d.issuer, breadcrumb: `《${d.title}》`, clause: '', text, start: 0, end: text.length, score: 1 - i / 10, matchedBy: ['bm25' as const] }));
  const response = { query: '哪些城市支持冷链物流设施建设？', results, understanding: { terms: ['冷链', '物流', '设施', '建设'], namedDocs: [], clauseRefs: [], unknownPlaces: [] }, expansions: [], scope: [] };
  return gatherEvidence(view, response, { ...FITTED_MODEL, documentsRead });
}

describe('a list over cities', () => {
  it('reads the local documents, however many national ones rank before them', () => {
    const evidence = listEvidence(8);
    expect(evidence.question.form).toBe('list');
    expect(evidence.candidates.map((c) => c.hit.docId)).toEqual(['city']);
  });
});
