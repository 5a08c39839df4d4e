/**
 * Issue 21's "Done when" on a library index (CORPUS_DIR/INDEX_DIR, either backend): versions, repeals
 * and the current text first, against the instruments MANIFEST.tsv lists in several versions.
 *
 *   CORPUS_DIR=/tmp/x/lib/corpus INDEX_DIR=/tmp/x/lib/idx npx tsx scripts/check-versions.ts \
 *     [--manifest ../shared/library/laws/MANIFEST.tsv] [--today 2026-12-06] [--verbose]
 *
 * Prints: older versions judged superseded naming a later version; newest versions superseded (must
 * be none); documents the library's own acts repeal; and, for every multi-version instrument whose
 * newest version can be told by its date, whether a search for "《title》第一条" ranks it first.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/index.js';
import { judgeValidity } from '../src/corpus/validity.js';
import { openKnowledgeBase } from '../src/pipeline/compose/open.js';
import { isoToday } from '../src/shared/dates.js';

const { values } = parseArgs({ options: { manifest: { type: 'string', default: '../shared/library/laws/MANIFEST.tsv' }, today: { type: 'string' }, verbose: { type: 'boolean', default: false } } });
const config = loadConfig(process.env, {}, process.cwd());
const today = values.today ?? config.today ?? isoToday();
const opened = await openKnowledgeBase(config);
const store = opened.service.store;
const summaries = await store.documents.list();
const byFile = new Map(summaries.map((d) => [path.basename(d.meta.originalName ?? d.source), d] as const));
for (const d of summaries) byFile.set(path.basename(d.source), d);

const manifest = (await readFile(values.manifest as string, 'utf8')).split('\n').slice(1).filter(Boolean).map((l) => l.split('\t'));
const instruments = new Map<string, { file: string; date: string }[]>();
for (const [file, title, date] of manifest) {
  if (!file || !title) continue;
  const list = instruments.get(title) ?? [];
  list.push({ file, date: date ?? '' });
  instruments.set(title, list);
}
const multi = [...instruments].filter(([, files]) => files.length >= 2);

let older = 0;
let olderOk = 0;
let newest = 0;
let newestSuperseded = 0;
let undated = 0;
const misses: string[] = [];
const ranking: { title: string; ok: boolean; first?: string; newest: string }[] = [];
for (const [title, files] of multi) {
  const max = files.map((f) => f.date).filter(Boolean).sort().at(-1);
  for (const f of files) {
    const doc = byFile.get(f.file);
    if (!doc) {
      misses.push(`not in the library: ${f.file}`);
      continue;
    }
    const v = judgeValidity(doc.meta, today);
    if (!f.date || !max) {
      undated += 1;
      continue;
    }
    if (f.date === max) {
      newest += 1;
      if (v.status === 'superseded') {
        newestSuperseded += 1;
        misses.push(`newest superseded: ${f.file} → ${v.supersededBy}`);
      }
      continue;
    }
    older += 1;
    const next = files.find((x) => byFile.get(x.file)?.meta.docId === v.supersededBy);
    if (v.status === 'superseded' && next && next.date > f.date) olderOk += 1;
    else misses.push(`older not superseded by a later version: ${f.file} (${v.status}${v.supersededBy ? ` → ${v.supersededBy}` : ''})`);
  }
  // The current text first: "《title》第一条" of the instrument, newest version by its date.
  const newestFile = max ? files.find((f) => f.date === max) : undefined;
  const newestDoc = newestFile && byFile.get(newestFile.file);
  if (!newestDoc || files.filter((f) => f.date === max).length > 1) continue;
  const r = await opened.service.search(`《${newestDoc.meta.title}》第一条`, { k: 5 });
  const first = r.results[0]?.docId;
  ranking.push({ title, ok: first === newestDoc.meta.docId, ...(first ? { first } : {}), newest: newestDoc.meta.docId });
}

const repealed = summaries.filter((d) => judgeValidity(d.meta, today).status === 'repealed' && d.meta.lineage?.repealedBy);
const pct = (n: number, of: number): string => `${n}/${of} = ${of === 0 ? '-' : ((100 * n) / of).toFixed(1)}%`;
console.log(`judged on ${today}; ${summaries.length} documents; ${multi.length} instruments in 2+ files (MANIFEST.tsv)`);
console.log(`older versions superseded, naming a later version: ${pct(olderOk, older)}`);
console.log(`newest versions superseded: ${newestSuperseded} of ${newest}`);
console.log(`files without a date in their name (not counted; 民法典 parts share one title): ${undated}`);
console.log(`documents the library's own acts repeal: ${repealed.length}`);
console.log(`"《title》第一条" ranks the newest version first: ${pct(ranking.filter((x) => x.ok).length, ranking.length)} (instruments whose newest version has a date of its own)`);
if (values.verbose) {
  for (const m of misses) console.log(`  ${m}`);
  for (const x of ranking.filter((y) => !y.ok)) console.log(`  ranked first: ${x.first ?? '(nothing)'} instead of ${x.newest}`);
  for (const d of repealed) console.log(`  repealed: ${d.meta.docId} ← ${d.meta.lineage?.repealedBy?.docId} ${d.meta.lineage?.repealedBy?.clause ?? ''}`);
}
await opened.backend.close();
await opened.embedder.dispose?.();
