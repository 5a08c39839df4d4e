/**
 * MCP prompt `draft_with_citations`: draft a passage of a policy text from the knowledge base,
 * every statement backed by a clause cited in the drafters' form 《标题》（文号）第X条; a document from
 * which nothing was retrieved is said to be so (未检索到相关条文), never to have no provision.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { userPrompt } from '../context.js';

export function registerDraftWithCitations(server: McpServer): void {
  server.registerPrompt(
    'draft_with_citations',
    {
      title: 'Draft with citations',
      description: 'Draft policy text on a topic, comparing what the documents in the knowledge base provide and citing each clause as 《标题》（文号）第X条.',
      argsSchema: {
        topic: z.string().min(1).max(2000).describe('What to draft, in Chinese (e.g. 数据中心电费补贴条款)'),
        doc_ids: z.string().max(1000).optional().describe('Comma-separated docIds to compare (default: all)'),
      },
    },
    ({ topic, doc_ids }) =>
      userPrompt(
        `请依据 policy-kb 知识库为以下主题起草条文：${topic}\n` +
          `${doc_ids ? `比较范围：${doc_ids}\n` : ''}\n` +
          '步骤：1. 用 compare_provisions 工具比较各文件对该主题的规定。没有引文的行（retrieved 为 false）只表示未检索到该文件的相关条文，' +
          '不表示该文件没有规定：不要写“某文件未规定…”或“未作规定”；需要说明时写“未检索到某文件的相关条文”，' +
          '或先用 search（doc_ids 限定该文件）、get_outline 核对，确有依据再下结论；' +
          '2. 必要时用 get_passage 读取条文全文及其 references（条文中“依照本办法第十条”等引用的条款）；' +
          '3. 起草时每一句都注明出处，格式为《标题》（文号）第X条（条号不带章），引用原文须逐字一致；' +
          '4. 对已失效、已废止或尚未施行的文件（validity.status 为 expired、repealed、not_yet），在引用处注明其效力状态（已失效、已废止、尚未施行）；' +
          '5. 检索不到依据的内容不要编造，标注“知识库中未检索到相关条文”。',
      ),
  );
}
