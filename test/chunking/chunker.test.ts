import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkDocument, splitRange, type Chunk } from '../../src/chunking/chunker.js';
import { parsePolicy } from '../../src/corpus/parser.js';
import { realCorpus, realDoc } from '../helpers.js';

const chunkText = (body: string, maxChars?: number): Chunk[] =>
  chunkDocument({ docId: 'd', title: 'T', body, tree: parsePolicy(body) }, maxChars === undefined ? {} : { maxChars });

function expectTiling(body: string, chunks: Chunk[]): void {
  expect(chunks[0]?.start).toBe(0);
  chunks.forEach((c, i) => {
    expect(c.text).toBe(body.slice(c.start, c.end));
    expect(c.end).toBeGreaterThan(c.start);
    const next = chunks[i + 1];
    if (next) expect(next.start).toBe(c.end);
  });
  expect(chunks[chunks.length - 1]?.end).toBe(body.length);
}

// Text built from policy-like pieces, so that markers, sentence ends and long runs all occur.
const pieces = fc.constantFrom(
  '第一章 总则 ', '第一条 ', '第二条 ', '第二章 附则 ', '第三条 ', '一、', '二、', '（一）', '（二）', '1.', '2.', '专栏1 ',
  '为加快发展，制定本办法。', '对符合条件的企业予以奖励；', '按照“共享为原则、不共享为例外”的要求', '依照第十条执行。',
  '（一）至（三）项', '\n', ' ', '数据', '。', '，',
);
const policyText = fc.array(fc.oneof(pieces, fc.string({ maxLength: 30 })), { minLength: 1, maxLength: 120 }).map((a) => a.join(''));

describe('chunkDocument', () => {
  it('tiles any body: no gaps, no overlaps, text === body.slice(start, end)', () => {
    fc.assert(
      fc.property(policyText.filter((t) => t.length > 0), fc.integer({ min: 80, max: 600 }), (body, maxChars) => {
        expectTiling(body, chunkText(body, maxChars));
      }),
      { numRuns: 300 },
    );
  });

  it('gives stable ids under rebuild and new ids when the text changes', () => {
    fc.assert(
      fc.property(policyText.filter((t) => t.length > 0), (body) => {
        const a = chunkText(body).map((c) => c.passageId);
        expect(chunkText(body).map((c) => c.passageId)).toEqual(a);
        const changed = chunkText(`${body}补充。`).map((c) => c.passageId);
        expect(changed[changed.length - 1]).not.toBe(a[a.length - 1]);
        expect(new Set(a).size).toBe(a.length);
      }),
      { numRuns: 200 },
    );
  });

  describe('when a unit exceeds maxChars', () => {
    it('splits at sentence ends', () => {
      const sentence = '对新认定的企业技术中心一次性予以奖励。';
      const body = `第一条 ${sentence.repeat(40)}`;
      const chunks = chunkText(body, 200);
      expect(chunks.length).toBeGreaterThan(1);
      for (const c of chunks.slice(0, -1)) expect(c.text.endsWith('。')).toBe(true);
      expect(chunks.every((c) => c.text.length <= 200)).toBe(true);
      expect(chunks[0]?.part).toEqual({ index: 1, of: chunks.length });
    });

    it('cuts inside a sentence only when one sentence alone exceeds the budget', () => {
      const ranges = splitRange('甲'.repeat(500), 0, 500, 200);
      expect(ranges.every(([s, e]) => e - s <= 200)).toBe(true);
      expect(ranges[ranges.length - 1]?.[1]).toBe(500);
    });
  });

  describe('on the real corpus', () => {
    it('tiles every document and keeps chunks within the budget (bare headings aside)', async () => {
      for (const doc of await realCorpus()) {
        expectTiling(doc.body, doc.chunks);
        for (const c of doc.chunks) expect(c.text.length, `${doc.meta.docId} ${c.breadcrumb}`).toBeLessThanOrEqual(400 + 60);
      }
    });

    it('cites 云浮第十条 as its own clause with a full breadcrumb', async () => {
      const doc = await realDoc('yunfu');
      const c = doc.chunks.find((x) => x.text.includes('第十条 对使用云计算数据中心云服务的企业')) as Chunk;
      expect(c.breadcrumb).toMatch(/^《云浮市促进云计算大数据产业发展优惠办法\(试行\)》 › 第四章 鼓励发展云计算大数据产业 › 第(九|十)条/u);
      expect(c.labels[0]).toBe('第四章');
      expect(c.indexText.startsWith(c.breadcrumb)).toBe(true);
    });

    it('puts a bare heading together with its first child', async () => {
      const doc = await realDoc('dongguan');
      const c = doc.chunks.find((x) => x.text.startsWith('二、总体思路')) as Chunk;
      expect(c.text).toContain('(一)指导思想');
      expect(c.breadcrumb).toBe('《东莞市大数据发展规划(2016-2020年)》 › 二、总体思路 › (一)指导思想深入贯彻党的十八大和十八届二中、三中、四中、五中全会精神');
    });
  });
});

describe('passage ids', () => {
  describe('when an edit changes one clause of a real document', () => {
    it('keeps the ids of every clause whose text and place did not change', async () => {
      const doc = await realDoc('yunfu');
      const before = chunkText(doc.body);
      // Reword 第五条 and lengthen 第三条: every later offset shifts.
      const edited = doc.body.replace('补贴标准为10元/平方米', '补贴标准为每平方米12元').replace('予以奖励。单个企业', '予以奖励(按年度核定)。单个企业');
      expect(edited).not.toBe(doc.body);
      const after = chunkText(edited);
      const afterIds = new Set(after.map((c) => c.passageId));
      const changedText = before.filter((c) => !after.some((a) => a.text === c.text));
      expect(changedText.length).toBeGreaterThan(0);
      for (const c of before) {
        if (changedText.includes(c)) expect(afterIds.has(c.passageId)).toBe(false);
        else expect(afterIds.has(c.passageId)).toBe(true);
      }
    });
  });

  it('tells identical text under the same path apart', () => {
    const ids = chunkText('一、总则\n同上。\n二、其他\n同上。').map((c) => c.passageId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
