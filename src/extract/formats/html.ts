/**
 * Web pages saved from government sites: the character set from the BOM, the page's own declaration or
 * detection; the main content only (the element holding most paragraph text, a hidden duplicate ignored),
 * site chrome stripped; metadata from <meta> tags (ArticleTitle, PubDate, ContentSource, Url) and info boxes.
 */
import * as cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { decodeUnknown, decodeWith, normalizeCharset } from '../decode.js';
import { documentUnreadable } from '../errors.js';
import { guessHintsFromText, hintKeyFor, readInfoLines, setHint } from '../hints.js';
import { classifyTable } from '../html-tables.js';
import { tidyLine, visibleLength } from '../text-normalize.js';
import type { ExtractContext, ExtractResult, FormatExtractor, MetadataHints } from '../types.js';

const HTML_START_RE = /^\s*(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|meta\s|body[\s>]|title>)/iu;

/** Decodes the page: BOM, then <meta charset>, then detection (a label that the bytes contradict is ignored). */
export function decodeHtml(bytes: Uint8Array): { html: string; encoding: string } {
  const head = Buffer.from(bytes.subarray(0, 4096)).toString('latin1');
  const declared = normalizeCharset(/<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)/iu.exec(head)?.[1]);
  if (declared && declared !== 'utf-8') {
    const d = decodeWith(bytes, declared);
    return { html: d.text, encoding: d.encoding };
  }
  const d = decodeUnknown(bytes) ?? decodeWith(bytes, declared ?? 'utf-8');
  return { html: d.text, encoding: d.encoding };
}

const REMOVE = 'script, style, noscript, iframe, object, embed, svg, canvas, template, nav, header, footer, form, input, select, textarea, button, aside, link, meta';
const BLOCK = new Set(['p', 'div', 'br', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'section', 'article', 'blockquote', 'dd', 'dt', 'dl', 'pre', 'ul', 'ol', 'center', 'hr', 'tbody', 'thead']);
const CHROME_CLASS_RE = /(?:^|[-_\s])(?:nav|menu|header|footer|breadcrumb|crumb|search|share|bdshare|hot|print|close|font|zoom-controls|modal|sidebar|side|toolbar|login|lang|links?|friend|copyright|position|location|dqwz|wzdt|fxd|bshare)(?:$|[-_\s\d])/iu;
const CHROME_LINE_RE =
  /^(?:【?\s*字体[:：]?\s*[【[]?\s*大\s*中\s*小\s*[】\]]?】?.*|.*[【[]\s*大\s*[】\]]\s*[【[]\s*中\s*[】\]]\s*[【[]\s*小\s*[】\]].*|【?打印(?:本页)?】?|【?关闭(?:窗口|本页)?】?|打印\s*关闭|分享到[:：]?.*|扫一扫.*|.*网站标识码.*|.*ICP备.*|.*公网安备.*|当前位置[:：].*|您现在的位置[:：].*|首页\s*[>＞»].*|浏览(?:量|次数)[:：].*|【?返回顶部】?|.*无障碍.*|上一篇[:：].*|下一篇[:：].*|相关(?:附件|链接|文件|阅读|解读|稿件)(?:下载)?[:：]?|(?:主办|承办|协办|技术支持|主办单位|承办单位)[:：].*|电脑版|手机版|移动版|扫一扫在手机(?:上)?打开当前页|【?我要纠错】?)$/u;

const isHidden = ($el: cheerio.Cheerio<Element>): boolean => {
  const style = ($el.attr('style') ?? '').replace(/\s+/gu, '').toLowerCase();
  return style.includes('display:none') || style.includes('visibility:hidden') || $el.attr('hidden') !== undefined || $el.attr('aria-hidden') === 'true';
};

/**
 * Text of a subtree as lines: block elements break lines; a data table is one line per row, its cells
 * separated by " | "; a layout table is read as blocks, a table of links is left out, and an info box goes
 * to `info` (for hints) instead of the lines.
 */
function renderLines($: cheerio.CheerioAPI, root: AnyNode, info: string[] = [], rootAsData = false): string[] {
  const lines: string[] = [];
  let current = '';
  let layout = false;
  const flush = (): void => {
    const t = tidyLine(current);
    if (t.length > 0) lines.push(t);
    current = '';
  };
  const walk = (node: AnyNode): void => {
    if (node.type === 'text') {
      current += (node as unknown as { data: string }).data.replace(/[\r\n\t]+/gu, ' ');
      return;
    }
    if (node.type !== 'tag') return;
    const el = node as Element;
    const name = el.tagName.toLowerCase();
    if (name === 'table') {
      const role = rootAsData && node === root ? 'data' : classifyTable($, el);
      if (role === 'navigation') return;
      if (role === 'info') {
        flush();
        info.push(...renderLines($, el, [], true));
        return;
      }
      const outer = layout;
      layout = role === 'layout';
      flush();
      for (const c of el.children) walk(c);
      flush();
      layout = outer;
      return;
    }
    // A row whose table lies above the rendered root (the main container is a tbody) is judged by that table.
    if (name === 'tr' && !layout && !(rootInsideTable(el, root) && tableRole($, el) === 'layout')) {
      // One line per table row, whatever blocks its cells hold.
      flush();
      const cells = el.children
        .filter((c): c is Element => c.type === 'tag' && ['td', 'th'].includes((c as Element).tagName.toLowerCase()))
        .map((cell) => renderLines($, cell, info).join(' '));
      const row = tidyLine(cells.join(' | ').replace(/^(?:\s*\|\s*)+|(?:\s*\|\s*)+$/gu, ''));
      if (row.length > 0) lines.push(row);
      return;
    }
    // A layout table's cells are blocks of their own.
    const block = BLOCK.has(name) || name === 'td' || name === 'th';
    if (block) flush();
    for (const c of el.children) walk(c);
    if (block) flush();
  };
  walk(root);
  flush();
  return lines;
}

/** True when `root` lies inside the table that holds row `tr` (the table element itself was not walked). */
function rootInsideTable(tr: Element, root: AnyNode): boolean {
  for (let node: Element | undefined = parentElement(tr); node; node = parentElement(node)) {
    if (node.tagName.toLowerCase() === 'table') return false;
    if (node === root) return true;
  }
  return false;
}

/** The role of the table holding row `tr`. */
function tableRole($: cheerio.CheerioAPI, tr: Element): ReturnType<typeof classifyTable> {
  let node = parentElement(tr);
  while (node && node.tagName.toLowerCase() !== 'table') node = parentElement(node);
  return node ? classifyTable($, node) : 'data';
}

const parentElement = (el: Element): Element | undefined => (el.parent?.type === 'tag' ? (el.parent as Element) : undefined);

/**
 * The main content container, readability-style. Each block's own paragraph text (text nodes and inline
 * children; link text and hidden elements excluded) scores for the element that holds it; the best holder
 * wins (a hidden copy of the body or <body> itself never does). When the body is split over sibling
 * sections (WeChat-style pages), the winner grows to its parent while that adds much paragraph text and
 * the parent is mostly paragraphs.
 */
function pickMain($: cheerio.CheerioAPI, skipHidden = true): Element | undefined {
  const direct = new Map<Element, number>();
  const subtree = new Map<Element, { score: number; chars: number }>();
  const hidden = new Set<Element>();
  $('*').each((_i, node) => {
    const el = node as Element;
    const parent = parentElement(el);
    // <body style="visibility:hidden"> is revealed by a script once the page loads: only elements inside count.
    const tag = el.tagName.toLowerCase();
    if (skipHidden && tag !== 'body' && tag !== 'html' && (isHidden($(el)) || (parent !== undefined && hidden.has(parent)))) hidden.add(el);
  });
  $('p, div, td, li, span, font, section, article, blockquote, dd, pre').each((_i, el) => {
    if (hidden.has(el)) return;
    const own = $(el)
      .contents()
      .toArray()
      .map((c) => {
        if (c.type === 'text') return (c as unknown as { data: string }).data;
        if (c.type !== 'tag') return '';
        const tag = (c as Element).tagName.toLowerCase();
        return BLOCK.has(tag) || tag === 'a' ? '' : $(c as Element).clone().find('a').remove().end().text();
      })
      .join('');
    const chars = visibleLength(own);
    if (chars < 10) return;
    const score = chars + (own.match(/[，,。；;：:、]/gu) ?? []).length * 5;
    const holder = ['p', 'span', 'font'].includes(el.tagName.toLowerCase()) ? parentElement(el) : el;
    if (holder) direct.set(holder, (direct.get(holder) ?? 0) + score);
    for (let node: Element | undefined = el; node; node = parentElement(node)) {
      const entry = subtree.get(node) ?? { score: 0, chars: 0 };
      entry.score += score;
      entry.chars += chars;
      subtree.set(node, entry);
    }
  });
  let best: Element | undefined;
  let bestScore = 0;
  for (const [el, score] of direct) {
    if (score > bestScore) {
      best = el;
      bestScore = score;
    }
  }
  // A page whose only copy of the text is hidden (shown by a script): take it anyway.
  if (!best && skipHidden) return pickMain($, false);
  // Climb through wrappers that are mostly paragraph text; settle on the highest one that added much text.
  let node = best;
  let settled = best ? (subtree.get(best)?.score ?? 0) : 0;
  for (let parent = node && parentElement(node); node && parent; parent = parentElement(node)) {
    const theirs = subtree.get(parent);
    if (!theirs || theirs.chars < 0.7 * visibleLength($(parent).text())) break;
    node = parent;
    if (theirs.score >= 1.3 * settled) {
      best = parent;
      settled = theirs.score;
    }
  }
  return best;
}

function readMetaHints($: cheerio.CheerioAPI, hints: MetadataHints): void {
  const meta = (name: string): string | undefined => {
    const v = $(`meta[name="${name}"], meta[name="${name.toLowerCase()}"], meta[property="${name}"]`).first().attr('content');
    return v && v.trim().length > 0 ? v.trim() : undefined;
  };
  const title = meta('ArticleTitle') ?? meta('og:title');
  if (title) setHint(hints, 'title', title);
  const pub = meta('PubDate') ?? meta('pubdate');
  if (pub) setHint(hints, 'publishedDate', pub);
  const source = meta('ContentSource');
  if (source) setHint(hints, 'issuer', source);
  const url = meta('Url') ?? meta('og:url') ?? $('link[rel="canonical"]').attr('href');
  if (url && /^https?:\/\//u.test(url)) hints.sourceUrl = url;
}

async function extractHtml(bytes: Uint8Array, _format: string, ctx: ExtractContext): Promise<ExtractResult> {
  const { html, encoding } = decodeHtml(bytes);
  const $ = cheerio.load(html);
  const hints: MetadataHints = {};
  const warnings: string[] = [];
  readMetaHints($, hints);
  $(REMOVE).remove();
  const main = pickMain($);
  if (main) {
    // Widgets inside the article container (share bar, font size, print/close): short blocks named like chrome.
    $(main)
      .find('[class], [id]')
      .each((_i, el) => {
        const $el = $(el);
        const label = `${$el.attr('class') ?? ''} ${$el.attr('id') ?? ''}`;
        if (CHROME_CLASS_RE.test(label) && visibleLength($el.text()) < 300 && $el.find('p').length < 3) $el.remove();
      });
  }
  // Info boxes (基本信息: 文号/实施日期/失效日期…) sit outside the body: read them from the rest of the page.
  const bodyEl = $('body').get(0) ?? $.root().get(0);
  const infoBoxes: string[] = [];
  const mainLines = main ? renderLines($, main, infoBoxes) : [];
  const mainSet = new Set(mainLines);
  const otherLines = bodyEl ? renderLines($, bodyEl, infoBoxes).filter((l) => !mainSet.has(l)) : [];
  // An info box's rows ("发文机关 | 市政府 | 文号 | 穗府〔2021〕1号") read as "label：value" lines.
  const infoLines = infoBoxes.flatMap((row) => pairCells(row.split(' | ')));
  readInfoLines(mergeLabelLines([...infoLines, ...otherLines]), hints);
  const lines = mainLines.filter((l) => !CHROME_LINE_RE.test(l) && !onlyChromeWords(l));
  const text = lines.join('\n');
  if (visibleLength(text) === 0) {
    throw documentUnreadable(ctx.fileName, 'the page has no main text (only navigation, or the content is loaded by JavaScript)', 'save the page after it has loaded ("Save as… complete web page") or print it to PDF');
  }
  if (hints.title === undefined) {
    const title = $('title').first().text().trim();
    if (title) setHint(hints, 'title', title.split(/[_|｜-]/u)[0] ?? title);
  }
  guessHintsFromText(text, hints);
  if (encoding !== 'utf-8') warnings.push(`decoded as ${encoding}`);
  return { format: 'html', text, hints, warnings, ocr: false };
}

const CHROME_WORD_RE = /^[【[]?(?:返回顶部|打印本页|打印|关闭窗口|关闭本页|关闭|收藏|分享(?:到)?[:：]?|字体[:：]?|大|中|小|默认|视力保护色|下载|纠错)[】\]]?$/u;

/** "返回顶部 打印本页 关闭窗口", "【打印】【关闭】": a line made only of page-tool words. */
function onlyChromeWords(line: string): boolean {
  const words = line.replace(/】\s*【/gu, '】 【').split(/\s+/u).filter(Boolean);
  return words.length > 0 && words.every((w) => CHROME_WORD_RE.test(w));
}

/** Info-box cells as "label：value" lines: a label cell (文号, 发文机关…) takes the cell after it. */
function pairCells(cells: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < cells.length; i += 1) {
    const cell = cells[i] as string;
    const next = cells[i + 1];
    if (next !== undefined && hintKeyFor(cell) !== undefined) {
      out.push(`${cell.replace(/[:：\s]+$/u, '')}：${next}`);
      i += 1;
    } else out.push(cell);
  }
  return out;
}

/** "文号：" on one line and its value on the next: one line for the info-box reader. */
function mergeLabelLines(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const l = lines[i] as string;
    if (/[:：]$/u.test(l) && l.length <= 12 && lines[i + 1] !== undefined) {
      out.push(`${l}${lines[i + 1] as string}`);
      i += 1;
    } else out.push(l);
  }
  return out;
}

export const htmlExtractor: FormatExtractor = {
  formats: ['html'],
  sniff(bytes, fileName) {
    const head = Buffer.from(bytes.subarray(0, 2048)).toString('latin1').replace(/^\xef\xbb\xbf/u, '');
    if (HTML_START_RE.test(head)) return 'html';
    // Fragments without <html>: markup plus an .htm(l) name breaks the tie with plain text.
    if (/\.(?:html?|xhtml|shtml|mht)$/iu.test(fileName) && /<(?:p|div|table|span|br)[\s>/]/iu.test(head)) return 'html';
    return undefined;
  },
  extract: extractHtml,
};
