/** Shared by the benchmarks: synthetic corpora from the real documents, and folder sizes. */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocumentFile, serializeDocument } from '../src/corpus/document.js';

export async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) total += (await stat(path.join(e.parentPath, e.name))).size;
  return total;
}

/** The corpus repeated `copies` times with perturbations: numbers changed, sentence pairs swapped, new docIds. */
export async function synthesize(copies: number, out: string, corpusDir = 'corpus'): Promise<void> {
  await mkdir(out, { recursive: true });
  for (const f of (await readdir(corpusDir)).filter((n) => n.endsWith('.md'))) {
    const doc = parseDocumentFile(f, await readFile(path.join(corpusDir, f)));
    for (let i = 0; i < copies; i += 1) {
      const body = doc.body
        .replace(/\d+/gu, (d) => String((Number(d) * (i + 3)) % 10000))
        .replace(/([^。]{8,}?。)([^。]{8,}?。)/gu, (_m, a: string, b: string) => (i % 2 ? b + a : a + b));
      await writeFile(path.join(out, `${doc.meta.docId}-${i}.md`), serializeDocument({ ...doc.meta, docId: `${doc.meta.docId}-${i}`, title: `${doc.meta.title}（样本${i}）`, aliases: [] }, body));
    }
  }
}
