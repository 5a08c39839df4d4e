/**
 * The stdio MCP server and an input line over the 10 MiB limit: the line is answered with a
 * JSON-RPC error and dropped; requests before and after it are answered; the server keeps serving.
 */
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { limitLines, type OversizedLine } from '../../server/mcp/stdio-lines.js';
import { runCli } from '../../server/cli/main.js';
import { captureIo, CORPUS_DIR, MODELS_DIR, ROOT, testConfig } from '../helpers.js';
import { ENTRY } from '../integration/servers.js';

async function through(chunks: string[], max: number): Promise<{ out: string; dropped: OversizedLine[] }> {
  const dropped: OversizedLine[] = [];
  let out = '';
  const stream = Readable.from(chunks.map((c) => Buffer.from(c))).pipe(limitLines((d) => dropped.push(d), max));
  for await (const chunk of stream) out += String(chunk);
  return { out, dropped };
}

describe('limitLines', () => {
  it('passes whole lines, however the input is split', async () => {
    expect(await through(['{"a":', '1}\n{"b"', ':2}\n'], 100)).toEqual({ out: '{"a":1}\n{"b":2}\n', dropped: [] });
  });

  it('drops a line over the limit, reports its size and id, and keeps the lines around it', async () => {
    const big = `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"x":"${'y'.repeat(300)}"}}`;
    const result = await through(['{"id":1}\n', big.slice(0, 50), big.slice(50), '\n{"id":2}\n'], 100);
    expect(result.out).toBe('{"id":1}\n{"id":2}\n');
    expect(result.dropped).toEqual([{ bytes: Buffer.byteLength(big), id: 7 }]);
  });

  it('drops a line that is not JSON and reports it, when asked to, keeping the lines around it', async () => {
    const malformed: number[] = [];
    let out = '';
    const stream = Readable.from(['{"id":1}\n', 'not json\n', '\n', '{"id":2}\n'].map((c) => Buffer.from(c))).pipe(limitLines(() => undefined, 100, (bytes) => malformed.push(bytes)));
    for await (const chunk of stream) out += String(chunk);
    expect(out).toBe('{"id":1}\n\n{"id":2}\n');
    expect(malformed).toEqual([8]);
  });

  it('reports an unterminated oversized last line with id null when none is found', async () => {
    expect((await through(['x'.repeat(250)], 100)).dropped).toEqual([{ bytes: 250, id: null }]);
  });
});

describe('kb mcp on stdio', () => {
  let env: Record<string, string>;
  beforeAll(async () => {
    const config = await testConfig();
    env = { CORPUS_DIR, MODELS_DIR, INDEX_DIR: config.indexDir, LOG_LEVEL: 'warn' };
    expect(await runCli(['ingest'], captureIo(env))).toBe(0);
  }, 120_000);

  it('answers an 11 MiB line with a JSON-RPC error and keeps serving', async () => {
    const child = spawn(process.execPath, [ENTRY, 'mcp'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const send = (msg: object): void => void child.stdin.write(`${JSON.stringify(msg)}\n`);
    const answered = (id: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to ${id}; stdout: ${stdout.slice(0, 500)} stderr: ${stderr.slice(0, 500)}`)), 60_000);
        const check = (): void => {
          if (stdout.includes(`"id":${id},`) || stdout.includes(`"id":${id}}`)) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout.on('data', check);
        check();
      });
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    await answered(1);
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'search', arguments: { query: 'x'.repeat(11 * 1024 * 1024) } } });
    child.stdin.write('this is not JSON\n');
    send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'search', arguments: { query: '云浮第十条', top_k: 1 } } });
    await answered(3);
    await answered(2);
    child.stdin.end();
    expect(await exited).toBe(0);
    const lines = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id?: number; error?: { code: number; message: string }; result?: { structuredContent?: { results: { doc_id: string }[] } } });
    const tooBig = lines.find((l) => l.id === 2);
    expect(tooBig?.error).toEqual({ code: -32600, message: `message of ${Buffer.byteLength(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'search', arguments: { query: 'x'.repeat(11 * 1024 * 1024) } } }))} bytes exceeds the 10 MiB limit and was dropped; send smaller requests` });
    expect(lines.find((l) => l.id === 3)?.result?.structuredContent?.results[0]?.doc_id).toBe('yunfu');
    expect(stderr).toContain('dropped an MCP message over the size limit');
    // A line that is not JSON gets a parse error (id null), and the server keeps serving.
    expect(lines.find((l) => l.error?.code === -32700)).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error: the line is not JSON; send one JSON-RPC message per line' } });
  }, 120_000);
});
