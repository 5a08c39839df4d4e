import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePolicy, type SectionNode } from '../../../src/corpus/parser.js';
import { splitSentences } from '../../../src/retrieval/evidence.js';
import { ELISION, highlightInQuote, quoteMatches, wholeUnit, type QuotedUnit } from '../../../src/retrieval/answer/units.js';
import { realDoc } from '../../helpers.js';

/** The span of the first sentence containing `needle`. */
function sentenceWith(body: string, needle: string): { start: number; end: number } {
  const s = splitSentences(body, 0, body.length).find((x) => x.text.includes(needle));
  if (!s) throw new Error(`no sentence with ${needle}`);
  return { start: s.start, end: s.end };
}

function check(body: string, q: QuotedUnit): void {
  expect(quoteMatches(body, { quote: q.text, start: q.start, end: q.end, ...(q.segments ? { segments: q.segments } : {}) })).toBe(true);
  expect(q.highlight.start).toBeGreaterThanOrEqual(q.start);
  expect(q.highlight.end).toBeLessThanOrEqual(q.end);
  const pieces = q.segments ?? [{ start: q.start, end: q.end }];
  expect(pieces.some((s) => s.start <= q.highlight.start && q.highlight.end <= s.end)).toBe(true);
  // The highlight found inside the quote string reads the same as the body there.
  const at = highlightInQuote({ quote: q.text, start: q.start, end: q.end, highlight: q.highlight, ...(q.segments ? { segments: q.segments } : {}) });
  expect(at && q.text.slice(at.start, at.end)).toBe(body.slice(q.highlight.start, q.highlight.end));
}

const LAW = [
  '第一章 总则',
  '第一条 为了加强城镇燃气管理，制定本条例。',
  '第二条 燃气用户应当遵守安全用气规则。用户不得擅自改装燃气设施。',
  '第二章 使用',
  '第三条 燃气用户及相关单位和个人不得有下列行为：',
  '（一）擅自操作公用燃气阀门；',
  '（二）将燃气管道作为负重支架或者接地引线；',
  '（三）安装、使用不符合气源要求的燃气燃烧器具；',
  '（四）在不具备安全条件的场所使用、储存燃气。',
  '第四条 违反本条例第三条规定的，由燃气管理部门责令限期改正；逾期不改正的，处1万元以下罚款。',
].join('\n');

describe('wholeUnit', () => {
  describe('in a regulation (第X条 with its 项)', () => {
    const tree = parsePolicy(LAW);

    it('quotes the lead-in with every item after it', () => {
      const q = wholeUnit(tree, LAW, sentenceWith(LAW, '不得有下列行为'));
      expect(q.kind).toBe('article');
      expect(q.text).toMatch(/^第三条 燃气用户.*：\n（一）擅自操作.*（四）在不具备安全条件的场所使用、储存燃气。$/su);
      expect(q.segments).toBeUndefined();
      expect(LAW.slice(q.highlight.start, q.highlight.end)).toBe('第三条 燃气用户及相关单位和个人不得有下列行为：');
      check(LAW, q);
    });

    it('quotes the whole article around an answering item, the item highlighted', () => {
      const q = wholeUnit(tree, LAW, sentenceWith(LAW, '负重支架'));
      expect(q.text.startsWith('第三条 ')).toBe(true);
      expect(q.text).toContain('（四）');
      expect(LAW.slice(q.highlight.start, q.highlight.end)).toBe('（二）将燃气管道作为负重支架或者接地引线；');
      check(LAW, q);
    });

    it('quotes every sentence of a two-sentence article, not only the answering one', () => {
      const q = wholeUnit(tree, LAW, sentenceWith(LAW, '擅自改装'));
      expect(q.text).toBe('第二条 燃气用户应当遵守安全用气规则。用户不得擅自改装燃气设施。');
      check(LAW, q);
    });

    it('bounds a long article: the lead-in, the answering item and markers where text is left out', () => {
      // Chinese numerals 十一…二十 for items 11–20, as a regulation writes them.
      const cn = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二', '十三', '十四', '十五', '十六', '十七', '十八', '十九', '二十'];
      const body = ['第一条 下列行为应当禁止：', ...cn.map((n, i) => `（${n}）第${i + 1}项行为的具体表述，内容较长以便超过上限；`)].join('\n');
      const t = parsePolicy(body);
      expect(t.children[0]?.children).toHaveLength(20);
      const q = wholeUnit(t, body, sentenceWith(body, '第15项'), { maxChars: 120 });
      expect(q.segments).toBeDefined();
      expect(q.text.startsWith('第一条 下列行为应当禁止：')).toBe(true);
      expect(q.text).toContain(`${ELISION}（十五）第15项行为`);
      expect(q.text.endsWith(ELISION)).toBe(true);
      expect(q.text).not.toContain('第3项');
      check(body, q);
    });

    it('never quotes a lead-in alone, even over the bound', () => {
      const cn = ['一', '二', '三', '四', '五', '六'];
      const body = ['第一条 有下列情形之一的，不予许可：', ...cn.map((n) => `（${n}）${'某种情形的详细说明'.repeat(4)}；`)].join('\n');
      const q = wholeUnit(parsePolicy(body), body, sentenceWith(body, '不予许可'), { maxChars: 30 });
      expect(q.text).toMatch(/：\n（一）/u);
      check(body, q);
    });
  });

  describe('in the real corpus', () => {
    it('quotes 云浮 第十条 with all three years when the answer is the first year', async () => {
      const { tree, body } = await realDoc('yunfu');
      const q = wholeUnit(tree, body, sentenceWith(body, '第一年服务费'));
      expect(q.text).toMatch(/^第十条 对使用云计算数据中心云服务的企业.*第二年.*第三年.*最高不超过100万元。$/su);
      check(body, q);
    });

    it('bounds a long numbered item of a plan to its heading and the sentences around the answer', async () => {
      const { tree, body } = await realDoc('ai-plan');
      const q = wholeUnit(tree, body, sentenceWith(body, '1万亿元'));
      expect(q.end - q.start).toBeGreaterThan(0);
      expect(q.text).toContain('1万亿元');
      expect(body.slice(q.highlight.start, q.highlight.end)).toContain('1万亿元');
      if (q.segments) expect(q.text.length).toBeLessThanOrEqual(600 + 2 * ELISION.length * q.segments.length + (q.highlight.end - q.highlight.start));
      check(body, q);
    });

    it('quotes the item a sentence ends in when it runs in from the headings above, highlighted from the item', async () => {
      const { tree, body } = await realDoc('dongguan');
      const at = body.indexOf('1、推进信息基础设施提升');
      const heading = body.lastIndexOf('四、', at);
      const end = body.indexOf('。', at) + 1;
      const q = wholeUnit(tree, body, { start: heading, end });
      expect(q.kind).toBe('item-num');
      expect(q.start).toBe(at);
      expect(q.highlight).toEqual({ start: at, end });
      expect(q.segments).toBeUndefined();
      check(body, q);
    });

    it('keeps every quote of every sentence of every corpus document exact', async () => {
      for (const id of ['yunfu', 'ai-plan', 'huizhou', 'qingyuan']) {
        const { tree, body } = await realDoc(id);
        for (const s of splitSentences(body, 0, body.length)) check(body, wholeUnit(tree, body, s));
      }
    });
  });

  describe('property: any regulation, any sentence, any bound', () => {
    const cn = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'];
    const phrase = fc.stringMatching(/^[甲乙丙丁戊己庚辛壬癸子丑寅卯]{2,40}$/u);
    const article = fc.record({
      lead: phrase,
      leadIn: fc.boolean(),
      items: fc.array(phrase, { maxLength: 12 }),
      tail: fc.array(phrase, { maxLength: 3 }),
    });
    const law = fc.array(article, { minLength: 1, maxLength: 8 }).map((arts) =>
      arts
        .map((a, i) => {
          const items = a.leadIn ? a.items.map((t, j) => `（${cn[j]}）${t}；`) : [];
          return [`第${cn[i]}条 ${a.lead}${a.leadIn && items.length > 0 ? '：' : '。'}`, ...items, ...a.tail.map((t) => `${t}。`)].join('\n');
        })
        .join('\n'),
    );

    it('quotes exact slices, keeps the sentence whole and inside one segment, and leads-in keep an item', () => {
      fc.assert(
        fc.property(law, fc.nat(), fc.integer({ min: 10, max: 800 }), (body, pick, maxChars) => {
          const tree = parsePolicy(body);
          const sentences = splitSentences(body, 0, body.length);
          const s = sentences[pick % sentences.length];
          if (!s) return;
          const q = wholeUnit(tree, body, s, { maxChars });
          check(body, q);
          expect(body.slice(q.highlight.start, q.highlight.end)).toBe(s.text);
          if (q.unit.end - q.unit.start <= maxChars) expect(q.text).toBe(body.slice(q.unit.start, q.unit.end));
          // A quoted lead-in line is followed by the first item of its list.
          const leadIn = /：\n/u.exec(q.text);
          if (leadIn) expect(q.text.slice(leadIn.index + 2)).toMatch(/^（一）/u);
          const node = (function find(n: SectionNode): SectionNode | undefined {
            return n.kind === 'article' && n.start <= s.start && s.end <= n.end ? n : n.children.map(find).find(Boolean);
          })(tree);
          if (node) expect(q.start).toBe(node.start);
        }),
        { numRuns: 300 },
      );
    });
  });
});
