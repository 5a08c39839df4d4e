/**
 * Issue 25.2, the read side: a NUL (or another C0 control character) in an id or a filter is the
 * client's error — 400 `invalid_input` naming the field and the character — on every route, MCP tool
 * and CLI command, on both backends. On PostgreSQL it used to reach the database, which cannot hold
 * NUL in text ("invalid byte sequence for encoding UTF8: 0x00"), and answer 500.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../server/cli/main.js';
import { createApp } from '../../server/http/app.js';
import { mountDocumentRoutes } from '../../server/http/routes/documents.js';
import { createMcpServer } from '../../server/mcp/server.js';
import type { KnowledgeService } from '../../src/retrieval/service.js';
import { controlCharProblem, requirePlainText } from '../../src/shared/control-chars.js';
import { captureIo, realKnowledgeBase, testConfig } from '../helpers.js';
import { postgresKnowledgeBase, type PostgresKnowledgeBase } from '../storage/postgres-service.js';

let pg: PostgresKnowledgeBase;
let file: KnowledgeService;

beforeAll(async () => {
  [pg, file] = await Promise.all([postgresKnowledgeBase(), realKnowledgeBase().then((o) => o.service)]);
}, 120_000);

afterAll(async () => {
  await pg?.close();
});

function appOver(service: KnowledgeService): Express {
  const documents = mountDocumentRoutes({ getService: () => service, getLibrary: () => undefined, loopbackOnly: true, uploadMaxBytes: 1024 * 1024, today: () => '2026-11-29' });
  return createApp({ getService: () => service, today: () => '2026-11-29', mounts: [documents] });
}

const NOT_PLAIN = '; ids and filters are plain text: remove it';

describe('controlCharProblem', () => {
  it('names the first control character and its position, and passes plain text', () => {
    expect(controlCharProblem('yun\u0000fu')).toBe('holds the control character U+0000 at position 4');
    expect(controlCharProblem('a\tb')).toBe('holds the control character U+0009 at position 2');
    expect(controlCharProblem('x\u007f')).toBe('holds the control character U+007F at position 2');
    expect(controlCharProblem('国务院 办公厅（2021）')).toBeUndefined();
    expect(() => requirePlainText('docId', 'a\u0001')).toThrow('docId holds the control character U+0001 at position 2; ids and filters are plain text: remove it');
  });
});

describe.each([
  ['PostgreSQL', () => pg.service],
  ['the embedded index', () => file],
])('a control character in an id or a filter, on %s', (_name, service) => {
  let app: Express;
  beforeAll(() => {
    app = appOver(service());
  });
  const post = (path: string, body: object) => request(app).post(path).set('content-type', 'application/json').send(body);

  it.each([
    ['/api/search', { query: '数据', issuer: '国务\u0000院' }, 'issuer: holds the control character U+0000 at position 3'],
    ['/api/search', { query: '数据', docIds: ['yunfu', 'yun\u0000fu'] }, 'docIds[1]: holds the control character U+0000 at position 4'],
    ['/api/chat', { question: '电费补贴', docIds: ['\u0001yunfu'] }, 'docIds[0]: holds the control character U+0001 at position 1'],
    ['/api/compare', { topic: '电费补贴', docIds: ['yunfu\u001f'] }, 'docIds.0: holds the control character U+001F at position 6'],
  ])('POST %s %j answers 400 naming the field', async (path, body, description) => {
    const res = await post(path, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_input', error_description: `${description}${NOT_PLAIN}` });
  });

  it.each([
    ['GET', '/api/documents/yun%00fu', 'docId'],
    ['GET', '/api/documents/yun%00fu/original', 'docId'],
    ['GET', '/api/passages/yunfu%00-0001', 'passageId'],
    ['DELETE', '/api/documents/yun%00fu', 'docId'],
  ])('%s %s answers 400 naming the id', async (method, path, field) => {
    const res = method === 'GET' ? await request(app).get(path) : await request(app).delete(path);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_input');
    expect(res.body.error_description).toMatch(new RegExp(`^${field} holds the control character U\\+0000 at position \\d+; ids and filters are plain text: remove it$`, 'u'));
  });

  it('MCP tools and resources refuse it as the client\'s error, not an internal one', async () => {
    const [a, b] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'nul', version: '1' });
    await Promise.all([createMcpServer({ getService: service }).connect(b), client.connect(a)]);
    const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as CallToolResult;
    const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;
    for (const [name, args] of [
      ['search', { query: '数据', issuer: '国务\u0000院' }],
      ['search', { query: '数据', doc_ids: ['yun\u0000fu'] }],
      ['get_outline', { doc_id: 'yun\u0000fu' }],
      ['get_passage', { passage_ids: ['yunfu\u0000-1'] }],
    ] as const) {
      const r = await call(name, args);
      expect(r.isError, name).toBe(true);
      expect(text(r), name).toMatch(/holds the control character U\+0000 at position \d+; ids and filters are plain text: remove it/u);
    }
    await expect(client.readResource({ uri: 'policy://doc/yun%00fu' })).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('doc_id holds the control character U+0000 at position 4') as string });
    await expect(client.readResource({ uri: 'policy://passage/a%00b' })).rejects.toMatchObject({ code: -32602 });
    await client.close();
  });
});

describe('PostgreSQL as the last line', () => {
  it('refuses a NUL that reaches the database as invalid_input, not a raw driver error', async () => {
    await expect(pg.database.store.documents.get('yun\u0000fu')).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/cannot be stored as PostgreSQL text .*must not hold NUL \(U\+0000\)/u) as string });
    await expect(pg.database.store.passages.get(['a\u0000'])).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('CLI commands that take an id or a filter', () => {
  it.each([
    [['show', 'yun\u0001fu'], '<docId> holds the control character U+0001 at position 4'],
    [['outline', '\u0007yunfu'], '<docId> holds the control character U+0007 at position 1'],
    [['remove', 'yunfu\u001b'], '<docId> holds the control character U+001B at position 6'],
    [['search', '电费补贴', '--doc', 'yun\u0001fu'], '--doc holds the control character U+0001 at position 4'],
    [['compare', '电费补贴', '--doc', 'yunfu', '--doc', 'a\u007f'], '--doc holds the control character U+007F at position 2'],
  ])('kb %j exits 2 with a usage error', async (argv, message) => {
    const config = await testConfig();
    const io = captureIo({ INDEX_DIR: config.indexDir, MODELS_DIR: config.modelsDir });
    expect(await runCli(argv, io)).toBe(2);
    expect(io.err()).toContain(`${message}; ids and filters are plain text: remove it`);
  }, 60_000);
});
