import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/lexical/analyzer.js';
import { Bm25Index } from '../../src/storage/file/bm25.js';

describe('analyze', () => {
  it('indexes 第二十四条 and 第24条 alike, as one term', () => {
    expect(analyze('第二十四条')).toEqual(['第24条']);
    expect(analyze('依照第24条规定')).toContain('第24条');
  });

  it('drops punctuation and stopwords and lowercases', () => {
    const terms = analyze('云浮对新落户的数据中心有什么电费补贴？RFID');
    expect(terms).toContain('数据中心');
    expect(terms).toContain('rfid');
    expect(terms).not.toContain('的');
    expect(terms).not.toContain('什么');
    expect(terms.some((t) => /[？?]/u.test(t))).toBe(false);
  });

  it('reads numbers with measure words alike (五百强 ≡ 500强) and spells out abbreviations', () => {
    expect(analyze('世界五百强')).toEqual(analyze('世界500强'));
    // 哪一天, 哪一年 ask which day or year: they are not the count 1.
    expect(analyze('从哪一天开始')).toContain('哪一天');
    expect(analyze('从哪一天开始')).not.toContain('1');
    // An abbreviation (CC-CEDICT's) is read as its full form: either spelling finds the other.
    expect(analyze('AI')).toEqual(analyze('人工智能'));
    expect(analyze('超算')).toEqual(analyze('超级计算'));
    expect(analyze('社保缴费')).toEqual(analyze('社会保险缴费'));
    // 人流 is also a stream of people: not read as 人工流产.
    expect(analyze('人流密集')).not.toContain('流产');
  });
});

describe('Bm25Index', () => {
  const docs = [['数据', '中心', '补贴'], ['数据', '开放'], ['电价', '优惠', '数据']];
  const index = Bm25Index.build(docs);

  it('ranks the passage with the rarer matching term first, then shorter passages', () => {
    // 电价 occurs once; of the two passages with only 数据, the shorter one scores higher.
    expect(index.search(['电价', '数据'], 3).map((r) => r.index)).toEqual([2, 1, 0]);
  });

  it('round-trips through its binary form', () => {
    const bytes = index.toBinary();
    // An odd offset, as in a pooled Buffer: the reader copies to align its typed arrays.
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    const copy = Bm25Index.fromBinary(shifted);
    expect(copy.terms()).toEqual(index.terms());
    expect(copy.search(['开放', '数据'], 3)).toEqual(index.search(['开放', '数据'], 3));
    expect(copy.termCounts()).toEqual(index.termCounts());
  });

  it('keeps term frequencies above 255 through the binary form', () => {
    const big = Bm25Index.build([new Map([['数据', 300]]), new Map([['数据', 70_000], ['开放', 1]]), ['开放']]);
    const copy = Bm25Index.fromBinary(big.toBinary());
    expect(copy.termCounts()).toEqual(big.termCounts());
    expect(copy.search(['数据'], 2)).toEqual(big.search(['数据'], 2));
  });

  it('refuses a truncated or foreign buffer with what is wrong', () => {
    const bytes = index.toBinary();
    expect(() => Bm25Index.fromBinary(bytes.subarray(0, bytes.length - 1))).toThrow(`BM25 index has ${bytes.length - 1} bytes; its header describes ${bytes.length}`);
    expect(() => Bm25Index.fromBinary(new TextEncoder().encode('{"version":1,"params":{},"postings":{}}'))).toThrow('not a BM25 index (bad magic)');
  });

  it('rebuilds from its own term counts to the same scores', () => {
    const again = Bm25Index.build(index.termCounts());
    expect(again.search(['电价', '数据', '开放'], 3)).toEqual(index.search(['电价', '数据', '开放'], 3));
  });

  it('weights expansion terms and filters passages', () => {
    const weighted = index.search(['补贴', '优惠'], 3, { weights: new Map([['优惠', 0.1]]) });
    expect(weighted[0]?.index).toBe(0);
    expect(index.search(['数据'], 3, { allow: (i) => i !== 0 }).map((r) => r.index).sort()).toEqual([1, 2]);
  });
});
