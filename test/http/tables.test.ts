/**
 * Tables end to end: a DOCX whose prices sit in a w:tbl is uploaded; a question about one cell finds that
 * row, cited as the table's row.
 */
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServeApp } from '../../server/cli/serve-commands.js';
import { createLiveKnowledgeBase, type LiveKnowledgeBase } from '../../src/pipeline/compose/live.js';
import { silentLogger } from '../../src/shared/logger.js';
import { makeDocx, para } from '../extract/fixtures.js';
import { CORPUS_DIR, testConfig } from '../helpers.js';

const ADMIN = 'admin-token-123';
const cell = (text: string): string => `<w:tc>${para(text)}</w:tc>`;
const tableRow = (cells: string[]): string => `<w:tr>${cells.map(cell).join('')}</w:tr>`;

let live: LiveKnowledgeBase | undefined;
afterAll(async () => {
  await live?.close();
});

describe('a table in an uploaded DOCX', () => {
  it('answers a question about one cell with its row, cited as 表1第k行', { timeout: 120_000 }, async () => {
    const corpus = await mkdtemp(path.join(tmpdir(), 'kb-http-tables-'));
    await cp(path.join(CORPUS_DIR, 'yunfu.md'), path.join(corpus, 'yunfu.md'));
    const config = await testConfig({ CORPUS_DIR: corpus, POLICY_KB_TODAY: '2026-11-29', ADMIN_TOKEN: ADMIN });
    live = createLiveKnowledgeBase(config, { autoIngest: true });
    await live.ready;
    const { app } = buildServeApp(config, live, silentLogger);
    const docx = makeDocx(
      [
        para('某市居民管道燃气阶梯价格表'),
        para('居民用气实行阶梯价格，各档气量和价格如下：'),
        `<w:tbl>${[
          tableRow(['档次', '年用气量', '销售价格']),
          tableRow(['第一档', '0至300立方米', '每立方米3.07元']),
          tableRow(['第二档', '301至600立方米', '每立方米3.68元']),
          tableRow(['第三档', '600立方米以上', '每立方米4.60元']),
        ].join('')}</w:tbl>`,
        para('本价格自2025年11月1日起执行。'),
      ].join(''),
    );
    const added = await request(app).post('/api/documents').set('authorization', `Bearer ${ADMIN}`).field('docId', 'gas-prices').attach('file', Buffer.from(docx), 'gas-prices.docx');
    expect(added.status).toBe(201);
    const res = await request(app).post('/api/search').send({ query: '第二档的居民用气每立方米卖多少钱？', k: 3, docIds: ['gas-prices'] });
    expect(res.status).toBe(200);
    const top = res.body.results[0] as { text: string; clause?: string; breadcrumb: string };
    expect(top.text.trim()).toBe('第二档 | 301至600立方米 | 每立方米3.68元');
    expect(top.breadcrumb).toContain('表1 › 第2行');
  });
});
