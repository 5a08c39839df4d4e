import { describe, expect, it } from 'vitest';
import { parseDocumentFile, versionDateInName } from '../../src/corpus/document.js';
import { historyHead, organOf, parseHistory, versionFacts } from '../../src/corpus/history.js';

/** The head of 专利法实施细则(2023-12-11).md as the national database publishes it. */
const PATENT_2023 = [
  '# 中华人民共和国专利法实施细则',
  '',
  '2001年6月15日 中华人民共和国国务院令第306号公布',
  '',
  '2002年12月28日 《国务院关于修改〈中华人民共和国专利法实施细则〉的决定》第一次修订　',
  '',
  '2010年1月9日 《国务院关于修改〈中华人民共和国专利法实施细则〉的决定》第二次修订　',
  '',
  '2023年12月11日 《国务院关于修改〈中华人民共和国专利法实施细则〉的决定》第三次修订）',
  '',
  '<!-- INFO END -->',
  '',
  '## 第一章 总 则',
  '',
  '第一条 根据《中华人民共和国专利法》（以下简称专利法），制定本细则。',
  '',
  '第一百五十条 本细则自2001年7月1日起施行。',
].join('\n');

describe('parseHistory', () => {
  it('reads each promulgation and amendment line of a LawRefBook head', () => {
    expect(parseHistory(historyHead(PATENT_2023))).toEqual([
      { date: '2001-06-15', action: '公布', by: '中华人民共和国国务院令第306号', docNumber: '国务院令第306号' },
      { date: '2002-12-28', action: '修订', by: '《国务院关于修改〈中华人民共和国专利法实施细则〉的决定》', ordinal: 1 },
      { date: '2010-01-09', action: '修订', by: '《国务院关于修改〈中华人民共和国专利法实施细则〉的决定》', ordinal: 2 },
      { date: '2023-12-11', action: '修订', by: '《国务院关于修改〈中华人民共和国专利法实施细则〉的决定》', ordinal: 3 },
    ]);
  });

  it('reads several events of one line, 施行 lines and a head note in brackets', () => {
    expect(parseHistory('2019年3月1日 淄博市第十六届人民代表大会常务委员会第十六次会议通过并经2019年3月29日山东省第十三届人民代表大会常务委员会第十次会议批准').map((h) => [h.date, h.action])).toEqual([
      ['2019-03-01', '通过'],
      ['2019-03-29', '批准'],
    ]);
    expect(parseHistory('2003年4月7日 中华人民共和国国务院令第374号公布\n\n2003年10月1日 施行').map((h) => h.action)).toEqual(['公布', '施行']);
    const note = historyHead('城镇燃气管理条例\n（2010年11月19日中华人民共和国国务院令第583号公布　根据2016年2月6日《国务院关于修改部分行政法规的决定》修订）\n第一章 总则\n第一条 为了……');
    expect(parseHistory(note)).toEqual([
      { date: '2010-11-19', action: '公布', by: '中华人民共和国国务院令第583号', docNumber: '国务院令第583号' },
      { date: '2016-02-06', action: '修订', by: '《国务院关于修改部分行政法规的决定》' },
    ]);
  });

  it('takes no action word from inside a decision title, and no date from another document', () => {
    // "关于修改…的决定" names the decision; the action is 修正 after it.
    expect(parseHistory('2009年8月27日 第十一届全国人民代表大会常务委员会第十次会议《关于修改部分法律的决定》第一次修正')[0]).toMatchObject({ action: '修正', ordinal: 1 });
    expect(historyHead('某市大数据发展规划\n一、总体要求 2016年1月1日起实施。')).toBe('');
  });
});

describe('versionFacts', () => {
  it('describes the text in hand by its latest revision; the history keeps the original', () => {
    expect(versionFacts(parseHistory(historyHead(PATENT_2023)))).toEqual({ dateIssued: '2023-12-11', revised: '2023-12-11', issuer: '国务院' });
  });

  it('keeps the order number and the 施行 line of an unrevised text', () => {
    expect(versionFacts(parseHistory('2003年4月2日 国务院第3次常务会议通过\n2003年4月7日 中华人民共和国国务院令第374号公布\n2003年10月1日 施行'))).toEqual({ dateIssued: '2003-04-07', docNumber: '国务院令第374号', effectiveFrom: '2003-10-01', issuer: '国务院' });
  });

  it('names the organ of the first entry', () => {
    expect(organOf('第六届全国人民代表大会常务委员会第四次会议')).toBe('全国人民代表大会常务委员会');
    expect(organOf('最高人民法院审判委员会第1790次会议')).toBe('最高人民法院');
    expect(organOf('中华人民共和国国务院、中华人民共和国中央军事委员会令第14号')).toBe('国务院、中央军事委员会');
    expect(organOf('宁波市十五届人大常委会第三十四次会议')).toBe('宁波市人民代表大会常务委员会');
    expect(organOf('市十四届人大常委会第二十次会议')).toBeUndefined();
  });
});

describe('a LawRefBook file read as a document', () => {
  it('is dated, numbered and in effect as the text in hand, with its history', () => {
    const doc = parseDocumentFile('专利法实施细则(2023-12-11).md', new TextEncoder().encode(PATENT_2023));
    expect(doc.meta).toMatchObject({ title: '中华人民共和国专利法实施细则', issuer: '国务院', dateIssued: '2023-12-11', effectiveFrom: '2023-12-11' });
    expect(doc.meta.docNumber).toBeUndefined();
    expect(doc.meta.history).toHaveLength(4);
    expect(doc.meta.validityBasis).toBe('修订：2023年12月11日（修订后文本的施行日期未载明，以修订日期计）；正文“本细则自2001年7月1日起施行”为原文本的施行日期');
  });

  it('takes the version date of the file name when the head stops at an earlier revision', () => {
    expect(versionDateInName('中药品种保护条例(2018-09-18).md')).toBe('2018-09-18');
    expect(versionDateInName('中药品种保护条例（2018-09-18）.pdf')).toBe('2018-09-18');
    expect(versionDateInName('报告2018-09-18.md')).toBeUndefined();
    const text = '# 中药品种保护条例\n\n1992年10月14日 中华人民共和国国务院令第106号发布\n\n<!-- INFO END -->\n\n第一条 为了……\n第二十六条 本条例自1993年1月1日起施行。';
    const doc = parseDocumentFile('中药品种保护条例(2018-09-18).md', new TextEncoder().encode(text));
    expect(doc.meta).toMatchObject({ dateIssued: '2018-09-18', effectiveFrom: '2018-09-18' });
    expect(doc.meta.docNumber).toBeUndefined();
  });
});
