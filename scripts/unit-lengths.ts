/**
 * How long the units an answer quotes are (src/retrieval/answer/units.ts): the length of every
 * article (第X条 with its 款 and 项) and of every numbered item without sub-items, over a folder of
 * corpus files. Prints percentiles; UNIT_MAX_CHARS is read off them.
 *
 *   npx tsx scripts/unit-lengths.ts ../shared/library/laws/files corpus
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocumentFile } from '../src/corpus/document.js';
import { parsePolicy, type SectionNode } from '../src/corpus/parser.js';
import { UNIT_MAX_CHARS } from '../src/retrieval/answer/units.js';

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  process.stderr.write('usage: tsx scripts/unit-lengths.ts DIR...\n');
  process.exit(2);
}
const articles: number[] = [];
const items: number[] = [];
let files = 0;
for (const dir of dirs) {
  for (const name of (await readdir(dir)).filter((n) => /\.(md|txt)$/u.test(n))) {
    let body: string;
    try {
      body = parseDocumentFile(name, await readFile(path.join(dir, name))).body;
    } catch {
      continue;
    }
    files += 1;
    const walk = (n: SectionNode): void => {
      const len = body.slice(n.start, n.end).trim().length;
      if (n.kind === 'article') articles.push(len);
      else if (n.kind.startsWith('item') && n.children.length === 0) items.push(len);
      n.children.forEach(walk);
    };
    walk(parsePolicy(body));
  }
}
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
for (const [what, xs] of [['articles', articles], ['leaf items', items]] as const) {
  process.stdout.write(`${what}: ${xs.length} in ${files} files; p50 ${pct(xs, 50)}  p90 ${pct(xs, 90)}  p95 ${pct(xs, 95)}  p99 ${pct(xs, 99)}  max ${pct(xs, 100)} characters; ${((100 * xs.filter((x) => x <= UNIT_MAX_CHARS).length) / Math.max(1, xs.length)).toFixed(2)}% within UNIT_MAX_CHARS ${UNIT_MAX_CHARS}\n`);
}
