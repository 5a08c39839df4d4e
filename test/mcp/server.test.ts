import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMcpServer, MCP_INSTRUCTIONS } from '../../server/mcp/server.js';
import { realKnowledgeBase } from '../helpers.js';

let client: Client;

beforeAll(async () => {
  const { service } = await realKnowledgeBase();
  const server = createMcpServer({ getService: () => service });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  client = new Client({ name: 'test', version: '1.0.0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  // Listing tools first lets the client validate structuredContent against each outputSchema.
  await client.listTools();
});

const call = async (name: string, args: Record<string, unknown>): Promise<CallToolResult> => (await client.callTool({ name, arguments: args })) as CallToolResult;
const structured = <T>(r: CallToolResult): T => r.structuredContent as T;
const text = (r: CallToolResult): string => (r.content[0] as { text: string }).text;

describe('MCP server', () => {
  it('tells the model how to search and cite', () => {
    expect(client.getInstructions()).toBe(MCP_INSTRUCTIONS);
  });

  it('lists six read-only tools with output schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['ask', 'compare_provisions', 'get_outline', 'get_passage', 'list_documents', 'search']);
    for (const t of tools) {
      expect(t.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });
      expect(t.outputSchema?.type).toBe('object');
    }
  });

  describe('search', () => {
    it('returns cited passages as structured content and text', async () => {
      const r = await call('search', { query: '云浮第十条', top_k: 3 });
      type S = { query: string; results: { passage_id: string; doc_id: string; snippet: string; rank: number; uri: string; low_confidence: boolean }[]; abstained: boolean };
      const s = structured<S>(r);
      expect(s.results).toHaveLength(3);
      expect(s.results[0]).toMatchObject({ doc_id: 'yunfu', rank: 1, low_confidence: false });
      expect(s.results[0]?.uri).toBe(`policy://passage/${s.results[0]?.passage_id}`);
      expect(s.results.every((x) => x.snippet.length <= 300)).toBe(true);
      expect(text(r)).toContain(s.results[0]?.passage_id);
    });

    it('clamps top_k instead of rejecting it', async () => {
      expect(structured<{ results: unknown[] }>(await call('search', { query: '数据开放', top_k: 500 })).results).toHaveLength(20);
      expect(structured<{ results: unknown[] }>(await call('search', { query: '数据开放', top_k: -3 })).results).toHaveLength(1);
    });

    it('marks weak matches instead of passing them off as answers', async () => {
      const s = structured<{ abstained: boolean; results: { low_confidence: boolean }[] }>(await call('search', { query: '贵州 大数据试验区 怎么建设' }));
      expect(s.abstained).toBe(true);
      expect(s.results.every((x) => x.low_confidence)).toBe(true);
    });

    it('returns isError for an empty query and an unknown doc id', async () => {
      const empty = await call('search', { query: '  ' });
      expect(empty.isError).toBe(true);
      expect(text(empty)).toBe('query must be a non-empty string');
      const unknown = await call('search', { query: '数据', doc_ids: ['nope'] });
      expect(text(unknown)).toMatch(/^unknown docId "nope"; known docIds: ai-plan/);
    });
  });

  describe('get_passage', () => {
    it('returns the full clause with citation fields, neighbours and previous/next ids', async () => {
      const { kb } = await realKnowledgeBase();
      const id = kb.passages.find((p) => p.docId === 'yunfu' && p.clause === '第十条')?.passageId as string;
      const r = await call('get_passage', { passage_ids: [id], neighbors: 1 });
      type P = { passages: { passage_id: string; text: string; start: number; end: number; previous_id: string | null; next_id: string | null; neighbors: { passage_id: string }[] }[] };
      const p = structured<P>(r).passages[0];
      expect(p?.text).toBe(kb.documents.get('yunfu')?.body.slice(p?.start, p?.end));
      expect(p?.neighbors.map((n) => n.passage_id)).toEqual([p?.previous_id, p?.next_id]);
    });

    it('continues a text from an offset, keeping offsets verifiable', async () => {
      const { kb } = await realKnowledgeBase();
      const p0 = kb.passages[0] as (typeof kb.passages)[number];
      const r = structured<{ passages: { text: string; start: number; end: number; truncated: boolean }[] }>(await call('get_passage', { passage_ids: [p0.passageId], offset: 10 }));
      const p = r.passages[0];
      expect(p?.start).toBe(p0.start + 10);
      expect(p?.text).toBe(kb.documents.get(p0.docId)?.body.slice(p?.start, p?.end));
      expect(p?.truncated).toBe(false);
    });

    it('rejects unknown ids and bad counts', async () => {
      const r = await call('get_passage', { passage_ids: ['nope-123'] });
      expect(r.isError).toBe(true);
      expect(text(r)).toBe('unknown passage id(s): nope-123; use ids returned by search or get_outline');
      expect((await call('get_passage', { passage_ids: [] })).isError).toBe(true);
      expect((await call('get_passage', { passage_ids: ['a'], neighbors: 9 })).isError).toBe(true);
    });
  });

  it('ask answers with [n] markers and verbatim citations', async () => {
    const { kb } = await realKnowledgeBase();
    const s = structured<{ answer: string; citations: { n: number; doc_id: string; quote: string; start: number; end: number }[]; abstained: boolean }>(await call('ask', { question: '东莞电子政务网络的接入带宽要达到什么标准?' }));
    expect(s.abstained).toBe(false);
    expect(s.answer).toContain('[1]');
    for (const c of s.citations) expect(kb.documents.get(c.doc_id)?.body.slice(c.start, c.end)).toBe(c.quote);
  });

  it('list_documents paginates with a cursor', async () => {
    const first = structured<{ documents: { doc_id: string; sections: number }[]; next_cursor: string | null }>(await call('list_documents', { limit: 5 }));
    expect(first.documents.map((d) => d.doc_id)).toEqual(['ai-plan', 'dongguan', 'hebei', 'huizhou', 'qingyuan']);
    expect(first.documents[0]?.sections).toBeGreaterThan(50);
    const second = structured<{ documents: { doc_id: string }[]; next_cursor: string | null }>(await call('list_documents', { limit: 5, cursor: first.next_cursor }));
    expect(second.documents.map((d) => d.doc_id)).toEqual(['shenzhen', 'yunfu', 'zhongshan']);
    expect(second.next_cursor).toBeNull();
    expect((await call('list_documents', { cursor: '!!' })).isError).toBe(true);
    expect((await call('list_documents', { limit: 51 })).isError).toBe(true);
  });

  it('get_outline gives the section tree with passage ids', async () => {
    const s = structured<{ outline: { label: string; children: { label: string; passage_ids: string[] }[] }[] }>(await call('get_outline', { doc_id: 'yunfu' }));
    expect(s.outline.map((n) => n.label)).toHaveLength(8);
    expect(s.outline[3]?.children.map((c) => c.label)).toEqual(['第七条', '第八条', '第九条', '第十条', '第十一条']);
    expect(s.outline[3]?.children[3]?.passage_ids.length).toBeGreaterThan(0);
    expect(text(await call('get_outline', { doc_id: '../etc/passwd' }))).toMatch(/^unknown doc_id "\.\.\/etc\/passwd"; known: /);
  });

  describe('resources and prompts', () => {
    it('offers document and passage templates and lists documents, not passages', async () => {
      const { resourceTemplates } = await client.listResourceTemplates();
      expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual(['policy://doc/{doc_id}', 'policy://passage/{passage_id}']);
      const { resources } = await client.listResources();
      expect(resources.map((r) => r.uri).sort()).toEqual(['ai-plan', 'dongguan', 'hebei', 'huizhou', 'qingyuan', 'shenzhen', 'yunfu', 'zhongshan'].map((d) => `policy://doc/${d}`));
    });

    it('reads a document as markdown with front matter and a passage as text', async () => {
      const { kb } = await realKnowledgeBase();
      const doc = await client.readResource({ uri: 'policy://doc/yunfu' });
      const body = (doc.contents[0] as { text: string }).text;
      expect(body.startsWith('---\ndocId: yunfu\n')).toBe(true);
      expect(body).toContain(kb.documents.get('yunfu')?.body as string);
      const id = kb.passages[5]?.passageId as string;
      const passage = await client.readResource({ uri: `policy://passage/${id}` });
      expect((passage.contents[0] as { text: string }).text).toContain(kb.passages[5]?.breadcrumb as string);
      await expect(client.readResource({ uri: 'policy://passage/nope' })).rejects.toThrow(/unknown passage id "nope"/);
    });

    it('completes doc_id', async () => {
      const r = await client.complete({ ref: { type: 'ref/resource', uri: 'policy://doc/{doc_id}' }, argument: { name: 'doc_id', value: 'yu' } });
      expect(r.completion.values).toEqual(['yunfu']);
    });

    it('offers the answer_with_citations prompt', async () => {
      const { prompts } = await client.listPrompts();
      expect(prompts.map((p) => p.name)).toEqual(['answer_with_citations', 'draft_with_citations']);
      const p = await client.getPrompt({ name: 'answer_with_citations', arguments: { question: '云浮第十条怎么补贴？' } });
      expect((p.messages[0]?.content as { text: string }).text).toContain('问题：云浮第十条怎么补贴？');
    });
  });
});
