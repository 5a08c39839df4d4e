/**
 * One presenter for what every transport shows: search hits, answer citations, passage views and
 * document summaries. Each view is built here once, in camelCase; HTTP sends it as is, MCP through
 * `toSnakeCase`, the CLI and the LLM prompt read the same fields. A new field (page, validity…)
 * is added in this file only.
 */
import { pageRanges, type ValidMeta } from '../corpus/document.js';
import { pageSpan, type PageRange } from '../corpus/pages.js';
import type { HistoryEntry } from '../corpus/history.js';
import { judgeValidity, type Validity } from '../corpus/validity.js';
import type { DocumentSummary as StoredSummary, StoredPassage } from '../storage/types.js';

/** Where the presenter finds a document's metadata: a store's summaries, an evidence view's documents. */
export interface DocumentLookup {
  get(docId: string): { meta: ValidMeta } | undefined;
}

export { isoToday } from '../shared/dates.js';

/** Where a span of a document comes from: its page(s), whether OCR read it, and the document's validity. */
export interface Provenance {
  page?: number;
  pageEnd?: number;
  ocr?: boolean;
  validity: Validity;
}

/** Citation fields every hit, citation and passage carries beside its own. */
export interface DocumentCitationFields {
  title: string;
  issuer: string;
  docNumber?: string;
  dateIssued?: string;
  format?: string;
}

// Page ranges are rebuilt from the metadata once per document object (snapshots are immutable).
const pageCache = new WeakMap<ValidMeta, PageRange[]>();
function pagesOf(meta: ValidMeta): PageRange[] {
  let pages = pageCache.get(meta);
  if (!pages) {
    pages = pageRanges(meta);
    pageCache.set(meta, pages);
  }
  return pages;
}

export function provenance(doc: { meta: ValidMeta } | undefined, start: number, end: number, today: string): Provenance {
  if (!doc) return { validity: { status: 'unknown', basis: '文件不在知识库中' } };
  const out: Provenance = { validity: judgeValidity(doc.meta, today) };
  const span = pageSpan(pagesOf(doc.meta), start, end);
  if (span) {
    out.page = span.page;
    if (span.pageEnd !== undefined) out.pageEnd = span.pageEnd;
    if (span.ocr) out.ocr = true;
  }
  return out;
}

export function documentFields(doc: { meta: ValidMeta } | undefined): DocumentCitationFields {
  const meta = doc?.meta;
  const out: DocumentCitationFields = { title: meta?.title ?? '', issuer: meta?.issuer ?? '' };
  if (meta?.docNumber) out.docNumber = meta.docNumber;
  if (meta?.dateIssued) out.dateIssued = meta.dateIssued;
  if (meta?.format) out.format = meta.format;
  return out;
}

/** A span of a document as transports show it: document fields, clause, offsets, page, validity. */
export interface SpanView extends DocumentCitationFields, Provenance {
  passageId: string;
  docId: string;
  breadcrumb: string;
  clause: string;
  start: number;
  end: number;
}

function spanView(kb: DocumentLookup, span: { passageId: string; docId: string; breadcrumb: string; clause: string; start: number; end: number }, today: string): SpanView {
  const doc = kb.get(span.docId);
  return {
    passageId: span.passageId,
    docId: span.docId,
    ...documentFields(doc),
    breadcrumb: span.breadcrumb,
    clause: span.clause,
    start: span.start,
    end: span.end,
    ...provenance(doc, span.start, span.end, today),
  };
}

export interface HitView extends SpanView {
  rank: number;
  text: string;
  score: number;
}

/** A search hit as transports show it. */
export function presentHit(kb: DocumentLookup, hit: { rank: number; passageId: string; docId: string; breadcrumb: string; clause: string; text: string; start: number; end: number; score: number }, today: string): HitView {
  return { rank: hit.rank, ...spanView(kb, hit, today), text: hit.text, score: hit.score };
}

export interface CitationView extends SpanView {
  n: number;
  /** Verbatim: `quote === body.slice(start, end)`. */
  quote: string;
  /** The clause's full label path as drafters cite it (三、（五）, 第三章第六条). */
  clausePath?: string;
  lowConfidence?: boolean;
  /** The answering sentence inside the quoted whole unit (body offsets within [start, end)). */
  highlight?: { start: number; end: number };
  /** Set when a long unit was bounded: the slices quoted; `quote` is their texts joined by …… */
  segments?: { start: number; end: number }[];
  /** On an answer about a document itself: the fact, and whether the quote or only the metadata states it. */
  fact?: { kind: string; value: string; source: 'text' | 'metadata'; note?: string };
}

/** What an answer citation carries that the view keeps (validity as the answer judged it on its date). */
export interface CitationLike {
  n: number;
  passageId: string;
  docId: string;
  breadcrumb: string;
  clause: string;
  quote: string;
  start: number;
  end: number;
  clausePath?: string;
  validity?: Validity;
  lowConfidence?: boolean;
  highlight?: { start: number; end: number };
  segments?: { start: number; end: number }[];
  fact?: { kind: string; value: string; source: 'text' | 'metadata'; note?: string };
}

/** An answer citation as transports show it. */
export function presentCitation(kb: DocumentLookup, c: CitationLike, today: string): CitationView {
  const view: CitationView = { n: c.n, ...spanView(kb, c, today), quote: c.quote };
  if (c.validity) view.validity = c.validity;
  if (c.clausePath) view.clausePath = c.clausePath;
  if (c.lowConfidence) view.lowConfidence = true;
  if (c.highlight) view.highlight = { start: c.highlight.start, end: c.highlight.end };
  if (c.segments) view.segments = c.segments.map((x) => ({ start: x.start, end: x.end }));
  if (c.fact) view.fact = { ...c.fact };
  return view;
}

export interface PassageView extends SpanView {
  text: string;
}

/** A stored passage as transports show it (its whole text). */
export function presentPassage(kb: DocumentLookup, p: StoredPassage, today: string): PassageView {
  return { ...spanView(kb, p, today), text: p.text };
}

/** Validity as a reader reads it (the page's badges, Markdown exports and text answers say the same). */
export const VALIDITY_LABELS: Readonly<Record<Validity['status'], string>> = { in_force: '现行有效', expired: '已失效', repealed: '已废止', superseded: '已被新版本取代', not_yet: '尚未施行', draft: '征求意见稿', unknown: '效力未载明' };

export function validityLabel(status: string): string {
  return (VALIDITY_LABELS as Record<string, string>)[status] ?? status;
}

/** The drafters' citation form: 《标题》（文号）第X条, with the page when the source has pages. */
export function citationLine(v: Pick<SpanView, 'title' | 'docNumber' | 'clause' | 'page' | 'pageEnd'>): string {
  const number = v.docNumber ? `（${v.docNumber}）` : '';
  const page = v.page === undefined ? '' : v.pageEnd === undefined ? `，第${v.page}页` : `，第${v.page}–${v.pageEnd}页`;
  return `《${v.title}》${number}${v.clause}${page}`;
}

export interface DocumentSummary extends DocumentCitationFields {
  docId: string;
  listingDate?: string;
  sourceUrl?: string;
  aliases?: string[];
  status?: string;
  supersededBy?: string;
  /** Promulgation and amendments as the text's head states them, oldest first. */
  history?: HistoryEntry[];
  /**
   * Versions of the same instrument in the library, oldest first, this one included (set when there
   * are several); `current` marks the newest. Compare two with POST /api/diff.
   */
  versions?: { docId: string; title: string; date?: string; current: boolean }[];
  /** File name of the original, when one is kept (download at /api/documents/:docId/original). */
  originalName?: string;
  pageCount: number;
  ocr: boolean;
  validity: Validity;
  chars: number;
  passages: number;
}

/** A document in a list: metadata, format, pages, validity and size (no body). */
export function presentDocument(doc: StoredSummary, today: string): DocumentSummary {
  const m = doc.meta;
  const out: DocumentSummary = {
    docId: m.docId,
    ...documentFields(doc),
    pageCount: m.pages?.length ?? 0,
    ocr: (m.ocrPages?.length ?? 0) > 0,
    validity: judgeValidity(m, today),
    chars: doc.chars,
    passages: doc.passages,
  };
  // Nothing extracted it: the corpus file itself, Markdown or plain text.
  if (!out.format) out.format = /\.txt$/iu.test(doc.source) ? 'text' : 'markdown';
  if (m.listingDate) out.listingDate = m.listingDate;
  if (m.sourceUrl) out.sourceUrl = m.sourceUrl;
  if (m.aliases) out.aliases = m.aliases;
  if (m.status) out.status = m.status;
  if (m.supersededBy) out.supersededBy = m.supersededBy;
  if (m.history?.length) out.history = m.history;
  const versions = m.lineage?.versions ?? [];
  if (versions.length > 1) {
    const newest = versions[versions.length - 1]?.date;
    out.versions = versions.map((v) => ({ docId: v.docId, title: v.title, ...(v.date ? { date: v.date } : {}), current: v.date === newest }));
  }
  if (m.originalName) out.originalName = m.originalName;
  return out;
}

/** Pages of a document as `{page, start, end, ocr?}` (empty for an unpaginated source). */
export function presentPages(doc: { meta: ValidMeta }): PageRange[] {
  return pagesOf(doc.meta);
}

const snakeKey = (key: string): string => key.replace(/[A-Z]/gu, (c) => `_${c.toLowerCase()}`);

/** The MCP spelling of a view: keys in snake_case, recursively (values untouched). */
export function toSnakeCase<T>(value: T): unknown {
  if (Array.isArray(value)) return value.map((v) => toSnakeCase(v));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[snakeKey(k)] = toSnakeCase(v);
    return out;
  }
  return value;
}
