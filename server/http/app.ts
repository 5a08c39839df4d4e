/**
 * The HTTP API, the OpenAI-compatible endpoint and the web chat page. `createApp(deps)` builds the
 * express app; only the entry point listens. Other transports (MCP over Streamable HTTP) are
 * mounted by the entry point through `deps.mounts`, behind the same protections.
 *
 * This file holds what every route shares (host/origin checks, token, rate limit, body parsing, the
 * one error handler); the routes are in routes/*.ts: health, search, chat, documents, diff, passages,
 * openai (/v1), compare. Chat and /v1 stream through one SSE writer (sse.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { KnowledgeService } from '../../src/retrieval/service.js';
import { ERROR_CODES, KbError, describeError, isKbError } from '../../src/shared/errors.js';
import type { Logger } from '../../src/shared/logger.js';
import { silentLogger } from '../../src/shared/logger.js';
import { isoToday } from '../../src/retrieval/presenter.js';
import { mountDocumentReads } from './routes/documents.js';
import { mountHealth } from './routes/health.js';
import { statusFor } from './status.js';
import { cors, createRateLimiter, requireAllowedHost, requireAllowedOrigin, requireToken, securityHeaders, sendError } from './security.js';
import { registerChatRoutes } from './routes/chat.js';
import { registerCompareRoutes } from './routes/compare.js';
import { registerDiffRoutes } from './routes/diff.js';
import { registerOpenAiRoutes } from './routes/openai.js';
import { registerPassageRoutes } from './routes/passages.js';
import { registerSearchRoutes } from './routes/search.js';
import type { Store } from 'express-rate-limit';

export interface AppDeps {
  /** The live knowledge service; undefined while the index loads (readyz answers 503). */
  getService(): KnowledgeService | undefined;
  /** Why the index could not be loaded, once loading has failed for good (readyz answers `failed`). */
  getLoadError?(): string | undefined;
  /** Why the store cannot serve now (a database down, stalled or emptied): readyz answers `unavailable`. */
  storeHealth?(): Promise<string | undefined>;
  apiToken?: string | undefined;
  /** Token for the write routes; it is accepted for reads too. */
  adminToken?: string | undefined;
  /** Today as YYYY-MM-DD, for validity (default: the real date; tests set it). */
  today?: () => string;
  allowedOrigins?: string[];
  /** Host header names accepted besides the loopback names (`*`: any). Applies to every route. */
  allowedHosts?: string[];
  rateLimitPerMinute?: number;
  /** Where the rate limit counts (default: this process's memory): a store shared by replicas. */
  rateLimitStore?: Store;
  /** express `trust proxy`: false (default), true, a hop count or addresses; decides `req.ip` for the rate limit. */
  trustProxy?: boolean | number | string;
  /** Largest accepted JSON body (default 64 KiB). */
  bodyLimit?: string;
  logger?: Logger;
  version?: string;
  /** Set in a cluster worker (WORKERS > 1): its pid, sent as `X-Worker` on every response. */
  worker?: number;
  /** Extra routes mounted behind the same protections, e.g. `/mcp`. */
  mounts?: ((app: Express) => void)[];
}

export { MODEL_ID } from './routes/openai.js';
const HERE = path.dirname(fileURLToPath(import.meta.url));
// From source the page sits beside this file's folder; compiled to dist/server/http/, it is still in server/web/.
const WEB_DIR = [path.join(HERE, '..', 'web'), path.join(HERE, '..', '..', '..', 'server', 'web')].find((dir) => existsSync(path.join(dir, 'index.html'))) ?? path.join(HERE, '..', 'web');

export function createApp(deps: AppDeps): Express {
  const logger = deps.logger ?? silentLogger;
  const today = deps.today ?? (() => isoToday());
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
  app.use(securityHeaders());
  if (deps.worker !== undefined) {
    const worker = String(deps.worker);
    app.use((_req, res, next) => {
      res.setHeader('X-Worker', worker);
      next();
    });
  }
  // Every route, the page and health checks included: a rebound DNS name or a foreign page reads nothing.
  const allowed = deps.allowedOrigins ?? [];
  app.use(requireAllowedHost(deps.allowedHosts ?? []), requireAllowedOrigin(allowed));

  mountHealth(deps)(app);

  const limit = deps.bodyLimit ?? '64kb';
  // Counted after the token check, so requests with a wrong token cannot lock a client out.
  const limiter = createRateLimiter(deps.rateLimitPerMinute ?? 0, deps.rateLimitStore, logger);
  const guard = [cors(allowed), requireToken(deps.apiToken, deps.adminToken), limiter.perRequest, express.json({ limit, strict: true, type: ['application/json', 'application/*+json'] }), limiter.perBatchMember];
  app.use('/api', ...guard);
  app.use('/v1', ...guard);
  app.use('/mcp', ...guard);

  const service = (): KnowledgeService => {
    const s = deps.getService();
    const failed = s ? undefined : deps.getLoadError?.();
    if (failed) throw new KbError(ERROR_CODES.INDEX_MISSING, `the knowledge base could not be loaded: ${failed}`);
    if (!s) throw new KbError(ERROR_CODES.INDEX_MISSING, 'the knowledge base is still loading; retry shortly');
    return s;
  };

  const routes = { service, today };
  registerSearchRoutes(app, routes);
  registerChatRoutes(app, routes);
  mountDocumentReads(routes)(app);
  registerDiffRoutes(app, service);
  registerPassageRoutes(app, routes);
  registerOpenAiRoutes(app, routes);
  registerCompareRoutes(app, service);
  for (const mount of deps.mounts ?? []) mount(app);

  app.use(express.static(WEB_DIR, { index: 'index.html', dotfiles: 'ignore', fallthrough: true }));

  app.use((req, res) => {
    sendError(res, 404, 'not_found', `no route ${req.method} ${req.path.slice(0, 200)}`);
  });

  // One error handler: library codes and body-parser failures become 4xx; the rest a plain 500.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      logger.error('error after response started', { path: req.path, error: describeError(error) });
      return void res.end();
    }
    const e = error as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.too.large') return sendError(res, 413, 'payload_too_large', `request body exceeds ${limit}`, {}, { limit });
    if (e?.type === 'entity.parse.failed') return sendError(res, 400, 'invalid_json', 'request body is not valid JSON');
    if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return sendError(res, 415, 'unsupported_encoding', 'send UTF-8 JSON');
    if (error instanceof URIError || /^Failed to decode param/u.test(e?.message ?? '')) return sendError(res, 400, 'bad_request', 'malformed percent-encoding in the URL');
    if (e?.status && e.status >= 400 && e.status < 500) return sendError(res, e.status, 'bad_request', 'the request could not be read');
    if (isKbError(error)) {
      const status = statusFor(error.code);
      if (status < 500 || status === 503 || status === 507) return sendError(res, status, error.code, error.message, {}, error.details);
    }
    logger.error('request failed', { method: req.method, path: req.path, error: describeError(error) });
    return sendError(res, 500, 'internal_error', 'internal error; the server log has details');
  });
  return app;
}
