import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openKnowledgeBase } from '../../src/pipeline/compose/open.js';
import type { KnowledgeService } from '../../src/retrieval/service.js';
import { testConfig } from '../helpers.js';

// Three cities: two plans on big data that mention public transport in passing, and a public-transport regulation
// whose every article says 公共交通 — in a library it outranks the plans on the topic's words alone.
const DOCS: Record<string, string> = {
  'jia.txt': ['东川市大数据发展规划', '', '一、智慧交通。整合公共交通运营数据，利用大数据优化公交线网。', '二、智慧医疗。建设全民健康信息平台。', ''].join('\n'),
  'bing.txt': ['西岭市促进大数据发展行动计划', '', '（一）推进公共交通大数据应用，发布公交实时到站信息。', '（二）推进政务数据共享。', ''].join('\n'),
  'yi.txt': ['北原市城市公共交通条例', '', '第一条 为了促进城市公共交通发展，制定本条例。', '第二条 公共交通企业应当按照规定报送公共交通运营数据。', '第三条 公共交通线网规划由市交通主管部门编制。', ''].join('\n'),
};

describe('a list naming the kind of documents it asks about', () => {
  let service: KnowledgeService;
  beforeAll(async () => {
    const corpusDir = await mkdtemp(path.join(tmpdir(), 'kb-kind-'));
    for (const [name, text] of Object.entries(DOCS)) await writeFile(path.join(corpusDir, name), text);
    service = (await openKnowledgeBase(await testConfig({ CORPUS_DIR: corpusDir }), { autoIngest: true })).service;
  }, 120_000);

  const docsOf = async (question: string): Promise<string[]> => [...new Set((await service.ask(question)).answer.citations.map((c) => c.docId))].sort();

  it('reads the big-data documents for 哪些城市的大数据文件', async () => {
    expect(await docsOf('哪些城市的大数据文件提到了公共交通数据？')).toEqual(['bing', 'jia']);
  });

  it('reads plans of every name for 规划 (规划, 行动计划), not the regulation', async () => {
    expect(await docsOf('公交数据怎么用，哪些城市的规划里讲到了？')).toEqual(['bing', 'jia']);
  });

  it('reads every city without a kind named', async () => {
    expect(await docsOf('哪些城市提到了公共交通运营数据？')).toContain('yi');
  });
});
