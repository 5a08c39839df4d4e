/**
 * MCP prompt `answer_with_citations`: answer a policy question from the knowledge base only,
 * quoting the original wording and citing each clause; weak matches are not answers, and what was
 * not retrieved is said to be so (未检索到相关条文), never stated as absent.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { userPrompt } from '../context.js';

export function registerAnswerWithCitations(server: McpServer): void {
  server.registerPrompt(
    'answer_with_citations',
    {
      title: 'Answer with citations',
      description: 'Answer a policy question from the knowledge base only, quoting the original wording and citing each clause.',
      argsSchema: { question: z.string().describe('The question, in Chinese') },
    },
    ({ question }) =>
      userPrompt(
        `请只依据 policy-kb 知识库回答下面的问题。\n问题：${question}\n\n` +
          '步骤：1. 先用 ask 工具提问，看它的 outcome：answer 表示有条文直接回答（[1] 为依据）；related 表示检索到相关条文但没有条文直接规定所问内容（missing 说明缺什么）；' +
          'not_found 表示未检索到相关条文；2. 必要时用 search 工具换关键词再检索，用 get_passage 读取条文全文；' +
          '3. 回答时引用条文原文，每处引用标注 [passage_id] 以及文件标题和条款（如《云浮市促进云计算大数据产业发展优惠办法(试行)》第十条）；' +
          '4. outcome 为 related 时，说明检索到的条文只与问题相关、没有直接规定所问内容，并写明缺少什么，不要把它们当作答案；' +
          'outcome 为 not_found、或检索结果 abstained 为 true、标为 low_confidence 时，说明“知识库中未检索到相关条文”，这不等于没有此类规定；不要用低置信度结果作答，也不要编造。',
      ),
  );
}
