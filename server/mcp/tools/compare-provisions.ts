/**
 * MCP tool `compare_provisions`: what each document says on one topic, one row per document
 * (empty `citations` where no clause on the topic was retrieved: 未检索到相关条文, never 未规定),
 * with a Markdown table for drafting.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { compareProvisions, comparisonMarkdown, drafterCitation } from '../../../src/retrieval/compare.js';
import { provenance } from '../../../src/retrieval/presenter.js';
import { MAX_QUERY_CHARS } from '../../../src/retrieval/search.js';
import { guarded, okView, READ_ONLY, validitySchema, type ToolContext } from '../context.js';

const rowCitationSchema = z.object({
  n: z.number().int(),
  passage_id: z.string(),
  clause: z.string(),
  citation: z.string().describe('drafters\' form: 《标题》（文号）第X条'),
  quote: z.string().describe('The whole clause, verbatim (its segments joined by …… when a long clause was bounded)'),
  highlight: z.object({ start: z.number().int(), end: z.number().int() }).optional().describe('The sentence on the topic inside the clause (body offsets)'),
  start: z.number().int(),
  end: z.number().int(),
  page: z.number().int().optional(),
  page_end: z.number().int().optional(),
  ocr: z.boolean().optional(),
});
const rowSchema = z.object({
  doc_id: z.string(),
  title: z.string(),
  issuer: z.string(),
  doc_number: z.string().optional(),
  validity: validitySchema,
  retrieved: z.boolean().describe('false: no clause on the topic was retrieved from this document (未检索到相关条文), which is not proof it has none'),
  citations: z.array(rowCitationSchema),
});

export function registerCompareProvisions(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'compare_provisions',
    {
      title: 'Compare provisions across documents',
      description:
        'What each policy document says on one topic (e.g. "电费补贴", "大数据产业投资基金"): one row per document with verbatim quotes of whole clauses and citations in the drafters\' form 《标题》（文号）第X条. ' +
        'A row with no citations (retrieved: false) means no clause on the topic was retrieved from that document — 未检索到相关条文 — not that the document has no such provision: ' +
        'a clause worded differently may still be there. Never state absence as fact from an empty row; check with search (doc_ids) or get_outline first, or write 未检索到相关条文. ' +
        'Also returns the comparison as a Markdown table (validity in Chinese: 现行有效, 已失效…).',
      inputSchema: {
        topic: z.string().min(1).max(MAX_QUERY_CHARS).describe('The topic, in Chinese (a few words)'),
        doc_ids: z.array(z.string().min(1).max(100)).min(1).max(50).optional().describe('Documents to compare (default: all; see list_documents)'),
      },
      outputSchema: { topic: z.string(), rows: z.array(rowSchema), markdown: z.string() },
      annotations: { title: 'Compare provisions', ...READ_ONLY },
    },
    async ({ topic, doc_ids }) =>
      guarded(ctx, 'compare_provisions', async () => {
        const svc = ctx.service();
        const today = ctx.today();
        const c = await compareProvisions(svc.searcher, topic, { ...(doc_ids ? { docIds: doc_ids } : {}), tuning: { today } });
        const docs = await svc.catalog();
        const rows = c.rows.map((r) => ({
          docId: r.docId,
          title: r.title,
          issuer: r.issuer,
          ...(r.docNumber ? { docNumber: r.docNumber } : {}),
          validity: r.validity,
          retrieved: r.citations.length > 0,
          citations: r.citations.map((x) => {
            const { page, pageEnd, ocr } = provenance(docs.get(x.docId), x.start, x.end, today);
            return { n: x.n, passageId: x.passageId, clause: x.clausePath ?? x.clause, citation: drafterCitation(x), quote: x.quote, ...(x.highlight ? { highlight: x.highlight } : {}), start: x.start, end: x.end, ...(page === undefined ? {} : { page }), ...(pageEnd === undefined ? {} : { pageEnd }), ...(ocr ? { ocr } : {}) };
          }),
        }));
        const markdown = comparisonMarkdown(c);
        return okView({ topic: c.topic, rows, markdown }, markdown);
      }),
  );
}
