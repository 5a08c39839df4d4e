/**
 * Text clean-up shared by the extractors: invisible characters, letter-spaced runs, joining wrapped
 * lines without inserting spaces between Chinese characters.
 */

/** BOM, zero-width and soft-hyphen characters that Word and web pages leave in text. */
const INVISIBLE_RE = /[\uFEFF\u200B-\u200D\u2060\u00AD]/gu;
const CJK = '\\u3400-\\u9FFF\\uF900-\\uFAFF';
const CJK_PUNCT = '\\u3000-\\u303F\\uFF00-\\uFFEF\\u2014\\u2026\\u201C\\u201D\\u2018\\u2019';
/** Three or more single Chinese characters separated by single spaces: "燃 气 工 作". */
const LETTER_SPACED_RE = new RegExp(`(?<![${CJK}])[${CJK}](?:[ \\u3000\\u00A0][${CJK}]){2,}(?![${CJK}])`, 'gu');
const CJK_CHAR_RE = new RegExp(`[${CJK}${CJK_PUNCT}]`, 'u');

/** Kangxi radicals and CJK radical supplement forms (⼀, ⽓, ⻔) that some PDF printers emit for ideographs. */
const RADICAL_RE = /[\u2E80-\u2FDF]/gu;

/** Radical forms without a compatibility mapping (or whose mapping is the traditional form), as simplified text uses them. */
const RADICAL_SIMPLIFIED: Record<string, string> = {
  '⺠': '民', '⻔': '门', '⻓': '长', '⻅': '见', '⻋': '车', '⻘': '青', '⻝': '食', '⻢': '马', '⻩': '黄', '⻛': '风',
  '⻜': '飞', '⻉': '贝', '⻄': '西', '⻚': '页', '⻥': '鱼', '⻦': '鸟', '⻬': '齐', '⻮': '齿', '⻰': '龙', '⻳': '龟',
  '⺟': '母', '⻆': '角', '⻨': '麦', '⻭': '齿', '⻙': '韦', '⻗': '雨', '⻈': '讠', '⻖': '阝', '⼾': '户', '⻊': '足',
};

/** Drops invisible characters and maps radical look-alikes to the ideographs they stand for (⽓ → 气). */
export function dropInvisible(text: string): string {
  return text.replace(INVISIBLE_RE, '').replace(RADICAL_RE, (ch) => RADICAL_SIMPLIFIED[ch] ?? ch.normalize('NFKC'));
}

/** "燃 气 工 作" → "燃气工作"; "第一条 为了" stays as it is (runs of single characters only). */
export function collapseLetterSpacing(text: string): string {
  return text.replace(LETTER_SPACED_RE, (run) => run.replace(/[ \u3000\u00A0]/gu, ''));
}

/** True for a Chinese character or full-width punctuation. */
export function isCjk(ch: string | undefined): boolean {
  return ch !== undefined && CJK_CHAR_RE.test(ch);
}

/** The separator to put between two pieces of one sentence: nothing next to Chinese, one space between Latin words. */
export function joinSeparator(left: string, right: string): string {
  const a = left[left.length - 1];
  const b = right[0];
  if (a === undefined || b === undefined) return '';
  if (/\s/u.test(a) || /\s/u.test(b)) return '';
  if (isCjk(a) || isCjk(b)) return '';
  if (a === '-' || a === '/') return '';
  return /[A-Za-z0-9,.;:)\]]/u.test(a) && /[A-Za-z0-9([]/u.test(b) ? ' ' : '';
}

/** A short heading whose last word is spaced out: "第一章 总 则", "附 则". */
const SPACED_TAIL_RE = new RegExp(`(?<=^.{0,12}?(?:^|\\s))([${CJK}]) ([${CJK}])$`, 'u');

/** Collapses runs of spaces (ideographic ones too) inside a line, trims it, and collapses letter-spaced Chinese. */
export function tidyLine(line: string): string {
  const tidy = collapseLetterSpacing(dropInvisible(line).replace(/[ \t\u00A0\u3000]+/gu, ' ').trim());
  return tidy.replace(SPACED_TAIL_RE, '$1$2');
}

/** Tidies every line, drops blank lines, collapses blank runs: one paragraph per line. */
export function tidyParagraphs(paragraphs: readonly string[]): string[] {
  return paragraphs.map(tidyLine).filter((p) => p.length > 0);
}

/** Counts the characters that carry text (not whitespace). */
export function visibleLength(text: string): number {
  return text.replace(/\s+/gu, '').length;
}
