/**
 * What the chat routes send: `POST /api/chat` (JSON, or SSE `delta` events then one `citations`
 * event) and `POST /v1/chat/completions` (a chat completion, or chunks whose last one carries the
 * same fields). Every answer carries `outcome` (answer | related | not_found), `missing` for a
 * related answer, `abstained` (= outcome !== 'answer', kept for compatibility), its citations as the
 * presenter shows them, and `carried` when a follow-up stayed in the conversation's document.
 */
import type { Express, Response } from 'express';
import { z } from 'zod';
import type { Answer, Outcome } from '../../../src/retrieval/answer.js';
import { carriedNote, resolveFollowUp, type ChatTurn } from '../../../src/retrieval/conversation.js';
import { presentCitation, validityLabel, type CitationView } from '../../../src/retrieval/presenter.js';
import { docIdList, queryText } from '../../../src/retrieval/search-request.js';
import { lastUserContent, parse, sendJson, type RouteDeps } from '../request.js';
import { openEventStream } from '../sse.js';

const turn = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string().max(20_000) }).strict();
const chatBody = z
  .object({ question: queryText.optional(), messages: z.array(turn).min(1).max(50).optional(), stream: z.boolean().optional(), docIds: docIdList.optional() })
  .strict()
  .refine((b) => b.question !== undefined || b.messages !== undefined, { message: 'send question (a string) or messages (a list of {role, content} turns)' })
  .refine((b) => b.question === undefined || b.messages === undefined, { message: 'send either question or messages, not both' });

export interface AnsweredChat {
  answer: Answer;
  /** The question answered (a follow-up rewritten into a standalone one). */
  question: string;
  citations: CitationView[];
  /** The earlier turns' document a follow-up stayed in. */
  carried?: { docId: string; title: string };
}

/** The fields every chat answer carries beside its text, in every transport. */
export interface AnswerFields {
  citations: CitationView[];
  outcome: Outcome;
  abstained: boolean;
  missing?: string;
  reason?: string;
  carried?: { docId: string; title: string };
}

export function answerFields(a: AnsweredChat): AnswerFields {
  const out: AnswerFields = { citations: a.citations, outcome: a.answer.outcome, abstained: a.answer.abstained };
  if (a.answer.missing) out.missing = a.answer.missing;
  if (a.answer.reason) out.reason = a.answer.reason;
  if (a.carried) out.carried = a.carried;
  return out;
}

/** The answer's text as shown: a follow-up that stayed in a document opens by saying which. */
export function answerText(a: AnsweredChat): string {
  return a.carried ? `${carriedNote(a.carried)}\n${a.answer.answer}` : a.answer.answer;
}

/** `POST /api/chat` JSON. */
export function chatPayload(a: AnsweredChat): Record<string, unknown> {
  return { answer: answerText(a), ...answerFields(a), question: a.question };
}

/** Pieces of an answer to stream: one per line, long lines cut every 24 characters. */
export function deltas(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/(?<=\n)/u)) for (let i = 0; i < line.length; i += 24) out.push(line.slice(i, i + 24));
  return out;
}

/**
 * `POST /api/chat` as server-sent events: `outcome` first (so a page never shows a related answer as
 * an answer while it streams), the text in `delta`s, then `citations` with every answer field, then `done`.
 */
export function writeChatEvents(res: Response, a: AnsweredChat): void {
  const stream = openEventStream(res);
  const { outcome, missing, carried } = answerFields(a);
  stream.send({ outcome, ...(missing ? { missing } : {}), ...(carried ? { carried } : {}) }, 'outcome');
  for (const text of deltas(answerText(a))) stream.send({ text }, 'delta');
  stream.send({ ...answerFields(a), question: a.question }, 'citations');
  stream.send({}, 'done');
  stream.end();
}

/** How a citation's source is named in a text-only list: clause, page, validity when not plainly in force. */
function sourceLine(c: CitationView): string {
  const page = c.page === undefined ? '' : c.pageEnd === undefined ? `，第${c.page}页` : `，第${c.page}–${c.pageEnd}页`;
  const validity = c.validity.status === 'unknown' ? '' : `［${validityLabel(c.validity.status)}］`;
  const said = c.quote !== '' ? `：“${c.quote.replace(/\s+/gu, ' ')}”` : c.fact?.note ? `：${c.fact.value}（${c.fact.note}）` : '';
  return `[${c.n}] 《${c.title}》${c.clausePath ?? c.clause}${page}${validity}${c.lowConfidence ? '（低置信度）' : ''}${said}`;
}

/** The answer followed by a numbered source list (page and validity included), for chat UIs that show only text. */
export function answerWithSources(a: AnsweredChat): string {
  const text = answerText(a);
  if (a.citations.length === 0) return text;
  const head = a.answer.outcome === 'answer' ? '来源' : '相关条文（不构成答案）';
  return `${text}\n\n${head}：\n${a.citations.map(sourceLine).join('\n')}`;
}

/** `POST /v1/chat/completions`, not streamed. */
export function completionBody(a: AnsweredChat, id: string, created: number, model: string): Record<string, unknown> {
  return {
    id,
    object: 'chat.completion',
    created,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: answerWithSources(a) }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    ...answerFields(a),
  };
}

/** `POST /v1/chat/completions` streamed: a role chunk, content chunks, a last chunk with every answer field. */
export function writeCompletionChunks(res: Response, a: AnsweredChat, id: string, created: number, model: string): void {
  const stream = openEventStream(res);
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    ...extra,
  });
  stream.send(chunk({ role: 'assistant', content: '' }, null));
  for (const text of deltas(answerWithSources(a))) stream.send(chunk({ content: text }, null));
  stream.send(chunk({}, 'stop', { ...answerFields(a) }));
  stream.send('[DONE]');
  stream.end();
}

/**
 * Answers the conversation's latest question (a follow-up resolved against the earlier turns).
 * `at`: the body field holding the latest question, named when the question is refused.
 */
export async function answerChat(deps: RouteDeps, turns: ChatTurn[], at: readonly PropertyKey[], docIds?: string[]): Promise<AnsweredChat> {
  const svc = deps.service();
  const { question, carried } = resolveFollowUp(turns, await svc.searcher.aliases());
  const q = parse(queryText, question, at);
  const { answer } = await svc.ask(q, docIds ? { docIds } : {});
  const docs = await svc.catalog();
  const day = deps.today();
  return { answer, question: q, citations: answer.citations.map((c) => presentCitation(docs, c, day)), ...(carried ? { carried } : {}) };
}

/** `POST /api/chat` {question | messages, stream?, docIds?}: JSON, or server-sent events with `stream: true`. */
export function registerChatRoutes(app: Express, deps: RouteDeps): void {
  app.post('/api/chat', async (req, res) => {
    const body = parse(chatBody, req.body);
    const turns: ChatTurn[] = body.messages ?? [{ role: 'user', content: body.question as string }];
    const at = body.messages ? lastUserContent(body.messages) : ['question'];
    const answered = await answerChat(deps, turns, at, body.docIds);
    if (!body.stream) return void sendJson(res, chatPayload(answered));
    writeChatEvents(res, answered);
  });
}
