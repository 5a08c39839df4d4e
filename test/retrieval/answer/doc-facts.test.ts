import { describe, expect, it } from 'vitest';
import { policyMetaSchema } from '../../../src/corpus/document.js';
import { parsePolicy } from '../../../src/corpus/parser.js';
import { withInferredValidity } from '../../../src/corpus/validity.js';
import { answerDocFact, docFactQuestion, factDocumentIds, type FactDocument } from '../../../src/retrieval/answer/doc-facts.js';

function doc(meta: Record<string, unknown>, body: string): FactDocument {
  const parsed = policyMetaSchema.parse({ docId: 'd1', title: '某市燃气管理办法', issuer: '某市人民政府', ...meta });
  return { meta: withInferredValidity(parsed, body), body, tree: parsePolicy(body) };
}

const BODY = [
  '某府规〔2021〕7号',
  '第一条 根据《城镇燃气管理条例》《某省燃气管理条例》，结合本市实际，制定本办法。',
  '第二条 燃气用户应当安全用气。',
  '第三条 本办法自2021年3月1日起施行，有效期5年。《某市燃气管理暂行办法》（某府〔2015〕3号）同时废止。',
  '某市人民政府',
  '2021年2月1日',
].join('\n');

describe('docFactQuestion and 有效期内', () => {
  it('reads 还在有效期内吗 as validity, not a question on what holds within the term', () => {
    expect(docFactQuestion('这份计划现在还在有效期内吗？')?.kind).toBe('validity');
    expect(docFactQuestion('这个办法有效期内不需要再次备案吗')?.kind).not.toBe('validity');
    expect(docFactQuestion('优惠办法有效期内不能重复申请吗')?.kind).not.toBe('validity');
    expect(docFactQuestion('优惠政策有效期内，企业能申请几次？')?.kind).not.toBe('validity');
    expect(docFactQuestion('这个办法还在有效期内')?.kind).toBe('validity');
  });
});

describe('docFactQuestion', () => {
  it.each([
    ['这个办法现在还有效吗？', 'validity'],
    ['那个优惠办法现在还管用吗', 'validity'],
    ['燃气管理条例废止了吗', 'validity'],
    ['这份计划现在还在有效期内吗', 'validity'],
    ['这个通知的文号是多少？', 'docNumber'],
    ['文号是多少', 'docNumber'],
    ['细则有效期到什么时候？', 'effectiveTo'],
    ['这次调价是从哪天开始执行的？', 'effectiveFrom'],
    ['噪声条例施行日期', 'effectiveFrom'],
    ['这份文件是谁发的', 'issuer'],
    ['这个规划是国务院发的还是科技部发的', 'issuer'],
    ['该规划的印发日期', 'dateIssued'],
    ['这个办法依据什么文件制定的', 'basis'],
  ])('reads %s as a question about the document (%s)', (q, kind) => {
    expect(docFactQuestion(q)?.kind).toBe(kind);
  });

  it.each(['这个补贴是按月发的还是按年发的', '这个规划提出建设的平台叫什么名字', '这个补贴发给谁', '该计划的奖补资金下达给了哪些单位', '这是什么文件'])('does not read %s as a title, issuer or addressees question', (q) => {
    expect(['title', 'issuer', 'addressees', 'period']).not.toContain(docFactQuestion(q)?.kind);
  });

  it('reads 依据是什么文件 as the basis, not the title', () => {
    expect(docFactQuestion('这个方案的依据是什么文件')?.kind).toBe('basis');
  });

  it.each(['“某某综合试验区”是哪份文件批准设立的，文号是多少？', '某市行动计划引用的省里那份实施意见文号是多少？', '燃气经营许可证是谁发的？', '许可证的有效期多长？', '补贴资金从哪里来', '云浮对数据中心有什么电费补贴', '人身安全保护令是由谁作出的'])('leaves %s to the clauses (it asks about something else)', (q) => {
    expect(docFactQuestion(q)).toBeUndefined();
  });

  it('reads every fact a question asks of one document (还有效吗？什么时候开始实施的; 哪个单位印发的，文号是多少)', () => {
    expect(docFactQuestion('那个优惠办法现在还有效吗?什么时候开始实施的')).toMatchObject({ kind: 'validity', also: ['effectiveFrom'] });
    const kinds = (q: string): string[] => { const a = docFactQuestion(q); return a ? [a.kind, ...(a.also ?? [])].sort() : []; };
    expect(kinds('河北这个行动计划是哪个单位印发的,文号是多少')).toEqual(['docNumber', 'issuer']);
    expect(kinds('河北大数据三年行动计划是哪个单位印发的,文号是多少')).toEqual(['docNumber', 'issuer']);
    expect(docFactQuestion('惠州实施方案是根据省里哪个文件定的?文号是多少')).toMatchObject({ kind: 'basis', also: ['docNumber'] });
    expect(docFactQuestion('东莞大数据发展规划主要是依据哪些文件编的?')?.kind).toBe('basis');
    // The clause before may ask a fact of its own: the document is what comes before that ask (什么时候出的 = 印发).
    expect(kinds('东莞大数据规划什么时候出的，现在还管用吗')).toEqual(['dateIssued', 'validity']);
    expect(docFactQuestion('东莞大数据规划什么时候出的，现在还管用吗')?.subject).toBe('东莞大数据规划');
    // A fact asked first of something that is no document does not lead (许可证是谁发的): the one asked of the document does.
    expect(docFactQuestion('许可证是谁发的?这个通知的文号是多少')).toMatchObject({ kind: 'docNumber', subject: '这个通知' });
    const d2 = doc({ docNumber: '某府规〔2021〕7号', dateIssued: '2021-02-01' }, BODY);
    const r = answerDocFact({ kind: 'issuer', earlier: false, demonstrative: false, also: ['docNumber'] }, [d2], '2024-01-01', '');
    expect(r.lines.map((l) => l.text)).toEqual(['《某市燃气管理办法》由某市人民政府发布。', '《某市燃气管理办法》的文号是某府规〔2021〕7号。']);
  });

  it('accepts a fact asked right after a document name the question gave', () => {
    expect(docFactQuestion('云浮现在还有效吗', ['云浮'])?.kind).toBe('validity');
    expect(docFactQuestion('云浮现在还有效吗')).toBeUndefined();
  });

  it('marks a question about the earlier document the named one replaced', () => {
    const ask = docFactQuestion('这个细则出台后，原来2019年的办法还有效吗？');
    expect(ask).toMatchObject({ kind: 'validity', earlier: true });
    expect(docFactQuestion('这个细则还有效吗')?.earlier).toBe(false);
  });
});

describe('answerDocFact', () => {
  const d = doc({ docNumber: '某府规〔2021〕7号', dateIssued: '2021-02-01' }, BODY);

  it('answers validity from the 施行 clause, judged on the given day', () => {
    const inForce = answerDocFact({ kind: 'validity', earlier: false, demonstrative: true }, [d], '2024-01-01', '');
    expect(inForce.outcome).toBe('answer');
    expect(inForce.lines[0]?.text).toBe('《某市燃气管理办法》现行有效：自2021年3月1日起施行，有效期至2026年2月28日（按2024年1月1日判断）。');
    const span = inForce.lines[0]?.source?.span as { start: number; end: number };
    expect(BODY.slice(span.start, span.end)).toContain('有效期5年');
    const later = answerDocFact({ kind: 'validity', earlier: false, demonstrative: true }, [d], '2026-12-06', '');
    expect(later.lines[0]?.text).toMatch(/^《某市燃气管理办法》已失效：自2021年3月1日起施行，有效期至2026年2月28日，已届满/u);
  });

  it('answers validity of a version the library holds a later version of: superseded, naming the current text', () => {
    const body = '第一条 为了保护未成年人身心健康，制定本法。\n第二条 本法自2021年6月1日起施行。';
    const old = doc({ docId: 'v2020', title: '中华人民共和国未成年人保护法', issuer: '全国人民代表大会常务委员会', dateIssued: '2020-10-17' }, body);
    old.meta.lineage = { versions: [{ docId: 'v2020', title: '中华人民共和国未成年人保护法', date: '2020-10-17' }, { docId: 'v2024', title: '中华人民共和国未成年人保护法', date: '2024-04-26' }], supersededBy: { docId: 'v2024', title: '中华人民共和国未成年人保护法', date: '2024-04-26', from: '2024-04-26' } };
    const r = answerDocFact({ kind: 'validity', earlier: false, demonstrative: false }, [old], '2026-12-06', '');
    expect(r.outcome).toBe('answer');
    expect(r.lines[0]?.text).toBe('《中华人民共和国未成年人保护法》（2020年10月17日文本）已被新版本取代：现行文本为《中华人民共和国未成年人保护法》（2024年4月26日），自2024年4月26日起施行，引用请以新版本为准（按2026年12月6日判断）。');
    expect(r.lines[0]?.source?.fact).toMatchObject({ value: '已被新版本取代' });
  });

  it('says a plan states no status but that the years its title states have ended (the title\'s fact, no status)', () => {
    const body = '一、发展目标\n到2020年，建成数据平台。';
    const plan = doc({ docId: 'p', title: '某市大数据发展规划(2016-2020年)', issuer: '某市人民政府' }, body);
    const r = answerDocFact({ kind: 'validity', earlier: false, demonstrative: false }, [plan], '2026-12-06', '');
    expect(r.outcome).toBe('related');
    expect(r.lines[0]?.text).toBe('《某市大数据发展规划(2016-2020年)》未载明施行日期、有效期或效力状态，无法据此判断其现在是否有效；标题所定期限为2016—2020年，已届满，引用前请核对是否仍在执行。');
    const running = answerDocFact({ kind: 'validity', earlier: false, demonstrative: false }, [plan], '2019-06-01', '');
    expect(running.lines[0]?.text).toBe('《某市大数据发展规划(2016-2020年)》未载明施行日期、有效期或效力状态，无法据此判断其现在是否有效。');
  });

  it('reads 现在用的是哪一版, 修改过几次 and 有几个版本 as questions about the versions of the document', () => {
    expect(docFactQuestion('未成年人保护法现在用的是哪一版？', ['未成年人保护法'])?.kind).toBe('versions');
    expect(docFactQuestion('这个条例修改过几次？')?.kind).toBe('versions');
    expect(docFactQuestion('燃气管理条例最新版是哪年的')?.kind).toBe('versions');
    expect(docFactQuestion('这个补贴有几个版本的申请表？')).toBeUndefined();
  });

  it("answers which version is in force from the library's versions, and the history the text's head states", () => {
    const head = (revision: string): string => `# 中华人民共和国某某法\n\n1991年9月4日 第七届全国人民代表大会常务委员会第二十一次会议通过\n\n${revision}<!-- INFO END -->\n\n## 第一章 总则\n\n第一条 为了规范某某活动，制定本法。\n`;
    const older = head('2020年10月17日 第十三届全国人民代表大会常务委员会第二十二次会议第一次修订\n\n');
    const newer = head('2020年10月17日 第十三届全国人民代表大会常务委员会第二十二次会议第一次修订\n\n2024年4月26日 第十四届全国人民代表大会常务委员会第九次会议第一次修正\n\n');
    const lineage = { versions: [{ docId: 'v2020', title: '中华人民共和国某某法', date: '2020-10-17' }, { docId: 'v2024', title: '中华人民共和国某某法', date: '2024-04-26' }] };
    const a = doc({ docId: 'v2020', title: '中华人民共和国某某法', issuer: '全国人民代表大会常务委员会', dateIssued: '2020-10-17', history: [{ date: '1991-09-04', action: '通过', by: '' }, { date: '2020-10-17', action: '修订', by: '', ordinal: 1 }] }, older);
    a.meta.lineage = { ...lineage, supersededBy: { docId: 'v2024', title: '中华人民共和国某某法', date: '2024-04-26', from: '2024-04-26' } };
    const b = doc({ docId: 'v2024', title: '中华人民共和国某某法', issuer: '全国人民代表大会常务委员会', dateIssued: '2024-04-26', effectiveFrom: '2024-04-26', history: [{ date: '1991-09-04', action: '通过', by: '' }, { date: '2020-10-17', action: '修订', by: '', ordinal: 1 }, { date: '2024-04-26', action: '修正', by: '', ordinal: 1 }] }, newer);
    b.meta.lineage = lineage;
    const ask = { kind: 'versions' as const, earlier: false, demonstrative: false };
    const now = answerDocFact(ask, [b], '2026-12-06', '', (key) => (key === 'v2020' ? a : key === 'v2024' ? b : undefined));
    expect(now.outcome).toBe('answer');
    expect(now.lines.map((l) => l.text)).toEqual([
      '知识库中《中华人民共和国某某法》有2个版本：2020年10月17日文本、2024年4月26日文本。',
      '最新的是2024年4月26日文本，现行有效，自2024年4月26日起施行（按2026年12月6日判断）。',
      '2024年4月26日文本载明：1991年9月4日通过，2020年10月17日第一次修订，2024年4月26日第一次修正。',
    ]);
    const span = now.lines[2]?.source?.span as { start: number; end: number };
    expect(newer.slice(span.start, span.end)).toMatch(/^1991年9月4日[^]*第一次修正$/u);
    // Asked of the older text: the latest named from the library, the older text's own history.
    const then = answerDocFact(ask, [a], '2026-12-06', '', (key) => (key === 'v2024' ? b : undefined));
    expect(then.lines[1]?.text).toBe('最新的是2024年4月26日文本，现行有效，自2024年4月26日起施行（按2026年12月6日判断）。');
    expect(then.lines[2]?.text).toBe('2020年10月17日文本载明：1991年9月4日通过，2020年10月17日第一次修订。');
    // One text only: said so.
    const single = doc({ title: '某市燃气管理办法', dateIssued: '2021-02-01' }, BODY);
    expect(answerDocFact(ask, [single], '2024-01-01', '').lines[0]?.text).toMatch(/^知识库中《某市燃气管理办法》只有一个文本（2021年2月1日文本），现行有效/u);
  });

  it('cites the 文号 line, the signature and the date line of the body', () => {
    const number = answerDocFact({ kind: 'docNumber', earlier: false, demonstrative: false }, [d], '2024-01-01', '');
    expect(number.lines[0]?.text).toBe('《某市燃气管理办法》的文号是某府规〔2021〕7号。');
    expect(number.lines[0]?.source).toMatchObject({ span: { start: 0, end: '某府规〔2021〕7号'.length }, fact: { source: 'text', value: '某府规〔2021〕7号' } });
    const issuer = answerDocFact({ kind: 'issuer', earlier: false, demonstrative: false }, [d], '2024-01-01', '').lines[0]?.source?.span as { start: number; end: number };
    expect(BODY.slice(issuer.start, issuer.end)).toBe('某市人民政府');
    expect(issuer.start).toBe(BODY.lastIndexOf('某市人民政府'));
    // As documents write dates: with spaces, or in Chinese numerals.
    for (const written of ['2021 年 2 月 1 日', '二〇二一年二月一日']) {
      const spaced = doc({ dateIssued: '2021-02-01' }, BODY.replace('2021年2月1日', written));
      const span = answerDocFact({ kind: 'dateIssued', earlier: false, demonstrative: false }, [spaced], '2024-01-01', '').lines[0]?.source?.span;
      expect(spaced.body.slice(span?.start, span?.end)).toBe(written);
    }
    const date = answerDocFact({ kind: 'dateIssued', earlier: false, demonstrative: false }, [d], '2024-01-01', '').lines[0];
    expect(date?.text).toBe('《某市燃气管理办法》于2021年2月1日印发。');
    expect(BODY.slice(date?.source?.span?.start, date?.source?.span?.end)).toBe('2021年2月1日');
  });

  it('says a fact only the metadata gives comes from the metadata', () => {
    const bare = doc({ docNumber: '某府〔2020〕1号' }, '第一条 燃气用户应当安全用气。');
    const r = answerDocFact({ kind: 'docNumber', earlier: false, demonstrative: false }, [bare], '2024-01-01', '');
    expect(r.outcome).toBe('answer');
    expect(r.lines[0]?.source).toEqual({ docId: 'd1', fact: { kind: 'docNumber', value: '某府〔2020〕1号', source: 'metadata', note: expect.stringContaining('元数据') } });
  });

  it('is related, naming what is missing, when the document does not state the fact', () => {
    const bare = doc({}, '第一条 燃气用户应当安全用气。');
    const number = answerDocFact({ kind: 'docNumber', earlier: false, demonstrative: false }, [bare], '2024-01-01', '');
    expect(number).toMatchObject({ outcome: 'related', missing: '《某市燃气管理办法》的文号：知识库中该文件未载明文号' });
    // It still cites the document, so the reader can open it and check.
    expect(number.lines[0]?.source).toEqual({ docId: 'd1', fact: { kind: 'docNumber', value: '未载明', source: 'metadata', note: '文件元数据与正文均未载明' } });
    const validity = answerDocFact({ kind: 'validity', earlier: false, demonstrative: false }, [bare], '2024-01-01', '');
    expect(validity.outcome).toBe('related');
    expect(validity.missing).toMatch(/效力状态/u);
  });

  it('answers the earlier document from the clause that repeals it', () => {
    const r = answerDocFact({ kind: 'validity', earlier: true, demonstrative: true }, [d], '2024-01-01', '这个办法出台后，原来2015年的暂行办法还有效吗');
    expect(r.outcome).toBe('answer');
    expect(r.lines[0]?.text).toBe('《某市燃气管理暂行办法》（某府〔2015〕3号）已废止：《某市燃气管理办法》施行时同时废止该文件。');
    const span = r.lines[0]?.source?.span as { start: number; end: number };
    expect(BODY.slice(span.start, span.end)).toMatch(/同时废止。$/u);
  });

  it('says what a document is made under when it names no document', () => {
    const plan = doc({ title: '某市发展规划' }, '为抢抓机遇,按照党中央、国务院部署要求,制定本规划。一、总体要求');
    const r = answerDocFact({ kind: 'basis', earlier: false, demonstrative: false }, [plan], '2024-01-01', '');
    expect(r.lines[0]?.text).toBe('《某市发展规划》是按照党中央、国务院部署要求制定的，正文没有列出依据的具体文件。');
  });

  it('names the documents a basis sentence cites', () => {
    const r = answerDocFact({ kind: 'basis', earlier: false, demonstrative: false }, [d], '2024-01-01', '');
    expect(r.lines[0]?.text).toBe('《某市燃气管理办法》依据《城镇燃气管理条例》、《某省燃气管理条例》制定。');
  });

  it('names a basis list (编制依据有…) and the 文号 the sentence gives each document', () => {
    const listed = doc({ title: '某市大数据发展规划' }, '本规划的主要编制依据有《甲省大数据发展纲要》(甲府〔2016〕5号)、《某市信息化规划》。一、发展基础');
    const r = answerDocFact({ kind: 'basis', earlier: false, demonstrative: false }, [listed], '2024-01-01', '');
    expect(r.lines[0]?.text).toBe('《某市大数据发展规划》依据《甲省大数据发展纲要》（甲府〔2016〕5号）、《某市信息化规划》制定。');
    // 文号 asked beside the basis is theirs, given in the same line: no line of this document's own 文号.
    const both = answerDocFact({ kind: 'basis', earlier: false, demonstrative: false, also: ['docNumber'] }, [listed], '2024-01-01', '');
    expect(both.lines).toHaveLength(1);
  });

  it('gives a plan’s full title, the years it covers (from its title) and whom its notice is sent to', () => {
    const body = '某省办公厅关于印发某省数据产业三年行动计划(2018-2020 年)的通知\n各市人民政府，省直各部门：\n现将《某省数据产业三年行动计划(2018-2020年)》印发给你们。\n(此件公开发布)\n一、总体要求';
    const plan = doc({ title: '某省数据产业三年行动计划(2018-2020年)', issuer: '某省办公厅' }, body);
    const ask = (kind: 'title' | 'period' | 'addressees') => answerDocFact({ kind, earlier: false, demonstrative: false }, [plan], '2024-01-01', '');
    expect(docFactQuestion('某省那个数据产业文件,全称叫什么?')?.kind).toBe('title');
    expect(docFactQuestion('这个行动计划管的是哪几年?')?.kind).toBe('period');
    expect(docFactQuestion('这个计划的通知下发给了哪些单位?')?.kind).toBe('addressees');
    expect(ask('title').lines[0]?.text).toBe('该文件全称为《某省数据产业三年行动计划(2018-2020年)》。');
    // The title as the body writes it (a space before 年) is the evidence.
    const span = ask('period').lines[0]?.source?.span as { start: number; end: number };
    expect(ask('period').lines[0]?.text).toBe('《某省数据产业三年行动计划(2018-2020年)》的期限是2018年至2020年（见标题）。');
    expect(body.slice(span.start, span.end)).toBe('某省数据产业三年行动计划(2018-2020 年)');
    expect(ask('addressees').lines.map((l) => l.text)).toEqual(['《某省数据产业三年行动计划(2018-2020年)》主送各市人民政府，省直各部门。', '文件注明“此件公开发布”。']);
    // 十三五 is 2016–2020; a title without years says so, related.
    expect(answerDocFact({ kind: 'period', earlier: false, demonstrative: false }, [doc({ title: '某市大数据发展“十三五”规划' }, '一、总体要求')], '2024-01-01', '').lines[0]?.text).toBe('《某市大数据发展“十三五”规划》的期限是2016年至2020年（见标题）。');
    expect(answerDocFact({ kind: 'period', earlier: false, demonstrative: false }, [d], '2024-01-01', '').outcome).toBe('related');
  });

  it('flags a conflict between the source page box and the text', () => {
    const boxed = doc({ effectiveFrom: '2021-03-01', effectiveTo: '2029-12-31', validityBasis: '页面信息框：实施日期 2021-03-01，失效日期 2029-12-31' }, BODY);
    const r = answerDocFact({ kind: 'effectiveTo', earlier: false, demonstrative: false }, [boxed], '2024-01-01', '');
    // The box's date is not what the quoted sentence says: it is cited as metadata, the text's own end beside it.
    expect(r.lines[0]?.text).toBe('《某市燃气管理办法》有效期至2029年12月31日（据文件元数据）。');
    expect(r.lines[0]?.source?.fact).toMatchObject({ source: 'metadata', value: '2029-12-31' });
    expect(r.lines[1]?.text).toBe('注意：正文所载与此不一致，按正文应至2026年2月28日，引用前请核对。');
    expect(r.lines[1]?.source?.fact).toMatchObject({ source: 'text', value: '2026-02-28' });
    const validity = answerDocFact({ kind: 'validity', earlier: false, demonstrative: false }, [boxed], '2026-12-06', '');
    expect(validity.lines[0]?.text).toBe('《某市燃气管理办法》现行有效：自2021年3月1日起施行，有效期至2029年12月31日（按2026年12月6日判断）。');
    expect(validity.lines[0]?.source?.fact.source).toBe('metadata');
    expect(validity.lines[1]?.text).toBe('注意：正文所载与文件元数据不一致，按正文有效期至2026年2月28日，已届满，引用前请核对。');
  });
});

describe('factDocumentIds', () => {
  const ask = { kind: 'validity' as const, earlier: false, demonstrative: true };
  it('takes the document a specific name gives over those a shared name (an issuer, a city) gives', () => {
    expect(factDocumentIds(ask, [{ docId: 'gas', by: '城镇燃气管理条例' }, { docId: 'vet', by: '国务院' }, { docId: 'gas', by: '国务院' }], ['vet', 'gas'])).toEqual(['gas']);
    // Two copies of the law share its name; the state council issued many: the better-ranked copy.
    const named = [{ docId: 'gas1', by: '城镇燃气管理条例' }, { docId: 'gas2', by: '城镇燃气管理条例' }, ...['vet', 'gas1', 'gas2', 'x'].map((docId) => ({ docId, by: '国务院' }))];
    expect(factDocumentIds(ask, named, ['vet', 'gas2', 'gas1'])).toEqual(['gas2']);
  });

  it('takes the documents named, the best-ranked of several one name gives', () => {
    expect(factDocumentIds(ask, [{ docId: 'a', by: '云浮' }], ['b', 'a'])).toEqual(['a']);
    expect(factDocumentIds(ask, [{ docId: 'a', by: '广州' }, { docId: 'c', by: '广州' }], ['b', 'c', 'a'])).toEqual(['c']);
  });
  it('takes the top hit for 这个办法 (a kind, not a name), and nothing when nothing points', () => {
    expect(factDocumentIds(ask, [{ docId: 'a', by: '这个办法' }, { docId: 'c', by: '这个办法' }], ['b', 'c'])).toEqual(['c']);
    expect(factDocumentIds({ ...ask, demonstrative: false }, [], ['b'])).toEqual([]);
  });
});
