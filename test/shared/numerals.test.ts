import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARABIC_ITEM_SOURCE, CHINESE_DIGITS, CN_ITEM_SOURCE, DATE_NUMBER_CHARS, normalizeOrdinals, PAREN_ITEM_SOURCE, parseNumeral, SMALL_NUMBER_SOURCE, toChineseNumeral } from '../../src/shared/numerals.js';

describe('parseNumeral', () => {
  it.each([
    ['一', 1], ['十', 10], ['十二', 12], ['二十', 20], ['二十四', 24], ['九十九', 99],
    ['一百', 100], ['一百零五', 105], ['一百二十', 120], ['两', 2], ['24', 24], ['２４', 24],
  ])('reads %s as %i', (text, value) => {
    expect(parseNumeral(text)).toBe(value);
  });

  it('rejects text that is not a numeral', () => {
    expect(parseNumeral('')).toBeUndefined();
    expect(parseNumeral('十x')).toBeUndefined();
    expect(parseNumeral('abc')).toBeUndefined();
  });

  it('inverts toChineseNumeral for 1–9999', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9999 }), (n) => parseNumeral(toChineseNumeral(n)) === n));
  });
});

describe('normalizeOrdinals', () => {
  it('makes Chinese and Arabic article numbers read alike', () => {
    expect(normalizeOrdinals('第二十四条')).toBe('第24条');
    expect(normalizeOrdinals('第24条')).toBe('第24条');
    expect(normalizeOrdinals('依照第十条和第三章')).toBe('依照第10条和第3章');
  });

  it('reads numbers of 1,000 and above (第一千二百五十九条 has seven numeral characters)', () => {
    expect(normalizeOrdinals('第一千条、第一千零一条和第一千二百五十九条')).toBe('第1000条、第1001条和第1259条');
    expect(parseNumeral('一千二百六十')).toBe(1260);
  });
});

describe('the shared numeral patterns', () => {
  it('CHINESE_DIGITS reads digit by digit: the index is the value', () => {
    expect([...CHINESE_DIGITS].map((c) => parseNumeral(c))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('SMALL_NUMBER_SOURCE matches every number 1–99 as headings write it, and nothing larger', () => {
    const re = new RegExp(`^${SMALL_NUMBER_SOURCE}$`, 'u');
    fc.assert(fc.property(fc.integer({ min: 1, max: 99 }), (n) => re.test(toChineseNumeral(n))));
    expect(re.test(toChineseNumeral(100))).toBe(false);
  });

  it('DATE_NUMBER_CHARS covers both ways of writing a date', () => {
    const re = new RegExp(`^[${DATE_NUMBER_CHARS}]+年[${DATE_NUMBER_CHARS}]+月[${DATE_NUMBER_CHARS}]+日$`, 'u');
    expect(['二〇一七年七月一日', '2017年7月1日', '２０１７年７月１日', '二零一七年十二月三十一日'].every((d) => re.test(d))).toBe(true);
  });

  it('the item-label sources match the labels of policy lists, and not the numbers of a sentence', () => {
    const label = new RegExp(`^(?:${ARABIC_ITEM_SOURCE}|${PAREN_ITEM_SOURCE}|${CN_ITEM_SOURCE})`, 'u');
    for (const l of ['1.', '12、', '3．', '（一）', '(十二)', '（3）', '三、', '二十一、']) expect(label.test(l), l).toBe(true);
    for (const t of ['2017年', '100万元', '（一百）', '一百、', '第一条', '一是']) expect(label.test(t), t).toBe(false);
  });
});
