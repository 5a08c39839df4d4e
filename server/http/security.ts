/**
 * HTTP protections: bearer token (constant-time), Origin allow-list, per-client rate limit,
 * security headers. Express middleware; the decisions themselves are small pure functions.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Constant-time comparison of a presented token with the configured one. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function sendError(res: Response, status: number, error: string, description: string, headers: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(status).json({ error, error_description: description });
}

/** 401 unless `Authorization: Bearer <token>` matches (when a token is configured). */
export function requireToken(token: string | undefined): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!token) return next();
    const header = req.headers.authorization;
    const presented = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!tokenMatches(presented, token)) {
      return sendError(res, 401, 'unauthorized', 'missing or invalid bearer token; send Authorization: Bearer <API_TOKEN>', { 'WWW-Authenticate': 'Bearer realm="policy-kb"' });
    }
    return next();
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

/** Fixed-window limiter per client address; 0 disables. */
export function rateLimit(perMinute: number, now: () => number = Date.now): RequestHandler {
  const windows = new Map<string, { start: number; count: number }>();
  return (req, res, next) => {
    if (perMinute <= 0) return next();
    const key = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const t = now();
    let w = windows.get(key);
    if (!w || t - w.start >= 60_000) {
      w = { start: t, count: 0 };
      windows.set(key, w);
      if (windows.size > 10_000) for (const [k, v] of windows) if (t - v.start >= 60_000) windows.delete(k);
    }
    w.count += 1;
    if (w.count > perMinute) {
      const retry = Math.max(1, Math.ceil((w.start + 60_000 - t) / 1000));
      return sendError(res, 429, 'rate_limited', `more than ${perMinute} requests per minute from this client; retry in ${retry} s`, { 'Retry-After': String(retry) });
    }
    return next();
  };
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
