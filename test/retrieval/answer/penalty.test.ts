/**
 * A penalty asked (怎么罚, 罚多少钱): a statute's 法律责任 clause names the duty it punishes by number only (违反本条例
 * 第二十二条第一、二、三项规定的…), so the search finds the duty; the answer reads the clauses that punish a breach of the
 * articles found, each with the items it names as its context, and leads with one that states a penalty. And a
 * sentence two versions of one law state word for word is shown once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkAnswer } from '../../../src/retrieval/answer.js';
import { breachesOf, openingBefore, PENALTY_STATED_RE, unaskedCase, unaskedCondition, type Candidate } from '../../../src/retrieval/answer/candidates.js';
import { distinctPassages } from '../../../src/retrieval/answer/decide.js';
import { corpusWith, type OpenedSnapshot } from '../../helpers.js';

// A regulation written as 上海市养犬管理条例 is (its 第二十二条 and 第四十三条 in their published form, renumbered: a parser reads articles in sequence).
const RULES = [
  '测试市养犬管理条例',
  '',
  '第一章 总则',
  '第一条 为了规范养犬行为，保障公民健康和人身安全，维护市容环境和社会秩序，制定本条例。',
  '第二章 养犬规范',
  '第二条 养犬人携带犬只外出应当遵守下列规定：',
  '（一）为犬只挂犬牌；',
  '（二）为犬只束牵引带，牵引带长度不得超过两米，在拥挤场合自觉收紧牵引带；',
  '（三）为大型犬只戴嘴套；',
  '（四）乘坐电梯或者上下楼梯的，避开高峰时间并主动避让他人；',
  '（五）单位饲养的烈性犬只因免疫、诊疗等原因需要离开饲养场所的，将其装入犬笼；',
  '（六）即时清除犬只排泄的粪便。',
  '第三条 禁止携带犬只进入办公楼、学校、医院的室内区域。',
  '第三章 法律责任',
  '第四条 违反本条例第二条第一、二、三项规定的，由公安部门责令改正，可以处二十元以上二百元以下罚款。',
  '违反本条例第二条第五项规定的，由公安部门责令改正，可以处五百元以上二千元以下罚款。',
  '违反本条例第二条第六项规定的，由城管执法部门责令改正；拒不改正的，处二十元以上二百元以下罚款。',
  '第五条 违反本条例第三条规定的，由公安部门责令改正，可以处五十元以上五百元以下罚款。',
  '第四章 附则',
  '第六条 本条例自2011年5月15日起施行。',
  '',
].join('\n');

let opened: OpenedSnapshot;
beforeAll(async () => {
  opened = await corpusWith({ 'dogs.txt': RULES });
}, 180_000);

describe('breaches named by number', () => {
  it('reads the articles and items a 法律责任 clause punishes, and only its own instrument’s', () => {
    expect(breachesOf('违反本条例第二十二条第一、二、三项规定的，由公安部门责令改正')).toEqual([{ article: '第二十二条', items: [1, 2, 3] }]);
    expect(breachesOf('违反本法第五十八条、第五十九条第一款、第六十条规定的')).toEqual([
      { article: '第五十八条', items: [] },
      { article: '第五十九条', items: [] },
      { article: '第六十条', items: [] },
    ]);
    expect(breachesOf('违反《中华人民共和国治安管理处罚法》第二十三条的')).toEqual([]);
  });
});

describe('a penalty stated', () => {
  it('reads a penalty imposed, not a record, decision or law of penalties', () => {
    for (const t of ['由公安部门责令改正，可以处二十元以上二百元以下罚款。', '对直接负责的主管人员依法给予处分。', '由公安机关依照《中华人民共和国治安管理处罚法》的规定处罚。', '给予警告。']) {
      expect(PENALTY_STATED_RE.test(t), t).toBe(true);
    }
    for (const t of ['（三）养犬人受到的行政处罚记录；', '公安部门应当将行政处罚决定书送达当事人。', '依照《中华人民共和国治安管理处罚法》执行。', '在犬只活动区域设置警告标志。']) {
      expect(PENALTY_STATED_RE.test(t), t).toBe(false);
    }
  });
});

describe('the case a penalty sentence punishes', () => {
  it('counts the condition the question does not state, and nothing for a sentence writing no case', () => {
    const forms = ['饮酒', '驾驶', '机动车', '罚款', '拘留', '吊销'];
    const plain = unaskedCondition('第九十一条 饮酒后驾驶机动车的，处暂扣六个月机动车驾驶证，并处一千元以上二千元以下罚款。', forms) as number;
    const again = unaskedCondition('因饮酒后驾驶机动车被处罚，再次饮酒后驾驶机动车的，处十日以下拘留，并处一千元以上二千元以下罚款。', forms) as number;
    const crime = unaskedCondition('饮酒后或者醉酒驾驶机动车发生重大交通事故，构成犯罪的，依法追究刑事责任。', forms) as number;
    expect(plain).toBeLessThan(again);
    expect(plain).toBeLessThan(crime);
    // A breach by number is the case itself, not a condition added.
    expect(unaskedCondition('违反本条例第二十二条第一、二、三项规定的，由公安部门责令改正，可以处二十元以上二百元以下罚款。', [])).toBe(0);
    expect(unaskedCondition('机动车驾驶人饮酒后驾驶机动车的；', forms)).toBeUndefined();
    // A catch-all (违反本条例规定的，…) names no case: the plain case of no question.
    expect(unaskedCondition('违反本条例规定的，由城管部门责令改正，处一万元罚款。', forms)).toBeUndefined();
    // A breach of the instrument as a whole before a case (违反本条例规定，…的) is no condition either.
    expect(unaskedCondition('违反本条例规定，饮酒后驾驶机动车的，处暂扣六个月机动车驾驶证。', forms)).toBe(unaskedCondition('饮酒后驾驶机动车的，处暂扣六个月机动车驾驶证。', forms));
  });

  it('counts only the nearest of cases joined as alternatives (，或者…)', () => {
    // 浙江省电动自行车管理条例 第二十四条 and 第二十五条, as published, asked 骑电瓶车没戴头盔，交警罚多少: the rider's case is
    // the first alternative of 第二十五条, and the child-seat case after 或者 adds nothing to it.
    const forms = ['头盔', '罚款', '警告'];
    const rental = unaskedCondition('第二十四条 违反本条例第十六条第二款规定，互联网电动自行车租赁企业未按规定提供安全头盔的，由公安机关交通管理部门责令改正，处以警告，可以并处二千元以上二万元以下罚款。', forms) as number;
    const rider = unaskedCondition('第二十五条 违反本条例第十七条第二款、第三款规定，驾驶人或者搭载人未佩戴安全头盔，或者搭载六周岁以下未成年人未使用儿童座椅的，由公安机关交通管理部门处以警告或者二十元以上五十元以下罚款。', forms) as number;
    const riderOnly = unaskedCondition('第二十五条 违反本条例第十七条第二款、第三款规定，驾驶人或者搭载人未佩戴安全头盔的，由公安机关交通管理部门处以警告或者二十元以上五十元以下罚款。', forms) as number;
    expect(rider).toBe(riderOnly);
    expect(rider).toBeLessThan(rental);
    // No alternative writes a word of the question: the whole condition counts, not its shortest alternative.
    const seller = '违反本条例第九条规定，销售不符合强制性国家标准的电动自行车，或者伪造合格证的，由市场监督管理部门处五千元以上罚款。';
    expect(unaskedCondition(seller, ['闯红灯', '罚款'])).toBe(unaskedCondition(seller.replace('，或者伪造合格证的', '伪造合格证的'), ['闯红灯', '罚款']));
    // 或者 inside a clause joins words of one case (饮酒后或者醉酒驾驶): the whole case counts.
    expect(unaskedCondition('饮酒后或者醉酒驾驶机动车的，处罚款。', ['饮酒'])).toBeGreaterThan(unaskedCondition('饮酒后驾驶机动车的，处罚款。', ['饮酒']) as number);
  });

  it('reads a case continued after a semicolon (情节严重的，吊销…) with the case its sentence opens with', () => {
    // 城镇燃气管理条例 第四十五条, its two paragraphs as published.
    const body = [
      '第四十五条 违反本条例规定，未取得燃气经营许可证从事燃气经营活动的，由燃气管理部门责令停止违法行为，处5万元以上50万元以下罚款；有违法所得的，没收违法所得；构成犯罪的，依法追究刑事责任。',
      '违反本条例规定，燃气经营者不按照燃气经营许可证的规定从事燃气经营活动的，由燃气管理部门责令限期改正，处3万元以上20万元以下罚款；有违法所得的，没收违法所得；情节严重的，吊销燃气经营许可证；构成犯罪的，依法追究刑事责任。',
    ].join('\n');
    const at = (s: string): number => body.indexOf(s);
    const severe = '情节严重的，吊销燃气经营许可证；';
    expect(openingBefore(body, at(severe))).toBe('违反本条例规定，燃气经营者不按照燃气经营许可证的规定从事燃气经营活动的，由燃气管理部门责令限期改正，处3万元以上20万元以下罚款；有违法所得的，没收违法所得；');
    expect(openingBefore(body, at('违反本条例规定，燃气经营者'))).toBe('');
    expect(openingBefore(body, at('第四十五条'))).toBe('');
    // A full-width space after the semicolon; an inline list after a colon; a semicolon alone.
    expect(openingBefore('违反的，责令改正；\u3000拒不改正的，处罚款。', '违反的，责令改正；\u3000'.length)).toBe('违反的，责令改正；');
    expect(openingBefore('处罚如下：（一）甲；（二）乙', '处罚如下：（一）甲；'.length)).toBe('（一）甲；');
    expect(openingBefore('；拒不改正的', 1)).toBe('');
    const forms = ['燃气', '经营', '许可证', '罚款'];
    const plain = { text: '第四十五条 违反本条例规定，未取得燃气经营许可证从事燃气经营活动的，由燃气管理部门责令停止违法行为，处5万元以上50万元以下罚款；', opening: '' };
    const continued = { text: severe, opening: openingBefore(body, at(severe)) };
    expect(unaskedCondition(continued.text, forms)).toBeLessThan(unaskedCondition(plain.text, forms) as number);
    expect(unaskedCase(continued, forms)).toBeGreaterThan(unaskedCase(plain, forms) as number);
  });
});

describe('a penalty asked', () => {
  it('leads with the clause punishing a breach of the item asked about, not with the duty', async () => {
    const { answer } = await opened.service.ask('测试市养犬人带犬外出不给狗束牵引带怎么罚？');
    expect(answer.citations[0]?.quote).toMatch(/^第四条 违反本条例第二条第一、二、三项规定的/u);
    expect(answer.answer.split('\n').find((l) => l.includes('[1]'))).toContain('二十元以上二百元以下罚款');
    expect(checkAnswer(opened.kb, answer)).toEqual([]);
  });

  it('answers an amount asked with the sentence stating the fine, not 责令改正 before its semicolon', async () => {
    const { answer } = await opened.service.ask('测试市养犬人不即时清除犬只排泄的粪便，不改的话罚多少？');
    const lead = answer.answer.split('\n').find((l) => l.includes('[1]')) ?? '';
    expect(lead).toContain('拒不改正的，处二十元以上二百元以下罚款');
    expect(checkAnswer(opened.kb, answer)).toEqual([]);
  });

  it('leaves questions that ask no penalty as they were: the duty leads', async () => {
    const { answer } = await opened.service.ask('测试市养犬人带犬外出要遵守哪些规定？');
    expect(answer.citations[0]?.quote).toMatch(/^第二条/u);
  });
});

describe('clauses shown once', () => {
  it('shows a sentence once when two versions of one instrument state it word for word', () => {
    const c = (passageId: string, title: string, text: string) => ({ hit: { passageId, title }, text }) as unknown as Candidate;
    const candidates = [
      c('a-1', '中华人民共和国未成年人保护法', '烟、酒和彩票经营者应当在显著位置设置不向未成年人销售烟、酒或者彩票的标志；'),
      c('b-7', '中华人民共和国未成年人保护法', '烟、酒和彩票经营者应当在显著位置设置不向未成年人销售烟、酒或者彩票的标志；'),
      c('a-1', '中华人民共和国未成年人保护法', '任何人不得在学校、幼儿园和其他未成年人集中活动的公共场所吸烟、饮酒。'),
      c('c-2', '重庆市公共场所控制吸烟条例', '烟、酒和彩票经营者应当在显著位置设置不向未成年人销售烟、酒或者彩票的标志；'),
    ];
    expect(distinctPassages(candidates, [0, 1, 2, 3], 3)).toEqual([0, 3]);
  });

  it('shows a sentence once when an uploaded PDF of the instrument writes its title bracketed and spaces inside it', () => {
    const c = (passageId: string, title: string, text: string, passage = text) => ({ hit: { passageId, title, text: passage }, text }) as unknown as Candidate;
    const candidates = [
      c('law-45', '城镇燃气管理条例', '违反本条例规定，未取得燃气经营许可证从事燃气经营活动的，由燃气管理部门责令停止违法行为，处5万元以上50万元以下罚款；'),
      c('pdf-13', '城镇燃气管理条例（2010年国务院令第583号，2016年修订）', '违反本条例规定，未取得燃气经营许可证从事燃气经营活动的，由燃气管理部门责令停止违法行为，处 5 万元以上 50 万元以下罚款；'),
      c('pdf-14', '城镇燃气管理条例（2010年国务院令第583号，2016年修订）', '违反本条例规定，燃气经营者不按照燃气经营许可证的规定从事燃气经营活动的，由燃气管理部门责令限期改正，处 3 万元以上 20 万元以下罚款；'),
      c('gas-9', '城镇燃气管理条例实施办法', '违反本条例规定，未取得燃气经营许可证从事燃气经营活动的，由燃气管理部门责令停止违法行为，处5万元以上50万元以下罚款；'),
    ];
    expect(distinctPassages(candidates, [0, 1, 2, 3], 4)).toEqual([0, 2, 3]);
    // Another sentence of the same clause in the other copy: the clause, quoted whole, is the same.
    const clause = '第四十五条 违反本条例规定，未取得燃气经营许可证从事燃气经营活动的，处5万元以上50万元以下罚款。违反本条例规定，燃气经营者不按照燃气经营许可证的规定从事燃气经营活动的，处3万元以上20万元以下罚款。';
    const copies = [
      c('law-45', '城镇燃气管理条例', '违反本条例规定，未取得燃气经营许可证从事燃气经营活动的，处5万元以上50万元以下罚款。', clause),
      c('pdf-13', '城镇燃气管理条例（2010年国务院令第583号，2016年修订）', '违反本条例规定，燃气经营者不按照燃气经营许可证的规定从事燃气经营活动的，处 3 万元以上 20 万元以下罚款。', clause.replace(/(\d+)/gu, ' $1 ')),
      c('law-46', '城镇燃气管理条例', '情节严重的，吊销燃气经营许可证；', '第四十六条 …情节严重的，吊销燃气经营许可证；'),
    ];
    expect(distinctPassages(copies, [0, 1, 2], 3)).toEqual([0, 2]);
  });
});
