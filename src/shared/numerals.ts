/**
 * Chinese numerals as used in policy headings: 一 … 九十九, 一百二十, 两, 〇/零, and Arabic digits.
 * `parseNumeral('二十四') === 24`, `parseNumeral('24') === 24`; returns undefined for anything else.
 */
// Maps, not object literals: the characters come from document and query text.
const DIGITS: ReadonlyMap<string, number> = new Map(Object.entries({
  零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
}));
const UNITS: ReadonlyMap<string, number> = new Map(Object.entries({ 十: 10, 百: 100, 千: 1000 }));

export const CHINESE_NUMERAL_CHARS = '零〇一二两三四五六七八九十百千';

/** The ten digits as written one by one in years (二〇一七) and digit-wise numbering: the index is the value. */
export const CHINESE_DIGITS = '〇一二三四五六七八九';

/** RegExp class body of a number in a date (2017年7月1日, 二〇一七年七月一日): Arabic digits, half- or full-width, or Chinese digits and 十. */
export const DATE_NUMBER_CHARS = '0-9０-９〇零一二三四五六七八九十';

/** The characters of a small Chinese number (一 … 九十九). */
export const SMALL_NUMBER_CHARS = '一二三四五六七八九十';

/** RegExp source of a small number, 一 … 九十九: list items (一、 （十二）), months and days, 第N次. */
export const SMALL_NUMBER_SOURCE = `[${SMALL_NUMBER_CHARS}]{1,3}`;

/** RegExp source of a list label at the head of an item: 1. 2、 3． (Arabic, one or two digits). */
export const ARABIC_ITEM_SOURCE = '[0-9]{1,2}[.、．]';

/** RegExp source of a bracketed item label: （一） (十二) （3）. */
export const PAREN_ITEM_SOURCE = `[（(][${SMALL_NUMBER_CHARS}0-9]{1,3}[)）]`;

/** RegExp source of an item label written 一、 … 九十九、. */
export const CN_ITEM_SOURCE = `${SMALL_NUMBER_SOURCE}、`;

/**
 * RegExp source of the number in 第X条/章/节/编/款/项 (one group-free alternation): Chinese up to
 * 九千九百九十九 (第一千二百六十条 has six characters, 第一千二百五十九条 seven), or up to four digits.
 * Defined once: the parser, query understanding and clause references all read numbers with it.
 */
export const ORDINAL_NUMBER_SOURCE = `[${CHINESE_NUMERAL_CHARS}]{1,8}|[0-9０-９]{1,4}`;

export function parseNumeral(text: string): number | undefined {
  if (text.length === 0 || text.length > 12) return undefined;
  if (/^[0-9０-９]+$/.test(text)) {
    return Number(text.replace(/[０-９]/g, (d) => String(d.charCodeAt(0) - 0xff10)));
  }
  let total = 0;
  let current = 0;
  let sawAny = false;
  for (const ch of text) {
    const digit = DIGITS.get(ch);
    if (digit !== undefined) {
      current = digit;
    } else {
      const unit = UNITS.get(ch);
      if (unit === undefined) return undefined;
      // 十 with no digit before it means 一十 (十二 = 12).
      total += (current === 0 ? 1 : current) * unit;
      current = 0;
    }
    sawAny = true;
  }
  return sawAny ? total + current : undefined;
}

const SMALL = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 24 → 二十四, 10 → 十, 105 → 一百零五 (the form used in 第X条 headings). */
export function toChineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 9999) return String(n);
  if (n < 10) return SMALL[n] as string;
  if (n < 20) return `十${n % 10 === 0 ? '' : SMALL[n % 10]}`;
  if (n < 100) return `${SMALL[Math.floor(n / 10)]}十${n % 10 === 0 ? '' : SMALL[n % 10]}`;
  if (n < 1000) {
    const rest = n % 100;
    const head = `${SMALL[Math.floor(n / 100)]}百`;
    if (rest === 0) return head;
    return rest < 10 ? `${head}零${SMALL[rest]}` : `${head}${rest < 20 ? '一' : ''}${toChineseNumeral(rest)}`;
  }
  const rest = n % 1000;
  const head = `${SMALL[Math.floor(n / 1000)]}千`;
  if (rest === 0) return head;
  return rest < 100 ? `${head}零${toChineseNumeral(rest)}` : `${head}${toChineseNumeral(rest)}`;
}

const ORDINAL_IN_TEXT_RE = new RegExp(`第(${ORDINAL_NUMBER_SOURCE})(编|章|节|条|款|项|部分)`, 'g');

/**
 * Rewrites 第X条/章/节/编/款/项 so that Chinese and Arabic numerals read alike: 第二十四条 → 第24条.
 * Used by the BM25 analyzer and query understanding.
 */
export function normalizeOrdinals(text: string): string {
  return text.replace(ORDINAL_IN_TEXT_RE, (whole, num: string, unit: string) => {
    const value = parseNumeral(num);
    return value === undefined ? whole : `第${value}${unit}`;
  });
}
