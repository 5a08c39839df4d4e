/**
 * What an answer is, whatever the fitted weights say: a question that asks for a kind of fact (an amount, a
 * date, a place…) is not answered by a clause that states none, and a purpose, notice or task-division line
 * (责任单位：…) never leads an answer unless the question asks who is responsible.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { isAnnotation, passageSentences } from '../../../src/retrieval/answer/candidates.js';
import { relatedHead } from '../../../src/retrieval/answer.js';
import type { KnowledgeService } from '../../../src/retrieval/service.js';
import { realKnowledgeBase, type OpenedSnapshot } from '../../helpers.js';

let opened: OpenedSnapshot;
let service: KnowledgeService;
beforeAll(async () => {
  opened = await realKnowledgeBase();
  service = opened.service;
});

describe('task-division annotations', () => {
  it('are told from sentences that mention a responsible unit', () => {
    for (const line of ['--责任单位:市经信局,市发改局、各电信运营商、铁塔公司(列在首位的为牵头单位,下同)', '9.(责任单位:市科技创新委)', '(市经济和信息化局及各有关单位负责)', '（牵头单位：市发展改革委；配合单位：市财政局）']) {
      expect(isAnnotation(line), line).toBe(true);
    }
    for (const line of ['加强规划任务分解,明确责任单位和进度安排,制定年度和阶段性实施计划。', '市财政局负责资金保障。', '对已运营的云计算大数据企业,将予以大工业电价优惠和网络带宽等方面的政策支持。']) {
      expect(isAnnotation(line), line).toBe(false);
    }
  });

  it('are found in the real corpus (深圳 and 东莞 mark every task with one)', () => {
    for (const docId of ['shenzhen', 'dongguan']) {
      const body = opened.kb.documents.get(docId)?.body ?? '';
      const marked = passageSentences(opened.kb, docId, 0, body.length).filter((s) => s.annotation);
      expect(marked.length, docId).toBeGreaterThan(5);
      expect(marked.every((s) => /责任单位|牵头单位|负责/u.test(s.text)), docId).toBe(true);
    }
  });

  it('do not lead an answer about what a plan supports', async () => {
    const { answer } = await service.ask('深圳打算怎么推动政府部门的数据共享？');
    expect(answer.citations[0]?.quote ?? '').not.toMatch(/^[\s(（\-—]*(?:[0-9]+[.、])?[（(]?责任单位/u);
  });
});

describe('a question asking for a figure', () => {
  it('is not answered by a clause that states no figure: related, naming the figure as missing', async () => {
    // 云浮 第六条 grants 大工业电价优惠 but states no price: how much cheaper is not in the library.
    const { answer } = await service.ask('云浮的大工业电价优惠，每千瓦时能便宜多少钱？');
    expect(answer.outcome).not.toBe('answer');
    expect(answer.abstained).toBe(true);
  });

  it('is answered where the clause states it', async () => {
    const { answer } = await service.ask('东莞到2020年大数据产业规模力争达到多少亿元？');
    expect(answer.outcome).toBe('answer');
    expect(answer.citations[0]?.quote).toMatch(/800亿元/u);
  });
});

describe('the head of a related answer (CLI and MCP)', () => {
  it('says what is missing once, without 缺少：未找到…', () => {
    expect(relatedHead('未找到规定补贴金额的条文')).toBe('【相关条文，不构成答案】：未找到规定补贴金额的条文');
    expect(relatedHead('《东莞市大数据发展规划》的效力状态')).toBe('【相关条文，不构成答案】：缺少《东莞市大数据发展规划》的效力状态');
    // A finding worded as a sentence that says what was not found is shown as it is.
    expect(relatedHead('找到的条文规定的是问题所排除的情形（不在产业园里），未找到问题所问情形的规定')).toBe('【相关条文，不构成答案】：找到的条文规定的是问题所排除的情形（不在产业园里），未找到问题所问情形的规定');
    expect(relatedHead(undefined)).toBe('【相关条文，不构成答案】');
  });
});

describe('what a related answer says is missing', () => {
  it('names subject words only, never a modal or verb of the question (不能, 需要); a yes-no question names what it asks', async () => {
    // Every noun of it is in 东莞's plan (公共免费WIFI); what is not is the modal and the verb asked (关掉): the
    // yes-no question's predicate is named as missing (yesNoUnaddressed), the modal never.
    const { answer } = await service.ask('东莞的公共免费WIFI能不能关掉？');
    expect(answer.outcome).toBe('related');
    expect(answer.missing).toBe('未找到提到“关掉”的条文');
    const other = await service.ask('云浮 大工业电价优惠 申请 需要哪些材料');
    expect(other.answer.missing ?? '').not.toMatch(/需要/u);
  });
});
