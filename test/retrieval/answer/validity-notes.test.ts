/**
 * The validity notes under an answer: one per document cited, and one line for the plans whose titles' periods have
 * ended in the same years (a list citing four 2016—2020 plans says it once, naming them).
 */
import { describe, expect, it } from 'vitest';
import { validityNotes } from '../../../src/retrieval/answer/citations.js';
import { judgeValidity } from '../../../src/corpus/validity.js';
import type { Citation } from '../../../src/retrieval/answer/types.js';

const TODAY = '2026-12-07';
const cite = (n: number, docId: string, title: string, meta: Record<string, string> = {}): Citation =>
  ({ n, passageId: `${docId}-1`, docId, title, issuer: '', breadcrumb: '', clause: '', quote: '', start: 0, end: 0, validity: judgeValidity({ title, ...meta }, TODAY) }) as Citation;

describe('validity notes', () => {
  it('says the plans of one ended period in one line, each other document in its own', () => {
    const notes = validityNotes([
      cite(1, 'zs', '中山市促进大数据发展行动计划(2016-2020年)'),
      cite(2, 'hz', '惠州市促进大数据发展实施方案(2016~2020年)'),
      cite(3, 'zs', '中山市促进大数据发展行动计划(2016-2020年)'),
      cite(4, 'sz', '深圳市促进大数据发展行动计划(2016—2018年)'),
      cite(5, 'yf', '云浮市促进云计算大数据产业发展优惠办法(试行)', { effectiveFrom: '2017-07-01', effectiveTo: '2020-06-30' }),
      cite(6, 'ai', '新一代人工智能发展规划'),
    ]);
    expect(notes).toEqual([
      '注意：《中山市促进大数据发展行动计划(2016-2020年)》、《惠州市促进大数据发展实施方案(2016~2020年)》所定期限为2016—2020年，已届满；文件未载明效力状态，引用前请核对是否仍在执行。',
      '注意：该计划所定期限为2016—2018年，已届满；文件未载明效力状态，引用前请核对是否仍在执行（《深圳市促进大数据发展行动计划(2016—2018年)》）。',
      '注意：该办法自2017年7月1日起施行，已于2020年6月30日届满（《云浮市促进云计算大数据产业发展优惠办法(试行)》）。',
    ]);
  });
});
