/**
 * The MCP server: search and cite policy clauses. `createMcpServer(deps)` returns an unstarted
 * McpServer; stdio and Streamable HTTP entry points connect it to a transport. Each tool, resource
 * and prompt lives in its own file; every view comes from src/retrieval/presenter.ts, as over HTTP.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { isoToday } from '../../src/retrieval/presenter.js';
import type { KnowledgeService } from '../../src/retrieval/service.js';
import { ERROR_CODES, KbError } from '../../src/shared/errors.js';
import { silentLogger, type Logger } from '../../src/shared/logger.js';
import type { ToolContext } from './context.js';
import { registerAnswerWithCitations } from './prompts/answer-with-citations.js';
import { registerDraftWithCitations } from './prompts/draft-with-citations.js';
import { registerResources } from './resources.js';
import { registerTools } from './tools/index.js';

export { RESOURCE_NOT_FOUND } from './resources.js';

export interface McpDeps {
  /** The live knowledge service (swapped on index reload); undefined while loading. */
  getService(): KnowledgeService | undefined;
  logger?: Logger;
  version?: string;
  /** The date validity is judged on, YYYY-MM-DD (default: isoToday(), the server's calendar day). */
  today?: () => string;
}

export const MCP_INSTRUCTIONS = `This server searches a knowledge base of Chinese government policy documents (national and city plans, incentive rules) and returns the exact clauses with citations.
How to use it:
- Call \`search\` with the user's question in Chinese (e.g. "云浮对数据中心有什么电费补贴"); it returns passages with passage_id, document title, issuer and the clause path. Results marked low_confidence (or abstained: true) are NOT answers: say the knowledge base has no provision on this.
- Call \`get_passage\` to read the full clause text before quoting; use neighbors to read the surrounding clauses.
- Call \`ask\` for a ready extractive answer with numbered citations.
- Use \`list_documents\` and \`get_outline\` to browse; read whole documents as resources policy://doc/{doc_id}.
How to cite: quote the original wording verbatim and cite as [passage_id] together with the document title and clause, e.g. “对已运营的云计算大数据企业，将予以大工业电价优惠…” [yunfu-…]《云浮市促进云计算大数据产业发展优惠办法(试行)》第六条. Never present a low-confidence match as the answer.`;

export function createMcpServer(deps: McpDeps): McpServer {
  const server = new McpServer({ name: 'policy-kb', version: deps.version ?? '0.1.0' }, { instructions: MCP_INSTRUCTIONS, capabilities: { logging: {} } });
  const ctx: ToolContext = {
    service() {
      const s = deps.getService();
      if (!s) throw new KbError(ERROR_CODES.INDEX_MISSING, 'the knowledge base is still loading; try again in a few seconds');
      return s;
    },
    logger: deps.logger ?? silentLogger,
    today: deps.today ?? (() => isoToday()),
  };
  registerTools(server, ctx);
  registerResources(server, ctx, () => deps.getService());
  registerAnswerWithCitations(server);
  registerDraftWithCitations(server);
  return server;
}
