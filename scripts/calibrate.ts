/**
 * Abstention calibration: reads each question's answer signals once (abstention off), then fits the
 * thresholds (minCoverage, maxAbsentShare) on one set and reports them on the other, both ways, and
 * 5-fold cross-validated over the pooled sets. Prints a table; `--dump` lists every question's signals.
 * Usage: tsx scripts/calibrate.ts SET_A.jsonl SET_B.jsonl [--dump]
 */
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../src/config/index.js';
import { openKnowledgeBase } from '../src/pipeline/open.js';
import { DEFAULT_ANSWER_TUNING, type AnswerSignals } from '../src/retrieval/answer.js';
import { parseEvalSet, type EvalItem } from '../src/retrieval/eval.js';
import { createKnowledgeService } from '../src/retrieval/service.js';
import { serviceTuningFor } from '../src/pipeline/open.js';

interface Row {
  item: EvalItem;
  set: string;
  /** Abstained before the thresholds (unknown place, no evidence, quantity not stated). */
  hard: boolean;
  signals?: AnswerSignals;
}

const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith('--'));
const config = loadConfig(process.env);
const opened = await openKnowledgeBase(config, { autoIngest: true });
// Thresholds off: every question answers unless a hard rule applies.
const service = createKnowledgeService(opened.store, opened.embedder, { ...serviceTuningFor(config, opened.profile), answer: { minCoverage: -10, absentPenalty: 0 } });
const rows: Row[] = [];
for (const file of files) {
  for (const item of parseEvalSet(await readFile(file, 'utf8'), file)) {
    const { answer } = await service.ask(item.question);
    const row: Row = { item, set: file.split('/').pop() ?? file, hard: answer.abstained };
    if (answer.signals) row.signals = answer.signals;
    rows.push(row);
  }
}

interface Rule {
  minCoverage: number;
  absentPenalty: number;
}
const abstains = (r: Row, rule: Rule): boolean => r.hard || !r.signals || r.signals.bestCoverage - rule.absentPenalty * r.signals.absentShare < rule.minCoverage;
function score(rs: readonly Row[], rule: Rule): { none: number; wrong: number } {
  const none = rs.filter((r) => r.item.type === 'none');
  const ans = rs.filter((r) => r.item.type !== 'none');
  return { none: none.filter((r) => abstains(r, rule)).length / (none.length || 1), wrong: ans.filter((r) => abstains(r, rule)).length / (ans.length || 1) };
}
// Objective: abstain on unanswerable questions, but a wrongly refused answerable question costs 3.
const objective = (s: { none: number; wrong: number }): number => s.none - 3 * s.wrong;
/**
 * The rules that reach the best objective form a region of the grid; its centre (mean floor, mean
 * penalty) keeps the widest margin on both sides, so it generalizes better than the region's edge.
 */
function fit(rs: readonly Row[]): Rule {
  const grid: { rule: Rule; value: number }[] = [];
  for (let c = -0.3; c <= 0.6001; c += 0.025) {
    for (let a = 0; a <= 2.0001; a += 0.25) {
      const rule = { minCoverage: Number(c.toFixed(3)), absentPenalty: Number(a.toFixed(2)) };
      grid.push({ rule, value: objective(score(rs, rule)) });
    }
  }
  const top = Math.max(...grid.map((g) => g.value));
  const best = grid.filter((g) => g.value >= top - 1e-9).map((g) => g.rule);
  const centre = { minCoverage: best.reduce((x, r) => x + r.minCoverage, 0) / best.length, absentPenalty: best.reduce((x, r) => x + r.absentPenalty, 0) / best.length };
  // Snap to the optimal rule nearest the centre (the centre itself may fall outside a non-convex region).
  const nearest = best.sort((p, q) => Math.hypot(p.minCoverage - centre.minCoverage, (p.absentPenalty - centre.absentPenalty) / 4) - Math.hypot(q.minCoverage - centre.minCoverage, (q.absentPenalty - centre.absentPenalty) / 4))[0];
  return nearest ?? { minCoverage: 0, absentPenalty: 0 };
}

if (args.includes('--dump')) {
  for (const r of rows) {
    const s = r.signals;
    process.stdout.write(`${r.item.type === 'none' ? 'NONE' : 'ans '} ${r.item.id.padEnd(7)} hard=${r.hard ? 1 : 0} cov=${s?.bestCoverage.toFixed(2) ?? '-'} absent=${s?.absentShare.toFixed(2) ?? '-'} [${s?.absentTerms.join(',') ?? ''}] q=${s?.quantityFound ?? '-'} ${s?.form ?? ''} ${r.item.question}\n`);
  }
}
const sets = [...new Set(rows.map((r) => r.set))];
const fmt = (s: { none: number; wrong: number }): string => `none abstained ${s.none.toFixed(2)}, wrongly abstained ${s.wrong.toFixed(2)}`;
const current = { minCoverage: DEFAULT_ANSWER_TUNING.minCoverage, absentPenalty: DEFAULT_ANSWER_TUNING.absentPenalty };
process.stdout.write(`defaults ${JSON.stringify(current)}\n`);
for (const s of sets) process.stdout.write(`  on ${s}: ${fmt(score(rows.filter((r) => r.set === s), current))}\n`);
for (const train of sets) {
  const rule = fit(rows.filter((r) => r.set === train));
  process.stdout.write(`fit on ${train}: ${JSON.stringify(rule)}\n`);
  for (const s of sets) process.stdout.write(`  on ${s}${s === train ? ' (train)' : ' (held out)'}: ${fmt(score(rows.filter((r) => r.set === s), rule))}\n`);
}
// 5-fold over the pooled questions (fixed interleaved folds, so the split is reproducible).
const folds = 5;
const held: Row[][] = [];
const rules: Rule[] = [];
for (let f = 0; f < folds; f += 1) {
  const test = rows.filter((_, i) => i % folds === f);
  rules.push(fit(rows.filter((_, i) => i % folds !== f)));
  held.push(test);
}
const cvNone = held.flatMap((t, f) => t.filter((r) => r.item.type === 'none').map((r) => (abstains(r, rules[f] as Rule) ? 1 : 0)));
const cvWrong = held.flatMap((t, f) => t.filter((r) => r.item.type !== 'none').map((r) => (abstains(r, rules[f] as Rule) ? 1 : 0)));
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
process.stdout.write(`5-fold cross-validated (pooled ${rows.length}): none abstained ${mean(cvNone).toFixed(2)}, wrongly abstained ${mean(cvWrong).toFixed(2)}; fold rules ${rules.map((r) => `${r.minCoverage}/${r.absentPenalty}`).join(' ')}\n`);
process.stdout.write(`fit on pooled: ${JSON.stringify(fit(rows))}\n`);
