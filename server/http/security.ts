/**
 * HTTP protections: Host allow-list (DNS rebinding), Origin allow-list, bearer token
 * (constant-time), per-client rate limit (express-rate-limit, counted after authentication),
 * security headers. Express middleware; the decisions themselves are small pure functions.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit as expressRateLimit, type Store } from 'express-rate-limit';
import { chineseMessage, describeError, type MessageParams } from '../../src/shared/errors.js';
import { silentLogger, type Logger } from '../../src/shared/logger.js';
import { isPausedRateLimit } from '../../src/storage/postgres/index.js';

/** Constant-time comparison of a presented token with the configured one. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The one error response: `{error, error_description}`. The description is English, as in the log;
 * a client that prefers Chinese to English (Accept-Language; the web page sends zh-CN) gets the
 * catalogue's Chinese sentence for the code instead (src/shared/errors.ts), `params` filling in the
 * facts it names (a file, a docId, a limit).
 */
export function sendError(res: Response, status: number, error: string, description: string, headers: Record<string, string> = {}, params: MessageParams = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  // Vary: a cache must not hand the Chinese answer to an English client.
  res.vary('Accept-Language');
  const chinese = prefersChinese(res.req?.headers['accept-language']);
  res.status(status).json({ error, error_description: chinese ? chineseMessage(error, description, params) : description });
}

/**
 * Whether an Accept-Language header ranks Chinese (zh, zh-CN, zh-TW…) above English; equal weights go
 * to the one listed first, no header to English. By hand (a few lines) because the raw Node request of
 * lifecycle.ts has no express `acceptsLanguages`, and negotiator is not a dependency of ours.
 */
export function prefersChinese(header: string | undefined): boolean {
  const best = { zh: { q: 0, at: Infinity }, en: { q: 0, at: Infinity } };
  (header ?? '').split(',').forEach((part, at) => {
    const [tag = '', ...attributes] = part.trim().toLowerCase().split(';');
    const qAttribute = attributes.map((a) => a.trim()).find((a) => a.startsWith('q='));
    const q = qAttribute === undefined ? 1 : Number(qAttribute.slice(2));
    const lang = tag.trim().split('-')[0];
    if ((lang === 'zh' || lang === 'en') && Number.isFinite(q) && q > best[lang].q) best[lang] = { q, at };
  });
  return best.zh.q > 0 && (best.zh.q > best.en.q || (best.zh.q === best.en.q && best.zh.at < best.en.at));
}

/** The credentials of an `Authorization: Bearer <token>` header; the scheme is case-insensitive (RFC 7235). */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^bearer[ \t]+(\S.*)$/isu.exec(header ?? '');
  return m ? (m[1] as string).trim() : undefined;
}

/**
 * 401 unless `Authorization: Bearer <token>` matches (when a token is configured). `alsoAccepted`
 * tokens pass too: the admin token reads as well as writes.
 */
export function requireToken(token: string | undefined, ...alsoAccepted: (string | undefined)[]): RequestHandler {
  const others = alsoAccepted.filter((t): t is string => typeof t === 'string' && t !== '');
  return (req: Request, res: Response, next: NextFunction) => {
    if (!token) return next();
    const presented = bearerToken(req.headers.authorization);
    // Every candidate is compared (constant time each), so timing does not tell which one matched.
    const matches = [token, ...others].map((t) => tokenMatches(presented, t));
    if (!matches.includes(true)) {
      return sendError(res, 401, 'unauthorized', 'missing or invalid bearer token; send Authorization: Bearer <API_TOKEN>', { 'WWW-Authenticate': 'Bearer realm="policy-kb"' });
    }
    return next();
  };
}

/** Host names every server accepts: the loopback names. `ALLOWED_HOSTS` adds to them. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** The name part of a Host header (`[::1]:8787` → `[::1]`, `Example.COM.:80` → `example.com`). */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return /^(\[[0-9a-f:.]+\])(?::\d*)?$/u.exec(h)?.[1] ?? h;
  return h.replace(/:\d*$/u, '').replace(/\.$/u, '');
}

/**
 * Whether a Host header names this server: a loopback name or one of `allowed` (a bare name
 * matches any port, `name:port` only that port, `*` anything).
 */
export function hostAllowed(host: string | undefined, allowed: readonly string[]): boolean {
  if (!host) return false;
  const h = host.trim().toLowerCase();
  const name = hostName(h);
  return [...LOOPBACK_HOSTS, ...allowed].some((a) => {
    const entry = a.trim().toLowerCase();
    return entry === '*' || entry === h || (hostName(entry) === entry && entry === name);
  });
}

/** Whether a host name (as HOST or an ALLOWED_HOSTS entry writes it) is loopback: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackName(name: string): boolean {
  const raw = name.trim().toLowerCase();
  if (raw === '::1') return true; // a bare IPv6 address, as HOST writes it (hostName reads `:1` as a port)
  const h = hostName(raw);
  return h === 'localhost' || h === '[::1]' || /^127(?:\.\d{1,3}){3}$/u.test(h);
}

/**
 * Why a server that listens on loopback must still be treated as reachable by anyone (issue 25.9):
 * a proxy in front of it (TRUST_PROXY on) or a non-loopback name it answers to (ALLOWED_HOSTS).
 * Undefined when neither. Writes without ADMIN_TOKEN are refused then, saying this reason.
 */
export function exposureBeyondLoopback(options: { allowedHosts: readonly string[]; trustProxy?: boolean | number | string | undefined }): string | undefined {
  const { trustProxy } = options;
  if (trustProxy !== undefined && trustProxy !== false && trustProxy !== 0) {
    return `TRUST_PROXY is set (${String(trustProxy).slice(0, 60)}): requests come through a proxy, so anyone who reaches the proxy reaches this server`;
  }
  const names = options.allowedHosts.filter((h) => !isLoopbackName(h));
  if (names.length > 0) return `ALLOWED_HOSTS names ${names.slice(0, 3).join(', ').slice(0, 120)}: clients reach this server by a name other than loopback`;
  return undefined;
}

/** 403 unless the Host header is allowed: a page on another name (DNS rebinding) reads nothing. */
export function requireAllowedHost(allowed: readonly string[]): RequestHandler {
  return (req, res, next) => {
    const host = req.headers.host;
    if (hostAllowed(host, allowed)) return next();
    const shown = (host ?? '(none)').slice(0, 100);
    return sendError(res, 403, 'forbidden_host', `Host ${shown} is not allowed; add the name clients use to ALLOWED_HOSTS (loopback names are always allowed)`);
  };
}

/** Whether a browser Origin may call: same origin as the Host, or configured. */
export function originAllowed(origin: string, host: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  if (!host) return false;
  return origin === `http://${host}` || origin === `https://${host}`;
}

/** 403 for a request carrying a foreign Origin (DNS rebinding, cross-site pages). */
export function requireAllowedOrigin(allowed: readonly string[]): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined || origin === 'null' || originAllowed(origin, req.headers.host, allowed)) {
      if (origin === 'null') return sendError(res, 403, 'forbidden_origin', 'requests from an opaque origin are not allowed');
      return next();
    }
    return sendError(res, 403, 'forbidden_origin', `origin ${origin.slice(0, 100)} is not allowed; add it to ALLOWED_ORIGINS to permit it`);
  };
}

/** CORS for configured origins only; off (no headers) otherwise. */
export function cors(allowed: readonly string[]): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin && allowed.length > 0 && (allowed.includes('*') || allowed.includes(origin))) {
      res.setHeader('Access-Control-Allow-Origin', allowed.includes('*') ? '*' : origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Mcp-Protocol-Version, Mcp-Session-Id');
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      if (req.method === 'OPTIONS') return void res.status(204).end();
    }
    return next();
  };
}

export interface RateLimiter {
  /** Counts the request (mount after authentication: refused tokens never count). */
  perRequest: RequestHandler;
  /** Counts each further member of a JSON-RPC batch body (mount after the JSON parser). */
  perBatchMember: RequestHandler;
}

/**
 * Fixed one-minute window per client address (`req.ip`: the socket address, or the client named by
 * X-Forwarded-For when express's `trust proxy` is set); 0 disables. IPv6 clients are keyed by /56.
 */
export function createRateLimiter(perMinute: number, shared?: Store, logger: Logger = silentLogger): RateLimiter {
  if (perMinute <= 0) {
    const pass: RequestHandler = (_req, _res, next) => next();
    return { perRequest: pass, perBatchMember: pass };
  }
  const windowMs = 60_000;
  // A shared store (PostgreSQL) counts across replicas; the in-memory one counts in this process.
  const store: Store = shared ?? new MemoryStore();
  const keyOf = (req: Request): string => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');
  const refuse = (res: Response, resetTime: Date | undefined): void => {
    const retry = Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + windowMs) - Date.now()) / 1000));
    sendError(res, 429, 'rate_limited', `more than ${perMinute} requests per minute from this client; retry in ${retry} s`, { 'Retry-After': String(retry) }, { retryAfter: retry });
  };
  const perRequest = expressRateLimit({
    windowMs,
    limit: perMinute,
    store,
    standardHeaders: false,
    legacyHeaders: false,
    keyGenerator: keyOf,
    // A shared store that fails (the database unreachable a moment) lets the request through, as
    // the requests themselves would fail or succeed on their own; the in-memory one cannot fail.
    passOnStoreError: shared !== undefined,
    // Its start-up checks print to the console; the serve command logs its own warnings instead.
    validate: false,
    // Its store errors go to our JSON log (stderr), not the console; a paused store is not news.
    logger: {
      error: (error, message) => {
        if (!isPausedRateLimit(error)) logger.warn(message ?? 'rate limit store failed', { error: describeError(error) });
      },
      warn: (error, message) => logger.warn(message ?? 'rate limit warning', { error: describeError(error) }),
    },
    handler: (req, res) => refuse(res, (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime),
  });
  const perBatchMember: RequestHandler = (req, res, next) => {
    const members = Array.isArray(req.body) ? req.body.length : 0;
    if (members <= 1) return next();
    void (async () => {
      const key = keyOf(req);
      let last: { totalHits: number; resetTime: Date | undefined } = { totalHits: 0, resetTime: undefined };
      try {
        for (let i = 1; i < members; i += 1) last = await store.increment(key);
      } catch (error) {
        if (shared) return next(); // as passOnStoreError above
        throw error;
      }
      if (last.totalHits > perMinute) return refuse(res, last.resetTime);
      return next();
    })().catch(next);
  };
  return { perRequest, perBatchMember };
}

export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    next();
  };
}
