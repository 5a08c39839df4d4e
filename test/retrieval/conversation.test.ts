import { describe, expect, it } from 'vitest';
import { carriedNote, resolveFollowUp, type ChatTurn } from '../../src/retrieval/conversation.js';
import { buildAliasTable } from '../../src/retrieval/query.js';

const meta = (docId: string, title: string, issuer: string) => ({ meta: { docId, title, issuer } as never });
const aliases = buildAliasTable([
  meta('noise', '内蒙古自治区噪声污染防治条例', '内蒙古自治区人民代表大会常务委员会'),
  meta('dv', '内蒙古自治区反家庭暴力条例', '内蒙古自治区人民代表大会常务委员会'),
  meta('yunfu', '云浮市促进云计算大数据产业发展优惠办法(试行)', '云浮市人民政府'),
  meta('shenzhen', '深圳市促进大数据发展行动计划(2016—2018年)', '深圳市人民政府'),
]);

const chat = (...texts: string[]): ChatTurn[] => texts.map((content, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content }));
const NOISE_ANSWER = '《内蒙古自治区噪声污染防治条例》第二十六条：在公共场所组织或者开展娱乐、健身等活动，应当遵守公共场所管理者有关活动区域、时段、音量等规定[1]';

describe('resolveFollowUp', () => {
  it('keeps "那违反了怎么处罚" in the regulation the conversation is about, and says which', () => {
    const r = resolveFollowUp(chat('内蒙古噪声污染防治条例对广场舞音量有什么要求？', NOISE_ANSWER, '那违反了会怎么处罚？'), aliases);
    expect(r).toEqual({ question: '《内蒙古自治区噪声污染防治条例》违反了会怎么处罚？', rewritten: true, carried: { docId: 'noise', title: '内蒙古自治区噪声污染防治条例' } });
    expect(carriedNote(r.carried as { title: string })).toBe('（沿用上文：《内蒙古自治区噪声污染防治条例》）');
  });

  it('carries the document the last answer cited when the question named none', () => {
    const r = resolveFollowUp(chat('广场舞的音量有什么要求？', NOISE_ANSWER, '那罚款多少？'), aliases);
    expect(r.carried?.docId).toBe('noise');
    expect(resolveFollowUp(chat('广场舞的音量有什么要求？', NOISE_ANSWER, '那违反本条例规定的怎么处罚？'), aliases).carried?.docId).toBe('noise');
  });

  it('carries the document into a question about the document itself and into a clause request', () => {
    expect(resolveFollowUp(chat('云浮对数据中心有什么电费补贴？', '《云浮市促进云计算大数据产业发展优惠办法(试行)》第六条：对已运营…[1]', '文号是多少？'), aliases).question).toBe('《云浮市促进云计算大数据产业发展优惠办法(试行)》文号是多少？');
    expect(resolveFollowUp(chat('云浮对数据中心有什么电费补贴？', '《云浮市促进云计算大数据产业发展优惠办法(试行)》第六条：对已运营…[1]', '把第十条原文给我'), aliases).carried?.docId).toBe('yunfu');
  });

  it('still retargets "那深圳呢？" to the place it names', () => {
    const r = resolveFollowUp(chat('云浮对新落户的数据中心有什么电费补贴？', '《云浮市促进云计算大数据产业发展优惠办法(试行)》第六条：…[1]', '那深圳呢？'), aliases);
    expect(r).toEqual({ question: '深圳对新落户的数据中心有什么电费补贴？', rewritten: true });
  });

  it('leaves a new question alone: one that names its own document, a list question, one that does not go on', () => {
    const before = chat('内蒙古噪声污染防治条例对广场舞音量有什么要求？', NOISE_ANSWER);
    expect(resolveFollowUp([...before, { role: 'user', content: '那反家庭暴力条例怎么处罚？' }], aliases).carried).toBeUndefined();
    expect(resolveFollowUp([...before, { role: 'user', content: '那哪些城市设立了大数据投资基金？' }], aliases).rewritten).toBe(false);
    expect(resolveFollowUp([...before, { role: 'user', content: '数据中心电费补贴有哪些？' }], aliases).rewritten).toBe(false);
  });

  it('carries nothing from an answer that found nothing', () => {
    const r = resolveFollowUp(chat('上海对数据中心有什么补贴？', '知识库中未找到相关规定。知识库中没有上海的相关文件。\n以下条文最接近…：[1]《云浮市促进云计算大数据产业发展优惠办法(试行)》第六条', '那违反了怎么处罚？'), aliases);
    expect(r.rewritten).toBe(false);
  });

  it('carries only a clause label from the cited line, not the words of a fact answer', () => {
    const r = resolveFollowUp(chat('云浮优惠办法还有效吗？', '《云浮市促进云计算大数据产业发展优惠办法(试行)》已失效：自2017年7月1日起施行[1]', '这个办法的文号是多少？'), aliases);
    expect(r.question).toBe('《云浮市促进云计算大数据产业发展优惠办法(试行)》文号是多少？');
  });
});
