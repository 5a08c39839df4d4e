/**
 * Lists asking which documents mention a subject (哪些文件提到了…): the words a question uses for the documents or for
 * the expression it quotes are not the subject, an unknown word glued to a subject word is asked whole, and a list given
 * as an answer shows other documents' clauses on its subject after the answers, said to be related only.
 */
import { describe, expect, it } from 'vitest';
import { compose, PARTIAL_ROWS_TEXT } from '../../../src/retrieval/answer/compose.js';
import { decideFrom, gatherEvidence, writesSubject, type Evidence } from '../../../src/retrieval/answer/decide.js';
import { FITTED_MODEL } from '../../../src/retrieval/answer/fitted.js';
import { analyze } from '../../../src/lexical/analyzer.js';
import type { EvidenceView } from '../../../src/storage/types.js';
import { evidenceFor } from './one-city.js';

/** One passage per document, ranked in the order given; returns the view and response too, for compose. */
function across(question: string, docs: readonly { docId: string; title: string; text: string }[]) {
  const documents = new Map(docs.map((d) => [d.docId, { docId: d.docId, body: d.text, meta: { docId: d.docId, title: d.title, issuer: `${d.title.slice(0, 3)}人民政府` }, tree: { kind: 'root', children: [], start: 0, end: d.text.length } }]));
  // A constructed view: only what reading candidates and quoting them touches (documents with body and meta).
  const view = { documents, passages: [], byId: new Map() } as unknown as EvidenceView;
  const results = docs.map((d, i) => ({ rank: i + 1, passageId: `${d.docId}#0`, docId: d.docId, title: d.title, issuer: `${d.title.slice(0, 3)}人民政府`, breadcrumb: `《${d.title}》`, clause: '', text: d.text, start: 0, end: d.text.length, score: 1 - i / 10, matchedBy: ['bm25' as const] }));
  const response = { query: question, results, understanding: { terms: analyze(question), namedDocs: [], clauseRefs: [], unknownPlaces: [] }, expansions: [], scope: [] };
  const evidence: Evidence = gatherEvidence(view, response, FITTED_MODEL);
  return { view, response, evidence };
}

describe('the subject of a mention list', () => {
  it('leaves out a kind of document (大数据文件) and a noun of expression pointed at (这个提法)', () => {
    const hall = evidenceFor('网上办事大厅 哪几个市的大数据文件提了', ['依托网上办事大厅推进审批。']);
    expect(hall.question.asksMention).toBe(true);
    expect(writesSubject(hall, 0)).toBe(true);
    const phrase = evidenceFor('“数字孪生”这个提法,哪些文件里提到了?', ['推进数字孪生城市建设。']);
    expect(phrase.question.terms.map((t) => t.term)).not.toContain('提法');
    expect(phrase.question.asksMention).toBe(true);
    expect(writesSubject(phrase, 0)).toBe(true);
  });

  it('asks a word jieba does not know whole with the subject word it is glued to (两化 + 融合)', () => {
    const e = evidenceFor('两化融合 哪些文件提到了', ['推进两化融合发展。', '推动产业融合发展。']);
    expect(e.question.mentionWords).toEqual(['两化融合']);
    expect([0, 1].map((i) => writesSubject(e, i))).toEqual([true, false]);
  });
});

describe('a mention list read as asked', () => {
  it('takes a quoted term as written, symbols too, and with no clause writing it is related', () => {
    const plus = evidenceFor('“互联网+”这个说法,哪些文件提到了?', ['推进互联网基础设施建设。', '实施“互联网+”行动。']);
    expect([0, 1].map((i) => writesSubject(plus, i))).toEqual([false, true]);
    const island = evidenceFor('“数据孤岛”这种提法,哪些文件里出现了?', ['打破信息孤岛，推进数据共享。']);
    expect(island.question.asksMention).toBe(true);
    expect(decideFrom(island, FITTED_MODEL).outcome).toBe('related');
  });

  it('takes no word of the documents looked in for the most specific word of its related rows', () => {
    const docs = [
      { docId: 'a', title: '甲市区块链发展规划', text: '推进政务数据共享。' },
      { docId: 'b', title: '乙市区块链行动计划', text: '发展区块链金融。' },
    ];
    const { evidence } = across('共享 哪些城市的区块链规划里提到', docs);
    const decision = decideFrom(evidence, FITTED_MODEL);
    expect(decision.outcome).toBe('answer');
    expect(decision.rows.filter((r) => r.answers).map((r) => r.docId)).toEqual(['a']);
    expect((decision.partial ?? []).map((i) => evidence.candidates[i]?.hit.docId)).not.toContain('b');
  });

  it('reads where it looks (…的大数据规划里) as no part of the subject, and a compound by its parts in order', () => {
    const portrait = evidenceFor('画像 哪些城市的大数据规划里提到', ['建立律师画像、律所画像。']);
    expect(writesSubject(portrait, 0)).toBe(true);
    const talent = evidenceFor('柔性引进人才,哪些文件里提到了?', ['鼓励柔性引进人工智能人才。', '引进人才，柔性管理。']);
    expect([0, 1].map((i) => writesSubject(talent, i))).toEqual([true, false]);
  });

  it('sets every word of mentioning aside, not only the first (文件里有 and 提到), and knows 用到, 用过, 提起', () => {
    const e = evidenceFor('人才引进在哪些文件里有提到', ['加大人才引进力度。']);
    expect(e.question.terms.map((t) => t.term)).not.toContain('提到');
    expect(e.question.asksMention).toBe(true);
    expect(writesSubject(e, 0)).toBe(true);
    expect(evidenceFor('“数据孤岛”这个说法哪些文件用到了', ['打破信息孤岛。']).question.asksMention).toBe(true);
  });

  it('is not asked of either of two subjects (…或者…): the fitted model decides', () => {
    expect(evidenceFor('产学研合作或者“政产学研用”平台,哪些文件提到了?', ['加强产学研合作。']).question.asksMention).toBe(false);
  });

  it('does not take 该 of 应该, 此 of 因此 or 词 of 词条 for a noun of expression pointed at', () => {
    const terms = (q: string): string[] => evidenceFor(q, ['建设概念验证中心。']).question.terms.map((t) => t.term);
    expect(terms('概念验证中心这个概念,哪些文件提到了?').join('')).toContain('概念');
    expect(terms('哪些文件提到了因此概念验证中心')).toContain('概念');
    expect(terms('概念验证中心应该概念先行吗')).toContain('概念');
    expect(terms('这个词条里的概念验证中心在哪些文件出现')).toContain('词条');
  });
});

describe('a list asking for a quoted phrase', () => {
  it('gives no row to a document that never writes it, mention list or not', () => {
    const docs = [
      { docId: 'a', title: '甲市大数据发展规划', text: '着力打破“数据孤岛”，推进政务数据共享。' },
      { docId: 'b', title: '乙市大数据行动计划', text: '着力打破信息孤岛，推进政务数据共享。' },
    ];
    const { evidence } = across('哪几个城市提出要打破“数据孤岛”推进数据共享?', docs);
    expect(evidence.question.asksMention).toBe(false);
    const rows = decideFrom(evidence, { ...FITTED_MODEL, outcome: { ...FITTED_MODEL.outcome, threshold: 0 }, row: { ...FITTED_MODEL.row, threshold: 0 } }).rows;
    expect(rows.filter((r) => r.answers).map((r) => r.docId)).toEqual(['a']);
  });
});

describe('a mention list given as an answer', () => {
  const docs = [
    { docId: 'a', title: '甲市大数据发展规划', text: '整合流动人口信息，建设人口基础数据库。' },
    { docId: 'b', title: '乙市大数据行动计划', text: '在流动人口管理领域开展大数据应用示范。' },
    { docId: 'c', title: '丙市冷链物流规划', text: '支持冷链物流设施建设。' },
  ];

  it('shows after its answers the clauses of other documents writing its most specific word, as related only', () => {
    const { view, response, evidence } = across('哪些文件提到了流动人口信息', docs);
    const decision = decideFrom(evidence, FITTED_MODEL);
    expect(decision.outcome).toBe('answer');
    expect(decision.rows.filter((r) => r.answers).map((r) => r.docId)).toEqual(['a']);
    expect((decision.partial ?? []).map((i) => evidence.candidates[i]?.hit.docId)).toEqual(['b']);
    const answer = compose(view, response, evidence, decision, '2026-12-08');
    const lines = answer.answer.split('\n');
    expect(lines.indexOf(PARTIAL_ROWS_TEXT)).toBeGreaterThan(0);
    expect(answer.citations.map((c) => [c.docId, c.lowConfidence === true])).toEqual([
      ['a', false],
      ['b', true],
    ]);
  });
});

describe('mentionHits', () => {
  it('adds, per document read, the first passage writing the subject where none of its passages found does', async () => {
    const { mentionHits } = await import('../../../src/retrieval/answer/candidates.js');
    const body = '推进政务云建设。\n发展互联网金融。\n实施“互联网+”行动计划。';
    const spans = [0, 9, 18].map((start, k) => ({ passageId: `a#${k}`, docId: 'a', start, end: [8, 17, body.length][k] as number, breadcrumb: '', clause: '' }));
    const view = { documents: new Map([['a', { docId: 'a', body, meta: { docId: 'a', title: '甲市规划', issuer: '甲市人民政府' } }]]), passages: spans, byId: new Map() } as unknown as EvidenceView;
    const hit = { rank: 1, passageId: 'a#1', docId: 'a', title: '甲市规划', issuer: '甲市人民政府', breadcrumb: '', clause: '', text: '发展互联网金融。', start: 9, end: 17, score: 1, matchedBy: ['bm25' as const] };
    const writes = (text: string): boolean => text.includes('互联网+');
    expect(mentionHits(view, [hit], writes).map((h) => h.passageId)).toEqual(['a#2']);
    // A document whose passage found already writes it gets nothing more.
    expect(mentionHits(view, [{ ...hit, passageId: 'a#2', text: '实施“互联网+”行动计划。' }], writes)).toEqual([]);
  });
});
