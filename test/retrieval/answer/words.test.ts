import { describe, expect, it } from 'vitest';
import { framesQuestion, genreWordsNotNamed, isInterrogative, isSubjectTag, listScope, questionFrames, tagWords, termWeight, UNKNOWN_WORD_IDF } from '../../../src/retrieval/answer/words.js';

describe('termWeight', () => {
  it('is jieba’s general-text IDF: a rarer word weighs more, whatever the library holds', () => {
    expect(termWeight('电费')).toBeGreaterThan(termWeight('补贴'));
    expect(termWeight('补贴')).toBeGreaterThan(termWeight('管理'));
    // The same value every time: a fixed table, not a count over the index.
    expect(termWeight('数据中心')).toBe(termWeight('数据中心'));
  });

  it('weighs a word the table lacks as its most specific dictionary part, else as an unknown word', () => {
    expect(termWeight('落户奖励')).toBeCloseTo(Math.max(termWeight('落户'), termWeight('奖励')), 6);
    expect(termWeight('超算')).toBe(UNKNOWN_WORD_IDF);
  });
});

describe('isInterrogative', () => {
  it('knows the interrogative pronouns, degree questions and yes-no forms of Chinese grammar', () => {
    for (const w of ['什么', '哪些', '哪几种', '怎样才能', '谁', '几毛钱', '多少', '多长时间', '多大', '何时', '是否', '有没有', '能不能', '啥', '啥时候', '咋办', '干嘛', '干吗']) expect(isInterrogative(w), w).toBe(true);
    for (const w of ['补贴', '默认', '数据中心', '多元', '大多']) expect(isInterrogative(w), w).toBe(false);
  });
});

describe('framesQuestion', () => {
  it('takes interrogatives, negations, closed-class words, a pronoun with its measure and the scope nouns as shaping a question', () => {
    for (const w of ['哪几种', '怎样才能', '多长时间', '没有', '这些', '各地', '还是', '关于', '这类', '各是', '这一', '里', '城市', '文件', '份文件']) expect(framesQuestion(w), w).toBe(true);
  });

  it('leaves open-class words as subject words, even where jieba tags them as adverbs, numerals, locatives or time words', () => {
    for (const w of ['补贴', '数据中心', '比例', '措施', '规定', '计划', '遛狗', '一次性', '二手', '周边', '夜间', '春节', '初中', '']) expect(framesQuestion(w), w).toBe(false);
  });
});

describe('questionFrames', () => {
  it('holds the parts search-mode cutting yields of an interrogative word (一年 of 哪一年), nothing else', () => {
    expect(questionFrames('哪一年开始实施').has('一年')).toBe(true);
    expect(questionFrames('这份文件里讲了哪几种模式').has('几种')).toBe(true);
    expect(questionFrames('遛狗不拴绳罚款多少').size).toBe(0);
  });
});

describe('genreWordsNotNamed', () => {
  it('takes a document-kind word written as a verb, not one after 的 or a demonstrative or before 里', () => {
    expect([...genreWordsNotNamed('计划在2030年达到什么目标')]).toEqual(['计划']);
    expect([...genreWordsNotNamed('这部条例怎么规定的')]).toEqual(['规定']);
    expect(genreWordsNotNamed('国务院那个规划里怎么说').size).toBe(0);
    expect(genreWordsNotNamed('国务院的计划里2030年的目标').size).toBe(0);
    // Where a name was taken out (东莞规划专栏5-13 → " 规划专栏5-13"), the word after it names the document.
    expect(genreWordsNotNamed(' 规划专栏5-13税务管理项目').size).toBe(0);
  });
});

describe('isSubjectTag', () => {
  it('takes nouns, verbs, adjectives and names as subject words, not pronouns, numerals or particles', () => {
    const tags = Object.fromEntries(tagWords('云浮对新落户的数据中心有什么电费补贴').map((t) => [t.word, t.tag]));
    expect(isSubjectTag(tags['数据中心'] as string)).toBe(true);
    expect(isSubjectTag(tags['落户'] as string)).toBe(true);
    expect(isSubjectTag(tags['什么'] as string)).toBe(false);
    expect(isSubjectTag(tags['的'] as string)).toBe(false);
  });
});

describe('listScope', () => {
  it('reads 哪些城市, 哪几个地市, 各市, 各地 as a scope of local governments’ documents', () => {
    expect(listScope('哪些城市要推广企业专属网页?')).toEqual({ kind: 'local', words: ['城市'] });
    expect(listScope('哪几个城市设立了投资基金')).toEqual({ kind: 'local', words: ['城市'] });
    expect(listScope('哪些地市有数据中心补贴')?.kind).toBe('local');
    expect(listScope('各市对数据中心的支持政策有什么不同')).toEqual({ kind: 'local', words: ['各市', '市'] });
    expect(listScope('各地对燃气有什么规定')?.kind).toBe('local');
  });

  it('reads 哪些文件 as a scope of documents, and 有什么规定 as no scope', () => {
    expect(listScope('哪些文件里明确写了PPP模式?')).toEqual({ kind: 'documents', words: ['文件'] });
    expect(listScope('云浮有什么电费补贴')).toBeUndefined();
    expect(listScope('燃气条例有什么规定')).toBeUndefined();
  });

  it('reads the kind of documents named after the scope (的大数据文件, 的规划) as words their titles hold', () => {
    expect(listScope('哪些城市的大数据文件讲到了人工智能')).toEqual({ kind: 'local', words: ['城市'], titled: [['大数据']] });
    expect(listScope('各市大数据文件里说的一站式服务')?.titled).toEqual([['大数据']]);
    // A 规划 asked for is answered by a 行动计划 or 实施方案 too; a 条例 by a 办法.
    expect(listScope('公交数据怎么用，哪些城市的规划里讲到了')?.titled).toEqual([['规划', '计划', '方案', '纲要', '要点']]);
    expect(listScope('哪些省的人工智能规划提到了机器人')?.titled).toEqual([['人工智能'], ['规划', '计划', '方案', '纲要', '要点']]);
    expect(listScope('哪些地方的条例规定了养犬')?.titled).toEqual([['条例', '规定', '办法', '细则']]);
    // 计划 without 的 is a verb; 哪些文件 names no kind.
    expect(listScope('哪些城市计划在公共场所普及无线上网')).toEqual({ kind: 'local', words: ['城市'] });
    expect(listScope('哪些文件提出要建专利池')).toEqual({ kind: 'documents', words: ['文件'] });
  });
});
