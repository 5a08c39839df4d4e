/**
 * The HTTP server's timeouts, connection cap and graceful stop. `createHttpServer(app, limits)`
 * returns an unstarted server; the serve command listens and calls `stopHttpServer` on a signal.
 */
import { createServer, type RequestListener, type Server } from 'node:http';

export interface ServerLimits {
  /** Open connections accepted at once (`server.maxConnections`); further ones are dropped. */
  maxConnections: number;
  /** Time a client has to send the request headers (slow-header clients are cut off). */
  headersTimeoutMs?: number;
  /** Time a client has to send the whole request, body included. */
  requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs?: number;
}

/** Defaults: slow clients used to hold sockets for 60–300 s (Node's defaults); a few seconds is plenty here. */
export const DEFAULT_LIMITS = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 } as const;

export function createHttpServer(app: RequestListener, limits: ServerLimits): Server {
  const headersTimeout = limits.headersTimeoutMs ?? DEFAULT_LIMITS.headersTimeoutMs;
  const requestTimeout = Math.max(limits.requestTimeoutMs ?? DEFAULT_LIMITS.requestTimeoutMs, headersTimeout);
  // Node checks both timeouts every connectionsCheckingInterval (default 30 s): check often enough to honour them.
  const server = createServer({ headersTimeout, requestTimeout, connectionsCheckingInterval: Math.min(1000, headersTimeout) }, app);
  server.keepAliveTimeout = limits.keepAliveTimeoutMs ?? DEFAULT_LIMITS.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  return server;
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
