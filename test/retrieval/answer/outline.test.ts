import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/corpus/parser.js';
import { answerOutline, outlineQuestion } from '../../../src/retrieval/answer/outline.js';

const MEASURES = ['某市促进产业发展实施方案', '一、总体要求', '坚持创新引领。', '二、保障措施', '（一）加强组织领导', '成立工作专班。', '（二）加大资金投入', '设立专项资金。', '（三）强化人才支撑', '引进高层次人才。', ''].join('\n');
const RULES = ['某市数据条例', '第一章 总则', '第一条 为了促进数据利用，制定本条例。', '第二条 本条例适用于本市行政区域。', '第二章 数据利用', '第三条 市人民政府统筹数据利用工作。', '第三章 附则', '第四条 本条例自2025年1月1日起施行。', ''].join('\n');

const answer = (question: string, body: string): string[] | undefined => {
  const ask = outlineQuestion(question);
  return ask ? answerOutline(ask, body.split('\n')[0] as string, parsePolicy(body), body)?.map((l) => l.text) : undefined;
};

describe('outline questions', () => {
  it('lists and counts the parts of a section the question names, citing its opening', () => {
    const ask = outlineQuestion('某市实施方案的保障措施一共有几条，都是什么？');
    expect(ask).toMatchObject({ count: true, list: true, structural: true });
    expect(ask?.phrases).toContain('保障措施');
    const tree = parsePolicy(MEASURES);
    const lines = answerOutline(ask!, '某市促进产业发展实施方案', tree, MEASURES);
    expect(lines?.[0]?.text).toBe('《某市促进产业发展实施方案》二、“保障措施”共三项：（一）加强组织领导；（二）加大资金投入；（三）强化人才支撑。');
    expect(MEASURES.slice(lines?.[0]?.span?.start, lines?.[0]?.span?.end)).toContain('二、保障措施');
    // Without a word of structure, only a heading that is exactly the words named.
    expect(answer('某市的保障措施有哪些', MEASURES)?.[0]).toContain('共三项');
    expect(answer('某市的资金投入有哪些', MEASURES)).toBeUndefined();
    expect(answer('某市一共分几项最后一项是什么', MEASURES)).toBeUndefined();
  });

  it('counts the items numbered on across a section\'s parts, and only those', () => {
    const onward = ['某市行动计划', '一、主要任务', '（一）夯实基础', '1.建设数据中心。', '2.建设网络。', '（二）推动应用', '3.发展政务应用。', '4.发展民生应用。', '5.培育产业。', ''].join('\n');
    expect(answer('主要任务一共编了多少项', onward)).toEqual(['《某市行动计划》一、“主要任务”共两项：（一）夯实基础；（二）推动应用。', '其下各项连续编号，共五项（1.建设数据中心至5.培育产业）。']);
    // Numbered afresh under each part: no count across them.
    const afresh = onward.replace('3.发展政务应用', '1.发展政务应用').replace('4.发展民生应用', '2.发展民生应用').replace('5.培育产业', '3.培育产业');
    expect(answer('主要任务一共编了多少项', afresh)).toEqual(['《某市行动计划》一、“主要任务”共两项：（一）夯实基础；（二）推动应用。']);
  });

  it('counts articles and chapters, names the last article with its text, and the chapter a section is', () => {
    expect(answer('这个条例一共多少条？最后一条讲的什么', RULES)).toEqual(['《某市数据条例》共四条（第一条至第四条，分三章）。', '最后一条是第四条：本条例自2025年1月1日起施行。']);
    expect(answer('这个条例一共分几章？附则是第几章', RULES)).toEqual(['《某市数据条例》的“附则”是第三章。', '《某市数据条例》共三章：第一章 总则；第二章 数据利用；第三章 附则。']);
    expect(answer('这个方案一共分了几个部分', MEASURES)).toEqual(['《某市促进产业发展实施方案》共两个部分：一、总体要求；二、保障措施。']);
  });

  it('reads a section named by its label or heading after the document’s name, and an ordinal alone', () => {
    expect(answer('这个条例第二章一共有几条', RULES)).toEqual(['《某市数据条例》第二章“数据利用”共一条：第三条。']);
    expect(answer('某市数据条例总则一共有几条', RULES)).toEqual(['《某市数据条例》第一章“总则”共两条：第一条；第二条。']);
    expect(answer('某市数据条例的附则是第几章', RULES)).toEqual(['《某市数据条例》的“附则”是第三章。']);
    expect(answer('这个条例最后一条是什么', RULES)).toEqual(['最后一条是第四条：本条例自2025年1月1日起施行。']);
    // The last one in the unit asked (条), not in the unit counted (章).
    expect(answer('这个条例一共分几章？最后一条是啥', RULES)).toEqual(['《某市数据条例》共三章：第一章 总则；第二章 数据利用；第三章 附则。', '最后一条是第四条：本条例自2025年1月1日起施行。']);
  });

  it('counts the whole document only when the words before the count name the document alone', () => {
    // 某市对数据利用的扶持 names a topic, not the document: no count of its articles.
    expect(answer('某市对人才的扶持一共有多少条', RULES)).toBeUndefined();
    expect(answer('某市数据条例一共多少条', RULES)?.[0]).toBe('《某市数据条例》共四条（第一条至第四条，分三章）。');
  });

  it('does not count an annex’s articles or a section’s 专栏 as its parts', () => {
    const withAnnex = ['某市补贴办法', '第一条 为了规范补贴，制定本办法。', '第二条 本办法自发布之日起施行。', '附件：实施细则', '第一条 细则一。', '第二条 细则二。', '第三条 细则三。', ''].join('\n');
    expect(answer('这个办法一共多少条', withAnnex)?.[0]).toBe('《某市补贴办法》共两条（第一条至第二条）。');
    const mixed = ['某市数据规划', '一、总体要求', '坚持创新引领。', '二、主要任务', '（一）夯实基础', '建设平台。', '专栏1 数据中心工程', '建设数据中心。', '（二）发展应用', '推进应用。', '专栏2 应用示范工程', '开展示范。', ''].join('\n');
    expect(answer('这个规划的主要任务一共有几项', mixed)?.[0]).toBe('《某市数据规划》二、“主要任务”共两项：（一）夯实基础；（二）发展应用。');
  });

  it('is no outline question without a count, list or ordinal of structure, nor one the document cannot answer', () => {
    expect(outlineQuestion('这个条例什么时候施行')).toBeUndefined();
    expect(outlineQuestion('数据中心一共补贴多少钱')?.unit).toBeUndefined();
    // A count of things, not of the document's parts: no section or unit, no answer.
    expect(answer('某市一共要建多少个数据中心', RULES)).toBeUndefined();
    expect(answer('某市一共有多少个奖励项目', RULES)).toBeUndefined();
    // 条 counted in a document with no articles.
    expect(answer('这个方案一共多少条', MEASURES)).toBeUndefined();
  });
});
