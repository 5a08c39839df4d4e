/**
 * What the chat routes send: `POST /api/chat` (JSON, or SSE `delta` events then one `citations`
 * event) and `POST /v1/chat/completions` (a chat completion, or chunks whose last one carries the
 * same fields). Every answer carries `outcome` (answer | related | not_found), `missing` for a
 * related answer, `abstained` (= outcome !== 'answer', kept for compatibility), its citations as the
 * presenter shows them, and `carried` when a follow-up stayed in the conversation's document.
 */
import type { Response } from 'express';
import type { Answer, Outcome } from '../../../src/retrieval/answer.js';
import { carriedNote } from '../../../src/retrieval/conversation.js';
import { validityLabel, type CitationView } from '../../../src/retrieval/presenter.js';

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
  res.status(200).setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('X-Accel-Buffering', 'no');
  const { outcome, missing, carried } = answerFields(a);
  res.write(`event: outcome\ndata: ${JSON.stringify({ outcome, ...(missing ? { missing } : {}), ...(carried ? { carried } : {}) })}\n\n`);
  for (const text of deltas(answerText(a))) res.write(`event: delta\ndata: ${JSON.stringify({ text })}\n\n`);
  res.write(`event: citations\ndata: ${JSON.stringify({ ...answerFields(a), question: a.question })}\n\n`);
  res.write('event: done\ndata: {}\n\n');
  res.end();
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
  res.status(200).setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache');
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}): string =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }], ...extra })}\n\n`;
  res.write(chunk({ role: 'assistant', content: '' }, null));
  for (const text of deltas(answerWithSources(a))) res.write(chunk({ content: text }, null));
  res.write(chunk({}, 'stop', { ...answerFields(a) }));
  res.write('data: [DONE]\n\n');
  res.end();
}
