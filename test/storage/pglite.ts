/** Real PostgreSQL for storage tests: PGlite in process, and `pglite-server` over the wire. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { inject } from 'vitest';
import { ROOT } from '../helpers.js';

let emptyDump: Promise<Buffer> | undefined;

/**
 * A fresh in-memory PostgreSQL with pgvector available (not yet created: the store does that). It starts
 * from the empty data directory test/global-setup.ts initialised once (`loadDataDir`), which is what
 * initdb would write again: 1.5–2 s instead of 5–11 s a database on the 2-core CI machine.
 */
export async function freshPglite(options: { withVector?: boolean } = {}): Promise<PGlite> {
  emptyDump ??= readFile(inject('pgliteTemplateDump'));
  const loadDataDir = new Blob([await emptyDump]);
  return PGlite.create(options.withVector === false ? { loadDataDir } : { loadDataDir, extensions: { vector } });
}

export interface PgliteServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts `pglite-server` (from @electric-sql/pglite-socket) on a random port with pgvector and
 * several connections; resolves once it listens. Its database is in memory and runs initdb: a copy of
 * the template data directory on disk (`--db=`) answered its first connection too slowly for the
 * 500 ms connect timeout of postgres-outage.test.ts on a loaded machine.
 */
export async function startPgliteServer(connections = 8, listenPort = 0): Promise<PgliteServer> {
  const script = path.join(ROOT, 'node_modules', '@electric-sql', 'pglite-socket', 'dist', 'scripts', 'server.js');
  const child: ChildProcess = spawn(process.execPath, [script, `--port=${listenPort}`, '--host=127.0.0.1', `--max-connections=${connections}`, '--extensions=@electric-sql/pglite-pgvector:vector'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pglite-server did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /listening on (\{.*\})/u.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve((JSON.parse(m[1] as string) as { port: number }).port);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pglite-server exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
