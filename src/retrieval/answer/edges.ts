/**
 * Answers the decision does not weigh evidence for (issue 20 items 2–3), tried first by
 * `composeAnswer`: questions about a document itself (doc-facts.ts: 还有效吗, 文号, 施行…) and
 * requests for a clause's text (原文, 全文, "第十条是什么"). Both cite through the one citation
 * builder (citations.ts) with the whole unit (units.ts) as the quote.
 */
import type { EvidenceView, StoredDocument } from '../../storage/types.js';
import { resolveClauseRefs } from '../query.js';
import type { SearchHit, SearchResponse } from '../search.js';
import { buildCitation, validityNotes, wholeUnitSpan } from './citations.js';
import { answerDocFact, DEMONSTRATIVE_RE, docFactQuestion, factDocumentIds, type FactDocument } from './doc-facts.js';
import { answerOutline, nodesOf, outlineQuestion } from './outline.js';
import type { Answer, Citation } from './types.js';
import type { Span } from './units.js';
import { PAREN_ITEM_SOURCE } from '../../shared/numerals.js';

/**
 * Requests for a clause's own text: 原文, 全文, 原话, 条文内容, 完整条文, 逐字 — the words Chinese uses
 * to ask for verbatim text (general usage; issue 20 item 2 names 原文 and 全文).
 */
const VERBATIM_RE = /原文|全文|原话|原条文|条文内容|完整(?:的)?(?:条文|内容|规定|表述)|逐字|一字不差|具体条文|条文本身/u;
/** A question that only points at a clause and asks what it says (第十条是什么, 第十二条讲了什么). */
const WHAT_IT_SAYS_RE = new RegExp(String.raw`^(?:.{0,60}?)(?:第[零〇一二两三四五六七八九十百千0-9]{1,6}条|${PAREN_ITEM_SOURCE}|专栏\s?[0-9一二三四五六七八九十]{1,3})(?:的)?(?:是什么|是啥|说了什么|说的什么|说什么|说啥|讲了什么|讲的什么|讲什么|讲啥|写了什么|写的什么|写什么|怎么说的?|怎么规定的?|规定了什么|内容(?:是什么)?|呢)?[？?。!！\s]*$`, 'u');

export function asksVerbatim(question: string): boolean {
  const q = question.normalize('NFKC');
  return VERBATIM_RE.test(q) || WHAT_IT_SAYS_RE.test(q);
}

/** Longest unit a 原文 request gets whole (a 条 of any real length; longer ones are bounded there). */
export const VERBATIM_MAX_CHARS = 8000;

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

/** The titles of the hits' and the named documents, each with its issuer (a question may name a document by it). */
function titlesOf(kb: EvidenceView, response: SearchResponse, named: readonly { docId: string }[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const docId of [...response.results.map((h) => h.docId), ...named.map((d) => d.docId)]) {
    const meta = kb.documents.get(docId)?.meta;
    const hit = response.results.find((h) => h.docId === docId);
    const title = meta?.title ?? hit?.title;
    if (title) out.set(docId, `${title} ${meta?.issuer ?? hit?.issuer ?? ''}`.trim());
  }
  return out;
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
function unitCitation(kb: EvidenceView, response: SearchResponse, today: string, n: number, docId: string, span: Span, maxChars?: number): Citation | undefined {
  const hit = hitAt(kb, response, docId, span.start);
  if (!hit) return undefined;
  return buildCitation(kb, n, hit, wholeUnitSpan(kb, docId, span, maxChars), { today });
}

/** The answer to a question about a document itself, or undefined when it is not one. */
function factAnswer(kb: EvidenceView, response: SearchResponse, today: string): Answer | undefined {
  const named = namedDocuments(kb, response);
  const ask = docFactQuestion(response.query, named.map((d) => d.by));
  if (!ask) return undefined;
  const ids = factDocumentIds(ask, named, response.results.map((h) => h.docId), titlesOf(kb, response, named)).filter((id) => kb.documents.has(id));
  if (ids.length === 0) return undefined;
  const docs = ids.map((id) => asFact(kb.documents.get(id) as StoredDocument));
  const lookup = (key: string): FactDocument | undefined => {
    const k = fold(key.replace(/^《|》$/gu, ''));
    const byId = kb.documents.get(key);
    if (byId) return asFact(byId);
    for (const d of kb.documents.values()) if (fold(d.meta.title) === k || (d.meta.docNumber && fold(d.meta.docNumber) === k)) return asFact(d);
    return undefined;
  };
  const result = answerDocFact(ask, docs, today, response.query, lookup);
  const citations: Citation[] = [];
  const lines: string[] = [];
  for (const line of result.lines) {
    const source = line.source;
    if (!source) {
      lines.push(line.text);
      continue;
    }
    const n = citations.length + 1;
    let c: Citation | undefined;
    if (source.span) c = unitCitation(kb, response, today, n, source.docId, source.span);
    else {
      // Only the metadata states it: an empty quote at the document's start, and a note saying so.
      const hit = hitAt(kb, response, source.docId, 0);
      if (hit) {
        c = buildCitation(kb, n, hit, { start: 0, end: 0 }, { today });
        // It cites the document, not a clause of it.
        c.clause = '';
        delete c.clausePath;
      }
    }
    if (!c) {
      lines.push(line.text);
      continue;
    }
    // Two facts one clause states (施行 and 试行期: 还有效吗？什么时候开始实施的) cite it once.
    const same = c.quote === '' ? undefined : citations.find((x) => x.docId === c.docId && x.quote !== '' && x.start === c.start && x.end === c.end);
    if (same) {
      lines.push(`${line.text}[${same.n}]`);
      continue;
    }
    c.fact = source.fact;
    citations.push(c);
    lines.push(`${line.text}[${n}]`);
  }
  const out: Answer = { question: response.query, answer: lines.join('\n'), citations, abstained: result.outcome !== 'answer', outcome: result.outcome, confidence: 1, generator: 'extractive' };
  if (result.missing) out.missing = result.missing;
  return out;
}

/**
 * The answer to a question about a document's outline (outline.ts: 一共多少条, 设了多少个专栏, 保障措施分成哪几块),
 * or undefined when it is not one, names no document (nor points at the first hit's by 这个/该), or the document has
 * no section or unit it asks about. Each line cites the section it reads, verbatim.
 */
function outlineAnswer(kb: EvidenceView, response: SearchResponse, today: string): Answer | undefined {
  const ask = outlineQuestion(response.query);
  if (!ask) return undefined;
  const named = namedDocuments(kb, response);
  // The words naming the document: the question up to the section or structure asked (惠州大数据实施方案的保障措施 →
  // 惠州大数据实施方案), chosen as a fact question's document is.
  const q = response.query.normalize('NFKC');
  const cut = Math.min(...[/的|里|中|一共|总共|共有|共设|共列|分成|分为|分了|分几|有几|有多少|最后一|第几|设了|列了/u.exec(q)?.index ?? q.length, q.length]);
  const subject = q.slice(0, cut).trim();
  const pointer = { kind: 'title' as const, earlier: false, demonstrative: DEMONSTRATIVE_RE.test(q), ...(subject === '' ? {} : { subject }) };
  // The words name a section as well (云浮优惠办法总则): not checked against the title here; answerOutline counts the
  // whole document only when they name it alone, and a section must be the document's own.
  const docId = factDocumentIds(pointer, named, response.results.map((h) => h.docId), titlesOf(kb, response, named), false)[0];
  const doc = docId === undefined ? undefined : kb.documents.get(docId);
  if (!doc || docId === undefined) return undefined;
  const lines = answerOutline(ask, doc.meta.title, doc.tree, doc.body, named.filter((d) => d.docId === docId).map((d) => d.by));
  if (!lines) return undefined;
  const citations: Citation[] = [];
  const text: string[] = [];
  for (const line of lines) {
    const span = line.span;
    const hit = span ? hitAt(kb, response, docId, span.start) : undefined;
    if (!span || !hit) {
      text.push(line.text);
      continue;
    }
    // Lines reading the same section share its citation.
    const c = citations.find((x) => x.start === span.start && x.end === span.end) ?? buildCitation(kb, citations.length + 1, hit, { start: span.start, end: span.end }, { today });
    if (!citations.includes(c)) citations.push(c);
    text.push(`${line.text}[${c.n}]`);
  }
  return { question: response.query, answer: [...text, ...validityNotes(citations)].join('\n'), citations, abstained: false, outcome: 'answer', confidence: 1, generator: 'extractive' };
}

/** The clause a 原文 request points at (第十二条 of the document named, else of the first hit's document that has it). */
function verbatimAnswer(kb: EvidenceView, response: SearchResponse, today: string): Answer | undefined {
  const refs = response.understanding.clauseRefs;
  if (refs.length === 0 || !asksVerbatim(response.query)) return undefined;
  const named = namedDocuments(kb, response).map((d) => d.docId);
  const order = [...new Set([...named, ...(named.length > 0 ? [] : response.results.map((h) => h.docId))])];
  for (const docId of order) {
    const doc = kb.documents.get(docId);
    if (!doc) continue;
    const node = resolveClauseRefs(doc.tree, refs, 1)[0];
    if (!node) continue;
    const c = unitCitation(kb, response, today, 1, docId, { start: node.start, end: node.end }, VERBATIM_MAX_CHARS);
    if (!c) continue;
    // The whole clause is what was asked: it is the highlight.
    c.highlight = { start: c.start, end: c.end };
    return { question: response.query, answer: verbatimLines(c).join('\n'), citations: [c], abstained: false, outcome: 'answer', confidence: 1, generator: 'extractive' };
  }
  return missingArticle(kb, response, today, named, refs);
}

/**
 * An article the one document named does not have (云浮优惠办法第二十五条讲什么, of 24 articles): said, citing its last
 * article, as `related` — not another article given as the answer.
 */
function missingArticle(kb: EvidenceView, response: SearchResponse, today: string, named: readonly string[], refs: readonly { kinds: readonly string[]; number: number; text: string }[]): Answer | undefined {
  const ids = [...new Set(named)];
  const ref = refs[refs.length - 1];
  if (ids.length !== 1 || refs.length !== 1 || !ref || !ref.kinds.includes('article')) return undefined;
  const doc = kb.documents.get(ids[0] as string);
  if (!doc) return undefined;
  const articles = nodesOf(doc.tree, 'article');
  const last = articles[articles.length - 1];
  if (!last || ref.number <= last.number) return undefined;
  const c = unitCitation(kb, response, today, 1, doc.meta.docId, { start: last.start, end: last.end });
  const missing = `未找到${ref.text}（《${doc.meta.title}》全文至${last.label}止）`;
  const text = `《${doc.meta.title}》中没有${ref.text}：全文至${last.label}止。${c ? '[1]' : ''}`;
  const out: Answer = { question: response.query, answer: text, citations: c ? [c] : [], abstained: true, outcome: 'related', missing, confidence: 1, generator: 'extractive' };
  return out;
}

/** The lines of a 原文 answer: the clause named, then its full text (and a validity warning). */
export function verbatimLines(c: Citation): string[] {
  return [`《${c.title}》${c.clausePath ?? c.clause}原文：`, `${c.quote}[${c.n}]`, ...validityNotes([c])];
}

/**
 * Answers decided without weighing evidence: a fact about a document (还有效吗, 文号), its outline (一共多少条,
 * 保障措施分成哪几块), the text of a clause pointed at (第十条原文). Undefined when the question is neither.
 */
export function edgeAnswer(kb: EvidenceView, response: SearchResponse, today: string): Answer | undefined {
  return factAnswer(kb, response, today) ?? outlineAnswer(kb, response, today) ?? verbatimAnswer(kb, response, today);
}
