/**
 * MCP tool `list_documents`: the documents as HTTP lists them (format, pages, OCR, validity, status…)
 * plus their outline size and resource URI, a page at a time.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { DocumentSummary } from '../../../src/storage/types.js';
import { buildOutline, type OutlineNode } from '../../../src/chunking/outline.js';
import { presentDocument } from '../../../src/retrieval/presenter.js';
import { docUri, documentShape, fail, guarded, okView, READ_ONLY, validitySchema, type ToolContext } from '../context.js';

const documentSchema = z.object({
  ...documentShape,
  format: z.string().describe('Source format: pdf, docx, html, markdown…'),
  listing_date: z.string().optional(),
  source_url: z.string().optional(),
  aliases: z.array(z.string()).optional(),
  page_count: z.number().int().describe('Pages of the original (0 for an unpaginated source)'),
  ocr: z.boolean().describe('true when some pages were read by OCR'),
  validity: validitySchema,
  status: z.string().optional().describe('The status as stated in the metadata (现行有效, 已废止…)'),
  superseded_by: z.string().optional(),
  history: z.array(z.object({ date: z.string(), action: z.string(), by: z.string(), ordinal: z.number().optional(), doc_number: z.string().optional() })).optional().describe('Promulgation and amendments as the head states them (公布, 修订, 修正, 施行…)'),
  versions: z.array(z.object({ doc_id: z.string(), title: z.string(), date: z.string().optional(), current: z.boolean() })).optional().describe('Versions of the same instrument in the library, oldest first; compare two with diff_versions'),
  original_name: z.string().optional().describe('File name of the kept original'),
  chars: z.number().int(),
  sections: z.number().int(),
  passages: z.number().int(),
  uri: z.string(),
});

function countNodes(node: OutlineNode): number {
  return node.children.reduce((n, c) => n + 1 + countNodes(c), 0);
}

export function registerListDocuments(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'list_documents',
    {
      title: 'List documents',
      description: 'The documents in the knowledge base with their metadata (format, pages, validity) and outline size. Paginated: pass next_cursor back as cursor.',
      inputSchema: {
        cursor: z.string().max(200).optional().describe('next_cursor from a previous call'),
        limit: z.number().int().min(1).max(50).optional().describe('Documents per page (1–50, default 20)'),
      },
      outputSchema: { documents: z.array(documentSchema), next_cursor: z.string().nullable() },
      annotations: { title: 'List documents', ...READ_ONLY },
    },
    async ({ cursor, limit = 20 }) =>
      guarded(ctx, 'list_documents', async () => {
        const svc = ctx.service();
        const catalog = await svc.catalog();
        const ids = [...catalog.keys()].sort();
        let start = 0;
        if (cursor !== undefined) {
          start = Number.parseInt(Buffer.from(cursor, 'base64url').toString('utf8'), 10);
          if (!Number.isInteger(start) || start < 0 || start > ids.length) return fail('invalid cursor; pass the next_cursor value of a previous list_documents call');
        }
        const today = ctx.today();
        const page = ids.slice(start, start + limit);
        const full = await svc.store.documents.getMany(page);
        const documents = page.map((id) => {
          const tree = full.get(id)?.tree;
          return { ...presentDocument(catalog.get(id) as DocumentSummary, today), sections: tree ? countNodes(buildOutline(tree, [])) : 0, uri: docUri(id) };
        });
        const next = start + limit < ids.length ? Buffer.from(String(start + limit)).toString('base64url') : null;
        const text = documents
          .map((d) => `${d.docId}\t《${d.title}》\t${d.issuer}${d.docNumber ? `\t${d.docNumber}` : ''}\t${d.format}\t${d.validity.status}${d.validity.supersededBy ? `→${d.validity.supersededBy}` : ''}${d.validity.repealedBy ? `←${d.validity.repealedBy}` : ''}${d.dateIssued ? `\t${d.dateIssued}` : ''}`)
          .join('\n');
        return okView({ documents, nextCursor: next }, text || '(no documents)');
      }),
  );
}
