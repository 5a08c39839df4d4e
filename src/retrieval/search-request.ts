/**
 * The search request every transport accepts, defined once: HTTP `POST /api/search` validates its
 * body with `searchRequestSchema`, the CLI's `--k` and MCP's `top_k` use the same default and bounds,
 * and `searchOptionsOf` turns a request into the searcher's options.
 */
import { z } from 'zod';
import { plainText } from '../shared/control-chars.js';
import { isRealDate } from '../shared/dates.js';
import type { SearchOptions } from './search.js';
import { DEFAULT_SEARCH_K, MAX_QUERY_CHARS, MAX_SEARCH_K } from './search-limits.js';

/** A question or keywords: trimmed, 1 to MAX_QUERY_CHARS characters. */
export const queryText = z.string().trim().min(1, 'must not be empty').max(MAX_QUERY_CHARS, `must be at most ${MAX_QUERY_CHARS} characters`);

/** YYYY-MM-DD and a real calendar day: 2016-13-45 and 2017-02-29 are refused, not silently compared as text. */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/u, 'must be YYYY-MM-DD')
  .refine((d) => !/^\d{4}-\d{2}-\d{2}$/u.test(d) || isRealDate(d), 'is not a calendar date (YYYY-MM-DD)');

/** docIds to restrict to: at most 50, each 1–100 characters without control characters. */
export const docIdList = z.array(plainText(z.string().min(1).max(100))).max(50);

export const searchRequestSchema = z
  .object({
    query: queryText,
    k: z.number().int().min(1).max(MAX_SEARCH_K).optional(),
    docIds: docIdList.optional(),
    issuer: plainText(z.string().max(200)).optional(),
    dateFrom: isoDate.optional(),
    dateTo: isoDate.optional(),
    validOn: isoDate.optional(),
    inForce: z.boolean().optional(),
    mergeClause: z.boolean().optional(),
  })
  .strict()
  .refine((b) => b.dateFrom === undefined || b.dateTo === undefined || b.dateFrom <= b.dateTo, { path: ['dateFrom'], message: 'must not be after dateTo; swap them or drop one' });

export type SearchRequest = z.output<typeof searchRequestSchema>;

/** The searcher's options for a request: k defaults to DEFAULT_SEARCH_K, empty filters are left out. */
export function searchOptionsOf(request: Omit<SearchRequest, 'query'>): SearchOptions {
  return {
    k: request.k ?? DEFAULT_SEARCH_K,
    ...(request.docIds ? { docIds: request.docIds } : {}),
    ...(request.issuer ? { issuer: request.issuer } : {}),
    ...(request.dateFrom ? { dateFrom: request.dateFrom } : {}),
    ...(request.dateTo ? { dateTo: request.dateTo } : {}),
    ...(request.validOn ? { validOn: request.validOn } : {}),
    ...(request.inForce ? { inForce: true } : {}),
    mergeClause: request.mergeClause === true,
  };
}
