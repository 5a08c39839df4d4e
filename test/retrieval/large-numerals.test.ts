import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/corpus/parser.js';
import { createFakeEmbedder, fakeEmbedderProfile } from '../../src/embeddings/fake-embedder.js';
import { ingest } from '../../src/pipeline/ingest/ingest.js';
import { loadIndex } from '../../src/storage/file/index-store.js';
import { buildAliasTable, understandQuery } from '../../src/retrieval/query.js';
import { resolveReferences } from '../../src/retrieval/references.js';
import { createKnowledgeService } from '../../src/retrieval/service.js';
import { toChineseNumeral } from '../../src/shared/numerals.js';
import { fileStore } from '../../src/storage/file/file-store.js';

const ARTICLES = 1260;
/** A code as long as the 民法典: 第一条 … 第一千二百六十条, each saying which article it is. */
const body = Array.from({ length: ARTICLES }, (_, i) => `第${toChineseNumeral(i + 1)}条 本条是编号为${i + 1}的规定，内容${i % 7 === 0 ? '涉及登记' : '涉及备案'}。`).join('\n');

describe('article numbers of 1,000 and above', () => {
  it('are headings the parser accepts in sequence', () => {
    const tree = parsePolicy(body);
    expect(tree.children).toHaveLength(ARTICLES);
    expect(tree.children[999]).toMatchObject({ label: '第一千条', number: 1000 });
    expect(tree.children[ARTICLES - 1]).toMatchObject({ label: '第一千二百六十条', number: 1260 });
  });

  it('are read from questions and from references in the text', () => {
    const refs = understandQuery('第一千条和第一千二百五十九条怎么规定', buildAliasTable([])).clauseRefs;
    expect(refs.map((r) => r.number)).toEqual([1000, 1259]);
    const text = `${body}\n依照本法第一千二百六十条办理。`;
    const at = text.indexOf('依照本法');
    const resolved = resolveReferences({ body: text, tree: parsePolicy(text) }, [{ passageId: 'all', start: 0, end: text.length }], at, text.length);
    expect(resolved.map((r) => r.target.label)).toEqual(['第一千二百六十条']);
  });

  it('lead the search for 第一千条 (not 第六百三十九条 or any other)', async () => {
    const embedder = createFakeEmbedder({ dimension: 32 });
    const root = await mkdtemp(path.join(tmpdir(), 'kb-numerals-'));
    const corpusDir = path.join(root, 'corpus');
    const indexDir = path.join(root, 'index');
    await mkdir(corpusDir);
    await writeFile(path.join(corpusDir, 'code.md'), `---\ndocId: code\ntitle: 某法典\n---\n${body}\n`);
    await ingest({ corpusDir, indexDir, embedder, profile: fakeEmbedderProfile(embedder), chunkMaxChars: 400, chunkMinChars: 10, hnsw: { M: 8, efConstruction: 50, efSearch: 50 }, batchSize: 64 });
    const kb = await loadIndex(indexDir, { modelId: embedder.modelId, dimension: embedder.dimension, chunkMaxChars: 400, chunkMinChars: 10, efSearch: 50 });
    const service = createKnowledgeService(fileStore(kb), embedder);
    for (const [query, clause] of [['第一千条', '第一千条'], ['某法典第一千二百五十九条', '第一千二百五十九条'], ['第1000条', '第一千条']] as const) {
      const r = await service.search(query, { k: 3 });
      expect(r.results[0]?.clause, query).toBe(clause);
    }
  }, 60_000);
});
