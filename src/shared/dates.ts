/** Calendar dates as YYYY-MM-DD strings. */

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
