/**
 * `npm run bench:load`: starts `kb serve` on loopback and drives it with autocannon for a fixed time
 * and connection count — /api/search, /api/chat, /v1/chat/completions and MCP tools/call search.
 * Prints requests/s, latency percentiles, non-2xx, errors and the server's RSS before/after.
 * Environment: BENCH_SECONDS (default 20 per endpoint), BENCH_CONNECTIONS (default 32).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const questions = (await readFile(path.join(root, 'test/fixtures/dev.jsonl'), 'utf8'))
  .trim()
  .split('\n')
  .map((l) => (JSON.parse(l) as { question: string }).question);

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/u.exec(status)?.[1] ?? 0) / 1024;
}

const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/cli/entry.ts'), 'serve'], {
  cwd: root,
  env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /listening on (http:\/\/\S+)/u.exec(out);
    if (m && out.includes('ready:')) resolve(m[1] as string);
  });
  child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
});

interface Target {
  name: string;
  path: string;
  body(q: string): unknown;
  headers?: Record<string, string>;
}
const targets: Target[] = [
  { name: 'POST /api/search', path: '/api/search', body: (q) => ({ query: q, k: 8 }) },
  { name: 'POST /api/chat', path: '/api/chat', body: (q) => ({ question: q }) },
  { name: 'POST /v1/chat/completions', path: '/v1/chat/completions', body: (q) => ({ model: 'policy-kb', messages: [{ role: 'user', content: q }] }) },
  {
    name: 'MCP tools/call search',
    path: '/mcp',
    body: (q) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search', arguments: { query: q, top_k: 8 } } }),
    headers: { accept: 'application/json, text/event-stream' },
  },
];

// Warm up: term tables and JIT, one pass over the questions.
for (const q of questions) await fetch(`${url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: q }) });

console.log(`bench:load ${new Date().toISOString()} node ${process.version}; ${connections} connections, ${seconds} s per endpoint, ${questions.length} rotating questions; server ${url}`);
const rssStart = await rssMb(child.pid as number);
console.log(`server RSS at start: ${rssStart.toFixed(1)} MB`);
for (const t of targets) {
  const before = await rssMb(child.pid as number);
  let i = 0;
  const result = await autocannon({
    url: `${url}${t.path}`,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', ...t.headers },
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify(t.body(questions[i++ % questions.length] as string)) }) }],
  });
  const after = await rssMb(child.pid as number);
  const l = result.latency;
  console.log(
    `${t.name.padEnd(28)} ${result.requests.average.toFixed(0).padStart(6)} req/s  p50 ${l.p50} ms  p95 ${(l as unknown as Record<string, number>).p95 ?? l.p97_5} ms  p99 ${l.p99} ms  max ${l.max} ms  non-2xx ${result.non2xx}  errors ${result.errors}  timeouts ${result.timeouts}  RSS ${before.toFixed(0)}→${after.toFixed(0)} MB`,
  );
}
const rssEnd = await rssMb(child.pid as number);
console.log(`server RSS at end: ${rssEnd.toFixed(1)} MB (growth ${(rssEnd - rssStart).toFixed(1)} MB over ${targets.length * seconds} s)`);
console.log('targets (issue): zero errors, search p99 ≤ 100 ms at 32 connections, RSS growth < 50 MB over 60 s');
child.kill('SIGTERM');
