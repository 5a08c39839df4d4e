/**
 * `kb serve` with WORKERS=2 (node:cluster), the real process: both workers answer on the one port,
 * a document uploaded through one request becomes searchable from every worker, SIGTERM to the
 * primary stops the workers and the primary cleanly, and a bad WORKERS is refused with what to set.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { CORPUS_DIR, MODELS_DIR, ROOT } from '../helpers.js';
import { ENTRY, startServe, type RunningServer } from './servers.js';

const ADMIN = 'cluster-admin-token';
let server: RunningServer;

beforeAll(async () => {
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-cluster-'));
  for (const f of ['yunfu.md', 'shenzhen.md']) await cp(path.join(CORPUS_DIR, f), path.join(corpus, f));
  const indexDir = await mkdtemp(path.join(tmpdir(), 'kb-cluster-idx-'));
  server = await startServe({ CORPUS_DIR: corpus, MODELS_DIR, INDEX_DIR: indexDir, ADMIN_TOKEN: ADMIN, WORKERS: '2' });
}, 180_000);

afterAll(async () => server?.stop());

/** One request on a fresh connection (so the kernel may hand it to either worker): the worker's pid and the JSON. */
function ask(pathname: string, body?: unknown): Promise<{ worker: number; status: number; json: Record<string, unknown> }> {
  const url = new URL(pathname, server.url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: payload ? 'POST' : 'GET', agent: false, headers: payload ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ worker: Number(res.headers['x-worker']), status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('kb serve with WORKERS=2', () => {
  let workers: number[] = [];

  it('answers from two worker processes on one port, each marked by X-Worker', async () => {
    const seen = new Set<number>();
    for (let i = 0; i < 40 && seen.size < 2; i += 1) {
      const { worker, status, json } = await ask('/readyz');
      expect(status).toBe(200);
      expect(json.status).toBe('ready');
      seen.add(worker);
    }
    workers = [...seen];
    expect(workers).toHaveLength(2);
    expect(workers.every((pid) => Number.isInteger(pid) && pid !== server.child.pid && alive(pid))).toBe(true);
  });

  it('makes a document uploaded through one request searchable from every worker', async () => {
    const text = ['蓝鲸湾港口岸线管理办法', '第一条 为规范蓝鲸湾港口岸线使用，制定本办法。', '第二条 蓝鲸湾港口岸线使用人应当每年提交岸线使用报告。'].join('\n');
    const form = new FormData();
    form.append('file', new Blob([text], { type: 'text/plain' }), 'lanjingwan.txt');
    const added = await fetch(`${server.url}/api/documents`, { method: 'POST', body: form, headers: { authorization: `Bearer ${ADMIN}` } });
    expect(added.status).toBe(201);
    const { docId, searchable } = (await added.json()) as { docId: string; searchable: boolean };
    expect(searchable).toBe(true);

    const found = new Set<number>();
    const deadline = Date.now() + 30_000;
    while (found.size < 2 && Date.now() < deadline) {
      const { worker, status, json } = await ask('/api/search', { query: '蓝鲸湾港口岸线使用报告', k: 3 });
      expect(status).toBe(200);
      if ((json.results as { docId: string }[]).some((h) => h.docId === docId)) found.add(worker);
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect([...found].sort()).toEqual([...workers].sort());
  }, 60_000);

  it('stops every worker and then itself on SIGTERM to the primary, exit code 0', async () => {
    const exit = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(workers.filter(alive)).toEqual([]);
  }, 30_000);
});

describe('WORKERS validation', () => {
  it.each([
    ['0', 'WORKERS: must be at least 1 (1 serves from one process)'],
    ['65', 'WORKERS: must be at most 64; start one worker per CPU core you want to use'],
    ['1.5', 'WORKERS: must be a whole number of worker processes from 1 to 64, e.g. WORKERS=4; got "1.5"'],
    ['1e1', 'WORKERS: must be a whole number of worker processes from 1 to 64, e.g. WORKERS=4; got "1e1"'],
  ])('refuses WORKERS=%s, saying what to set', (value, message) => {
    expect(() => loadConfig({ WORKERS: value })).toThrow(`invalid configuration: ${message}`);
  });

  it('accepts 1 to 64, 1 when unset', () => {
    expect([loadConfig({}).workers, loadConfig({ WORKERS: '1' }).workers, loadConfig({ WORKERS: ' 8 ' }).workers, loadConfig({ WORKERS: '64' }).workers]).toEqual([1, 1, 8, 64]);
  });

  it('makes kb serve exit with code 1 and the message, starting nothing', async () => {
    const child = spawn(process.execPath, [ENTRY, 'serve'], { cwd: ROOT, env: { ...process.env, WORKERS: 'two', PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let out = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(err.trim()).toBe('error: invalid configuration: WORKERS: must be a whole number of worker processes from 1 to 64, e.g. WORKERS=4; got "two"');
    expect(out).toBe('');
  }, 30_000);
});
