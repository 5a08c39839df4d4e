/**
 * MCP tool `get_outline`: a document's section tree (labels, titles, offsets, passage ids), the
 * same nodes HTTP's GET /api/documents/:docId returns, in snake_case.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { buildOutline, type OutlineNode } from '../../../src/chunking/outline.js';
import { plainText } from '../../../src/shared/control-chars.js';
import { presentDocument, toSnakeCase } from '../../../src/retrieval/presenter.js';
import { fail, guarded, ok, READ_ONLY, validitySchema, type ToolContext } from '../context.js';

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
      description: 'The section tree of a document: labels (第十条, （二）, 专栏3), titles, offsets and the passage ids under each node; with its validity, its amendment history (公布, 修订…) and the versions of the same instrument in the library.',
      inputSchema: { doc_id: plainText(z.string().max(100)).describe('A doc_id from list_documents') },
      outputSchema: {
        doc_id: z.string(),
        title: z.string(),
        validity: validitySchema.optional(),
        history: z.array(z.record(z.string(), z.unknown())).describe('Promulgation and amendments, oldest first: {date, action, by, ordinal?, doc_number?}'),
        versions: z.array(z.record(z.string(), z.unknown())).describe('Versions of the same instrument in the library, oldest first: {doc_id, title, date?, current}'),
        outline: z.array(z.record(z.string(), z.unknown())),
      },
      annotations: { title: 'Document outline', ...READ_ONLY },
    },
    async ({ doc_id }) =>
      guarded(ctx, 'get_outline', async () => {
        const svc = ctx.service();
        const doc = await svc.store.documents.get(doc_id);
        if (!doc) return fail(`unknown doc_id "${doc_id}"; known: ${[...(await svc.catalog()).keys()].sort().join(', ')}`);
        const outline = buildOutline(doc.tree, await svc.store.passages.ofDocument(doc_id));
        const summary = (await svc.catalog()).get(doc_id);
        const view = summary ? presentDocument(summary, ctx.today()) : undefined;
        const history = view?.history ?? [];
        const versions = view?.versions ?? [];
        const head = [
          `《${doc.meta.title}》`,
          view ? `效力：${view.validity.status}（${view.validity.basis}）${view.validity.conflict ? `；注意：${view.validity.conflict}` : ''}` : '',
          ...history.map((h) => `沿革：${h.date} ${h.by} ${h.action}`),
          ...(versions.length > 1 ? [`版本：${versions.map((v) => `${v.date ?? '?'} ${v.docId}${v.current ? '（现行）' : ''}`).join('；')}`] : []),
        ].filter(Boolean);
        return ok({ doc_id, title: doc.meta.title, ...(view ? { validity: toSnakeCase(view.validity) } : {}), history: toSnakeCase(history), versions: toSnakeCase(versions), outline: outline.children.map(outlineForClient) }, `${head.join('\n')}\n${outlineLines(outline).join('\n')}`);
      }),
  );
}
