/**
 * Property-based fuzzing of the MCP tools: any arguments give a result or an isError result (never a
 * crash), and the server keeps answering.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMcpServer } from '../../server/mcp/server.js';
import { realKnowledgeBase } from '../helpers.js';

let client: Client;
beforeAll(async () => {
  const { service } = await realKnowledgeBase();
  const [a, b] = InMemoryTransport.createLinkedPair();
  client = new Client({ name: 'fuzz', version: '1' });
  await Promise.all([createMcpServer({ getService: () => service }).connect(b), client.connect(a)]);
  await client.listTools();
});

const hostile = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('第'.repeat(2000), '（'.repeat(2000), '\u0000', '../../etc/passwd', '数'.repeat(2001), 'constructor', 'ＣＯＮＳＴＲＵＣＴＯＲ', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'));
// The probe's offsets (past the passage, at the edge of safe integers) and dates (impossible, leap days).
const anyValue = fc.oneof(hostile, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(hostile, { maxLength: 12 }), fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 53, 1e21, -1, 4000, 4001), fc.constantFrom('2016-13-45', '2024-02-29', '2023-02-29', '0000-00-00', '2018-03-01'));

describe('MCP tools under fuzzed arguments', () => {
  it('answer with a result or isError, and keep serving', async () => {
    let cases = 0;
    const tools = ['search', 'get_passage', 'ask', 'list_documents', 'get_outline'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...tools), fc.dictionary(fc.constantFrom('query', 'top_k', 'doc_ids', 'issuer', 'passage_ids', 'neighbors', 'offset', 'question', 'cursor', 'limit', 'doc_id', 'valid_on', 'in_force', 'x'), anyValue, { maxKeys: 4 }), async (name, args) => {
        cases += 1;
        let result;
        try {
          result = await client.callTool({ name, arguments: args });
        } catch (error) {
          // Protocol-level rejection of malformed params is a clean 4xx-equivalent, not a crash.
          expect(String(error)).toMatch(/MCP error -3260[02]/u);
          return;
        }
        if (result.isError) expect((result.content as { text: string }[])[0]?.text.length).toBeGreaterThan(0);
        else expect(result.structuredContent).toBeDefined();
      }),
      { numRuns: 250 },
    );
    const ok = await client.callTool({ name: 'search', arguments: { query: '云浮第十条', top_k: 1 } });
    expect((ok.structuredContent as { results: { doc_id: string }[] }).results[0]?.doc_id).toBe('yunfu');
    process.stderr.write(`mcp fuzz: ${cases} tool calls\n`);
  }, 180_000);
});

describe('MCP resources under fuzzed URIs', () => {
  it('answer contents, or -32602 (malformed) / -32002 (unknown): never an internal error', async () => {
    let cases = 0;
    const piece = fc.oneof(hostile, fc.constantFrom('%ZZ', '%', '%E0%A4%A', '%2F..%2F', 'yunfu', '%00', '..', 'constructor', '__proto__'));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('policy://doc/', 'policy://passage/'), piece, async (base, id) => {
        cases += 1;
        let uri: string;
        try {
          uri = base + (/%/u.test(id) ? id : encodeURIComponent(id));
        } catch {
          uri = `${base}%ED%A0%80`;
        }
        try {
          const r = await client.readResource({ uri });
          expect(r.contents.length).toBe(1);
        } catch (error) {
          expect(String(error)).toMatch(/MCP error -32(602|002)/u);
        }
      }),
      { numRuns: 200 },
    );
    process.stderr.write(`mcp resource fuzz: ${cases} reads\n`);
  }, 120_000);
});
