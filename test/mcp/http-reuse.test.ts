/**
 * MCP over Streamable HTTP keeps servers between requests: concurrent and successive requests each
 * get their own answer, and a server that took client state (initialize) is not handed to another.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createApp } from '../../server/http/app.js';
import { mountMcpHttp, reusableAfter } from '../../server/mcp/http.js';
import type { KnowledgeService } from '../../src/retrieval/service.js';
import { realKnowledgeBase } from '../helpers.js';

let service: KnowledgeService;
let server: Server;
let url: string;
let built = 0;
beforeAll(async () => {
  service = (await realKnowledgeBase()).service;
  // createMcpServer reads the version once per server it builds: the count of servers built.
  const deps = {
    getService: () => service,
    get version() {
      built += 1;
      return 'test';
    },
  };
  const app = createApp({ getService: () => service, mounts: [mountMcpHttp(deps)] });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function call(id: number, query: string): Promise<{ id: number; query: string; results: { passage_id: string }[] }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'search', arguments: { query, top_k: 3 } } }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { id: number; result: { structuredContent: { query: string; results: { passage_id: string }[] } } };
  return { id: body.id, query: body.result.structuredContent.query, results: body.result.structuredContent.results };
}

describe('MCP over Streamable HTTP with kept servers', () => {
  it('answers concurrent requests each with its own id and its own query’s results', async () => {
    const queries = ['云浮对数据中心有什么电费补贴', '深圳政府数据开放', '人工智能发展的战略目标', '惠州市政务数据共享', '东莞数字政府建设'];
    const before = built;
    const expected = await Promise.all(queries.map(async (q) => (await service.search(q, { k: 3 })).results.map((h) => h.passageId)));
    for (let round = 0; round < 3; round += 1) {
      const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => call(round * 100 + i, queries[i % queries.length] as string)));
      replies.forEach((r, i) => {
        expect(r.id).toBe(round * 100 + i);
        expect(r.query).toBe(queries[i % queries.length]);
        expect(r.results.map((h) => h.passage_id)).toEqual(expected[i % queries.length]);
      });
    }
    // 60 requests, at most 20 at once: the servers of the first round serve the next two.
    expect(built - before).toBeGreaterThan(0);
    expect(built - before).toBeLessThanOrEqual(20);
  });

  it('serves a full client session (initialize, list, call) after kept servers answered others', async () => {
    await call(1, '云浮');
    const client = new Client({ name: 'reuse-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toContain('search');
    const result = await client.callTool({ name: 'search', arguments: { query: '云浮第十条', top_k: 2 } });
    expect((result.structuredContent as { results: unknown[] }).results).toHaveLength(2);
    await client.close();
    // The server that handled initialize was dropped, not kept: the next request builds or takes another.
    expect((await call(2, '深圳')).results.length).toBeGreaterThan(0);
  });
});

describe('reusableAfter', () => {
  it('keeps a server after requests that leave no client state', () => {
    expect(reusableAfter({ jsonrpc: '2.0', id: 1, method: 'tools/call' })).toBe(true);
    expect(reusableAfter([{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { jsonrpc: '2.0', method: 'notifications/initialized' }])).toBe(true);
  });

  it('drops a server after initialize, logging/setLevel, or a body that is not JSON-RPC', () => {
    expect(reusableAfter({ jsonrpc: '2.0', id: 1, method: 'initialize' })).toBe(false);
    expect(reusableAfter([{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { jsonrpc: '2.0', id: 2, method: 'logging/setLevel' }])).toBe(false);
    expect(reusableAfter('not json-rpc')).toBe(false);
    expect(reusableAfter(undefined)).toBe(false);
    expect(reusableAfter([{ id: 1 }])).toBe(false);
  });
});
