/**
 * Answer@1 two ways for a question set, on the configured index (CORPUS_DIR / INDEX_DIR): with the
 * lead citation's quote (the whole unit, what `kb eval` scores) and with only its highlighted
 * sentence (what the quote was before whole units), so the two can be told apart. Also counts the
 * outcomes. Prints one JSON line.
 *
 *   npx tsx scripts/answer-units-eval.ts ../shared/eval/dev.jsonl
 */
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../src/config/index.js';
import { openKnowledgeBase } from '../src/pipeline/compose/open.js';
import { computeMetrics, parseEvalSet, type EvalRun } from '../src/retrieval/eval.js';
import { silentLogger } from '../src/shared/logger.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: tsx scripts/answer-units-eval.ts SET.jsonl\n');
  process.exit(2);
}
const items = parseEvalSet(await readFile(file, 'utf8'), file);
const opened = await openKnowledgeBase(loadConfig(process.env), { autoIngest: true, logger: silentLogger });
const whole: EvalRun[] = [];
const sentence: EvalRun[] = [];
const outcomes: Record<string, number> = {};
let chars = 0;
let leads = 0;
for (const item of items) {
  const response = await opened.service.searcher.search(item.question, { k: 10 });
  const { answer } = await opened.service.ask(item.question);
  outcomes[answer.outcome] = (outcomes[answer.outcome] ?? 0) + 1;
  const cited = answer.citations.filter((c) => !c.lowConfidence);
  const body = async (docId: string): Promise<string> => (await opened.service.store.documents.get(docId))?.body ?? '';
  const sentences = await Promise.all(cited.map(async (c) => ({ docId: c.docId, passageId: c.passageId, quote: c.highlight ? (await body(c.docId)).slice(c.highlight.start, c.highlight.end) : c.quote })));
  if (cited[0]) {
    chars += cited[0].quote.length;
    leads += 1;
  }
  const run = (citations: { docId: string; passageId: string; quote: string }[]): EvalRun => ({ item, abstained: answer.abstained, results: response.results, answer: { outcome: answer.outcome, abstained: answer.abstained, text: answer.answer, citations } });
  whole.push(run(cited.map((c) => ({ docId: c.docId, passageId: c.passageId, quote: c.quote }))));
  sentence.push(run(sentences));
}
const w = computeMetrics(whole);
const s = computeMetrics(sentence);
const r = (x: number): number => Number(x.toFixed(3));
process.stdout.write(`${JSON.stringify({ set: file, n: items.length, answer1Quote: r(w.answer1), answer1Sentence: r(s.answer1), crossCitedQuote: r(w.crossCited), crossCitedSentence: r(s.crossCited), hit1: r(w.hit1), hit5: r(w.hit5), risk: r(w.risk), noneNotAnswered: r(w.noneNotAnswered), falseNotFound: r(w.falseNotFound), meanLeadQuoteChars: Math.round(chars / Math.max(1, leads)), outcomes })}\n`);
await opened.backend.close?.();
