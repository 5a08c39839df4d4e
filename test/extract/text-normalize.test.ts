import { describe, expect, it } from 'vitest';
import { guessHintsFromText, readInfoLines, toIsoDate } from '../../src/extract/hints.js';
import { dropJustificationSpaces, PAGE_NUMBER_RE } from '../../src/extract/layout.js';
import { collapseLetterSpacing, dropInvisible, joinSeparator, tidyLine } from '../../src/extract/text-normalize.js';
import { formatListNumber } from '../../src/extract/numbering.js';

describe('text clean-up', () => {
  it('collapses letter-spaced Chinese runs but keeps the space after an article number', () => {
    expect(collapseLetterSpacing('燃 气 工 作 应当')).toBe('燃气工作 应当');
    expect(collapseLetterSpacing('第一条 为了加强')).toBe('第一条 为了加强');
    expect(tidyLine('第一章　总　　则')).toBe('第一章 总则');
    expect(tidyLine('  第二条   本条例   适用于  ')).toBe('第二条 本条例 适用于');
  });

  it('joins wrapped lines without a space between Chinese characters and with one between Latin words', () => {
    expect(joinSeparator('保障燃气', '供应')).toBe('');
    expect(joinSeparator('提前', '48 小时')).toBe('');
    expect(joinSeparator('notify the', 'users')).toBe(' ');
    expect(joinSeparator('forty-', 'eight')).toBe('');
  });

  it('drops BOM and zero-width characters and reads radical look-alikes as ideographs', () => {
    expect(dropInvisible('\uFEFF第\u200B一\u200D条\u00AD')).toBe('第一条');
    expect(dropInvisible('居⺠⽤⽓，每⼾每⽉，部⻔')).toBe('居民用气，每户每月，部门');
  });

  it('drops spaces that justify a PDF line between ideographs but keeps the one after 第X条', () => {
    expect(dropJustificationSpaces('第四条 生产经营单位必须遵守有关 安全生产的法律、法 规')).toBe('第四条 生产经营单位必须遵守有关安全生产的法律、法规');
    expect(dropJustificationSpaces('第一章 总则')).toBe('第一章 总则');
    expect(dropJustificationSpaces('提前 48 小时')).toBe('提前 48 小时');
  });

  it('recognises page-number lines and nothing else', () => {
    for (const line of ['- 3 -', '— １０１２ —', '-1-', '12', '第 3 页', '第3页 共18页', '3 / 18', 'Page 4 of 9']) expect(PAGE_NUMBER_RE.test(line), line).toBe(true);
    for (const line of ['第三条', '2016-2020年', '一、总则', '3.07元']) expect(PAGE_NUMBER_RE.test(line), line).toBe(false);
  });
});

describe('metadata hints', () => {
  it('normalizes dates written the Chinese way or with separators', () => {
    expect(toIsoDate('2021年12月06日')).toBe('2021-12-06');
    expect(toIsoDate('2025-10-11 11:33')).toBe('2025-10-11');
    expect(toIsoDate('2024/3/5')).toBe('2024-03-05');
    expect(toIsoDate('2024年13月1日')).toBeUndefined();
    expect(toIsoDate('二〇一一年三月十日')).toBe('2011-03-10');
    expect(toIsoDate('二〇二四年十二月三十一日')).toBe('2024-12-31');
  });

  it('reads title, 文号, signing organ and date from the text of a 公文', () => {
    const text = '某某市人民政府文件\n某府〔2024〕3号\n某某市人民政府\n关于加强燃气管理的通知\n各区人民政府：\n现就有关事项通知如下。\n某某市人民政府\n二〇二四年三月五日\n（此件公开发布）';
    expect(guessHintsFromText(text, {})).toEqual({ dateIssued: '2024-03-05', issuer: '某某市人民政府', docNumber: '某府〔2024〕3号', title: '某某市人民政府关于加强燃气管理的通知' });
    expect(guessHintsFromText(text, { issuer: '给定' }).issuer).toBe('给定');
  });

  it('reads several label：value pairs on one line, spaced labels included', () => {
    expect(readInfoLines(['发文机关： 南宁市发展和改革委员会 效力状态：有效', '标 题： 关于某事的通知', '文　　号：穗府办规〔2021〕19号', '失效日期：2029年12月06日'])).toEqual({
      issuer: '南宁市发展和改革委员会',
      status: '有效',
      title: '关于某事的通知',
      docNumber: '穗府办规〔2021〕19号',
      effectiveTo: '2029-12-06',
    });
  });
});

describe('Word list numbers', () => {
  it('renders the formats Chinese documents use', () => {
    expect(formatListNumber(24, 'chineseCounting')).toBe('二十四');
    expect(formatListNumber(3, 'decimalEnclosedCircle')).toBe('③');
    expect(formatListNumber(2, 'ideographTraditional')).toBe('乙');
    expect(formatListNumber(12, 'decimalFullWidth')).toBe('１２');
    expect(formatListNumber(4, 'upperRoman')).toBe('IV');
    expect(formatListNumber(28, 'lowerLetter')).toBe('bb');
  });
});
