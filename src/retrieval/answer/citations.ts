/**
 * The one citation builder: every answer — extractive or written by an LLM — cites through
 * `buildCitation`, so a citation always carries the same fields (document, 文号, clause path as
 * drafters cite it, verbatim quote with its offsets, validity on the answer's date).
 */
import type { ValidMeta } from '../../corpus/document.js';
import { judgeValidity, periodEnded, validityNote, type Validity } from '../../corpus/validity.js';
import type { EvidenceView } from '../../storage/types.js';
import type { Citation } from './types.js';
import { joinSegments, wholeUnit, type Span, type UnitOptions } from './units.js';
import { ARABIC_ITEM_SOURCE, CN_ITEM_SOURCE, PAREN_ITEM_SOURCE } from '../../shared/numerals.js';

/** Where a citation points: a passage of a document (a search hit or a stored passage). */
export interface CitedPassage {
  passageId: string;
  docId: string;
  title: string;
  issuer: string;
  breadcrumb: string;
  clause: string;
}

/** The labels of a passage (its section path), when the view holds it. */
function labelsOf(kb: CitationView, passageId: string): readonly string[] | undefined {
  const pos = kb.byId?.get(passageId);
  return pos === undefined ? undefined : kb.passages?.[pos]?.labels;
}

/** What citing reads: the documents (body, tree, metadata), and the passages' labels when the view has them. */
export type CitationView = Pick<EvidenceView, 'documents'> & Partial<Pick<EvidenceView, 'byId' | 'passages'>>;

/**
 * The labels of the deepest section holding `offset`: the quote's own clause (第五条 of a 第四条—第五条
 * passage, 二、 of 一—三、), which is what a drafter cites. [] for a preamble before the first section.
 */
function labelsAt(kb: Pick<EvidenceView, 'documents'>, docId: string, offset: number): readonly string[] | undefined {
  let node = kb.documents.get(docId)?.tree;
  if (!node) return undefined;
  for (;;) {
    const child: typeof node | undefined = node.children.find((c) => c.start <= offset && offset < c.end);
    if (!child) return node.path;
    node = child;
  }
}

/** The drafters' clause path: labels joined, a space where two numbers would run together (专栏1 8.). */
export function clausePath(labels: readonly string[]): string {
  let out = '';
  for (const l of labels) out += out !== '' && /[0-9]$/u.test(out) && /^[0-9]/u.test(l) ? ` ${l}` : l;
  return out;
}

/** Leading labels of a sentence that the clause path already names ("第十条 ", "8.", "专栏1 ") are not repeated. */
const LEAD_LABEL_RE = new RegExp(String.raw`^\s*(?:第[一二三四五六七八九十百零〇]+[编章节条]\s*|${ARABIC_ITEM_SOURCE}\s*|${PAREN_ITEM_SOURCE}\s*|${CN_ITEM_SOURCE}\s*|专栏\s?[0-9一二三四五六七八九十]+\s*|[0-9]{1,2}-[0-9]{1,2}\s*)+`, 'u');

/** How a sentence reads after its clause path: the labels the path already gives are dropped. */
export function displayText(text: string, path: string, lastLabel?: string): string {
  if (path === '') return text.trim();
  // Headings run into the sentence (…优惠办法(试行) 第一章 总则 第一条 为…): start after the clause's own label.
  if (lastLabel && /^第.+[条章节]$/u.test(lastLabel)) {
    const at = text.indexOf(lastLabel);
    if (at > 0 && at <= 80 && text.length - at - lastLabel.length >= 4) return text.slice(at + lastLabel.length).trim();
  }
  const m = LEAD_LABEL_RE.exec(text);
  if (!m) return text.trim();
  const rest = text.slice(m[0].length).trim();
  return rest.length >= 4 ? rest : text.trim();
}

/**
 * The clause labels a span is cited by: the section holding it when start and end fall in the same
 * one, else the passage's own (a quote over two clauses keeps the range label 第五十四条—第五十五条).
 */
export function labelsForSpan(kb: CitationView, source: CitedPassage, start: number, end: number): readonly string[] {
  const first = labelsAt(kb, source.docId, start);
  const last = labelsAt(kb, source.docId, Math.max(start, end - 1));
  return (first && last && first.join('/') === last.join('/') ? first : labelsOf(kb, source.passageId)) ?? [];
}

export interface CitationOptions {
  /** The date validity is judged on (YYYY-MM-DD). */
  today: string;
  /** A clause shown beside a `related` answer, not an answer. */
  lowConfidence?: boolean;
}

/** What a citation quotes: body offsets, the slices of a bounded unit, the answering sentence inside. */
export interface QuoteSpan {
  start: number;
  end: number;
  segments?: Span[];
  highlight?: Span;
}

/**
 * The whole unit (条 with its 款/项, or the numbered item; units.ts) around `sentence` in a document,
 * as a citation's span with the sentence as its highlight; the sentence itself when the document is
 * not in the view.
 */
export function wholeUnitSpan(kb: Pick<EvidenceView, 'documents'>, docId: string, sentence: Span, maxChars?: number): QuoteSpan {
  const doc = kb.documents.get(docId);
  if (!doc) return { start: sentence.start, end: sentence.end, highlight: sentence };
  const options: UnitOptions = maxChars === undefined ? {} : { maxChars };
  const q = wholeUnit(doc.tree, doc.body, sentence, options);
  const out: QuoteSpan = { start: q.start, end: q.end, highlight: q.highlight };
  if (q.segments) out.segments = q.segments;
  return out;
}

/**
 * Citation `n` of `span` (body offsets) in `source`'s document. The quote is the span verbatim (a
 * bounded unit: its segments joined by ……); `highlight` marks the answering sentence when the quote
 * is wider than it.
 */
export function buildCitation(kb: CitationView, n: number, source: CitedPassage, span: QuoteSpan, options: CitationOptions): Citation {
  const doc = kb.documents.get(source.docId);
  const meta: ValidMeta | undefined = doc?.meta;
  const body = doc?.body ?? '';
  const labels = labelsForSpan(kb, source, span.highlight?.start ?? span.start, span.highlight?.end ?? span.end);
  const c: Citation = {
    n,
    passageId: source.passageId,
    docId: source.docId,
    title: source.title || meta?.title || '',
    issuer: source.issuer || meta?.issuer || '',
    breadcrumb: source.breadcrumb,
    clause: source.clause,
    quote: span.segments ? joinSegments(body, span.segments) : body.slice(span.start, span.end),
    start: span.start,
    end: span.end,
  };
  if (span.highlight && (span.highlight.start !== span.start || span.highlight.end !== span.end)) c.highlight = { start: span.highlight.start, end: span.highlight.end };
  if (span.segments) c.segments = span.segments.map((s) => ({ start: s.start, end: s.end }));
  if (meta?.docNumber) c.docNumber = meta.docNumber;
  if (meta?.dateIssued) c.dateIssued = meta.dateIssued;
  if (options.lowConfidence) c.lowConfidence = true;
  if (labels.length > 0) {
    c.clausePath = clausePath(labels);
    c.clause = labels[labels.length - 1] as string;
  }
  if (meta) c.validity = judgeValidity(meta, options.today);
  return c;
}

/** One warning line per cited document that is expired, repealed, not yet in force or a draft. */
export function validityNotes(citations: readonly Citation[]): string[] {
  const seen = new Set<string>();
  const notes: string[] = [];
  // Plans whose titles' periods have ended are said in one line per period (a list cites four 2016—2020 plans).
  const ended = new Map<string, { validity: Validity & { period: { from: number; to: number } }; titles: string[]; at: number }>();
  for (const c of citations) {
    if (seen.has(c.docId) || !c.validity) continue;
    seen.add(c.docId);
    const v = c.validity;
    if (v.status === 'unknown' && v.period?.ended) {
      const key = `${v.period.from}-${v.period.to}`;
      const group = ended.get(key) ?? { validity: { ...v, period: v.period }, titles: [], at: notes.length };
      if (!ended.has(key)) {
        ended.set(key, group);
        notes.push('');
      }
      group.titles.push(c.title);
      continue;
    }
    const note = validityNote(v, c.title);
    if (note) notes.push(`${note}（《${c.title}》）。`);
  }
  for (const g of ended.values()) notes[g.at] = g.titles.length === 1 ? `${validityNote(g.validity, g.titles[0])}（《${g.titles[0]}》）。` : `注意：${g.titles.map((t) => `《${t}》`).join('、')}${periodEnded(g.validity.period)}。`;
  return notes;
}

/** The answer line of a citation: 《title》clause path：the sentence (labels the path gives dropped) [n]. */
export function citedLine(c: Citation, text: string): string {
  const path = c.clausePath ?? '';
  const last = path === '' ? undefined : c.clause;
  return `《${c.title}》${path}${path && !/[、.．]$/u.test(path) ? '：' : ''}${displayText(text, path, last)}[${c.n}]`;
}
