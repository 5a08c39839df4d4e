/** The bounds of a search request, shared by the searcher and every transport (HTTP, MCP, CLI). */

/** The longest query accepted, in characters. */
export const MAX_QUERY_CHARS = 2000;
/** Results a search returns when the request names no k. */
export const DEFAULT_SEARCH_K = 8;
/** The most results one search returns. */
export const MAX_SEARCH_K = 50;
/** What a refused k is told, after the field's name: `k must be an integer from 1 to 50`. */
export const SEARCH_K_RULE = `must be an integer from 1 to ${MAX_SEARCH_K}`;

/** Whether `k` is a result count a search accepts (an integer from 1 to MAX_SEARCH_K). */
export function isSearchK(k: number): boolean {
  return Number.isInteger(k) && k >= 1 && k <= MAX_SEARCH_K;
}
