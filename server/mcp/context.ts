/**
 * What every MCP tool, resource and prompt file shares: the context they are registered with, result
 * helpers, the read-only annotations, URI helpers and the output schemas of the presenter's views
 * (src/retrieval/presenter.ts) in their MCP spelling (snake_case).
 */
import type { CallToolResult, GetPromptResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { citationLine, toSnakeCase, validityLabel, type SpanView } from '../../src/retrieval/presenter.js';
import type { KnowledgeService } from '../../src/retrieval/service.js';
import { describeError, isKbError } from '../../src/shared/errors.js';
import type { Logger } from '../../src/shared/logger.js';

/** What a tool handler reaches the world through. */
export interface ToolContext {
  /** The live knowledge service; throws KbError INDEX_MISSING while it is loading. */
  service(): KnowledgeService;
  logger: Logger;
  /** The date validity is judged on, YYYY-MM-DD (POLICY_KB_TODAY, else the server's calendar day). */
  today(): string;
}

/** Every tool here only reads the knowledge base. */
export const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

export function fail(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}

export function ok(structured: Record<string, unknown>, text: string): CallToolResult {
  return { structuredContent: structured, content: [{ type: 'text', text }] };
}

/** A result whose structured content is a presenter view (camelCase) in the MCP spelling, snake_case. */
export function okView(view: object, text: string): CallToolResult {
  return ok(toSnakeCase(view) as Record<string, unknown>, text);
}

/** Runs a tool body; library errors become isError results with their (safe) messages. */
export async function guarded(ctx: Pick<ToolContext, 'logger'>, tool: string, body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    if (isKbError(error)) return fail(error.message);
    ctx.logger.error('tool failed', { tool, error: describeError(error) });
    return fail(`internal error in ${tool}; the server log has details`);
  }
}

/** A prompt of one user message. */
export function userPrompt(text: string): GetPromptResult {
  return { messages: [{ role: 'user', content: { type: 'text', text } }] };
}

export const passageUri = (id: string): string => `policy://passage/${encodeURIComponent(id)}`;
export const docUri = (id: string): string => `policy://doc/${encodeURIComponent(id)}`;

/**
 * A span as the text content names it: the drafters' form with the page, and the document's validity
 * as a reader reads it, e.g. 《云浮市…办法(试行)》第十条［已失效］ (a client reading only text keeps it).
 */
export function spanLine(v: Pick<SpanView, 'title' | 'docNumber' | 'clause' | 'page' | 'pageEnd' | 'validity'>): string {
  return `${citationLine(v)}［${validityLabel(v.validity.status)}］`;
}

/** Whether the document is in force on `today`, and why (src/corpus/validity.ts). */
export const validitySchema = z.object({
  status: z.string().describe('in_force, expired, repealed, superseded (a later version of the same instrument is in the library), not_yet, draft or unknown'),
  effective_from: z.string().optional(),
  effective_to: z.string().optional(),
  basis: z.string().describe('Why, as a reader checks it, e.g. 正文：自2017年7月1日起实施，试行期三年'),
  evidence: z.string().optional().describe('What decided the status: stated, version, repeal, expiry, dates or none'),
  conflict: z.string().optional().describe('Set when sources disagree (a page box against the text); not resolved'),
  period: z.object({ from: z.number(), to: z.number(), ended: z.boolean() }).optional().describe('A planning period the title states; no legal status'),
  superseded_by: z.string().optional().describe('doc_id of the next version (status superseded)'),
  repealed_by: z.string().optional().describe('doc_id of the document of the library that repeals this one'),
});

/** The presenter's document fields every hit, citation, passage and document carries. */
export const documentShape = {
  doc_id: z.string(),
  title: z.string(),
  issuer: z.string(),
  doc_number: z.string().optional(),
  date_issued: z.string().optional(),
  format: z.string().optional().describe('Source format (pdf, docx, html, markdown…) when known'),
};

/** The presenter's span fields: document, clause, offsets into the document body, page and validity. */
const spanShape = {
  passage_id: z.string(),
  ...documentShape,
  breadcrumb: z.string(),
  clause: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  page: z.number().int().optional().describe('Page of the original where the span starts (paginated sources only)'),
  page_end: z.number().int().optional().describe('Last page, when the span crosses pages'),
  ocr: z.boolean().optional().describe('true when the page text was read by OCR: check the quote against the original'),
  validity: validitySchema,
};

export const hitSchema = z.object({
  ...spanShape,
  snippet: z.string(),
  score: z.number(),
  rank: z.number().int(),
  uri: z.string(),
  low_confidence: z.boolean(),
});

const offsets = z.object({ start: z.number().int(), end: z.number().int() });

export const citationSchema = z.object({
  n: z.number().int(),
  ...spanShape,
  quote: z.string().describe('The whole clause (条 with its 款 and 项, or the numbered item): body.slice(start, end), or its segments joined by …… when a long clause was bounded'),
  highlight: offsets.optional().describe('The answering sentence inside the quote (body offsets)'),
  segments: z.array(offsets).optional().describe('Set when a long clause was bounded: the body slices quoted, in order'),
  fact: z
    .object({ kind: z.string(), value: z.string(), source: z.enum(['text', 'metadata']), note: z.string().optional() })
    .optional()
    .describe('On an answer about a document itself (文号, 还有效吗): the fact, and whether the quote (text) or only the metadata states it (the quote is then empty)'),
  clause_path: z.string().optional().describe('The full label path as drafters cite it (三、（五）, 第三章第六条)'),
  low_confidence: z.boolean(),
});

/** Clauses a passage refers to (依照本办法第十条), resolved. */
export const referencesSchema = z.array(
  z.object({ text: z.string(), start: z.number().int(), end: z.number().int(), target_passage_id: z.string(), target_label: z.string(), target_path: z.array(z.string()), target_text: z.string() }),
);

export const passageSchema = z.object({
  ...spanShape,
  text: z.string().describe('The body slice [start, end): verbatim'),
  truncated: z.boolean(),
  next_offset: z.number().int().optional(),
  previous_id: z.string().nullable(),
  next_id: z.string().nullable(),
  uri: z.string(),
  references: referencesSchema.optional(),
});
