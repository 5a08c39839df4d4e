import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeOrdinals, parseNumeral, toChineseNumeral } from '../../src/shared/numerals.js';

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
