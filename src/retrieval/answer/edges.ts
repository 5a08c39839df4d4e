/**
 * The edges of an answer (issue 20 items 1–3), wired into `composeAnswer` by small hooks:
 * - `edgeAnswer`: questions about a document itself (doc-facts.ts) and requests for a clause's text
 *   (原文, 全文, "第十条是什么") answered before the evidence is weighed;
 * - `finishAnswer`: every cited sentence quoted as its whole unit (units.ts) with the sentence as
 *   `highlight`, a 原文 request given the unit's full text, and `outcome` set in one place.
 * The citation builder is the answer module's own (passed in, so this module does not import it).
 */
import type { StoredDocument } from '../../storage/types.js';
import type { EvidenceView } from '../../storage/types.js';
import { resolveClauseRefs } from '../query.js';
import type { SearchHit, SearchResponse } from '../search.js';
import { answerDocFact, docFactQuestion, factDocumentIds, type CitationFact, type FactDocument } from './doc-facts.js';
import { highlightInQuote, wholeUnit, type Span } from './units.js';

export type Outcome = 'answer' | 'related' | 'not_found';

/** What these hooks read and write of a citation (the answer module's `Citation`). */
export interface EdgeCitation {
  n: number;
  passageId: string;
  docId: string;
  title: string;
  clause: string;
  clausePath?: string;
  quote: string;
  start: number;
  end: number;
  lowConfidence?: boolean;
  highlight?: Span;
  segments?: Span[];
  fact?: CitationFact;
}

/** What these hooks read and write of an answer (the answer module's `Answer`). */
export interface EdgeAnswer<C extends EdgeCitation> {
  question: string;
  answer: string;
  citations: C[];
  abstained: boolean;
  outcome?: Outcome;
  missing?: string;
  reason?: string;
  confidence: number;
  generator: 'extractive' | 'llm';
}

/** The answer module's tools these hooks use: its citation builder and clause labels. */
export interface EdgeTools<C extends EdgeCitation> {
  /** Builds citation n for a span of a hit's document (the answer module's `citationFor`). */
  cite(n: number, hit: SearchHit, span: { start: number; end: number; text: string }, labels: readonly string[]): C;
  /** The labels of the deepest section holding `offset` (第三章/第六条). */
  labelsAt(docId: string, offset: number): readonly string[] | undefined;
  /** The drafters' clause path of labels (三、（五）). */
  clausePath(labels: readonly string[]): string;
  /** One warning line per cited document not in force. */
  validityNotes(citations: readonly C[]): string[];
}

/**
 * Requests for a clause's own text: 原文, 全文, 原话, 条文内容, 完整条文, 逐字 — the words Chinese uses
 * to ask for verbatim text (general usage; issue 20 item 2 names 原文 and 全文).
 */
const VERBATIM_RE = /原文|全文|原话|原条文|条文内容|完整(?:的)?(?:条文|内容|规定|表述)|逐字|一字不差|具体条文|条文本身/u;
/** A question that only points at a clause and asks what it says (第十条是什么, 第十二条讲了什么). */
const WHAT_IT_SAYS_RE = /^(?:.{0,60}?)(?:第[零〇一二两三四五六七八九十百千0-9]{1,6}条|[（(][一二三四五六七八九十0-9]{1,3}[)）]|专栏\s?[0-9一二三四五六七八九十]{1,3})(?:的)?(?:是什么|说了什么|说的什么|讲了什么|讲的什么|写了什么|写的什么|怎么说的?|怎么规定的?|规定了什么|内容(?:是什么)?|呢)?[？?。!！\s]*$/u;

export function asksVerbatim(question: string): boolean {
  const q = question.normalize('NFKC');
  return VERBATIM_RE.test(q) || WHAT_IT_SAYS_RE.test(q);
}

/** Longest unit a 原文 request gets whole (a 条 of any real length; longer ones are bounded there). */
const VERBATIM_MAX_CHARS = 8000;

const fold = (s: string): string => s.normalize('NFKC').replace(/[〔［【]/gu, '[').replace(/[〕］】]/gu, ']').replace(/\s+/gu, '');

/** Documents the question names: by alias (query understanding), or by a 文号 it quotes. */
function namedDocuments(kb: EvidenceView, response: SearchResponse): { docId: string; by: string }[] {
  const named = [...response.understanding.namedDocs];
  const q = fold(response.query);
  for (const [docId, doc] of kb.documents) {
    const number = doc.meta.docNumber;
    if (number && number.length >= 5 && q.includes(fold(number)) && !named.some((d) => d.docId === docId)) named.unshift({ docId, by: number });
  }
  return named;
}

function asFact(doc: StoredDocument): FactDocument {
  return { meta: doc.meta, body: doc.body, tree: doc.tree };
}

/** A hit standing for a span of a document: the passage holding its start (else the document's first hit). */
function hitAt(kb: EvidenceView, response: SearchResponse, docId: string, offset: number): SearchHit | undefined {
  const doc = kb.documents.get(docId);
  if (!doc) return undefined;
  const inView = kb.passages.find((p) => p.docId === docId && p.start <= offset && offset < p.end);
  const fromHits = response.results.find((h) => h.docId === docId && h.start <= offset && offset < h.end) ?? response.results.find((h) => h.docId === docId);
  const base = inView ?? fromHits ?? kb.passages.find((p) => p.docId === docId);
  if (!base) return undefined;
  return { rank: 0, passageId: base.passageId, docId, title: doc.meta.title, issuer: doc.meta.issuer, breadcrumb: base.breadcrumb, clause: base.clause, text: doc.body.slice(base.start, base.end), start: base.start, end: base.end, score: 0, matchedBy: [] };
}

/** A citation quoting the whole unit around a span (the fact's sentence, a clause asked for). */
function unitCitation<C extends EdgeCitation>(kb: EvidenceView, response: SearchResponse, tools: EdgeTools<C>, n: number, docId: string, span: Span, maxChars?: number): C | undefined {
  const doc = kb.documents.get(docId);
  const hit = hitAt(kb, response, docId, span.start);
  if (!doc || !hit) return undefined;
  const q = wholeUnit(doc.tree, doc.body, span, maxChars === undefined ? {} : { maxChars });
  const c = tools.cite(n, hit, { start: q.start, end: q.end, text: q.text }, tools.labelsAt(docId, q.highlight.start) ?? []);
  c.highlight = q.highlight;
  if (q.segments) c.segments = q.segments;
  return c;
}

/** The answer to a question about a document itself, or undefined when it is not one. */
function factAnswer<C extends EdgeCitation>(kb: EvidenceView, response: SearchResponse, today: string, tools: EdgeTools<C>): EdgeAnswer<C> | undefined {
  const named = namedDocuments(kb, response);
  const ask = docFactQuestion(response.query, named.map((d) => d.by));
  if (!ask) return undefined;
  const hitTitles = new Map(response.results.map((h) => [h.docId, h.title] as const));
  const ids = factDocumentIds(ask, named, response.results.map((h) => h.docId), hitTitles).filter((id) => kb.documents.has(id));
  if (ids.length === 0) return undefined;
  const docs = ids.map((id) => asFact(kb.documents.get(id) as StoredDocument));
  const lookup = (key: string): FactDocument | undefined => {
    const k = fold(key.replace(/^《|》$/gu, ''));
    for (const d of kb.documents.values()) if (fold(d.meta.title) === k || (d.meta.docNumber && fold(d.meta.docNumber) === k)) return asFact(d);
    return undefined;
  };
  const result = answerDocFact(ask, docs, today, response.query, lookup);
  const citations: C[] = [];
  const lines: string[] = [];
  for (const line of result.lines) {
    const source = line.source;
    if (!source) {
      lines.push(line.text);
      continue;
    }
    const n = citations.length + 1;
    let c: C | undefined;
    if (source.span) c = unitCitation(kb, response, tools, n, source.docId, source.span);
    else {
      // Only the metadata states it: an empty quote at the document's start, and a note saying so.
      const hit = hitAt(kb, response, source.docId, 0);
      if (hit) {
        c = tools.cite(n, hit, { start: 0, end: 0, text: '' }, []);
        // It cites the document, not a clause of it.
        c.clause = '';
        delete c.clausePath;
      }
    }
    if (!c) {
      lines.push(line.text);
      continue;
    }
    c.fact = source.fact;
    citations.push(c);
    lines.push(`${line.text}[${n}]`);
  }
  const out: EdgeAnswer<C> = { question: response.query, answer: lines.join('\n'), citations, abstained: result.outcome !== 'answer', outcome: result.outcome, confidence: 1, generator: 'extractive' };
  if (result.missing) out.missing = result.missing;
  return out;
}

/** The clause a 原文 request points at (第十二条 of the document named, else of the first hit's document that has it). */
function verbatimAnswer<C extends EdgeCitation>(kb: EvidenceView, response: SearchResponse, tools: EdgeTools<C>): EdgeAnswer<C> | undefined {
  const refs = response.understanding.clauseRefs;
  if (refs.length === 0 || !asksVerbatim(response.query)) return undefined;
  const named = namedDocuments(kb, response).map((d) => d.docId);
  const order = [...new Set([...named, ...(named.length > 0 ? [] : response.results.map((h) => h.docId))])];
  for (const docId of order) {
    const doc = kb.documents.get(docId);
    if (!doc) continue;
    const node = resolveClauseRefs(doc.tree, refs, 1)[0];
    if (!node) continue;
    const c = unitCitation(kb, response, tools, 1, docId, { start: node.start, end: node.end }, VERBATIM_MAX_CHARS);
    if (!c) continue;
    // The whole clause is what was asked: it is the highlight.
    c.highlight = { start: c.start, end: c.end };
    const path = c.clausePath ?? c.clause;
    const lines = [`《${doc.meta.title}》${path}原文：`, `${c.quote}[1]`, ...tools.validityNotes([c])];
    return { question: response.query, answer: lines.join('\n'), citations: [c], abstained: false, outcome: 'answer', confidence: 1, generator: 'extractive' };
  }
  return undefined;
}

/**
 * Answers the composer does not weigh evidence for: a fact about a document (还有效吗, 文号), the
 * text of a clause pointed at (第十条原文). Undefined when the question is neither.
 */
export function edgeAnswer<C extends EdgeCitation>(kb: EvidenceView, response: SearchResponse, today: string, tools: EdgeTools<C>): EdgeAnswer<C> | undefined {
  return factAnswer(kb, response, today, tools) ?? verbatimAnswer(kb, response, tools);
}

/**
 * The last step of every extractive answer: each cited sentence quoted as its whole unit with the
 * sentence as `highlight` (low-confidence neighbours and fact citations stay as they are); a 原文
 * request that named no clause (强制报告那一条原文) gets its lead clause's full text; `outcome` set
 * from the answer when the decision did not set it (abstained: not_found, else answer).
 */
export function finishAnswer<C extends EdgeCitation, A extends EdgeAnswer<C>>(kb: EvidenceView, response: SearchResponse, answer: A, tools: EdgeTools<C>): A & { outcome: Outcome } {
  const outcome: Outcome = answer.outcome ?? (answer.abstained ? 'not_found' : 'answer');
  const verbatim = outcome === 'answer' && answer.citations.length > 0 && !answer.citations[0]?.fact && !answer.citations[0]?.segments && answer.citations[0]?.highlight === undefined && asksVerbatim(response.query);
  const citations = answer.citations.map((c, i) => {
    if (c.lowConfidence || c.fact || c.highlight !== undefined || c.segments || c.end <= c.start) return c;
    const doc = kb.documents.get(c.docId);
    if (!doc) return c;
    const q = wholeUnit(doc.tree, doc.body, { start: c.start, end: c.end }, verbatim && i === 0 ? { maxChars: VERBATIM_MAX_CHARS } : {});
    const out: C = { ...c, quote: q.text, start: q.start, end: q.end, highlight: q.highlight };
    if (q.segments) out.segments = q.segments;
    else delete out.segments;
    return out;
  });
  // A list lead-in (…不得有下列行为：) is never given without its items: the line quoting it goes on
  // with the rest of its clause, as the citation quotes it.
  let text = answer.answer;
  for (const c of citations) {
    const at = highlightInQuote(c);
    if (!at || !/[：:]\s*$/u.test(c.quote.slice(at.start, at.end)) || at.end >= c.quote.length) continue;
    const marker = `[${c.n}]`;
    const i = text.indexOf(marker);
    if (i > 0 && /[：:]$/u.test(text.slice(0, i))) text = `${text.slice(0, i)}\n${c.quote.slice(at.end).trim()}${text.slice(i)}`;
  }
  if (verbatim) {
    const lead = citations[0] as C;
    const lines = [`《${lead.title}》${lead.clausePath ?? lead.clause}原文：`, `${lead.quote}[1]`, ...tools.validityNotes([lead])];
    return { ...answer, answer: lines.join('\n'), citations: [{ ...lead, n: 1 }], outcome };
  }
  return { ...answer, answer: text, citations, outcome };
}
