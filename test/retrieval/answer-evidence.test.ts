/**
 * Evidence the answer layer reads beyond the search ranking: the clause naming what is asked when it
 * ranks below the passages read, and what kind of fact (date, time of day, duration) a question wants.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/retrieval/analyzer.js';
import { Bm25Index } from '../../src/retrieval/bm25.js';
import { realKnowledgeBase } from '../helpers.js';
import { coverage, mustBeStated, passagesToRead, placeCovered, quantityAsk, questionConcepts, statesOwnNumber, statesQuantity, withAlternatives, type Concept, type QuantityAsk } from '../../src/retrieval/evidence.js';

const concept = (term: string, ...forms: string[]): Concept => ({ term, weight: 1, local: 1, forms: new Set([term, ...forms]), scopeFreq: 1 });
const hits = ['第四条 落户奖励500万元。', '第十条 数据中心云服务补贴。', '第十二条 创业孵化基地租金减免。', '第六条 予以大工业电价优惠。', '第七条 用电补助。'].map((text, i) => ({ rank: i + 1, text }));

describe('passagesToRead', () => {
  it('adds the best-ranked later passage with the asked-for concept (电费, as 电价) when the top ones lack it', () => {
    const read = passagesToRead(hits, 3, concept('电费', '电价', '用电'));
    expect(read.map((h) => h.rank)).toEqual([1, 2, 3, 4]);
  });

  it('reads only the top passages when one of them has the concept', () => {
    expect(passagesToRead(hits, 3, concept('补贴')).map((h) => h.rank)).toEqual([1, 2, 3]);
  });

  it('reads only the top passages when no result has it, or nothing is asked for', () => {
    expect(passagesToRead(hits, 3, concept('社保')).map((h) => h.rank)).toEqual([1, 2, 3]);
    expect(passagesToRead(hits, 2, undefined).map((h) => h.rank)).toEqual([1, 2]);
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
    expect(ask).toEqual({ kind: 'duration', per: ['辆'] });
    expect(statesQuantity('每辆车每15秒至少产生一条', ask as QuantityAsk)).toBe(true);
  });
});

describe('questionConcepts', () => {
  const texts = ['未取得燃气经营许可证从事燃气经营活动的，处5万元以上罚款。', '燃气经营者应当取得许可。', '加强经济运行监测，保障企业正常运转。', '经济运行平稳。'];
  const bm25 = Bm25Index.build(texts.map((t) => analyze(t)));

  it('drops the parts of a question word the question uses (一天 of 哪一天, 几种 of 哪几种)', () => {
    const terms = (q: string): string[] => questionConcepts(bm25, analyze(q), [], new Set()).map((c) => c.term);
    expect(terms('新标准从哪一天开始实行')).not.toContain('一天');
    expect(terms('要打通哪几种交通方式的数据')).not.toContain('几种');
    expect(terms('要打通哪几种交通方式的数据')).toContain('交通');
    expect(terms('申请后多长时间内要审批')).not.toContain('多长时间');
  });

  it('lets a part’s expansion stand for a compound the documents never write (拿到 → 取得 for 没拿到), not for one they write', () => {
    const got = questionConcepts(bm25, analyze('没拿到许可'), [{ term: '取得', from: '拿到' }], new Set());
    expect(got.find((c) => c.term === '没拿到')?.forms.has('取得')).toBe(true);
    const own = questionConcepts(bm25, analyze('经济运行'), [{ term: '运转', from: '运行' }], new Set());
    expect(own.find((c) => c.term === '经济运行')?.forms.has('运转')).toBe(false);
  });

  it('counts hits off the postings when every passage is in scope, as a scope test admitting all counts them', () => {
    const counts = (cs: Concept[]): [string, number, number][] => cs.map((c) => [c.term, c.scopeFreq, c.local]);
    for (const q of ['燃气经营许可证的罚款', '没拿到许可', '经济运行怎么样']) {
      const expansions = [{ term: '取得', from: '拿到' }];
      expect(counts(questionConcepts(bm25, analyze(q), expansions, new Set()))).toEqual(counts(questionConcepts(bm25, analyze(q), expansions, new Set(), () => true)));
    }
    expect(questionConcepts(bm25, analyze('燃气经营'), [], new Set()).map((c) => [c.term, c.scopeFreq])).toEqual([
      ['燃气', 2],
      ['经营', 2],
    ]);
  });

  it('reuses the counts an earlier call made in the same scope, and counts what it lacks', () => {
    const inFirstTwo = (i: number): boolean => i < 2;
    const counted = new Map<string, number>();
    const first = questionConcepts(bm25, analyze('燃气许可'), [], new Set(), inFirstTwo, undefined, undefined, counted);
    expect(first.map((c) => [c.term, c.scopeFreq])).toEqual([
      ['燃气', 2],
      ['许可', 2],
    ]);
    expect([...counted.values()]).toEqual([2, 2]);
    // A count held for a form is taken as it is (here deliberately not the true one), a new form is counted.
    counted.set([...counted.keys()][0] as string, 7);
    const second = questionConcepts(bm25, analyze('燃气运行'), [], new Set(), inFirstTwo, undefined, undefined, counted);
    expect(second.map((c) => [c.term, c.scopeFreq])).toEqual([
      ['燃气', 7],
      ['运行', 0],
    ]);
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

describe('withAlternatives', () => {
  const texts = ['采用PPP等多元机制,引导社会资本设立投资基金。', '积极运用政府和社会资本合作等模式。', '鼓励各类主体采取PPP、BOT等多种模式。', '以政府采购数据拉动社会数据的生产。', '向社会采购数据和数据服务。'];
  const bm25 = Bm25Index.build(texts.map((t) => analyze(t)));
  const conceptsOf = (q: string): Concept[] => withAlternatives(q, questionConcepts(bm25, analyze(q), [], new Set()));

  it('lets a text covering either side of A或B cover the pair (PPP或“政府和社会资本合作”)', () => {
    const concepts = conceptsOf('哪些文件里明确写了PPP或“政府和社会资本合作”这类模式?');
    expect(concepts.find((c) => c.term === 'ppp')?.alternative?.side).toBe(0);
    expect(concepts.filter((c) => c.alternative?.side === 1).map((c) => c.term)).toEqual(['政府', '社会', '资本', '合作']);
    // 模式 stands outside the pair: it is asked either way.
    expect(concepts.find((c) => c.term === '模式')?.alternative).toBeUndefined();
    expect(coverage('鼓励各类主体采取PPP、BOT等多种模式。', concepts)).toBeCloseTo(1, 6);
    expect(coverage('积极运用政府和社会资本合作等模式。', concepts)).toBeCloseTo(1, 6);
    expect(coverage('引导社会资本设立投资基金。', concepts)).toBeLessThan(0.6);
  });

  it('reads 数据或数据服务 as 数据服务 or the 数据 it is made of', () => {
    const concepts = conceptsOf('哪些城市鼓励政府向社会购买数据或数据服务?');
    expect(concepts.find((c) => c.term === '数据服务')?.forms.has('数据')).toBe(true);
    expect(concepts.some((c) => c.alternative)).toBe(false);
  });

  it('leaves a question without 或 (or with 或许, 不可或缺) as it was', () => {
    for (const q of ['哪些城市鼓励政府采购数据服务?', '数据或许不可或缺吗?']) expect(conceptsOf(q).some((c) => c.alternative)).toBe(false);
  });
});

describe('asks that only choose the lead', () => {
  it('must state a figure, year, 文号 or who, but not a day, a time of day or a length of time', () => {
    expect(['money', 'year', 'docNumber', 'who', 'date', 'clock', 'duration'].map((kind) => mustBeStated({ kind } as QuantityAsk))).toEqual([true, true, true, true, false, false, false]);
  });

  it('answers a how-long question no sentence states instead of refusing it (the period is in the title)', async () => {
    const { service } = await realKnowledgeBase();
    const { answer } = await service.ask('深圳的行动计划期限是多久？');
    expect(answer.signals?.quantityFound).toBe(false);
    expect(answer.abstained).toBe(false);
    expect(answer.citations[0]?.title).toBe('深圳市促进大数据发展行动计划(2016—2018年)');
  });

  it('leads with the sentence stating the length of time when one does (试行期三年)', async () => {
    const { service } = await realKnowledgeBase();
    const { answer } = await service.ask('云浮的优惠办法试行期多久？');
    expect(answer.citations[0]?.quote).toContain('试行期三年');
  });
});
