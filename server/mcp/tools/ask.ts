/**
 * MCP tool `ask`: the extractive answer with [n] markers and its citations, presented as HTTP
 * presents them (validity as an object, page, clause path…).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { presentCitation } from '../../../src/retrieval/presenter.js';
import { citationSchema, guarded, okView, READ_ONLY, spanLine, type ToolContext } from '../context.js';

export function registerAsk(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'ask',
    {
      title: 'Answer with citations',
      description: 'An extractive answer in Chinese built from the best-supported sentences, each followed by [n], with the citation list (document, clause, page, validity, verbatim quote and offsets). abstained: true means the knowledge base has no provision on this.',
      inputSchema: { question: z.string().describe('The question, in Chinese (1–2000 characters)') },
      outputSchema: { answer: z.string(), citations: z.array(citationSchema), abstained: z.boolean(), confidence: z.number() },
      annotations: { title: 'Answer with citations', ...READ_ONLY },
    },
    async ({ question }) =>
      guarded(ctx, 'ask', async () => {
        const svc = ctx.service();
        const { answer } = await svc.ask(question);
        const today = ctx.today();
        // low_confidence is always stated here (the MCP contract), where HTTP leaves it out when false.
        const docs = await svc.catalog();
        const citations = answer.citations.map((c) => ({ ...presentCitation(docs, c, today), lowConfidence: c.lowConfidence === true }));
        const text = [answer.answer, '', ...citations.map((c) => `[${c.n}] ${spanLine({ ...c, clause: c.clausePath ?? c.clause })} [${c.passageId}]${c.lowConfidence ? '（低置信度）' : ''}\n“${c.quote}”`)].join('\n');
        return okView({ answer: answer.answer, citations, abstained: answer.abstained, confidence: answer.confidence }, text);
      }),
  );
}
