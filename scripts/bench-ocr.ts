/**
 * OCR speed and accuracy on a real scan: the revision draft's scanned pages 1–2 (test/fixtures/scans),
 * each engine available (PP-OCR from npm always; Tesseract when installed), no page cache. Prints seconds a
 * page, recognized characters a second, and the character error rate of page 1 against the hand-typed
 * reference (Levenshtein distance / reference length, white space ignored).
 *
 *   npx tsx scripts/bench-ocr.ts [runs=2]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractDocument } from '../src/extract/index.js';
import type { OcrEngineName } from '../src/extract/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCANS = path.join(ROOT, 'test', 'fixtures', 'scans');
const squash = (s: string): string => s.replace(/\s+/gu, '');

/** Levenshtein distance over code points. */
function distance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_v, j) => j);
  for (let i = 1; i <= x.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= y.length; j += 1) row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[y.length] as number;
}

function haveTesseract(): boolean {
  try {
    return execFileSync('tesseract', ['--list-langs'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().includes('chi_sim');
  } catch {
    return false;
  }
}

const runs = Number(process.argv[2] ?? 2);
const pdf = new Uint8Array(readFileSync(path.join(SCANS, 'nanning-671-p1-2.pdf')));
const reference = squash(readFileSync(path.join(SCANS, 'nanning-671-p1.reference.txt'), 'utf8'));
console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const engines: OcrEngineName[] = haveTesseract() ? ['paddle', 'tesseract'] : ['paddle'];
for (const engine of engines) {
  const times: number[] = [];
  let text = '';
  let page1 = '';
  // The first run loads the models; it is reported apart.
  for (let run = 0; run <= runs; run += 1) {
    const started = performance.now();
    const r = await extractDocument(pdf, 'nanning-671.pdf', { ocrEngine: engine });
    const s = (performance.now() - started) / 1000;
    if (run === 0) console.log(`${engine}: first run (models loading) ${s.toFixed(1)} s`);
    else times.push(s);
    text = r.text;
    const p = r.pages?.[0];
    page1 = p ? r.text.slice(p.start, p.end) : '';
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] as number;
  const chars = squash(text).length;
  const cer = distance(squash(page1), reference) / reference.length;
  console.log(`${engine}: ${(median / 2).toFixed(1)} s a page (median of ${runs} runs of 2 pages), ${(chars / median).toFixed(0)} characters/s (${chars} characters), page 1 CER ${(cer * 100).toFixed(1)}% (${distance(squash(page1), reference)} edits / ${reference.length} characters)`);
}
