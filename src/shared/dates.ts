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

/** Today as YYYY-MM-DD in the server's local time zone (validity is judged by the calendar day). */
export function isoToday(now: Date = new Date()): string {
  const y = now.getFullYear();
  const m = String(now.getMonth() + 1).padStart(2, '0');
  const d = String(now.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}
