/**
 * CLI commands over the built index: search, ask, eval.
 */
import { openKnowledgeBase, type OpenedKnowledgeBase } from '../../src/pipeline/compose/open.js';
import { relatedHead, type Answer } from '../../src/retrieval/answer.js';
import { compareProvisions, comparisonMarkdown } from '../../src/retrieval/compare.js';
import { presentCitation, presentHit, validityLabel, type CitationView, type HitView } from '../../src/retrieval/presenter.js';
import type { SearchHit } from '../../src/retrieval/search.js';
import { DEFAULT_SEARCH_K, MAX_QUERY_CHARS } from '../../src/retrieval/search-limits.js';
import { isRealDate, isoToday } from '../../src/shared/dates.js';
import { createProgressFactory } from '../../src/shared/progress.js';
import { evalCommand } from './eval-command.js';
import { kOption, loggerFor, plainArgument, print, printJson, stringOption, type CommandContext, type CommandSpec } from './context.js';
import { UsageError } from './io.js';

function queryFrom(ctx: CommandContext, what: string): string {
  if (ctx.positionals.length === 0) throw new UsageError(`missing "<${what}>"`);
  const text = ctx.positionals.join(' ').trim();
  if (text === '') throw new UsageError(`${what} is empty`);
  if (text.length > MAX_QUERY_CHARS) throw new UsageError(`${what} is ${text.length} characters; the limit is ${MAX_QUERY_CHARS}`);
  return text;
}

async function open(ctx: CommandContext): Promise<OpenedKnowledgeBase> {
  return openKnowledgeBase(ctx.config, { logger: loggerFor(ctx), autoIngest: true, progress: createProgressFactory(ctx.io.stderr as { write(s: string): unknown }) });
}

/** The --doc ids (search, ask and compare reject unknown ones, listing the known). */
function docFilter(ctx: CommandContext, _opened: OpenedKnowledgeBase): string[] | undefined {
  const doc = ctx.values.doc;
  const ids = (Array.isArray(doc) ? doc.map(String) : typeof doc === 'string' ? [doc] : []).map((id) => plainArgument('--doc', id));
  return ids.length > 0 ? ids : undefined;
}

/** Where a hit or citation is: page(s) of a paginated source, OCR, and validity when not plainly in force. */
function whereNote(v: Pick<HitView, 'page' | 'pageEnd' | 'ocr' | 'validity'>): string {
  const parts: string[] = [];
  if (v.page !== undefined) parts.push(v.pageEnd === undefined ? `第${v.page}页` : `第${v.page}–${v.pageEnd}页`);
  if (v.ocr) parts.push('OCR');
  if (v.validity.status !== 'in_force' && v.validity.status !== 'unknown') parts.push(`效力：${validityLabel(v.validity.status)}`);
  return parts.length > 0 ? `; ${parts.join('; ')}` : '';
}

function printHits(ctx: CommandContext, hits: (SearchHit & HitView)[]): void {
  for (const h of hits) {
    print(ctx.io, `${h.rank}. [${h.passageId}] ${h.breadcrumb}  (score ${h.score.toFixed(3)}; ${h.matchedBy.join('+')}; ${h.start}–${h.end}${whereNote(h)})`);
    print(ctx.io, `   ${h.text.replace(/\s+/gu, ' ').slice(0, 200)}${h.text.length > 200 ? '…' : ''}`);
  }
}

/** What each outcome means, as the last line of `kb ask` says it. */
const OUTCOME_TEXT: Record<Answer['outcome'], string> = { answer: '有条文直接回答', related: '相关条文，不构成答案', not_found: '未检索到相关条文' };

export function formatAnswer(answer: Answer, citations: CitationView[] = []): string {
  const lines = answer.outcome === 'related' && answer.missing ? [relatedHead(answer.missing), answer.answer, ''] : [answer.answer, ''];
  answer.citations.forEach((c, i) => {
    const meta = [c.issuer, c.docNumber, c.dateIssued].filter(Boolean).join('，');
    const view = citations[i];
    lines.push(`[${c.n}]${c.lowConfidence ? '（低置信度）' : ''} ${c.breadcrumb}${meta ? `（${meta}）` : ''}${view ? whereNote(view).replace(/^; /u, '  ') : ''}`);
    if (c.quote === '' && c.fact) lines.push(`    ${c.fact.value}（${c.fact.note ?? '取自文件元数据'}）`);
    else lines.push(`    “${c.quote.replace(/\s+/gu, ' ')}”  [${c.passageId} ${c.start}–${c.end}]`);
  });
  lines.push(`outcome: ${answer.outcome}（${OUTCOME_TEXT[answer.outcome]}）`);
  return lines.join('\n');
}

/** --valid-on D and --in-force, checked. */
function validityFilter(ctx: CommandContext): { validOn?: string; inForce?: boolean } {
  const validOn = stringOption(ctx, 'valid-on');
  if (validOn !== undefined && !isRealDate(validOn)) throw new UsageError(`--valid-on must be a calendar date YYYY-MM-DD; got "${validOn}"`);
  return { ...(validOn !== undefined ? { validOn } : {}), ...(ctx.values['in-force'] === true ? { inForce: true } : {}) };
}

export const retrievalCommands: Record<string, CommandSpec> = {
  search: {
    options: { k: { type: 'string' }, doc: { type: 'string', multiple: true }, 'valid-on': { type: 'string' }, 'in-force': { type: 'boolean', default: false } },
    async run(ctx) {
      const query = queryFrom(ctx, 'query');
      const k = kOption(ctx, DEFAULT_SEARCH_K);
      const filter = validityFilter(ctx);
      const opened = await open(ctx);
      const docIds = docFilter(ctx, opened);
      const response = await opened.service.search(query, { k, ...(docIds ? { docIds } : {}), ...filter });
      const today = ctx.config.today ?? isoToday();
      const docs = await opened.service.catalog();
      const results = response.results.map((r) => ({ ...r, ...presentHit(docs, r, today) }));
      if (ctx.values.json) printJson(ctx.io, { query: response.query, results, scope: response.scope, expansions: response.expansions });
      else if (results.length === 0) print(ctx.io, '知识库中未找到相关条文。');
      else printHits(ctx, results);
      return 0;
    },
  },
  ask: {
    options: { doc: { type: 'string', multiple: true } },
    async run(ctx) {
      const question = queryFrom(ctx, 'question');
      const opened = await open(ctx);
      const docIds = docFilter(ctx, opened);
      const { answer } = await opened.service.ask(question, docIds ? { docIds } : {});
      const docs = await opened.service.catalog();
      const citations = answer.citations.map((c) => presentCitation(docs, c, ctx.config.today ?? isoToday()));
      if (ctx.values.json) printJson(ctx.io, { ...answer, citations });
      else print(ctx.io, formatAnswer(answer, citations));
      return 0;
    },
  },
  compare: {
    options: { doc: { type: 'string', multiple: true } },
    async run(ctx) {
      const topic = queryFrom(ctx, 'topic');
      const opened = await open(ctx);
      const docIds = docFilter(ctx, opened);
      // A command blocks nobody else: no time limit (the servers keep COMPARE_TIME_LIMIT_MS).
      const comparison = await compareProvisions(opened.service.searcher, topic, { ...(docIds ? { docIds } : {}), timeLimitMs: Number.POSITIVE_INFINITY });
      if (ctx.values.json) printJson(ctx.io, comparison);
      else print(ctx.io, comparisonMarkdown(comparison));
      return 0;
    },
  },
  eval: evalCommand,
};
