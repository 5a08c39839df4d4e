/** Calendar dates as YYYY-MM-DD strings, and as Chinese documents write them (2017年7月1日, 二〇一七年七月一日). */
import { CHINESE_DIGITS, DATE_NUMBER_CHARS, parseNumeral } from './numerals.js';

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})$/u;

/** Whether `YYYY-MM-DD` names a real calendar day (2016-13-45 and 2023-02-29 do not). */
export function isRealDate(iso: string): boolean {
  const m = ISO_RE.exec(iso);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** The calendar the documents' dates are written in. */
const POLICY_TIME_ZONE = 'Asia/Shanghai';
const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: POLICY_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/**
 * Today as YYYY-MM-DD in China (Asia/Shanghai), whatever the server's time zone: a document that
 * takes effect "自2026年7月1日起" is in force from midnight Beijing time, also on a UTC server.
 */
export function isoToday(now: Date = new Date()): string {
  // Formatting costs more than a search's arithmetic and every hit asks: the day is kept for the
  // minute (China's offset is whole hours, so a day never changes inside one UTC minute).
  const minute = Math.floor(now.getTime() / 60_000);
  if (lastDay?.minute === minute) return lastDay.day;
  const day = dayFormat.format(now);
  lastDay = { minute, day };
  return day;
}
let lastDay: { minute: number; day: string } | undefined;

/** 2020年6月30日 as written in Chinese documents. */
export function chineseDate(isoDate: string): string {
  const m = ISO_RE.exec(isoDate);
  return m ? `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日` : isoDate;
}

const CN_DATE_NUM = `[${DATE_NUMBER_CHARS}]{1,6}`;
const CN_DATE_RE = new RegExp(`(${CN_DATE_NUM})\\s*年\\s*(${CN_DATE_NUM})\\s*月\\s*(${CN_DATE_NUM})\\s*日`, 'u');

/** A Chinese date (2017年7月1日, 二〇一七年七月一日) → ISO, or undefined. */
export function parseChineseDate(text: string): string | undefined {
  const m = CN_DATE_RE.exec(text.normalize('NFKC'));
  if (!m) return undefined;
  const year = readYear(m[1] as string);
  const month = parseNumeral(m[2] as string);
  const day = parseNumeral(m[3] as string);
  if (year === undefined || month === undefined || day === undefined) return undefined;
  const out = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return isRealDate(out) ? out : undefined;
}

/** Years are written digit by digit (二〇一七), not as a number (二千零一十七). */
function readYear(text: string): number | undefined {
  if (/^[0-9]{4}$/u.test(text)) return Number(text);
  const digits = CHINESE_DIGITS;
  const alt = CHINESE_DIGITS.replace('〇', '零');
  let out = '';
  for (const ch of text) {
    const i = digits.indexOf(ch) >= 0 ? digits.indexOf(ch) : alt.indexOf(ch);
    if (i < 0) return undefined;
    out += String(i);
  }
  return out.length === 4 ? Number(out) : undefined;
}
