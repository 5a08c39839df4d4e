/**
 * MCP tool `compare_provisions`: what each document says on one topic, one row per document
 * (empty `citations` where a document says nothing), with a Markdown table for drafting.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { compareProvisions, comparisonMarkdown, drafterCitation } from '../../../src/retrieval/compare.js';
import { MAX_QUERY_CHARS } from '../../../src/retrieval/search.js';
import type { KnowledgeService } from '../../../src/retrieval/service.js';
import { describeError, isKbError } from '../../../src/shared/errors.js';
import type { Logger } from '../../../src/shared/logger.js';

const validitySchema = z.object({ status: z.string(), effective_from: z.string().optional(), effective_to: z.string().optional(), basis: z.string() });
const rowCitationSchema = z.object({
  n: z.number().int(),
  passage_id: z.string(),
  clause: z.string(),
  citation: z.string().describe('drafters\' form: 《标题》（文号）第X条'),
  quote: z.string(),
  start: z.number().int(),
  end: z.number().int(),
});
const rowSchema = z.object({ doc_id: z.string(), title: z.string(), issuer: z.string(), validity: validitySchema, citations: z.array(rowCitationSchema) });

export function registerCompareProvisions(server: McpServer, service: () => KnowledgeService, logger: Logger): void {
  server.registerTool(
    'compare_provisions',
    {
      title: 'Compare provisions across documents',
      description:
        'What each policy document says on one topic (e.g. "电费补贴", "大数据产业投资基金"): one row per document with verbatim quotes and citations in the drafters\' form 《标题》（文号）第X条; a row with no citations means the document says nothing on the topic. Also returns the comparison as a Markdown table.',
      inputSchema: {
        topic: z.string().min(1).max(MAX_QUERY_CHARS).describe('The topic, in Chinese (a few words)'),
        doc_ids: z.array(z.string().min(1).max(100)).min(1).max(50).optional().describe('Documents to compare (default: all; see list_documents)'),
      },
      outputSchema: { topic: z.string(), rows: z.array(rowSchema), markdown: z.string() },
      annotations: { title: 'Compare provisions', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ topic, doc_ids }): Promise<CallToolResult> => {
      try {
        const svc = service();
        const c = await compareProvisions(svc.kb, svc.searcher, topic, doc_ids ? { docIds: doc_ids } : {});
        const rows = c.rows.map((r) => ({
          doc_id: r.docId,
          title: r.title,
          issuer: r.issuer,
          validity: { status: r.validity.status, ...(r.validity.effectiveFrom ? { effective_from: r.validity.effectiveFrom } : {}), ...(r.validity.effectiveTo ? { effective_to: r.validity.effectiveTo } : {}), basis: r.validity.basis },
          citations: r.citations.map((x) => ({ n: x.n, passage_id: x.passageId, clause: x.clausePath ?? x.clause, citation: drafterCitation(x), quote: x.quote, start: x.start, end: x.end })),
        }));
        const markdown = comparisonMarkdown(c);
        return { structuredContent: { topic: c.topic, rows, markdown }, content: [{ type: 'text', text: markdown }] };
      } catch (error) {
        if (isKbError(error)) return { isError: true, content: [{ type: 'text', text: error.message }] };
        logger.error('tool failed', { tool: 'compare_provisions', error: describeError(error) });
        return { isError: true, content: [{ type: 'text', text: 'internal error in compare_provisions; the server log has details' }] };
      }
    },
  );
}
