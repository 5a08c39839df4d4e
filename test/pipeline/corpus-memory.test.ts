/**
 * What the library remembers of corpus files (pipeline/library/corpus.ts): listings run 16 files at a
 * time and in order, two listings at once read each file once (a server priming its memory while the
 * first upload lists the corpus), and a file changed after it was remembered is read again.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCorpusDocuments, listCorpusFiles, primeCorpusMemory, scanCorpus } from '../../src/pipeline/library/corpus.js';
import { CORPUS_DIR } from '../helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kb-corpus-memory-'));
  await cp(CORPUS_DIR, dir, { recursive: true });
  // More files than the listing reads at once, so that its order is tested.
  for (let i = 0; i < 40; i += 1) await writeFile(path.join(dir, `extra-${String(i).padStart(2, '0')}.md`), `---\ntitle: 测试文件${i}\n---\n\n第一条 第${i}个文件。\n`);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('remembered corpus files', () => {
  it('lists every document in file order, as one file after another did', async () => {
    const listed = await listCorpusDocuments(dir);
    const files = (await listCorpusFiles(dir)).map((f) => path.relative(dir, f));
    expect(listed.map((d) => d.source)).toEqual(files);
    expect(listed.find((d) => d.source === 'extra-07.md')?.meta.title).toBe('测试文件7');
    const scan = await scanCorpus(dir);
    expect(scan.documents.map((d) => d.source)).toEqual(files);
    expect(scan.documents.map((d) => d.contentHash)).toEqual(listed.map((d) => d.contentHash));
  });

  it('reads a file once when two listings run at once (priming and an upload)', async () => {
    const fresh = await mkdtemp(path.join(tmpdir(), 'kb-corpus-memory-2-'));
    try {
      await cp(dir, fresh, { recursive: true });
      const [primed, listed] = await Promise.all([primeCorpusMemory(fresh), listCorpusDocuments(fresh)]);
      expect(primed).toBe(listed.length);
      const again = await listCorpusDocuments(fresh);
      // One parse per file: the second listing got the first one's objects, not a parse of its own.
      again.forEach((d, i) => expect(d.meta, d.source).toBe(listed[i]?.meta));
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });

  it('reads a file again once it changed', async () => {
    await listCorpusDocuments(dir);
    await writeFile(path.join(dir, 'extra-03.md'), '---\ntitle: 改过的标题\n---\n\n第一条 改了。\n');
    const listed = await listCorpusDocuments(dir);
    expect(listed.find((d) => d.source === 'extra-03.md')?.meta.title).toBe('改过的标题');
  });
});
