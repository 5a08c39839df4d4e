import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFakeEmbedder, fakeEmbedderProfile } from '../../src/embeddings/fake-embedder.js';
import { ingest } from '../../src/pipeline/ingest/ingest.js';
import { loadIndex } from '../../src/storage/file/index-store.js';
import { createKnowledgeService } from '../../src/retrieval/service.js';
import { fileStore } from '../../src/storage/file/file-store.js';

const embedder = createFakeEmbedder({ dimension: 32 });
const DOCUMENTS = 40;

/**
 * Forty documents, each with a 第三条 and two articles on data-centre electricity subsidies: the
 * subsidy articles fill the lexical candidates, so only the two 第三条 that also speak of them are
 * among the hits, though forty passages are a 第三条. The answer: city-0's 第五条.
 */
function documentText(i: number): string {
  const third = i < 2 ? `第三条 数据中心电费补贴资金由第${i}市财政局统一管理。` : `第三条 本办法由第${i}市人民政府负责解释。`;
  const fifth = i === 0 ? '第五条 新建数据中心的电费补贴按每千瓦时零点一元执行，电费补贴每年不超过五百万元，数据中心须独立计量。' : `第五条 数据中心电费补贴申报材料由第${i}市工业和信息化局受理。`;
  return [`---\ndocId: city-${i}\ntitle: 第${i}市产业扶持办法\nissuer: 第${i}市人民政府\n---`, `第一条 为促进第${i}市产业发展，制定本办法。`, '第二条 本办法适用于本市行政区域内的企业。', third, '第四条 企业应当如实申报材料。', fifth, `第六条 数据中心电费补贴资金实行年度预算管理，第${i}市审计部门负责监督。`, ''].join('\n');
}

describe('clause references that name too many passages to lead', () => {
  it('leave the ranking to the words when every document has the referenced article', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'kb-clause-'));
    const corpusDir = path.join(root, 'corpus');
    const indexDir = path.join(root, 'index');
    await mkdir(corpusDir);
    await Promise.all(Array.from({ length: DOCUMENTS }, (_, i) => writeFile(path.join(corpusDir, `city-${i}.md`), documentText(i))));
    await ingest({ corpusDir, indexDir, embedder, profile: fakeEmbedderProfile(embedder), chunkMaxChars: 400, chunkMinChars: 10, hnsw: { M: 8, efConstruction: 50, efSearch: 50 }, batchSize: 16 });
    const kb = await loadIndex(indexDir, { modelId: embedder.modelId, dimension: embedder.dimension, chunkMaxChars: 400, chunkMinChars: 10, efSearch: 50 });
    const service = createKnowledgeService(fileStore(kb), embedder);
    const r = await service.search('第三条的数据中心电费补贴每年不超过多少', { k: 5, mode: 'bm25' });
    // Forty passages are a 第三条: too many to lead. Those among the hits are marked, not lifted above
    // the passage that answers.
    expect(r.results[0]?.docId).toBe('city-0');
    expect(r.results[0]?.text).toContain('电费补贴');
    const marked = r.results.filter((x) => x.matchedBy.includes('clause'));
    expect(marked.length).toBeGreaterThan(0);
    for (const x of marked) expect(x.text).toContain('第三条');
  });
});
