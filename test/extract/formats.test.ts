import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { strToU8, zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { extractDocument, sniffFormat } from '../../src/extract/index.js';
import { makeDocx, makePdf, makeLyingZipBomb, makePdfStreamBomb, makeZipBomb, para, REAL_FILES, type PdfText, failure, squash } from './fixtures.js';


const CHINESE = '第一条 为了加强城镇燃气管理，保障燃气供应，制定本条例。\n第二条 本条例适用于城镇燃气的经营与使用（含液化石油气）。\n';

describe('sniffFormat', () => {
  it('reads the content, not the extension', () => {
    const pdf = makePdf([{ texts: [{ x: 72, y: 72, text: 'Hello' }] }]);
    expect(sniffFormat(pdf, 'report.docx')).toBe('pdf');
    expect(sniffFormat(makeDocx(para('x')), 'scan.pdf')).toBe('docx');
    expect(sniffFormat(strToU8('<!DOCTYPE html><html><body><p>x</p></body></html>'), 'page.txt')).toBe('html');
    expect(sniffFormat(strToU8(CHINESE), 'law.pdf')).toBe('text');
  });

  it('breaks ties with the name only: markup fragments are HTML under an .html name, text otherwise', () => {
    const fragment = strToU8('<p>第一条 内容。</p>');
    expect(sniffFormat(fragment, 'a.html')).toBe('html');
    expect(sniffFormat(fragment, 'a.txt')).toBe('text');
  });

  it('returns undefined for archives of other things and random bytes, image for scans', () => {
    expect(sniffFormat(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), 'a.pdf')).toBe('image');
    expect(sniffFormat(strToU8('GIF89a\x01\x00'), 'a.gif')).toBeUndefined();
    expect(sniffFormat(zipSync({ 'data.bin': randomBytes(512) }), 'a.docx')).toBeUndefined();
    expect(sniffFormat(new Uint8Array(randomBytes(4096)), 'a.txt')).toBeUndefined();
  });
});

describe('extractDocument on bad input', () => {
  it('refuses a GIF with unsupported_format naming the file and the formats it reads', async () => {
    const gif = Uint8Array.from([...strToU8('GIF89a'), ...randomBytes(200)]);
    const error = await failure(extractDocument(gif, 'photo.gif'));
    expect(error.code).toBe('unsupported_format');
    expect(error.message).toBe('"photo.gif": the file is a GIF image (scans are read as PNG, JPEG, TIFF, BMP or WebP); supported formats are PDF, DOCX, DOC, WPS, HTML, OFD, images (PNG, JPEG, TIFF, BMP, WebP) and plain text (UTF-8, GB18030/GBK, UTF-16); convert the file to one of them');
  });

  it('reports a corrupt PNG as document_unreadable naming the file', async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...randomBytes(200)]);
    const error = await failure(extractDocument(png, 'photo.png'));
    expect(error.code).toBe('document_unreadable');
    expect(error.message).toMatch(/^"photo\.png": the PNG image cannot be read \(.+\); it may be corrupt or truncated; get a complete copy of the file, or save it again as PNG$/u);
  });

  it('refuses a ZIP of random data and random binary with unsupported_format', async () => {
    const zip = await failure(extractDocument(zipSync({ 'a.bin': randomBytes(1000) }), 'archive.docx'));
    expect(zip.code).toBe('unsupported_format');
    expect(zip.message).toContain('"archive.docx": the file is a ZIP archive that is neither DOCX nor OFD');
    const binary = await failure(extractDocument(new Uint8Array(randomBytes(2048)), 'blob.txt'));
    expect(binary.code).toBe('unsupported_format');
  });

  it('reports an empty file and a blank text file as unreadable', async () => {
    expect((await failure(extractDocument(new Uint8Array(0), 'empty.pdf'))).message).toBe('"empty.pdf": the file is empty (0 bytes); add the complete file');
    const blank = await failure(extractDocument(strToU8('  \n\t\n'), 'blank.txt'));
    expect(blank.code).toBe('document_unreadable');
    expect(blank.message).toBe('"blank.txt": the file contains no text; add a file with the document text');
  });

  it('reports a truncated PDF, DOCX and OFD as document_unreadable naming the file', async () => {
    const pdf = makePdf([{ texts: [{ x: 72, y: 72, text: 'Article one applies.' }] }]);
    const cutPdf = await failure(extractDocument(pdf.subarray(0, Math.floor(pdf.length * 0.6)), 'cut.pdf'));
    expect(cutPdf.code).toBe('document_unreadable');
    expect(cutPdf.message).toMatch(/^"cut\.pdf": the PDF is truncated \(\d+ bytes, no %%EOF marker at its end\); download or copy the complete file again$/u);
    const docx = makeDocx(para(CHINESE));
    const cutDocx = await failure(extractDocument(docx.subarray(0, docx.length - 40), 'cut.docx'));
    expect(cutDocx.code).toBe('document_unreadable');
    expect(cutDocx.message).toContain('"cut.docx": the ZIP container is corrupt or truncated');
    const ofd = makeOfd([[{ x: 20, y: 30, text: '第一条 测试。' }]]);
    const cutOfd = await failure(extractDocument(ofd.subarray(0, ofd.length - 30), 'cut.ofd'));
    expect(cutOfd.code).toBe('document_unreadable');
    expect(cutOfd.message).toContain('"cut.ofd": the ZIP container is corrupt or truncated');
  });

  it.skipIf(!existsSync(REAL_FILES))('reports a truncated .doc as document_unreadable', async () => {
    const doc = new Uint8Array(readFileSync(path.join(REAL_FILES, 'doc-02.docx')));
    const error = await failure(extractDocument(doc.subarray(0, 25_000), 'cut.doc'));
    expect(error.code).toBe('document_unreadable');
    expect(error.message).toBe('"cut.doc": the Word .doc file is truncated (25000 bytes: its OLE2 directory lies past the end of the file); copy or download the complete file again');
  });

  it('refuses zip bombs in DOCX and OFD before inflating them', async () => {
    const bomb = makeZipBomb('word/document.xml', 8 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const error = await failure(extractDocument(bomb, 'bomb.docx', { maxDecompressedBytes: 1024 * 1024 }));
    expect(error.code).toBe('document_unreadable');
    expect(error.message).toBe('"bomb.docx": the archive would decompress past the 1 MiB limit (entry word/document.xml, which declares 8,388,608 bytes): it looks like a zip bomb; check where the file came from; raise maxDecompressedBytes only for a file you trust');
    const ofdBomb = makeZipBomb('Doc_0/Pages/Page_0/Content.xml', 8 * 1024 * 1024, { 'OFD.xml': strToU8('<ofd:OFD/>') });
    expect((await failure(extractDocument(ofdBomb, 'bomb.ofd', { maxDecompressedBytes: 1024 * 1024 }))).message).toContain('looks like a zip bomb');
  });

  it('refuses a DOCX whose document.xml declares 2,000 bytes and inflates to 1 GiB, without inflating it all', async () => {
    const bomb = makeLyingZipBomb('word/document.xml', 1024 ** 3, 2000);
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const started = Date.now();
    const error = await failure(extractDocument(bomb, 'lying.docx'));
    expect(error.code).toBe('document_unreadable');
    expect(error.message).toBe('"lying.docx": the archive would decompress past the 200 MiB limit (entry word/document.xml, which declares 2,000 bytes): it looks like a zip bomb; check where the file came from; raise maxDecompressedBytes only for a file you trust');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('refuses a PDF whose one FlateDecode stream inflates to 4 GiB, before pdf.js inflates it', async () => {
    const bomb = makePdfStreamBomb(4 * 1024 ** 3);
    expect(bomb.length).toBeLessThan(5 * 1024 * 1024);
    const started = Date.now();
    const error = await failure(extractDocument(bomb, 'stream-bomb.pdf'));
    expect(error.code).toBe('document_unreadable');
    expect(error.message).toMatch(/^"stream-bomb\.pdf": a compressed stream of the PDF \([0-9,]+ bytes at offset \d+\) inflates past the 200 MiB limit: it looks like a decompression bomb; check where the file came from; raise maxDecompressedBytes only for a file you trust$/u);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('refuses an entry that claims a thousandfold ratio even under the default limit', async () => {
    const bomb = makeZipBomb('word/document.xml', 48 * 1024 * 1024);
    expect((await failure(extractDocument(bomb, 'ratio.docx'))).message).toContain('looks like a zip bomb');
  });
});

describe('plain text', () => {
  it('decodes GBK, GB18030, UTF-16 (with and without BOM) and UTF-8 with BOM to the same text', async () => {
    const variants: Array<[string, Uint8Array]> = [
      ['gbk', iconv.encode(CHINESE, 'gbk')],
      ['gb18030', iconv.encode(`𠀀${CHINESE}`, 'gb18030')],
      ['utf-16le bom', Uint8Array.from([0xff, 0xfe, ...iconv.encode(CHINESE, 'utf-16le')])],
      ['utf-16le', iconv.encode(CHINESE, 'utf-16le')],
      ['utf-16be bom', Uint8Array.from([0xfe, 0xff, ...iconv.encode(CHINESE, 'utf-16be')])],
      ['utf-8 bom', Uint8Array.from([0xef, 0xbb, 0xbf, ...strToU8(CHINESE)])],
    ];
    for (const [name, bytes] of variants) {
      const r = await extractDocument(bytes, `${name}.txt`);
      expect(r.format, name).toBe('text');
      expect(r.text.replace('𠀀', ''), name).toBe(CHINESE.trim());
    }
  });

  it('decodes a short GBK file as GBK, not Big5 or Shift_JIS, and says so', async () => {
    const r = await extractDocument(iconv.encode('第三条 燃气工作应当坚持统筹规划。', 'gbk'), 'short.txt');
    expect(r.text).toBe('第三条 燃气工作应当坚持统筹规划。');
    expect(r.warnings).toEqual(['decoded as gb18030']);
  });

  it('keeps a UTF-8 file cut inside a character as UTF-8', async () => {
    const bytes = strToU8(CHINESE);
    const r = await extractDocument(bytes.subarray(0, bytes.length - 2), 'cut.txt');
    expect(r.text.startsWith('第一条 为了加强城镇燃气管理')).toBe(true);
    expect(r.warnings).toEqual([]);
  });
});

describe('HTML', () => {
  const page = (charsetMeta: string): string => `<!DOCTYPE html><html><head>${charsetMeta}<title>关于印发某某办法的通知_某某市人民政府</title>
<meta name="ArticleTitle" content="某某市人民政府关于印发某某办法的通知"><meta name="PubDate" content="2024-03-05 10:00"><meta name="ContentSource" content="某某市人民政府办公室"></head>
<body><div class="nav"><a>首页</a><a>政务公开</a><a>政策文件</a></div><div class="search">热词：<a>燃气</a><a>补贴</a></div>
<table class="info"><tr><td>发文字号：</td><td>某府〔2024〕3号</td><td>成文日期：</td><td>2024年03月01日</td></tr><tr><td>实施日期：</td><td>2024年04月01日</td><td>效力状态：</td><td>现行有效</td></tr></table>
<div class="article"><div class="font">【字体：<a>大</a> <a>中</a> <a>小</a>】</div>
<p>第一条 为了规范管理，根据有关规定，制定本办法。</p><p>第二条 本办法适用于本市行政区域，包括各区、县。</p><p>第三条 本办法自2024年4月1日起施行，有效期5年。</p>
<p>打印 关闭</p></div>
<div style="display:none">第一条 为了规范管理，根据有关规定，制定本办法。第二条 本办法适用于本市行政区域，包括各区、县。第三条 本办法自2024年4月1日起施行，有效期5年。</div>
<div class="footer">主办单位：某某市人民政府办公室 网站标识码：1234567890 某ICP备12345678号</div></body></html>`;

  it('takes the visible body once, drops chrome and reads meta tags and the info box', async () => {
    const r = await extractDocument(strToU8(page('<meta charset="utf-8">')), 'page.html');
    expect(r.text).toBe('第一条 为了规范管理，根据有关规定，制定本办法。\n第二条 本办法适用于本市行政区域，包括各区、县。\n第三条 本办法自2024年4月1日起施行，有效期5年。');
    expect(r.hints).toEqual({
      title: '某某市人民政府关于印发某某办法的通知',
      publishedDate: '2024-03-05',
      issuer: '某某市人民政府办公室',
      docNumber: '某府〔2024〕3号',
      dateIssued: '2024-03-01',
      effectiveFrom: '2024-04-01',
      status: '现行有效',
    });
  });

  it('decodes a GBK page by its <meta charset> and a GBK page that declares nothing', async () => {
    const declared = await extractDocument(iconv.encode(page('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'), 'gbk'), 'gbk.html');
    expect(declared.text.split('\n')).toHaveLength(3);
    expect(declared.hints.docNumber).toBe('某府〔2024〕3号');
    expect(declared.warnings).toEqual(['decoded as gb18030']);
    const sniffed = await extractDocument(iconv.encode(page(''), 'gbk'), 'gbk-undeclared.htm');
    expect(sniffed.text).toContain('第二条 本办法适用于本市行政区域');
  });

  it('reads a body laid out as <br>-separated text in a table cell (older gov sites)', async () => {
    const html = `<html><head><meta charset="utf-8"></head><body><table><tr><td class="nav"><a>首页</a> &gt; <a>政策法规</a></td></tr>
<tr><td class="font14" id="zoom">第一条 为了规范管理，制定本规定。<br>第二条 本规定适用于全市，由市政府负责解释。<br><div class="share">分享到：微信 微博</div></td></tr>
<tr><td>【<a>打印本页</a>】【<a>关闭窗口</a>】</td></tr></table></body></html>`;
    const r = await extractDocument(strToU8(html), 'old.html');
    expect(r.text).toBe('第一条 为了规范管理，制定本规定。\n第二条 本规定适用于全市，由市政府负责解释。');
  });

  it('takes a body split over nested sections whole, under a <body> hidden until scripts run', async () => {
    const section = (q: string, a: string): string => `<section><section><p><strong>${q}</strong></p></section></section><section><section><p>${a}</p></section></section>`;
    const html = `<html><head><meta charset="utf-8"></head><body style="visibility: hidden"><div class="header"><a>首页</a><a>政务公开</a></div>
<div class="main"><h1>电子居住证如何申领</h1><div class="content">${section('什么是电子居住证？', '电子居住证是公安机关按照国家电子证照管理有关规范，对符合条件的人员制发的电子证照。')}${section('如何申领？', '来穗人员可登录微信小程序申领和使用电子居住证，按系统提示操作即可。')}${section('老人如何办理？', '监护人、近亲属可以代为申领，进入相应栏目，选择代他人办理，按提示上传材料。')}</div></div>
<div class="footer"><p>主办：某某区人民政府 承办：某某区政务服务数据管理局</p></div></body></html>`;
    const r = await extractDocument(strToU8(html), 'wechat.html');
    expect(r.text.split('\n')).toEqual([
      '什么是电子居住证？',
      '电子居住证是公安机关按照国家电子证照管理有关规范，对符合条件的人员制发的电子证照。',
      '如何申领？',
      '来穗人员可登录微信小程序申领和使用电子居住证，按系统提示操作即可。',
      '老人如何办理？',
      '监护人、近亲属可以代为申领，进入相应栏目，选择代他人办理，按提示上传材料。',
    ]);
  });

  it('renders a table row as one line even when its cells hold paragraphs', async () => {
    const html = `<html><head><meta charset="utf-8"></head><body><div class="article"><p>各单位要按下表分工，认真组织实施，确保各项任务落到实处。</p>
<table><tr><td><p>序号</p></td><td><p>任务</p></td><td><p>责任单位</p></td></tr><tr><td><p>1</p></td><td><p>加强宣传引导。</p><p>广泛宣传政策。</p></td><td><p>市卫生健康委</p><p>各区政府</p></td></tr></table></div></body></html>`;
    const r = await extractDocument(strToU8(html), 'table.html');
    expect(r.text).toBe('各单位要按下表分工，认真组织实施，确保各项任务落到实处。\n序号 | 任务 | 责任单位\n1 | 加强宣传引导。 广泛宣传政策。 | 市卫生健康委 各区政府');
  });

  it('reports a page with no text as unreadable', async () => {
    const error = await failure(extractDocument(strToU8('<html><body><div class="nav"><a>首页</a></div><script>load()</script></body></html>'), 'empty.html'));
    expect(error.code).toBe('document_unreadable');
    expect(error.message).toContain('"empty.html": the page has no main text');
  });
});

describe('DOCX', () => {
  const numbering = `<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="第%1条"/><w:suff w:val="space"/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/><w:suff w:val="nothing"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCountingThousand"/><w:lvlText w:val="%1、"/><w:suff w:val="nothing"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>`;

  it('renders Word automatic numbering as Word shows it (第一条, （一）, 一、)', async () => {
    const body = [para('总体要求', 2), para('为了规范管理，制定本办法。', 1), para('本办法适用于：', 1), para('企业；', 1, 1), para('个人。', 1, 1), para('保障措施', 2), para('附则。', 1), para('另一款。', 1, 1)].join('');
    const r = await extractDocument(makeDocx(body, numbering), 'numbered.docx');
    expect(r.text).toBe('一、总体要求\n第一条 为了规范管理，制定本办法。\n第二条 本办法适用于：\n（一）企业；\n（二）个人。\n二、保障措施\n第三条 附则。\n（一）另一款。');
  });

  it('joins a lone article number to its text, drops BOM/zero-width characters, collapses padding and keeps tables as rows', async () => {
    const body = [
      para('\uFEFF某某条例'),
      para('第一条'),
      para('        为了\u200B规范管理，        制定本条例。'),
      '<w:p><w:r><w:t>第二条 </w:t></w:r><w:del><w:r><w:delText>删除的</w:delText></w:r></w:del><w:ins><w:r><w:t>插入的</w:t></w:r></w:ins><w:hyperlink><w:r><w:t>链接文字</w:t></w:r></w:hyperlink></w:p>',
      '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>档次</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>价格</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>第一档</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>3.07元</w:t></w:r></w:p></w:tc></w:tr></w:tbl>',
    ].join('');
    const r = await extractDocument(makeDocx(body), 'plain.docx');
    expect(r.text).toBe('某某条例\n第一条 为了规范管理， 制定本条例。\n第二条 插入的链接文字\n档次 | 价格\n第一档 | 3.07元');
    expect(r.hints.title).toBe('某某条例');
  });

  it('reports a DOCX without word/document.xml content as unreadable', async () => {
    const error = await failure(extractDocument(makeDocx(''), 'blank.docx'));
    expect(error.message).toBe('"blank.docx": the DOCX contains no text; add a document with text (a DOCX of scanned images needs OCR: save it as PDF)');
  });
});

describe.skipIf(!existsSync(REAL_FILES))('legacy Word and WPS (OLE2)', () => {
  it('reads an OLE file named .wps as wps and one named .doc as doc', async () => {
    const bytes = new Uint8Array(readFileSync(path.join(REAL_FILES, 'doc-02.docx')));
    const wps = await extractDocument(bytes, '条例.wps');
    expect(wps.format).toBe('wps');
    expect(wps.text).toContain('第一条 为了预防和制止家庭暴力');
    expect((await extractDocument(bytes, '条例.doc')).text).toBe(wps.text);
  });
});

/** An OFD package with one TextObject per text (mm). */
function makeOfd(pages: Array<Array<{ x: number; y: number; text: string }>>): Uint8Array {
  const ns = 'xmlns:ofd="http://www.ofdspec.org/2016"';
  const files: Record<string, Uint8Array> = {
    'OFD.xml': strToU8(`<?xml version="1.0" encoding="UTF-8"?><ofd:OFD ${ns} Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>x</ofd:DocID></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>`),
    'Doc_0/Document.xml': strToU8(`<?xml version="1.0" encoding="UTF-8"?><ofd:Document ${ns}><ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData><ofd:Pages>${pages.map((_p, i) => `<ofd:Page ID="${i + 1}" BaseLoc="Pages/Page_${i}/Content.xml"/>`).join('')}</ofd:Pages></ofd:Document>`),
  };
  pages.forEach((texts, i) => {
    const objects = texts.map((t, j) => `<ofd:TextObject ID="${100 + j}" Font="1" Size="5" Boundary="${t.x} ${t.y} 170 8"><ofd:TextCode X="0" Y="5" DeltaX="g ${Math.max(0, [...t.text].length - 1)} 5">${t.text}</ofd:TextCode></ofd:TextObject>`).join('');
    files[`Doc_0/Pages/Page_${i}/Content.xml`] = strToU8(`<?xml version="1.0" encoding="UTF-8"?><ofd:Page ${ns}><ofd:Content><ofd:Layer ID="9">${objects}</ofd:Layer></ofd:Content></ofd:Page>`);
  });
  return zipSync(files);
}

describe('OFD', () => {
  it('reads TextCodes page by page in reading order, with pages, page numbers removed', async () => {
    const ofd = makeOfd([
      [{ x: 30, y: 60, text: '第二条 其次。' }, { x: 30, y: 40, text: '第一条 首先。' }, { x: 100, y: 280, text: '— 1 —' }],
      [{ x: 30, y: 40, text: '第三条 最后。' }, { x: 100, y: 280, text: '— 2 —' }],
    ]);
    const r = await extractDocument(ofd, 'doc.ofd');
    expect(r.format).toBe('ofd');
    expect(r.text).toBe('第一条 首先。\n第二条 其次。\n第三条 最后。');
    // The line break between pages belongs to the page before: pages tile the text.
    expect(r.pages).toEqual([{ page: 1, start: 0, end: 16 }, { page: 2, start: 16, end: 23 }]);
  });
});

describe('OFD drawn through CTMs and composite objects', () => {
  it('places TextObjects by Boundary and CTM, and reads text inside CompositeGraphicUnits', async () => {
    const ns = 'xmlns:ofd="http://www.ofdspec.org/2016"';
    const text = (id: number, ctm: string, boundary: string, body: string): string => `<ofd:TextObject ID="${id}" CTM="${ctm}" Boundary="${boundary}" Font="1" Size="1"><ofd:TextCode X="0" Y="1" DeltaX="g ${[...body].length - 1} 1">${body}</ofd:TextCode></ofd:TextObject>`;
    const files = {
      'OFD.xml': strToU8(`<ofd:OFD ${ns}><ofd:DocBody><ofd:DocRoot>/Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>`),
      'Doc_0/Document.xml': strToU8(`<ofd:Document ${ns}><ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea><ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes></ofd:CommonData><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>`),
      'Doc_0/DocumentRes.xml': strToU8(`<ofd:Res ${ns}><ofd:CompositeGraphicUnits><ofd:CompositeGraphicUnit ID="50" Width="600" Height="800"><ofd:Content>${text(51, '10 0 0 10 0 0', '80 200 300 12', '第二条 其次。')}</ofd:Content></ofd:CompositeGraphicUnit></ofd:CompositeGraphicUnits></ofd:Res>`),
      'Doc_0/Pages/Page_0/Content.xml': strToU8(`<ofd:Page ${ns}><ofd:Content><ofd:Layer ID="2"><ofd:PageBlock ID="3">${text(4, '5 0 0 5 0 0', '30 40 100 6', '第一条 首先。')}</ofd:PageBlock><ofd:CompositeObject ID="5" CTM="0.3528 0 0 0.3528 0 0" Boundary="0 0 210 297" ResourceID="50"/></ofd:Layer></ofd:Content></ofd:Page>`),
    };
    const r = await extractDocument(zipSync(files), 'composite.ofd');
    expect(r.text).toBe('第一条 首先。\n第二条 其次。');
  });
});

describe('PDF layout', () => {
  const lines = (x: number, y0: number, texts: string[], size = 11): PdfText[] => texts.map((text, i) => ({ x, y: y0 + i * 16, size, text }));

  it('reads a two-column page column by column, the full-width title first', async () => {
    const left = ['Left column line one runs on and', 'on until the sentence in the left', 'column ends here with a full stop.', 'Left paragraph two starts here and', 'continues with several more words', 'before it reaches its last line and', 'finishes on this line of the left.'];
    const right = ['Right column begins with its own', 'text that also wraps over several', 'lines of the right-hand column now.', 'Right paragraph two starts here and', 'continues with several more words', 'before it reaches its last line and', 'closes the right column of the page.'];
    // The preamble is drawn as two pieces that almost meet in the middle: a full-width row, not two columns.
    const preamble = [{ x: 50, y: 90, size: 11, text: 'Adopted at the session of the standing committee' }, { x: 300, y: 90, size: 11, text: 'and revised three times since then.' }];
    const pdf = makePdf([{ texts: [{ x: 150, y: 60, size: 16, text: 'A Title That Spans Both Of The Two Columns Here' }, ...preamble, ...lines(50, 120, left), ...lines(320, 120, right)] }]);
    const r = await extractDocument(pdf, 'columns.pdf');
    const text = r.text;
    expect(text.startsWith('A Title That Spans Both Of The Two Columns Here\nAdopted at the session of the standing committee and revised three times since then.\n')).toBe(true);
    expect(text.indexOf('finishes on this line of the left.')).toBeLessThan(text.indexOf('Right column begins'));
    expect(text).toContain('Left column line one runs on and on until the sentence in the left column ends here with a full stop.');
    expect(text).toContain('Right column begins with its own text that also wraps over several lines of the right-hand column now.');
  });

  it('honours /Rotate: text drawn sideways on a page rotated by 270° reads top to bottom', async () => {
    // Rotate 270: display x = H - user y, display y = W - user x, so the line with the largest user x is on top
    // (read without the rotation, the order would come out reversed).
    const texts = ['First line of the rotated page.', 'Second line of the rotated page.', 'Third line of the rotated page.'];
    const content = texts.map((t, i) => `BT /F1 12 Tf 0 -1 1 0 ${500 - i * 20} 780 Tm (${t}) Tj ET`).join('\n');
    const r = await extractDocument(injectContent(makePdf([{ rotate: 270, texts: [] }]), content), 'rotated.pdf');
    expect(squash(r.text)).toBe(squash(texts.join('')));
    expect(r.text.indexOf('First')).toBeLessThan(r.text.indexOf('Second'));
    expect(r.text.indexOf('Second')).toBeLessThan(r.text.indexOf('Third'));
  });

  it('joins a title wrapped over two centred lines, and keeps a short centred heading apart', async () => {
    const body = lines(72, 260, ['The body text of the notice is set in a smaller font across', 'the whole width of the page and wraps like any paragraph.', 'It has several lines so that the page margins are known', 'from it rather than from the large title lines above here.']);
    const pdf = makePdf([{ texts: [
      { x: 110, y: 120, size: 22, text: 'Notice on Publishing the Scheme for a' },
      { x: 170, y: 150, size: 22, text: 'Standing Working Mechanism' },
      { x: 270, y: 200, size: 12, text: 'Chapter One' },
      ...body,
    ] }]);
    const r = await extractDocument(pdf, 'title.pdf');
    expect(r.text.split('\n').slice(0, 2)).toEqual(['Notice on Publishing the Scheme for a Standing Working Mechanism', 'Chapter One']);
  });

  it('removes running headers, footers and page numbers but keeps the body', async () => {
    const bodies = ['The first page opens a paragraph that runs on to', 'a short end.', 'Page two has a different paragraph that wraps', 'and stops.', 'The third page carries the closing provision that', 'applies last.'];
    const pages = [0, 1, 2].map((n) => ({
      texts: [{ x: 200, y: 40, size: 9, text: 'Official Gazette of the City 2024' }, ...lines(72, 150, bodies.slice(n * 2, n * 2 + 2)), { x: 280, y: 800, size: 10, text: `- ${n + 1} -` }],
    }));
    const r = await extractDocument(makePdf(pages), 'gazette.pdf');
    expect(r.text).toBe('The first page opens a paragraph that runs on to a short end.\nPage two has a different paragraph that wraps and stops.\nThe third page carries the closing provision that applies last.');
    expect(r.pages?.map((p) => r.text.slice(p.start, p.end).trim())).toEqual(r.text.split('\n'));
  });

  it('re-joins wrapped lines with one space between Latin words', async () => {
    const body = ['The licence holder shall notify the users about the', 'interruption of supply at least forty-eight hours', 'beforehand and restore the supply promptly after', 'completion of the works.'];
    const r = await extractDocument(makePdf([{ texts: lines(72, 200, body) }]), 'wrap.pdf');
    expect(r.text).toBe(body.join(' '));
  });

  it('reads only maxPages pages and says so', async () => {
    const pdf = makePdf(['One', 'Two', 'Three'].map((n) => ({ texts: lines(72, 200, [`Page ${n} has its own sentence.`]) })));
    const r = await extractDocument(pdf, 'long.pdf', { maxPages: 2 });
    expect(r.pages).toHaveLength(2);
    expect(r.warnings).toEqual(['only the first 2 of 3 pages were read (maxPages)']);
  });
});

/** Replaces the first page's content stream with `content` (same object, new length, xref rebuilt by pdf.js). */
function injectContent(pdf: Uint8Array, content: string): Uint8Array {
  const src = Buffer.from(pdf).toString('latin1');
  const replaced = src.replace(/<< \/Length \d+ >>\nstream\n[\s\S]*?endstream/u, `<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
  return new Uint8Array(Buffer.from(replaced, 'latin1'));
}

export { squash };
