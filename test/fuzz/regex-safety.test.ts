/**
 * Every regex applied to user input or documents must finish on hostile input at the size limits
 * (no catastrophic backtracking). Timings are in `npm run bench:query`; here each call must return.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/corpus/parser.js';
import { chunkDocument } from '../../src/chunking/chunker.js';
import { analyze } from '../../src/lexical/analyzer.js';
import { quantityAsk, splitSentences, statesQuantity } from '../../src/retrieval/evidence.js';
import { buildAliasTable, questionForm, understandQuery } from '../../src/retrieval/query.js';
import { displayText, isFiller } from '../../src/retrieval/answer.js';
import { COMPARE_TOPIC_MAX_CHARS, compareProvisions } from '../../src/retrieval/compare.js';
import { resolveReferences } from '../../src/retrieval/references.js';
import { findRepeals, inferDocumentFacts } from '../../src/corpus/document-facts.js';
import { historyHead, parseHistory } from '../../src/corpus/history.js';
import { inferValidityFromText, parseChineseDate } from '../../src/corpus/validity.js';
import { realKnowledgeBase } from '../helpers.js';

export const HOSTILE_QUERIES = ['第'.repeat(2000), '（'.repeat(2000), '第一'.repeat(1000), '(一'.repeat(1000), '专栏'.repeat(1000), '1.'.repeat(1000), '多少'.repeat(1000), '《'.repeat(2000), '第十条'.repeat(666), '0-'.repeat(1000), '那深圳呢'.repeat(500)];

describe('regexes on hostile input at the limits', () => {
  it('query understanding, analysis and evidence checks finish on 2,000-character hostile queries', async () => {
    const { kb, service } = await realKnowledgeBase();
    const aliases = buildAliasTable(kb.documents.values());
    for (const q of HOSTILE_QUERIES) {
      expect(q.length).toBeLessThanOrEqual(2000);
      expect(Array.isArray(analyze(q))).toBe(true);
      expect(understandQuery(q, aliases).terms).toBeDefined();
      quantityAsk(q);
      statesQuantity(q, { kind: 'money' });
      expect((await service.ask(q)).answer.answer.length).toBeGreaterThan(0);
      isFiller(q);
      displayText(q, '第十条');
      questionForm(q, 0);
      // A compare topic is at most COMPARE_TOPIC_MAX_CHARS: longer is refused at once; the hostile pattern at the limit runs.
      await expect(compareProvisions(service.searcher, q, { docIds: ['yunfu'] })).rejects.toMatchObject({ code: 'invalid_input' });
      expect((await compareProvisions(service.searcher, q.slice(0, COMPARE_TOPIC_MAX_CHARS), { docIds: ['yunfu'] })).rows).toHaveLength(1);
    }
    for (const q of ['为'.repeat(2000), '本条第（'.repeat(500), '依照本办法第'.repeat(333), '哪些城市'.repeat(500)]) {
      isFiller(q);
      expect((await service.ask(q)).answer.answer.length).toBeGreaterThan(0);
    }
  }, 240_000);

  it('cross-reference resolution finishes on every passage and on a hostile body', async () => {
    const { kb } = await realKnowledgeBase();
    for (const p of kb.passages) resolveReferences(kb.documents.get(p.docId) as NonNullable<ReturnType<typeof kb.documents.get>>, kb.passages.filter((q) => q.docId === p.docId), p.start, p.end);
    const doc = kb.documents.get('yunfu')!;
    const body = '本条第（二）项依照本办法第十条第二款第（三）项'.repeat(8000);
    const hostile = { ...kb, documents: new Map([['yunfu', { ...doc, body }]]) };
    expect(Array.isArray(resolveReferences(hostile.documents.get('yunfu') as NonNullable<ReturnType<typeof hostile.documents.get>>, hostile.passages.filter((q) => q.docId === 'yunfu'), 0, body.length))).toBe(true);
  }, 120_000);

  it('the parser and chunker finish on 200,000-character hostile bodies', () => {
    for (const unit of ['第', '（一）', '1.', '一、', '专栏1', '第一条', '4-1', '#', '。', '(']) {
      const body = unit.repeat(Math.ceil(200_000 / unit.length));
      const tree = parsePolicy(body);
      const chunks = chunkDocument({ docId: 'x', title: 't', body, tree });
      expect(chunks[chunks.length - 1]?.end).toBe(body.length);
      expect(splitSentences(body, 0, body.length).length).toBeGreaterThan(0);
    }
  }, 120_000);

  it('validity, issuer and repeal readers finish on 200,000-character hostile bodies', () => {
    const units = ['，试行期三年', '自2017年7月1日起施行，有效期5年，', '自', '自2017年', '2017年7月1日', '有效期至', '有效期自2021年1月1日至', '试行期三年', '《', '《甲》同时废止', '根据《甲》，', '废止《', '第十届人民代表大会常务委员会', '国务院令第', '关于', '〔2019〕', '2001年6月15日 国务院令第306号公布\n', '（2010年', '根据2016年2月6日《', '第一次修订　', '# 标题\n'];
    for (const unit of units) {
      const body = unit.repeat(Math.ceil(200_000 / unit.length));
      // Catastrophic backtracking would blow the test's timeout; each call must simply return.
      inferValidityFromText(body, '2020-01-01');
      inferDocumentFacts(body.slice(0, 300), body);
      parseHistory(historyHead(body));
      parseHistory(body.slice(0, 20_000));
      parseChineseDate(body);
      expect(findRepeals(body).filter((r) => r.title !== '甲')).toEqual([]);
    }
  }, 120_000);
});
