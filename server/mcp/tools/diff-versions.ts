/**
 * MCP tool `diff_versions`: 新旧对照 of two documents (two versions of one instrument, as a rule),
 * clause by clause: unchanged, modified (with the changed character ranges), added, removed or
 * moved; the text is the 修订说明 table in Markdown.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { diffMarkdown } from '../../../src/retrieval/diff.js';
import { compareVersions } from '../../../src/retrieval/versions.js';
import { guarded, okView, READ_ONLY, type ToolContext } from '../context.js';

const sideSchema = z.object({ clause: z.string(), start: z.number().int(), end: z.number().int(), text: z.string() });
const rowSchema = z.object({
  status: z.enum(['unchanged', 'modified', 'added', 'removed', 'moved']),
  from: sideSchema.optional(),
  to: sideSchema.optional(),
  changes: z.array(z.tuple([z.number().int(), z.number().int()])).optional().describe('Ranges of the new body that changed'),
  from_changes: z.array(z.tuple([z.number().int(), z.number().int()])).optional().describe('Ranges of the old body that are gone'),
});
const documentSchema = z.object({ doc_id: z.string(), title: z.string(), date_issued: z.string().optional(), doc_number: z.string().optional() });

export function registerDiffVersions(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'diff_versions',
    {
      title: 'Compare two versions (新旧对照)',
      description:
        'Compares two documents clause by clause, e.g. an old and the current version of one instrument (list_documents and get_outline list the versions): each row is unchanged, modified (with the changed character ranges), added, removed or moved (renumbered clauses are matched by content). The text is the 新旧对照 table in Markdown, as a 修订说明 has it.',
      inputSchema: {
        from_doc_id: z.string().min(1).max(100).describe('The older version'),
        to_doc_id: z.string().min(1).max(100).describe('The newer version'),
        include_unchanged: z.boolean().optional().describe('List unchanged clauses in the Markdown table too (default false)'),
      },
      outputSchema: { from: documentSchema, to: documentSchema, rows: z.array(rowSchema), summary: z.record(z.string(), z.number()) },
      annotations: { title: 'Compare two versions', ...READ_ONLY },
    },
    async ({ from_doc_id, to_doc_id, include_unchanged }) =>
      guarded(ctx, 'diff_versions', async () => {
        const diff = await compareVersions(ctx.service().store, from_doc_id, to_doc_id);
        return okView(diff, diffMarkdown(diff, { unchanged: include_unchanged === true }));
      }),
  );
}
