/**
 * Questions one detail away from an answerable one (eval/pairs.jsonl's kinds, on a constructed plan, no set question):
 * a unit the plan does not have (第5项 of four, 专栏2-9), a year between the two its section titles state, a sum
 * below the floor a clause sets (投资只有500万 against 1000万元以上), a length in years the clause does not state.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { quantityParts } from '../../../src/retrieval/answer/question.js';
import { figureMiss } from '../../../src/retrieval/evidence.js';
import { corpusWith, type OpenedSnapshot } from '../../helpers.js';

const PLAN = [
  '测试市智慧医疗发展规划',
  '',
  '一、发展目标',
  '（一）2018年发展目标',
  '全市电子病历覆盖率达到85%，电子健康档案覆盖率达到95%。',
  '（二）2020年发展目标',
  // A long section: the target sentence's passage starts after the heading, which only the section's title still holds.
  ...['基层', '社区', '乡镇', '医院', '药房', '急救', '康复', '护理', '体检', '疾控', '妇幼', '中医'].map((w) => `推进${w}医疗服务数字化改造，建设${w}信息系统，实现${w}数据与全市健康医疗大数据平台互联互通，提升${w}服务的便利化和精准化水平。`),
  '全市电子病历覆盖率达到90%以上，电子健康档案覆盖率达到100%。',
  '二、主要任务',
  '1.建设全市统一的健康医疗大数据平台，汇聚医院诊疗数据。',
  '2.推广远程会诊，支持基层医疗卫生机构接入远程医疗系统。',
  '3.建设智慧药房，推行电子处方流转。',
  '4.对新增固定资产投资达到1000万元以上的智慧医疗企业，一次性予以50万元奖励。',
  '',
].join('\n');

let opened: OpenedSnapshot;
beforeAll(async () => {
  opened = await corpusWith({ 'health.txt': PLAN });
}, 180_000);

describe('a unit the document does not have', () => {
  it('is not found only for one unit pointed at: two side by side, or a 款, are not said to be missing', async () => {
    for (const q of ['测试市智慧医疗发展规划第3项和第4项有什么不同？', '测试市智慧医疗发展规划第3项第二款是什么？']) {
      expect((await opened.service.ask(q)).answer.outcome, q).not.toBe('not_found');
    }
  });

  it('reads a 款 the parser has no heading for as its article (云浮 第三条第二款 → 第三条, not another article)', async () => {
    const { answer } = await opened.service.ask('云浮优惠办法第三条第二款是什么？');
    expect(answer.citations[0]?.quote).toContain('企业所得税与增值税额');
  });

  it('is not found, and says which unit is missing; one it has is quoted', async () => {
    const missing = (await opened.service.ask('测试市智慧医疗发展规划第5项讲的是什么？')).answer;
    expect(missing.outcome).toBe('not_found');
    expect(missing.answer).toContain('第5项');
    const held = (await opened.service.ask('测试市智慧医疗发展规划第3项讲的是什么？')).answer;
    expect(held.outcome).not.toBe('not_found');
  });
});

describe('a year between the years the section titles state', () => {
  it('answers for a year a title states, not for a year between them', async () => {
    const stated = (await opened.service.ask('测试市2020年电子病历覆盖率目标是多少？')).answer;
    expect(stated.outcome).toBe('answer');
    expect(stated.citations[0]?.quote).toContain('90%');
    const between = (await opened.service.ask('测试市2019年电子病历覆盖率目标是多少？')).answer;
    expect(between.outcome).not.toBe('answer');
  });
});

describe('a condition below the floor a clause sets', () => {
  it('reads a sum in 万 without its unit as money, and a floor not met as another tier', async () => {
    expect(figureMiss('投资只有500万的企业，能奖多少', '对新增固定资产投资达到1000万元以上的企业予以奖励。')).toBe('500万');
    expect(figureMiss('投资1500万的企业，能奖多少', '对新增固定资产投资达到1000万元以上的企业予以奖励。')).toBeUndefined();
    // 超过 before a figure is a floor; 30个人 counts 人; 1500平米 is 平方米.
    expect(figureMiss('提供了80万融资，这1%的奖励怎么算', '使用资金超过100万元的，予以使用资金1%的奖励。')).toBe('80万');
    expect(figureMiss('提供了150万贷款，奖励怎么算', '使用资金超过100万元的，予以使用资金1%的奖励。')).toBeUndefined();
    expect(figureMiss('只带动了30个人就业的企业，给多少奖励', '对带动就业达到50人以上的企业，一次性予以20万元奖励。')).toBe('30个人');
    expect(figureMiss('租了1500平米厂房，租金怎么补', '补贴面积不超过1000平方米，补贴标准为10元/平方米。')).toBe('1500平米');
    // Negated, 超过 and 大于 set a ceiling; a sum in 万 before another unit (万吨, 万平方公里) is no money.
    expect(figureMiss('补贴150万元', '补贴不得超过100万元。')).toBe('150万元');
    expect(figureMiss('补贴80万元', '补贴不得超过100万元。')).toBeUndefined();
    expect(figureMiss('面积800平方米', '面积不大于1000平方米。')).toBeUndefined();
    expect(figureMiss('年产10万吨的企业', '对投资1000万元以上的企业予以奖励。')).toBeUndefined();
    const below = (await opened.service.ask('在测试市新增固定资产投资只有500万的智慧医疗企业，能拿多少奖励？')).answer;
    expect(below.outcome).not.toBe('answer');
  });
});

describe('a length in years asked', () => {
  it('reads 满几年 and 多少年 as a duration, 近几年 and 哪几年 as none', () => {
    const kinds = (q: string): string[] => quantityParts(q).map((p) => p.ask.kind);
    expect(kinds('企业要合作满几年才能拿奖励')).toEqual(['duration']);
    expect(kinds('已经演进了多少年')).toEqual(['duration']);
    expect(kinds('近几年东莞发展如何')).toEqual([]);
    expect(kinds('哪几年的目标')).toEqual([]);
  });
});
