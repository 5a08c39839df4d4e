/**
 * Per-question answer report over one or more question sets: what `ask` answered, whether it
 * abstained and whether its first citation holds the evidence. For reading failures, not scoring.
 * Usage: tsx scripts/answer-report.ts SET.jsonl [SET2.jsonl…] [--fails]
 */
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../src/config/index.js';
import { openKnowledgeBase } from '../src/pipeline/compose/open.js';
import { runEval } from '../src/pipeline/tools/evaluate.js';
import { citationHolds, computeMetrics, formatMetricsTable, parseEvalSet } from '../src/retrieval/eval.js';

const args = process.argv.slice(2);
const failsOnly = args.includes('--fails');
const opened = await openKnowledgeBase(loadConfig(process.env), { autoIngest: true });
for (const file of args.filter((a) => !a.startsWith('--'))) {
  const items = parseEvalSet(await readFile(file, 'utf8'), file);
  const runs = await runEval(opened, items, { k: 10, mode: 'hybrid', answers: true });
  for (const r of runs) {
    const a = r.answer;
    if (!a) continue;
    const none = r.item.type === 'none';
    const first = a.citations[0];
    const ok = none ? a.abstained : !a.abstained && !!first && citationHolds(first, r.item) && (r.item.type !== 'cross' || r.item.docs.every((d) => a.citations.some((c) => c.docId === d && citationHolds(c, r.item))));
    if (failsOnly && ok) continue;
    process.stdout.write(`${ok ? 'OK ' : 'BAD'} ${r.item.id} [${r.item.type}] ${r.item.docs.join(',')} ${r.item.question}\n  ${a.text.replace(/\n/gu, '\n  ')}\n`);
  }
  process.stdout.write(`${formatMetricsTable([[file.split('/').pop() ?? file, computeMetrics(runs)]])}\n`);
}
