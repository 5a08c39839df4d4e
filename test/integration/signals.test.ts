/**
 * How a container runtime stops the server: SIGTERM to `kb serve` while a client holds an unfinished
 * request, and SIGTERM to the npm process alone when `npm start` is PID 1.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../server/cli/main.js';
import { captureIo, CORPUS_DIR, MODELS_DIR, ROOT, testConfig } from '../helpers.js';
import { startServe } from './servers.js';

/** Pids whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/u.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const portRefuses = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

async function waitFor(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

const groups: number[] = [];
// A failed assertion must not leave an orphaned server holding a port: end the whole group we started.
afterEach(() => {
  for (const pgid of groups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

describe('stopping the server', () => {
  it('exits within SHUTDOWN_GRACE_MS of SIGTERM although a client never finishes its request', async () => {
    const config = await testConfig();
    const env = { CORPUS_DIR, MODELS_DIR, INDEX_DIR: config.indexDir, SHUTDOWN_GRACE_MS: '1000', LOG_LEVEL: 'info' };
    expect(await runCli(['ingest'], captureIo(env))).toBe(0);
    const server = await startServe(env);
    // The corpus is read for writes in the background after ready; on a loaded machine its log line can come after
    // 'stopped'. Wait for it, so that the last three lines are the shutdown's own.
    for (let waited = 0; !server.stderr().includes('corpus read for writes') && waited < 30_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    const port = Number(new URL(server.url).port);
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    await new Promise((r) => socket.once('connect', r));
    socket.write('POST /api/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"query":');
    await new Promise((r) => setTimeout(r, 200));
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    const started = Date.now();
    server.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(6000);
    expect(await portRefuses(port)).toBe(true);
    // The log says it is stopping, that it cut the connection left open, and that it stopped.
    const messages = server.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages.slice(-3)).toEqual(['stopping: finishing requests in flight', 'closed connections still open after the shutdown grace period', 'stopped']);
  }, 120_000);

  it('`npm start` stops when only npm gets SIGTERM: the port is freed and no node process survives', async () => {
    const { url, npm } = await npmServer(['start']);
    const port = Number(new URL(url).port);
    // The compiled server serves the page, its scripts and the API.
    const page = await fetch(`${url}/`);
    expect(await page.text()).toContain('<label for="question">你的问题</label>');
    expect((await fetch(`${url}/api.js`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const [server] = childrenOf(npm.pid as number);
    expect(server).toBeDefined();
    expect(readFileSync(`/proc/${server}/cmdline`, 'utf8').split('\0')).toContain('dist/server/cli/entry.js');

    const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
    process.kill(npm.pid as number, 'SIGTERM');
    await exited;
    expect(await waitFor(() => !alive(server as number), 10_000)).toBe(true);
    expect(await portRefuses(port)).toBe(true);
  }, 200_000);

  it('`npm run kb -- serve` stops too when only npm gets SIGTERM (issue 25.10: a node process was left serving)', async () => {
    const { url, npm } = await npmServer(['run', '-s', 'kb', '--', 'serve']);
    const port = Number(new URL(url).port);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const tree = descendantsOf(npm.pid as number);
    expect(tree.length).toBeGreaterThan(0);
    const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
    process.kill(npm.pid as number, 'SIGTERM');
    await exited;
    // Before: npm's shell died and the tsx process under it went on serving the port.
    expect(await waitFor(() => tree.every((pid) => !alive(pid)), 10_000)).toBe(true);
    expect(await portRefuses(port)).toBe(true);
  }, 200_000);
});

/** Every process under `pid`, children first. */
function descendantsOf(pid: number): number[] {
  return childrenOf(pid).flatMap((child) => [child, ...descendantsOf(child)]);
}

/** Runs `npm <args>` in its own process group on a free port and waits until the server is ready. */
async function npmServer(args: string[]): Promise<{ url: string; npm: ReturnType<typeof spawn> }> {
  const config = await testConfig();
  const npm = spawn('npm', args, {
    cwd: ROOT,
    env: { ...process.env, CORPUS_DIR, MODELS_DIR, INDEX_DIR: config.indexDir, PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: nothing but our explicit signal reaches it
  });
  groups.push(npm.pid as number);
  let out = '';
  let err = '';
  npm.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm ${args.join(' ')} did not get ready: ${out}\n${err}`)), 150_000);
    npm.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/u.exec(out);
      if (m && out.includes('ready:')) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    npm.once('exit', (code) => reject(new Error(`npm ${args.join(' ')} exited with ${code}: ${err}`)));
  });
  return { url, npm };
}
