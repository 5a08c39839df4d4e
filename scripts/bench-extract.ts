/**
 * `npm run bench:ingest` (last section) or `npx tsx scripts/bench-extract.ts`: extraction speed per format over
 * the real documents in ../shared/formats/files (pages/s for paginated formats, characters/s for all), and OCR
 * pages/s on one rasterized page. Figures are printed, not asserted.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { extractDocument, sniffFormat } from '../src/extract/index.js';
import { rasterizePdf } from '../test/extract/fixtures.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FILES = [path.resolve(ROOT, '..', 'shared', 'formats', 'files'), path.resolve(ROOT, '..', '..', 'shared', 'formats', 'files')].find((d) => existsSync(d));
const RUNS = 3;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

console.log(`bench:extract on ${process.platform} ${process.arch}, node ${process.version}, median of ${RUNS} runs`);
if (!FILES) {
  console.log('skipped: no ../shared/formats/files beside the checkout');
} else {
  for (const file of readdirSync(FILES).sort()) {
    const bytes = new Uint8Array(readFileSync(path.join(FILES, file)));
    const format = sniffFormat(bytes, file) ?? '?';
    const times: number[] = [];
    let pages = 0;
    let chars = 0;
    for (let i = 0; i < RUNS; i += 1) {
      const t0 = performance.now();
      const r = await extractDocument(bytes, file);
      times.push((performance.now() - t0) / 1000);
      pages = r.pages?.length ?? 0;
      chars = r.text.length;
    }
    const s = median(times);
    const perPage = pages > 0 ? `${(pages / s).toFixed(1).padStart(7)} pages/s` : '        (no pages)';
    console.log(`${file.padEnd(14)} ${format.padEnd(5)} ${String(pages || '-').padStart(3)} p  ${(bytes.length / 1024).toFixed(0).padStart(5)} KiB  ${(s * 1000).toFixed(0).padStart(6)} ms  ${perPage}  ${(chars / s / 1000).toFixed(0).padStart(6)} k chars/s`);
  }
  const scan = existsSync(path.join(FILES, 'pdf-01.pdf')) ? await rasterizePdf(new Uint8Array(readFileSync(path.join(FILES, 'pdf-01.pdf'))), 1, 1) : undefined;
  if (scan) {
    const t0 = performance.now();
    const r = await extractDocument(scan, 'scan.pdf');
    const s = (performance.now() - t0) / 1000;
    console.log(`OCR (pdf-01 p.1 at 150 dpi, OCR_ENGINE default (PP-OCR)): ${s.toFixed(1)} s = ${(1 / s).toFixed(2)} pages/s, ${r.text.length} chars${r.warnings.length > 0 ? `; ${r.warnings.join('; ')}` : ''}`);
  } else {
    console.log('OCR: skipped (no pdf-01.pdf)');
  }
}
