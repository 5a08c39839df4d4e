/**
 * How long compare takes over the index CORPUS_DIR/INDEX_DIR name (issue 25.6: answered or refused
 * within 3 s at a few hundred documents), and how long the event loop is held meanwhile.
 *
 *   CORPUS_DIR=/tmp/c300/corpus INDEX_DIR=/tmp/c300/idx npx tsx scripts/compare-timing.ts [topic-file]
 *
 * Topics: short drafters' topics, then slices of `topic-file` (any statute text; default: the first
 * corpus file) at 20, 50 and 2,000 characters. Prints wall and CPU seconds per topic (best of two
 * runs; the second hits the query caches), the outcome, and the longest event-loop stall.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../src/config/index.js';
import { openKnowledgeBase } from '../src/pipeline/compose/open.js';
import { compareProvisions } from '../src/retrieval/compare.js';
import { describeError, isKbError } from '../src/shared/errors.js';

const config = loadConfig(process.env);
const opened = await openKnowledgeBase(config, { autoIngest: true });
const documents = opened.service.store.info.documents;
const source = process.argv[2] ?? path.join(config.corpusDir, readdirSync(config.corpusDir).filter((f) => /\.(md|txt)$/u.test(f)).sort()[0] ?? '');
const text = readFileSync(source, 'utf8').replace(/^---[\s\S]*?---/u, '').replace(/\s+/gu, '');
const topics: [string, string][] = [
  ['电费补贴', 'short'],
  ['数据中心建设的扶持政策', 'short'],
  ['违反本条例规定的处罚', 'short'],
  [text.slice(200, 220), 'statute 20'],
  [text.slice(200, 250), 'statute 50'],
  [text.slice(0, 2000), 'statute 2000'],
];

await compareProvisions(opened.service.searcher, '补贴').catch(() => undefined); // load the model and caches
console.log(`compare over ${documents} documents (${config.indexDir})`);
for (const [topic, kind] of topics) {
  let wall = Infinity;
  let cpu = Infinity;
  let outcome = '';
  const stall = monitorEventLoopDelay({ resolution: 10 });
  stall.enable();
  for (let run = 0; run < 2; run += 1) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    try {
      const c = await compareProvisions(opened.service.searcher, topic);
      outcome = `${c.rows.filter((r) => r.citations.length > 0).length}/${c.rows.length} rows cite`;
    } catch (error) {
      outcome = isKbError(error) ? `${error.code}: ${describeError(error).slice(0, 60)}` : describeError(error);
    }
    const used = process.cpuUsage(c0);
    wall = Math.min(wall, (performance.now() - t0) / 1000);
    cpu = Math.min(cpu, (used.user + used.system) / 1e6);
  }
  stall.disable();
  console.log(`${kind.padEnd(13)} ${String(topic.length).padStart(4)} chars  wall ${wall.toFixed(2)} s  cpu ${cpu.toFixed(2)} s  longest stall ${(stall.max / 1e6).toFixed(0)} ms  ${outcome}`);
}
await opened.embedder.dispose?.();
process.exit(0);
