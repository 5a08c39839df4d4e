/**
 * Versions in use: 新旧对照 (diff), the current text first in search, an answer citing an old text
 * told so with the current clause cited, over HTTP (POST /api/diff) and MCP (diff_versions).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/http/app.js';
import { createMcpServer } from '../../server/mcp/server.js';
import { parseDocumentFile } from '../../src/corpus/document.js';
import { parsePolicy } from '../../src/corpus/parser.js';
import { judgeValidity } from '../../src/corpus/validity.js';
import { createFakeEmbedder, fakeEmbedderProfile } from '../../src/embeddings/fake-embedder.js';
import { loadIndex } from '../../src/storage/file/index-store.js';
import { ingest } from '../../src/pipeline/ingest/ingest.js';
import type { Answer, Citation } from '../../src/retrieval/answer.js';
import { diffDocuments, diffMarkdown, MAX_UNITS, MIN_SIMILARITY } from '../../src/retrieval/diff.js';
import { toChineseNumeral } from '../../src/shared/numerals.js';
import { createKnowledgeService, type KnowledgeService } from '../../src/retrieval/service.js';
import { citeCurrentVersions, preferCurrentVersions } from '../../src/retrieval/versions.js';
import { fileStore } from '../../src/storage/file/file-store.js';
import { withLineage } from '../../src/storage/lineage-store.js';
import { ROOT } from '../helpers.js';

const TODAY = '2026-12-06';
const head = (revisions: string): string => `# 中华人民共和国某某条例\n\n2001年6月15日 中华人民共和国国务院令第306号公布\n\n${revisions}<!-- INFO END -->\n\n## 第一章 总则\n\n`;
const OLD = `${head('2010年1月9日 《国务院关于修改〈中华人民共和国某某条例〉的决定》第一次修订\n\n')}第一条 为了规范某某活动，制定本条例。\n\n第二条 申请人应当向主管部门提交书面申请。\n\n第三条 主管部门应当在二十日内作出决定。\n\n第四条 本条例所称某某，是指依法设立的某某机构。\n\n第五条 违反本条例的，由主管部门责令改正。\n`;
// The new version: a clause inserted after 第一条 (renumbering the rest), 第三条 edited, 第四条 gone, 第五条 moved before the old 第二条.
const NEW = `${head('2010年1月9日 《国务院关于修改〈中华人民共和国某某条例〉的决定》第一次修订\n\n2023年12月11日 《国务院关于修改〈中华人民共和国某某条例〉的决定》第二次修订\n\n')}第一条 为了规范某某活动，制定本条例。\n\n第二条 国家鼓励以电子形式提交申请。\n\n第三条 违反本条例的，由主管部门责令改正。\n\n第四条 申请人应当向主管部门提交书面申请。\n\n第五条 主管部门应当在十五个工作日内作出决定。\n`;

const input = (file: string, text: string) => {
  const doc = parseDocumentFile(file, new TextEncoder().encode(text));
  return { meta: doc.meta, body: doc.body, tree: parsePolicy(doc.body) };
};

describe('diffDocuments', () => {
  const from = input('某某条例(2010-01-09).md', OLD);
  const to = input('某某条例(2023-12-11).md', NEW);
  const diff = diffDocuments(from, to);
  const rows = diff.rows.map((r) => [r.status, r.from?.clause ?? '', r.to?.clause ?? '']);

  it('aligns clauses by content, not number: renumbered is unchanged, reordered is moved', () => {
    expect(rows).toEqual([
      ['unchanged', '第一条', '第一条'],
      ['added', '', '第二条'],
      ['moved', '第五条', '第三条'],
      ['unchanged', '第二条', '第四条'],
      ['modified', '第三条', '第五条'],
      ['removed', '第四条', ''],
    ]);
    expect(diff.summary).toEqual({ unchanged: 2, modified: 1, added: 1, removed: 1, moved: 1 });
  });

  it('gives each side as a body slice and the changed characters as body ranges inside it', () => {
    for (const r of diff.rows) {
      if (r.from) expect(from.body.slice(r.from.start, r.from.end)).toBe(r.from.text);
      if (r.to) expect(to.body.slice(r.to.start, r.to.end)).toBe(r.to.text);
    }
    const modified = diff.rows.find((r) => r.status === 'modified');
    // The fewest characters: 二十 → 十五个工作 keeps its 十.
    expect(modified?.changes?.map(([s, e]) => to.body.slice(s, e))).toEqual(['五个工作']);
    expect(modified?.fromChanges?.map(([s, e]) => from.body.slice(s, e))).toEqual(['二']);
  });

  it('writes the 修订说明 table, escaping what Markdown or HTML would read', () => {
    const md = diffMarkdown(diff);
    expect(md).toContain('| 修改前 | 修改后 | 说明 |');
    expect(md).toContain('| 第三条 主管部门应当在~~二~~十日内作出决定。 | 第五条 主管部门应当在十**五个工作**日内作出决定。 | 修改（第三条→第五条） |');
    expect(md).not.toContain('未修改（');
    const hostile = diffMarkdown({ ...diff, rows: [{ status: 'added', to: { clause: '第九条', start: 0, end: 12, text: '第九条 <b>x</b>|y' } }] });
    expect(hostile).toContain('|  | 第九条 &lt;b&gt;x&lt;/b&gt;\\|y | 新增 |');
  });

  it('takes a clause a little edited for the same clause, and a rewritten one for another', () => {
    expect(MIN_SIMILARITY).toBe(0.5);
    const a = input('a.md', '第一条 甲乙丙丁戊己庚辛壬癸。');
    const b = input('b.md', '第一条 子丑寅卯辰巳午未申酉。');
    expect(diffDocuments(a, b).rows.map((r) => r.status)).toEqual(['added', 'removed']);
  });
});

const REAL = path.resolve(ROOT, '..', 'shared', 'library', 'laws', 'files');
describe.skipIf(!existsSync(REAL))('专利法实施细则 2010 → 2023', () => {
  it('matches renumbered clauses: 2010 第十一条 is 2023 第十二条, unchanged', () => {
    const load = (f: string) => input(f, readFileSync(path.join(REAL, f), 'utf8'));
    const diff = diffDocuments(load('专利法实施细则(2010-01-09).md'), load('专利法实施细则(2023-12-11).md'));
    const row = diff.rows.find((r) => r.from?.clause === '第十一条');
    expect(row).toMatchObject({ status: 'unchanged', to: { clause: '第十二条' } });
    // Every clause of each text is in exactly one row.
    expect(diff.rows.filter((r) => r.to).length).toBe(149);
  });
});

describe('versions in a library', () => {
  const embedder = createFakeEmbedder({ dimension: 32 });
  let service: KnowledgeService;
  beforeAll(async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'kb-versions-'));
    const corpusDir = path.join(root, 'corpus');
    const indexDir = path.join(root, 'index');
    await mkdir(corpusDir);
    await writeFile(path.join(corpusDir, '某某条例(2010-01-09).md'), OLD);
    await writeFile(path.join(corpusDir, '某某条例(2023-12-11).md'), NEW);
    await ingest({ corpusDir, indexDir, embedder, profile: fakeEmbedderProfile(embedder), chunkMaxChars: 400, chunkMinChars: 10, hnsw: { M: 8, efConstruction: 50, efSearch: 50 }, batchSize: 16 });
    const kb = await loadIndex(indexDir, { modelId: embedder.modelId, dimension: embedder.dimension, chunkMaxChars: 400, chunkMinChars: 10, efSearch: 50 });
    service = createKnowledgeService(withLineage(fileStore(kb)), embedder, { answer: { today: TODAY }, search: { today: TODAY } });
  }, 60_000);

  it('ranks the current version first for 《title》第一条, whose text both versions share', async () => {
    const r = await service.search('《中华人民共和国某某条例》第一条', { k: 4 });
    expect(r.results.slice(0, 2).map((h) => [h.docId, h.clause])).toEqual([
      ['某某条例-2023-12-11', '第一条'],
      ['某某条例-2010-01-09', '第一条'],
    ]);
  });

  it('keeps different clauses in their order: only a newer version of the same clause moves up', () => {
    const summaries = new Map([
      ['old', { meta: { docId: 'old', title: 't', issuer: '', lineage: { versions: [{ docId: 'old', title: 't' }, { docId: 'new', title: 't' }] } } }],
      ['new', { meta: { docId: 'new', title: 't', issuer: '', lineage: { versions: [{ docId: 'old', title: 't' }, { docId: 'new', title: 't' }] } } }],
      ['other', { meta: { docId: 'other', title: 'o', issuer: '' } }],
    ]);
    const hits = [{ docId: 'old', clause: '第一条' }, { docId: 'other', clause: '第一条' }, { docId: 'old', clause: '第二条' }, { docId: 'new', clause: '第二条' }, { docId: 'new', clause: '第一条' }];
    expect(preferCurrentVersions(hits, (h) => h, summaries).map((h) => `${h.docId}:${h.clause}`)).toEqual(['new:第一条', 'old:第一条', 'other:第一条', 'new:第二条', 'old:第二条']);
  });

  it('says an answer cites an old text, and cites the matching clause of the current version', async () => {
    const store = service.store;
    const old = await store.documents.get('某某条例-2010-01-09');
    const at = (old?.body ?? '').indexOf('第三条 主管部门');
    const end = (old?.body ?? '').indexOf('\n', at);
    const cited: Answer = {
      question: '多少天内作出决定',
      answer: '主管部门应当在二十日内作出决定[1]。',
      citations: [{ n: 1, passageId: 'p', docId: '某某条例-2010-01-09', title: '中华人民共和国某某条例', issuer: '国务院', breadcrumb: 'x', clause: '第三条', quote: (old?.body ?? '').slice(at, end), start: at, end, validity: judgeValidity(old?.meta ?? { title: '' }, TODAY) }],
      outcome: 'answer',
      abstained: false,
      confidence: 1,
      generator: 'extractive',
    };
    expect(cited.citations[0]?.validity?.status).toBe('superseded');
    const out = await citeCurrentVersions(store, cited, TODAY);
    const current = out.citations[1];
    expect(current).toMatchObject({ n: 2, docId: '某某条例-2023-12-11', clause: '第五条' });
    const now = await store.documents.get('某某条例-2023-12-11');
    expect(now?.body.slice(current?.start, current?.end)).toBe(current?.quote);
    expect(out.answer).toContain('注意：[1] 所引为旧文本；现行文本《中华人民共和国某某条例》（2023年12月11日）第五条（已修改）：“第五条 主管部门应当在十五个工作日内作出决定。”[2]');
    expect(current?.passageId).not.toBe('');
    // A citation of the old document itself (its metadata: 这一版还有效吗) quotes no clause: no clause note.
    const ofDocument = { ...cited, citations: [{ ...(cited.citations[0] as Citation), clause: '', quote: '', start: 0, end: 0 }] };
    expect((await citeCurrentVersions(store, ofDocument, TODAY)).answer).toBe(ofDocument.answer);
  });

  it('answers POST /api/diff as the issue spells it, and refuses bad input clearly', async () => {
    const app = createApp({ getService: () => service, today: () => TODAY });
    const ok = await request(app).post('/api/diff').send({ from: '某某条例-2010-01-09', to: '某某条例-2023-12-11' });
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body).slice(0, 3)).toEqual(['from', 'to', 'rows']);
    expect(ok.body.from).toBe('某某条例-2010-01-09');
    expect(ok.body.rows[4]).toMatchObject({ status: 'modified', from: { clause: '第三条' }, to: { clause: '第五条' }, changes: [expect.any(Array)] });
    const md = await request(app).post('/api/diff').send({ from: '某某条例-2010-01-09', to: '某某条例-2023-12-11', format: 'markdown' });
    expect(md.headers['content-type']).toMatch(/^text\/markdown/u);
    expect(md.text).toContain('| 修改前 | 修改后 | 说明 |');
    const unknown = await request(app).post('/api/diff').send({ from: '某某条例-2010-01-09', to: 'nothing' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: 'unknown_doc', error_description: 'unknown docId "nothing"; list the documents (GET /api/documents, kb docs, MCP list_documents) for their ids' });
    const same = await request(app).post('/api/diff').send({ from: '某某条例-2010-01-09', to: '某某条例-2010-01-09' });
    expect(same.status).toBe(400);
    expect(same.body.error_description).toBe('from and to are the same document ("某某条例-2010-01-09"); name two versions to compare');
    const extra = await request(app).post('/api/diff').send({ from: 'a', to: 'b', colour: 'red' });
    expect(extra.status).toBe(400);
    expect(extra.body.error_description).toMatch(/^expected \{from, to\} \(two docIds\): body: Unrecognized key/u);
    const detail = await request(app).get(`/api/documents/${encodeURIComponent('某某条例-2010-01-09')}`);
    expect(detail.body.validity).toMatchObject({ status: 'superseded', supersededBy: '某某条例-2023-12-11' });
    expect(detail.body.versions).toEqual([
      { docId: '某某条例-2010-01-09', title: '中华人民共和国某某条例', date: '2010-01-09', current: false },
      { docId: '某某条例-2023-12-11', title: '中华人民共和国某某条例', date: '2023-12-11', current: true },
    ]);
    expect(detail.body.history.map((h: { action: string }) => h.action)).toEqual(['公布', '修订']);
  });

  it('offers diff_versions over MCP, with the table as text', async () => {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'test', version: '1.0.0' });
    await Promise.all([createMcpServer({ getService: () => service, today: () => TODAY }).connect(serverSide), client.connect(clientSide)]);
    await client.listTools();
    const r = (await client.callTool({ name: 'diff_versions', arguments: { from_doc_id: '某某条例-2010-01-09', to_doc_id: '某某条例-2023-12-11' } })) as CallToolResult;
    expect(r.isError).toBeFalsy();
    expect((r.structuredContent as { summary: Record<string, number> }).summary).toEqual({ unchanged: 2, modified: 1, added: 1, removed: 1, moved: 1 });
    expect((r.content[0] as { text: string }).text).toContain('| 修改前 | 修改后 | 说明 |');
    const bad = (await client.callTool({ name: 'diff_versions', arguments: { from_doc_id: 'x', to_doc_id: 'x' } })) as CallToolResult;
    expect(bad.isError).toBe(true);
    const outline = (await client.callTool({ name: 'get_outline', arguments: { doc_id: '某某条例-2010-01-09' } })) as CallToolResult;
    expect((outline.structuredContent as { versions: unknown[] }).versions).toHaveLength(2);
    expect((outline.content[0] as { text: string }).text).toContain('沿革：2001-06-15 中华人民共和国国务院令第306号 公布');
  });
});

describe('a diff of big documents', () => {
  const embedder = createFakeEmbedder({ dimension: 16 });
  let service: KnowledgeService;
  /** A regulation of `n` articles, each worded apart by `seed`. */
  const big = (title: string, n: number, seed: string): string => {
    const lines = [`# ${title}`, ''];
    for (let i = 1; i <= n; i += 1) lines.push(`第${toChineseNumeral(i)}条 ${seed}事项${i}：申请人应当于${seed}第${(i * 7919) % 10007}日前提交材料。`, '');
    return lines.join('\n');
  };
  beforeAll(async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'kb-versions-big-'));
    const corpusDir = path.join(root, 'corpus');
    const indexDir = path.join(root, 'index');
    await mkdir(corpusDir);
    await writeFile(path.join(corpusDir, 'over.md'), big('超大条例', MAX_UNITS + 1, '甲'));
    await writeFile(path.join(corpusDir, 'big-a.md'), big('大条例', 2000, '乙'));
    await writeFile(path.join(corpusDir, 'big-b.md'), big('大条例', 2000, '丙'));
    await ingest({ corpusDir, indexDir, embedder, profile: fakeEmbedderProfile(embedder), chunkMaxChars: 4000, chunkMinChars: 10, hnsw: { M: 8, efConstruction: 50, efSearch: 50 }, batchSize: 64 });
    const kb = await loadIndex(indexDir, { modelId: embedder.modelId, dimension: embedder.dimension, chunkMaxChars: 4000, chunkMinChars: 10, efSearch: 50 });
    service = createKnowledgeService(withLineage(fileStore(kb)), embedder, { answer: { today: TODAY }, search: { today: TODAY } });
  }, 240_000);

  it('refuses a document over MAX_UNITS clauses with a clear 400 (HTTP) and a tool error (MCP); unknown ids are 404 / errors', async () => {
    const app = createApp({ getService: () => service, today: () => TODAY });
    const over = await request(app).post('/api/diff').send({ from: 'over', to: 'big-a' });
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({ error: 'invalid_input', error_description: `over has ${MAX_UNITS + 1} clauses; versions are compared up to ${MAX_UNITS} clauses each; compare a smaller document` });
    const long = await request(app).post('/api/diff').send({ from: 'x'.repeat(101), to: 'big-a' });
    expect(long.status).toBe(400);
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'test', version: '1.0.0' });
    await Promise.all([createMcpServer({ getService: () => service, today: () => TODAY }).connect(serverSide), client.connect(clientSide)]);
    const r = (await client.callTool({ name: 'diff_versions', arguments: { from_doc_id: 'over', to_doc_id: 'big-a' } })) as CallToolResult;
    expect(r.isError).toBe(true);
    expect((r.content[0] as { text: string }).text).toContain(`versions are compared up to ${MAX_UNITS} clauses each`);
    const unknown = (await client.callTool({ name: 'diff_versions', arguments: { from_doc_id: 'big-a', to_doc_id: 'nothing' } })) as CallToolResult;
    expect(unknown.isError).toBe(true);
    expect((unknown.content[0] as { text: string }).text).toContain('unknown docId "nothing"');
  });

  it('compares two documents of 2,000 clauses each within its bounds, and accounts for every clause', async () => {
    const app = createApp({ getService: () => service, today: () => TODAY });
    const res = await request(app).post('/api/diff').send({ from: 'big-a', to: 'big-b' });
    expect(res.status).toBe(200);
    const rows = res.body.rows as { status: string; from?: unknown; to?: unknown }[];
    expect(rows.filter((r) => r.from !== undefined)).toHaveLength(2000);
    expect(rows.filter((r) => r.to !== undefined)).toHaveLength(2000);
  }, 120_000);
});
