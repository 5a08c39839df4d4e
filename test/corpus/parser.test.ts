import { describe, expect, it } from 'vitest';
import { countKinds, flattenTree, parsePolicy, type SectionNode } from '../../src/corpus/parser.js';
import { realDoc } from '../helpers.js';

const labels = (nodes: SectionNode[]): string[] => nodes.map((n) => n.label);
const find = (root: SectionNode, pathLabels: string[]): SectionNode => {
  let node = root;
  for (const label of pathLabels) {
    const next = node.children.find((c) => c.label === label);
    if (!next) throw new Error(`no ${label} under ${node.label || 'root'}: ${labels(node.children).join(' ')}`);
    node = next;
  }
  return node;
};

describe('parsePolicy', () => {
  describe('on 云浮 (chapters and articles inline in one line)', () => {
    it('finds 第一章…第八章 and 第一条…第二十四条 in order, each article under its chapter', async () => {
      const { tree } = await realDoc('yunfu');
      expect(labels(tree.children)).toEqual(['第一章', '第二章', '第三章', '第四章', '第五章', '第六章', '第七章', '第八章']);
      const articlesPerChapter = tree.children.map((ch) => ch.children.map((a) => a.number));
      expect(articlesPerChapter).toEqual([[1], [2], [3, 4, 5, 6], [7, 8, 9, 10, 11], [12, 13, 14, 15, 16], [17, 18], [19, 20], [21, 22, 23, 24]]);
      expect(countKinds(tree)).toEqual({ chapter: 8, article: 24 });
    });

    it('does not mistake the reference "本办法第十条" inside 第十二条 for a heading', async () => {
      const { tree, body } = await realDoc('yunfu');
      const art12 = find(tree, ['第五章', '第十二条']);
      expect(body.slice(art12.start, art12.end)).toContain('在享受本办法第十条优惠政策的基础上');
      expect(art12.children).toEqual([]);
    });

    it('gives chapter titles and offsets into the body', async () => {
      const { tree, body } = await realDoc('yunfu');
      const ch3 = find(tree, ['第三章']);
      expect(ch3.title).toBe('第三章 鼓励云计算大数据企业投资');
      expect(body.slice(ch3.start, ch3.start + 3)).toBe('第三章');
      const art10 = find(tree, ['第四章', '第十条']);
      expect(art10.path).toEqual(['第四章', '第十条']);
      expect(body.slice(art10.start, art10.end)).toMatch(/^第十条 对使用云计算数据中心云服务的企业.*最高不超过100万元。 $/u);
    });
  });

  describe('on the 国务院 AI plan (一、 （一） 1. and 专栏)', () => {
    it('finds the six parts and the six tasks under 三、重点任务', async () => {
      const { tree } = await realDoc('ai-plan');
      expect(tree.children.map((n) => n.title.slice(0, 6))).toEqual(['一、战略态势', '二、总体要求', '三、重点任务', '四、资源配置', '五、保障措施', '六、组织实施']);
      expect(labels(find(tree, ['三、']).children)).toEqual(['（一）', '（二）', '（三）', '（四）', '（五）', '（六）']);
    });

    it('nests 专栏1–4 with their numbered items (8, 8, 5, 3)', async () => {
      const { tree } = await realDoc('ai-plan');
      const boxes = flattenTree(tree).filter((n) => n.kind === 'box');
      expect(boxes.map((b) => b.label)).toEqual(['专栏1', '专栏2', '专栏3', '专栏4']);
      expect(boxes.map((b) => b.children.length)).toEqual([8, 8, 5, 3]);
      expect(find(tree, ['三、', '（一）', '专栏1', '8.']).title).toBe('8.量子智能计算理论');
    });
  });

  describe('on 东莞 (lines joined by the scraper)', () => {
    it('recovers （二）加快政务数据共享和开放 glued to the previous line', async () => {
      const { tree } = await realDoc('dongguan');
      expect(find(tree, ['四、', '（二）']).title).toBe('(二)加快政务数据共享和开放');
      expect(labels(find(tree, ['四、']).children)).toEqual(['（一）', '（二）', '（三）', '（四）', '（五）', '（六）']);
    });

    it('reads 专栏5 items 5-1…5-16 inside their box', async () => {
      const { tree } = await realDoc('dongguan');
      const box5 = flattenTree(tree).find((n) => n.label === '专栏5') as SectionNode;
      expect(labels(box5.children)).toEqual(Array.from({ length: 16 }, (_, i) => `5-${i + 1}`));
    });
  });

  describe('on 深圳 (items numbered across sections)', () => {
    it('keeps numbering 5., 6. … under （二） after 1.–4. under （一）', async () => {
      const { tree } = await realDoc('shenzhen');
      expect(labels(find(tree, ['三、', '（一）']).children)).toEqual(['1.', '2.', '3.', '4.']);
      expect(find(tree, ['三、', '（二）']).children[0]?.label).toBe('5.');
      expect(countKinds(tree)['item-num']).toBe(16);
    });
  });

  it('reads every corpus document into a non-trivial tree except the one-paragraph 河北 notice', async () => {
    expect((await realDoc('hebei')).tree.children).toEqual([]);
    for (const id of ['ai-plan', 'huizhou', 'zhongshan', 'shenzhen', 'dongguan', 'qingyuan', 'yunfu']) {
      expect(flattenTree((await realDoc(id)).tree).length, id).toBeGreaterThan(20);
    }
  });

  describe('on synthetic text', () => {
    it('treats 第24条 and 第二十四条 alike', () => {
      const tree = parsePolicy('第1条 甲。第二条 乙。第3条 丙。');
      expect(tree.children.map((n) => [n.label, n.number])).toEqual([['第一条', 1], ['第二条', 2], ['第三条', 3]]);
    });

    it('rejects references: 依照第十条, （一）至（三）项', () => {
      const tree = parsePolicy('第一条 总则。第二条 依照第十条执行，适用本条（一）至（三）项。第三条 附则。');
      expect(labels(tree.children)).toEqual(['第一条', '第二条', '第三条']);
      expect(tree.children[1]?.children).toEqual([]);
    });

    it('rejects markers out of sequence', () => {
      const tree = parsePolicy('一、甲。（一）乙。（三）丙。（二）丁。');
      expect(labels(tree.children[0]?.children ?? [])).toEqual(['（一）', '（二）']);
    });

    it('reads Markdown headings in user documents', () => {
      const body = '# 总则\n内容。\n## 第一部分\n甲。\n## 第二部分\n乙。\n# 附则\n丙。';
      const tree = parsePolicy(body);
      expect(labels(tree.children)).toEqual(['总则', '附则']);
      expect(labels(tree.children[0]?.children ?? [])).toEqual(['第一部分', '第二部分']);
    });

    it('reads a LawRefBook text: "# title" is no section, "## 第一章 总 则" is the chapter without its marks', () => {
      const body = '# 中华人民共和国某某条例\n\n2001年6月15日 中华人民共和国国务院令第306号公布\n\n<!-- INFO END -->\n\n## 第一章 总 则\n\n第一条 为了甲，制定本条例。\n\n第二条 乙。\n\n## 第二章　管理\n\n### 说明\n\n第三条 丙。\n';
      const tree = parsePolicy(body);
      expect(tree.children.map((c) => [c.kind, c.label, c.title, c.level])).toEqual([
        ['chapter', '第一章', '第一章 总 则', 2],
        ['chapter', '第二章', '第二章　管理', 2],
      ]);
      expect(labels(tree.children[0]?.children ?? [])).toEqual(['第一条', '第二条']);
      expect(tree.children[1]?.children.map((c) => [c.kind, c.title])).toEqual([['heading', '说明']]);
      expect(labels(tree.children[1]?.children[0]?.children ?? [])).toEqual(['第三条']);
      // The title, head lines and INFO END marker stay the preamble before the first chapter.
      expect(body.slice(0, tree.children[0]?.start)).toContain('<!-- INFO END -->');
    });

    it('keeps a Markdown chapter whose number skips one the source lost, and falls back to a heading otherwise', () => {
      const tree = parsePolicy('## 第一章 总则\n第一条 甲。\n## 第三章 附则\n第二条 乙。\n## 第二章 重复\n第三条 丙。');
      expect(tree.children.map((c) => [c.kind, c.label])).toEqual([['chapter', '第一章'], ['chapter', '第三章'], ['heading', '第二章 重复']]);
    });

    it('covers the body: children tile their parent from the first child on', () => {
      const body = '前言。一、甲（一）子。（二）丑。二、乙。';
      const tree = parsePolicy(body);
      for (const node of flattenTree(tree)) {
        node.children.forEach((child, i) => {
          const next = node.children[i + 1];
          expect(child.end).toBe(next ? next.start : node.end);
        });
      }
      expect(tree.end).toBe(body.length);
    });
  });

  describe('on extracted documents (headings on lines of their own)', () => {
    it('takes a chapter title from the line after 第X章 and keeps 第X条 apart from its text', () => {
      const body = '某某条例\n第一章\n总则\n第一条\n为了加强管理，制定本条例。\n第二条\n本条例适用于本市。\n第二章\n法律责任\n第三条\n违反本条例的，依法处理。';
      const tree = parsePolicy(body);
      expect(tree.children.map((c) => c.title)).toEqual(['第一章 总则', '第二章 法律责任']);
      expect(tree.children.map((c) => c.children.map((a) => a.label))).toEqual([['第一条', '第二条'], ['第三条']]);
      const art1 = find(tree, ['第一章', '第一条']);
      expect(body.slice(art1.start, art1.end)).toBe('第一条\n为了加强管理，制定本条例。\n');
    });

    it('gives a chapter the title that the PDF text stream put after the first article number', () => {
      const body = '第一章\n第一条\n总则\n为了加强城镇燃气管理，制定本条例。\n第二条 本条例适用于城镇燃气。\n第二章\n燃气发展规划\n第三条 应当编制规划。';
      const tree = parsePolicy(body);
      expect(tree.children.map((c) => c.title)).toEqual(['第一章 总则', '第二章 燃气发展规划']);
      expect(countKinds(tree)).toEqual({ chapter: 2, article: 3 });
    });

    it('reads 【条旨】 captions after or before the article number as part of its heading', () => {
      const body = '第一条【立法目的】为了规范管理，制定本条例。\n【适用范围】\n第二条 本条例适用于本省。\n第三条 【定义】本条例所称……';
      const tree = parsePolicy(body);
      expect(tree.children.map((c) => [c.label, c.title])).toEqual([
        ['第一条', '第一条【立法目的】'],
        ['第二条', '【适用范围】 第二条'],
        ['第三条', '第三条 【定义】'],
      ]);
      expect(body.slice(tree.children[1]?.start ?? 0, tree.children[1]?.end ?? 0)).toBe('【适用范围】\n第二条 本条例适用于本省。\n');
    });

    it('starts an annex section at 附件 with its title on the next line, under the root', () => {
      const body = '一、总体要求\n做好工作。\n二、保障措施\n加强领导。\n附件\n重点任务分工表\n1. 甲单位负责。\n2. 乙单位负责。';
      const tree = parsePolicy(body);
      expect(tree.children.map((c) => c.title)).toEqual(['一、总体要求', '二、保障措施', '附件 重点任务分工表']);
      expect(labels(tree.children[2]?.children ?? [])).toEqual(['1.', '2.']);
    });

    it('skips a table of contents and restarts chapter numbers in each 编', () => {
      const body = '某法\n目录\n第一编 总则\n第一章 任务\n第二章 犯罪\n第二编 分则\n第一章 危害安全罪\n第一编 总则\n第一章 任务\n第一条 为了惩罚犯罪，制定本法。\n第二章 犯罪\n第二条 犯罪是指危害社会的行为。\n第二编 分则\n第一章 危害安全罪\n第三条 危害安全的，处刑。';
      const tree = parsePolicy(body);
      expect(tree.children.map((p) => p.title)).toEqual(['第一编 总则', '第二编 分则']);
      expect(tree.children.map((p) => p.children.map((c) => c.label))).toEqual([['第一章', '第二章'], ['第一章']]);
      expect(tree.children[0]?.start).toBe(body.indexOf('第一编 总则\n第一章 任务\n第一条'));
      expect(flattenTree(tree).filter((n) => n.kind === 'article').map((n) => n.path)).toEqual([
        ['第一编', '第一章', '第一条'],
        ['第一编', '第二章', '第二条'],
        ['第二编', '第一章', '第三条'],
      ]);
    });

    it('still reads "依照第十条" on a wrapped line as body text', () => {
      const body = '第九条\n违反规定的，\n依照第十条处理。\n第十条\n罚款。';
      const tree = parsePolicy(body);
      expect(labels(tree.children)).toEqual([]);
      const tree2 = parsePolicy(`第一条 甲。\n${body.replace('第九条', '第二条').replace(/第十条/gu, '第三条')}`);
      expect(labels(tree2.children)).toEqual(['第一条', '第二条', '第三条']);
    });
  });
});
