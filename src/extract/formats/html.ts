/**
 * Web pages saved from government sites: the character set from the BOM, the page's own declaration or
 * detection; the main content only (the element holding most paragraph text, a hidden duplicate ignored),
 * site chrome stripped; metadata from <meta> tags (ArticleTitle, PubDate, ContentSource, Url) and info boxes.
 */
import * as cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { decodeUnknown, decodeWith, normalizeCharset } from '../decode.js';
import { documentUnreadable } from '../errors.js';
import { guessHintsFromText, readInfoLines, setHint } from '../hints.js';
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
  /^(?:【?\s*字体[:：]?\s*[【[]?\s*大\s*中\s*小\s*[】\]]?】?.*|.*[【[]\s*大\s*[】\]]\s*[【[]\s*中\s*[】\]]\s*[【[]\s*小\s*[】\]].*|【?打印(?:本页)?】?|【?关闭(?:窗口|本页)?】?|打印\s*关闭|分享到[:：]?.*|扫一扫.*|.*网站标识码.*|.*ICP备.*|.*公网安备.*|当前位置[:：].*|您现在的位置[:：].*|首页\s*[>＞»].*|浏览(?:量|次数)[:：].*|【?返回顶部】?|.*无障碍.*|上一篇[:：].*|下一篇[:：].*)$/u;

const isHidden = ($el: cheerio.Cheerio<Element>): boolean => {
  const style = ($el.attr('style') ?? '').replace(/\s+/gu, '').toLowerCase();
  return style.includes('display:none') || style.includes('visibility:hidden') || $el.attr('hidden') !== undefined || $el.attr('aria-hidden') === 'true';
};

/** Text of a subtree as lines: block elements break lines, table cells are separated by " | ". */
function renderLines($: cheerio.CheerioAPI, root: AnyNode): string[] {
  const lines: string[] = [];
  let current = '';
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
    if (name === 'td' || name === 'th') {
      if (current.trim().length > 0) current += ' | ';
    }
    const block = BLOCK.has(name);
    if (block) flush();
    for (const c of el.children) walk(c);
    if (block) flush();
  };
  walk(root);
  flush();
  return lines;
}

/** Paragraph text an element holds directly: the readability-style score of a content container. */
function scoreContainers($: cheerio.CheerioAPI): Map<Element, number> {
  const scores = new Map<Element, number>();
  $('p, div, td, li, span, font').each((_i, el) => {
    // Own text only (text nodes and inline children), not nested blocks.
    const own = $(el)
      .contents()
      .toArray()
      .filter((c) => c.type === 'text' || (c.type === 'tag' && !BLOCK.has((c as Element).tagName.toLowerCase())))
      .map((c) => $(c).text())
      .join('');
    const len = visibleLength(own);
    if (len < 10) return;
    const commas = (own.match(/[，,。；;：:、]/gu) ?? []).length;
    const score = len + commas * 5;
    const parent = el.parent?.type === 'tag' ? (el.parent as Element) : undefined;
    const target = el.tagName === 'p' || el.tagName === 'span' || el.tagName === 'font' ? parent : el;
    if (!target) return;
    // Only the direct container scores: passing points up would let <body> (visible body + hidden copy) win.
    scores.set(target, (scores.get(target) ?? 0) + score);
  });
  return scores;
}

function pickMain($: cheerio.CheerioAPI): Element | undefined {
  const scores = scoreContainers($);
  let best: Element | undefined;
  let bestScore = 0;
  for (const [el, score] of scores) {
    const $el = $(el);
    // A hidden copy (display:none) of the body loses to the visible one.
    const hidden = isHidden($el) || $el.parents().toArray().some((p) => isHidden($(p)));
    const s = hidden ? score * 0.5 : score;
    if (s > bestScore) {
      best = el;
      bestScore = s;
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
  const mainLines = main ? renderLines($, main) : [];
  const mainSet = new Set(mainLines);
  const otherLines = bodyEl ? renderLines($, bodyEl).filter((l) => !mainSet.has(l)) : [];
  readInfoLines(mergeLabelLines(otherLines), hints);
  const lines = mainLines.filter((l) => !CHROME_LINE_RE.test(l));
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
