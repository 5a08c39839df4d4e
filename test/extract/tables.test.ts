/**
 * Tables in laid-out pages (PDF text layers, OFD): ruled grids become rows ("cell | cell"), as DOCX and HTML
 * tables do, so that the chunker gives each row its own passage; prose, columns, titles, framed paragraphs
 * and lists stay text.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../../src/chunking/chunker.js';
import { parsePolicy } from '../../src/corpus/parser.js';
import { extractDocument } from '../../src/extract/index.js';
import { findRuledTables, rulesOfPath } from '../../src/extract/ruled-tables.js';
import { ROOT } from '../helpers.js';
import { makePdf, REAL_FILES, type PdfPageSpec, type PdfText } from './fixtures.js';

type RuleSpec = NonNullable<PdfPageSpec['rules']>[number];

/** A grid: vertical rules at `xs`, horizontal ones at `ys` (points from the top-left), full length. */
function grid(xs: number[], ys: number[], fill = false): RuleSpec[] {
  const [x0, x1] = [xs[0] as number, xs[xs.length - 1] as number];
  const [y0, y1] = [ys[0] as number, ys[ys.length - 1] as number];
  return [...ys.map((y) => ({ x0, y0: y, x1, y1: y, fill })), ...xs.map((x) => ({ x0: x, y0, x1: x, y1, fill }))];
}

/** Cell text: lines 14 points apart from the cell's top-left corner. */
const cell = (x: number, top: number, lines: string[]): PdfText[] => lines.map((text, i) => ({ x: x + 4, y: top + 14 + i * 14, size: 10, text }));

const OLD_NEW = {
  title: { x: 150, y: 60, size: 14, text: 'Annex 2 Table of Old and New Provisions' },
  header: [cell(72, 80, ['Original clause']), cell(300, 80, ['Revised clause'])].flat(),
  rows: [
    [cell(72, 100, ['Article 1 This regulation is made to', 'manage gas.']), cell(300, 100, ['Article 1 This regulation is made to', 'manage gas supply and safety.'])].flat(),
    [cell(72, 140, ['Article 2 It applies in the city.']), cell(300, 140, ['Article 2 It applies in the whole', 'administrative area of the city.'])].flat(),
    [cell(72, 180, ['Article 3 Fines are 1,000 yuan.']), cell(300, 180, ['Article 3 Fines are 5,000 yuan.'])].flat(),
  ],
  after: { x: 72, y: 250, size: 11, text: 'The drafting office explains each change in Annex 3.' },
};
const oldNewTexts = (): PdfText[] => [OLD_NEW.title, ...OLD_NEW.header, ...OLD_NEW.rows.flat(), OLD_NEW.after];
const OLD_NEW_ROWS = [
  'Original clause | Revised clause',
  'Article 1 This regulation is made to manage gas. | Article 1 This regulation is made to manage gas supply and safety.',
  'Article 2 It applies in the city. | Article 2 It applies in the whole administrative area of the city.',
  'Article 3 Fines are 1,000 yuan. | Article 3 Fines are 5,000 yuan.',
];

describe('PDF tables', () => {
  describe('when a page draws a ruled grid', () => {
    it('writes a two-column 新旧对照表 as one line per row, wrapped cell text joined, text around it kept in order', async () => {
      const pdf = makePdf([{ texts: oldNewTexts(), rules: grid([72, 300, 528], [80, 100, 140, 180, 210]) }]);
      const r = await extractDocument(pdf, 'old-new.pdf');
      expect(r.text.split('\n')).toEqual([OLD_NEW.title.text, ...OLD_NEW_ROWS, OLD_NEW.after.text]);
    });

    it('reads borders drawn as hairline filled rectangles (Word, WPS) as well as stroked lines', async () => {
      const pdf = makePdf([{ texts: oldNewTexts(), rules: grid([72, 300, 528], [80, 100, 140, 180, 210], true) }]);
      const r = await extractDocument(pdf, 'old-new-filled.pdf');
      expect(r.text.split('\n').slice(1, 5)).toEqual(OLD_NEW_ROWS);
    });

    it('gives the chunker one passage per row, its cells named by the header', async () => {
      const pdf = makePdf([{ texts: oldNewTexts(), rules: grid([72, 300, 528], [80, 100, 140, 180, 210]) }]);
      const { text } = await extractDocument(pdf, 'old-new.pdf');
      const rows = chunkDocument({ docId: 'd', title: 'Draft', body: text, tree: parsePolicy(text) }).filter((c) => c.clause.startsWith('表'));
      expect(rows.map((c) => c.clause)).toEqual(['表1第1行', '表1第2行', '表1第3行']);
      expect(rows[2]?.indexText).toContain('Original clause：Article 3 Fines are 1,000 yuan.；Revised clause：Article 3 Fines are 5,000 yuan.');
    });

    it('repeats a cell spanning rows in each row, and keeps a table over a page break as one table (repeated header dropped)', async () => {
      const header = [cell(72, 80, ['Level']), cell(200, 80, ['Hazard']), cell(420, 80, ['Deadline'])].flat();
      const page1: PdfPageSpec = {
        texts: [...header, ...cell(72, 100, ['Grade one']), ...cell(200, 100, ['Gas leak']), ...cell(420, 100, ['1 day']), ...cell(200, 130, ['Rusty pipe']), ...cell(420, 130, ['7 days'])],
        // The first column has no border between its two rows: one cell spanning both.
        rules: [...grid([72, 200, 420, 520], [80, 100, 160]), { x0: 200, y0: 130, x1: 520, y1: 130 }],
      };
      const page2: PdfPageSpec = {
        texts: [...header, ...cell(200, 100, ['Meter reversed']), ...cell(420, 100, ['5 days']), ...cell(200, 130, ['No flame guard']), ...cell(420, 130, ['7 days']), { x: 72, y: 200, size: 11, text: 'Grade two hazards follow in the next table.' }],
        // Continued rows: the spanning cell of page 1 goes on, empty here.
        rules: [...grid([72, 200, 420, 520], [80, 100, 160]), { x0: 200, y0: 130, x1: 520, y1: 130 }],
      };
      const r = await extractDocument(makePdf([page1, page2]), 'hazards.pdf');
      expect(r.text.split('\n')).toEqual([
        'Level | Hazard | Deadline',
        'Grade one | Gas leak | 1 day',
        'Grade one | Rusty pipe | 7 days',
        'Grade one | Meter reversed | 5 days',
        'Grade one | No flame guard | 7 days',
        'Grade two hazards follow in the next table.',
      ]);
    });
  });

  describe('when a page has no table', () => {
    it('reads the same comparison without borders as text, not as rows', async () => {
      const r = await extractDocument(makePdf([{ texts: oldNewTexts() }]), 'no-rules.pdf');
      expect(r.text).not.toContain(' | ');
      expect(r.text).toContain('Annex 2 Table of Old and New Provisions');
    });

    it('leaves prose with a rule under its centred title, a framed paragraph and an indented list as text', async () => {
      const prose = ['The city government leads the gas work of the city and sets', 'up a working mechanism for gas safety across departments.', 'The competent department supervises gas supply and use and', 'publishes the results of its inspections every quarter.'];
      const list = ['(1) keep the pipes in good repair;', '(2) inspect the meters once a year;', '(3) report leaks at once.'];
      const texts: PdfText[] = [
        { x: 200, y: 60, size: 16, text: 'Gas Safety Notice' },
        ...prose.map((text, i) => ({ x: 72, y: 110 + i * 16, size: 11, text })),
        ...list.map((text, i) => ({ x: 100, y: 190 + i * 16, size: 11, text })),
        { x: 80, y: 270, size: 11, text: 'Hotline: call 12345 at any hour to report a leak.' },
        { x: 80, y: 286, size: 11, text: 'Keep this notice where the whole household sees it.' },
      ];
      const rules: RuleSpec[] = [
        { x0: 72, y0: 70, x1: 528, y1: 70 }, // the rule under the title
        ...grid([72, 528], [255, 295]), // a box around the hotline paragraph
      ];
      const framed = await extractDocument(makePdf([{ texts, rules }]), 'prose.pdf');
      const plain = await extractDocument(makePdf([{ texts }]), 'prose.pdf');
      expect(framed.text).not.toContain(' | ');
      expect(framed.text).toBe(plain.text);
    });

    it('reads a two-column page with a rule in its gutter and rules above and below column by column', async () => {
      const left = ['Left column line one runs on and', 'on until the sentence in the left', 'column ends here with a full stop.', 'Left paragraph two starts here and', 'continues with several more words', 'before it reaches its last line and', 'finishes on this line of the left.'];
      const right = ['Right column begins with its own', 'text that also wraps over several', 'lines of the right-hand column now.', 'Right paragraph two starts here and', 'continues with several more words', 'before it reaches its last line and', 'closes the right column of the page.'];
      const texts: PdfText[] = [...left.map((text, i) => ({ x: 50, y: 120 + i * 16, size: 11, text })), ...right.map((text, i) => ({ x: 320, y: 120 + i * 16, size: 11, text }))];
      const rules: RuleSpec[] = [{ x0: 50, y0: 100, x1: 545, y1: 100 }, { x0: 50, y0: 240, x1: 545, y1: 240 }, { x0: 310, y0: 100, x1: 310, y1: 240 }];
      const r = await extractDocument(makePdf([{ texts, rules }]), 'gazette.pdf');
      expect(r.text).not.toContain(' | ');
      expect(r.text.indexOf('finishes on this line of the left.')).toBeLessThan(r.text.indexOf('Right column begins'));
    });
  });

  describe.skipIf(!existsSync(REAL_FILES))('real PDFs of prose', () => {
    it.each(['pdf-01.pdf', 'pdf-04.pdf'])('finds no table in %s', async (name) => {
      const r = await extractDocument(new Uint8Array(readFileSync(path.join(REAL_FILES, name))), name);
      expect(r.text).not.toContain(' | ');
    });
  });

  describe('a real company standard with ruled tables (test/fixtures/tables)', () => {
    it('reads its tables as rows: a spanning cell repeated, a table over a page break joined, wrapped cells whole', async () => {
      const name = 'nanning-hazard-tables.pdf';
      const r = await extractDocument(new Uint8Array(readFileSync(path.join(ROOT, 'test', 'fixtures', 'tables', name))), name);
      const lines = r.text.split('\n');
      // 表 1 runs over pages 5–6: its header once, the spanning first column filled on the second page.
      expect(lines.filter((l) => l === '隐患等级 | 隐患内容 | 整改期限')).toHaveLength(2); // 表 1 and 表 2
      expect(lines).toContain('一级隐患（居民） | 漏气、多种气源混用 | 1日');
      expect(lines).toContain('一级隐患（居民） | 偷盗气 | 5日');
      expect(lines).toContain('一级隐患（非居民） | 燃气表私改、私接 | 3日');
      // 表 7: 序号 and 项目 span several rows; 隐患内容 spans two.
      const t7 = lines.indexOf('序号 | 项目 | 隐患内容 | 整改完成');
      expect(lines[t7 - 1]).toBe('表 7：隐患整改标准对照表');
      expect(lines.slice(t7 + 1, t7 + 4)).toEqual(['1 | 燃气表 | 漏气 | 更换燃气表', '1 | 燃气表 | 漏气 | 截气或拆除', '1 | 燃气表 | 严重锈蚀 | 更换燃气表']);
      expect(lines).toContain('2 | 热水器 | 漏气 | 更换新的零配件（或符合安全要求的新燃具）');
      expect(lines).toContain('1 级 | 正常 |  | 无需跟进'); // 表 8, its picture column empty
      // The notes under the table stay text.
      expect(lines.some((l) => l.startsWith('注：1、限购是指') && !l.includes(' | '))).toBe(true);

      const rows = chunkDocument({ docId: 'd', title: '隐患管理制度', body: r.text, tree: parsePolicy(r.text) }).filter((c) => /^表\d+第\d+行$/u.test(c.clause));
      expect(rows.some((c) => c.indexText.includes('序号：2；项目：热水器；隐患内容：直排式；整改完成：更换新燃具'))).toBe(true);
    });
  });
});

const OFD_NS = 'xmlns:ofd="http://www.ofdspec.org/2016"';

/** An OFD of one A4 page: text objects (mm, 4 mm type) and path objects (AbbreviatedData in their Boundary). */
function makeOfd(texts: Array<{ x: number; y: number; text: string }>, paths: Array<{ boundary: string; data: string; attrs?: string }>): Uint8Array {
  const textObjects = texts.map((t, i) => `<ofd:TextObject ID="${100 + i}" Font="1" Size="4" Boundary="${t.x} ${t.y} 170 6"><ofd:TextCode X="0" Y="4" DeltaX="g ${Math.max(0, [...t.text].length - 1)} 4">${t.text}</ofd:TextCode></ofd:TextObject>`).join('');
  const pathObjects = paths.map((p, i) => `<ofd:PathObject ID="${500 + i}" ${p.attrs ?? ''} Boundary="${p.boundary}"><ofd:AbbreviatedData>${p.data}</ofd:AbbreviatedData></ofd:PathObject>`).join('');
  return zipSync({
    'OFD.xml': strToU8(`<ofd:OFD ${OFD_NS}><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>`),
    'Doc_0/Document.xml': strToU8(`<ofd:Document ${OFD_NS}><ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>`),
    'Doc_0/Pages/Page_0/Content.xml': strToU8(`<ofd:Page ${OFD_NS}><ofd:Content><ofd:Layer ID="9">${pathObjects}${textObjects}</ofd:Layer></ofd:Content></ofd:Page>`),
  });
}

describe('OFD tables', () => {
  const texts = [
    { x: 60, y: 20, text: '附件2 新旧对照表' },
    { x: 22, y: 32, text: '序号' }, { x: 42, y: 32, text: '原条款' }, { x: 112, y: 32, text: '修改后条款' },
    { x: 22, y: 42, text: '1' }, { x: 42, y: 42, text: '第一条 为了加强燃气管理，' }, { x: 42, y: 48, text: '制定本条例。' }, { x: 112, y: 42, text: '第一条 为了加强城镇燃气管理，' }, { x: 112, y: 48, text: '保障安全，制定本条例。' },
    { x: 22, y: 58, text: '2' }, { x: 42, y: 58, text: '第二条 本条例适用于本市。' }, { x: 112, y: 58, text: '第二条 本条例适用于本市行政区域。' },
    { x: 20, y: 80, text: '以上修改自公布之日起施行。' },
  ];
  // Borders as the ofdrw writers draw them: one stroked path per line, in its own Boundary (mm).
  const hLines = [30, 40, 56, 66].map((y) => ({ boundary: `20 ${y} 170 1`, data: 'M 0 0 L 170 0' }));
  const vLines = [20, 40, 110, 190].map((x) => ({ boundary: `${x} 30 1 36`, data: 'S 0 0 L 0 36 C' }));

  it('reads a table whose borders are PathObjects as rows, the text around it as text', async () => {
    const r = await extractDocument(makeOfd(texts, [...hLines, ...vLines]), 'old-new.ofd');
    expect(r.text.split('\n')).toEqual([
      '附件2 新旧对照表',
      '序号 | 原条款 | 修改后条款',
      '1 | 第一条 为了加强燃气管理，制定本条例。 | 第一条 为了加强城镇燃气管理，保障安全，制定本条例。',
      '2 | 第二条 本条例适用于本市。 | 第二条 本条例适用于本市行政区域。',
      '以上修改自公布之日起施行。',
    ]);
  });

  it('reads hairline filled paths (Fill only) as borders and a curve-only path as none', async () => {
    const filled = [...hLines, ...vLines].map((p) => ({ ...p, attrs: 'Stroke="false" Fill="true"' }));
    expect((await extractDocument(makeOfd(texts, filled), 'filled.ofd')).text).toContain('2 | 第二条 本条例适用于本市。 | 第二条 本条例适用于本市行政区域。');
    const curves = [...hLines, ...vLines].map((p) => ({ ...p, data: 'M 0 0 B 1 1 2 2 3 3' }));
    expect((await extractDocument(makeOfd(texts, curves), 'curves.ofd')).text).not.toContain(' | ');
  });

  it.skipIf(!existsSync(REAL_FILES))('finds no table in the real red-header OFD (its rules are the 版头 and 版记 lines)', async () => {
    const r = await extractDocument(new Uint8Array(readFileSync(path.join(REAL_FILES, 'ofd-02.ofd'))), 'ofd-02.ofd');
    expect(r.text).not.toContain(' | ');
    expect(r.text).toContain('路桥区卫生局办公室');
  });
});

describe('findRuledTables', () => {
  const f = (x: number, y: number, text: string): { x: number; y: number; width: number; height: number; text: string } => ({ x, y, width: text.length * 5, height: 10, text });
  const lines = (xs: number[], ys: number[]): ReturnType<typeof rulesOfPath> =>
    rulesOfPath([...ys.map((y): Array<[number, number]> => [[xs[0] as number, y], [xs[xs.length - 1] as number, y]]), ...xs.map((x): Array<[number, number]> => [[x, ys[0] as number], [x, ys[ys.length - 1] as number]])], 'stroke');

  it('merges a cell spanning columns into one cell', () => {
    // Row 1 has no border at x=200: its one cell spans both columns.
    const rules = [...lines([100, 300], [0, 20, 40]), ...rulesOfPath([[[200, 20], [200, 40]]], 'stroke')];
    const { tables } = findRuledTables([f(110, 5, 'Title across'), f(110, 25, 'a'), f(210, 25, 'b')], rules);
    expect(tables.map((t) => t.rows)).toEqual([[['Title across'], ['a', 'b']]]);
  });

  it('takes a box around one paragraph, or a grid with text in one row only, for no table', () => {
    expect(findRuledTables([f(110, 5, 'Boxed'), f(110, 25, 'text')], lines([100, 300], [0, 20, 40])).tables).toEqual([]);
    expect(findRuledTables([f(110, 5, 'a'), f(210, 5, 'b')], lines([100, 200, 300], [0, 20, 40])).tables).toEqual([]);
  });
});

describe('HTML tables', () => {
  const page = (article: string): Uint8Array => strToU8(`<html><head><meta charset="utf-8"></head><body><div class="nav"><a>首页</a><a>政务公开</a></div><div class="article">${article}</div></body></html>`);
  const ARTICLES = '<p>第一条 为了规范临时救助工作，根据有关规定，制定本细则。</p><p>第二条 本细则适用于本市行政区域内的临时救助工作。</p>';

  it('reads a layout table (one cell per row holding paragraphs) as blocks, a paragraph a line', async () => {
    const r = await extractDocument(page(`<table><tr><td>${ARTICLES}</td></tr><tr><td><p>第三条 本细则自发布之日起施行，有效期5年。</p></td></tr></table>`), 'layout.html');
    expect(r.text.split('\n')).toEqual(['第一条 为了规范临时救助工作，根据有关规定，制定本细则。', '第二条 本细则适用于本市行政区域内的临时救助工作。', '第三条 本细则自发布之日起施行，有效期5年。']);
  });

  it('reads a table that holds a table as layout, the data table inside it as rows', async () => {
    const data = '<table><tr><th>档次</th><th>价格</th></tr><tr><td>第一档</td><td>3.07元</td></tr><tr><td>第二档</td><td>3.68元</td></tr></table>';
    const r = await extractDocument(page(`${ARTICLES}<table><tr><td><p>各档价格如下：</p></td><td>${data}</td></tr></table>`), 'nested.html');
    expect(r.text.split('\n')).toEqual(['第一条 为了规范临时救助工作，根据有关规定，制定本细则。', '第二条 本细则适用于本市行政区域内的临时救助工作。', '各档价格如下：', '档次 | 价格', '第一档 | 3.07元', '第二档 | 3.68元']);
  });

  it('leaves a table of links (related documents) out of the body', async () => {
    const links = '<table><tr><td><a href="/1">广州市社会救助办法</a></td><td><a href="/2">广州市最低生活保障办法</a></td></tr><tr><td><a href="/3">广州市特困人员救助供养办法</a></td><td><a href="/4">广州市医疗救助办法</a></td></tr></table>';
    const r = await extractDocument(page(`${ARTICLES}${links}`), 'links.html');
    expect(r.text).toBe('第一条 为了规范临时救助工作，根据有关规定，制定本细则。\n第二条 本细则适用于本市行政区域内的临时救助工作。');
  });

  it('leaves an info box out of the body and reads it for hints', async () => {
    const box = '<table><tr><td>发文机关：</td><td>广州市人民政府办公厅</td><td>文号：</td><td>穗府办规〔2021〕19号</td></tr><tr><td>成文日期：</td><td>2021年12月20日</td><td>效力状态：</td><td>现行有效</td></tr></table>';
    const r = await extractDocument(page(`${box}${ARTICLES}`), 'info.html');
    expect(r.text).toBe('第一条 为了规范临时救助工作，根据有关规定，制定本细则。\n第二条 本细则适用于本市行政区域内的临时救助工作。');
    expect(r.hints).toMatchObject({ issuer: '广州市人民政府办公厅', docNumber: '穗府办规〔2021〕19号', dateIssued: '2021-12-20', status: '现行有效' });
  });

  it('keeps a data table as rows, one passage per row', async () => {
    const data = '<table><tr><td>救助类型</td><td>救助标准</td></tr><tr><td>急难型</td><td>不超过当地月低保标准的6倍</td></tr><tr><td>支出型</td><td>不超过当地月低保标准的12倍</td></tr></table>';
    const { text } = await extractDocument(page(`${ARTICLES}${data}`), 'data.html');
    const rows = chunkDocument({ docId: 'd', title: '细则', body: text, tree: parsePolicy(text) }).filter((c) => /^表\d+第\d+行$/u.test(c.clause));
    expect(rows.map((c) => c.indexText.split('\n')[1])).toEqual(['救助类型：急难型；救助标准：不超过当地月低保标准的6倍', '救助类型：支出型；救助标准：不超过当地月低保标准的12倍']);
  });
});
