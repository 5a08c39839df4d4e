/**
 * `serve` with WORKERS=N (node:cluster): the primary forks N workers that share the port (the
 * kernel hands connections round-robin) and serves nothing itself. Each worker is a whole `serve`:
 * its own copy of the index, watching CURRENT, so a document uploaded through one worker (writes
 * take the index's cross-process write lock, one writer at a time) is searchable from all once they
 * have reloaded (within about a second). SIGTERM/SIGINT to the primary stops every worker
 * gracefully, then the primary.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../../src/shared/logger.js';
import { print, type CommandContext } from './context.js';

/** What a worker tells the primary, which prints one line for all of them. */
export type WorkerMessage = { kind: 'listening'; line: string } | { kind: 'ready'; line: string };

/** Whether this process is a cluster worker (it reports to the primary instead of printing). */
export const isClusterWorker = (): boolean => cluster.isWorker;

/** Sends a worker's status line to the primary. */
export function reportToPrimary(message: WorkerMessage): void {
  process.send?.(message);
}

/** Extra time, beyond the HTTP grace period, workers get to exit before they are killed. */
const EXIT_MARGIN_MS = 10_000;

/**
 * The primary: forks `workers` workers, prints their address once and `ready:` once all are
 * ready, replaces a worker that dies after it listened, and stops everything on the stop signal.
 * A worker that dies before it listened (port taken, index unreadable) stops the whole server: exit 1.
 */
export async function runPrimary(ctx: CommandContext, workers: number, graceMs: number, logger: Logger): Promise<number> {
  const running = new Set<Worker>();
  let stopping = false;
  let printedListening = false;
  let printedReady = false;
  const readyWorkers = new Set<number>();
  let failed: (reason: string) => void = () => {};
  const failure = new Promise<string>((resolve) => (failed = resolve));
  let allExited: () => void = () => {};
  const exited = new Promise<void>((resolve) => (allExited = resolve));

  const fork = (): void => {
    const worker = cluster.fork();
    let listened = false;
    running.add(worker);
    worker.on('message', (m: WorkerMessage) => {
      if (m?.kind === 'listening') {
        listened = true;
        if (!printedListening) print(ctx.io, `${m.line}  [${workers} workers]`);
        printedListening = true;
      } else if (m?.kind === 'ready') {
        readyWorkers.add(worker.id);
        if (!printedReady && readyWorkers.size >= workers) {
          printedReady = true;
          print(ctx.io, `${m.line}; ${workers} workers`);
        }
      }
    });
    worker.on('exit', (code, signal) => {
      running.delete(worker);
      readyWorkers.delete(worker.id);
      if (stopping) {
        if (running.size === 0) allExited();
        return;
      }
      const how = signal ? `signal ${signal}` : `code ${code}`;
      if (!listened) return failed(`worker ${worker.process.pid} exited with ${how} before it listened; the log above says why`);
      logger.error('a worker exited; starting another', { pid: worker.process.pid, code, signal });
      fork();
    });
  };
  for (let i = 0; i < workers; i += 1) fork();

  const stopSignal = ctx.io.stopSignal ?? new Promise<void>(() => {});
  const reason = await Promise.race([stopSignal.then(() => undefined), failure]);
  stopping = true;
  if (reason) logger.error('stopping the server', { reason });
  if (running.size === 0) allExited();
  for (const worker of running) worker.process.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const worker of running) {
      logger.warn('a worker did not exit in time; killing it', { pid: worker.process.pid });
      worker.process.kill('SIGKILL');
    }
  }, graceMs + EXIT_MARGIN_MS);
  await exited;
  clearTimeout(timer);
  return reason ? 1 : 0;
}
