/**
 * Compare, for drafters: what each document in scope says on one topic, one row per document,
 * with verbatim citations (whole clauses); a document from which no clause on the topic was
 * retrieved gets a row with no citations (未检索到相关条文 — not proof that it says nothing).
 * Each row is the extractive answer to the topic over that document alone, so abstention (coverage,
 * terms the document never mentions) decides "says nothing" exactly as `ask` does.
 */
import type { Validity } from '../corpus/validity.js';
import { ERROR_CODES, KbError } from '../shared/errors.js';
import { isoToday } from '../shared/dates.js';
import { composeAnswer, type AnswerTuning, type Citation } from './answer.js';
import { evidenceRequest } from './answer.js';
import { validateQuery, type Searcher } from './search.js';
import { judgeValidity } from '../corpus/validity.js';
import { coverage, questionConcepts } from './evidence.js';
import { validityLabel } from './presenter.js';

export interface CompareRow {
  docId: string;
  title: string;
  issuer: string;
  docNumber?: string;
  validity: Validity;
  /** Numbered across the whole comparison; empty when the document says nothing on the topic. */
  citations: Citation[];
}

export interface Comparison {
  topic: string;
  rows: CompareRow[];
}

export interface CompareOptions {
  /** Documents to compare (default: every document). */
  docIds?: string[];
  /** Passages read per document (default 3). */
  perDocument?: number;
  /** A document speaks to the topic when its lead sentence covers at least this share of it (default 0.5). */
  minCoverage?: number;
  tuning?: Partial<AnswerTuning>;
}

/** One row per document in scope, in the order given (default: corpus order by docId). */
export async function compareProvisions(searcher: Searcher, rawTopic: string, options: CompareOptions = {}): Promise<Comparison> {
  const topic = validateQuery(rawTopic);
  const store = searcher.store;
  const summaries = await searcher.summaries();
  const known = [...summaries.keys()].sort();
  const docIds = options.docIds && options.docIds.length > 0 ? [...new Set(options.docIds)] : known;
  for (const id of docIds) {
    if (!summaries.has(id)) throw new KbError(ERROR_CODES.UNKNOWN_DOC, `unknown docId "${id.slice(0, 100)}"; known docIds: ${known.join(', ')}`, { details: { docId: id, knownIds: known } });
  }
  const today = options.tuning?.today ?? isoToday();
  const rows: CompareRow[] = [];
  let n = 0;
  for (const docId of docIds) {
    const doc = summaries.get(docId);
    if (!doc) continue;
    // The document is searched and judged with stand-ins for the topic's words it never uses (电费 → 电价).
    const found = await searcher.search(topic, { docIds: [docId], k: options.perDocument ?? 3, standIns: true });
    // Judge the document on its own: the topic's words that name another document do not narrow it away.
    const response = { ...found, scope: [docId] };
    const kb = await store.evidence(evidenceRequest(response));
    const answer = composeAnswer(kb, response, { ...options.tuning, today });
    // A topic is a few words: a sentence must carry most of them to count as saying something on it.
    const floor = options.minCoverage ?? 0.5;
    const says = !answer.abstained && (answer.signals?.leadCoverage ?? answer.confidence) >= floor;
    // Each quote must itself speak to the topic (a 租金补贴 clause is not about 电费补贴).
    const concepts = questionConcepts(kb.bm25, response.understanding.terms, response.expansions, new Set(response.understanding.namedDocs.map((d) => d.by)), (i) => kb.scopedPassages !== undefined || kb.passages[i]?.docId === docId, undefined, kb.scopedPassages);
    // (The quote is the whole clause: the sentence that answers is what must speak to the topic.)
    const said = (c: Citation): string => (c.highlight ? (kb.documents.get(c.docId)?.body.slice(c.highlight.start, c.highlight.end) ?? c.quote) : c.quote);
    const relevant = says ? answer.citations.filter((c, i) => i === 0 || coverage(said(c), concepts, 'local') >= floor) : [];
    const citations = relevant.map((c) => ({ ...c, n: (n += 1) }));
    const row: CompareRow = { docId, title: doc.meta.title, issuer: doc.meta.issuer, validity: judgeValidity(doc.meta, today), citations };
    if (doc.meta.docNumber) row.docNumber = doc.meta.docNumber;
    rows.push(row);
  }
  return { topic, rows };
}

/**
 * The clause as drafters cite it: an article (第五十一条) without the 编/章/节 above it — articles are
 * numbered through the whole text, so 第七章第五十一条 is cited 第五十一条; other paths (三、（五）) as labelled.
 */
export function drafterClause(path: string): string {
  return path.replace(/^(?:第[零〇一二两三四五六七八九十百千0-9]{1,8}[编章节]\s*)+(?=第[零〇一二两三四五六七八九十百千0-9]{1,8}条)/u, '');
}

/** The drafters' citation form: 《标题》（文号）第X条 — 文号 only when known, the article without its chapter. */
export function drafterCitation(c: Pick<Citation, 'title' | 'docNumber' | 'clause' | 'clausePath'>): string {
  return `《${c.title}》${c.docNumber ? `（${c.docNumber}）` : ''}${drafterClause(c.clausePath ?? c.clause)}`;
}

/** What a drafter pastes: the citation and the quote, 《标题》（文号）第X条：“……”. */
export function drafterQuote(c: Pick<Citation, 'title' | 'docNumber' | 'clause' | 'clausePath' | 'quote'>): string {
  return c.quote === '' ? drafterCitation(c) : `${drafterCitation(c)}：“${c.quote.replace(/\s+/gu, ' ').trim()}”`;
}

const cell = (s: string): string => s.replace(/\|/gu, '\\|').replace(/\s+/gu, ' ').trim();

/**
 * What an empty row says: no clause on the topic was retrieved from the document — not that the
 * document is silent on it (a differently worded clause may still be there).
 */
export const NOTHING_RETRIEVED = '未检索到相关条文';

/** The comparison as a Markdown table; each quote keeps its citation (drafters' form + offsets), validity in Chinese. */
export function comparisonMarkdown(c: Comparison): string {
  const lines = [`**${cell(c.topic)}**`, '', '| 文件 | 发文机关 | 效力 | 规定（原文） |', '| --- | --- | --- | --- |'];
  for (const row of c.rows) {
    const said = row.citations.length === 0 ? NOTHING_RETRIEVED : row.citations.map((x) => `“${cell(x.quote)}”[${x.n}]`).join('<br>');
    lines.push(`| 《${cell(row.title)}》 | ${cell(row.issuer)} | ${validityLabel(row.validity.status)} | ${said} |`);
  }
  const cites = c.rows.flatMap((r) => r.citations);
  if (cites.length > 0) {
    lines.push('');
    for (const x of cites) lines.push(`[${x.n}]: ${cell(drafterCitation(x))}（${x.docId} ${x.start}–${x.end}）`);
  }
  return lines.join('\n');
}
