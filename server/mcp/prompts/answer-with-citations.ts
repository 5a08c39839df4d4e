/**
 * MCP prompt `answer_with_citations`: answer a policy question from the knowledge base only,
 * quoting the original wording and citing each clause; weak matches are not answers.
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
          '步骤：1. 用 search 工具检索（必要时换关键词再检索）；2. 用 get_passage 读取相关条文全文；' +
          '3. 回答时引用条文原文，每处引用标注 [passage_id] 以及文件标题和条款（如《云浮市促进云计算大数据产业发展优惠办法(试行)》第十条）；' +
          '4. 如果检索结果 abstained 为 true 或标为 low_confidence，直接说明“知识库中未找到相关规定”，不要用低置信度结果作答，也不要编造。',
      ),
  );
}
