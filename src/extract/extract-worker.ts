/**
 * The extraction worker thread (started by isolate.ts): runs `extractDocument` on one file at a time and
 * posts back the result, its log lines and OCR progress. Its heap is capped by the `resourceLimits` it was
 * started with; the main thread terminates it on a time limit or when the caller gives up.
 */
import { parentPort } from 'node:worker_threads';
import { isKbError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { extractDocument } from './index.js';
import type { IsolatedReply, IsolatedRequest } from './isolate.js';

const port = parentPort;
if (!port) throw new Error('extract-worker.ts runs as a worker thread (see isolate.ts)');

const logTo = (id: number): Logger => {
  const post = (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, fields?: Record<string, unknown>) => port.postMessage({ id, log: { level, msg, fields } } satisfies IsolatedReply);
  return { debug: post('debug'), info: post('info'), warn: post('warn'), error: post('error') };
};

port.on('message', (request: IsolatedRequest) => {
  void (async () => {
    try {
      const result = await extractDocument(request.bytes, request.fileName, {
        ...request.options,
        ...(request.log ? { logger: logTo(request.id) } : {}),
        onProgress: (progress) => port.postMessage({ id: request.id, progress } satisfies IsolatedReply),
      });
      port.postMessage({ id: request.id, result } satisfies IsolatedReply);
    } catch (error) {
      const failure = isKbError(error)
        ? { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) }
        : { message: error instanceof Error ? error.message : String(error) };
      port.postMessage({ id: request.id, error: failure } satisfies IsolatedReply);
    }
  })();
});
port.postMessage({ ready: true } satisfies IsolatedReply);
