/**
 * Upload to searchable (issue 25.5): builds and starts the compiled `kb serve` (as `npm start` does) over an existing index (CORPUS_DIR, INDEX_DIR),
 * then, `--runs` times, POSTs a small file to /api/documents, waits for the answer (the upload
 * answers once the new version is served), checks that /api/search finds the new document, and
 * DELETEs it again (the corpus ends as it began). Prints each run and the median. Figures, not
 * assertions. Run it on a copy of the corpus: it writes to CORPUS_DIR and INDEX_DIR.
 *
 *   CORPUS_DIR=/tmp/x/lib/corpus INDEX_DIR=/tmp/x/lib/idx npx tsx scripts/bench-upload.ts \
 *     [--file ../shared/formats/files/docx-02.docx] [--runs 5] [--wait-s 10]
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { file: { type: 'string', default: path.join(ROOT, '..', 'shared', 'formats', 'files', 'docx-02.docx') }, runs: { type: 'string', default: '5' }, 'wait-s': { type: 'string', default: '10' } } });
if (!process.env.CORPUS_DIR || !process.env.INDEX_DIR) throw new Error('set CORPUS_DIR and INDEX_DIR (a copy: the benchmark writes to them)');
const runs = Number.parseInt(values.runs as string, 10);
const file = values.file as string;
const bytes = await readFile(file);

// The compiled server, as `npm start` runs it (tsx would compile the extraction worker at each start).
execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
const child = spawn(process.execPath, [path.join(ROOT, 'dist/server/cli/entry.js'), 'serve'], { cwd: ROOT, env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
let err = '';
child.stderr.on('data', (d: Buffer) => (err += d.toString()));
const started = performance.now();
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /listening on (http:\/\/[^\s]+)/u.exec(out);
    if (m && out.includes('ready:')) resolve(m[1] as string);
  });
  child.once('exit', (code) => reject(new Error(`kb serve exited with ${code}: ${err}`)));
});
// A server reads the corpus into memory in the background once ready (~3 s for the library); an
// upload right after ready waits for that read. --wait-s 0 measures that first upload.
await new Promise((resolve) => setTimeout(resolve, Number(values['wait-s']) * 1000));
const catalog = (await (await fetch(`${url}/api/documents`)).json()) as { documents: { passages: number }[] };
console.log(`kb serve ready in ${((performance.now() - started) / 1000).toFixed(1)} s: ${catalog.documents.length} documents, ${catalog.documents.reduce((a, d) => a + d.passages, 0)} passages; uploading ${path.basename(file)} (${bytes.length} bytes) ${runs}×`);

const upload: number[] = [];
const removal: number[] = [];
try {
  for (let i = 0; i < runs; i += 1) {
    const form = new FormData();
    form.append('file', new Blob([bytes]), `bench-upload-${i}${path.extname(file)}`);
    form.append('allowDuplicate', 'true');
    const t0 = performance.now();
    const res = await fetch(`${url}/api/documents`, { method: 'POST', body: form });
    const doc = (await res.json()) as { docId?: string; title: string; passages: number; searchable?: boolean };
    const t1 = performance.now();
    if (res.status !== 201 || !doc.docId) throw new Error(`upload answered ${res.status}: ${JSON.stringify(doc).slice(0, 300)}`);
    // Searchable: a search restricted to the new document finds it, right after the answer.
    const search = (await (await fetch(`${url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: doc.title, docIds: [doc.docId as string], k: 3 }) })).json()) as { results?: unknown[] };
    const t2 = performance.now();
    if (!search.results?.length) throw new Error(`${doc.docId} not found by search after the upload answered`);
    const del = await fetch(`${url}/api/documents/${encodeURIComponent(doc.docId as string)}`, { method: 'DELETE' });
    const t3 = performance.now();
    if (del.status !== 204) throw new Error(`delete answered ${del.status}`);
    upload.push((t2 - t0) / 1000);
    removal.push((t3 - t2) / 1000);
    console.log(`run ${i + 1}: upload→searchable ${((t2 - t0) / 1000).toFixed(2)} s (answer ${((t1 - t0) / 1000).toFixed(2)} s, ${doc.passages} passages, searchable ${String(doc.searchable ?? true)}); delete ${((t3 - t2) / 1000).toFixed(2)} s`);
  }
} finally {
  child.kill('SIGTERM');
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
console.log(`median upload→searchable ${median(upload).toFixed(2)} s, delete ${median(removal).toFixed(2)} s (${runs} runs)`);
