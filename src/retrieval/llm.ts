/**
 * Optional generation: an OpenAI-compatible chat-completions server writes the answer from the
 * numbered passages. Every [n] it emits is checked against the passages it was given; unknown
 * markers are removed and the answer is flagged. Only called when the extractive layer found
 * enough evidence (a weak match never reaches the model).
 */
import { ERROR_CODES, KbError } from '../shared/errors.js';
import { isoToday } from '../shared/dates.js';
import type { Answer, Citation } from './answer.js';
import { buildCitation, validityNotes, type CitationView } from './answer/citations.js';
import type { SearchHit } from './search.js';

export interface LlmConfig {
  baseUrl: string;
  model: string;
  apiKey?: string;
  timeoutMs?: number;
}

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown>; text(): Promise<string> }>;

export const LLM_SYSTEM_PROMPT =
  '你是政府政策文件知识库助手。只能依据用户给出的编号条文回答，不得使用条文以外的知识。' +
  '回答用简洁的中文，尽量引用条文原文，每句话后用[编号]标注出处（例如[1]）。' +
  '如果条文不足以回答，直接回答“知识库中未找到相关规定。”';

export function buildLlmMessages(question: string, passages: readonly SearchHit[]): { role: 'system' | 'user'; content: string }[] {
  const numbered = passages.map((p, i) => `[${i + 1}]《${p.title}》${p.breadcrumb.replace(/^《[^》]*》\s*›?\s*/u, '')}\n${p.text}`).join('\n\n');
  return [
    { role: 'system', content: LLM_SYSTEM_PROMPT },
    { role: 'user', content: `问题：${question}\n\n条文：\n${numbered}` },
  ];
}

/** Keeps markers that name a passage, drops the others; renumbers citations in order of use. */
export function reconcileMarkers(text: string, passages: readonly SearchHit[], kb: CitationView, today = isoToday()): { answer: string; citations: Citation[]; flagged: boolean } {
  let flagged = false;
  const order: number[] = [];
  const cleaned = text.replace(/\[(\d{1,3})\]/gu, (whole, raw: string) => {
    const n = Number(raw);
    if (n < 1 || n > passages.length) {
      flagged = true;
      return '';
    }
    if (!order.includes(n)) order.push(n);
    return `[${order.indexOf(n) + 1}]`;
  });
  // The passage as a whole is what the model read: cited through the one citation builder.
  const citations = order.map((n, i) => {
    const p = passages[n - 1] as SearchHit;
    return buildCitation(kb, i + 1, p, { start: p.start, end: p.end }, { today });
  });
  return { answer: cleaned.trim(), citations, flagged };
}

export async function generateWithLlm(config: LlmConfig, question: string, passages: readonly SearchHit[], kb: CitationView, base: Answer, fetchImpl: FetchLike = fetch as unknown as FetchLike): Promise<Answer> {
  const url = `${config.baseUrl.replace(/\/+$/u, '')}/chat/completions`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (config.apiKey) headers.authorization = `Bearer ${config.apiKey}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), config.timeoutMs ?? 60_000);
  let content: string;
  try {
    const res = await fetchImpl(url, { method: 'POST', headers, body: JSON.stringify({ model: config.model, messages: buildLlmMessages(question, passages), temperature: 0 }), signal: controller.signal });
    if (!res.ok) throw new KbError(ERROR_CODES.LLM_FAILED, `LLM server answered HTTP ${res.status}`);
    const json = (await res.json()) as { choices?: { message?: { content?: unknown } }[] };
    const raw = json.choices?.[0]?.message?.content;
    if (typeof raw !== 'string') throw new KbError(ERROR_CODES.LLM_FAILED, 'LLM response has no choices[0].message.content string');
    content = raw;
  } catch (error) {
    if (error instanceof KbError) throw error;
    throw new KbError(ERROR_CODES.LLM_FAILED, `LLM request failed: ${(error as Error).message}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  const { answer, citations, flagged } = reconcileMarkers(content, passages, kb);
  const abstained = citations.length === 0;
  const notes = abstained ? [] : validityNotes(citations);
  const out: Answer = { ...base, answer: abstained ? `${answer || '知识库中未找到相关规定。'}` : [answer, ...notes].join('\n'), citations: abstained ? base.citations.map((c) => ({ ...c, lowConfidence: true })) : citations, outcome: abstained ? 'related' : 'answer', abstained, generator: 'llm' };
  if (flagged) out.flagged = true;
  return out;
}
