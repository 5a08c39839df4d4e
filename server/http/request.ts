/**
 * What every HTTP route shares: the service and today's date it is given, body validation that
 * names the field to fix, and a JSON answer to a POST.
 */
import type { Response } from 'express';
import type { z } from 'zod';
import type { KnowledgeService } from '../../src/retrieval/service.js';
import { ERROR_CODES, KbError } from '../../src/shared/errors.js';

/** What a route needs from the app: the live service (throws index_missing while it loads) and today. */
export interface RouteDeps {
  service(): KnowledgeService;
  today(): string;
}

/** `messages[0].content`: the field a client has to fix, as it would write it. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

function zodMessage(error: z.ZodError, at: readonly PropertyKey[] = []): string {
  return error.issues.map((i) => `${fieldPath([...at, ...i.path]) || 'body'}: ${i.message}`).join('; ');
}

/** Validates `value`; `at` is where it sits in the request body, for the error message. */
export function parse<T extends z.ZodTypeAny>(schema: T, value: unknown, at: readonly PropertyKey[] = []): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new KbError(ERROR_CODES.INVALID_INPUT, zodMessage(r.error, at));
  return r.data;
}

/** Where the latest user message sits: `messages[i].content` (or `messages` when there is none). */
export function lastUserContent(messages: readonly { role: string }[]): PropertyKey[] {
  const i = messages.findLastIndex((m) => m.role === 'user');
  return i < 0 ? ['messages'] : ['messages', i, 'content'];
}

/**
 * A JSON answer to a POST, as `res.json` writes it less the ETag: no client revalidates a POST, and
 * hashing every search response cost more than the rest of the send.
 */
export function sendJson(res: Response, body: unknown): void {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}
