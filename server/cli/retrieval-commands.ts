/**
 * CLI commands over the built index: search, ask, eval.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openKnowledgeBase, type OpenedKnowledgeBase } from '../../src/pipeline/open.js';
import { runEval, runLangchainBaseline, type EvalSystem } from '../../src/pipeline/evaluate.js';
import type { Answer } from '../../src/retrieval/answer.js';
import { compareProvisions, comparisonMarkdown } from '../../src/retrieval/compare.js';
import { computeMetrics, formatMetricsTable, metricsByType, parseEvalSet, type Metrics } from '../../src/retrieval/eval.js';
import { presentCitation, presentHit, provenance, validityLabel, type CitationView, type HitView } from '../../src/retrieval/presenter.js';
import { MAX_QUERY_CHARS, type SearchHit } from '../../src/retrieval/search.js';
import { isRealDate, isoToday } from '../../src/shared/dates.js';
import { createProgressFactory } from '../../src/shared/progress.js';
import { loggerFor, print, printJson, requireNone, stringOption, type CommandContext, type CommandSpec } from './context.js';
import { UsageError } from './io.js';

function queryFrom(ctx: CommandContext, what: string): string {
  if (ctx.positionals.length === 0) throw new UsageError(`missing "<${what}>"`);
  const text = ctx.positionals.join(' ').trim();
  if (text === '') throw new UsageError(`${what} is empty`);
  if (text.length > MAX_QUERY_CHARS) throw new UsageError(`${what} is ${text.length} characters; the limit is ${MAX_QUERY_CHARS}`);
  return text;
}

function kFrom(ctx: CommandContext, fallback: number): number {
  const raw = stringOption(ctx, 'k');
  if (raw === undefined) return fallback;
  const k = Number(raw);
  if (!Number.isInteger(k) || k < 1 || k > 50) throw new UsageError(`--k must be an integer from 1 to 50; got "${raw}"`);
  return k;
}

async function open(ctx: CommandContext): Promise<OpenedKnowledgeBase> {
  return openKnowledgeBase(ctx.config, { logger: loggerFor(ctx), autoIngest: true, progress: createProgressFactory(ctx.io.stderr as { write(s: string): unknown }) });
}

/** The --doc ids (search, ask and compare reject unknown ones, listing the known). */
function docFilter(ctx: CommandContext, _opened: OpenedKnowledgeBase): string[] | undefined {
  const doc = ctx.values.doc;
  const ids = Array.isArray(doc) ? doc.map(String) : typeof doc === 'string' ? [doc] : [];
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
  const lines = answer.outcome === 'related' && answer.missing ? [`【相关条文，不构成答案】缺少：${answer.missing}`, answer.answer, ''] : [answer.answer, ''];
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

const fmtMetric = (m: Metrics): Record<string, number> => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Number.isNaN(v) ? null : Number(v.toFixed(4))])) as Record<string, number>;

export const retrievalCommands: Record<string, CommandSpec> = {
  search: {
    options: { k: { type: 'string' }, doc: { type: 'string', multiple: true }, 'valid-on': { type: 'string' }, 'in-force': { type: 'boolean', default: false } },
    async run(ctx) {
      const query = queryFrom(ctx, 'query');
      const k = kFrom(ctx, 8);
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
      const comparison = await compareProvisions(opened.service.searcher, topic, docIds ? { docIds } : {});
      if (ctx.values.json) printJson(ctx.io, comparison);
      else print(ctx.io, comparisonMarkdown(comparison));
      return 0;
    },
  },
  eval: {
    options: { set: { type: 'string' }, k: { type: 'string' }, out: { type: 'string' }, ablation: { type: 'boolean', default: false } },
    async run(ctx) {
      requireNone(ctx);
      const setFile = stringOption(ctx, 'set');
      if (!setFile) throw new UsageError('missing --set FILE (a JSONL question set)');
      const k = kFrom(ctx, 10);
      let text: string;
      try {
        text = await readFile(path.resolve(ctx.io.cwd, setFile), 'utf8');
      } catch (error) {
        throw new UsageError(`cannot read ${setFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      const items = parseEvalSet(text, setFile);
      const opened = await open(ctx);
      const systems: EvalSystem[] = ctx.values.ablation ? ['bm25', 'dense', 'hybrid'] : ['hybrid'];
      const rows: [string, Metrics][] = [];
      const report: Record<string, unknown> = { set: setFile, questions: items.length, k };
      for (const system of systems) {
        const runs = await runEval(opened, items, { k, mode: system, answers: true });
        const metrics = computeMetrics(runs);
        rows.push([system === 'hybrid' ? 'hybrid (policy-kb)' : `${system} only`, metrics]);
        if (system === 'hybrid') {
          report.metrics = fmtMetric(metrics);
          report.byType = Object.fromEntries(Object.entries(metricsByType(runs)).map(([t, m]) => [t, fmtMetric(m)]));
          const out = stringOption(ctx, 'out');
          if (out) {
            const file = path.resolve(ctx.io.cwd, out);
            await mkdir(path.dirname(file), { recursive: true });
            const today = ctx.config.today ?? isoToday();
            const docs = await opened.service.catalog();
            const lines = runs.map((r) =>
              JSON.stringify({
                id: r.item.id,
                abstained: r.abstained,
                results: r.results.map((x) => {
                  // The agreed fields first, then where the passage is (page, validity) as every transport shows it.
                  const { page, pageEnd, ocr, validity } = provenance(docs.get(x.docId), x.start, x.end, today);
                  return { rank: x.rank, passageId: x.passageId, docId: x.docId, title: x.title, breadcrumb: x.breadcrumb, text: x.text, start: x.start, end: x.end, score: x.score, ...(page !== undefined ? { page } : {}), ...(pageEnd !== undefined ? { pageEnd } : {}), ...(ocr ? { ocr } : {}), validity };
                }),
              }),
            );
            await writeFile(file, `${lines.join('\n')}\n`, 'utf8');
          }
          if (!ctx.values.json) {
            print(ctx.io, `question set: ${setFile} (${items.length} questions), k=${k}`);
            print(ctx.io, formatMetricsTable(Object.entries(metricsByType(runs)).map(([t, m]) => [`  type ${t}`, m])));
          }
        }
      }
      if (ctx.values.ablation) {
        const lc = await runLangchainBaseline(opened, items, { k });
        rows.push(['langchain tutorial', computeMetrics(lc)]);
        report.ablation = Object.fromEntries(rows.map(([name, m]) => [name, fmtMetric(m)]));
      }
      if (ctx.values.json) printJson(ctx.io, report);
      else {
        print(ctx.io, '');
        print(ctx.io, formatMetricsTable(rows));
        if (ctx.values.ablation) print(ctx.io, '(bm25/dense/hybrid rows use the same abstention code as ask; the LangChain tutorial stack — RecursiveCharacterTextSplitter 1000/200 + the same embedder + HNSWLib — has none)');
      }
      return 0;
    },
  },
};
