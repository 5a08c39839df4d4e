/**
 * The HTTP API, the OpenAI-compatible endpoint and the web chat page. `createApp(deps)` builds the
 * express app; only the entry point listens. Other transports (MCP over Streamable HTTP) are
 * mounted by the entry point through `deps.mounts`, behind the same protections.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { resolveFollowUp, type ChatTurn } from '../../src/retrieval/conversation.js';
import { MAX_QUERY_CHARS } from '../../src/retrieval/search.js';
import type { KnowledgeService } from '../../src/retrieval/service.js';
import { ERROR_CODES, KbError, describeError, isKbError } from '../../src/shared/errors.js';
import type { Logger } from '../../src/shared/logger.js';
import { silentLogger } from '../../src/shared/logger.js';
import { isRealDate } from '../../src/shared/dates.js';
import { plainText, requirePlainText } from '../../src/shared/control-chars.js';
import { isoToday, presentCitation, presentHit, presentPassage, type PassageView } from '../../src/retrieval/presenter.js';
import { mountDocumentReads } from './routes/documents.js';
import { mountHealth } from './routes/health.js';
import { statusFor } from './status.js';
import { cors, createRateLimiter, requireAllowedHost, requireAllowedOrigin, requireToken, securityHeaders, sendError } from './security.js';
import { registerCompareRoutes } from './routes/compare.js';
import { registerDiffRoutes } from './routes/diff.js';
import { chatPayload, completionBody, writeChatEvents, writeCompletionChunks, type AnsweredChat } from './routes/chat.js';
import type { StoredPassage } from '../../src/storage/types.js';
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

export const MODEL_ID = 'policy-kb';
const HERE = path.dirname(fileURLToPath(import.meta.url));
// From source the page sits beside this file's folder; compiled to dist/server/http/, it is still in server/web/.
const WEB_DIR = [path.join(HERE, '..', 'web'), path.join(HERE, '..', '..', '..', 'server', 'web')].find((dir) => existsSync(path.join(dir, 'index.html'))) ?? path.join(HERE, '..', 'web');

const query = z.string().trim().min(1, 'must not be empty').max(MAX_QUERY_CHARS, `must be at most ${MAX_QUERY_CHARS} characters`);
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/u, 'must be YYYY-MM-DD')
  // A real calendar day: 2016-13-45 and 2017-02-29 are refused, not silently compared as text.
  .refine((d) => !/^\d{4}-\d{2}-\d{2}$/u.test(d) || isRealDate(d), 'is not a calendar date (YYYY-MM-DD)');
const idList = z.array(plainText(z.string().min(1).max(100))).max(50);

const searchBody = z
  .object({ query, k: z.number().int().min(1).max(50).optional(), docIds: idList.optional(), issuer: plainText(z.string().max(200)).optional(), dateFrom: isoDate.optional(), dateTo: isoDate.optional(), validOn: isoDate.optional(), inForce: z.boolean().optional(), mergeClause: z.boolean().optional() })
  .strict()
  .refine((b) => b.dateFrom === undefined || b.dateTo === undefined || b.dateFrom <= b.dateTo, { path: ['dateFrom'], message: 'must not be after dateTo; swap them or drop one' });
const turn = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string().max(20_000) }).strict();
const chatBody = z
  .object({ question: query.optional(), messages: z.array(turn).min(1).max(50).optional(), stream: z.boolean().optional(), docIds: idList.optional() })
  .strict()
  .refine((b) => b.question !== undefined || b.messages !== undefined, { message: 'send question (a string) or messages (a list of {role, content} turns)' })
  .refine((b) => b.question === undefined || b.messages === undefined, { message: 'send either question or messages, not both' });
const openAiContent = z.union([z.string().max(20_000), z.array(z.object({ type: z.string(), text: z.string().max(20_000).optional() }).passthrough()).max(50)]);
const openAiBody = z
  .object({
    model: z.string().max(200).optional(),
    messages: z.array(z.object({ role: z.enum(['system', 'user', 'assistant', 'developer', 'tool']), content: openAiContent.nullable().optional() }).passthrough()).min(1).max(100),
    stream: z.boolean().optional(),
  })
  .passthrough();

/** `messages[0].content`: the field a client has to fix, as it would write it. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

function zodMessage(error: z.ZodError, at: readonly PropertyKey[] = []): string {
  return error.issues.map((i) => `${fieldPath([...at, ...i.path]) || 'body'}: ${i.message}`).join('; ');
}

/** Validates `value`; `at` is where it sits in the request body, for the error message. */
function parse<T extends z.ZodTypeAny>(schema: T, value: unknown, at: readonly PropertyKey[] = []): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new KbError(ERROR_CODES.INVALID_INPUT, zodMessage(r.error, at));
  return r.data;
}

/** Where the latest user message sits: `messages[i].content` (or `messages` when there is none). */
function lastUserContent(messages: readonly { role: string }[]): PropertyKey[] {
  const i = messages.findLastIndex((m) => m.role === 'user');
  return i < 0 ? ['messages'] : ['messages', i, 'content'];
}

/**
 * A JSON answer to a POST, as `res.json` writes it less the ETag: no client revalidates a POST, and
 * hashing every search response cost more than the rest of the send.
 */
function sendJson(res: Response, body: unknown): void {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

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

  app.post('/api/search', async (req, res) => {
    const body = parse(searchBody, req.body);
    const svc = service();
    const response = await svc.search(body.query, { k: body.k ?? 8, ...(body.docIds ? { docIds: body.docIds } : {}), ...(body.issuer ? { issuer: body.issuer } : {}), ...(body.dateFrom ? { dateFrom: body.dateFrom } : {}), ...(body.dateTo ? { dateTo: body.dateTo } : {}), ...(body.validOn ? { validOn: body.validOn } : {}), ...(body.inForce ? { inForce: true } : {}), mergeClause: body.mergeClause === true });
    const [abstained, docs] = await Promise.all([svc.abstains(response), svc.catalog()]);
    const day = today();
    sendJson(res, { results: response.results.map((r) => presentHit(docs, r, day)), abstained });
  });

  /** `at`: the body field holding the latest question, named when the question is refused. */
  const answerFor = async (turns: ChatTurn[], at: readonly PropertyKey[], docIds?: string[]): Promise<AnsweredChat> => {
    const svc = service();
    const { question, carried } = resolveFollowUp(turns, await svc.searcher.aliases());
    const q = parse(query, question, at);
    const { answer } = await svc.ask(q, docIds ? { docIds } : {});
    const docs = await svc.catalog();
    const day = today();
    return { answer, question: q, citations: answer.citations.map((c) => presentCitation(docs, c, day)), ...(carried ? { carried } : {}) };
  };

  // What each chat route sends is shaped in routes/chat.ts (outcome, missing, carried in every transport).
  app.post('/api/chat', async (req, res) => {
    const body = parse(chatBody, req.body);
    const turns: ChatTurn[] = body.messages ?? [{ role: 'user', content: body.question as string }];
    const at = body.messages ? lastUserContent(body.messages) : ['question'];
    const answered = await answerFor(turns, at, body.docIds);
    if (!body.stream) return void sendJson(res, chatPayload(answered));
    writeChatEvents(res, answered);
  });

  mountDocumentReads({ service, today })(app);
  registerDiffRoutes(app, service);

  app.get('/api/passages/:passageId', async (req, res) => {
    const id = requirePlainText('passageId', String(req.params.passageId));
    const found = await service().passage(id);
    if (!found) throw new KbError(ERROR_CODES.UNKNOWN_PASSAGE, `unknown passageId "${id.slice(0, 100)}"`, { details: { passageId: id.slice(0, 100) } });
    const day = today();
    const docs = new Map([[found.document.meta.docId, found.document]]);
    const view = (p: StoredPassage | undefined): PassageView | null => (p ? presentPassage(docs, p, day) : null);
    res.json({ passage: view(found.passage), previous: view(found.before[0]), next: view(found.after[0]), references: found.references });
  });

  app.get('/v1/models', (_req, res) => {
    res.json({ object: 'list', data: [{ id: MODEL_ID, object: 'model', created: 0, owned_by: 'policy-kb' }] });
  });

  app.post('/v1/chat/completions', async (req, res) => {
    const body = parse(openAiBody, req.body);
    const turns: ChatTurn[] = body.messages
      .filter((m) => m.role === 'user' || m.role === 'assistant')
      .map((m) => ({ role: m.role as 'user' | 'assistant', content: typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => p.text ?? '').join('') }));
    if (!turns.some((t) => t.role === 'user')) throw new KbError(ERROR_CODES.INVALID_INPUT, 'messages: needs at least one user message');
    const answered = await answerFor(turns, lastUserContent(body.messages));
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model ?? MODEL_ID;
    if (!body.stream) return void sendJson(res, completionBody(answered, id, created, model));
    writeCompletionChunks(res, answered, id, created, model);
  });

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
