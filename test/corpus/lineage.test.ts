import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveLineage, instrumentTitle, type LineageInput } from '../../src/corpus/lineage.js';

const patent = (docId: string, dateIssued: string, issuer = '国务院'): LineageInput => ({ docId, title: '中华人民共和国专利法实施细则', issuer, dateIssued });

describe('instrumentTitle', () => {
  it('makes the titles of one instrument alike', () => {
    expect(instrumentTitle('中华人民共和国专利法实施细则')).toBe(instrumentTitle('专利法实施细则'));
    expect(instrumentTitle('某市物业管理条例（2019年修订）')).toBe(instrumentTitle('某市物业管理条例'));
    expect(instrumentTitle('某市大数据行动计划(2016-2020年)')).not.toBe(instrumentTitle('某市大数据行动计划(2021-2025年)'));
  });
});

describe('deriveLineage', () => {
  it('chains versions by date, whatever their order: each older one names the next, the newest none', () => {
    const docs = [patent('p2023', '2023-12-11'), patent('p2001', '2001-06-15'), patent('p2010', '2010-01-09')];
    const lineage = deriveLineage(docs);
    expect(lineage.get('p2001')?.supersededBy?.docId).toBe('p2010');
    expect(lineage.get('p2010')?.supersededBy).toEqual({ docId: 'p2023', title: '中华人民共和国专利法实施细则', date: '2023-12-11', from: '2023-12-11' });
    expect(lineage.get('p2023')?.supersededBy).toBeUndefined();
    expect(lineage.get('p2023')?.versions.map((v) => v.docId)).toEqual(['p2001', 'p2010', 'p2023']);
  });

  it('holds in any order of arrival (property)', () => {
    const docs = [patent('a', '2001-06-15'), patent('b', '2010-01-09'), patent('c', '2023-12-11'), { docId: 'd', title: '其他条例', issuer: '国务院', dateIssued: '2011-01-01' }];
    const expected = deriveLineage(docs);
    fc.assert(fc.property(fc.shuffledSubarray(docs, { minLength: docs.length, maxLength: docs.length }), (order) => {
      expect(deriveLineage(order)).toEqual(expected);
    }));
  });

  it('keeps apart instruments of one title from different issuers, and one version of one date', () => {
    const docs: LineageInput[] = [
      { docId: 'sh', title: '物业管理条例', issuer: '上海市人民代表大会常务委员会', dateIssued: '2010-01-01' },
      { docId: 'bj', title: '物业管理条例', issuer: '北京市人民代表大会常务委员会', dateIssued: '2020-01-01' },
      { docId: 'anon', title: '物业管理条例', dateIssued: '2021-01-01' },
      patent('x1', '2010-01-09'),
      patent('x2', '2010-01-09'),
    ];
    const lineage = deriveLineage(docs);
    for (const id of ['sh', 'bj', 'anon', 'x1', 'x2']) expect(lineage.get(id)?.supersededBy, id).toBeUndefined();
    // A document stating no issuer joins the one issuer its namesakes agree on.
    expect(deriveLineage([patent('old', '2001-06-15'), { docId: 'new', title: '专利法实施细则', dateIssued: '2023-12-11' }]).get('old')?.supersededBy?.docId).toBe('new');
  });

  it('resolves repeals by 文号 (also one the history names) and by title, never the repealer’s own versions', () => {
    const docs: LineageInput[] = [
      { docId: 'old-notice', title: '广州市人民政府办公厅关于印发广州市临时救助办法的通知', dateIssued: '2019-05-01', history: [{ date: '2019-05-01', action: '发布', by: 'x', docNumber: '穗府办规〔2019〕13号' }] },
      { docId: 'rules', title: '广州市临时救助实施细则', dateIssued: '2021-12-06', effectiveFrom: '2021-12-06', repeals: [{ title: '某个不同的标题', docNumber: '穗府办规〔2019〕13号', sentence: '《…》(穗府办规〔2019〕13号)同时废止。', clause: '第十八条' }] },
      { docId: 'fund-1996', title: '上海市住房公积金条例', issuer: '上海市人民代表大会常务委员会', dateIssued: '1996-04-12' },
      { docId: 'fund-2006', title: '上海市住房公积金条例', issuer: '上海市人民代表大会常务委员会', dateIssued: '2006-12-29', repeals: [{ title: '上海市住房公积金条例', sentence: '1996年…通过的《上海市住房公积金条例》同时废止。' }] },
      { docId: 'later', title: '某市甲办法', dateIssued: '2030-01-01' },
      { docId: 'repealer', title: '某市乙办法', dateIssued: '2020-01-01', repeals: [{ title: '某市甲办法', sentence: '《某市甲办法》同时废止。' }] },
    ];
    const lineage = deriveLineage(docs);
    expect(lineage.get('old-notice')?.repealedBy).toEqual({ docId: 'rules', title: '广州市临时救助实施细则', clause: '第十八条', sentence: '《…》(穗府办规〔2019〕13号)同时废止。', from: '2021-12-06' });
    expect(lineage.get('fund-1996')).toMatchObject({ supersededBy: { docId: 'fund-2006' } });
    expect(lineage.get('fund-1996')?.repealedBy).toBeUndefined();
    // A document dated after the repealer is another instrument of that name.
    expect(lineage.get('later')?.repealedBy).toBeUndefined();
  });
});
