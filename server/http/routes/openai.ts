/**
 * The OpenAI-compatible endpoint: `GET /v1/models` (one model, `policy-kb`) and
 * `POST /v1/chat/completions` (the latest user message answered with its sources; streamed as
 * chat.completion.chunk events with `stream: true`). Extra request fields are ignored, as OpenAI clients send many.
 */
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { z } from 'zod';
import type { ChatTurn } from '../../../src/retrieval/conversation.js';
import { ERROR_CODES, KbError } from '../../../src/shared/errors.js';
import { lastUserContent, parse, sendJson, type RouteDeps } from '../request.js';
import { answerChat, completionBody, writeCompletionChunks } from './chat.js';

export const MODEL_ID = 'policy-kb';

const openAiContent = z.union([z.string().max(20_000), z.array(z.object({ type: z.string(), text: z.string().max(20_000).optional() }).passthrough()).max(50)]);
const openAiBody = z
  .object({
    model: z.string().max(200).optional(),
    messages: z.array(z.object({ role: z.enum(['system', 'user', 'assistant', 'developer', 'tool']), content: openAiContent.nullable().optional() }).passthrough()).min(1).max(100),
    stream: z.boolean().optional(),
  })
  .passthrough();

export function registerOpenAiRoutes(app: Express, deps: RouteDeps): void {
  app.get('/v1/models', (_req, res) => {
    res.json({ object: 'list', data: [{ id: MODEL_ID, object: 'model', created: 0, owned_by: 'policy-kb' }] });
  });

  app.post('/v1/chat/completions', async (req, res) => {
    const body = parse(openAiBody, req.body);
    const turns: ChatTurn[] = body.messages
      .filter((m) => m.role === 'user' || m.role === 'assistant')
      .map((m) => ({ role: m.role as 'user' | 'assistant', content: typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => p.text ?? '').join('') }));
    if (!turns.some((t) => t.role === 'user')) throw new KbError(ERROR_CODES.INVALID_INPUT, 'messages: needs at least one user message');
    const answered = await answerChat(deps, turns, lastUserContent(body.messages));
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model ?? MODEL_ID;
    if (!body.stream) return void sendJson(res, completionBody(answered, id, created, model));
    writeCompletionChunks(res, answered, id, created, model);
  });
}
