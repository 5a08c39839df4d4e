/**
 * The MCP server: search and cite policy clauses. `createMcpServer(deps)` returns an unstarted
 * McpServer; stdio and Streamable HTTP entry points connect it to a transport.
 */
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { buildOutline, type OutlineNode } from '../../src/chunking/outline.js';
import { serializeDocument } from '../../src/corpus/document.js';
import { passageText } from '../../src/retrieval/knowledge-index.js';
import { resolveReferences } from '../../src/retrieval/references.js';
import { registerCompareProvisions } from './tools/compare-provisions.js';
import { registerDraftWithCitations } from './prompts/draft-with-citations.js';
import type { KnowledgeService } from '../../src/retrieval/service.js';
import { ERROR_CODES, KbError, describeError, isKbError } from '../../src/shared/errors.js';
import type { Logger } from '../../src/shared/logger.js';
import { silentLogger } from '../../src/shared/logger.js';

export interface McpDeps {
  /** The live knowledge service (swapped on index reload); undefined while loading. */
  getService(): KnowledgeService | undefined;
  logger?: Logger;
  version?: string;
}

export const MCP_INSTRUCTIONS = `This server searches a knowledge base of Chinese government policy documents (national and city plans, incentive rules) and returns the exact clauses with citations.
How to use it:
- Call \`search\` with the user's question in Chinese (e.g. "云浮对数据中心有什么电费补贴"); it returns passages with passage_id, document title, issuer and the clause path. Results marked low_confidence (or abstained: true) are NOT answers: say the knowledge base has no provision on this.
- Call \`get_passage\` to read the full clause text before quoting; use neighbors to read the surrounding clauses.
- Call \`ask\` for a ready extractive answer with numbered citations.
- Use \`list_documents\` and \`get_outline\` to browse; read whole documents as resources policy://doc/{doc_id}.
How to cite: quote the original wording verbatim and cite as [passage_id] together with the document title and clause, e.g. “对已运营的云计算大数据企业，将予以大工业电价优惠…” [yunfu-…]《云浮市促进云计算大数据产业发展优惠办法(试行)》第六条. Never present a low-confidence match as the answer.`;

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
const SNIPPET_CHARS = 300;
const PASSAGE_CAP = 4000;

function fail(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}

function ok(structured: Record<string, unknown>, text: string): CallToolResult {
  return { structuredContent: structured, content: [{ type: 'text', text }] };
}

/** Runs a tool body; library errors become isError results with their (safe) messages. */
async function guarded(logger: Logger, tool: string, body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    if (isKbError(error)) return fail(error.message);
    logger.error('tool failed', { tool, error: describeError(error) });
    return fail(`internal error in ${tool}; the server log has details`);
  }
}

/** JSON-RPC code for an unknown resource (MCP specification, resources: error handling). */
export const RESOURCE_NOT_FOUND = -32002;

/** A URI template variable, percent-decoded; malformed encoding is the client's error (-32602), not ours. */
function uriVariable(value: string | string[] | undefined, name: string): string {
  try {
    return decodeURIComponent(String(value));
  } catch {
    throw new McpError(ErrorCode.InvalidParams, `malformed percent-encoding in ${name} "${String(value).slice(0, 100)}"`);
  }
}

const passageUri = (id: string): string => `policy://passage/${encodeURIComponent(id)}`;
const docUri = (id: string): string => `policy://doc/${encodeURIComponent(id)}`;

const searchResultSchema = z.object({
  passage_id: z.string(),
  doc_id: z.string(),
  title: z.string(),
  issuer: z.string(),
  breadcrumb: z.string(),
  clause: z.string(),
  snippet: z.string(),
  score: z.number(),
  rank: z.number().int(),
  uri: z.string(),
  low_confidence: z.boolean(),
});

const citationSchema = z.object({
  n: z.number().int(),
  passage_id: z.string(),
  doc_id: z.string(),
  title: z.string(),
  issuer: z.string(),
  doc_number: z.string().optional(),
  date_issued: z.string().optional(),
  breadcrumb: z.string(),
  clause: z.string(),
  quote: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  low_confidence: z.boolean(),
  validity: z.string().optional(),
});

const passageSchema = z.object({
  passage_id: z.string(),
  doc_id: z.string(),
  title: z.string(),
  issuer: z.string(),
  breadcrumb: z.string(),
  clause: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  text: z.string(),
  truncated: z.boolean(),
  next_offset: z.number().int().optional(),
  previous_id: z.string().nullable(),
  next_id: z.string().nullable(),
  uri: z.string(),
  /** Clauses this passage refers to (依照本办法第十条), resolved. */
  references: z.array(z.object({ text: z.string(), start: z.number().int(), end: z.number().int(), target_passage_id: z.string(), target_label: z.string(), target_path: z.array(z.string()), target_text: z.string() })).optional(),
});

function outlineForClient(node: OutlineNode): Record<string, unknown> {
  return { label: node.label, title: node.title, kind: node.kind, start: node.start, end: node.end, passage_ids: node.passageIds, children: node.children.map(outlineForClient) };
}

function countNodes(node: OutlineNode): number {
  return node.children.reduce((n, c) => n + 1 + countNodes(c), 0);
}

export function createMcpServer(deps: McpDeps): McpServer {
  const logger = deps.logger ?? silentLogger;
  const server = new McpServer({ name: 'policy-kb', version: deps.version ?? '0.1.0' }, { instructions: MCP_INSTRUCTIONS, capabilities: { logging: {} } });
  const service = (): KnowledgeService => {
    const s = deps.getService();
    if (!s) throw new KbError(ERROR_CODES.INDEX_MISSING, 'the knowledge base is still loading; try again in a few seconds');
    return s;
  };

  server.registerTool(
    'search',
    {
      title: 'Search policy clauses',
      description: 'Hybrid (BM25 + vector) search over the policy documents. Returns passages with citation fields. Ask in Chinese. Results flagged low_confidence are not answers.',
      inputSchema: {
        query: z.string().describe('The question or keywords, in Chinese (1–2000 characters)'),
        top_k: z.number().optional().describe('Number of results, 1–20 (default 8; values outside are clamped)'),
        doc_ids: z.array(z.string()).max(50).optional().describe('Restrict to these documents (see list_documents)'),
        issuer: z.string().max(200).optional().describe('Restrict to documents whose issuer contains this text, e.g. 国务院'),
      },
      outputSchema: { query: z.string(), results: z.array(searchResultSchema), abstained: z.boolean() },
      annotations: { title: 'Search policy clauses', ...READ_ONLY },
    },
    async ({ query, top_k, doc_ids, issuer }) =>
      guarded(logger, 'search', async () => {
        const svc = service();
        const k = Math.min(20, Math.max(1, Math.round(Number.isFinite(top_k) ? (top_k as number) : 8)));
        const response = await svc.search(query, { k, ...(doc_ids?.length ? { docIds: doc_ids } : {}), ...(issuer ? { issuer } : {}) });
        const abstained = svc.abstains(response);
        const results = response.results.map((r) => ({
          passage_id: r.passageId,
          doc_id: r.docId,
          title: r.title,
          issuer: r.issuer,
          breadcrumb: r.breadcrumb,
          clause: r.clause,
          snippet: r.text.length > SNIPPET_CHARS ? `${r.text.slice(0, SNIPPET_CHARS - 1)}…` : r.text,
          score: r.score,
          rank: r.rank,
          uri: passageUri(r.passageId),
          low_confidence: abstained,
        }));
        const header = abstained ? '知识库中未找到相关规定（以下结果为低置信度，不构成答案）。' : `找到 ${results.length} 条相关条文：`;
        const text = [header, ...results.map((r) => `[${r.passage_id}] ${r.breadcrumb}${r.low_confidence ? '（低置信度）' : ''}\n${r.snippet}`)].join('\n\n');
        return ok({ query: response.query, results, abstained }, text);
      }),
  );

  server.registerTool(
    'get_passage',
    {
      title: 'Read passages',
      description: 'Full text of passages by id, with citation fields (start/end offsets into the document body and the verbatim quote), previous/next ids and optional neighbouring passages. Long texts are capped; pass offset to continue.',
      inputSchema: {
        passage_ids: z.array(z.string()).min(1).max(10).describe('1–10 passage ids from search results'),
        neighbors: z.number().int().min(0).max(3).optional().describe('Also return this many passages before and after each (0–3, default 0)'),
        offset: z.number().int().min(0).optional().describe('Continue a capped text from this character offset'),
      },
      outputSchema: { passages: z.array(passageSchema.extend({ neighbors: z.array(passageSchema) })) },
      annotations: { title: 'Read passages', ...READ_ONLY },
    },
    async ({ passage_ids, neighbors = 0, offset = 0 }) =>
      guarded(logger, 'get_passage', async () => {
        const { kb } = service();
        const unknown = passage_ids.filter((id) => !kb.byId.has(id));
        if (unknown.length > 0) return fail(`unknown passage id(s): ${unknown.join(', ')}; use ids returned by search or get_outline`);
        const view = (pos: number, from = 0): z.infer<typeof passageSchema> => {
          const p = kb.passages[pos] as (typeof kb.passages)[number];
          const doc = kb.documents.get(p.docId);
          const full = passageText(kb, p);
          // Past the end reads nothing, at the passage's end: start/end stay inside the document.
          const at = Math.min(from, full.length);
          const text = full.slice(at, at + PASSAGE_CAP);
          const truncated = at + PASSAGE_CAP < full.length;
          const prev = kb.passages[pos - 1];
          const next = kb.passages[pos + 1];
          return {
            passage_id: p.passageId,
            doc_id: p.docId,
            title: doc?.meta.title ?? '',
            issuer: doc?.meta.issuer ?? '',
            breadcrumb: p.breadcrumb,
            clause: p.clause,
            start: p.start + at,
            end: p.start + at + text.length,
            text,
            truncated,
            ...(truncated ? { next_offset: at + PASSAGE_CAP } : {}),
            previous_id: prev && prev.docId === p.docId ? prev.passageId : null,
            next_id: next && next.docId === p.docId ? next.passageId : null,
            uri: passageUri(p.passageId),
          };
        };
        const passages = passage_ids.map((id) => {
          const pos = kb.byId.get(id) as number;
          const docId = (kb.passages[pos] as { docId: string }).docId;
          const around: z.infer<typeof passageSchema>[] = [];
          for (let d = -neighbors; d <= neighbors; d += 1) {
            const q = pos + d;
            if (d !== 0 && kb.passages[q]?.docId === docId) around.push(view(q));
          }
          const refs = resolveReferences(kb, docId, (kb.passages[pos] as { start: number }).start, (kb.passages[pos] as { end: number }).end).map((r) => ({ text: r.text, start: r.start, end: r.end, target_passage_id: r.target.passageId, target_label: r.target.label, target_path: r.target.path, target_text: r.target.text }));
          return { ...view(pos, offset), references: refs, neighbors: around };
        });
        const text = passages.map((p) => `[${p.passage_id}] ${p.breadcrumb}（${p.start}–${p.end}）\n${p.text}${p.truncated ? `\n…（未完，offset=${p.next_offset} 继续）` : ''}`).join('\n\n');
        return ok({ passages }, text);
      }),
  );

  server.registerTool(
    'ask',
    {
      title: 'Answer with citations',
      description: 'An extractive answer in Chinese built from the best-supported sentences, each followed by [n], with the citation list (document, clause, verbatim quote and offsets). abstained: true means the knowledge base has no provision on this.',
      inputSchema: { question: z.string().describe('The question, in Chinese (1–2000 characters)') },
      outputSchema: { answer: z.string(), citations: z.array(citationSchema), abstained: z.boolean(), confidence: z.number() },
      annotations: { title: 'Answer with citations', ...READ_ONLY },
    },
    async ({ question }) =>
      guarded(logger, 'ask', async () => {
        const { answer } = await service().ask(question);
        const citations = answer.citations.map((c) => ({
          n: c.n,
          passage_id: c.passageId,
          doc_id: c.docId,
          title: c.title,
          issuer: c.issuer,
          ...(c.docNumber ? { doc_number: c.docNumber } : {}),
          ...(c.dateIssued ? { date_issued: c.dateIssued } : {}),
          breadcrumb: c.breadcrumb,
          clause: c.clause,
          quote: c.quote,
          start: c.start,
          end: c.end,
          low_confidence: c.lowConfidence === true,
          ...(c.validity ? { validity: c.validity.status } : {}),
        }));
        const text = [answer.answer, '', ...citations.map((c) => `[${c.n}] ${c.breadcrumb} [${c.passage_id}]${c.low_confidence ? '（低置信度）' : ''}\n“${c.quote}”`)].join('\n');
        return ok({ answer: answer.answer, citations, abstained: answer.abstained, confidence: answer.confidence }, text);
      }),
  );

  server.registerTool(
    'list_documents',
    {
      title: 'List documents',
      description: 'The documents in the knowledge base with their metadata and outline size. Paginated: pass next_cursor back as cursor.',
      inputSchema: {
        cursor: z.string().max(200).optional().describe('next_cursor from a previous call'),
        limit: z.number().int().min(1).max(50).optional().describe('Documents per page (1–50, default 20)'),
      },
      outputSchema: {
        documents: z.array(z.object({ doc_id: z.string(), title: z.string(), issuer: z.string(), doc_number: z.string().optional(), date_issued: z.string().optional(), listing_date: z.string().optional(), source_url: z.string().optional(), chars: z.number().int(), sections: z.number().int(), passages: z.number().int(), uri: z.string() })),
        next_cursor: z.string().nullable(),
      },
      annotations: { title: 'List documents', ...READ_ONLY },
    },
    async ({ cursor, limit = 20 }) =>
      guarded(logger, 'list_documents', async () => {
        const { kb } = service();
        const ids = [...kb.documents.keys()].sort();
        let start = 0;
        if (cursor !== undefined) {
          start = Number.parseInt(Buffer.from(cursor, 'base64url').toString('utf8'), 10);
          if (!Number.isInteger(start) || start < 0 || start > ids.length) return fail('invalid cursor; pass the next_cursor value of a previous list_documents call');
        }
        const page = ids.slice(start, start + limit);
        const documents = page.map((id) => {
          const d = kb.documents.get(id) as NonNullable<ReturnType<typeof kb.documents.get>>;
          const outline = buildOutline(d.tree, []);
          return {
            doc_id: id,
            title: d.meta.title,
            issuer: d.meta.issuer,
            ...(d.meta.docNumber ? { doc_number: d.meta.docNumber } : {}),
            ...(d.meta.dateIssued ? { date_issued: d.meta.dateIssued } : {}),
            ...(d.meta.listingDate ? { listing_date: d.meta.listingDate } : {}),
            ...(d.meta.sourceUrl ? { source_url: d.meta.sourceUrl } : {}),
            chars: d.body.length,
            sections: countNodes(outline),
            passages: kb.passages.filter((p) => p.docId === id).length,
            uri: docUri(id),
          };
        });
        const next = start + limit < ids.length ? Buffer.from(String(start + limit)).toString('base64url') : null;
        const text = documents.map((d) => `${d.doc_id}\t《${d.title}》\t${d.issuer}${d.doc_number ? `\t${d.doc_number}` : ''}`).join('\n');
        return ok({ documents, next_cursor: next }, text || '(no documents)');
      }),
  );

  server.registerTool(
    'get_outline',
    {
      title: 'Document outline',
      description: 'The section tree of a document: labels (第十条, （二）, 专栏3), titles, offsets and the passage ids under each node.',
      inputSchema: { doc_id: z.string().max(100).describe('A doc_id from list_documents') },
      outputSchema: { doc_id: z.string(), title: z.string(), outline: z.array(z.record(z.string(), z.unknown())) },
      annotations: { title: 'Document outline', ...READ_ONLY },
    },
    async ({ doc_id }) =>
      guarded(logger, 'get_outline', async () => {
        const { kb } = service();
        const doc = kb.documents.get(doc_id);
        if (!doc) return fail(`unknown doc_id "${doc_id}"; known: ${[...kb.documents.keys()].sort().join(', ')}`);
        const chunks = kb.passages.filter((p) => p.docId === doc_id).map((p) => ({ passageId: p.passageId, start: p.start, end: p.end }));
        const outline = buildOutline(doc.tree, chunks);
        const lines: string[] = [];
        const walk = (n: OutlineNode, depth: number): void => {
          for (const c of n.children) {
            lines.push(`${'  '.repeat(depth)}${c.title || c.label}  (${c.passageIds.join(', ')})`);
            walk(c, depth + 1);
          }
        };
        walk(outline, 0);
        return ok({ doc_id, title: doc.meta.title, outline: outline.children.map(outlineForClient) }, `《${doc.meta.title}》\n${lines.join('\n')}`);
      }),
  );

  server.registerResource(
    'document',
    new ResourceTemplate('policy://doc/{doc_id}', {
      list: async () => {
        const s = deps.getService();
        if (!s) return { resources: [] };
        return { resources: [...s.kb.documents.values()].map((d) => ({ uri: docUri(d.meta.docId), name: d.meta.docId, title: d.meta.title, mimeType: 'text/markdown' })) };
      },
      complete: {
        doc_id: (value) => {
          const s = deps.getService();
          return s ? [...s.kb.documents.keys()].filter((id) => id.startsWith(value)).sort() : [];
        },
      },
    }),
    { title: 'Policy document', description: 'A whole document as Markdown with YAML front matter; its body is the text all start/end offsets index.', mimeType: 'text/markdown' },
    async (uri, { doc_id }) => {
      const { kb } = service();
      const id = uriVariable(doc_id, 'doc_id');
      const doc = kb.documents.get(id);
      if (!doc) throw new McpError(RESOURCE_NOT_FOUND, `unknown doc_id "${id.slice(0, 100)}"; list_documents or resources/list gives the ids`, { uri: uri.href });
      return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: serializeDocument(doc.meta, doc.body) }] };
    },
  );

  server.registerResource(
    'passage',
    new ResourceTemplate('policy://passage/{passage_id}', { list: undefined }),
    { title: 'Policy passage', description: 'One citable passage: breadcrumb line, then the verbatim text.', mimeType: 'text/plain' },
    async (uri, { passage_id }) => {
      const { kb } = service();
      const id = uriVariable(passage_id, 'passage_id');
      const pos = kb.byId.get(id);
      if (pos === undefined) throw new McpError(RESOURCE_NOT_FOUND, `unknown passage id "${id.slice(0, 100)}"; use ids returned by search or get_outline`, { uri: uri.href });
      const p = kb.passages[pos] as (typeof kb.passages)[number];
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: `${p.breadcrumb}\n[${p.start}, ${p.end})\n\n${passageText(kb, p)}` }] };
    },
  );

  server.registerPrompt(
    'answer_with_citations',
    {
      title: 'Answer with citations',
      description: 'Answer a policy question from the knowledge base only, quoting the original wording and citing each clause.',
      argsSchema: { question: z.string().describe('The question, in Chinese') },
    },
    ({ question }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text:
              `请只依据 policy-kb 知识库回答下面的问题。\n问题：${question}\n\n` +
              '步骤：1. 用 search 工具检索（必要时换关键词再检索）；2. 用 get_passage 读取相关条文全文；' +
              '3. 回答时引用条文原文，每处引用标注 [passage_id] 以及文件标题和条款（如《云浮市促进云计算大数据产业发展优惠办法(试行)》第十条）；' +
              '4. 如果检索结果 abstained 为 true 或标为 low_confidence，直接说明“知识库中未找到相关规定”，不要用低置信度结果作答，也不要编造。',
          },
        },
      ],
    }),
  );

  registerCompareProvisions(server, service, logger);
  registerDraftWithCitations(server);
  return server;
}
