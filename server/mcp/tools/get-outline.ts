/**
 * MCP tool `get_outline`: a document's section tree (labels, titles, offsets, passage ids), the
 * same nodes HTTP's GET /api/documents/:docId returns, in snake_case.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { buildOutline, type OutlineNode } from '../../../src/chunking/outline.js';
import { plainText } from '../../../src/shared/control-chars.js';
import { fail, guarded, ok, READ_ONLY, type ToolContext } from '../context.js';

/** The fields a client needs (internal ids, numbers and paths stay out). */
function outlineForClient(node: OutlineNode): Record<string, unknown> {
  return { label: node.label, title: node.title, kind: node.kind, start: node.start, end: node.end, passage_ids: node.passageIds, children: node.children.map(outlineForClient) };
}

function outlineLines(node: OutlineNode, depth = 0): string[] {
  return node.children.flatMap((c) => [`${'  '.repeat(depth)}${c.title || c.label}  (${c.passageIds.join(', ')})`, ...outlineLines(c, depth + 1)]);
}

export function registerGetOutline(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'get_outline',
    {
      title: 'Document outline',
      description: 'The section tree of a document: labels (第十条, （二）, 专栏3), titles, offsets and the passage ids under each node.',
      inputSchema: { doc_id: plainText(z.string().max(100)).describe('A doc_id from list_documents') },
      outputSchema: { doc_id: z.string(), title: z.string(), outline: z.array(z.record(z.string(), z.unknown())) },
      annotations: { title: 'Document outline', ...READ_ONLY },
    },
    async ({ doc_id }) =>
      guarded(ctx, 'get_outline', async () => {
        const svc = ctx.service();
        const doc = await svc.store.documents.get(doc_id);
        if (!doc) return fail(`unknown doc_id "${doc_id}"; known: ${[...(await svc.catalog()).keys()].sort().join(', ')}`);
        const outline = buildOutline(doc.tree, await svc.store.passages.ofDocument(doc_id));
        return ok({ doc_id, title: doc.meta.title, outline: outline.children.map(outlineForClient) }, `《${doc.meta.title}》\n${outlineLines(outline).join('\n')}`);
      }),
  );
}
