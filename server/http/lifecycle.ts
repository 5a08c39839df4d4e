/**
 * The HTTP server's timeouts, connection cap and graceful stop. `createHttpServer(app, limits)`
 * returns an unstarted server; the serve command listens and calls `stopHttpServer` on a signal.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { chineseMessage } from '../../src/shared/errors.js';
import { prefersChinese } from './security.js';

export interface ServerLimits {
  /** Open connections accepted at once (`server.maxConnections`); further ones are dropped. */
  maxConnections: number;
  /** Time a client has to send the request headers (slow-header clients are cut off). */
  headersTimeoutMs?: number;
  /** Time a client has to send the whole request, body included (uploads: see `upload`). */
  requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs?: number;
  /** The longer allowance of uploads, which alone may take more than `requestTimeoutMs`. */
  upload?: UploadLimits;
}

export interface UploadLimits {
  /** Which requests are uploads (POST/PUT of a file); every other request has `requestTimeoutMs`. */
  isUpload(req: IncomingMessage): boolean;
  /** Longest an upload may take to arrive, in ms. */
  maxMs: number;
  /** Past `graceMs`, an upload arriving slower than this on average since it began is cut off (408). */
  minBytesPerSecond?: number;
  graceMs?: number;
}

/** Defaults: slow clients used to hold sockets for 60–300 s (Node's defaults); a few seconds is plenty here. */
export const DEFAULT_LIMITS = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 } as const;

/**
 * Uploads: after the first 10 s, at least 32 KiB/s on average, or the upload is cut off (a trickling
 * client held one of the few write slots for the whole long limit; issue 25.10). A 2 MB scan over a
 * 300 kbit/s link still arrives.
 */
export const UPLOAD_MIN_BYTES_PER_SECOND = 32 * 1024;
export const UPLOAD_GRACE_MS = 10_000;
const CHECK_EVERY_MS = 500;

export function createHttpServer(app: RequestListener, limits: ServerLimits): Server {
  const headersTimeout = limits.headersTimeoutMs ?? DEFAULT_LIMITS.headersTimeoutMs;
  const bodyTimeout = limits.requestTimeoutMs ?? DEFAULT_LIMITS.requestTimeoutMs;
  const upload = limits.upload;
  // Node's own limit (at least headersTimeout, as Node wants) is the longest any request may take (an
  // upload's); the shorter one of every other request, and the uploads' minimum rate, are kept per request below.
  const nodeLimit = Math.max(bodyTimeout, headersTimeout, upload?.maxMs ?? 0);
  const listener: RequestListener = upload ? (req, res) => (watchArrival(req, res, upload.isUpload(req) ? upload : undefined, bodyTimeout), app(req, res)) : app;
  // Node checks both timeouts every connectionsCheckingInterval (default 30 s): check often enough to honour them.
  const server = createServer({ headersTimeout, requestTimeout: nodeLimit, connectionsCheckingInterval: Math.min(1000, headersTimeout) }, listener);
  server.keepAliveTimeout = limits.keepAliveTimeoutMs ?? DEFAULT_LIMITS.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  return server;
}

/** 408 with the house error shape (in Chinese for a Chinese client), and the connection closed (the rest of the body is not read). */
function cutOff(req: IncomingMessage, res: ServerResponse, description: string): void {
  if (!res.headersSent) {
    res.writeHead(408, { 'Content-Type': 'application/json; charset=utf-8', Connection: 'close', Vary: 'Accept-Language' });
    const shown = prefersChinese(req.headers['accept-language']) ? chineseMessage('request_timeout', description) : description;
    res.end(JSON.stringify({ error: 'request_timeout', error_description: shown }), () => req.socket.destroy());
  } else {
    req.socket.destroy();
  }
}

/**
 * Watches a request's body until it has all arrived: an ordinary request gets `requestTimeoutMs`, an
 * upload `upload.maxMs` and, past its grace time, the minimum rate (bytes read by the socket).
 */
function watchArrival(req: IncomingMessage, res: ServerResponse, upload: UploadLimits | undefined, requestTimeoutMs: number): void {
  // A request without a body has arrived with its headers (headersTimeout covered those).
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (!hasBody || req.complete) return;
  const started = Date.now();
  const readAtStart = req.socket.bytesRead;
  const minRate = upload?.minBytesPerSecond ?? UPLOAD_MIN_BYTES_PER_SECOND;
  const grace = upload?.graceMs ?? UPLOAD_GRACE_MS;
  const limitMs = upload ? upload.maxMs : requestTimeoutMs;
  const timer = setInterval(() => {
    if (req.complete || req.destroyed) return stop();
    const elapsed = Date.now() - started;
    if (elapsed >= limitMs) {
      stop();
      return cutOff(req, res, `the request did not arrive within ${Math.round(limitMs / 1000)} s; ${upload ? 'upload a smaller file or over a faster connection' : 'send the whole request at once'}`);
    }
    if (upload && elapsed > grace) {
      const rate = (req.socket.bytesRead - readAtStart) / (elapsed / 1000);
      if (rate < minRate) {
        stop();
        cutOff(req, res, `the upload arrived at ${Math.round(rate / 1024)} KiB/s, under the minimum of ${Math.round(minRate / 1024)} KiB/s; retry over a faster connection`);
      }
    }
  }, Math.min(CHECK_EVERY_MS, limitMs));
  timer.unref();
  function stop(): void {
    clearInterval(timer);
  }
  req.once('end', stop);
  res.once('close', stop);
}

/**
 * Stops accepting connections, closes idle ones, lets in-flight requests finish for up to
 * `graceMs`, then closes every remaining connection. Resolves once the server is closed.
 */
export async function stopHttpServer(server: Server, graceMs: number): Promise<{ forced: boolean }> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace-over'>((resolve) => {
    timer = setTimeout(() => resolve('grace-over'), graceMs);
  });
  // Responses that finish during the grace period leave idle keep-alive sockets: close those too.
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  const outcome = await Promise.race([closed.then(() => 'closed' as const), graceOver]);
  clearTimeout(timer);
  clearInterval(sweep);
  if (outcome === 'grace-over') server.closeAllConnections();
  await closed;
  return { forced: outcome === 'grace-over' };
}
