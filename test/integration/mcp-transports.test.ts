import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../server/cli/main.js';
import { captureIo, CORPUS_DIR, MODELS_DIR, ROOT, testConfig } from '../helpers.js';
import { ENTRY, startServe, type RunningServer } from './servers.js';

const run = promisify(execFile);
const INSPECTOR = path.join(ROOT, 'node_modules/@modelcontextprotocol/inspector-cli/build/index.js');
// The inspector CLI finds its own package.json relative to the working directory: run it from there.
const INSPECTOR_CWD = path.dirname(INSPECTOR);
let env: Record<string, string>;
let http: RunningServer;
let secured: RunningServer;

beforeAll(async () => {
  const config = await testConfig();
  env = { CORPUS_DIR, MODELS_DIR, INDEX_DIR: config.indexDir, LOG_LEVEL: 'warn' };
  expect(await runCli(['ingest'], captureIo(env))).toBe(0);
  [http, secured] = await Promise.all([startServe(env), startServe({ ...env, API_TOKEN: 'test-token-123' })]);
}, 120_000);

afterAll(async () => {
  await Promise.all([http?.stop(), secured?.stop()]);
});

describe('stdio transport', () => {
  it('writes nothing but JSON-RPC on stdout', async () => {
    const child = spawn(process.execPath, [ENTRY, 'mcp'], { cwd: ROOT, env: { ...process.env, ...env, LOG_LEVEL: 'debug' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const send = (msg: object): void => void child.stdin.write(`${JSON.stringify(msg)}\n`);
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'search', arguments: { query: '云浮第十条' } } });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer; stdout: ${stdout}`)), 60_000);
      child.stdout.on('data', () => {
        if (stdout.includes('"id":2')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.stdin.end();
    await new Promise((r) => child.once('exit', r));
    const lines = stdout.split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
  }, 90_000);

  it('serves a real SDK client', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [ENTRY, 'mcp'], cwd: ROOT, env: { ...(process.env as Record<string, string>), ...env }, stderr: 'ignore' });
    const client = new Client({ name: 'stdio-test', version: '1' });
    await client.connect(transport);
    await client.listTools();
    const r = await client.callTool({ name: 'ask', arguments: { question: '云浮优惠办法第十条,企业用云服务的费用补贴怎么算?' } });
    expect((r.structuredContent as { answer: string }).answer).toContain('第十条');
    await client.close();
  }, 90_000);
});

describe('Streamable HTTP transport on kb serve', () => {
  it('serves a real SDK client statelessly', async () => {
    const client = new Client({ name: 'http-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`)));
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(7);
    const r = await client.callTool({ name: 'search', arguments: { query: '深圳 数据交易平台', top_k: 2 } });
    expect((r.structuredContent as { results: { doc_id: string }[] }).results[0]?.doc_id).toBe('shenzhen');
    await client.close();
  });

  it('never answers 5xx to fuzzed JSON-RPC bodies', async () => {
    const fc = (await import('fast-check')).default;
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.string({ maxLength: 200 }), fc.record({ jsonrpc: fc.constant('2.0'), id: fc.integer(), method: fc.constantFrom('tools/call', 'tools/list', 'resources/read', 'prompts/get', 'nope'), params: fc.jsonValue() }).map((v) => JSON.stringify(v))), async (body) => {
        cases += 1;
        const res = await fetch(`${http.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body });
        expect(res.status).toBeLessThan(500);
        await res.text();
      }),
      { numRuns: 60 },
    );
    process.stderr.write(`mcp http fuzz: ${cases} requests\n`);
    const client = new Client({ name: 'after-fuzz', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`)));
    expect((await client.listTools()).tools).toHaveLength(7);
    await client.close();
  }, 60_000);

  it('answers 405 to GET and DELETE', async () => {
    expect((await fetch(`${http.url}/mcp`)).status).toBe(405);
    expect((await fetch(`${http.url}/mcp`, { method: 'DELETE' })).status).toBe(405);
  });

  it('refuses a foreign Origin with 403 and a foreign Host', async () => {
    const init = { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', origin: 'http://evil.example' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) };
    const res = await fetch(`${http.url}/mcp`, init);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'forbidden_origin', error_description: 'origin http://evil.example is not allowed; add it to ALLOWED_ORIGINS to permit it' });
  });

  it('requires the bearer token when API_TOKEN is set', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    expect((await fetch(`${secured.url}/mcp`, { method: 'POST', headers, body })).status).toBe(401);
    expect((await fetch(`${secured.url}/mcp`, { method: 'POST', headers: { ...headers, authorization: 'Bearer wrong' }, body })).status).toBe(401);
    const client = new Client({ name: 'token-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${secured.url}/mcp`), { requestInit: { headers: { authorization: 'Bearer test-token-123' } } }));
    expect((await client.listTools()).tools).toHaveLength(7);
    await client.close();
  });
});

describe('MCP Inspector CLI (a third-party client)', () => {
  it('lists and calls tools over stdio', async () => {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    // cli.js is the inspector's launcher: it passes -e variables to the server it spawns.
    const { stdout } = await run(process.execPath, [path.join(INSPECTOR_CWD, 'cli.js'), '--cli', ...envArgs, process.execPath, ENTRY, 'mcp', '--method', 'tools/call', '--tool-name', 'search', '--tool-arg', 'query=云浮第十条', 'top_k=2'], { cwd: INSPECTOR_CWD, env: { ...process.env, ...env }, timeout: 90_000 });
    const result = JSON.parse(stdout) as { structuredContent: { results: { doc_id: string }[] } };
    expect(result.structuredContent.results[0]?.doc_id).toBe('yunfu');
  }, 120_000);

  it('lists and calls tools over Streamable HTTP', async () => {
    const list = JSON.parse((await run(process.execPath, [INSPECTOR, `${http.url}/mcp`, '--transport', 'http', '--method', 'tools/list'], { cwd: INSPECTOR_CWD, timeout: 60_000 })).stdout) as { tools: { name: string }[] };
    expect(list.tools.map((t) => t.name).sort()).toEqual(['ask', 'compare_provisions', 'diff_versions', 'get_outline', 'get_passage', 'list_documents', 'search']);
    const called = JSON.parse((await run(process.execPath, [INSPECTOR, `${http.url}/mcp`, '--transport', 'http', '--method', 'tools/call', '--tool-name', 'list_documents'], { cwd: INSPECTOR_CWD, timeout: 60_000 })).stdout) as { structuredContent: { documents: unknown[] } };
    expect(called.structuredContent.documents).toHaveLength(8);
  }, 120_000);
});
