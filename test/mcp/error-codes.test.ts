/**
 * MCP errors carry the code the client can act on: malformed resource URIs are invalid params
 * (-32602), unknown ids are resource-not-found (-32002), never internal errors (-32603); a
 * get_passage offset past the passage keeps start/end inside the document.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMcpServer } from '../../server/mcp/server.js';
import type { KnowledgeService } from '../../src/retrieval/service.js';
import { realKnowledgeBase } from '../helpers.js';

let client: Client;
let service: KnowledgeService;
beforeAll(async () => {
  service = (await realKnowledgeBase()).service;
  const [a, b] = InMemoryTransport.createLinkedPair();
  client = new Client({ name: 'codes', version: '1' });
  await Promise.all([createMcpServer({ getService: () => service }).connect(b), client.connect(a)]);
  await client.listTools(); // the client then validates structuredContent against each output schema
});

async function codeOf(uri: string): Promise<number> {
  try {
    await client.readResource({ uri });
  } catch (error) {
    expect(error).toBeInstanceOf(McpError);
    return (error as McpError).code;
  }
  throw new Error(`${uri} was read`);
}

describe('resource errors', () => {
  it.each(['policy://doc/%ZZ', 'policy://doc/%E0%A4%A', 'policy://passage/%ZZ', 'policy://passage/%'])('%s is invalid params (-32602)', async (uri) => {
    expect(await codeOf(uri)).toBe(-32602);
  });

  it.each(['policy://doc/nope', 'policy://doc/..%2F..%2Fetc%2Fpasswd', 'policy://doc/constructor', 'policy://passage/nope', 'policy://passage/__proto__'])('%s is resource not found (-32002)', async (uri) => {
    expect(await codeOf(uri)).toBe(-32002);
  });

  it('names the unknown id and where to find real ones', async () => {
    await expect(client.readResource({ uri: 'policy://doc/nope' })).rejects.toThrow('MCP error -32002: unknown doc_id "nope"; list_documents or resources/list gives the ids');
  });
});

describe('get_passage offsets', () => {
  it.each([Number.MAX_SAFE_INTEGER, 10_000_000, 1])('offset %d keeps start/end within the passage and the document', async (offset) => {
    const first = (await service.store.documents.list())[0]?.meta.docId as string;
    const p = (await service.store.passages.ofDocument(first))[0] as NonNullable<Awaited<ReturnType<typeof service.store.passages.get>>[number]>;
    const body = (await service.store.documents.get(p.docId))?.body as string;
    const result = (await client.callTool({ name: 'get_passage', arguments: { passage_ids: [p.passageId], offset } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const [view] = (result.structuredContent as { passages: { start: number; end: number; text: string }[] }).passages;
    expect(view?.start).toBeGreaterThanOrEqual(p.start);
    expect(view?.end).toBeLessThanOrEqual(p.end);
    expect(view?.end).toBeLessThanOrEqual(body.length);
    expect(body.slice(view?.start, view?.end)).toBe(view?.text);
  });
});
