/**
 * OFD (GB/T 33190-2016): a ZIP of XML. OFD.xml → DocRoot → Document.xml lists the pages in order; each page's
 * Content.xml holds TextObjects whose TextCodes carry the text at positions (mm), which go through the same
 * layout as PDF text (lines, headers/page numbers removed, paragraphs re-joined).
 */
import { strFromU8 } from 'fflate';
import { documentUnreadable } from '../errors.js';
import { guessHintsFromText } from '../hints.js';
import { assembleText, readPageLines, removeRunningLines, type Fragment, type LayoutPage } from '../layout.js';
import { visibleLength } from '../text-normalize.js';
import type { ExtractContext, ExtractResult, FormatExtractor, MetadataHints } from '../types.js';
import { attrLocal, child, descendants, parseXml, textOf, type XmlNode } from '../xml.js';
import { isZip, unzipLimited, zipHasEntry } from '../zip.js';

const MM_TO_PT = 72 / 25.4;

/** "5.57 g 3 2.77 1.0" → [5.57, 2.77, 2.77, 2.77, 1.0] (the "g N v" run-length form of the standard). */
export function expandDeltas(raw: string | undefined): number[] {
  const tokens = (raw ?? '').trim().split(/\s+/u).filter(Boolean);
  const out: number[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    if (tokens[i] === 'g') {
      const n = Number(tokens[i + 1]);
      const v = Number(tokens[i + 2]);
      for (let k = 0; k < n && k < 100_000; k += 1) out.push(v);
      i += 2;
    } else out.push(Number(tokens[i]));
  }
  return out.map((v) => (Number.isFinite(v) ? v : 0));
}

const box = (text: string | undefined): number[] => (text ?? '').trim().split(/\s+/u).map(Number);

/** Resolves a path in the package relative to a base file ("Doc_0/Document.xml" + "Pages/Page_0/Content.xml"). */
function resolvePath(base: string, loc: string): string {
  if (loc.startsWith('/')) return loc.slice(1);
  const parts = base.split('/').slice(0, -1);
  for (const seg of loc.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return parts.join('/');
}

function pageFragments(nodes: XmlNode[]): Fragment[] {
  const out: Fragment[] = [];
  for (const obj of descendants(nodes, 'TextObject')) {
    const [bx = 0, by = 0] = box(attrLocal(obj, 'Boundary'));
    const size = Number(attrLocal(obj, 'Size') ?? 3.5) || 3.5;
    const hscale = Number(attrLocal(obj, 'HScale') ?? 1) || 1;
    for (const code of descendants([obj], 'TextCode')) {
      const text = textOf(code);
      if (text.length === 0) continue;
      const x = bx + Number(attrLocal(code, 'X') ?? 0);
      const baseline = by + Number(attrLocal(code, 'Y') ?? 0);
      const deltas = expandDeltas(attrLocal(code, 'DeltaX'));
      const width = deltas.slice(0, text.length - 1).reduce((a, b) => a + b, 0) + size * hscale;
      out.push({ x: x * MM_TO_PT, y: (baseline - size) * MM_TO_PT, width: width * MM_TO_PT, height: size * MM_TO_PT, text });
    }
  }
  return out;
}

async function extractOfd(bytes: Uint8Array, _format: string, ctx: ExtractContext): Promise<ExtractResult> {
  const files = unzipLimited(bytes, ctx.fileName, ctx.maxDecompressedBytes, (name) => name.endsWith('.xml'));
  const read = (name: string): XmlNode[] | undefined => {
    const f = files[name];
    if (!f) return undefined;
    try {
      return parseXml(strFromU8(f));
    } catch (error) {
      throw documentUnreadable(ctx.fileName, `${name} is not well-formed XML`, 'get a complete copy of the file or export it again as OFD', error);
    }
  };
  const ofd = read('OFD.xml');
  const docRoot = ofd && descendants(ofd, 'DocRoot')[0];
  if (!ofd || !docRoot) throw documentUnreadable(ctx.fileName, 'OFD.xml or its DocRoot is missing', 'get a complete copy of the file or export it again as OFD');
  const docPath = resolvePath('OFD.xml', textOf(docRoot).trim());
  const doc = read(docPath);
  if (!doc) throw documentUnreadable(ctx.fileName, `the document ${docPath} named by OFD.xml is missing`, 'get a complete copy of the file or export it again as OFD');
  const [, , defaultW = 210, defaultH = 297] = box(textOf(descendants(doc, 'PhysicalBox')[0] ?? {}));
  const warnings: string[] = [];
  const pageNodes = descendants(descendants(doc, 'Pages'), 'Page');
  if (pageNodes.length > ctx.maxPages) warnings.push(`only the first ${ctx.maxPages} of ${pageNodes.length} pages were read (maxPages)`);
  const layout: LayoutPage[] = pageNodes.slice(0, ctx.maxPages).map((p, i) => {
    const loc = resolvePath(docPath, attrLocal(p, 'BaseLoc') ?? '');
    const content = read(loc);
    if (!content) throw documentUnreadable(ctx.fileName, `page ${i + 1} (${loc}) is missing from the package`, 'get a complete copy of the file or export it again as OFD');
    const area = child(descendants(content, 'Area')[0] ?? {}, 'PhysicalBox');
    const [, , w = defaultW, h = defaultH] = area ? box(textOf(area)) : [0, 0, defaultW, defaultH];
    return { width: w * MM_TO_PT, height: h * MM_TO_PT, fragments: pageFragments(content) };
  });
  const lines = removeRunningLines(layout.map((p) => ({ width: p.width, height: p.height, lines: readPageLines(p) })));
  const { text, pages } = assembleText(lines);
  if (visibleLength(text) === 0) {
    throw documentUnreadable(ctx.fileName, 'the OFD has no text objects (a scanned image?)', 'add a version with text, or a PDF that can be OCRed');
  }
  const hints: MetadataHints = {};
  const title = descendants(ofd, 'Title')[0];
  if (title && textOf(title).trim().length > 0) hints.title = textOf(title).trim();
  guessHintsFromText(text, hints);
  return { format: 'ofd', text, pages, hints, warnings, ocr: false };
}

export const ofdExtractor: FormatExtractor = {
  formats: ['ofd'],
  sniff(bytes) {
    if (!isZip(bytes)) return undefined;
    return zipHasEntry(bytes, 'OFD.xml') ? 'ofd' : undefined;
  },
  extract: extractOfd,
};
