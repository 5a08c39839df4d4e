/**
 * The single-writer lock of an index folder, across real processes: a second writer waits, then is
 * told who holds the lock; a lock left by a dead process is taken over.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireWriteLock, WRITE_LOCK_FILE } from '../../src/storage/file/write-lock.js';
import { KbError } from '../../src/shared/errors.js';
import { compiled, CORPUS_DIR, MODELS_DIR, ROOT } from '../helpers.js';
import { ENTRY } from '../integration/servers.js';

const tempDir = (): Promise<string> => mkdtemp(path.join(tmpdir(), 'kb-lock-'));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

async function lockedError(promise: Promise<unknown>): Promise<KbError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(KbError);
    return error as KbError;
  }
  throw new Error('the lock was granted');
}

/** A separate process holding the lock of `dir` until killed. */
async function holder(dir: string, owner: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [compiled('test/fixtures/hold-write-lock.ts'), dir, owner], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => String(d).includes('locked') && resolve());
    child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
  return child;
}

function runIngest(indexDir: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, [ENTRY, 'ingest'], { cwd: ROOT, env: { ...process.env, CORPUS_DIR, MODELS_DIR, INDEX_DIR: indexDir, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr, stdout })));
}

describe('acquireWriteLock', () => {
  it('writes pid, host, owner and time into the lock file and removes it on release', async () => {
    const dir = await tempDir();
    const lock = await acquireWriteLock(dir, { owner: 'unit test' });
    const content = JSON.parse(await readFile(path.join(dir, WRITE_LOCK_FILE), 'utf8'));
    expect(content).toMatchObject({ pid: process.pid, host: hostname(), owner: 'unit test' });
    expect(Date.now() - Date.parse(content.since)).toBeLessThan(5000);
    await lock.release();
    await expect(readFile(path.join(dir, WRITE_LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
    await (await acquireWriteLock(dir)).release();
  });

  it('refuses a second writer at once by default, naming the holder and what to do', async () => {
    const dir = await tempDir();
    const lock = await acquireWriteLock(dir, { owner: 'kb add' });
    const error = await lockedError(acquireWriteLock(dir, { owner: 'kb ingest' }));
    expect(error.code).toBe('write_locked');
    expect(error.message).toMatch(new RegExp(`^the index in ${dir} is being written by kb add \\(pid ${process.pid} on ${hostname()}, since \\d{4}-\\d\\d-\\d\\dT[^)]+\\); wait for it to finish and run the command again$`, 'u'));
    expect(error.details).toMatchObject({ pid: process.pid, owner: 'kb add' });
    await lock.release();
  });

  it('waits up to waitMs for the holder to release', async () => {
    const dir = await tempDir();
    const first = await acquireWriteLock(dir);
    setTimeout(() => void first.release(), 300);
    const started = Date.now();
    const second = await acquireWriteLock(dir, { waitMs: 5000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await second.release();
  });

  it('gives up after waitMs when the holder (another process) keeps it', async () => {
    const dir = await tempDir();
    const other = await holder(dir, 'kb remove');
    const started = Date.now();
    const error = await lockedError(acquireWriteLock(dir, { waitMs: 600 }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(error.message).toContain(`being written by kb remove (pid ${other.pid} on ${hostname()}, since `);
    expect(error.message).toContain('after waiting 0.6 s');
  });

  it('takes over a lock whose process died (SIGKILL leaves the file behind)', async () => {
    const dir = await tempDir();
    const other = await holder(dir, 'crashed ingest');
    other.kill('SIGKILL');
    await new Promise((r) => other.once('exit', r));
    expect(JSON.parse(await readFile(path.join(dir, WRITE_LOCK_FILE), 'utf8')).pid).toBe(other.pid);
    const lock = await acquireWriteLock(dir, { owner: 'after crash' });
    expect(JSON.parse(await readFile(path.join(dir, WRITE_LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, owner: 'after crash' });
    await lock.release();
  });

  it('never takes over a lock held on another host; says to delete it if that process is gone', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, WRITE_LOCK_FILE), JSON.stringify({ pid: 1, host: 'other-host', owner: 'kb ingest', since: '2026-01-01T00:00:00.000Z', token: 't' }));
    const error = await lockedError(acquireWriteLock(dir));
    expect(error.message).toBe(`the index in ${dir} is being written by kb ingest (pid 1 on other-host, since 2026-01-01T00:00:00.000Z); wait for it to finish and run the command again; if that process is gone, delete ${path.join(dir, WRITE_LOCK_FILE)}`);
  });

  it('takes over a lock naming this very pid that this process does not hold (a restarted container is pid 1 again)', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, WRITE_LOCK_FILE), JSON.stringify({ pid: process.pid, host: hostname(), owner: 'HTTP upload', since: '2026-01-01T00:00:00.000Z', token: 'left-by-an-earlier-process' }));
    const lock = await acquireWriteLock(dir);
    expect(JSON.parse(await readFile(path.join(dir, WRITE_LOCK_FILE), 'utf8')).token).not.toBe('left-by-an-earlier-process');
    await lock.release();
  });

  it('grants the lock to exactly one of many concurrent takers', async () => {
    const dir = await tempDir();
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => acquireWriteLock(dir)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'fulfilled') await r.value.release();
  });
});

describe('kb ingest and the lock', () => {
  it('exits 1 naming the holder while another process writes, and succeeds once that process is gone', async () => {
    const dir = await tempDir();
    const other = await holder(dir, 'kb add');
    const blocked = await runIngest(dir);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(new RegExp(`error: the index in ${dir} is being written by kb add \\(pid ${other.pid} on ${hostname()}, since [^)]+\\) after waiting 5\\.0 s; wait for it to finish and run the command again`, 'u'));
    other.kill('SIGKILL');
    await new Promise((r) => other.once('exit', r));
    const after = await runIngest(dir);
    expect(after.stderr).not.toContain('error:');
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/^indexed 8 documents/u);
  }, 120_000);

  it('two ingests at once: both finish or one waits and names the other; the index is whole', async () => {
    const dir = await tempDir();
    const [a, b] = await Promise.all([runIngest(dir), runIngest(dir)]);
    const outcomes = [a, b].map((r) => (r.code === 0 ? 'ok' : /error: the index in .* is being written by kb ingest/u.test(r.stderr) ? 'locked' : `failed: ${r.stderr}`));
    expect(outcomes).toContain('ok');
    for (const o of outcomes) expect(['ok', 'locked']).toContain(o);
    const check = await runIngest(dir);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/^index is up to date: 8 documents/u);
  }, 180_000);
});
