import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../server/http/app.js';
import { createMcpServer, MCP_INSTRUCTIONS, type McpDeps } from '../../server/mcp/server.js';
import { serializeDocument } from '../../src/corpus/document.js';
import { openKnowledgeBase } from '../../src/pipeline/compose/open.js';
import type { KnowledgeIndex } from '../../src/storage/file/knowledge-index.js';
import { toSnakeCase } from '../../src/retrieval/presenter.js';
import { realDoc, realKnowledgeBase, testConfig, withSnapshot } from '../helpers.js';

let client: Client;

async function connectClient(deps: McpDeps): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const c = new Client({ name: 'test', version: '1.0.0' });
  await Promise.all([createMcpServer(deps).connect(serverSide), c.connect(clientSide)]);
  // Listing tools first lets the client validate structuredContent against each outputSchema.
  await c.listTools();
  return c;
}

beforeAll(async () => {
  const { service } = await realKnowledgeBase();
  client = await connectClient({ getService: () => service });
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
    expect(tools.map((t) => t.name).sort()).toEqual(['ask', 'compare_provisions', 'diff_versions', 'get_outline', 'get_passage', 'list_documents', 'search']);
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

    it('presents each hit as HTTP does: offsets, document fields and validity as an object', async () => {
      const { kb } = await realKnowledgeBase();
      const [hit] = structured<{ results: Record<string, unknown>[] }>(await call('search', { query: '云浮第十条', top_k: 1 })).results;
      expect(hit).toMatchObject({ doc_id: 'yunfu', title: '云浮市促进云计算大数据产业发展优惠办法(试行)', validity: { status: 'expired', effective_from: '2017-07-01', effective_to: '2020-06-30', basis: '正文：本优惠办法自2017年7月1日起实施,试行期三年' } });
      expect(kb.documents.get('yunfu')?.body.slice(hit?.start as number, hit?.end as number)).toContain('第十条');
      // An unpaginated source has no page, and no camelCase key leaks through.
      expect(hit).not.toHaveProperty('page');
      expect(Object.keys(hit ?? {}).filter((k) => /[A-Z]/u.test(k))).toEqual([]);
    });

    it('rejects a valid_on that is not a calendar day, naming it', async () => {
      const r = await call('search', { query: '数据', valid_on: '2016-13-45' });
      expect(r.isError).toBe(true);
      expect(text(r)).toBe('MCP error -32602: Input validation error: Invalid arguments for tool search: valid_on "2016-13-45" is not a real calendar date; use YYYY-MM-DD, e.g. 2024-06-30 at valid_on');
      expect((await call('search', { query: '数据', valid_on: '2024-02-30' })).isError).toBe(true);
      expect((await call('search', { query: '数据', in_force: 'yes' })).isError).toBe(true);
    });

    it('accepts a real valid_on and in_force', async () => {
      const r = await call('search', { query: '云浮第十条', valid_on: '2018-03-01', in_force: false, top_k: 2 });
      expect(r.isError).toBeFalsy();
      expect(structured<{ results: unknown[] }>(r).results.length).toBeGreaterThan(0);
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

    it('lists the results first, with validity in the text, and puts the answer-level judgement after them', async () => {
      const r = await call('search', { query: '贵州 大数据试验区 怎么建设' });
      expect(structured<{ abstained: boolean }>(r).abstained).toBe(true);
      const t = text(r);
      expect(t.startsWith('检索到 8 条条文（按相关度排序）：')).toBe(true);
      expect(t).not.toContain('知识库中未找到');
      expect(t).toMatch(/\n\n注：若把这次检索当作问题来回答，以上条文都不足以直接回答/u);
      const plain = text(await call('search', { query: '云浮 电价 优惠', top_k: 2 }));
      expect(plain).toContain('［已失效］');
      expect(plain).not.toContain('注：');
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

  it('ask citations carry validity as an object, the clause path and low_confidence, as HTTP does', async () => {
    const r = await call('ask', { question: '云浮优惠办法第十条,企业用云服务的费用补贴怎么算?' });
    const [c] = structured<{ citations: Record<string, unknown>[] }>(r).citations;
    expect(c).toMatchObject({ n: 1, doc_id: 'yunfu', low_confidence: false, validity: { status: 'expired', effective_to: '2020-06-30' } });
    expect(typeof c?.clause_path).toBe('string');
    expect(text(r)).toContain('[1] 《云浮市促进云计算大数据产业发展优惠办法(试行)》');
    expect(text(r)).toContain('［已失效］');
  });

  it('ask states its outcome: answer, related with what is missing, and says what each means', async () => {
    const { tools } = await client.listTools();
    const description = tools.find((t) => t.name === 'ask')?.description ?? '';
    expect(description).not.toMatch(/has no provision/u);
    expect(description).toMatch(/"answer" — .*"related" — .*"not_found" — /u);
    const answered = await call('ask', { question: '云浮那个优惠办法现在还管用吗？' });
    expect(structured<{ outcome: string; abstained: boolean }>(answered)).toMatchObject({ outcome: 'answer', abstained: false });
    expect(text(answered)).toContain('［已失效］');
    expect(text(answered)).toContain('“第二十四条 本优惠办法自2017年7月1日起实施,试行期三年。”');
    const related = await call('ask', { question: '东莞的大数据发展规划现在还有效吗？' });
    expect(structured<{ outcome: string; missing: string }>(related)).toMatchObject({ outcome: 'related', missing: expect.stringContaining('效力状态') });
    expect(text(related).split('\n')[0]).toMatch(/^【相关条文，不构成答案】：(?:未找到|未载明|缺少)/u);
    // A whole clause quoted, the answering sentence named after it.
    const unit = text(await call('ask', { question: '世界五百强云计算企业把总部搬到云浮,能拿多少一次性奖励?' }));
    expect(unit).toMatch(/“第四条 .*500万元.*”\n（答句：“[^”]*世界500强[^”]*”）/u);
  });

  it('compare_provisions says 未检索到相关条文 for an empty row and never states absence as fact', async () => {
    const { tools } = await client.listTools();
    expect(tools.find((t) => t.name === 'compare_provisions')?.description).toMatch(/not that the document has no such provision/u);
    const r = await call('compare_provisions', { topic: '电费补贴', doc_ids: ['yunfu', 'hebei'] });
    const rows = structured<{ rows: { doc_id: string; retrieved: boolean }[] }>(r).rows;
    expect(rows.map((x) => [x.doc_id, x.retrieved])).toEqual([['yunfu', true], ['hebei', false]]);
    expect(text(r)).toContain('| 效力未载明 | 未检索到相关条文 |');
    expect(text(r)).not.toMatch(/未作规定|未规定|unknown|expired/u);
    const draft = await client.getPrompt({ name: 'draft_with_citations', arguments: { topic: '数据中心电费补贴条款' } });
    const steps = (draft.messages[0]?.content as { text: string }).text;
    expect(steps).toContain('未检索到某文件的相关条文');
    expect(steps).not.toMatch(/须如实写明|没有引文的行表示该文件未作规定/u);
  });

  // 深圳's clauses mention 用电 but never a subsidy: a compare row needs every word of the topic (decide.ts topicWordsMissing).
  it('compare_provisions gives 深圳 no 电费补贴 row', async () => {
    const r = await call('compare_provisions', { topic: '电费补贴', doc_ids: ['yunfu', 'shenzhen'] });
    const rows = structured<{ rows: { doc_id: string; retrieved: boolean }[] }>(r).rows;
    expect(rows.map((x) => [x.doc_id, x.retrieved])).toEqual([['yunfu', true], ['shenzhen', false]]);
  });

  it('list_documents paginates with a cursor', async () => {
    const { kb } = await realKnowledgeBase();
    const first = structured<{ documents: { doc_id: string; sections: number }[]; next_cursor: string | null }>(await call('list_documents', { limit: 5 }));
    expect(first.documents.map((d) => d.doc_id)).toEqual(['ai-plan', 'dongguan', 'hebei', 'huizhou', 'qingyuan']);
    expect(first.documents[0]?.sections).toBeGreaterThan(50);
    expect(first.documents[0]).toMatchObject({ doc_id: 'ai-plan', doc_number: '国发〔2017〕35号', format: 'markdown', page_count: 0, ocr: false, validity: { status: 'unknown', basis: '文件未载明施行日期或效力状态；知识库中未见废止或新版本', evidence: 'none' }, passages: kb.passages.filter((p) => p.docId === 'ai-plan').length, uri: 'policy://doc/ai-plan' });
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

describe('MCP server over a paginated source, judged on a given day', () => {
  let paged: Client;
  let split: number;
  let pagedKb: KnowledgeIndex;
  let http: Express;

  beforeAll(async () => {
    // yunfu as if extracted from a two-page PDF whose second page (from inside 第十条) was read by OCR.
    const yunfu = await realDoc('yunfu');
    split = yunfu.body.indexOf('第十条') + 10;
    const corpus = await mkdtemp(path.join(tmpdir(), 'kb-mcp-pages-'));
    const meta = { ...yunfu.meta, format: 'pdf' as const, pages: [[1, 0, split], [2, split, yunfu.body.length]] as [number, number, number][], ocrPages: [2] };
    await writeFile(path.join(corpus, 'yunfu.md'), serializeDocument(meta, yunfu.body));
    // On this day the trial rules (2017-07-01 to 2020-06-30) are in force; serve passes POLICY_KB_TODAY the same way.
    const config = await testConfig({ CORPUS_DIR: corpus, POLICY_KB_TODAY: '2018-03-01' });
    const { service, kb } = withSnapshot(await openKnowledgeBase(config, { autoIngest: true }));
    pagedKb = kb;
    http = createApp({ getService: () => service, today: () => config.today ?? 'unset' });
    paged = await connectClient({ getService: () => service, today: () => config.today ?? 'unset' });
  }, 120_000);

  const callPaged = async (name: string, args: Record<string, unknown>): Promise<CallToolResult> => (await paged.callTool({ name, arguments: args })) as CallToolResult;

  it('gives a search hit its page, OCR flag, format and the validity on that day', async () => {
    const r = await callPaged('search', { query: '云浮第十条', top_k: 1 });
    const [hit] = structured<{ results: Record<string, unknown>[] }>(r).results;
    expect(hit).toMatchObject({ doc_id: 'yunfu', clause: '第十条', page: 1, page_end: 2, ocr: true, format: 'pdf', validity: { status: 'in_force', effective_from: '2017-07-01', effective_to: '2020-06-30' } });
    expect(text(r)).toContain('第十条，第1–2页');
  });

  it('gives an ask citation its page and validity object', async () => {
    const s = structured<{ citations: Record<string, unknown>[] }>(await callPaged('ask', { question: '云浮优惠办法第十条,企业用云服务的费用补贴怎么算?' }));
    expect(s.citations[0]).toMatchObject({ doc_id: 'yunfu', page: 1, page_end: 2, ocr: true, format: 'pdf', validity: { status: 'in_force' } });
  });

  it('gives a passage read across the page break both pages, and a slice the page it lies on', async () => {
    const tenth = pagedKb.passages.find((p) => p.start < split && p.end > split) as (typeof pagedKb.passages)[number];
    expect(tenth.clause).toBe('第十条');
    const read = async (offset: number): Promise<Record<string, unknown> | undefined> => structured<{ passages: Record<string, unknown>[] }>(await callPaged('get_passage', { passage_ids: [tenth.passageId], offset })).passages[0];
    expect(await read(0)).toMatchObject({ start: tenth.start, end: tenth.end, page: 1, page_end: 2, ocr: true });
    const slice = await read(split - tenth.start);
    expect(slice).toMatchObject({ start: split, end: tenth.end, page: 2, ocr: true, validity: { status: 'in_force' } });
    expect(slice).not.toHaveProperty('page_end');
  });

  it('lists the document with its format, page count, OCR flag and validity', async () => {
    const [doc] = structured<{ documents: Record<string, unknown>[] }>(await callPaged('list_documents', {})).documents;
    expect(doc).toMatchObject({ doc_id: 'yunfu', format: 'pdf', page_count: 2, ocr: true, validity: { status: 'in_force' } });
  });

  it('compares provisions with the validity on that day and each citation\'s page', async () => {
    const r = await callPaged('compare_provisions', { topic: '云服务费用补贴' });
    const [row] = structured<{ rows: { doc_id: string; validity: { status: string }; citations: Record<string, unknown>[] }[] }>(r).rows;
    expect(row).toMatchObject({ doc_id: 'yunfu', validity: { status: 'in_force', effective_from: '2017-07-01' } });
    const tenth = row?.citations.find((c) => String(c.clause).endsWith('第十条'));
    expect(tenth).toMatchObject({ citation: '《云浮市促进云计算大数据产业发展优惠办法(试行)》第十条', page: 1, page_end: 2, ocr: true });
  });

  it('shows what HTTP shows, in snake_case: search hits, ask citations and documents', async () => {
    const mcpHits = structured<{ results: Record<string, unknown>[] }>(await callPaged('search', { query: '云浮第十条', top_k: 3 })).results;
    const httpHits = (await request(http).post('/api/search').send({ query: '云浮第十条', k: 3 })).body.results as { text: string }[];
    // MCP sends a snippet for the text, plus its resource URI and the low-confidence flag.
    expect(mcpHits.map(({ snippet: _s, uri: _u, low_confidence: _l, ...rest }) => rest)).toEqual(httpHits.map(({ text: _t, ...rest }) => toSnakeCase(rest)));
    const question = '云浮优惠办法第十条,企业用云服务的费用补贴怎么算?';
    const mcpCitations = structured<{ citations: Record<string, unknown>[] }>(await callPaged('ask', { question })).citations;
    const httpCitations = (await request(http).post('/api/chat').send({ question })).body.citations as Record<string, unknown>[];
    expect(mcpCitations.length).toBeGreaterThan(0);
    expect(mcpCitations).toEqual(httpCitations.map((c) => ({ ...(toSnakeCase(c) as object), low_confidence: c.lowConfidence === true })));
    const [mcpDoc] = structured<{ documents: Record<string, unknown>[] }>(await callPaged('list_documents', {})).documents;
    const [httpDoc] = (await request(http).get('/api/documents')).body.documents as Record<string, unknown>[];
    expect(mcpDoc).toEqual({ ...(toSnakeCase(httpDoc) as object), sections: expect.any(Number), uri: 'policy://doc/yunfu' });
  });
});
