import { describe, expect, it } from 'vitest';
import type { IndexedDocument } from '../../src/storage/file/knowledge-index.js';
import { buildAliasTable, documentAliases, narrowByTitle, understandQuery } from '../../src/retrieval/query.js';
import { analyze } from '../../src/lexical/analyzer.js';

const titles = new Map([
  ['docx-02', new Set(analyze('内蒙古自治区噪声污染防治条例'))],
  ['doc-02', new Set(analyze('内蒙古自治区反家庭暴力条例'))],
  ['pdf-01', new Set(analyze('城镇燃气管理条例'))],
  ['ai-plan', new Set(analyze('新一代人工智能发展规划'))],
]);

describe('narrowByTitle', () => {
  it('keeps, of the documents one name stands for, those whose titles share the most of the other words', () => {
    const named = [{ docId: 'ai-plan', by: '国务院' }, { docId: 'pdf-01', by: '国务院' }];
    expect(narrowByTitle(named, analyze('没拿到许可就做燃气生意，依照这部燃气条例会被罚多少'), titles)).toEqual([{ docId: 'pdf-01', by: '国务院' }]);
    const mongolia = [{ docId: 'doc-02', by: '内蒙古' }, { docId: 'docx-02', by: '内蒙古' }];
    expect(narrowByTitle(mongolia, analyze('已交付的住宅楼里装修，哪些时段不允许做有噪声的活'), titles)).toEqual([{ docId: 'docx-02', by: '内蒙古' }]);
  });

  it('keeps them all when the titles do not tell them apart (no shared word, or a tie)', () => {
    const mongolia = [{ docId: 'doc-02', by: '内蒙古' }, { docId: 'docx-02', by: '内蒙古' }];
    expect(narrowByTitle(mongolia, analyze('在广场跳广场舞晚上有什么时间限制'), titles)).toEqual(mongolia);
    expect(narrowByTitle(mongolia, analyze('这部条例怎么规定的'), titles)).toEqual(mongolia);
  });

  it('never drops a document named by a word of its own', () => {
    const named = [{ docId: 'pdf-01', by: '燃气' }, { docId: 'ai-plan', by: '人工智能' }];
    expect(narrowByTitle(named, analyze('燃气和人工智能'), titles)).toEqual(named);
  });
});

/** Just what the alias table reads of a document: its id, title and issuer. */
const doc = (docId: string, title: string, issuer: string): IndexedDocument => ({ meta: { docId, title, issuer }, body: '', contentHash: '', source: '', tree: { kind: 'root', children: [] } }) as unknown as IndexedDocument;
const library = buildAliasTable([
  doc('ofd-02', '关于同意张阿三同志辞职的批复', '测试符路桥区卫生局办公室'),
  doc('pdf-01', '城镇燃气管理条例', '国务院'),
  doc('docx-02', '内蒙古自治区噪声污染防治条例', '内蒙古自治区人民代表大会常务委员会'),
]);

describe('understandQuery', () => {
  it('takes 这份批复 to name the one document of that kind when the question names none', () => {
    expect(understandQuery('这份批复由哪个机构、在哪一天印发？', library).namedDocs).toEqual([{ docId: 'ofd-02', by: '这份批复' }]);
  });

  it('narrows 这部条例 by the question’s other words, and leaves a named document alone', () => {
    expect(understandQuery('这部条例对噪声有什么规定？', library).namedDocs.map((d) => d.docId)).toEqual(['docx-02']);
    expect(understandQuery('国务院这份批复', library).namedDocs).toEqual([{ docId: 'pdf-01', by: '国务院' }]);
  });

  it('does not call a place written in a title or issuer (路桥区卫生局) unknown', () => {
    expect(understandQuery('路桥区卫生局这份批复的发文字号是多少？', library).unknownPlaces).toEqual([]);
    expect(understandQuery('贵州大数据试验区怎么建设', library).unknownPlaces).toEqual(['贵州']);
  });

  it("reads a place inside another place's name (苏州 of 苏州河) as not written there, a division's full name as written", () => {
    const river = buildAliasTable([doc('river', '上海市黄浦江苏州河滨水公共空间条例', '上海市人民代表大会常务委员会'), doc('sz', '深圳经济特区养犬条例', '深圳市人民代表大会常务委员会'), doc('js', '关于加强河道管理的决定', '江苏省苏州市人民代表大会常务委员会')]);
    expect(understandQuery('苏州养狗一户能养几条？', buildAliasTable([doc('river', '上海市黄浦江苏州河滨水公共空间条例', '上海市人民代表大会常务委员会')])).unknownPlaces).toEqual(['苏州']);
    expect(understandQuery('苏州养狗一户能养几条？', river).unknownPlaces).toEqual([]);
    expect(understandQuery('黄浦区的河道怎么管？', river).unknownPlaces).toEqual(['黄浦区']);
    expect(understandQuery('深圳养狗要登记吗？', river).unknownPlaces).toEqual([]);
  });
});

describe('national laws and their versions', () => {
  const law = (docId: string, title: string, dateIssued: string): IndexedDocument => ({ meta: { docId, title, issuer: '全国人民代表大会常务委员会', dateIssued }, body: '', contentHash: '', source: '', tree: { kind: 'root', children: [] } }) as unknown as IndexedDocument;
  const table = buildAliasTable([law('v2020', '中华人民共和国未成年人保护法', '2020-10-17'), law('v2024', '中华人民共和国未成年人保护法', '2024-04-26'), law('road', '中华人民共和国道路交通安全法', '2021-04-29')]);
  const ids = (q: string): string[] => understandQuery(q, table).namedDocs.map((d) => d.docId).sort();

  it('names a national law by its title without 中华人民共和国, as laws are cited', () => {
    expect(ids('未成年人保护法还有效吗？')).toEqual(['v2020', 'v2024']);
    expect(ids('道路交通安全法对醉驾怎么规定？')).toEqual(['road']);
  });

  it('names the version of the year the question writes, and every version for a year none carries', () => {
    expect(ids('2020年的未成年人保护法还有效吗？')).toEqual(['v2020']);
    expect(ids('未成年人保护法2024版第五十九条怎么写的？')).toEqual(['v2024']);
    expect(ids('未成年人保护法到2030年有什么目标？')).toEqual(['v2020', 'v2024']);
  });
});

describe('a short name the segmenter cut across', () => {
  const cities = buildAliasTable([doc('yf', '云浮市促进云计算大数据产业发展优惠办法(试行)', '云浮市人民政府'), doc('plan', '新一代人工智能发展规划', '国家')]);
  it('names the document when a word crosses one edge of the name (云浮云计算 → 云/浮云/计算)', () => {
    expect(understandQuery('云浮云计算大数据优惠办法是依据哪些文件定的', cities).namedDocs.map((d) => d.docId)).toContain('yf');
  });
  it('does not when a word holds the name whole (国家级)', () => {
    expect(understandQuery('国家级企业技术中心奖励多少', cities).namedDocs.map((d) => d.docId)).not.toContain('plan');
  });
});

describe('places a title starts with', () => {
  it('reads 重庆市 of 重庆市体育市场管理条例 as its place, not 体育市 (市场 is one word)', () => {
    const aliases = documentAliases(doc('cq', '重庆市体育市场管理条例', '重庆市人民代表大会常务委员会'));
    expect(aliases).toContain('重庆');
    expect(aliases).not.toContain('体育');
    expect(documentAliases(doc('yf', '广东省云浮市促进云计算大数据产业发展优惠办法', '云浮市人民政府'))).toEqual(expect.arrayContaining(['广东', '云浮']));
  });
});
