import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkDocument, type Chunk } from '../../src/chunking/chunker.js';
import { findTableRows, labelRow } from '../../src/chunking/tables.js';
import { parsePolicy } from '../../src/corpus/parser.js';

const chunkText = (body: string, maxChars?: number): Chunk[] => chunkDocument({ docId: 'd', title: '价格通知', body, tree: parsePolicy(body) }, maxChars === undefined ? {} : { maxChars });

const PRICES = ['各档价格如下表。', '档次 | 用气量 | 价格', '第一档 | 0–300立方米 | 3.07元', '第二档 | 301–600立方米 | 3.68元', '第三档 | 600立方米以上 | 4.60元', '本通知自2025年11月1日起执行。'].join('\n');

describe('tables', () => {
  it('finds runs of " | " rows, the first as header', () => {
    const rows = findTableRows(PRICES);
    expect(rows.map((r) => [r.table, r.row, PRICES.slice(r.start, r.end)])).toEqual([
      [1, 0, '档次 | 用气量 | 价格'],
      [1, 1, '第一档 | 0–300立方米 | 3.07元'],
      [1, 2, '第二档 | 301–600立方米 | 3.68元'],
      [1, 3, '第三档 | 600立方米以上 | 4.60元'],
    ]);
    expect(labelRow(rows[2] as (typeof rows)[number])).toBe('档次：第二档；用气量：301–600立方米；价格：3.68元');
    // A lone " | " line is no table.
    expect(findTableRows('甲 | 乙\n正文。')).toEqual([]);
  });

  it('gives each row its own passage citing table and row, its cells named by the header in what search sees', () => {
    const chunks = chunkText(PRICES);
    const rows = chunks.filter((c) => c.clause.startsWith('表'));
    expect(rows.map((c) => [c.clause, c.text.trimEnd()])).toEqual([
      ['表1第1行', '档次 | 用气量 | 价格\n第一档 | 0–300立方米 | 3.07元'],
      ['表1第2行', '第二档 | 301–600立方米 | 3.68元'],
      ['表1第3行', '第三档 | 600立方米以上 | 4.60元'],
    ]);
    expect(rows[1]?.breadcrumb).toBe('《价格通知》 › 表1 › 第2行');
    expect(rows[1]?.indexText).toBe('《价格通知》 › 表1 › 第2行\n档次：第二档；用气量：301–600立方米；价格：3.68元');
    // The text around the table stays text.
    expect(chunks[0]?.text).toBe('各档价格如下表。\n');
    expect(chunks[chunks.length - 1]?.text).toBe('本通知自2025年11月1日起执行。');
  });

  it('keeps a row that the parser took for an article (a 新旧对照表) under its article, as a row', () => {
    const body = ['修改前 | 修改后', '第一条 为了加强燃气管理，制定本条例。 | 第一条 为了加强城镇燃气管理，保障安全，制定本条例。', '第二条 本条例适用于本市。 | 第二条 本条例适用于本市行政区域。'].join('\n');
    const rows = chunkText(body).filter((c) => c.clause.startsWith('表'));
    expect(rows.map((c) => [c.labels, c.clause])).toEqual([
      [['第一条', '表1', '第1行'], '表1第1行'],
      [['第二条', '表1', '第2行'], '表1第2行'],
    ]);
    expect(rows[1]?.indexText).toContain('修改前：第二条 本条例适用于本市。；修改后：第二条 本条例适用于本市行政区域。');
  });

  it('never cuts a row where the parser found an article inside it (a 新旧对照表 with a 序号 column)', () => {
    const body = ['附件2 新旧对照表', '序号 | 修改前 | 修改后', '1 | 第一条 为了加强燃气管理，制定本条例。 | 第一条 为了加强城镇燃气管理，保障安全，制定本条例。', '2 | 第二条 本条例适用于本市。 | 第二条 本条例适用于本市行政区域。', '以上修改自公布之日起施行。'].join('\n');
    const rows = chunkText(body).filter((c) => c.clause.startsWith('表'));
    expect(rows.map((c) => [c.clause, c.text])).toEqual([
      ['表1第1行', '序号 | 修改前 | 修改后\n1 | 第一条 为了加强燃气管理，制定本条例。 | 第一条 为了加强城镇燃气管理，保障安全，制定本条例。\n'],
      ['表1第2行', '2 | 第二条 本条例适用于本市。 | 第二条 本条例适用于本市行政区域。\n'],
    ]);
    expect(rows.map((c) => c.labels.includes('第一条') || c.labels.includes('第二条'))).toEqual([true, true]);
    expect(rows[1]?.indexText).toContain('序号：2；修改前：第二条 本条例适用于本市。；修改后：第二条 本条例适用于本市行政区域。');
  });

  it('still tiles any body with tables in it', () => {
    const row = fc.array(fc.constantFrom('甲', '第一条 ', '3.07元', '，', '。', '数据'), { minLength: 1, maxLength: 6 }).map((a) => a.join(''));
    const line = fc.oneof(fc.array(row, { minLength: 2, maxLength: 4 }).map((cells) => cells.join(' | ')), row, fc.constant(''));
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 30 }).map((ls) => ls.join('\n')).filter((t) => t.length > 0), fc.integer({ min: 80, max: 600 }), (body, maxChars) => {
        const chunks = chunkText(body, maxChars);
        expect(chunks[0]?.start).toBe(0);
        chunks.forEach((c, i) => {
          expect(c.text).toBe(body.slice(c.start, c.end));
          if (chunks[i + 1]) expect(chunks[i + 1]?.start).toBe(c.end);
        });
        expect(chunks[chunks.length - 1]?.end).toBe(body.length);
      }),
      { numRuns: 300 },
    );
  });
});
