/**
 * `npm run bench:load`: the compiled server (`npm run build`) of this tree and of a base commit
 * (default the previous one, `HEAD~1`), each started on loopback in turn and driven by the same
 * autocannon load — /api/search, /api/chat, /v1/chat/completions and MCP tools/call search over
 * Streamable HTTP, and /api/search with a fresh query every request — then MCP tools/call search over stdio (32 requests in flight on one pipe).
 * Prints requests/s, the server's CPU time per request (its threads and workers; from /proc: what a
 * core buys, and steadier than requests/s when other work shares the cores), latency percentiles,
 * non-2xx, errors and RSS for each, and the ratios this tree / base per scenario: both in one run,
 * on the same machine, minutes apart.
 *
 * The base is exported with `git archive` into a temporary folder (kept per commit, so a second run
 * does not rebuild it), given this tree's node_modules by symlink and built with its own tsc; it
 * indexes the same corpus into its own index folder, so snapshot formats never mix.
 *
 * These machines are noisy (other work shares the cores): BENCH_ROUNDS (default 2) alternates base and
 * this tree that many times and the best round of each counts, every round printed.
 *
 * Environment: BENCH_SECONDS (default 12 per scenario), BENCH_CONNECTIONS (default 32),
 * BENCH_BASE (a git ref; `none`: this tree only), BENCH_SCENARIOS (comma-separated names from
 * search, search-fresh, chat, openai, mcp, mcp-stdio; default all), WORKERS (passed to both servers; the base may
 * not know it).
 */
import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startPgliteServer, type PgliteServer } from '../test/storage/pglite.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 12);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const baseRef = process.env.BENCH_BASE ?? 'HEAD~1';
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));
const SCENARIOS = ['search', 'search-fresh', 'chat', 'openai', 'mcp', 'mcp-stdio'] as const;
type ScenarioName = (typeof SCENARIOS)[number];
const wanted = (process.env.BENCH_SCENARIOS ?? SCENARIOS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
for (const w of wanted) if (!(SCENARIOS as readonly string[]).includes(w)) throw new Error(`BENCH_SCENARIOS: unknown scenario "${w}"; use ${SCENARIOS.join(', ')}`);
const questions = (await readFile(path.join(root, 'test/fixtures/dev.jsonl'), 'utf8'))
  .trim()
  .split('\n')
  .map((l) => (JSON.parse(l) as { question: string }).question);

// Both servers read the same corpus and the same model; each builds its own index.
const corpusDir = path.resolve(root, process.env.CORPUS_DIR ?? 'corpus');
const modelsDir = path.resolve(root, process.env.MODELS_DIR ?? 'embeddings/models');

type ServerProcess = ChildProcessByStdio<Writable, Readable, null>;

interface Build {
  label: string;
  dir: string;
  indexDir: string;
  /** Extra environment (INDEX_STORE=postgres, DATABASE_URL). */
  env?: Record<string, string>;
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
}

function tsc(dir: string): void {
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'inherit' });
}

/** The base commit, exported and compiled once per commit into the temporary folder. */
async function buildBase(ref: string): Promise<Build> {
  const sha = git('rev-parse', '--verify', `${ref}^{commit}`);
  const dir = path.join(tmpdir(), `policy-kb-bench-base-${sha.slice(0, 12)}`);
  if (!existsSync(path.join(dir, 'dist/server/cli/entry.js'))) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    execFileSync('sh', ['-c', `git archive --format=tar ${sha} | tar -x -C "${dir}"`], { cwd: root, stdio: 'inherit' });
    await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    console.log(`building base ${ref} (${sha.slice(0, 7)}) in ${dir}`);
    tsc(dir);
  }
  return { label: `base ${ref} (${sha.slice(0, 7)})`, dir, indexDir: path.join(dir, 'bench-index') };
}

async function rssMb(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/u.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** A measure summed over a process and its children (cluster workers). */
async function overTree(pid: number, measure: (pid: number) => Promise<number>): Promise<number> {
  let total = await measure(pid);
  try {
    const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim().split(/\s+/u).filter(Boolean);
    for (const c of children) total += await measure(Number(c));
  } catch {
    // No children file (not Linux): the process alone.
  }
  return total;
}

/** RSS of a process and its children, in MB. */
const treeRssMb = (pid: number): Promise<number> => overTree(pid, rssMb);

const CLOCK_TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU time (user + system) a process has used, in ms; 0 where /proc is missing. */
async function cpuMs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return 0;
  }
}

/** CPU time of a process and its children, in ms. */
const treeCpuMs = (pid: number): Promise<number> => overTree(pid, cpuMs);

function envFor(build: Build): NodeJS.ProcessEnv {
  return { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0', CORPUS_DIR: corpusDir, MODELS_DIR: modelsDir, INDEX_DIR: build.indexDir, ...build.env };
}

async function startServer(build: Build): Promise<{ child: ServerProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(build.dir, 'dist/server/cli/entry.js'), 'serve'], { cwd: build.dir, env: envFor(build), stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/u.exec(out);
      if (m && out.includes('ready:')) resolve(m[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`${build.label}: server exited with ${code}`)));
  });
  return { child, url };
}

async function stop(child: ServerProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

interface Row {
  name: string;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  rss: string;
  /** Server CPU time (all its threads and workers) per request answered, in ms: what a core buys. */
  cpuPerRequest: number;
}

interface HttpTarget {
  name: ScenarioName;
  title: string;
  path: string;
  body(q: string, i: number): unknown;
  headers?: Record<string, string>;
}
/** The question with a space after character j for every bit j set in `variant`: distinct for each variant. */
function freshVariant(q: string, variant: number): string {
  const chars = [...q];
  return chars.map((c, j) => (j < chars.length - 1 && j < 30 && (variant >> j) & 1 ? `${c} ` : c)).join('');
}
const mcpCall = (q: string, id: number | string = 1): unknown => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'search', arguments: { query: q, top_k: 8 } } });
const HTTP_TARGETS: HttpTarget[] = [
  { name: 'search', title: 'POST /api/search', path: '/api/search', body: (q) => ({ query: q, k: 8 }) },
  // Every request a query no earlier request sent (spaces inserted): what remembered query vectors cannot save.
  { name: 'search-fresh', title: 'POST /api/search (fresh queries)', path: '/api/search', body: (q, i) => ({ query: freshVariant(q, Math.floor(i / questions.length) + 1), k: 8 }) },
  { name: 'chat', title: 'POST /api/chat', path: '/api/chat', body: (q) => ({ question: q }) },
  { name: 'openai', title: 'POST /v1/chat/completions', path: '/v1/chat/completions', body: (q) => ({ model: 'policy-kb', messages: [{ role: 'user', content: q }] }) },
  { name: 'mcp', title: 'MCP HTTP tools/call search', path: '/mcp', body: (q) => mcpCall(q), headers: { accept: 'application/json, text/event-stream' } },
];

async function loadHttp(url: string, pid: number, t: HttpTarget, duration = seconds): Promise<Row> {
  const before = await treeRssMb(pid);
  const cpuBefore = await treeCpuMs(pid);
  let i = 0;
  const result = await autocannon({
    url: `${url}${t.path}`,
    method: 'POST',
    connections,
    duration,
    headers: { 'content-type': 'application/json', ...t.headers },
    requests: [
      {
        setupRequest: (req) => {
          const n = i++;
          return { ...req, body: JSON.stringify(t.body(questions[n % questions.length] as string, n)) };
        },
      },
    ],
  });
  const cpu = (await treeCpuMs(pid)) - cpuBefore;
  const after = await treeRssMb(pid);
  const l = result.latency as unknown as Record<string, number>;
  return { name: t.title, rps: result.requests.average, p50: l.p50 ?? 0, p95: l.p95 ?? l.p97_5 ?? 0, p99: l.p99 ?? 0, max: l.max ?? 0, non2xx: result.non2xx, errors: result.errors + result.timeouts, rss: `${before.toFixed(0)}→${after.toFixed(0)}`, cpuPerRequest: cpu / Math.max(1, result.requests.total) };
}

/** `kb mcp` over stdio: `connections` tools/call requests in flight on the one pipe for `seconds`. */
async function loadStdio(build: Build): Promise<Row> {
  const child = spawn(process.execPath, [path.join(build.dir, 'dist/server/cli/entry.js'), 'mcp'], { cwd: build.dir, env: envFor(build), stdio: ['pipe', 'pipe', 'inherit'] });
  const pending = new Map<number, (line: Record<string, unknown>) => void>();
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.trim() === '') continue;
      const msg = JSON.parse(line) as Record<string, unknown>;
      const resolve = pending.get(msg.id as number);
      pending.delete(msg.id as number);
      resolve?.(msg);
    }
  });
  let nextId = 1;
  const call = (method: string, params: unknown): Promise<Record<string, unknown>> =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  await call('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench-load', version: '1' } });
  child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  for (const q of questions) await call('tools/call', { name: 'search', arguments: { query: q, top_k: 8 } });
  const before = await rssMb(child.pid as number);
  const cpuBefore = await cpuMs(child.pid as number);
  const latencies: number[] = [];
  let errors = 0;
  let i = 0;
  const until = performance.now() + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      const t0 = performance.now();
      const reply = await call('tools/call', { name: 'search', arguments: { query: questions[i++ % questions.length], top_k: 8 } });
      latencies.push(performance.now() - t0);
      if (reply.error || (reply.result as { isError?: boolean } | undefined)?.isError) errors += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, () => worker()));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = (await cpuMs(child.pid as number)) - cpuBefore;
  const after = await rssMb(child.pid as number);
  child.stdin.end();
  await new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0);
  return { name: 'MCP stdio tools/call search', rps: latencies.length / elapsed, p50: pct(0.5), p95: pct(0.95), p99: pct(0.99), max: Math.round(latencies[latencies.length - 1] ?? 0), non2xx: 0, errors, rss: `${before.toFixed(0)}→${after.toFixed(0)}`, cpuPerRequest: cpu / Math.max(1, latencies.length) };
}

async function run(build: Build): Promise<Row[]> {
  const rows: Row[] = [];
  const http = HTTP_TARGETS.filter((t) => wanted.includes(t.name));
  if (http.length > 0) {
    const { child, url } = await startServer(build);
    try {
      // Warm up: term tables, one pass over the questions; then the JIT, 3 s of load not counted
      // (else the first scenario pays for it).
      for (const q of questions) await fetch(`${url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: q }) });
      await loadHttp(url, child.pid as number, { ...(HTTP_TARGETS[0] as HttpTarget), title: 'warm-up' }, 3);
      console.log(`${build.label}: server ${url}, RSS ${(await treeRssMb(child.pid as number)).toFixed(0)} MB after warm-up`);
      for (const t of http) {
        const row = await loadHttp(url, child.pid as number, t);
        rows.push(row);
        console.log(`  ${format(row)}`);
      }
    } finally {
      await stop(child);
    }
  }
  if (wanted.includes('mcp-stdio')) {
    const row = await loadStdio(build);
    rows.push(row);
    console.log(`  ${format(row)}`);
  }
  return rows;
}

function format(r: Row): string {
  return `${r.name.padEnd(34)} ${r.rps.toFixed(0).padStart(6)} req/s  CPU ${r.cpuPerRequest.toFixed(2)} ms/req  p50 ${r.p50} ms  p95 ${r.p95} ms  p99 ${r.p99} ms  max ${r.max} ms  non-2xx ${r.non2xx}  errors ${r.errors}  RSS ${r.rss} MB`;
}

console.log(`bench:load ${new Date().toISOString()} node ${process.version}; ${connections} connections, ${seconds} s per scenario, ${questions.length} rotating questions${process.env.WORKERS ? `, WORKERS=${process.env.WORKERS}` : ''}`);
console.log('building this tree (npm run build)');
tsc(root);
const current: Build = { label: `this tree (${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? '+changes' : ''})`, dir: root, indexDir: path.resolve(root, process.env.INDEX_DIR ?? 'embeddings') };
const base = baseRef === 'none' ? undefined : await buildBase(baseRef);
// BENCH_STORES=file,postgres: this tree also on PostgreSQL (DATABASE_URL, or a pglite-server started
// here), in the same rounds; the comparison below is then postgres / file too.
const stores = (process.env.BENCH_STORES ?? 'file').split(',').map((s) => s.trim());
const pgServer = stores.includes('postgres') && !process.env.DATABASE_URL ? await startPgliteServer(48) : undefined;
const onPostgres: Build | undefined = stores.includes('postgres')
  ? // PGlite runs one session for every connection: statements of concurrent connections would
    // interleave, so the server talks to it over one connection (a real server takes a real pool).
    { ...current, label: `${current.label} on postgres`, env: { INDEX_STORE: 'postgres', DATABASE_URL: process.env.DATABASE_URL ?? (pgServer as PgliteServer).url, DATABASE_POOL_SIZE: pgServer ? '1' : (process.env.DATABASE_POOL_SIZE ?? '16') } }
  : undefined;
const pgRounds: Row[][] = [];
// Alternating, the base first: whatever warms up on the machine favours this tree no more than it.
const baseRounds: Row[][] = [];
const currentRounds: Row[][] = [];
for (let r = 1; r <= rounds; r += 1) {
  console.log(`\nround ${r} of ${rounds}`);
  if (base) baseRounds.push(await run(base));
  currentRounds.push(await run(current));
  if (onPostgres) pgRounds.push(await run(onPostgres));
}
await pgServer?.stop();
/** Per scenario, the round with the most requests/s. */
const best = (all: Row[][]): Row[] => (all[0] ?? []).map((first) => all.map((rs) => rs.find((x) => x.name === first.name) ?? first).reduce((a, b) => (b.rps > a.rps ? b : a)));
const rows = best(currentRounds);
const baseRows = best(baseRounds);
console.log(`\nbest of ${rounds} round(s):`);
for (const r of rows) console.log(`  ${current.label}: ${format(r)}`);
if (base) {
  for (const r of baseRows) console.log(`  ${base.label}: ${format(r)}`);
  console.log(`\nthis tree / ${base.label}, same run (best rounds, lowest CPU per request; req/s of every round: base | this tree):`);
  for (const r of rows) {
    const b = baseRows.find((x) => x.name === r.name);
    const each = (all: Row[][]): string => all.map((rs) => (rs.find((x) => x.name === r.name)?.rps ?? 0).toFixed(0)).join('/');
    const cpu = (all: Row[][]): number => Math.min(...all.map((rs) => rs.find((x) => x.name === r.name)?.cpuPerRequest ?? Infinity));
    if (b) {
      console.log(
        `  ${r.name.padEnd(34)} ${b.rps.toFixed(0).padStart(6)} → ${r.rps.toFixed(0).padStart(6)} req/s  ×${(r.rps / b.rps).toFixed(2)}   CPU ${cpu(baseRounds).toFixed(2)} → ${cpu(currentRounds).toFixed(2)} ms/req (requests per core ×${(cpu(baseRounds) / cpu(currentRounds)).toFixed(2)})   p99 ${b.p99} → ${r.p99} ms   [${each(baseRounds)} | ${each(currentRounds)}]`,
      );
    }
  }
}
if (onPostgres) {
  console.log(`\npostgres / file, same run (best rounds; PGlite: PostgreSQL compiled to WASM, one session):`);
  for (const p of best(pgRounds)) {
    const f = rows.find((x) => x.name === p.name);
    if (f) console.log(`  ${p.name.padEnd(34)} ${f.rps.toFixed(0).padStart(6)} → ${p.rps.toFixed(0).padStart(6)} req/s  ×${(p.rps / f.rps).toFixed(2)}   p99 ${f.p99} → ${p.p99} ms   errors ${p.errors}, non-2xx ${p.non2xx}`);
  }
}
console.log('targets (issue 14): zero errors; /api/search ≥ 2× the previous commit at 32 connections');
