/** `kb add` of Markdown files: structure and metadata from the text, readable ids, refused front matter. */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDocumentFile } from '../../src/corpus/document.js';
import { flattenTree } from '../../src/corpus/parser.js';
import { loadIndex } from '../../src/storage/file/index-store.js';
import { ingest } from '../../src/pipeline/ingest/ingest.js';
import { addDocuments, type LibraryDeps } from '../../src/pipeline/library/library.js';
import { ingestOptionsFor, libraryDepsFor } from '../../src/pipeline/compose/open.js';
import { createEmbeddingRuntime, expectationsFor, type EmbeddingRuntime } from '../../src/pipeline/compose/runtime.js';
import type { Config } from '../../src/config/index.js';
import { testConfig } from '../helpers.js';

const LAW = [
  '# 中华人民共和国某某条例',
  '',
  '2001年6月15日 中华人民共和国国务院令第306号公布',
  '',
  '2023年12月11日 《国务院关于修改〈中华人民共和国某某条例〉的决定》第一次修订',
  '',
  '<!-- INFO END -->',
  '',
  '## 第一章 总 则',
  '',
  '第一条 为了规范某某，制定本条例。',
  '',
  '## 第二章 附 则',
  '',
  '第二条 本条例自2001年7月1日起施行。',
  '',
].join('\n');

let runtime: EmbeddingRuntime;
beforeAll(async () => {
  runtime = await createEmbeddingRuntime(await testConfig());
});

async function setup(): Promise<{ config: Config; deps: LibraryDeps }> {
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-md-'));
  const config = await testConfig({ CORPUS_DIR: corpus });
  await ingest(ingestOptionsFor(config, runtime.embedder, runtime.profile));
  return { config, deps: libraryDepsFor(config, runtime, { owner: 'test', lockWaitMs: 20_000 }) };
}

describe('adding a LawRefBook Markdown file', () => {
  it('reads "# title" as the title, "##" headings as chapters and the head as history, under a readable id', async () => {
    const { config, deps } = await setup();
    const change = await addDocuments(deps, [{ bytes: Buffer.from(LAW), fileName: '某某条例(2023-12-11).md' }]);
    expect(change.failures).toEqual([]);
    expect(change.reports[0]).toMatchObject({ docId: '某某条例-2023-12-11', title: '中华人民共和国某某条例', format: 'markdown', outcome: 'added' });
    const stored = parseDocumentFile('x.md', await readFile(path.join(config.corpusDir, '某某条例-2023-12-11.md')));
    expect(stored.meta).toMatchObject({ title: '中华人民共和国某某条例', format: 'markdown', dateIssued: '2023-12-11', effectiveFrom: '2023-12-11' });
    expect(stored.meta.history?.map((h) => h.action)).toEqual(['公布', '修订']);
    const kb = await loadIndex(config.indexDir, expectationsFor(config, runtime.embedder));
    const tree = kb.documents.get('某某条例-2023-12-11')?.tree;
    expect(flattenTree(tree as NonNullable<typeof tree>).filter((n) => n.kind === 'chapter').map((n) => n.title)).toEqual(['第一章 总 则', '第二章 附 则']);
    // The same name again is the same document.
    const again = await addDocuments(deps, [{ bytes: Buffer.from(`${LAW}\n第三条 补充。\n`), fileName: '某某条例(2023-12-11).md' }]);
    expect(again.reports[0]).toMatchObject({ docId: '某某条例-2023-12-11', outcome: 'replaced' });
  });

  it('refuses front matter that does not parse, naming the file, and adds nothing', async () => {
    const { config, deps } = await setup();
    const change = await addDocuments(deps, [
      { bytes: Buffer.from('---\ntitle: [unclosed\n---\n第一条 甲。\n'), fileName: '坏的.md' },
      { bytes: Buffer.from('---\ntitle: 某办法\n第一条 甲。\n'), fileName: '没关上.md' },
    ]);
    expect(change.reports).toEqual([]);
    expect(change.failures.map((f) => [f.file, f.code])).toEqual([
      ['坏的.md', 'corpus_file_invalid'],
      ['没关上.md', 'corpus_file_invalid'],
    ]);
    expect(change.failures[0]?.message).toMatch(/^坏的\.md: front matter is not valid YAML/u);
    expect(change.failures[1]?.message).toBe('没关上.md: front matter opened by "---" on the first line is never closed; add a line "---" after the metadata, or remove the first line');
    const kb = await loadIndex(config.indexDir, expectationsFor(config, runtime.embedder));
    expect([...kb.documents.values()].map((d) => d.meta.title)).not.toContain('---');
  });
});
