/**
 * `kb eval`: scores a question set on the corpus, or on the corpus plus a library of documents
 * (`--library DIR`, indexed once into a cache and reused). A sealed set (`--sealed`) prints its
 * aggregate figures only and never writes per-question output.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EVAL_LIBRARY_CACHE, openEvalLibrary, runEval, runLangchainBaseline, SEALED_SETS, type EvalSystem } from '../../src/pipeline/tools/evaluate.js';
import { openKnowledgeBase, type OpenedKnowledgeBase } from '../../src/pipeline/compose/open.js';
import { computeMetrics, formatMetricsTable, metricsByType, parseEvalSet, type EvalItem, type EvalRun, type Metrics } from '../../src/retrieval/eval.js';
import { provenance } from '../../src/retrieval/presenter.js';
import { isoToday } from '../../src/shared/dates.js';
import { createProgressFactory } from '../../src/shared/progress.js';
import { kOption, loggerFor, print, printJson, requireNone, stringOption, type CommandContext, type CommandSpec } from './context.js';
import { UsageError } from './io.js';

const fmtMetric = (m: Metrics): Record<string, number | null> => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Number.isNaN(v) ? null : Number(v.toFixed(4))]));

async function readSet(ctx: CommandContext, setFile: string): Promise<EvalItem[]> {
  let text: string;
  try {
    text = await readFile(path.resolve(ctx.io.cwd, setFile), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${setFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseEvalSet(text, setFile);
}

/** The corpus as configured, or the corpus plus `--library DIR` (cached under `.cache/eval-library`). */
export async function openForEval(ctx: CommandContext, library: string | undefined): Promise<OpenedKnowledgeBase> {
  const logger = loggerFor(ctx);
  const progress = createProgressFactory(ctx.io.stderr as { write(s: string): unknown });
  if (library === undefined) return openKnowledgeBase(ctx.config, { logger, autoIngest: true, progress });
  return openEvalLibrary(ctx.config, path.resolve(ctx.io.cwd, library), { cacheRoot: path.resolve(ctx.io.cwd, EVAL_LIBRARY_CACHE), logger, progress });
}

/** One line per question: the agreed retrieval fields, then where each passage is; the answer's outcome. */
async function writeRuns(ctx: CommandContext, opened: OpenedKnowledgeBase, runs: readonly EvalRun[], out: string): Promise<void> {
  const file = path.resolve(ctx.io.cwd, out);
  await mkdir(path.dirname(file), { recursive: true });
  const today = ctx.config.today ?? isoToday();
  const docs = await opened.service.catalog();
  const lines = runs.map((r) =>
    JSON.stringify({
      id: r.item.id,
      abstained: r.abstained,
      results: r.results.map((x) => {
        const { page, pageEnd, ocr, validity } = provenance(docs.get(x.docId), x.start, x.end, today);
        return { rank: x.rank, passageId: x.passageId, docId: x.docId, title: x.title, breadcrumb: x.breadcrumb, text: x.text, start: x.start, end: x.end, score: x.score, ...(page !== undefined ? { page } : {}), ...(pageEnd !== undefined ? { pageEnd } : {}), ...(ocr ? { ocr } : {}), validity };
      }),
      ...(r.answer ? { outcome: r.answer.outcome } : {}),
    }),
  );
  await writeFile(file, `${lines.join('\n')}\n`, 'utf8');
}

export const evalCommand: CommandSpec = {
  options: {
    set: { type: 'string' },
    k: { type: 'string' },
    out: { type: 'string' },
    ablation: { type: 'boolean', default: false },
    library: { type: 'string' },
    sealed: { type: 'boolean', default: false },
  },
  async run(ctx) {
    requireNone(ctx);
    const setFile = stringOption(ctx, 'set');
    if (!setFile) throw new UsageError('missing --set FILE (a JSONL question set)');
    const sealed = ctx.values.sealed === true;
    const out = stringOption(ctx, 'out');
    if (SEALED_SETS.has(path.basename(setFile)) && !sealed) throw new UsageError(`${path.basename(setFile)} is sealed: run it with --sealed (aggregate figures only), and only for the figure reported at the end`);
    if (sealed && out !== undefined) throw new UsageError('--out is refused with --sealed: a sealed set gives aggregate figures only');
    if (sealed && ctx.values.ablation) throw new UsageError('--ablation is refused with --sealed: a sealed set is run once, as ask answers it');
    const k = kOption(ctx, 10);
    const items = await readSet(ctx, setFile);
    const library = stringOption(ctx, 'library');
    const opened = await openForEval(ctx, library);
    const systems: EvalSystem[] = ctx.values.ablation ? ['bm25', 'dense', 'hybrid'] : ['hybrid'];
    const rows: [string, Metrics][] = [];
    const where = library === undefined ? 'corpus' : `corpus + ${library}`;
    const report: Record<string, unknown> = { set: setFile, on: where, questions: items.length, k };
    for (const system of systems) {
      const runs = await runEval(opened, items, { k, mode: system, answers: true });
      const metrics = computeMetrics(runs);
      rows.push([system === 'hybrid' ? 'hybrid (policy-kb)' : `${system} only`, metrics]);
      if (system !== 'hybrid') continue;
      report.metrics = fmtMetric(metrics);
      if (!sealed) report.byType = Object.fromEntries(Object.entries(metricsByType(runs)).map(([t, m]) => [t, fmtMetric(m)]));
      if (out) await writeRuns(ctx, opened, runs, out);
      if (!ctx.values.json) {
        print(ctx.io, `question set: ${setFile} (${items.length} questions) on ${where}, k=${k}${sealed ? ' — sealed: aggregate figures only' : ''}`);
        if (!sealed) print(ctx.io, formatMetricsTable(Object.entries(metricsByType(runs)).map(([t, m]) => [`  type ${t}`, m])));
      }
    }
    // The tutorial stack re-embeds every document: on the corpus only.
    if (ctx.values.ablation && library === undefined) {
      const lc = await runLangchainBaseline(opened, items, { k });
      rows.push(['langchain tutorial', computeMetrics(lc)]);
    }
    if (ctx.values.ablation) report.ablation = Object.fromEntries(rows.map(([name, m]) => [name, fmtMetric(m)]));
    if (ctx.values.json) printJson(ctx.io, report);
    else {
      print(ctx.io, '');
      print(ctx.io, formatMetricsTable(rows));
      if (ctx.values.ablation) print(ctx.io, `(bm25/dense rows: retrieval only, their outcome is whether ask's decision would answer; the LangChain tutorial stack — RecursiveCharacterTextSplitter 1000/200 + the same embedder + HNSWLib — has none${library === undefined ? '' : ', and is left out with --library'})`);
    }
    return 0;
  },
};
