/**
 * Compare, for drafters: what each document in scope says on one topic, one row per document,
 * with verbatim citations (whole clauses); a document from which no clause on the topic was retrieved gets a row
 * with no citations (未检索到相关条文 — not proof that it says nothing). Each row is selected as a
 * list answer's row is: the document searched alone, its best candidate by the fitted ranker, and
 * kept when the row model's probability clears its threshold (answer/decide.ts `decideRow`).
 * Rows with clauses come first, best first; the others follow in the order given.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Validity } from '../corpus/validity.js';
import { ERROR_CODES, KbError, unknownDocError } from '../shared/errors.js';
import { isoToday } from '../shared/dates.js';
import { DEFAULT_ANSWER_TUNING, evidenceRequest, type AnswerTuning, type Citation } from './answer.js';
import { citeCandidates, NOTHING_RETRIEVED } from './answer/compose.js';
import { decideRow, gatherEvidence } from './answer/decide.js';
import { validateQuery, type Searcher } from './search.js';
import { judgeValidity } from '../corpus/validity.js';
import { validityLabel } from './presenter.js';

export interface CompareRow {
  docId: string;
  title: string;
  issuer: string;
  docNumber?: string;
  validity: Validity;
  /** Numbered across the whole comparison; empty when no clause on the topic was retrieved from the document. */
  citations: Citation[];
}

export interface Comparison {
  topic: string;
  rows: CompareRow[];
}

export interface CompareOptions {
  /** Documents to compare (default: every document). */
  docIds?: string[];
  /** Passages read per document (default: the fitted model's `passagesPerDocument`). */
  perDocument?: number;
  tuning?: Partial<AnswerTuning>;
  /** Refuse (`compare_too_broad`) when not every document is judged within this much CPU time (default COMPARE_TIME_LIMIT_MS). */
  timeLimitMs?: number;
}

/**
 * Longest topic, in characters. A topic is a few words (电费补贴, 数据中心建设的扶持政策); every document
 * is searched and judged on each of its terms, so the work grows with its length: at 300 documents a
 * 50-character topic of statute text took 1.0–1.7 s of CPU, 100 characters 2.6 s, 2,000 characters
 * 14.9 s (issue 25.6; `npx tsx scripts/compare-timing.ts`). A whole question belongs to `ask`.
 */
export const COMPARE_TOPIC_MAX_CHARS = 50;

/**
 * A comparison still judging documents after this much CPU time of the process is refused with
 * `compare_too_broad` (HTTP 422) rather than holding the client and the server for the whole library:
 * on an idle machine it is answered or refused within about 3 s. CPU time rather than wall time, so
 * that other processes on a busy machine do not make the answer depend on them; work this process
 * does for other requests meanwhile counts, so a busy server refuses sooner. Between documents the
 * loop yields, so other requests are served meanwhile.
 */
export const COMPARE_TIME_LIMIT_MS = 2500;

/** CPU time this process has used, in ms (user + system, every thread). */
function cpuMs(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}

/**
 * Paces the loop over documents: call it before judging each one (`judged` so far). It waits one turn
 * of the event loop, so other requests are served between documents, and refuses with
 * `compare_too_broad` once the comparison has used `limitMs` of CPU time.
 */
function pacer(topic: string, documents: number, limitMs: number): (judged: number) => Promise<void> {
  const deadline = cpuMs() + limitMs;
  return async (judged) => {
    await nextTurn();
    if (cpuMs() > deadline) {
      throw new KbError(ERROR_CODES.COMPARE_TOO_BROAD, `comparing ${documents} documents on "${topic}" did not finish within ${limitMs / 1000} s of CPU time (${judged} judged); name the documents to compare (docIds, up to 50) or shorten the topic`, { details: { documents, judged } });
    }
  };
}

/** One row per document in scope: rows with clauses first (best first), then the others in the order given (default: by docId). */
export async function compareProvisions(searcher: Searcher, rawTopic: string, options: CompareOptions = {}): Promise<Comparison> {
  const topic = validateQuery(rawTopic);
  if (topic.length > COMPARE_TOPIC_MAX_CHARS) {
    throw new KbError(ERROR_CODES.INVALID_INPUT, `topic is ${topic.length} characters; the limit is ${COMPARE_TOPIC_MAX_CHARS}: a topic is a few words (e.g. 电费补贴); ask a whole question with ask instead`, { details: { field: 'topic', limit: COMPARE_TOPIC_MAX_CHARS } });
  }
  const store = searcher.store;
  const summaries = await searcher.summaries();
  const known = [...summaries.keys()].sort();
  const docIds = options.docIds && options.docIds.length > 0 ? [...new Set(options.docIds)] : known;
  for (const id of docIds) {
    if (!summaries.has(id)) throw unknownDocError(id, known);
  }
  const t: AnswerTuning = { ...DEFAULT_ANSWER_TUNING, ...options.tuning };
  const today = t.today ?? isoToday();
  const judged: { row: CompareRow; probability: number; order: number }[] = [];
  const pace = pacer(topic, docIds.length, options.timeLimitMs ?? COMPARE_TIME_LIMIT_MS);
  for (const [order, docId] of docIds.entries()) {
    const doc = summaries.get(docId);
    if (!doc) continue;
    await pace(order);
    // The document is searched and judged alone, with stand-ins for the topic's words it never uses (电费 → 电价).
    const found = await searcher.search(topic, { docIds: [docId], k: options.perDocument ?? t.passagesPerDocument, standIns: true });
    // Judged on its own: the topic's words that name another document do not narrow it away.
    const response = { ...found, scope: [docId] };
    const kb = await store.evidence(evidenceRequest(response));
    const evidence = gatherEvidence(kb, response, { ...t, passages: options.perDocument ?? t.passagesPerDocument });
    const decided = decideRow(evidence, t);
    const cited = decided.answers && decided.lead !== undefined ? citeCandidates(kb, evidence, [decided.lead, ...decided.support], today, 1) : [];
    const row: CompareRow = { docId, title: doc.meta.title, issuer: doc.meta.issuer, validity: judgeValidity(doc.meta, today), citations: cited };
    if (doc.meta.docNumber) row.docNumber = doc.meta.docNumber;
    judged.push({ row, probability: decided.answers ? decided.probability : -1, order });
  }
  judged.sort((a, b) => b.probability - a.probability || a.order - b.order);
  let n = 0;
  const rows = judged.map(({ row }) => ({ ...row, citations: row.citations.map((c) => ({ ...c, n: (n += 1) })) }));
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

/**
 * A Markdown table cell: pipes escaped, whitespace collapsed, and HTML in a title or a quote shown as
 * text, not markup, wherever the table is rendered (issue 25.10; `<br>` between quotes is ours).
 */
const cell = (s: string): string => s.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;').replace(/\|/gu, '\\|').replace(/\s+/gu, ' ').trim();

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
