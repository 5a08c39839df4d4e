/**
 * MCP tool `ask`: the extractive answer with [n] markers and its citations, presented as HTTP
 * presents them (validity as an object, page, clause path, the whole clause with the answering
 * sentence as highlight…), and its outcome: answer, related (with what is missing) or not_found.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { relatedHead, type Answer } from '../../../src/retrieval/answer.js';
import { highlightInQuote } from '../../../src/retrieval/answer/units.js';
import { presentCitation, type CitationView } from '../../../src/retrieval/presenter.js';
import { citationSchema, guarded, okView, READ_ONLY, spanLine, type ToolContext } from '../context.js';

const DESCRIPTION =
  'Answer a question in Chinese from the policy documents: the answering sentences, each followed by [n], and the citation list ' +
  '(document, clause, page, validity, the whole clause quoted verbatim with the answering sentence as highlight, offsets). ' +
  'outcome says what the answer is: "answer" — a clause states what was asked (citation [1] leads); ' +
  '"related" — clauses on the topic were found but none states what was asked (missing names what is missing; do not present them as the answer); ' +
  '"not_found" — nothing on the topic was retrieved, or nothing from the place or document named. ' +
  'not_found and related describe what was retrieved, not proof that no such provision exists: say "未检索到相关条文", never "没有规定". ' +
  'abstained = outcome !== "answer" (kept for older clients). Questions about a document itself (还有效吗, 文号, 施行日期, 发文机关) are answered from its facts, ' +
  'citing the clause that states them, or with fact.source "metadata" when only the document\'s metadata does.';

/** The text content: the outcome when it is not an answer, the answer, then each citation with its validity and quote. */
export function askText(answer: Pick<Answer, 'answer' | 'outcome' | 'missing'>, citations: readonly CitationView[]): string {
  const head = answer.outcome === 'related' ? [relatedHead(answer.missing)] : [];
  const lines = citations.map((c) => {
    const said = c.quote !== '' ? `“${c.quote}”` : c.fact ? `${c.fact.value}（${c.fact.note ?? '取自文件元数据'}）` : '';
    const at = c.highlight && (c.highlight.start > c.start || c.highlight.end < c.end) ? highlightInQuote(c) : undefined;
    const sentence = at ? c.quote.slice(at.start, at.end) : undefined;
    return `[${c.n}] ${spanLine({ ...c, clause: c.clausePath ?? c.clause })} [${c.passageId}]${c.lowConfidence ? '（低置信度）' : ''}\n${said}${sentence ? `\n（答句：“${sentence}”）` : ''}`;
  });
  return [...head, answer.answer, '', ...lines].join('\n');
}

export function registerAsk(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'ask',
    {
      title: 'Answer with citations',
      description: DESCRIPTION,
      inputSchema: { question: z.string().describe('The question, in Chinese (1–2000 characters)') },
      outputSchema: {
        answer: z.string(),
        citations: z.array(citationSchema),
        outcome: z.enum(['answer', 'related', 'not_found']).describe('answer: a clause states it; related: clauses on the topic, none states it; not_found: nothing on the topic retrieved'),
        missing: z.string().optional().describe('For outcome related: what no retrieved clause states'),
        abstained: z.boolean().describe('outcome !== "answer" (kept for compatibility)'),
        confidence: z.number(),
      },
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
        const text = askText(answer, citations);
        return okView({ answer: answer.answer, citations, outcome: answer.outcome, ...(answer.missing ? { missing: answer.missing } : {}), abstained: answer.abstained, confidence: answer.confidence }, text);
      }),
  );
}
