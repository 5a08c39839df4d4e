/**
 * What kind of fact a question asks for (date, time of day, duration, place, who…) and whether a
 * sentence states one: features of the answer model (answer/features.ts `askStated`).
 */
import { describe, expect, it } from 'vitest';
import { realKnowledgeBase } from '../helpers.js';
import { placeCovered, quantityAsk, statesOwnNumber, statesQuantity, type QuantityAsk } from '../../src/retrieval/evidence.js';

describe('quantityAsk for a comparison of quantities', () => {
  it('reads 哪个城市…更高 as asking the figures compared, not a place', () => {
    expect(quantityAsk('惠州和中山哪个城市的政务信息资源共享率目标更高?')?.kind).toBe('number');
    expect(quantityAsk('哪个城市给的落户奖励最多?')?.kind).toBe('money');
    expect(quantityAsk('哪个城市提出建设大数据产业园?')?.kind).toBe('place');
    // The unit of a task-division annotation asked by its name is who does the task.
    expect(quantityAsk('深圳推进城市感知网络建设的责任单位有哪些?')?.kind).toBe('who');
    expect(quantityAsk('这项任务的牵头单位是哪个')?.kind).toBe('who');
    expect(statesQuantity('通过电子政务云服务平台，将各部门的政务信息化系统有机联接起来。', { kind: 'number' })).toBe(false);
    expect(statesQuantity('政务信息资源共享率达90%。', { kind: 'number' })).toBe(true);
  });
});

describe('quantityAsk and statesQuantity for when and how long', () => {
  const cases: [string, QuantityAsk['kind'], string, string][] = [
    ['南宁这次燃气调价的新标准从哪一天开始实行？', 'date', '八、本通知自2025年11月1日起执行。', '本通知由市发展改革委负责解释。'],
    ['已交付的住宅楼里装修，哪些时段不允许做有噪声的活？', 'clock', '每日十二时至十四时三十分、十八时至次日八时', '应当按照规定限定作业时间，同时采取有效措施。'],
    ['晚上有什么时间限制？', 'clock', '二十一时至次日八时，在街道、广场、公园等公共场所', '作出时间和区域的限制性规定。'],
    ['检修要临时停气，至少要提前多长时间告知用户？', 'duration', '应当提前 48 小时予以公告或者书面通知燃气用户', '应当提前予以公告，2025年11月1日起执行。'],
    ['最迟多长时间内要出具告诫书？', 'duration', '自受理家庭暴力报案之日起七十二小时内出具告诫书', '公安机关应当及时出具告诫书。'],
    ['云浮的优惠办法试行期多久？', 'duration', '本优惠办法自2017年7月1日起实施,试行期三年。', '本优惠办法自二〇一七年7月1日起实施。'],
    ['这份办法从哪一天起施行？', 'date', '本办法自印发之日起施行。', '本办法自印发起施行，有效期5年。'],
  ];
  for (const [question, kind, states, lacks] of cases) {
    it(`reads ${question} as a ${kind} ask, stated by “${states.slice(0, 12)}…”, not by “${lacks.slice(0, 12)}…”`, () => {
      const ask = quantityAsk(question);
      expect(ask?.kind).toBe(kind);
      expect(statesQuantity(states, ask as QuantityAsk)).toBe(true);
      expect(statesQuantity(lacks, ask as QuantityAsk)).toBe(false);
    });
  }

  it('keeps the units of a rate on a duration (每辆车多久 → every 15 seconds per vehicle)', () => {
    const ask = quantityAsk('东莞重点营运车辆的卫星定位数据,每辆车多久至少产生一条?');
    expect(ask).toMatchObject({ kind: 'duration', per: ['辆'], cue: '多久' });
    expect(statesQuantity('每辆车每15秒至少产生一条', ask as QuantityAsk)).toBe(true);
  });
});

describe('a figure asked for', () => {
  it('is not stated by a 文号, a date or a cited title: they name a document or date a target', () => {
    const ask = quantityAsk('引进的高层次人才能拿多少安家费?') as QuantityAsk;
    expect(ask.kind).toBe('number');
    expect(statesQuantity('可按照《云浮市培养引进高层次人才实施办法》(云府办〔2016〕27号)的规定享受相关待遇。', ask)).toBe(false);
    expect(statesQuantity('本办法自2017年7月1日起施行。', ask)).toBe(false);
    expect(statesQuantity('依据《广东省促进大数据发展行动计划(2016-2020年)》制定。', ask)).toBe(false);
    expect(statesQuantity('给予每人10万元安家费。', ask)).toBe(true);
    expect(statesQuantity('到2020年引进高层次人才500名。', ask)).toBe(true);
  });
});

describe('quantityAsk for a place', () => {
  it('reads 哪里, 在哪 and 哪个区/哪些园区 as a place ask, stated by a named zone or a place name beside the question’s words', () => {
    const ask = quantityAsk('深圳打算在哪个片区搭建数据交易平台?') as QuantityAsk;
    // The first place form found is the cue (在哪 here, before 哪个片区): either way a place is asked.
    expect(ask.kind).toBe('place');
    expect(statesQuantity('推动前海蛇口自贸片区加快建设面向港澳和国际的大数据交易服务平台', ask)).toBe(true);
    expect(statesQuantity('加快建设大数据交易服务平台', ask)).toBe(false);
    expect(quantityAsk('燃气经营许可证去哪里办?')?.kind).toBe('place');
    expect(statesQuantity('以清新区核心区为重点,打造高端商务楼宇集群', quantityAsk('以哪个区为重点?') as QuantityAsk)).toBe(true);
    // A generic zone (数据中心基地, 具备产业基础的产业园区) says what kind of place, not which: 在哪 is not answered.
    const where = quantityAsk('惠州大数据产业园在哪?') as QuantityAsk;
    expect(statesQuantity('支持各县区依托数据中心基地和具备产业基础的产业园区或集聚区,建设大数据产业园区。', where)).toBe(false);
    expect(statesQuantity('支持仲恺高新区大数据创业创新孵化园建设', where)).toBe(true);
    expect(statesQuantity('在松山湖高新区建设大数据产业园', where)).toBe(true);
    // A state zone written bare names the city's own only after a word of place, not after a modifier making it a kind.
    expect(statesQuantity('在高新区建设数字产业园', where)).toBe(true);
    for (const generic of ['在各高新区建设大数据产业园', '在全市开发区布局', '支持各类开发区发展', '支持有条件的开发区建设', '在省级开发区建设']) expect(statesQuantity(generic, where)).toBe(false);
  });
});

describe('placeCovered', () => {
  const hit = (docId: string, text: string, start: number, end: number): { docId: string; text: string; start: number; end: number } => ({ docId, text, start, end });
  const lengths: Record<string, number> = { reply: 320, plan: 40_000 };
  const bodyLength = (docId: string): number => lengths[docId] ?? 0;

  it('holds when two of the top three passages mention the place', () => {
    expect(placeCovered([hit('plan', '浙江省…', 0, 300), hit('plan', '…', 300, 600), hit('plan', '与浙江省合作', 600, 900)], ['浙江省'], bodyLength)).toBe(true);
  });

  it('holds when the top passage mentions it and is nearly its whole (short) document', () => {
    expect(placeCovered([hit('reply', '根据《浙江省专业技术人员和管理人员辞职暂行办法》', 0, 320), hit('plan', '…', 0, 300)], ['浙江省'], bodyLength)).toBe(true);
  });

  it('fails for one mention in one passage of a long document', () => {
    expect(placeCovered([hit('plan', '与广州合作', 0, 300), hit('plan', '…', 300, 600), hit('plan', '…', 600, 900)], ['广州'], bodyLength)).toBe(false);
  });
});

describe('statesOwnNumber', () => {
  it('finds the document’s own 文号, not one it cites', () => {
    expect(statesOwnNumber('路卫发〔2011〕76号', '路卫发〔2011〕76号')).toBe(true);
    expect(statesOwnNumber('你院《关于给张阿三同志辞职的请示》（路中医发〔2011〕10号）收悉。', '路卫发〔2011〕76号')).toBe(false);
    expect(statesOwnNumber('路卫发[2011] 76号', '路卫发〔2011〕76号')).toBe(true);
    expect(statesOwnNumber('路卫发〔2011〕76号', undefined)).toBe(false);
  });

  it('counts a 公文 imprint (…办公室 2011年3月10日印发) as naming who issued it', () => {
    const ask = quantityAsk('这份批复由哪个机构印发？') as QuantityAsk;
    expect(ask.kind).toBe('who');
    expect(statesQuantity('测试符路桥区卫生局办公室 2011年3月10日印发', ask)).toBe(true);
  });
});

describe('an asked length of time', () => {
  it('leads with the sentence stating the length of time when one does (试行期三年)', async () => {
    const { service } = await realKnowledgeBase();
    const { answer } = await service.ask('云浮的优惠办法试行期多久？');
    expect(answer.citations[0]?.quote).toContain('试行期三年');
  });
});
