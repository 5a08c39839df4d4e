/**
 * DOCX (OOXML) read directly with fflate + fast-xml-parser: paragraphs and tables in order, Word's automatic
 * numbering rendered as Word shows it (numbering.xml: 第一条, 一、, （一）), an article number that stands in
 * its own paragraph joined to its text, BOM/zero-width characters dropped, padded runs collapsed.
 */
import { strFromU8 } from 'fflate';
import { documentUnreadable } from '../errors.js';
import { guessHintsFromText } from '../hints.js';
import { formatListNumber } from '../numbering.js';
import { tidyLine, visibleLength } from '../text-normalize.js';
import type { ExtractContext, ExtractResult, FormatExtractor, MetadataHints } from '../types.js';
import { attr, child, childrenOf, descendants, localName, parseXml, tagOf, textOf, type XmlNode } from '../xml.js';
import { isZip, unzipLimited, zipHasEntry } from '../zip.js';

interface Level {
  start: number;
  numFmt: string;
  lvlText: string;
  suff: string;
}

interface Numbering {
  abstract: Map<string, Map<number, Level>>;
  nums: Map<string, { abstractId: string; starts: Map<number, number> }>;
}

const val = (node: XmlNode | undefined, name = 'w:val'): string | undefined => (node ? attr(node, name) : undefined);

function readNumbering(xml: string | undefined): Numbering {
  const numbering: Numbering = { abstract: new Map(), nums: new Map() };
  if (!xml) return numbering;
  const rootNode = parseXml(xml).find((n) => localName(tagOf(n)) === 'numbering');
  if (!rootNode) return numbering;
  for (const node of childrenOf(rootNode)) {
    const tag = tagOf(node);
    if (tag === 'w:abstractNum') {
      const levels = new Map<number, Level>();
      for (const lvl of childrenOf(node).filter((c) => tagOf(c) === 'w:lvl')) {
        levels.set(Number(attr(lvl, 'w:ilvl') ?? 0), {
          start: Number(val(child(lvl, 'start')) ?? 1),
          numFmt: val(child(lvl, 'numFmt')) ?? 'decimal',
          lvlText: val(child(lvl, 'lvlText')) ?? '',
          suff: val(child(lvl, 'suff')) ?? 'tab',
        });
      }
      numbering.abstract.set(attr(node, 'w:abstractNumId') ?? '', levels);
    } else if (tag === 'w:num') {
      const starts = new Map<number, number>();
      for (const o of childrenOf(node).filter((c) => tagOf(c) === 'w:lvlOverride')) {
        const s = val(child(o, 'startOverride'));
        if (s !== undefined) starts.set(Number(attr(o, 'w:ilvl') ?? 0), Number(s));
      }
      numbering.nums.set(attr(node, 'w:numId') ?? '', { abstractId: val(child(node, 'abstractNumId')) ?? '', starts });
    }
  }
  return numbering;
}

/** Paragraph styles that carry numbering (numPr in the style or a style it is based on). */
function readStyleNumbering(xml: string | undefined): Map<string, { numId: string; ilvl: number }> {
  const out = new Map<string, { numId: string; ilvl: number }>();
  if (!xml) return out;
  const styles = descendants(parseXml(xml), 'style');
  const byId = new Map(styles.map((s) => [attr(s, 'w:styleId') ?? '', s]));
  const resolve = (id: string, depth: number): { numId: string; ilvl: number } | undefined => {
    const style = byId.get(id);
    if (!style || depth > 10) return undefined;
    const numPr = child(child(style, 'pPr') ?? {}, 'numPr');
    const numId = val(child(numPr ?? {}, 'numId'));
    if (numId !== undefined) return { numId, ilvl: Number(val(child(numPr ?? {}, 'ilvl')) ?? 0) };
    const based = val(child(style, 'basedOn'));
    return based ? resolve(based, depth + 1) : undefined;
  };
  for (const id of byId.keys()) {
    const r = resolve(id, 0);
    if (r) out.set(id, r);
  }
  return out;
}

/** Renders list numbers in document order, keeping Word's counters per list. */
function createNumberer(numbering: Numbering): (numId: string, ilvl: number) => string {
  const counters = new Map<string, number[]>();
  const seenNums = new Set<string>();
  return (numId, ilvl) => {
    const num = numbering.nums.get(numId);
    const levels = num && numbering.abstract.get(num.abstractId);
    const level = levels?.get(ilvl);
    if (!num || !levels || !level || numId === '0') return '';
    const key = num.abstractId;
    const counts = counters.get(key) ?? [];
    if (!seenNums.has(numId)) {
      seenNums.add(numId);
      for (const [l, s] of num.starts) counts[l] = s - 1;
    }
    counts[ilvl] = (counts[ilvl] ?? (level.start - 1)) + 1;
    // A higher level restarts the levels below it.
    for (let l = ilvl + 1; l < 9; l += 1) counts[l] = undefined as unknown as number;
    counters.set(key, counts);
    if (level.numFmt === 'bullet') return '';
    const text = level.lvlText.replace(/%([1-9])/gu, (_m, d: string) => {
      const l = Number(d) - 1;
      const lv = levels.get(l);
      const n = counts[l] ?? lv?.start ?? 1;
      return formatListNumber(n, lv?.numFmt ?? 'decimal');
    });
    if (text.length === 0) return '';
    return level.suff === 'nothing' ? text : `${text} `;
  };
}

const SKIP = new Set(['w:del', 'w:delText', 'w:instrText', 'w:pPr', 'w:rPr', 'w:drawing', 'w:pict', 'w:object', 'mc:Fallback', 'w:fldChar', 'w:commentReference', 'w:footnoteReference', 'w:endnoteReference']);

/** Text of a paragraph's runs (hyperlinks, insertions, content controls included; deletions and field codes not). */
function runText(nodes: XmlNode[]): string {
  let out = '';
  for (const n of nodes) {
    const tag = tagOf(n);
    if (tag === '#text' || SKIP.has(tag)) continue;
    if (tag === 'w:t') out += textOf(n);
    else if (tag === 'w:tab' || tag === 'w:ptab') out += '\t';
    else if (tag === 'w:br' || tag === 'w:cr') out += '\n';
    else if (tag === 'w:noBreakHyphen') out += '-';
    else out += runText(childrenOf(n));
  }
  return out;
}

const ARTICLE_ALONE_RE = /^第[零〇一二两三四五六七八九十百千0-9]{1,6}条$/u;
const HEADING_RE = /^(?:第[零〇一二两三四五六七八九十百千0-9]{1,6}[编章节条]|附件)/u;

/** "第一条" alone in a paragraph followed by its text: one paragraph "第一条 text". */
export function joinLoneArticleNumbers(paragraphs: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < paragraphs.length; i += 1) {
    const p = paragraphs[i] as string;
    const next = paragraphs[i + 1];
    if (ARTICLE_ALONE_RE.test(p) && next !== undefined && !HEADING_RE.test(next)) {
      out.push(`${p} ${next}`);
      i += 1;
    } else out.push(p);
  }
  return out;
}

function readCoreTitle(xml: string | undefined): string | undefined {
  if (!xml) return undefined;
  const title = descendants(parseXml(xml), 'title')[0];
  const t = title ? textOf(title).trim() : '';
  return t.length > 0 ? t : undefined;
}

async function extractDocx(bytes: Uint8Array, _format: string, ctx: ExtractContext): Promise<ExtractResult> {
  const files = unzipLimited(bytes, ctx.fileName, ctx.maxDecompressedBytes, (name) => /^(word\/(document|numbering|styles)\.xml|docProps\/core\.xml)$/u.test(name));
  const read = (name: string): string | undefined => (files[name] ? strFromU8(files[name]) : undefined);
  const documentXml = read('word/document.xml');
  if (!documentXml) throw documentUnreadable(ctx.fileName, 'the DOCX has no word/document.xml', 'open it in Word or WPS and save it again as .docx');
  let tree: XmlNode[];
  try {
    tree = parseXml(documentXml);
  } catch (error) {
    throw documentUnreadable(ctx.fileName, 'word/document.xml is not well-formed XML', 'open it in Word or WPS and save it again as .docx', error);
  }
  const body = descendants(tree, 'body')[0];
  if (!body) throw documentUnreadable(ctx.fileName, 'word/document.xml has no document body', 'open it in Word or WPS and save it again as .docx');
  const numberOf = createNumberer(readNumbering(read('word/numbering.xml')));
  const styleNumbering = readStyleNumbering(read('word/styles.xml'));

  const paragraphText = (p: XmlNode): string => {
    const pPr = child(p, 'pPr');
    const numPr = pPr ? child(pPr, 'numPr') : undefined;
    let label = '';
    const styled = styleNumbering.get(val(child(pPr ?? {}, 'pStyle')) ?? '');
    const numId = val(child(numPr ?? {}, 'numId')) ?? styled?.numId;
    if (numId !== undefined) label = numberOf(numId, Number(val(child(numPr ?? {}, 'ilvl')) ?? styled?.ilvl ?? 0));
    const text = runText(childrenOf(p));
    return text.trim().length === 0 && label.length === 0 ? '' : label + text;
  };

  const paragraphs: string[] = [];
  const walk = (nodes: XmlNode[]): void => {
    for (const n of nodes) {
      const tag = tagOf(n);
      if (tag === 'w:p') paragraphs.push(...paragraphText(n).split('\n'));
      else if (tag === 'w:tbl') {
        for (const row of childrenOf(n).filter((c) => tagOf(c) === 'w:tr')) {
          const cells = childrenOf(row)
            .filter((c) => tagOf(c) === 'w:tc')
            .map((cell) => descendants(childrenOf(cell), 'p').map((p) => tidyLine(paragraphText(p))).filter(Boolean).join(' '));
          if (cells.some((c) => c.length > 0)) paragraphs.push(cells.join(' | '));
        }
      } else if (tag === 'w:sdt' || tag === 'w:sdtContent' || tag === 'w:customXml' || tag === 'w:ins') walk(childrenOf(n));
    }
  };
  walk(childrenOf(body));
  const text = joinLoneArticleNumbers(paragraphs.map(tidyLine).filter((p) => p.length > 0)).join('\n');
  if (visibleLength(text) === 0) throw documentUnreadable(ctx.fileName, 'the DOCX contains no text', 'add a document with text (a DOCX of scanned images needs OCR: save it as PDF)');
  const hints: MetadataHints = {};
  guessHintsFromText(text, hints);
  const title = readCoreTitle(read('docProps/core.xml'));
  if (title && hints.title === undefined) hints.title = title;
  return { format: 'docx', text, hints, warnings: [], ocr: false };
}

export const docxExtractor: FormatExtractor = {
  formats: ['docx'],
  sniff(bytes) {
    if (!isZip(bytes)) return undefined;
    return zipHasEntry(bytes, 'word/document.xml') ? 'docx' : undefined;
  },
  extract: extractDocx,
};
