/**
 * Rules of what an answer is (issue 20), beside the fitted outcome model: a question's asks read from its grammar
 * (几 + a measure word jieba knows, a month, an area), every ask stated, a tier asked by its figure, and a title the
 * library lacks. Constructed documents and questions, no dev question.
 */
import { describe, expect, it } from 'vitest';
import { decideFrom, figureMissLead, gatherEvidence, unansweredAsk, yesNoUnaddressed } from '../../../src/retrieval/answer/decide.js';
import { FITTED_MODEL } from '../../../src/retrieval/answer/fitted.js';
import { quantityParts } from '../../../src/retrieval/answer/question.js';
import { figureMiss, levelMiss, ordinalMiss, statesQuantity, tierStated } from '../../../src/retrieval/evidence.js';
import { buildAliasTable, understandQuery } from '../../../src/retrieval/query.js';
import type { IndexedDocument } from '../../../src/storage/file/knowledge-index.js';
import type { EvidenceView } from '../../../src/storage/types.js';
import { evidenceFor, lenient } from './one-city.js';

const kinds = (q: string): string[] => quantityParts(q).map((p) => `${p.ask.kind}${p.ask.unit ? `:${p.ask.unit}` : ''}`);

describe('what a question asks', () => {
  it('reads 几 and 多少 with any measure word jieba tags as one, a month, and an area', () => {
    expect(kinds('夜校每周上几节课')).toEqual(['count:节']);
    expect(kinds('这个论坛一般几月份召开？已经开了几届？')).toEqual(['month', 'count:届']);
    expect(kinds('保护区划了多少公顷')).toEqual(['count:公顷']);
    expect(kinds('产业园在哪个区，占地多大？')).toEqual(['place', 'area']);
  });

  it('leaves money, durations and dates to their own kinds', () => {
    expect(kinds('补贴多少元')).toEqual(['money']);
    expect(kinds('几个月内办完')).toEqual(['duration']);
    expect(kinds('几月几日起施行')).toEqual(['date']);
    expect(kinds('用地多少钱一亩')).toEqual(['money']);
  });

  it('reads a noun of money (价格, 租金, 罚款) as asking an amount, and 多少一亩 as a rate per 亩', () => {
    expect(quantityParts('厂房用地价格是多少一亩？').map((p) => p.ask)).toEqual([{ kind: 'money', subject: '价格', cue: '多少', per: ['亩'] }]);
    expect(kinds('违规停车罚款多少')).toEqual(['money']);
    expect(quantityParts('企业总部落户能拿多少一次性奖励').map((p) => p.ask.per)).toEqual([undefined]);
    expect(statesQuantity('工业用地出让价格为每亩25万元。', { kind: 'money', per: ['亩'] })).toBe(true);
    expect(statesQuantity('工业用地出让价格为25万元。', { kind: 'money', per: ['亩'] })).toBe(false);
  });

  it('counts the noun asked: 几个产业基地 is answered by N个…产业基地, not by N个 of another thing', () => {
    const [part] = quantityParts('南川市要建几个大数据产业基地？');
    expect(part?.ask).toMatchObject({ kind: 'count', unit: '个', noun: '产业基地' });
    const ask = part?.ask ?? { kind: 'count' as const };
    expect(statesQuantity('建成10个以上大数据创新载体，成为重要的大数据产业基地。', ask)).toBe(false);
    expect(statesQuantity('到2025年建成3个大数据产业基地。', ask)).toBe(true);
    expect(quantityParts('一共分几步走').map((p) => p.ask.noun)).toEqual([undefined]);
  });

  it('reads 多远, 距离多少, 几米 and a clause-closing 多长 as a length; 多长 of a term or contract as a duration', () => {
    expect(kinds('学校附近多远以内不准开网吧？')).toEqual(['length']);
    expect(kinds('遛狗的狗绳最长能放多长？')).toEqual(['length']);
    // A term, not a length: 婚假有多长, 行政拘留最长多长; 更多远程医疗 and 多少米面油 hold no length.
    expect(kinds('婚假有多长？')).toEqual(['duration']);
    // …stated in days (增加婚假十八日), not by a date's day (2017年7月1日) nor an ordinal (第十日).
    expect(statesQuantity('除国家规定的婚假外，增加婚假十八日。', { kind: 'duration' })).toBe(true);
    expect(statesQuantity('本办法自2017年7月1日起施行。', { kind: 'duration' })).toBe(false);
    expect(statesQuantity('自送达之次日起第十日起计算。', { kind: 'duration' })).toBe(false);
    expect(kinds('线上申请审核要多长？').includes('length')).toBe(false);
    expect(kinds('行政拘留最长多长？').includes('length')).toBe(false);
    expect(kinds('更多远程医疗服务怎么收费？').includes('length')).toBe(false);
    expect(kinds('慰问困难户发多少米面油？').includes('length')).toBe(false);
    expect(kinds('建筑物距离河道多少米以内不能建')).toEqual(['length']);
    expect(kinds('试用期多长？')).toEqual(['duration']);
    expect(kinds('这个规划期限多长')).toEqual(['duration']);
    expect(kinds('要招够多少人、签多长的劳动合同？')).toEqual(['count:人']);
    expect(statesQuantity('距中小学周围最近路程二百米范围内不得设立营业性歌舞娱乐场所。', { kind: 'length' })).toBe(true);
    expect(statesQuantity('犬链全长不得超过1.5米。', { kind: 'length' })).toBe(true);
    expect(statesQuantity('每户住宅建筑面积不超过120平方米。', { kind: 'length' })).toBe(false);
    expect(statesQuantity('养犬人应当为犬只束犬链。', { kind: 'length' })).toBe(false);
  });

  it('reads 几岁, 多少周岁, 多大年纪 and 多大的孩子 as an age, stated in years of age', () => {
    expect(kinds('小孩几岁才能坐副驾驶？')).toEqual(['age']);
    expect(kinds('多大年纪可以献血？')).toEqual(['age']);
    expect(kinds('多大的孩子必须坐安全座椅？')).toEqual(['age']);
    expect(kinds('招童工是指招多少岁以下的？')).toEqual(['age']);
    expect(kinds('几年内有效')).toEqual(['duration']);
    // An age stated roughly (十几岁的孩子), 更多大学生 (多 + 大学生) and a change of age (推迟多少) ask no age.
    expect(kinds('十几岁的孩子能去网吧吗？').includes('age')).toBe(false);
    expect(kinds('鼓励更多大学生到基层就业有什么政策？').includes('age')).toBe(false);
    expect(kinds('退休年龄推迟多少？').includes('age')).toBe(false);
    expect(kinds('献血的年龄要求是多少？')).toEqual(['age']);
    expect(kinds('结婚年龄最低是多少？')).toEqual(['age']);
    expect(kinds('入学年龄要满几周岁？')).toEqual(['age']);
    expect(kinds('越来越多大学生选择创业，有什么扶持？').includes('age')).toBe(false);
    expect(statesQuantity('驾驶人不得安排未满十二周岁的未成年人乘坐在副驾驶位。', { kind: 'age' })).toBe(true);
    expect(statesQuantity('提倡18岁至55岁的健康公民自愿献血。', { kind: 'age' })).toBe(true);
    expect(statesQuantity('献血者两次献血间隔不少于六个月。', { kind: 'age' })).toBe(false);
  });

  it('finds a month and an area stated, not a length of months', () => {
    expect(statesQuantity('博览会每年9月在会展中心举办。', { kind: 'month' })).toBe(true);
    expect(statesQuantity('博览会在三个月内筹办完成。', { kind: 'month' })).toBe(false);
    expect(statesQuantity('园区规划面积3.5平方公里。', { kind: 'area' })).toBe(true);
    expect(statesQuantity('园区规划建设3个中心。', { kind: 'area' })).toBe(false);
  });
});

describe('figureMiss', () => {
  it('returns the figure asked when the text states the same unit only with other figures', () => {
    expect(figureMiss('那带动200人以上奖多少', '带动就业达到80人以上的企业，一次性奖励10万元。')).toBe('200人');
    expect(figureMiss('年营收超过5亿元的奖多少', '年营收首次超过1亿元的，奖励50万元。')).toBe('5亿元');
  });

  it('is silent when the text states the figure (in either numeral), states none of that unit, or the number is an ordinal', () => {
    expect(figureMiss('带动80人以上奖多少', '带动就业达到八十人以上的企业，一次性奖励10万元。')).toBeUndefined();
    expect(figureMiss('带动200人以上奖多少', '对吸纳就业的企业给予奖励。')).toBeUndefined();
    expect(figureMiss('第8项研究多少课题', '8.量子计算。研究3个课题。')).toBeUndefined();
  });

  it('reads a term of years, months or days, and never a calendar year', () => {
    expect(figureMiss('前三年每平方米补贴多少租金', '经认定，前两年予以办公场地租金补贴（补贴标准为10元/平方米）。')).toBe('三年');
    expect(figureMiss('前两年每平方米补贴多少租金', '经认定，前两年予以办公场地租金补贴（补贴标准为10元/平方米）。')).toBeUndefined();
    expect(figureMiss('2018年要培育多少家企业', '到2020年，培育20家骨干企业。')).toBeUndefined();
    expect(figureMiss('第一年补贴多少', '第二年予以全额服务费用50%的补贴。')).toBeUndefined();
  });

  it('is met by a figure past a floor or within a ceiling the text states, unless the question asks a tier itself', () => {
    const clause = '对在我市带动就业达到50人以上的企业，一次性予以20万元奖励。';
    expect(figureMiss('带动就业60人的企业能奖多少', clause)).toBeUndefined();
    expect(figureMiss('带动就业40人的企业能奖多少', clause)).toBe('40人');
    expect(figureMiss('带动就业100人以上的企业能奖多少', clause)).toBe('100人');
    expect(figureMiss('投产2年内的企业奖多少', '自投产运营之日起3年内，按其贡献的40%予以奖励。')).toBeUndefined();
    expect(figureMiss('投产5年的企业奖多少', '自投产运营之日起3年内，按其贡献的40%予以奖励。')).toBe('5年');
  });
});

describe('ordinalMiss and tierStated', () => {
  it('returns the ordinal asked when the text names others of its unit only; 第二年起 reaches later ones', () => {
    const startups = '使用云计算数据中心云服务的创业企业，在享受本办法第十条优惠政策的基础上，第二年起三年内予以每月2000元补贴。';
    expect(ordinalMiss('使用云服务的企业第一年能补贴多少', startups)).toBe('第一年');
    expect(ordinalMiss('使用云服务的创业企业第三年能补贴多少', startups)).toBeUndefined();
    expect(ordinalMiss('使用云服务的企业第一年能补贴多少', '对使用云服务的企业予以补贴。')).toBeUndefined();
    expect(tierStated('使用云服务的企业第一年能补贴多少', '第一年服务费予以全额服务费用80%的补贴。')).toBe(true);
    expect(tierStated('使用云服务的企业第一年能补贴多少', startups)).toBe(false);
    expect(tierStated('省级技术中心奖多少', '对新认定的省级企业技术中心，一次性予以50万元的奖励。')).toBe(true);
    expect(tierStated('技术中心奖多少', '对新认定的省级企业技术中心，一次性予以50万元的奖励。')).toBe(false);
  });
});

describe('levelMiss', () => {
  it('returns the level asked when the text names only other levels, and none reaching it', () => {
    const national = '对新认定的国家级云计算大数据企业技术中心、工程技术研究中心，一次性予以100万元的奖励。';
    expect(levelMiss('云浮对新认定的省级工程技术研究中心奖励多少', national)).toBe('省级');
    expect(levelMiss('云浮对新认定的国家级工程技术研究中心奖励多少', national)).toBeUndefined();
    const above = '对进驻我市的省级以上云计算大数据研发机构，一次性予以不超过100万元的奖励。';
    expect(levelMiss('国家级研发机构进驻奖多少', above)).toBeUndefined();
    expect(levelMiss('市级研发机构进驻奖多少', above)).toBe('市级');
    expect(levelMiss('省级研发机构进驻奖多少', '对进驻的研发机构给予奖励。')).toBeUndefined();
  });

  it('reads the appraisal scale (国际/国内/省内/市内 先进 or 领先) apart from the tiers of bodies', () => {
    const appraised = '成果经鉴定达到国内领先水平的，奖励30万元；达到省内先进水平的，奖励10万元。';
    expect(levelMiss('成果只达到市内先进水平，奖多少', appraised)).toBe('市内先进水平');
    expect(levelMiss('成果达到省内先进水平奖多少', appraised)).toBeUndefined();
    expect(levelMiss('国际领先的成果奖多少', appraised)).toBe('国际领先');
    // 国家级 (a tier of body) is not read against 国内领先 (an appraisal), nor the other way round.
    expect(levelMiss('国家级技术中心奖多少', appraised)).toBeUndefined();
    expect(levelMiss('达到国内先进的成果奖多少', '对新认定的省级企业技术中心给予奖励。')).toBeUndefined();
    expect(tierStated('市内先进水平奖多少', appraised)).toBe(false);
    expect(tierStated('省内先进水平奖多少', appraised)).toBe(true);
    // Territories written together share the level; 以上 bounds it; 先进 of a noun is no level.
    expect(levelMiss('达到国际先进水平的项目可以一事一议吗', '对处于国际、国内先进水平的重大项目，实行一事一议。')).toBeUndefined();
    expect(levelMiss('国际先进的项目奖多少', '达到国内先进以上水平的，奖励50万元。')).toBeUndefined();
    expect(levelMiss('国内先进制造业企业落户有什么奖励', '引进国际先进制造业企业的，给予奖励。')).toBeUndefined();
    // 领先 stands above 先进 of the same territory.
    expect(levelMiss('达到国内先进水平的成果奖多少', '达到国内领先水平的，奖励30万元。')).toBe('国内先进水平');
    expect(levelMiss('达到国内领先水平的成果奖多少', '达到国内先进以上水平的，奖励30万元。')).toBeUndefined();
    // A scale the clause never names does not veto the tier it does state.
    expect(tierStated('获得省级科技进步奖、达到国内领先水平的项目奖多少', '对获得省级科技进步奖的项目奖励10万元。')).toBe(true);
  });
});


describe('rules of what an answer is', () => {
  it('a lead for another tier than the one asked is related, naming the figure; the tier asked is an answer', () => {
    const q = '带动就业80人奖10万，那带动200人以上的企业奖多少？';
    const other = evidenceFor(q, ['对带动就业达到80人以上的企业，一次性予以10万元奖励。']);
    expect(figureMissLead(other, 0)).toBe('200人');
    const decision = decideFrom(other, lenient);
    expect(decision.outcome).toBe('related');
    expect(decision.missing).toBe('未找到提到“200人”的条文');
    const right = evidenceFor(q, ['对带动就业达到200人以上的企业，一次性予以30万元奖励。']);
    expect(figureMissLead(right, 0)).toBeUndefined();
    expect(decideFrom(right, lenient).outcome).toBe('answer');
  });

  it('an answer states every ask, in the lead or another clause of its document; else it is related', () => {
    const q = '数字产业园位于哪里，占地多大？';
    const half = evidenceFor(q, ['在高新区建设数字产业园，集聚数字经济企业。', '数字产业园实行统一招商。']);
    expect(unansweredAsk(half, 0)).toBe(1);
    const decision = decideFrom(half, lenient);
    expect(decision.outcome).toBe('related');
    expect(decision.missing).toContain('面积');
    const whole = evidenceFor(q, ['在高新区建设数字产业园，集聚数字经济企业。', '数字产业园规划占地1200亩。']);
    expect(unansweredAsk(whole, 0)).toBeUndefined();
    expect(decideFrom(whole, lenient).outcome).toBe('answer');
  });
});

describe('a title the library lacks', () => {
  const doc = (docId: string, title: string, issuer: string): IndexedDocument => ({ meta: { docId, title, issuer }, body: '', contentHash: '', source: '', tree: { kind: 'root', children: [] } }) as unknown as IndexedDocument;
  const library = buildAliasTable([doc('a', '南川市促进数字经济发展行动计划（2021—2023年）', '南川市人民政府'), doc('b', '北岭市数据条例', '北岭市人民代表大会常务委员会')]);

  it('is reported when written out (in 《》 or with its years) and no title holds its words', () => {
    expect(understandQuery('东山省促进数字经济发展行动计划（2021-2025年）提出了哪些目标？', library).unknownTitles).toEqual(['东山省促进数字经济发展行动计划']);
    expect(understandQuery('《北岭市公共数据管理办法》对开放有什么规定', library).unknownTitles).toEqual(['北岭市公共数据管理办法']);
  });

  it('is not reported for a library title, shortened or with another kind word, for a title without such marks, or beside another document named', () => {
    expect(understandQuery('南川市数字经济发展行动计划（2021-2023年）提出了哪些目标？', library).unknownTitles).toBeUndefined();
    expect(understandQuery('《北岭市数据条例》对开放有什么规定', library).unknownTitles).toBeUndefined();
    expect(understandQuery('东山省有什么数字经济行动计划', library).unknownTitles).toBeUndefined();
    expect(understandQuery('依据《东山省数字经济促进条例》，北岭市怎么开放数据', library).unknownTitles).toBeUndefined();
  });

  it('is reported when the document named only tells which title it is (…的《…》: the title is what is asked about)', () => {
    const read = understandQuery('北岭条例依据的《东山省数字经济促进条例》有哪些罚则', library);
    expect(read.namedDocs.map((d) => d.docId)).toEqual(['b']);
    expect(read.unknownTitles).toEqual(['东山省数字经济促进条例']);
    expect(understandQuery('北岭条例引用的《东山省数字经济促进条例》对罚款怎么规定', library).unknownTitles).toEqual(['东山省数字经济促进条例']);
    // Named in a clause of its own, or after the title: the question is about the named document.
    expect(understandQuery('北岭条例里，依据《东山省数字经济促进条例》的条文有哪些', library).unknownTitles).toBeUndefined();
    expect(understandQuery('北岭条例根据《东山省数字经济促进条例》规定了什么', library).unknownTitles).toBeUndefined();
    // What a citation carries beside the title (its 文号, its year) the citing document gives.
    expect(understandQuery('北岭条例依据的《东山省数字经济促进条例》文号是多少', library).unknownTitles).toBeUndefined();
    expect(understandQuery('北岭条例依据的《东山省数字经济促进条例》是哪年的', library).unknownTitles).toBeUndefined();
    // Not what the citation carries: asked after the title, the title is still what is asked about.
    expect(understandQuery('北岭条例依据的《东山省数字经济促进条例》什么时候施行', library).unknownTitles).toEqual(['东山省数字经济促进条例']);
  });

  it('makes the answer not_found, naming the title', () => {
    const q = '东山省促进数字经济发展行动计划（2021-2025年）提出了哪些目标？';
    const texts = ['为贯彻落实《东山省促进数字经济发展行动计划（2021-2025年）》，制定本计划。'];
    const view = { documents: new Map([['a', { docId: 'a', body: texts[0], meta: { docId: 'a', title: '南川市促进数字经济发展行动计划（2021—2023年）', issuer: '南川市人民政府' } }]]), passages: [], byId: new Map() } as unknown as EvidenceView;
    const results = [{ rank: 1, passageId: 'a#0', docId: 'a', title: 't', issuer: 'i', breadcrumb: '', clause: '', text: texts[0] as string, start: 0, end: (texts[0] as string).length, score: 1, matchedBy: ['bm25' as const] }];
    const evidence = gatherEvidence(view, { query: q, results, understanding: understandQuery(q, library), expansions: [], scope: [] }, FITTED_MODEL);
    const decision = decideFrom(evidence, lenient);
    expect(decision.outcome).toBe('not_found');
    expect(decision.reason).toBe('知识库中没有《东山省促进数字经济发展行动计划》。');
  });
});

describe('a yes-no question', () => {
  it('is answered only by a lead that speaks of what it asks (the predicate after 能不能, 是否, modals aside)', () => {
    const q = '数字产业园的公共充电桩能不能免费使用？';
    const about = evidenceFor(q, ['在数字产业园建设公共充电桩500个。']);
    expect(about.question.yesNo?.map((j) => about.question.terms[j]?.term)).toEqual(['免费', '使用']);
    expect(yesNoUnaddressed(about, 0)).toBe('免费”“使用');
    expect(decideFrom(about, lenient).outcome).toBe('related');
    expect(decideFrom(about, lenient).missing).toBe('未找到提到“免费”“使用”的条文');
    const says = evidenceFor(q, ['数字产业园的公共充电桩向园区企业免费开放使用。']);
    expect(yesNoUnaddressed(says, 0)).toBeUndefined();
    expect(decideFrom(says, lenient).outcome).toBe('answer');
    expect(evidenceFor('企业是否需要备案？', ['企业应当向主管部门备案。']).question.yesNo?.length).toBe(1);
  });
});
