import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { distinctDocId, docIdFromFileName, DOC_ID_RE, parseDocumentFile, serializeDocument } from '../../src/corpus/document.js';
import { loadCorpus } from '../../src/pipeline/library/corpus.js';
import { KbError } from '../../src/shared/errors.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function problem(name: string, bytes: Uint8Array): string {
  try {
    parseDocumentFile(name, bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(KbError);
    expect((error as KbError).code).toBe('corpus_file_invalid');
    return (error as Error).message;
  }
  throw new Error('expected a corpus_file_invalid error');
}

describe('parseDocumentFile', () => {
  it('reads front matter and keeps the body verbatim', () => {
    const text = serializeDocument({ docId: 'x1', title: '某办法', issuer: '某市人民政府', dateIssued: '2017-07-08' }, '第一条 甲。\n第二条 乙。');
    const doc = parseDocumentFile('x1.md', utf8(text));
    expect(doc.meta).toEqual({ docId: 'x1', title: '某办法', issuer: '某市人民政府', dateIssued: '2017-07-08' });
    expect(doc.body).toBe('第一条 甲。\n第二条 乙。');
  });

  it('derives docId and title for a plain text file', () => {
    const doc = parseDocumentFile('my-rules.txt', utf8('某某管理办法\n第一条 甲。'));
    expect(doc.meta.docId).toBe('my-rules');
    expect(doc.meta.title).toBe('某某管理办法');
  });

  it('names the file and the problem for invalid front matter', () => {
    expect(problem('bad.md', utf8('---\ndocId: "has space"\ntitle: t\n---\n正文。'))).toBe('bad.md: invalid front matter: docId: docId must be 1–64 letters, digits, Chinese characters, "-" or "_"');
    // Never a document titled "---": front matter that is never closed is refused, naming the file.
    expect(problem('open.md', utf8('---\ntitle: 某办法\n第一条 甲。'))).toBe('open.md: front matter opened by "---" on the first line is never closed; add a line "---" after the metadata, or remove the first line');
    expect(problem('bad.md', utf8('---\ntitle: [unclosed\n---\n正文。'))).toMatch(/^bad\.md: front matter is not valid YAML/);
    expect(problem('bad.md', utf8('---\nfoo: 1\n---\n正文。'))).toMatch(/^bad\.md: invalid front matter: .*Unrecognized key/);
  });

  it('rejects an empty body, non-UTF-8 and binary files', () => {
    expect(problem('empty.md', utf8('---\ntitle: t\n---\n   \n'))).toBe('empty.md: the document body is empty');
    expect(problem('gbk.txt', new Uint8Array([0xd6, 0xd0, 0xce, 0xc4, 0xff]))).toBe('gbk.txt: not valid UTF-8 text; save it as UTF-8');
    expect(problem('img.md', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]))).toMatch(/^img\.md: looks like a binary file/);
  });
});

describe('loadCorpus', () => {
  it('reports bad files and still loads the others', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kb-corpus-'));
    await writeFile(path.join(dir, 'good.md'), serializeDocument({ docId: 'good', title: '好', issuer: '' }, '第一条 甲。'));
    await writeFile(path.join(dir, 'also.txt'), '另一份文件\n一、总则。');
    await writeFile(path.join(dir, 'empty.md'), '');
    await writeFile(path.join(dir, 'binary.txt'), Buffer.from([0, 1, 2, 3]));
    await writeFile(path.join(dir, 'dup.md'), serializeDocument({ docId: 'good', title: '重复', issuer: '' }, '正文。'));
    await writeFile(path.join(dir, 'notes.json'), '{}');
    const { documents, errors } = await loadCorpus(dir);
    expect(documents.map((d) => d.meta.docId).sort()).toEqual(['also', 'good']);
    expect(errors.map((e) => e.message).sort()).toEqual([
      'binary.txt: looks like a binary file (NUL bytes found); only UTF-8 .md/.txt text is ingested',
      'empty.md: the document body is empty',
      'good.md: docId "good" is already used by dup.md; give one of them another docId',
    ]);
  });
});

describe('docIdFromFileName', () => {
  it('gives a Chinese file name an id a person can read and type, and keeps Latin ids as they were', () => {
    expect(docIdFromFileName('专利法实施细则(2023-12-11).md')).toBe('专利法实施细则-2023-12-11');
    expect(docIdFromFileName('粤府〔2023〕5号.pdf')).toBe('粤府-2023-5号');
    expect(docIdFromFileName('燃气条例扫描件.pdf')).toBe('燃气条例扫描件');
    expect(docIdFromFileName('ＡＩ规划（２０１７）.docx')).toBe('AI规划-2017');
    expect(docIdFromFileName('yunfu.md')).toBe('yunfu');
    expect(docIdFromFileName('my rules.txt')).toMatch(/^my-rules-[0-9a-f]{8}$/u);
  });

  it('never gives a bidi control, a space or a shell character, and stays within 64 characters', () => {
    for (const name of ['\u202E甲乙.pdf', '甲 乙;rm -rf.md', `${'关于印发某市促进大数据产业高质量发展若干政策措施实施细则的通知'.repeat(4)}.txt`, '`甲`$(乙).md']) {
      const id = docIdFromFileName(name);
      expect(DOC_ID_RE.test(id), `${name} → ${id}`).toBe(true);
      expect([...id].length).toBeLessThanOrEqual(64);
    }
  });

  it('is stable, and tells apart two names that read alike', () => {
    const a = '最高人民法院  最高人民检察院关于某问题的解释.md';
    const b = '最高人民法院、最高人民检察院关于某问题的解释.md';
    expect(docIdFromFileName(a)).toBe(docIdFromFileName(b));
    expect(distinctDocId(b)).not.toBe(distinctDocId(a));
    expect(distinctDocId(b)).toBe(distinctDocId(b));
    expect(DOC_ID_RE.test(distinctDocId(b))).toBe(true);
  });

  it('gives both files of a corpus folder ids of their own when their names read alike', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kb-ids-'));
    await writeFile(path.join(dir, '甲、乙关于某问题的解释.md'), '第一条 甲。');
    await writeFile(path.join(dir, '甲 乙关于某问题的解释.md'), '第一条 乙。');
    const { documents, errors } = await loadCorpus(dir);
    expect(errors).toEqual([]);
    expect(documents.map((d) => d.meta.docId).sort()).toEqual(['甲-乙关于某问题的解释', distinctDocId('甲、乙关于某问题的解释.md')].sort());
  });
});
