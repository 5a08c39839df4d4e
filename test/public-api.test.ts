/**
 * The public API (src/index.ts, `import … from 'policy-kb'`) pinned: every runtime export by name
 * and kind. A change here is a change for library users: add to the list on purpose, never by
 * accident (a restructure that moves a module must keep these names).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import { CORPUS_DIR } from './helpers.js';

const RUNTIME_EXPORTS: Record<string, 'function' | 'object'> = {
  ERROR_CODES: 'object',
  KbError: 'function',
  PolicyKbEmbeddings: 'function',
  PolicyKbRetriever: 'function',
  PostgresRateLimitStore: 'function',
  addDocuments: 'function',
  backendFor: 'function',
  chunkDocument: 'function',
  citationLine: 'function',
  createFakeEmbedder: 'function',
  createKnowledgeService: 'function',
  deriveLineage: 'function',
  diffDocuments: 'function',
  diffMarkdown: 'function',
  documentMatches: 'function',
  extractDocument: 'function',
  fakeEmbedderProfile: 'function',
  fileBackend: 'function',
  historyHead: 'function',
  inferValidityFromText: 'function',
  ingest: 'function',
  ingestInto: 'function',
  ingestOptionsFor: 'function',
  isKbError: 'function',
  isoToday: 'function',
  judgeValidity: 'function',
  libraryDepsFor: 'function',
  loadConfig: 'function',
  openKnowledgeBase: 'function',
  openPostgresStore: 'function',
  parseHistory: 'function',
  parsePolicy: 'function',
  pgliteQueryable: 'function',
  postgresBackend: 'function',
  poolQueryable: 'function',
  presentCitation: 'function',
  presentDocument: 'function',
  presentHit: 'function',
  presentPassage: 'function',
  removeDocument: 'function',
  sniffFormat: 'function',
  toSnakeCase: 'function',
  validityNote: 'function',
  versionFacts: 'function',
};

describe('the public API (src/index.ts)', () => {
  it('exports exactly the pinned names, each of its kind', () => {
    const actual = Object.fromEntries(Object.keys(api).sort().map((k) => [k, typeof (api as Record<string, unknown>)[k]]));
    expect(actual).toEqual(RUNTIME_EXPORTS);
  });

  it('works end to end through its own names: parse, chunk, judge, diff, errors', () => {
    const body = '第一条 为了规范某某活动，制定本办法。\n第二条 本办法自2020年1月1日起施行。';
    const tree = api.parsePolicy(body);
    expect(tree.children.map((n) => n.label)).toEqual(['第一条', '第二条']);
    expect(api.chunkDocument({ docId: 'a', title: '某办法', body, tree }).length).toBeGreaterThan(0);
    expect(api.judgeValidity({ title: '某办法', effectiveFrom: '2020-01-01' }, '2026-12-06').status).toBe('in_force');
    const doc = (text: string, docId: string) => ({ meta: { docId, title: '某办法' }, body: text, tree: api.parsePolicy(text) });
    const diff = api.diffDocuments(doc(body, 'a'), doc(body.replace('2020', '2021'), 'b'));
    expect(diff.rows.map((r) => r.status)).toEqual(['unchanged', 'modified']);
    const e = new api.KbError(api.ERROR_CODES.UNKNOWN_DOC, 'x');
    expect(api.isKbError(e)).toBe(true);
  });

  it('builds, opens and searches an index through its own names, with no file-backend internals', async () => {
    const indexDir = await mkdtemp(path.join(tmpdir(), 'kb-api-'));
    try {
      const embedder = api.createFakeEmbedder({ dimension: 64 });
      const settings = { indexDir, modelId: embedder.modelId, dimension: embedder.dimension, profile: api.fakeEmbedderProfile(embedder), chunkMaxChars: 400, chunkMinChars: 10, hnsw: { M: 8, efConstruction: 50, efSearch: 50 } };
      const backend = api.fileBackend(settings);
      const lock = await backend.lock({ owner: 'public-api test' });
      try {
        expect((await api.ingestInto(backend, { corpusDir: CORPUS_DIR, embedder, chunkMaxChars: 400, chunkMinChars: 10, batchSize: 16 })).upToDate).toBe(false);
      } finally {
        await lock.release();
      }
      const service = api.createKnowledgeService(await backend.open(), embedder);
      const found = await service.search('云浮 电价优惠', { k: 3 });
      expect(found.results.map((h) => h.docId)).toContain('yunfu');
    } finally {
      await rm(indexDir, { recursive: true, force: true });
    }
  });
});
