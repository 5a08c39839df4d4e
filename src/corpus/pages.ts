/**
 * Pages of a paginated source (PDF, OFD): `[start, end)` ranges of the body, in order.
 * Pure: `pageSpan(pages, start, end)` says where a passage lies.
 */

export interface PageRange {
  /** 1-based page number. */
  page: number;
  start: number;
  end: number;
  /** The page's text came from OCR. */
  ocr?: boolean;
}

export interface PageSpan {
  /** The page where `start` falls. */
  page: number;
  /** The page where the span ends, when it is not `page`. */
  pageEnd?: number;
  /** Any page of the span was OCRed. */
  ocr?: boolean;
}

/** The last page whose range starts at or before `offset` (binary search; pages are sorted). */
function pageIndexAt(pages: readonly PageRange[], offset: number): number {
  let lo = 0;
  let hi = pages.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((pages[mid] as PageRange).start <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Where `[start, end)` lies in the pages; undefined for a source without pages. */
export function pageSpan(pages: readonly PageRange[] | undefined, start: number, end: number): PageSpan | undefined {
  if (!pages || pages.length === 0) return undefined;
  const first = pageIndexAt(pages, start);
  // The last character is end - 1; an empty span ends where it starts.
  const last = pageIndexAt(pages, Math.max(start, end - 1));
  const span: PageSpan = { page: (pages[first] as PageRange).page };
  if (last !== first) span.pageEnd = (pages[last] as PageRange).page;
  for (let i = first; i <= last; i++) if (pages[i]?.ocr) span.ocr = true;
  return span;
}

/** Checks that pages are ordered, inside the body and non-overlapping; returns a problem or undefined. */
export function pagesProblem(pages: readonly PageRange[], bodyLength: number): string | undefined {
  let previousEnd = 0;
  let previousPage = 0;
  for (const p of pages) {
    if (!Number.isInteger(p.page) || p.page <= previousPage) return `page ${p.page} is out of order`;
    if (!Number.isInteger(p.start) || !Number.isInteger(p.end) || p.start < previousEnd || p.end < p.start || p.end > bodyLength) {
      return `page ${p.page} range [${p.start}, ${p.end}) is outside the body (${bodyLength} characters) or overlaps the previous page`;
    }
    previousEnd = p.end;
    previousPage = p.page;
  }
  return undefined;
}
