/**
 * Evidence the answer layer reads beyond the search ranking: the clause naming what is asked when it
 * ranks below the passages read, and what kind of fact (date, time of day, duration) a question wants.
 */
import { describe, expect, it } from 'vitest';
import { passagesToRead, type Concept } from '../../src/retrieval/evidence.js';

const concept = (term: string, ...forms: string[]): Concept => ({ term, weight: 1, local: 1, forms: new Set([term, ...forms]), scopeFreq: 1 });
const hits = ['第四条 落户奖励500万元。', '第十条 数据中心云服务补贴。', '第十二条 创业孵化基地租金减免。', '第六条 予以大工业电价优惠。', '第七条 用电补助。'].map((text, i) => ({ rank: i + 1, text }));

describe('passagesToRead', () => {
  it('adds the best-ranked later passage with the asked-for concept (电费, as 电价) when the top ones lack it', () => {
    const read = passagesToRead(hits, 3, concept('电费', '电价', '用电'));
    expect(read.map((h) => h.rank)).toEqual([1, 2, 3, 4]);
  });

  it('reads only the top passages when one of them has the concept', () => {
    expect(passagesToRead(hits, 3, concept('补贴')).map((h) => h.rank)).toEqual([1, 2, 3]);
  });

  it('reads only the top passages when no result has it, or nothing is asked for', () => {
    expect(passagesToRead(hits, 3, concept('社保')).map((h) => h.rank)).toEqual([1, 2, 3]);
    expect(passagesToRead(hits, 2, undefined).map((h) => h.rank)).toEqual([1, 2]);
  });
});
