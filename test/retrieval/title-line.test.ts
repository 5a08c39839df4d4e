import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openKnowledgeBase } from '../../src/pipeline/compose/open.js';
import { presentDocument } from '../../src/retrieval/presenter.js';
import type { KnowledgeService } from '../../src/retrieval/service.js';
import { CORPUS_DIR, testConfig } from '../helpers.js';

// A .txt takes its title from its first line, which stays in the body: that line repeats the
// question's words but answers nothing.
const TESTCITY = ['测试市关于数据中心电费补贴的通知', '', '第一条 对新建数据中心，按实际用电量给予每千瓦时0.1元的电费补贴。', '第二条 本办法自发布之日起施行。', ''].join('\n');

describe('a document title standing as a line of its body', () => {
  let service: KnowledgeService;
  beforeAll(async () => {
    const corpusDir = await mkdtemp(path.join(tmpdir(), 'kb-title-'));
    await copyFile(path.join(CORPUS_DIR, 'yunfu.md'), path.join(corpusDir, 'yunfu.md'));
    await writeFile(path.join(corpusDir, 'testcity.txt'), TESTCITY);
    service = (await openKnowledgeBase(await testConfig({ CORPUS_DIR: corpusDir }), { autoIngest: true })).service;
  }, 120_000);

  it('is not quoted as the answer', async () => {
    const { answer } = await service.ask('测试市对数据中心有什么电费补贴？');
    expect(answer.answer).not.toContain('测试市关于数据中心电费补贴的通知[1]');
    expect(answer.citations[0]?.quote ?? '').not.toBe('测试市关于数据中心电费补贴的通知');
  });

  it('gives the article that answers as the answer', async () => {
    const { answer } = await service.ask('测试市对数据中心有什么电费补贴？');
    expect(answer.abstained).toBe(false);
    const first = answer.citations[0];
    expect(first?.docId).toBe('testcity');
    expect(first?.quote).toContain('每千瓦时0.1元的电费补贴');
  });

  it('lists the .txt as what it is: plain text, not Markdown', async () => {
    const catalog = await service.catalog();
    const listed = (docId: string): string | undefined => {
      const summary = catalog.get(docId);
      return summary ? presentDocument(summary, '2026-11-29').format : undefined;
    };
    expect(listed('testcity')).toBe('text');
    expect(listed('yunfu')).toBe('markdown');
  });
});
