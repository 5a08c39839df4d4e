import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDocumentFile } from '../../src/corpus/document.js';
import { pageSpan } from '../../src/corpus/pages.js';
import {
  addYearsInclusive,
  inferValidityFromText,
  isRealDate,
  judgeValidity,
  parseChineseDate,
  validityNote,
  withInferredValidity,
} from '../../src/corpus/validity.js';
import { realDoc } from '../helpers.js';

describe('inferValidityFromText', () => {
  it('reads a commencement date and a trial term of N years', () => {
    expect(inferValidityFromText('第二十四条 本优惠办法自2017年7月1日起实施,试行期三年。')).toEqual({
      effectiveFrom: '2017-07-01',
      effectiveTo: '2020-06-30',
      basis: '本优惠办法自2017年7月1日起实施,试行期三年',
    });
  });

  it('reads dates written in Chinese numerals and terms in months', () => {
    expect(inferValidityFromText('本规定自二〇二一年十月一日起施行，有效期18个月。')).toMatchObject({ effectiveFrom: '2021-10-01', effectiveTo: '2023-03-31' });
  });

  it('takes 自印发之日起 from the issue date and an explicit end date', () => {
    expect(inferValidityFromText('本通知自印发之日起实施，有效期至2025年12月31日。', '2023-01-02')).toMatchObject({ effectiveFrom: '2023-01-02', effectiveTo: '2025-12-31' });
  });

  it('ignores 自…之日起 phrases that name no date', () => {
    expect(inferValidityFromText('自本办法实施之日起，在我市新增固定资产投资的企业……')).toEqual({});
  });

  it('does not take an application window for the term, and ignores terms it cannot read', () => {
    const text = '本办法自2024年1月1日起施行，有效期至2027年12月31日。申报时间为2024年1月1日至2024年3月31日止。';
    expect(inferValidityFromText(text)).toMatchObject({ effectiveFrom: '2024-01-01', effectiveTo: '2027-12-31' });
    expect(inferValidityFromText('本办法自2024年1月1日起施行，试行期半个月。').effectiveTo).toBeUndefined();
    expect(inferValidityFromText('本办法自2024年1月1日起施行，试行期半年。').effectiveTo).toBe('2024-06-30');
    expect(inferValidityFromText('本办法有效期自2021年1月1日至2025年12月31日。')).toMatchObject({ effectiveFrom: '2021-01-01', effectiveTo: '2025-12-31' });
  });

  it('keeps stated dates but names a text that says otherwise in the basis', () => {
    const meta = withInferredValidity({ effectiveFrom: '2021-12-06', effectiveTo: '2029-12-06', validityBasis: '页面信息：实施日期 2021-12-06，失效日期 2029-12-06' }, '第十八条 本实施细则自2021年12月6日起施行，有效期5年。');
    expect(meta).toMatchObject({ effectiveFrom: '2021-12-06', effectiveTo: '2029-12-06' });
    expect(meta.validityBasis).toBe('页面信息：实施日期 2021-12-06，失效日期 2029-12-06；正文另载：本实施细则自2021年12月6日起施行，有效期5年');
    const agreeing = withInferredValidity({ effectiveFrom: '2021-12-06', effectiveTo: '2026-12-05', validityBasis: 'x' }, '本实施细则自2021年12月6日起施行，有效期5年。');
    expect(agreeing.validityBasis).toBe('x');
  });

  it("takes only the document's own term, not a licence's or a certificate's (validity-dev: 22 in force were expired)", () => {
    // 排污许可管理条例, 工业产品生产许可证管理条例, 道路交通安全法实施条例: terms of what the text regulates.
    expect(inferValidityFromText('第五十一条 本条例自2021年3月1日起施行。\n第十四条 排污许可证有效期为5年。').effectiveTo).toBeUndefined();
    expect(inferValidityFromText('本条例自2005年9月1日起施行；生产许可证有效期为5年。').effectiveTo).toBeUndefined();
    expect(inferValidityFromText('机动车驾驶证的有效期为6年。第一百一十五条 本条例自2004年5月1日起施行。').effectiveTo).toBeUndefined();
    expect(inferValidityFromText('本规定自2021年10月1日起施行，申请人的许可证有效期为3年。').effectiveTo).toBeUndefined();
    // The document's own: named as the subject, or continuing the commencement sentence (or the next).
    expect(inferValidityFromText('本办法有效期至2027年12月31日。第二十条 本办法自2024年1月1日起施行。').effectiveTo).toBe('2027-12-31');
    expect(inferValidityFromText('本通知自2024年1月1日起施行。有效期至2026年12月31日。').effectiveTo).toBe('2026-12-31');
    expect(inferValidityFromText('本实施细则自2021年12月6日起施行，有效期5年。').effectiveTo).toBe('2026-12-05');
  });

  it('never infers an end before the start', () => {
    expect(inferValidityFromText('本办法自2025年1月1日起施行，有效期至2020年12月31日。')).toEqual({ effectiveFrom: '2025-01-01', basis: expect.any(String) });
  });

  it('lets the last commencement clause win over earlier dates in the text', () => {
    const text = '2015年1月1日起实施的旧办法同时废止。……第三十条 本办法自2016年3月1日起施行。';
    expect(inferValidityFromText(text).effectiveFrom).toBe('2016-03-01');
  });
});

describe('judgeValidity', () => {
  const yunfu = { effectiveFrom: '2017-07-01', effectiveTo: '2020-06-30', validityBasis: '正文：本优惠办法自2017年7月1日起实施,试行期三年' };

  it('judges by dates against the given day', () => {
    expect(judgeValidity(yunfu, '2019-01-01').status).toBe('in_force');
    expect(judgeValidity(yunfu, '2020-06-30').status).toBe('in_force');
    expect(judgeValidity(yunfu, '2020-07-01').status).toBe('expired');
    expect(judgeValidity(yunfu, '2017-06-30').status).toBe('not_yet');
  });

  it('lets a stated repeal, amendment or draft stand whatever the dates say', () => {
    expect(judgeValidity({ ...yunfu, status: '已废止' }, '2019-01-01').status).toBe('repealed');
    expect(judgeValidity({ status: '已修订' }, '2019-01-01').status).toBe('repealed');
    expect(judgeValidity({ supersededBy: '新办法' }, '2019-01-01')).toMatchObject({ status: 'repealed', basis: '已被《新办法》取代' });
    expect(judgeValidity({ status: '征求意见稿' }, '2019-01-01').status).toBe('draft');
  });

  it('is unknown when nothing is stated or inferable', () => {
    expect(judgeValidity({}, '2026-01-01')).toEqual({ status: 'unknown', basis: '文件未载明施行日期或效力状态', evidence: 'none' });
  });

  it('says a plan whose title states its period has ended, without inventing a legal status', () => {
    expect(judgeValidity({ title: '东莞市大数据发展规划(2016-2020年)' }, '2026-12-06')).toEqual({ status: 'unknown', basis: '规划期2016—2020年，已届满；文件未载明施行日期或效力状态', evidence: 'none', period: { from: 2016, to: 2020, ended: true } });
    expect(judgeValidity({ title: '深圳市促进大数据发展行动计划（2016—2018年）' }, '2017-01-01').period).toEqual({ from: 2016, to: 2018, ended: false });
    expect(judgeValidity({ title: '清远市大数据发展“十三五”规划' }, '2026-12-06').period).toEqual({ from: 2016, to: 2020, ended: true });
    expect(judgeValidity({ title: '某市2016年工作要点' }, '2026-12-06').period).toBeUndefined();
  });

  it('flags a page box that the text contradicts (有效期5年 against 失效日期 2029), and keeps the stated dates', () => {
    const meta = withInferredValidity({ effectiveFrom: '2021-12-06', effectiveTo: '2029-12-06', validityBasis: '页面信息：实施日期 2021-12-06，失效日期 2029-12-06' }, '第十八条 本实施细则自2021年12月6日起施行，有效期5年。');
    const v = judgeValidity(meta, '2026-12-06');
    expect(v.status).toBe('in_force');
    expect(v.conflict).toBe('页面信息所载失效日期2029年12月6日，正文为2026年12月5日（正文：本实施细则自2021年12月6日起施行，有效期5年）');
  });

  it('follows the library: a later version supersedes, a repeal repeals, each from the day it took effect', () => {
    const lineage = { versions: [], supersededBy: { docId: 'new', title: '某条例', date: '2023-12-11', from: '2024-01-20' } };
    expect(judgeValidity({ effectiveFrom: '2010-01-09', lineage }, '2023-12-31').status).toBe('in_force');
    expect(judgeValidity({ effectiveFrom: '2010-01-09', lineage }, '2024-01-20')).toMatchObject({ status: 'superseded', supersededBy: 'new', evidence: 'version', basis: '已被新版本取代：《某条例》（2023年12月11日）；施行日期：2010年1月9日' });
    const repealedBy = { docId: 'r', title: '某市乙办法', clause: '第三十条', sentence: '《某市甲办法》同时废止。', from: '2020-01-01' };
    expect(judgeValidity({ lineage: { versions: [], repealedBy } }, '2021-01-01')).toMatchObject({ status: 'repealed', repealedBy: 'r', evidence: 'repeal', basis: '已被《某市乙办法》第三十条废止：“《某市甲办法》同时废止。”；文件未载明施行日期或效力状态' });
    // What a person stated stands; the library's evidence is said as a conflict.
    expect(judgeValidity({ status: '现行有效', lineage }, '2025-01-01')).toMatchObject({ status: 'in_force', conflict: '知识库中另有新版本《某条例》' });
    // Where the library knows nothing against it, the text's own dates decide, and the basis says so.
    expect(judgeValidity({ effectiveFrom: '2010-01-09', lineage: { versions: [] } }, '2025-01-01')).toMatchObject({ status: 'in_force', basis: '施行日期：2010年1月9日；知识库中未见废止或新版本' });
  });

  it('judges the real 云浮 document expired from its own last article', async () => {
    const doc = await realDoc('yunfu');
    const v = judgeValidity(doc.meta, '2026-11-29');
    expect(v).toMatchObject({ status: 'expired', effectiveFrom: '2017-07-01', effectiveTo: '2020-06-30' });
    expect(validityNote(v, doc.meta.title)).toBe('注意：该办法自2017年7月1日起实施,试行期三年，已于2020年6月30日届满');
  });

  it('gives no note for a document in force or of unknown validity', () => {
    expect(validityNote({ status: 'in_force', basis: 'x' })).toBeUndefined();
    expect(validityNote({ status: 'unknown', basis: 'x' })).toBeUndefined();
    // A plan's period its title states, once ended, is said: not a legal status, a fact of the title.
    const plan = judgeValidity({ title: '深圳市促进大数据发展行动计划(2016—2018年)' }, '2026-12-07');
    expect(validityNote(plan, '深圳市促进大数据发展行动计划(2016—2018年)')).toBe('注意：该计划所定期限为2016—2018年，已届满；文件未载明效力状态，引用前请核对是否仍在执行');
    expect(validityNote(judgeValidity({ title: '深圳市促进大数据发展行动计划(2016—2018年)' }, '2017-06-01'), '深圳市促进大数据发展行动计划(2016—2018年)')).toBeUndefined();
  });
});

describe('dates', () => {
  it('refuses impossible calendar dates', () => {
    expect(isRealDate('2016-13-45')).toBe(false);
    expect(isRealDate('2023-02-29')).toBe(false);
    expect(isRealDate('2024-02-29')).toBe(true);
    expect(parseChineseDate('2023年2月30日')).toBeUndefined();
  });

  it('clamps a term in months to the end of a shorter month', () => {
    expect(addYearsInclusive('2017-01-31', 0, 1)).toBe('2017-02-27');
    expect(addYearsInclusive('2024-01-31', 0, 1)).toBe('2024-02-28');
  });

  it('ends a term of N years the day before its anniversary', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1950-01-01'), max: new Date('2090-12-31'), noInvalidDate: true }), fc.integer({ min: 1, max: 10 }), (d, n) => {
        const from = d.toISOString().slice(0, 10);
        const to = addYearsInclusive(from, n);
        const next = new Date(`${to}T00:00:00Z`);
        next.setUTCDate(next.getUTCDate() + 1);
        const anniversary = next.toISOString().slice(0, 10);
        // The day after the term is the anniversary (29 Feb rolls over to 1 Mar in common years).
        expect(isRealDate(to)).toBe(true);
        expect(Number(anniversary.slice(0, 4))).toBe(Number(from.slice(0, 4)) + n);
        if (!from.endsWith('-02-29')) expect(anniversary.slice(5)).toBe(from.slice(5));
      }),
    );
  });
});

describe('front matter validity fields', () => {
  const file = (fm: string) => new TextEncoder().encode(`---\ndocId: x\n${fm}\n---\n正文。`);

  it('refuses an unknown status word, naming the accepted ones', () => {
    expect(() => parseDocumentFile('x.md', file('status: 大概有效'))).toThrow(/x\.md: invalid front matter: status: status must be one of 现行有效/u);
  });

  it('refuses effectiveFrom after effectiveTo and impossible dates', () => {
    expect(() => parseDocumentFile('x.md', file('effectiveFrom: 2020-01-02\neffectiveTo: 2020-01-01'))).toThrow(/effectiveTo: effectiveFrom must not be after effectiveTo/u);
    expect(() => parseDocumentFile('x.md', file("dateIssued: '2016-13-45'"))).toThrow(/dateIssued is not a real calendar date/u);
  });

  it('refuses pages outside the body and originals outside the corpus folder', () => {
    expect(() => parseDocumentFile('x.md', file('pages:\n  - [1, 0, 999]'))).toThrow(/pages: page 1 range \[0, 999\) is outside the body/u);
    expect(() => parseDocumentFile('x.md', file('original: ../../etc/passwd'))).toThrow(/original must be a path inside the corpus folder/u);
  });
});

describe('pageSpan', () => {
  const pages = [
    { page: 1, start: 0, end: 10 },
    { page: 2, start: 10, end: 20, ocr: true },
    { page: 3, start: 20, end: 30 },
  ];

  it('names the page where a span starts and where it ends when that differs', () => {
    expect(pageSpan(pages, 3, 8)).toEqual({ page: 1 });
    expect(pageSpan(pages, 8, 12)).toEqual({ page: 1, pageEnd: 2, ocr: true });
    expect(pageSpan(pages, 10, 20)).toEqual({ page: 2, ocr: true });
    expect(pageSpan(pages, 25, 30)).toEqual({ page: 3 });
    expect(pageSpan(undefined, 0, 5)).toBeUndefined();
  });
});
