/**
 * Penalty clauses that name the breach in words (违反本条例规定，在禁止吸烟公共场所吸烟的，…处五十元罚款) rather than by
 * article number: `penaltyHits` adds those of the documents searched that write the most of the question, after the
 * clauses punishing the found articles by number. A constructed regulation.
 */
import { describe, expect, it } from 'vitest';
import { penaltyHits } from '../../../src/retrieval/answer/candidates.js';
import type { SearchHit } from '../../../src/retrieval/search.js';
import type { EvidenceView } from '../../../src/storage/types.js';

const CLAUSES = [
  '第十一条 个人不得在禁止吸烟的公共场所吸烟。',
  '第十二条 经营者应当在禁止吸烟区域设置禁烟标识。',
  '第十九条 违反本条例规定，在禁止吸烟公共场所吸烟的，由监督管理部门责令改正，可以处五十元罚款。',
  '第二十条 违反本条例第十二条规定的，由监督管理部门责令限期改正；逾期不改正的，处二千元以上一万元以下罚款。',
  '第二十一条 违反本条例规定，经营者提供烟草广告物品的，处一万元罚款。',
];
const body = CLAUSES.join('\n');
const meta = { docId: 'smoke', title: '泰州市公共场所控制吸烟条例', issuer: '泰州市人民代表大会常务委员会' };
let at = 0;
const passages = CLAUSES.map((text, i) => {
  const start = body.indexOf(text, at);
  at = start + text.length;
  return { passageId: `smoke#${i}`, docId: 'smoke', start, end: start + text.length, breadcrumb: `《${meta.title}》`, clause: text.slice(0, text.indexOf(' ')) };
});
const kb = { documents: new Map([['smoke', { docId: 'smoke', body, meta }]]), passages, byId: new Map() } as unknown as EvidenceView;
const hitOf = (i: number): SearchHit => {
  const p = passages[i] as (typeof passages)[number];
  return { rank: 1, passageId: p.passageId, docId: 'smoke', title: meta.title, issuer: meta.issuer, breadcrumb: p.breadcrumb, clause: p.clause, text: CLAUSES[i] as string, start: p.start, end: p.end, score: 1, matchedBy: ['bm25'] };
};
// What the question 在禁烟的地方抽烟罚多少 writes, by its words' forms (抽烟 → 吸烟).
const covers = (text: string): number => (text.includes('吸烟') ? 8 : 0) + (text.includes('禁烟') ? 10 : 0);

describe('penaltyHits', () => {
  it('adds the penalty clauses punishing the found articles by number first', () => {
    expect(penaltyHits(kb, [hitOf(1)], 1, 3).map((h) => h.clause)).toEqual(['第二十条']);
  });

  it('then the penalty clauses of the same documents that write the question, most of it first', () => {
    expect(penaltyHits(kb, [hitOf(0)], 1, 3, covers).map((h) => h.clause)).toEqual(['第十九条']);
    expect(penaltyHits(kb, [hitOf(0), hitOf(1)], 2, 3, covers).map((h) => h.clause)).toEqual(['第二十条', '第十九条']);
  });

  it('adds none that writes nothing of the question, and stops at max', () => {
    expect(penaltyHits(kb, [hitOf(0)], 1, 3, () => 0)).toEqual([]);
    expect(penaltyHits(kb, [hitOf(0)], 1, 1, covers)).toHaveLength(1);
  });
});
