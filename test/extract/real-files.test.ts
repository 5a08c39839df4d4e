import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { countKinds, flattenTree, parsePolicy, type SectionNode } from '../../src/corpus/parser.js';
import { extractDocument, sniffFormat, type ExtractResult } from '../../src/extract/index.js';
import { REAL_FILES, REAL_QUESTIONS } from './fixtures.js';

const present = existsSync(REAL_FILES);
const squash = (s: string): string => s.replace(/\s+/gu, '');

interface Question {
  id: string;
  file: string;
  evidence: string[];
}

const questions = (): Question[] =>
  existsSync(REAL_QUESTIONS)
    ? readFileSync(REAL_QUESTIONS, 'utf8')
        .split('\n')
        .filter((l) => l.trim().length > 0)
        .map((l) => JSON.parse(l) as Question)
    : [];

const results = new Map<string, ExtractResult>();
async function extract(file: string): Promise<ExtractResult> {
  const cached = results.get(file);
  if (cached) return cached;
  const result = await extractDocument(new Uint8Array(readFileSync(path.join(REAL_FILES, file))), file);
  results.set(file, result);
  return result;
}

const articles = (tree: SectionNode): number[] => flattenTree(tree).filter((n) => n.kind === 'article').map((n) => n.number);
const range = (n: number): number[] => Array.from({ length: n }, (_v, i) => i + 1);

function expectPagesTile(result: ExtractResult, count: number): void {
  const pages = result.pages ?? [];
  expect(pages.map((p) => p.page)).toEqual(range(count));
  expect(pages[0]?.start).toBe(0);
  pages.forEach((p, i) => {
    expect(p.end).toBeGreaterThanOrEqual(p.start);
    if (i > 0) expect(p.start).toBe(pages[i - 1]?.end);
  });
  expect(pages[pages.length - 1]?.end).toBe(result.text.length);
}

/** No line is a page number ("- 3 -", "-1-", "— 1 —", "3"). */
function expectNoPageNumberLines(text: string): void {
  const offenders = text.split('\n').filter((l) => /^[-—–\s]*[0-9０-９]{1,4}[-—–\s]*$/u.test(l.trim()));
  expect(offenders).toEqual([]);
}

describe.skipIf(!present)('extractDocument on real published documents', () => {
  beforeAll(async () => {
    for (const f of ['pdf-01.pdf', 'pdf-04.pdf', 'docx-02.docx', 'doc-02.docx', 'html-01.html', 'ofd-02.ofd']) await extract(f);
  });

  it('sniffs every format from the content, not the name (doc-02.docx is an OLE .doc)', () => {
    const formats = ['pdf-01.pdf', 'pdf-04.pdf', 'docx-02.docx', 'doc-02.docx', 'html-01.html', 'ofd-02.ofd'].map((f) => sniffFormat(new Uint8Array(readFileSync(path.join(REAL_FILES, f))), f));
    expect(formats).toEqual(['pdf', 'pdf', 'docx', 'doc', 'html', 'ofd']);
    // The name does not decide: the same PDF bytes under a .txt name are still a PDF.
    expect(sniffFormat(new Uint8Array(readFileSync(path.join(REAL_FILES, 'pdf-01.pdf'))), 'notes.txt')).toBe('pdf');
  });

  it('finds every evidence string of questions.jsonl in the text of its file', async () => {
    const qs = questions();
    expect(qs.length).toBeGreaterThan(0);
    const missing: string[] = [];
    for (const q of qs) {
      const text = squash((await extract(q.file)).text);
      for (const e of q.evidence) if (!text.includes(squash(e))) missing.push(`${q.id} ${q.file}: ${e}`);
    }
    expect(missing).toEqual([]);
  });

  describe('pdf-01.pdf (城镇燃气管理条例, 18 pages, page numbers inside sentences)', () => {
    it('has 18 pages that tile the text and no page number left', async () => {
      const r = await extract('pdf-01.pdf');
      expect(r.format).toBe('pdf');
      expect(r.ocr).toBe(false);
      expectPagesTile(r, 18);
      expectNoPageNumberLines(r.text);
      expect(r.text).not.toMatch(/-\s?1\s?-|-\s?18\s?-/u);
    });

    it('re-joins lines inside sentences, across page breaks too', async () => {
      const r = await extract('pdf-01.pdf');
      // "…确保" ends page 1 and "供应、规范服务…" starts page 2.
      expect(r.text).toContain('第三条 燃气工作应当坚持统筹规划、保障安全、确保供应、规范服务、节能高效的原则。\n');
      expect(r.text).toContain('防止和减少燃气安全事故');
      const page2 = r.pages?.[1];
      expect(page2 && r.text.slice(page2.start, page2.start + 4)).toBe('供应、规');
    });

    it('parses into 第一章…第八章 with titles and 第一条…第五十五条 in order', async () => {
      const tree = parsePolicy((await extract('pdf-01.pdf')).text);
      expect(tree.children.map((c) => c.title)).toEqual([
        '第一章 总则',
        '第二章 燃气发展规划与应急保障',
        '第三章 燃气经营与服务',
        '第四章 燃气使用',
        '第五章 燃气设施保护',
        '第六章 燃气安全事故预防与处理',
        '第七章 法律责任',
        '第八章 附则',
      ]);
      expect(articles(tree)).toEqual(range(55));
      expect(tree.children[0]?.children.map((a) => a.number)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    });

    it('takes the title from the first line', async () => {
      expect((await extract('pdf-01.pdf')).hints.title).toBe('城镇燃气管理条例');
    });
  });

  describe('pdf-04.pdf (a government web page printed to PDF)', () => {
    it('strips the site chrome and keeps the notice with its title first', async () => {
      const r = await extract('pdf-04.pdf');
      expectPagesTile(r, 2);
      for (const chrome of ['无障碍', '字体', '网站标识码', 'ICP', '当前位置', '浏览量', '中国政府网', '请输入关键字', '网站地图', '主办单位', 'http']) {
        expect(r.text, chrome).not.toContain(chrome);
      }
      expect(r.text.split('\n')[0]).toBe('南宁市发展和改革委员会关于南宁市市区管道燃气价格联动有关事项的通知');
      // Radical look-alikes printed by the browser (⽓, ⺠, ⼾) read as the ideographs.
      expect(r.text).not.toMatch(/[\u2E80-\u2FDF]/u);
    });

    it('reads the metadata box as hints', async () => {
      const { hints } = await extract('pdf-04.pdf');
      expect(hints).toMatchObject({
        title: '南宁市发展和改革委员会关于南宁市市区管道燃气价格联动有关事项的通知',
        issuer: '南宁市发展和改革委员会',
        docNumber: '南发改规〔2025〕4号',
        publishedDate: '2025-10-11',
        status: '有效',
        dateIssued: '2025-10-11',
      });
    });

    it('parses the notice into 一、…八、', async () => {
      const tree = parsePolicy((await extract('pdf-04.pdf')).text);
      expect(tree.children.map((c) => c.label)).toEqual(['一、', '二、', '三、', '四、', '五、', '六、', '七、', '八、']);
    });
  });

  describe('docx-02.docx (article numbers in paragraphs of their own, padded runs)', () => {
    it('has one paragraph per article, number and text together, without padding', async () => {
      const r = await extract('docx-02.docx');
      expect(r.format).toBe('docx');
      expect(r.pages).toBeUndefined();
      expect(r.text).toMatch(/^第一条 为了防治噪声污染/mu);
      expect(r.text.split('\n').filter((l) => /^第[一二三四五六七八九十百]+条$/u.test(l))).toEqual([]);
      expect(r.text).not.toMatch(/ {2}|\u3000/u);
    });

    it('parses into 5 chapters and 46 articles', async () => {
      const tree = parsePolicy((await extract('docx-02.docx')).text);
      expect(countKinds(tree)).toMatchObject({ chapter: 5, article: 46 });
      expect(tree.children.map((c) => c.title)).toEqual(['第一章 总则', '第二章 噪声污染防治', '第三章 监督管理', '第四章 法律责任', '第五章 附则']);
      expect(articles(tree)).toEqual(range(46));
    });
  });

  describe('doc-02.docx (Word 97 .doc content under a .docx name)', () => {
    it('is read as an OLE .doc and parses into 40 articles', async () => {
      const r = await extract('doc-02.docx');
      expect(r.format).toBe('doc');
      expect(r.hints.title).toBe('内蒙古自治区反家庭暴力条例');
      expect(articles(parsePolicy(r.text))).toEqual(range(40));
    });
  });

  describe('html-01.html (gz.gov.cn page with chrome and a hidden copy of the body)', () => {
    it('takes the body once, without navigation, share or footer', async () => {
      const r = await extract('html-01.html');
      expect(r.format).toBe('html');
      expect(r.text.match(/第一条/gu)).toHaveLength(1);
      for (const chrome of ['网站标识码', 'ICP', '打印', '关闭', '分享', '字体', '热门搜索', '政策解读', '首页']) expect(r.text, chrome).not.toContain(chrome);
      expect(r.text.split('\n')[0]).toBe('穗府办规〔2021〕19号');
    });

    it('reads the meta tags and the 基本信息 box as hints', async () => {
      const { hints } = await extract('html-01.html');
      expect(hints).toEqual({
        title: '广州市人民政府办公厅关于印发广州市临时救助实施细则的通知',
        issuer: '广州市人民政府办公厅',
        publishedDate: '2021-12-10',
        sourceUrl: 'https://www.gz.gov.cn/gfxwj/szfgfxwj/gzsrmzfbgt/content/post_7960479.html',
        docNumber: '穗府办规〔2021〕19号',
        effectiveFrom: '2021-12-06',
        effectiveTo: '2029-12-06',
        // From the signature of the covering notice: "广州市人民政府办公厅 / 2021年12月1日".
        dateIssued: '2021-12-01',
      });
    });

    it('parses into 18 articles', async () => {
      expect(articles(parsePolicy((await extract('html-01.html')).text))).toEqual(range(18));
    });
  });

  describe('ofd-02.ofd (red-header 公文, 2 pages)', () => {
    it('reads the TextCodes of both pages in order, page numbers removed', async () => {
      const r = await extract('ofd-02.ofd');
      expect(r.format).toBe('ofd');
      expectPagesTile(r, 2);
      expectNoPageNumberLines(r.text);
      expect(r.text).not.toMatch(/—\s*[12]\s*—/u);
      expect(r.text.indexOf('路卫发〔2011〕76号')).toBeLessThan(r.text.indexOf('区中医院：'));
      expect(r.hints).toMatchObject({ docNumber: '路卫发〔2011〕76号', title: '关于同意张阿三同志辞职的批复', dateIssued: '2011-03-10', issuer: '测试符路桥区卫生局办公室' });
    });
  });
});
