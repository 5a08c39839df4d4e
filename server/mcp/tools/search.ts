/**
 * MCP tool `search`: hybrid search, each hit presented as HTTP presents it (page, validity, format…)
 * with a snippet instead of the whole text; weak matches are flagged, never passed off as answers.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { isRealDate } from '../../../src/shared/dates.js';
import { plainText } from '../../../src/shared/control-chars.js';
import { presentHit } from '../../../src/retrieval/presenter.js';
import { DEFAULT_SEARCH_K } from '../../../src/retrieval/search-limits.js';
import { guarded, hitSchema, okView, passageUri, READ_ONLY, spanLine, type ToolContext } from '../context.js';

const SNIPPET_CHARS = 300;
/** top_k above this is clamped (the tool's contract: 1–20); the searcher itself takes up to MAX_SEARCH_K. */
const MAX_TOP_K = 20;

const snippetOf = (text: string): string => (text.length > SNIPPET_CHARS ? `${text.slice(0, SNIPPET_CHARS - 1)}…` : text);

export function registerSearch(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'search',
    {
      title: 'Search policy clauses',
      description: 'Hybrid (BM25 + vector) search over the policy documents. Returns passages ranked by relevance with citation fields (page, validity). Ask in Chinese. low_confidence (and abstained) judge the results as an answer to the query read as a question: flagged results are still search results, not answers.',
      inputSchema: {
        query: z.string().describe('The question or keywords, in Chinese (1–2000 characters)'),
        top_k: z.number().optional().describe('Number of results, 1–20 (default 8; values outside are clamped)'),
        doc_ids: z.array(plainText(z.string())).max(50).optional().describe('Restrict to these documents (see list_documents)'),
        issuer: plainText(z.string().max(200)).optional().describe('Restrict to documents whose issuer contains this text, e.g. 国务院'),
        valid_on: z
          .string()
          .refine(isRealDate, { error: (issue) => `valid_on ${JSON.stringify(String(issue.input).slice(0, 40))} is not a real calendar date; use YYYY-MM-DD, e.g. 2024-06-30` })
          .optional()
          .describe('Only documents in force on this day (YYYY-MM-DD)'),
        in_force: z.boolean().optional().describe('true: only documents in force today'),
      },
      outputSchema: { query: z.string(), results: z.array(hitSchema), abstained: z.boolean() },
      annotations: { title: 'Search policy clauses', ...READ_ONLY },
    },
    async ({ query, top_k, doc_ids, issuer, valid_on, in_force }) =>
      guarded(ctx, 'search', async () => {
        const svc = ctx.service();
        const k = Math.min(MAX_TOP_K, Math.max(1, Math.round(Number.isFinite(top_k) ? (top_k as number) : DEFAULT_SEARCH_K)));
        const response = await svc.search(query, {
          k,
          ...(doc_ids?.length ? { docIds: doc_ids } : {}),
          ...(issuer ? { issuer } : {}),
          ...(valid_on ? { validOn: valid_on } : {}),
          ...(in_force !== undefined ? { inForce: in_force } : {}),
        });
        const [abstained, docs] = await Promise.all([svc.abstains(response), svc.catalog()]);
        const today = ctx.today();
        // The hit's whole text stays out: a snippet keeps the client's context small; get_passage reads it all.
        const results = response.results.map((r) => {
          const { text, ...view } = presentHit(docs, r, today);
          return { ...view, snippet: snippetOf(text), uri: passageUri(r.passageId), lowConfidence: abstained };
        });
        // The results first, as a search lists them; the answer-level judgement after them, worded as what it is.
        const header = results.length === 0 ? '未检索到相关条文。' : `检索到 ${results.length} 条条文（按相关度排序）：`;
        const lines = results.map((r) => `[${r.passageId}] ${spanLine(r)}\n${r.breadcrumb}\n${r.snippet}`);
        const judged = abstained && results.length > 0 ? ['注：若把这次检索当作问题来回答，以上条文都不足以直接回答（abstained: true，各条 low_confidence: true）；它们仍是检索结果，可用 get_passage 阅读全文，或用 ask 提问。'] : [];
        return okView({ query: response.query, results, abstained }, [header, ...lines, ...judged].join('\n\n'));
      }),
  );
}
