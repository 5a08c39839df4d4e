/**
 * MCP resources: whole documents (policy://doc/{doc_id}, Markdown with front matter) and single
 * passages (policy://passage/{passage_id}). Malformed URIs are the client's error (-32602), unknown
 * ids are resource-not-found (-32002), never internal errors.
 */
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { serializeDocument } from '../../src/corpus/document.js';
import type { KnowledgeService } from '../../src/retrieval/service.js';
import { controlCharProblem } from '../../src/shared/control-chars.js';
import { docUri, type ToolContext } from './context.js';

/** JSON-RPC code for an unknown resource (MCP specification, resources: error handling). */
export const RESOURCE_NOT_FOUND = -32002;

/** A URI template variable, percent-decoded; malformed encoding or a control character is the client's error (-32602), not ours. */
function uriVariable(value: string | string[] | undefined, name: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(String(value));
  } catch {
    throw new McpError(ErrorCode.InvalidParams, `malformed percent-encoding in ${name} "${String(value).slice(0, 100)}"`);
  }
  const problem = controlCharProblem(decoded);
  if (problem) throw new McpError(ErrorCode.InvalidParams, `${name} ${problem}; ids are plain text: remove it`);
  return decoded;
}

/** `current` gives the service or undefined while loading: listing and completion then offer nothing. */
export function registerResources(server: McpServer, ctx: ToolContext, current: () => KnowledgeService | undefined): void {
  server.registerResource(
    'document',
    new ResourceTemplate('policy://doc/{doc_id}', {
      list: async () => {
        const s = current();
        if (!s) return { resources: [] };
        return { resources: [...(await s.catalog()).values()].map((d) => ({ uri: docUri(d.meta.docId), name: d.meta.docId, title: d.meta.title, mimeType: 'text/markdown' })) };
      },
      complete: {
        doc_id: async (value) => {
          const s = current();
          return s ? [...(await s.catalog()).keys()].filter((id) => id.startsWith(value)).sort() : [];
        },
      },
    }),
    { title: 'Policy document', description: 'A whole document as Markdown with YAML front matter; its body is the text all start/end offsets index.', mimeType: 'text/markdown' },
    async (uri, { doc_id }) => {
      const id = uriVariable(doc_id, 'doc_id');
      const doc = await ctx.service().store.documents.get(id);
      if (!doc) throw new McpError(RESOURCE_NOT_FOUND, `unknown doc_id "${id.slice(0, 100)}"; list_documents or resources/list gives the ids`, { uri: uri.href });
      return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: serializeDocument(doc.meta, doc.body) }] };
    },
  );

  server.registerResource(
    'passage',
    new ResourceTemplate('policy://passage/{passage_id}', { list: undefined }),
    { title: 'Policy passage', description: 'One citable passage: breadcrumb line, then the verbatim text.', mimeType: 'text/plain' },
    async (uri, { passage_id }) => {
      const id = uriVariable(passage_id, 'passage_id');
      const [p] = await ctx.service().store.passages.get([id]);
      if (!p) throw new McpError(RESOURCE_NOT_FOUND, `unknown passage id "${id.slice(0, 100)}"; use ids returned by search or get_outline`, { uri: uri.href });
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: `${p.breadcrumb}\n[${p.start}, ${p.end})\n\n${p.text}` }] };
    },
  );
}
