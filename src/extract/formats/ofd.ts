/**
 * OFD (GB/T 33190-2016): a ZIP of XML. OFD.xml → DocRoot → Document.xml lists the pages in order; each page's
 * Content.xml holds TextObjects whose TextCodes carry the text at positions (mm), which go through the same
 * layout as PDF text (lines, headers/page numbers removed, paragraphs re-joined).
 */
import { strFromU8 } from 'fflate';
import { documentUnreadable } from '../errors.js';
import { guessHintsFromText } from '../hints.js';
import { assembleText, removeRunningLines, type Fragment } from '../layout.js';
import { joinTablesAcrossPages, readPageLinesWithTables, rulesOfPath, type Rule, type RuledPage } from '../ruled-tables.js';
import { visibleLength } from '../text-normalize.js';
import type { ExtractContext, ExtractResult, FormatExtractor, MetadataHints } from '../types.js';
import { attrLocal, child, childrenOf, descendants, localName, parseXml, tagOf, textOf, type XmlNode } from '../xml.js';
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

/** Affine matrix [a b c d e f]: x' = a·x + c·y + e, y' = b·x + d·y + f (the CTM of the standard). */
type Affine = [number, number, number, number, number, number];
const IDENTITY: Affine = [1, 0, 0, 1, 0, 0];

function compose(m: Affine, n: Affine): Affine {
  return [m[0] * n[0] + m[2] * n[1], m[1] * n[0] + m[3] * n[1], m[0] * n[2] + m[2] * n[3], m[1] * n[2] + m[3] * n[3], m[0] * n[4] + m[2] * n[5] + m[4], m[1] * n[4] + m[3] * n[5] + m[5]];
}

/** The object's own space to its parent's: translate to the Boundary origin, then the CTM. */
function objectTransform(node: XmlNode): Affine {
  const [bx = 0, by = 0] = box(attrLocal(node, 'Boundary'));
  const ctm = box(attrLocal(node, 'CTM'));
  const m: Affine = ctm.length === 6 && ctm.every(Number.isFinite) ? (ctm as Affine) : IDENTITY;
  return compose([1, 0, 0, 1, bx, by], m);
}

/**
 * Subpaths of a PathObject's AbbreviatedData ("S 0 0 L 156 0 C": S/M start, L line, Q/B/A curves end a straight
 * run, C closes), as point lists in the object's space (mm).
 */
export function pathSubpaths(data: string): Array<Array<[number, number]>> {
  const tokens = data.trim().split(/\s+/u);
  const out: Array<Array<[number, number]>> = [];
  let current: Array<[number, number]> = [];
  const flush = (): void => {
    if (current.length > 1) out.push(current);
    current = [];
  };
  const num = (i: number): number => Number(tokens[i]);
  for (let i = 0; i < tokens.length; ) {
    const op = tokens[i];
    const take = { S: 2, M: 2, L: 2, Q: 4, B: 6, A: 7, C: 0 }[op ?? ''];
    // An unknown command or one cut short ends the path: no rule rather than a wrong one.
    if (take === undefined || (take > 0 && i + take >= tokens.length)) break;
    const end: [number, number] = take > 0 ? [num(i + take - 1), num(i + take)] : [0, 0];
    if (op === 'S' || op === 'M') {
      flush();
      current.push(end);
    } else if (op === 'L') current.push(end);
    else if (op === 'C') {
      const start = current[0];
      if (start && current.length > 1) current.push(start);
      flush();
      if (start) current.push(start);
    } else {
      // A curve: no rule through it.
      flush();
      current.push(end);
    }
    i += take + 1;
  }
  flush();
  return out.filter((path) => path.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
}

/**
 * Text fragments of a page in page space (points, top-down): TextObjects anywhere in layers and page blocks,
 * and inside CompositeObjects (their CompositeGraphicUnit resources), with Boundary origins and CTMs applied.
 * The ruling lines of its PathObjects (table borders) go to `rules`.
 */
function pageFragments(nodes: XmlNode[], units: ReadonlyMap<string, XmlNode>, toPage: Affine = IDENTITY, depth = 0, out: Fragment[] = [], rules: Rule[] = []): Fragment[] {
  if (depth > 20) return out;
  for (const node of nodes) {
    const tag = tagOf(node);
    if (tag === '#text') continue;
    const name = localName(tag);
    if (name === 'TextObject') {
      const m = compose(toPage, objectTransform(node));
      const size = Number(attrLocal(node, 'Size') ?? 3.5) || 3.5;
      const hscale = Number(attrLocal(node, 'HScale') ?? 1) || 1;
      const scaleX = Math.hypot(m[0], m[1]) || 1;
      const scaleY = Math.hypot(m[2], m[3]) || 1;
      for (const code of descendants([node], 'TextCode')) {
        const text = textOf(code);
        if (text.length === 0) continue;
        const x = Number(attrLocal(code, 'X') ?? 0);
        const y = Number(attrLocal(code, 'Y') ?? 0);
        const px = m[0] * x + m[2] * y + m[4];
        const py = m[1] * x + m[3] * y + m[5];
        const deltas = expandDeltas(attrLocal(code, 'DeltaX'));
        const width = (deltas.slice(0, text.length - 1).reduce((sum, d) => sum + d, 0) + size * hscale) * scaleX;
        const height = size * scaleY;
        out.push({ x: px * MM_TO_PT, y: (py - height) * MM_TO_PT, width: width * MM_TO_PT, height: height * MM_TO_PT, text });
      }
    } else if (name === 'CompositeObject') {
      const unit = units.get(attrLocal(node, 'ResourceID') ?? '');
      const content = unit && child(unit, 'Content');
      if (content) pageFragments(childrenOf(content), units, compose(toPage, objectTransform(node)), depth + 1, out, rules);
    } else if (name === 'PathObject') {
      // Stroke is true unless set false (GB/T 33190 §9.1); a path that is only filled is a rule when a hairline.
      const painted = attrLocal(node, 'Stroke') !== 'false' ? 'stroke' : attrLocal(node, 'Fill') === 'true' ? 'fill' : undefined;
      const data = descendants([node], 'AbbreviatedData')[0];
      if (painted && data) {
        const m = compose(toPage, objectTransform(node));
        const toPoints = (path: Array<[number, number]>): Array<[number, number]> => path.map(([x, y]) => [(m[0] * x + m[2] * y + m[4]) * MM_TO_PT, (m[1] * x + m[3] * y + m[5]) * MM_TO_PT]);
        rules.push(...rulesOfPath(pathSubpaths(textOf(data)).map(toPoints), painted));
      }
    } else if (name !== 'ImageObject' && name !== 'Clips' && name !== 'Actions') {
      pageFragments(childrenOf(node), units, toPage, depth + 1, out, rules);
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
  // Composite graphic units (text drawn through CompositeObjects) live in the resource files.
  const units = new Map<string, XmlNode>();
  for (const resName of ['PublicRes', 'DocumentRes']) {
    for (const ref of descendants(doc, resName)) {
      const res = read(resolvePath(docPath, textOf(ref).trim()));
      for (const unit of res ? descendants(res, 'CompositeGraphicUnit') : []) units.set(attrLocal(unit, 'ID') ?? '', unit);
    }
  }
  const warnings: string[] = [];
  const pageNodes = descendants(descendants(doc, 'Pages'), 'Page');
  if (pageNodes.length > ctx.maxPages) warnings.push(`only the first ${ctx.maxPages} of ${pageNodes.length} pages were read (maxPages)`);
  const layout: RuledPage[] = pageNodes.slice(0, ctx.maxPages).map((p, i) => {
    const loc = resolvePath(docPath, attrLocal(p, 'BaseLoc') ?? '');
    const content = read(loc);
    if (!content) throw documentUnreadable(ctx.fileName, `page ${i + 1} (${loc}) is missing from the package`, 'get a complete copy of the file or export it again as OFD');
    const area = child(descendants(content, 'Area')[0] ?? {}, 'PhysicalBox');
    const [, , w = defaultW, h = defaultH] = area ? box(textOf(area)) : [0, 0, defaultW, defaultH];
    const rules: Rule[] = [];
    return { width: w * MM_TO_PT, height: h * MM_TO_PT, fragments: pageFragments(content, units, IDENTITY, 0, [], rules), rules };
  });
  const lines = joinTablesAcrossPages(removeRunningLines(layout.map((p) => ({ width: p.width, height: p.height, lines: readPageLinesWithTables(p) }))));
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
