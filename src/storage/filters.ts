/**
 * Document filters as data, and the one place their meaning lives: every backend either runs this
 * function over its document summaries or translates it to its query language with the same result
 * (the contract tests check both against each other).
 */
import { judgeValidity } from '../corpus/validity.js';
import type { ValidMeta } from '../corpus/document.js';
import type { DocumentFilter } from './types.js';

/** Whether a document's metadata passes every field set in the filter. */
export function documentMatches(meta: ValidMeta, filter: DocumentFilter): boolean {
  if (filter.docIds && !filter.docIds.includes(meta.docId)) return false;
  if (filter.issuer && !meta.issuer.includes(filter.issuer.trim())) return false;
  if (filter.dateFrom || filter.dateTo) {
    const date = meta.dateIssued ?? meta.listingDate;
    if (!date) return false;
    if (filter.dateFrom && date < filter.dateFrom) return false;
    if (filter.dateTo && date > filter.dateTo) return false;
  }
  if (filter.validOn !== undefined) {
    const status = judgeValidity(meta, filter.validOn).status;
    if (status !== 'in_force' && status !== 'unknown') return false;
  }
  return true;
}

/** Whether a filter restricts anything at all. */
export function isEmptyFilter(filter: DocumentFilter): boolean {
  return !filter.docIds && !filter.issuer && !filter.dateFrom && !filter.dateTo && filter.validOn === undefined;
}
