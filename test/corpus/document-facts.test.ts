import { describe, expect, it } from 'vitest';
import { findRepeals, inferDocumentFacts } from '../../src/corpus/document-facts.js';

describe('inferDocumentFacts', () => {
  it('reads the issuer and date of a State Council order from the head note', () => {
    const body = '城镇燃气管理条例\n(2010 年 11 月 19 日中华人民共和国国务院令第 583 号公布)\n第一章 总则';
    expect(inferDocumentFacts('城镇燃气管理条例', body)).toEqual({ issuer: '国务院', dateIssued: '2010-11-19', docNumber: '国务院令第583号' });
  });

  it('dates a revised text by its revision: the order number was the original text’s', () => {
    const body = '城镇燃气管理条例\n(2010 年 11 月 19 日中华人民共和国国务院令第 583 号公布 根据 2016 年 2 月 6 日《国务院关于修改部分行政法规的决定》修订)\n第一章 总则';
    expect(inferDocumentFacts('城镇燃气管理条例', body)).toEqual({ issuer: '国务院', dateIssued: '2016-02-06', revised: '2016-02-06' });
  });

  it('names the standing committee that passed a regulation', () => {
    const body = '某条例\n（2025年7月24日内蒙古自治区第十四届人民代表大会常务委员会第十八次会议通过）\n第一条 ……';
    expect(inferDocumentFacts('某条例', body)).toEqual({ issuer: '内蒙古自治区人民代表大会常务委员会', dateIssued: '2025-07-24' });
  });

  it('takes the organ before 关于 in the title, and the signature above the closing date', () => {
    expect(inferDocumentFacts('南宁市发展和改革委员会关于南宁市市区管道燃气价格联动有关事项的通知', '正文。\n2025年10月11日')).toEqual({ issuer: '南宁市发展和改革委员会', dateIssued: '2025-10-11' });
    expect(inferDocumentFacts('关于同意辞职的批复', '路卫发〔2011〕76号\n正文。\n路桥区卫生局办公室\n2011年3月10日')).toEqual({ issuer: '路桥区卫生局办公室', dateIssued: '2011-03-10' });
  });

  it('says nothing it cannot read', () => {
    expect(inferDocumentFacts('某市大数据发展规划', '一、总体要求\n（一）指导思想。坚持创新发展。')).toEqual({});
  });
});

describe('findRepeals', () => {
  const body = '第十八条 本实施细则自印发之日起施行。《广州市人民政府办公厅关于印发广州市临时救助办法的通知》(穗府办规〔2019〕13号)同时废止。';

  it('finds the titles and 文号 a text repeals, with the clause that says so', () => {
    expect(findRepeals(body)).toEqual([
      { title: '广州市人民政府办公厅关于印发广州市临时救助办法的通知', docNumber: '穗府办规〔2019〕13号', sentence: '《广州市人民政府办公厅关于印发广州市临时救助办法的通知》(穗府办规〔2019〕13号)同时废止。', clause: '第十八条' },
    ]);
    expect(findRepeals('有下列情形之一的，予以废止的规定另行制定。')).toEqual([]);
    // A basis cited in the same sentence is not repealed; the title after 废止 is.
    expect(findRepeals('根据《中华人民共和国行政许可法》，决定废止《某市补贴办法》。').map((r) => r.title)).toEqual(['某市补贴办法']);
  });

  it('reads a 废止决定 that lists many acts, and 停止执行', () => {
    const decision = '北京市第十五届人民代表大会常务委员会第三十三次会议决定：\n\n一、废止《北京市社会治安综合治理条例》（1992年9月19日北京市第九届人民代表大会常务委员会第三十六次会议通过）\n\n二、废止《北京市反不正当竞争条例》（1994年7月22日通过）\n\n本决定自公布之日起施行。';
    expect(findRepeals(decision).map((r) => [r.title, r.clause])).toEqual([
      ['北京市社会治安综合治理条例', '一、'],
      ['北京市反不正当竞争条例', '二、'],
    ]);
    expect(findRepeals('第三十条 本办法自2020年1月1日起施行，《某市甲办法》和《某市乙办法》同时停止执行。').map((r) => r.title)).toEqual(['某市甲办法', '某市乙办法']);
    expect(findRepeals('1996年4月12日上海市第十届人民代表大会常务委员会第二十七次会议通过的《上海市住房公积金条例》同时废止。').map((r) => r.title)).toEqual(['上海市住房公积金条例']);
  });

  it('does not take a part for the whole', () => {
    expect(findRepeals('《某市甲办法》第三条同时废止。')).toEqual([]);
    expect(findRepeals('《某市甲办法》中与本办法不一致的规定同时停止执行。')).toEqual([]);
    expect(findRepeals('决定废止《某市乙办法》第五条。')).toEqual([]);
  });
});
