/**
 * Extraction off the event loop: `extractIsolated` runs `extractDocument` in a worker thread whose heap is
 * capped (`resourceLimits`), under a time limit, and stops it when the caller's signal aborts (an upload whose
 * client went away). A server stays responsive while a file is parsed or OCRed, and a hostile file costs at
 * most the limits. One idle worker is kept for a while so that OCR models stay loaded between files.
 *
 * @example
 * const result = await extractIsolated(bytes, 'scan.pdf', { ocr: 'auto' }, { timeoutMs: 600_000, memoryMb: 1024 });
 */
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../shared/worker-entry.js';
import { ERROR_CODES, KbError, type ErrorCode } from '../shared/errors.js';
import type { ExtractOptions, ExtractResult, OcrProgress } from './types.js';

/** The options a worker can receive (no functions, no signal). */
export type PortableOptions = Omit<ExtractOptions, 'logger' | 'signal' | 'onProgress'>;

export interface IsolatedRequest {
  id: number;
  bytes: Uint8Array;
  fileName: string;
  options: PortableOptions;
  /** Whether to post log lines back. */
  log: boolean;
}

export type IsolatedReply =
  | { ready: true }
  | { id: number; log: { level: 'debug' | 'info' | 'warn' | 'error'; msg: string; fields?: Record<string, unknown> | undefined } }
  | { id: number; progress: OcrProgress }
  | { id: number; result: ExtractResult }
  | { id: number; error: { code?: string; message: string; details?: Record<string, unknown> } };

export interface IsolationLimits {
  /** Wall-clock limit for one file (default 600 s). */
  timeoutMs?: number;
  /** Heap limit of the worker, MiB (default 1024). */
  memoryMb?: number;
  /** How long an idle worker is kept for the next file (default 30 s). */
  idleMs?: number;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  memoryMb: number;
  busy: boolean;
  idle?: NodeJS.Timeout;
}

const idle: Slot[] = [];
let nextId = 0;

function startWorker(memoryMb: number): Slot {
  const { entry, eval: isCode } = workerEntry(import.meta.url, 'extract-worker');
  const worker = new Worker(entry, {
    eval: isCode,
    resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: Math.min(64, Math.max(8, Math.floor(memoryMb / 16))) },
    // The parent's own flags (a --max-old-space-size) must not override the limits.
    execArgv: [],
  });
  const ready = new Promise<void>((resolve, reject) => {
    const onMessage = (reply: IsolatedReply): void => {
      if ('ready' in reply) {
        worker.off('message', onMessage);
        worker.off('error', reject);
        resolve();
      }
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
  return { worker, ready, memoryMb, busy: false };
}

function release(slot: Slot, idleMs: number): void {
  slot.busy = false;
  if (idleMs <= 0 || idle.length >= 1) {
    void slot.worker.terminate();
    return;
  }
  slot.worker.unref();
  slot.idle = setTimeout(() => {
    const i = idle.indexOf(slot);
    if (i >= 0) idle.splice(i, 1);
    void slot.worker.terminate();
  }, idleMs);
  slot.idle.unref();
  idle.push(slot);
}

function acquire(memoryMb: number): Slot {
  const i = idle.findIndex((s) => s.memoryMb === memoryMb);
  if (i >= 0) {
    const [slot] = idle.splice(i, 1) as [Slot];
    clearTimeout(slot.idle);
    slot.worker.ref();
    slot.busy = true;
    return slot;
  }
  const slot = startWorker(memoryMb);
  slot.busy = true;
  return slot;
}

/** Terminates the idle workers (tests, shutdown). */
export async function closeIsolatedWorkers(): Promise<void> {
  const slots = idle.splice(0);
  for (const s of slots) clearTimeout(s.idle);
  await Promise.all(slots.map((s) => s.worker.terminate()));
}

function toError(error: { code?: string; message: string; details?: Record<string, unknown> }): KbError {
  const known = Object.values(ERROR_CODES).includes(error.code as ErrorCode) ? (error.code as ErrorCode) : ERROR_CODES.DOCUMENT_UNREADABLE;
  return new KbError(known, error.message, error.details ? { details: error.details } : {});
}

/**
 * Extracts a document in a worker thread under `limits`. Past the time or memory limit the worker is stopped
 * and the file refused with `document_too_large`; an aborted signal stops it and rejects with the signal's reason.
 */
export async function extractIsolated(bytes: Uint8Array, fileName: string, options: ExtractOptions = {}, limits: IsolationLimits = {}): Promise<ExtractResult> {
  const { logger, signal, onProgress, ...portable } = options;
  signal?.throwIfAborted();
  const timeoutMs = limits.timeoutMs ?? 600_000;
  const memoryMb = limits.memoryMb ?? 1024;
  const slot = acquire(memoryMb);
  const id = nextId++;
  const { worker } = slot;
  let settled = false;
  return new Promise<ExtractResult>((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    const finish = (keep: boolean): void => {
      settled = true;
      for (const t of timers) clearTimeout(t);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      signal?.removeEventListener('abort', onAbort);
      if (keep) release(slot, limits.idleMs ?? 30_000);
      else void worker.terminate();
    };
    const onMessage = (reply: IsolatedReply): void => {
      if (!('id' in reply) || reply.id !== id || settled) return;
      if ('log' in reply) logger?.[reply.log.level](reply.log.msg, reply.log.fields);
      else if ('progress' in reply) onProgress?.(reply.progress);
      else if ('result' in reply) {
        finish(true);
        resolve(reply.result);
      } else {
        finish(true);
        reject(toError(reply.error));
      }
    };
    const onError = (error: Error & { code?: string }): void => {
      if (settled) return;
      finish(false);
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        reject(new KbError(ERROR_CODES.DOCUMENT_TOO_LARGE, `"${fileName}": extracting it needed more than the ${memoryMb} MiB of memory allowed (EXTRACT_MEMORY_MB); split the document, or raise EXTRACT_MEMORY_MB for a file you trust`, { details: { file: fileName, limit: memoryMb, setting: 'EXTRACT_MEMORY_MB' } }));
      } else reject(new KbError(ERROR_CODES.DOCUMENT_UNREADABLE, `"${fileName}": extraction failed (${error.message})`, { cause: error, details: { file: fileName } }));
    };
    const onExit = (code: number): void => {
      if (settled) return;
      finish(false);
      reject(new KbError(ERROR_CODES.DOCUMENT_UNREADABLE, `"${fileName}": the extraction worker stopped (exit code ${code})`, { details: { file: fileName } }));
    };
    const onAbort = (): void => {
      if (settled) return;
      finish(false);
      logger?.info('extraction cancelled', { file: fileName });
      reject(signal?.reason instanceof Error ? signal.reason : new Error('extraction cancelled'));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    signal?.addEventListener('abort', onAbort, { once: true });
    timers.push(setTimeout(() => {
      if (settled) return;
      finish(false);
      const seconds = Math.round(timeoutMs / 1000);
      reject(new KbError(ERROR_CODES.DOCUMENT_TOO_LARGE, `"${fileName}": extracting it took longer than the limit of ${seconds} s (EXTRACT_TIMEOUT_S); split the document, or raise EXTRACT_TIMEOUT_S for a file you trust`, { details: { file: fileName, limit: seconds, setting: 'EXTRACT_TIMEOUT_S' } }));
    }, timeoutMs));
    slot.ready.then(
      () => {
        if (settled) return;
        // The worker gets its own copy, in an ArrayBuffer of its own (a Buffer may be a view into a shared pool):
        // the caller's bytes stay usable (they are written to the corpus after).
        const copy = new Uint8Array(bytes);
        worker.postMessage({ id, bytes: copy, fileName, options: portable, log: logger !== undefined } satisfies IsolatedRequest, [copy.buffer]);
      },
      (error: unknown) => onError(error as Error),
    );
  });
}
