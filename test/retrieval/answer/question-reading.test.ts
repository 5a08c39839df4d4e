/**
 * Reading questions nobody tuned for (issue 20): 几 after 哪 or 好 is no count, how often is its own ask, a count's
 * noun may come before its figure, a set's members asked by its count, another year only, a kind word of a document
 * or of the fact asked, a place inside an organisation's name, and a jurisdiction typed with the wrong characters of
 * its sound. Constructed documents and questions, no dev question.
 */
import { describe, expect, it } from 'vitest';
import { decideFrom, excludedCaseLead, membersUnnamed, missingLine, otherYearLead, quotedMissLead, unansweredAsk, yearUnstated, yesNoSubjectMissed, yesNoUnaddressed } from '../../../src/retrieval/answer/decide.js';
import { analyzeQuestion, quantityParts } from '../../../src/retrieval/answer/question.js';
import { analyze } from '../../../src/lexical/analyzer.js';
import type { SearchResponse } from '../../../src/retrieval/search.js';
import { listScope } from '../../../src/retrieval/answer/words.js';
import { figureMiss, membersNotNamed, statesQuantity, unnamedMembers } from '../../../src/retrieval/evidence.js';
import { statesYear, termPresence } from '../../../src/retrieval/answer/features.js';
import { buildAliasTable, understandQuery } from '../../../src/retrieval/query.js';
import type { IndexedDocument } from '../../../src/storage/file/knowledge-index.js';
import { evidenceFor, lenient } from './one-city.js';

const kinds = (q: string): string[] => quantityParts(q).map((p) => `${p.ask.kind}${p.ask.unit ? `:${p.ask.unit}` : ''}`);

describe('what a question asks', () => {
  it('reads 哪几个 as which (no count) and 好几个 as several (no ask); 几个 alone still counts', () => {
    expect(kinds('南川要建的数据中心有哪几个？')).toEqual([]);
    expect(kinds('方案里列了好几个部门')).toEqual([]);
    expect(kinds('南川要建几个数据中心？')).toEqual(['count:个']);
    expect(kinds('通知是哪几个部门印发的')).toEqual(['who']);
    expect(kinds('哪些单位负责数据安全监管')).toEqual(['who']);
    expect(kinds('哪些单位可以申请技术改造补贴')).toEqual([]);
  });

  it('reads how often (多久开一次) as a frequency, stated as a period or times per period', () => {
    expect(kinds('领导小组多久开一次会？')).toEqual(['frequency']);
    expect(kinds('罚款需要在多长时间内一次性缴清？')).toEqual(['duration']);
    const ask = { kind: 'frequency' as const };
    expect(statesQuantity('领导小组办公室每季度召开工作会议。', ask)).toBe(true);
    expect(statesQuantity('领导小组一年召开两次会议。', ask)).toBe(true);
    expect(statesQuantity('领导小组负责统筹协调。', ask)).toBe(false);
    // The words that ask state no condition: 一次 of 多久开一次 is no tier against 两次.
    expect(figureMiss('领导小组多久开一次会', '领导小组每年召开两次工作会议。')).toBe('一次');
  });

  it('finds who in a body bound by a duty or power, as laws write it', () => {
    expect(statesQuantity('公安机关应当向加害人出具告诫书。', { kind: 'who' })).toBe(true);
    expect(statesQuantity('县级以上人民政府可以设立专项资金。', { kind: 'who' })).toBe(true);
    expect(statesQuantity('告诫书应当载明加害人的身份信息。', { kind: 'who' })).toBe(false);
  });

  it('reads 哪个区 as one place asked, 哪些城市 and 哪几个城市 as a list over cities', () => {
    expect(listScope('产业园在哪个区，占地多大？')).toBeUndefined();
    expect(listScope('哪个城市最早建数据交易平台')).toBeUndefined();
    expect(listScope('哪些城市要建数据交易平台')).toEqual({ kind: 'local', words: ['城市'] });
    expect(listScope('哪几个城市要建数据交易平台')).toEqual({ kind: 'local', words: ['城市'] });
  });

  it('does not take the place the question names for where its subject is (南川 of 南川档案馆建在哪里)', () => {
    const evidence = evidenceFor('南川的数字档案馆建在哪里？', ['建设南川市数字档案馆，提供数据服务。', '数字档案馆选址在高新区。']);
    expect(evidence.question.places).toEqual(['南川']);
    expect(evidence.table.stated.map((s) => s[0])).toEqual([false, true]);
    // After a word of location the place named still says where (在南川市登记注册), and a town jieba reads as a name is a place.
    expect(evidenceFor('南川的企业要在哪注册？', ['在南川市登记注册的企业。', '南川市企业享受优惠。']).table.stated.map((s) => s[0])).toEqual([true, false]);
    expect(statesQuantity('石龙镇成为全省首个试点镇。', { kind: 'place' })).toBe(true);
    expect(statesQuantity('在城镇开办个体工商户的，应当登记。', { kind: 'place' })).toBe(false);
    // A word of place is a whole word: 于 of 关于, 在 of 现在 say nothing of where.
    expect(evidenceFor('南川的数字档案馆建在哪里？', ['关于南川市数字档案馆建设的实施意见。']).table.stated.map((s) => s[0])).toEqual([false]);
    expect(evidenceFor('南川的数字档案馆建在哪里？', ['对于本市数字档案馆，加快建设。']).table.stated.map((s) => s[0])).toEqual([false]);
    // The document's own place after a word of location is the place the question names (进驻我市 for 南川…进驻哪里).
    expect(evidenceFor('南川的研发机构要进驻哪里才能拿奖励？', ['对进驻我市的研发机构，给予100万元奖励。']).table.stated.map((s) => s[0])).toEqual([true]);
  });

  it('takes a fact asked from a clause pointing back at the subject (该馆选址于…), not from any clause of the document', () => {
    const back = evidenceFor('数字档案馆什么时候建成、建在哪里？', ['到2020年建成数字档案馆。', '该馆选址于清城区。']);
    expect(unansweredAsk(back, 0)).toBeUndefined();
    const elsewhere = evidenceFor('数字档案馆什么时候建成、建在哪里？', ['到2020年建成数字档案馆。', '招商平台介绍清城区的投资环境。']);
    expect(unansweredAsk(elsewhere, 0)).toBe(1);
    // 本办法, 此外 point at no thing asked about.
    expect(unansweredAsk(evidenceFor('数字档案馆建在哪里、什么时候建成？', ['在清城区建设数字档案馆。', '本办法自2020年1月1日起施行。']), 0)).toBe(1);
  });

  it('reads 在哪 as where, but 放在哪些行业 as which industries', () => {
    expect(kinds('数据中心建在哪？')).toEqual(['place']);
    expect(kinds('试点示范重点放在哪些行业？')).toEqual([]);
    expect(kinds('补贴资金在哪家银行开户？')).toEqual([]);
  });

  it('counts the noun asked before its figure in the same clause too', () => {
    const [part] = quantityParts('已经建了多少份健康档案？');
    const ask = part?.ask ?? { kind: 'count' as const };
    expect(ask).toMatchObject({ kind: 'count', unit: '份', noun: '档案' });
    expect(statesQuantity('居民健康档案建档850多万份。', ask)).toBe(true);
    expect(statesQuantity('建档850多万份，健康档案实现共享。', ask)).toBe(false);
  });
});

describe('words of the question a clause has', () => {
  const term = (t: string) => ({ term: t, weight: 1, forms: new Map([[t, 1]]), nominal: true });

  it('finds a short form in its full word (电动车 in 电动自行车), never a word that merely shares characters', () => {
    expect(termPresence('驾驶电动自行车应当佩戴安全头盔。', term('电动车'))).toBe(1);
    expect(termPresence('电动汽车充电设施纳入规划。', term('电动车'))).toBe(1);
    expect(termPresence('电力设施和车辆管理。', term('电动车'))).toBe(0);
    // A rate per unit written with a slash is the same measure as with 每.
    expect(termPresence('补贴标准为10元/平方米。', term('每平方米'))).toBe(1);
    expect(termPresence('补贴面积不超过1000平方米。', term('每平方米'))).toBe(0);
    expect(termPresence('引进博士毕业后留在本市的，给予补贴。', term('博士后'))).toBe(0);
    expect(termPresence('推广电动，公交车优先通行。', term('电动车'))).toBe(0);
  });

  it('drops a measure word glued to the word after it (一次奖 → 次奖) from the subject', () => {
    expect(quantityParts('总部搬过来一次奖多少钱').length).toBe(1);
    const evidence = evidenceFor('总部搬过来一次奖多少钱？', ['总部迁至本市的，一次性予以500万元落户奖励。']);
    expect(evidence.question.terms.map((t) => t.term)).not.toContain('次奖');
  });
});

describe('an auxiliary verb glued to a one-character verb (能免, 该交, 会罚)', () => {
  it('is no subject word, and 能 of it still asks permission', () => {
    const evidence = evidenceFor('孵化基地的办公用房租金能免吗？', ['进驻孵化基地创业的，三年内免除办公用房租金。']);
    expect(evidence.question.terms.map((t) => t.term)).not.toContain('能免');
    expect(evidence.question.terms.map((t) => t.term)).toContain('租金');
    expect(evidence.question.asksPermission).toBe(true);
    // A word jieba's HMM glued (该交) that a retrieved passage writes (应该交纳) would be a subject word but for the rule.
    expect(evidenceFor('物业费该交多少？', ['业主应该交纳物业费。']).question.terms.map((t) => t.term)).not.toContain('该交');
    // Words of their own that open with the same characters stay: 会谈 (v), 可控 (v), 会议 and 能源 (n).
    expect(evidenceFor('两岸会谈机制是什么？', ['建立两岸会谈机制。']).question.terms.map((t) => t.term)).toContain('会谈');
    expect(evidenceFor('风险可控吗？', ['确保风险可控。']).question.terms.map((t) => t.term)).toContain('可控');
    expect(evidenceFor('能源会议多久开一次？', ['能源工作会议每年召开一次。']).question.terms.map((t) => t.term)).toEqual(expect.arrayContaining(['能源', '会议']));
  });
});

describe('which bodies, named in a list', () => {
  it('is stated by short names closed by 等部门 or by names of government bodies, not by any list before 部门', () => {
    const which = quantityParts('物流数据要汇聚哪几个部门的?')[0]?.ask;
    expect(which?.kind).toBe('who');
    const asked = which as NonNullable<typeof which>;
    expect(statesQuantity('汇聚工商、税务、交通、人社等部门数据资源。', asked)).toBe(true);
    expect(statesQuantity('由市公安局、民政局、司法局共同推进。', asked)).toBe(true);
    expect(statesQuantity('满足消费者、生产者和监管部门三类群体的需求。', asked)).toBe(false);
    expect(statesQuantity('鼓励高校、科研院所与企业等机构合作。', asked)).toBe(false);
    expect(statesQuantity('优化产业布局、空间布局。', asked)).toBe(false);
    expect(statesQuantity('积极举办、承办各类赛事。', asked)).toBe(false);
  });
});

describe('membersNotNamed', () => {
  it('returns the set a who-are-they question names when the clause mentioning it names no member', () => {
    expect(membersNotNamed('人工智能学院首批试点院校是哪几所?', '推动学科建设,尽快在试点院校建立人工智能学院,增加博士、硕士招生名额。')).toBe('试点院校');
    expect(membersNotNamed('那些重点景区具体是哪些?', '在全市重点景区推广应用。')).toBe('重点景区');
  });

  it('is silent when the clause names members (a list, an organisation, a quoted name) or the question asks no identity', () => {
    expect(membersNotNamed('首批试点院校是哪几所', '支持中山大学、华南理工大学等试点院校建设人工智能学院')).toBeUndefined();
    expect(membersNotNamed('首批试点院校是哪几所', '确定清华大学为首批试点院校')).toBeUndefined();
    expect(membersNotNamed('那些重点景区具体是哪些?', '在“清远古龙峡”等重点景区推广应用。')).toBeUndefined();
    expect(membersNotNamed('深圳的大数据应用有哪些', '推进大数据应用')).toBeUndefined();
    expect(membersNotNamed('试点院校是哪几所', '加快产业发展。')).toBeUndefined();
    // Named in the next sentence.
    expect(membersNotNamed('三个示范项目具体是哪几个?', '建设三个示范项目。分别为智慧交通平台、健康医疗平台和政务云平台。')).toBeUndefined();
    // The set named in the clause before the asking one (…平台，具体是哪几个), without its count.
    expect(membersNotNamed('说的10个以上创新载体和服务平台,具体是哪几个?', '——加快创新载体和服务平台建设。')).toBe('创新载体和服务平台');
    expect(membersNotNamed('说的10个以上创新载体和服务平台,具体是哪几个?', '支持建设甲实验室、乙中心等创新载体和服务平台。')).toBeUndefined();
    // A set named after the asking form is not the clause before's (靠的是哪两个人才计划: the plans, not the talents).
    expect(membersNotNamed('引进高端人才和团队,靠的是哪两个人才计划?', '实施人才计划,引进高端人才和团队。')).toBeUndefined();
  });

  it('reads a quoted name as the set, and a clause listing it beside its siblings as naming none of its members', () => {
    expect(membersNotNamed('文件里的“三通”具体是哪三项?', '加快推进“两化”和“三通”建设。')).toBe('三通');
    expect(membersNotNamed('“三通”具体指哪三项?', '推进政务网、“三通”工程建设,整合数据资源。')).toBe('三通');
    // A list opened right after the name, or the name before its own list, names its members.
    expect(membersNotNamed('“三通”具体指哪三项?', '推进“两化”、“三通”(即通水、通电、通路)建设。')).toBeUndefined();
    expect(membersNotNamed('“三通”具体指哪三项?', '“三通”包括通水、通电、通路。')).toBeUndefined();
    expect(membersNotNamed('“三通”具体指哪三项?', '实现“通水、通电、通路”三通。')).toBeUndefined();
    // 及 of 普及, 与 of 参与 join no items; a list opened after the phrase's comma names the members; a set only the
    // suffix of a sibling's name (计划 of 人才双高计划) is not the set listed.
    expect(membersNotNamed('“三通两平台”具体指哪几个？', '加快普及“三通两平台”建设，包括宽带网络校校通、优质资源班班通。')).toBeUndefined();
    expect(membersNotNamed('“双创”具体指哪两项？', '鼓励企业参与“双创”活动，即大众创业、万众创新。')).toBeUndefined();
    expect(membersNotNamed('三个示范区具体是哪几个？', '建设智慧城市和三个示范区，分别为甲区、乙区、丙区。')).toBeUndefined();
    expect(membersNotNamed('人才计划是哪两个', '实施“人才双高计划”和“人才双十行动”,引进人才。')).toBeUndefined();
  });
});

describe('unnamedMembers', () => {
  it('returns the count a which-question echoes when the text only mentions the set by it', () => {
    expect(unnamedMembers('那12个重点景区都是哪几个？', '后期在全市12个重点景区推广应用。')).toBe('12');
    expect(unnamedMembers('那五个试点园区具体是哪几个？', '建设5个大数据试点园区，统一规划。')).toBe('5');
    // 和 inside the set's own name, as the question writes it, names no members.
    expect(unnamedMembers('说的10个以上创新载体和服务平台,具体是哪几个?', '建成10个以上创新载体和服务平台,形成一批新产品。')).toBe('10');
    expect(unnamedMembers('说的2个创新载体和服务平台,具体是哪几个?', '建成甲中心和乙平台2个创新载体。')).toBeUndefined();
    // A list in a later clause of the sentence lists something else; one after a colon lists the members.
    expect(unnamedMembers('说的10个以上创新载体和服务平台,具体是哪几个?', '建成10个以上创新载体和服务平台,形成一批新技术、新产品、新标准。')).toBe('10');
    // A conjunction inside the set's own name joins its parts, whatever the question writes of it.
    expect(unnamedMembers('说要建10个以上创新载体,具体是哪几个?', '建成10个以上创新载体和服务平台,形成一批新产品。')).toBe('10');
    expect(unnamedMembers('说要建2个创新载体,具体是哪几个?', '建成2个创新载体：甲中心和乙平台。')).toBeUndefined();
    // A later clause opening with a word that only looks like a list opener (有力, 有效), or a colon before the count, names no member.
    expect(unnamedMembers('那10个创新平台具体是哪几个?', '建成10个以上创新平台,有力支撑新技术、新产品、新标准研发。')).toBe('10');
    expect(unnamedMembers('那3个景区具体是哪几个?', '重点任务:建设3个重点景区。')).toBe('3');
    expect(unnamedMembers('那3个景区具体是哪几个?', '建设3个重点景区,其中甲山、乙湖为5A级。')).toBeUndefined();
    expect(unnamedMembers('那3个重点景区都是哪几个？', '建设3个重点景区，包括：甲山，乙湖，丙谷。')).toBeUndefined();
    expect(unnamedMembers('那3个重点景区都是哪几个？', '建设3个重点景区。分别为甲山、乙湖和丙谷。')).toBeUndefined();
  });

  it('returns the count stated in the measure 哪几 asks (哪几家 → 2家) when the text does not name them', () => {
    expect(unnamedMembers('入选的省级数据工厂是哪几家企业？', '建成5个以上试点示范项目,建设2家省级数据工厂。')).toBe('2');
    expect(unnamedMembers('入选的省级数据工厂是哪几家企业？', '建设甲公司、乙公司2家省级数据工厂。')).toBeUndefined();
  });

  it('is silent when the text names the members, lacks the count, or the question asks no which', () => {
    expect(unnamedMembers('那3个重点景区都是哪几个？', '在甲山、乙湖和丙谷3个重点景区推广。')).toBeUndefined();
    expect(unnamedMembers('那3个重点景区都是哪几个？', '建设3个重点景区：甲山、乙湖、丙谷。')).toBeUndefined();
    expect(unnamedMembers('那3个重点景区都是哪几个？', '在重点景区推广应用。')).toBeUndefined();
    expect(unnamedMembers('3个重点景区什么时候建成', '在3个重点景区推广应用。')).toBeUndefined();
    // Another measure or an enumeration marker is no count of the members (三年, 二是), nor is one.
    expect(unnamedMembers('前海、南沙、横琴这三个片区各有哪些优惠政策', '实施三年行动计划，对入驻片区的企业给予租金减免。')).toBeUndefined();
    expect(unnamedMembers('获得两项认定的企业可以享受哪些政策', '二是加大对企业的资金支持力度。')).toBeUndefined();
    expect(unnamedMembers('哪几个部门负责数据安全监管', '成立1个工作专班统筹推进。')).toBeUndefined();
  });
});


describe('rules of what an answer is', () => {
  it('a lead that only mentions the set asked by its count is related, saying so', () => {
    const q = '那12个重点景区都是哪几个？';
    const evidence = evidenceFor(q, ['后期在全市12个重点景区推广智慧旅游应用。']);
    expect(membersUnnamed(evidence, 0)).toBe('12');
    const decision = decideFrom(evidence, lenient);
    expect(decision.outcome).toBe('related');
    expect(decision.missing).toBe('未找到列出这12个具体是哪些的条文');
  });

  it('a lead stating other years only answers for another year: related, naming the year asked', () => {
    const q = '2019年以后市财政还每年安排资金支持机器换人吗？';
    const other = evidenceFor(q, ['启动机器换人行动计划(2014-2016),市财政连续三年每年安排2亿元支持机器换人。']);
    const decision = decideFrom(other, lenient);
    expect(otherYearLead(other, decision.outcomeFeatures)).toBe('2019年');
    expect(decision.outcome).toBe('related');
    expect(decision.missing).toBe('未找到提到“2019年”的条文');
    // A year only before the sentence (a basis, a date of effect) does not rule it out.
    const basis = evidenceFor('2023年企业上云补贴比例是多少', ['为落实《某市数字经济发展规划(2021—2025年)》，制定本措施。对首次上云的企业按上云费用的50%给予补贴。']);
    expect(otherYearLead(basis, decideFrom(basis, lenient).outcomeFeatures)).toBeUndefined();
    // A span holding the year asked is that year's.
    const span = evidenceFor('2015年市财政安排多少资金支持机器换人', ['启动机器换人行动计划(2014-2016),市财政连续三年每年安排2亿元支持机器换人。']);
    expect(otherYearLead(span, decideFrom(span, lenient).outcomeFeatures)).toBeUndefined();
  });

  it('a year no clause of the lead’s document states, nor its title, is missing: related, naming the year', () => {
    const q = '某市2035年要建成多少个数据中心？';
    const none = evidenceFor(q, ['建成数据中心10个,形成一批示范项目。', '加强组织领导,确保目标实现。']);
    expect(yearUnstated(none, 0)).toBe('2035年');
    const decision = decideFrom(none, lenient);
    expect(decision.outcome).toBe('related');
    expect(decision.missing).toBe('未找到提到“2035年”的条文');
    // Another clause of the document states the year; or the title's span holds it.
    expect(yearUnstated(evidenceFor(q, ['建成数据中心10个,形成一批示范项目。', '到2035年,全面建成数字城市。']), 0)).toBeUndefined();
    expect(yearUnstated(evidenceFor(q, ['建成数据中心10个,形成一批示范项目。'], '某市数据中心建设行动计划(2031—2040年)'), 0)).toBeUndefined();
    // A five-year plan's title holds its years too (“十三五” = 2016–2020).
    expect(yearUnstated(evidenceFor('某市2018年要建成多少个数据中心？', ['建成数据中心10个,形成一批示范项目。'], '某市数据中心建设“十三五”规划'), 0)).toBeUndefined();
  });

  it('names as missing only the specific words no clause shown has, not an everyday one (公司 where clauses say 企业)', () => {
    const generic = evidenceFor('我们公司想入驻某市新区的标准厂房，房租有没有补贴？', ['对入驻新区标准厂房的企业，予以房租补贴。']);
    expect(missingLine(generic, [0])).not.toContain('公司');
    const specific = evidenceFor('某市对新建数据中心的电费有什么补贴？', ['对新建数据中心的企业，予以租金补贴。']);
    expect(missingLine(specific, [0])).toContain('电费');
    // The clause shown is quoted whole: a word another of its sentences writes is not missing.
    const clause = evidenceFor('某市对新建数据中心的电费有什么补贴？', ['对新建数据中心的企业，予以租金补贴。电费按大工业电价执行。']);
    const first = clause.candidates.findIndex((c) => c.text.includes('租金'));
    expect(first).toBeGreaterThanOrEqual(0);
    expect(clause.table.presence[first]?.[clause.question.terms.findIndex((t) => t.term === '电费')]).toBe(0);
    expect(missingLine(clause, [first])).not.toContain('电费');
  });

  it('reads a year the question names, not a figure of four digits (2000万元, 2000人)', () => {
    expect(evidenceFor('某市2018年要建成多少个数据中心？', ['建成数据中心10个。']).question.years).toEqual(['2018']);
    expect(evidenceFor('某市对投资2000万元以上的企业奖多少？', ['奖励100万元。']).question.years).toEqual([]);
    expect(evidenceFor('带动就业2000人的企业有什么奖励？', ['奖励100万元。']).question.years).toEqual([]);
  });

  it('does not call a year missing that the lead’s document states in a passage not read', () => {
    const q = '某市2035年要建成多少个数据中心？';
    const read = ['建成数据中心10个,形成一批示范项目。', '加强组织领导。', '强化资金保障。', '完善考核机制。', '优化营商环境。', '加强人才培养。', '推进数据共享。', '做好宣传引导。'];
    const unread = evidenceFor(q, [...read, '到2035年,全面建成数字城市。']);
    expect(unread.candidates.some((c) => c.text.includes('2035'))).toBe(false);
    const decision = decideFrom(unread, lenient);
    expect(decision.outcome).toBe('related');
    expect(decision.missing).not.toContain('2035年');
    // Nowhere in the document: said.
    expect(decideFrom(evidenceFor(q, read), lenient).missing).toBe('未找到提到“2035年”的条文');
  });

  it('a year inside a name (东莞制造2025) is not the year: the clause does not state it', () => {
    const q = '某市到2025年大数据产业规模达到多少？';
    expect(statesYear('力争实现800亿元的大数据产业规模,支撑东莞制造2025的目标实现。', '2025')).toBe(false);
    expect(statesYear('到2025年,大数据产业规模达到800亿元。', '2025')).toBe(true);
    expect(statesYear('规划期为2021—2025年。', '2025')).toBe(true);
    const named = evidenceFor(q, ['力争实现800亿元的大数据产业规模,支撑东莞制造2025的目标实现。']);
    expect(yearUnstated(named, 0)).toBe('2025年');
    expect(decideFrom(named, lenient).outcome).toBe('related');
  });

  it('a kind word of the document (办法) and the word asking a stated fact (文号) are not missing from its clauses', () => {
    const q = '某市办法里孵化基地的房租能免几年？';
    const evidence = evidenceFor(q, ['进驻创业孵化基地的，三年内免除办公用房租金。'], '某市促进创业若干办法');
    const j = evidence.question.terms.findIndex((t) => t.term === '办法');
    expect(j).toBeGreaterThanOrEqual(0);
    expect(evidence.table.presence[0]?.[j]).toBe(1);
    const numbered = evidenceFor('依据的省里文件文号是多少', ['根据《某省促进产业发展的通知》(某府办〔2016〕29号)精神，制定本措施。']);
    const k = numbered.question.terms.findIndex((t) => t.term === '文号');
    expect(k).toBeGreaterThanOrEqual(0);
    expect(numbered.table.presence[0]?.[k]).toBe(1);
  });
});

describe('places and names in the question', () => {
  const doc = (docId: string, title: string, issuer: string): IndexedDocument => ({ meta: { docId, title, issuer }, body: '', contentHash: '', source: '', tree: { kind: 'root', children: [] } }) as unknown as IndexedDocument;
  const library = buildAliasTable([doc('qy', '清远市大数据发展规划', '清远市人民政府'), doc('hz', '惠州市促进大数据发展实施方案', '惠州市人民政府')]);

  it('reads the place an organisation name starts with (日本政府) as a place no document is named for', () => {
    expect(understandQuery('日本政府的人工智能战略定了哪些目标', library).unknownPlaces).toEqual(['日本']);
    expect(understandQuery('清远市政府的规划怎么说', library).unknownPlaces).toEqual([]);
  });

  it('sets aside a document named after 除了 (除了清远以外，还有哪些…): not named, excluded', () => {
    const u = understandQuery('除了清远以外，还有哪些城市要建大数据交易平台？', library);
    expect(u.namedDocs).toEqual([]);
    expect(u.excludedDocs).toEqual([{ docId: 'qy', by: '清远' }]);
    expect(understandQuery('除了清远还有哪些城市要建交易平台', library).excludedDocs).toEqual([{ docId: 'qy', by: '清远' }]);
    expect(understandQuery('清远要建交易平台吗', library).excludedDocs).toBeUndefined();
    expect(understandQuery('解除清远的物业服务合同，需要办理什么手续', library).excludedDocs).toBeUndefined();
  });

  it('names a jurisdiction typed with other characters of its sound (青远, 慧州), never a verb of that sound (请愿)', () => {
    expect(understandQuery('青远的大数据规划里政务云怎么建', library).namedDocs).toEqual([{ docId: 'qy', by: '青远' }]);
    expect(understandQuery('慧州实施方案由谁牵头', library).namedDocs).toEqual([{ docId: 'hz', by: '慧州' }]);
    expect(understandQuery('群众请愿怎么处理', library).namedDocs).toEqual([]);
    const yunfu = buildAliasTable([doc('yf', '云浮市促进产业发展办法', '云浮市人民政府')]);
    expect(understandQuery('孕妇可以享受哪些补贴', yunfu).namedDocs).toEqual([]);
    expect(understandQuery('云扶的产业办法', yunfu).namedDocs).toEqual([{ docId: 'yf', by: '云扶' }]);
    expect(understandQuery('清远的规划', library).namedDocs).toEqual([{ docId: 'qy', by: '清远' }]);
  });
});

describe('words jieba does not know', () => {
  // jieba's HMM finds 养犬人 and 犬牌 outside its dictionary and tags them x (punctuation's tag): they name the subject.
  const subjects = (query: string, passages: string[]): string[] => {
    const response = { query, results: passages.map((text) => ({ text })), understanding: { terms: analyze(query), namedDocs: [], clauseRefs: [], unknownPlaces: [] }, expansions: [], scope: [] } as unknown as SearchResponse;
    return analyzeQuestion(response).terms.map((t) => t.term);
  };

  it('keeps a made-up word a retrieved passage writes, as a subject word', () => {
    const passages = ['第二十二条 养犬人携带犬只外出应当遵守下列规定：（一）为犬只挂犬牌；'];
    expect(subjects('养犬人不给狗挂犬牌怎么处罚', passages)).toEqual(expect.arrayContaining(['养犬人', '犬牌', '处罚']));
  });

  it('reads 百分之 (a fraction numeral jieba tags as an idiom) as the kind asked, not a subject word', () => {
    expect(subjects('电子病历要覆盖到百分之多少', ['电子病历覆盖率达到85%。'])).toEqual(['电子', '病历', '覆盖']);
  });

  it('leaves out a made-up word no retrieved passage writes, and one glued to a function word', () => {
    expect(subjects('养犬人不给狗挂犬牌怎么处罚', ['第一条 为了规范养犬行为，制定本条例。'])).not.toContain('犬牌');
    // 区为 (区 + the preposition 为) is in the passage too, and still names nothing.
    expect(subjects('哪个区为重点建设数据中心', ['以清新区为重点建设数据中心'])).not.toContain('区为');
  });
});

describe('a phrase the question quotes', () => {
  it('is no answer from a document that never writes it, and may be from one that does', async () => {
    const lacking = evidenceFor('那四个“用数据”是什么？', ['建立跨部门的大数据发展协同推进机制，加强统筹。']);
    expect(quotedMissLead(lacking, 0)).toBe('用数据');
    const writing = evidenceFor('那四个“用数据”是什么？', ['建立用数据说话、用数据决策、用数据管理、用数据创新的工作机制。']);
    expect(quotedMissLead(writing, 0)).toBeUndefined();
  });
});

describe('an amount per one asked (单个企业, 每家)', () => {
  it('is stated only per one of them, not as a total', () => {
    const [part] = quantityParts('单个企业最多能拿多少资助？');
    expect(part?.ask.per).toEqual(['个']);
    expect(statesQuantity('市财政连续三年、每年安排2亿元对企业进行资助。', part!.ask)).toBe(false);
    expect(statesQuantity('单个企业奖励额度累计不超过100万元。', part!.ask)).toBe(true);
    expect(statesQuantity('每家企业最高资助50万元。', part!.ask)).toBe(true);
  });
});

describe('a 吗 question of more than one clause', () => {
  it('asks its last clause of the rest: a lead without its words is no answer', async () => {
    const asked = evidenceFor('企业拿了奖励后几年内搬走了，要退钱吗？', ['对新增固定资产投资达到1000万元以上的企业，按其对地方财政贡献的40%予以奖励。']);
    expect(yesNoUnaddressed(asked, 0)).toBe('退钱');
    // One clause: the whole is asked, no part of it is the predicate.
    const whole = evidenceFor('新增投资1000万以上的企业有奖励吗？', ['对新增固定资产投资达到1000万元以上的企业，按其对地方财政贡献的40%予以奖励。']);
    expect(whole.question.yesNo).toBeUndefined();
  });
});

describe('who a yes-no question asks may', () => {
  it('is no answer from a clause that provides for someone else', async () => {
    const clause = ['对在本市带动就业达到50人以上的企业，一次性予以20万元奖励。'];
    const other = evidenceFor('行业协会这类社会组织，带动就业满50人，也能拿奖励吗？', clause);
    expect(yesNoSubjectMissed(other, 0)).toBe('行业协会');
    // A kind of what the clause provides for (外资企业 of 企业) is provided for.
    const kind = evidenceFor('外资企业带动就业满50人，可以拿奖励吗？', clause);
    expect(yesNoSubjectMissed(kind, 0)).toBeUndefined();
    const same = evidenceFor('企业带动就业满50人，能拿奖励吗？', clause);
    expect(yesNoSubjectMissed(same, 0)).toBeUndefined();
    // Not a question of whether someone may: whether a document says something is asked of the document.
    const says = evidenceFor('做产品研发的工程师，规划有没有说要奖励？', clause);
    expect(yesNoSubjectMissed(says, 0)).toBeUndefined();
  });
});

describe('a case the question sets aside', () => {
  it('is no answer from the clause providing for that very case', async () => {
    const clause = ['对入驻新区现有标准厂房和办公用房的企业，前两年予以办公场地租金补贴。'];
    const aside = evidenceFor('自己拿地盖厂房的企业（不是租现有标准厂房），有没有建设补贴？', clause);
    expect(excludedCaseLead(aside, 0)).toBe('不是租现有标准厂房');
    const asked = evidenceFor('租现有标准厂房的企业有没有租金补贴？', clause);
    expect(excludedCaseLead(asked, 0)).toBeUndefined();
    // 是不是, 属不属于 ask (A-不-A); they set nothing aside.
    const yesNo = evidenceFor('入驻现有标准厂房的企业是不是可以享受租金补贴？', clause);
    expect(excludedCaseLead(yesNo, 0)).toBeUndefined();
  });

  it('reads a place set aside as an attribute (不在…里的), not the A-不-A form 在不在', async () => {
    const clause = ['对符合条件的大数据产业园，可享受省产业转移工业园政策。'];
    const outside = evidenceFor('不在大数据产业园里的大数据企业，能享受省产业转移工业园政策吗？', clause);
    expect(excludedCaseLead(outside, 0)).toBe('不在大数据产业园里');
    const inside = evidenceFor('在大数据产业园里的大数据企业，能享受省产业转移工业园政策吗？', clause);
    expect(excludedCaseLead(inside, 0)).toBeUndefined();
    const either = evidenceFor('在不在大数据产业园里的企业都能享受省产业转移工业园政策吗？', clause);
    expect(excludedCaseLead(either, 0)).toBeUndefined();
    // A contrast after it names the place asked about: 注册地不在…但办公在…里的 is in the park.
    const contrast = evidenceFor('注册地不在大数据产业园但办公在大数据产业园里的企业，能享受省产业转移工业园政策吗？', clause);
    expect(excludedCaseLead(contrast, 0)).toBeUndefined();
  });
});

describe('a list asking which documents mention its subject', () => {
  it('is answered by a clause writing the subject as asked, not by one with its words apart', async () => {
    const { writesSubject } = await import('../../../src/retrieval/answer/decide.js');
    const { FITTED_MODEL } = await import('../../../src/retrieval/answer/fitted.js');
    const e = evidenceFor('工业互联网 哪些文件提到了', ['发展互联网和现代工业。', '推进工业互联网标识解析体系建设。']);
    expect(e.question.asksMention).toBe(true);
    expect(e.question.terms.map((t) => t.term)).not.toContain('提到');
    expect([0, 1].map((i) => writesSubject(e, i))).toEqual([false, true]);
    const decision = decideFrom(e, FITTED_MODEL);
    expect(decision.lead).toBe(1);
    expect(decision.outcome).toBe('answer');
    // Not a question of mention: what is done about it is asked, and the fitted model decides.
    expect(evidenceFor('哪些文件要求推进工业互联网', ['推进工业互联网标识解析体系建设。']).question.asksMention).toBe(false);
  });
});

describe('a question on how things stand now', () => {
  it('is not answered by an aim for a year ahead, but is by a year reached and told as done', async () => {
    const { aimForStatus } = await import('../../../src/retrieval/answer/decide.js');
    const aim = evidenceFor('我国哪些技术已经世界领先了？', ['到2030年，相关技术总体达到世界领先水平。']);
    expect(aimForStatus(aim, 0)).toBe('找到的条文是今后的目标，未找到讲现状的条文');
    const done = evidenceFor('我国哪些技术已经世界领先了？', ['到2016年底，语音识别技术已处于世界领先水平。']);
    expect(aimForStatus(done, 0)).toBeUndefined();
    // An aim asked for, or a year named, is not a question on how things stand.
    expect(aimForStatus(evidenceFor('目前定的目标是什么？', ['到2030年，相关技术总体达到世界领先水平。']), 0)).toBeUndefined();
    expect(aimForStatus(evidenceFor('现在到2030年要达到什么水平？', ['到2030年，相关技术总体达到世界领先水平。']), 0)).toBeUndefined();
    // 现在 of 体现在 is no time.
    expect(aimForStatus(evidenceFor('数字经济的成效主要体现在哪些方面？', ['到2025年，数字经济成效明显。']), 0)).toBeUndefined();
  });
});

describe('which documents mention a subject, read narrowly', () => {
  it('is not asked when negated, when content is asked too, or when a word of the subject was not kept', async () => {
    const { writesSubject } = await import('../../../src/retrieval/answer/decide.js');
    expect(evidenceFor('哪些文件提到了工业互联网', ['推进工业互联网建设。']).question.asksMention).toBe(true);
    expect(evidenceFor('哪些文件没有提到工业互联网', ['推进工业互联网建设。']).question.asksMention).toBe(false);
    expect(evidenceFor('哪些文件提到了工业互联网的标准是什么', ['推进工业互联网建设。']).question.asksMention).toBe(false);
    // 刷脸支付 (刷 cut off as a morpheme): 支付 alone is no mention of it.
    const face = evidenceFor('哪些文件提到了刷脸支付', ['拓展网上支付渠道。']);
    expect(face.question.mentionWords).toEqual(['脸支付']);
    expect(writesSubject(face, 0)).toBe(false);
    // A word analysis cut in two (区块 + 链) is asked whole: 区块 alone is no mention of 区块链.
    const chain = evidenceFor('哪些文件提到了区块链', ['推广区块链技术应用。', '划分区块管理。']);
    expect(chain.question.asksMention).toBe(true);
    expect(chain.question.mentionWords).toEqual(['区块链']);
    expect([0, 1].map((i) => writesSubject(chain, i))).toEqual([true, false]);
  });
});
