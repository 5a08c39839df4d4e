import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeControlCharacter, findControlCharacter, stripControlCharacters } from '../../src/shared/control-characters.js';

describe('stripControlCharacters', () => {
  it('drops NUL and replaces line breaks inside a title by one space', () => {
    expect(stripControlCharacters('标题\u0000')).toBe('标题');
    expect(stripControlCharacters('关于\r\n印发\t通知')).toBe('关于 印发 通知');
    expect(stripControlCharacters('\u0085\u001f办法\u007f')).toBe('办法');
  });

  it('leaves text without control characters as it is (same string)', () => {
    const s = '国务院关于印发《新一代人工智能发展规划》的通知  （国发〔2017〕35号）';
    expect(stripControlCharacters(s)).toBe(s);
  });

  it('never leaves a control character, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(findControlCharacter(stripControlCharacters(s))).toBeUndefined();
      }),
    );
  });
});

describe('findControlCharacter', () => {
  it('names the field, the character and where it is, in nested metadata', () => {
    expect(findControlCharacter({ title: '甲\u0000乙' })).toEqual({ field: 'title', character: 'U+0000', at: 1 });
    expect(findControlCharacter({ title: '甲', aliases: ['乙', 'x\u0007'] })).toEqual({ field: 'aliases.1', character: 'U+0007', at: 1 });
    expect(findControlCharacter({ ['k\u0001']: 1 })).toEqual({ field: 'k\u0001', character: 'U+0001', at: 1 });
    expect(findControlCharacter({ title: '甲', pages: [[1, 0, 3]] })).toBeUndefined();
  });

  it('says it in words for messages', () => {
    expect(describeControlCharacter(findControlCharacter({ title: 'ab\u0000' }) as NonNullable<ReturnType<typeof findControlCharacter>>)).toBe('title holds a control character (U+0000) at position 2');
  });
});
