/** Real PostgreSQL for storage tests: PGlite in process, and `pglite-server` over the wire. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { ROOT } from '../helpers.js';

/** A fresh in-memory PostgreSQL with pgvector available (not yet created: the store does that). */
export async function freshPglite(options: { withVector?: boolean } = {}): Promise<PGlite> {
  return PGlite.create(options.withVector === false ? {} : { extensions: { vector } });
}

export interface PgliteServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts `pglite-server` (from @electric-sql/pglite-socket) on a random port with pgvector and
 * several connections; resolves once it listens.
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
