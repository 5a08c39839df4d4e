/**
 * Words that are also names of Object.prototype members (constructor, toString, __proto__…) are
 * ordinary text: in queries, in documents, through ingest and search.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../server/cli/main.js';
import { parseDocumentFile } from '../../src/corpus/document.js';
import { resolveProfile } from '../../src/embeddings/profiles.js';
import { analyze } from '../../src/lexical/analyzer.js';
import { parseNumeral } from '../../src/shared/numerals.js';
import { captureIo, corpusWith, type OpenedSnapshot } from '../helpers.js';

export const PROTOTYPE_WORDS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', 'prototype'];

/** A word as people type it: any case, half- or full-width (ｃｏｎｓｔｒｕｃｔｏｒ). */
const spelled = fc.tuple(fc.constantFrom(...PROTOTYPE_WORDS), fc.constantFrom('as-is', 'upper', 'capital', 'fullwidth')).map(([w, form]) => {
  if (form === 'upper') return w.toUpperCase();
  if (form === 'capital') return w.charAt(0).toUpperCase() + w.slice(1);
  if (form === 'fullwidth') return [...w].map((c) => (c >= '!' && c <= '~' ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join('');
  return w;
});
const around = fc.constantFrom('', ' ', '的', '云浮数据中心', '第十条', '。', 'AI');

let opened: OpenedSnapshot;
beforeAll(async () => {
  opened = await corpusWith({ 'proto-words.md': '---\ndocId: proto-words\ntitle: 原型词测试文件\nissuer: 测试机关\n---\n第一条 数据接口的 constructor 字段、toString 方法、__proto__ 属性、hasOwnProperty 检查和 valueOf 转换，均按原样记录。\n第二条 ＣＯＮＳＴＲＵＣＴＯＲ 与 Constructor 视同一词。\n' });
}, 120_000);

describe('prototype-member words', () => {
  it('analyze returns only string terms for any spelling, alone or inside Chinese text', () => {
    fc.assert(
      fc.property(around, spelled, around, (a, w, b) => {
        const terms = analyze(`${a}${w}${b}`);
        for (const t of terms) expect(typeof t).toBe('string');
        expect(terms.join(' ')).not.toMatch(/function|native code/u);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps "constructor" as a term in every case and width', () => {
    expect(analyze('Constructor')).toEqual(['constructor']);
    expect(analyze('ｃｏｎｓｔｒｕｃｔｏｒ')).toEqual(['constructor']);
  });

  it('ingests a document containing them, and search and ask answer queries made of them', async () => {
    expect(opened.kb.documents.has('proto-words')).toBe(true);
    const hit = await opened.service.search('constructor 字段', { k: 3 });
    expect(hit.results[0]?.docId).toBe('proto-words');
    await fc.assert(
      fc.asyncProperty(around, spelled, async (a, w) => {
        const response = await opened.service.search(`${a}${w}`, { k: 3 });
        expect(Array.isArray(response.results)).toBe(true);
        const { answer } = await opened.service.ask(`${w}是什么`);
        expect(typeof answer.answer).toBe('string');
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});

describe('other lookups keyed by text', () => {
  it('the CLI calls `kb constructor` an unknown command (exit 2)', async () => {
    const io = captureIo();
    expect(await runCli(['constructor'], io)).toBe(2);
    expect(io.err()).toMatch(/^error: unknown command "constructor"; commands: model, /u);
  });

  it('EMBEDDING_MODEL=constructor is a hub id, not Object', () => {
    expect(resolveProfile('constructor')).toMatchObject({ id: 'constructor', pooling: 'mean', builtLocally: false });
    expect(resolveProfile('toString').id).toBe('toString');
  });

  it('parseNumeral reads no prototype member as a digit', () => {
    for (const w of PROTOTYPE_WORDS) expect(parseNumeral(w)).toBeUndefined();
  });

  it('a __proto__ key in front matter is reported as an unknown field, not swallowed', () => {
    expect(() => parseDocumentFile('evil.md', new TextEncoder().encode('---\n__proto__:\n  docId: other\ntitle: 标题\n---\n正文。\n'))).toThrow(/evil\.md: invalid front matter: .*__proto__/u);
  });
});
