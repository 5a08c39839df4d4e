/**
 * Importer for the scraped listing page of the policy-data site: each item is a bullet line,
 * a title line, a body (one line, or several for long documents) and a
 * `YYYY-MM-DD N 次查看 N 次下载` line. Pure: page text in, documents out.
 */
import { ERROR_CODES, KbError } from '../shared/errors.js';
import type { PolicyMeta } from './document.js';

export interface ListingItem {
  title: string;
  body: string;
  listingDate: string;
  views: number;
  downloads: number;
}

export interface ListingMapEntry {
  /** A substring of the listing title that identifies the document. */
  match: string;
  docId: string;
  /** Official title, when the listing title is abbreviated or prefixed. */
  title?: string;
  /** Issuing body, when the text does not name it. */
  issuer?: string;
  /** Other names people use for the document. */
  aliases?: string[];
}

const STATS_RE = /^\s*(\d{4}-\d{2}-\d{2})\s+(\d+)\s*次查看\s+(\d+)\s*次下载\s*$/u;
const BULLET_RE = /^\s*•/u;
/** Site chrome inside a body: the prompt to download the PDF. */
const CHROME_SUFFIXES = ['请下载PDF查看详细内容'];

/** Splits the page into items. Throws `listing_invalid` when no item is found. */
export function parseListing(page: string): ListingItem[] {
  const lines = page.replace(/\r\n?/g, '\n').split('\n');
  const items: ListingItem[] = [];
  let block: string[] = [];
  const flush = (): void => {
    const statsAt = block.findIndex((l) => STATS_RE.test(l));
    if (statsAt >= 0) {
      const content = block.slice(0, statsAt).filter((l, i) => i === 0 || l.trim() !== '' || false);
      const nonEmpty = content.filter((l) => l.trim() !== '');
      const stats = STATS_RE.exec(block[statsAt] as string) as RegExpExecArray;
      if (nonEmpty.length >= 2) {
        const title = (nonEmpty[0] as string).trim();
        items.push({
          title,
          body: cleanBody(nonEmpty.slice(1)),
          listingDate: stats[1] as string,
          views: Number(stats[2]),
          downloads: Number(stats[3]),
        });
      }
    }
    block = [];
  };
  for (const line of lines) {
    if (BULLET_RE.test(line)) {
      flush();
      continue;
    }
    block.push(line);
    if (STATS_RE.test(line)) flush();
  }
  flush();
  if (items.length === 0) {
    throw new KbError(ERROR_CODES.LISTING_INVALID, 'no listing items found: expected blocks of a title line, a body and a "YYYY-MM-DD N 次查看 N 次下载" line');
  }
  return items;
}

/** Body lines joined by newlines; page indentation and the site's PDF prompt removed, nothing else. */
function cleanBody(lines: string[]): string {
  let body = lines.map((l, i) => (i === 0 ? l.trimStart() : l)).join('\n').trimEnd();
  for (const suffix of CHROME_SUFFIXES) {
    if (body.endsWith(suffix)) body = body.slice(0, -suffix.length).trimEnd();
  }
  return body;
}

const DOC_NUMBER_RE = /^[^《]{0,80}?通知\s*([\u4e00-\u9fa5]{1,8}〔\d{4}〕\d{1,4}号)/u;
const NOTICE_ISSUER_RE = /^\s*(.{2,40}?)关于印发/u;
const DATE_RE = /(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日/gu;
const SOURCE_RE = /本文来源[:：]\s*(https?:\/\/[^\s]+)/u;

/**
 * Metadata read from the text itself: the 文号 of the notice that opens the body (not one it cites),
 * the issuer of that notice, its signing date, and the source URL the text quotes.
 */
export function extractMeta(item: ListingItem, map: readonly ListingMapEntry[]): PolicyMeta {
  const entry = map.find((e) => item.title.includes(e.match));
  const head = item.body.slice(0, 600);
  const docNumber = DOC_NUMBER_RE.exec(head)?.[1];
  const titleIssuer = /^([^:：]{2,20})[:：]/u.exec(item.title)?.[1];
  const noticeIssuer = NOTICE_ISSUER_RE.exec(head)?.[1];
  const issuer = entry?.issuer ?? titleIssuer ?? noticeIssuer ?? '';
  const dateIssued = findSigningDate(item.body);
  const sourceUrl = SOURCE_RE.exec(item.body)?.[1];
  const meta: PolicyMeta = {
    docId: entry?.docId ?? `doc-${hashId(item.title)}`,
    title: entry?.title ?? item.title.replace(/^[^:：]{2,20}[:：]/u, '').trim(),
    issuer,
    listingDate: item.listingDate,
  };
  if (docNumber) meta.docNumber = docNumber;
  if (dateIssued) meta.dateIssued = dateIssued;
  if (sourceUrl) meta.sourceUrl = sourceUrl;
  if (entry?.aliases?.length) meta.aliases = entry.aliases;
  return meta;
}

/** The date a notice is signed: a date in the opening notice (before the plan text) or closing the body. */
function findSigningDate(body: string): string | undefined {
  const candidates: { index: number; iso: string }[] = [];
  for (const m of body.matchAll(DATE_RE)) {
    const iso = `${m[1]}-${(m[2] as string).padStart(2, '0')}-${(m[3] as string).padStart(2, '0')}`;
    candidates.push({ index: m.index, iso });
  }
  const isSignature = (index: number, length: number): boolean => {
    const before = body.slice(Math.max(0, index - 40), index);
    const after = body.slice(index + length, index + length + 20);
    // Signed as "<issuer> 2017年7月8日": preceded by a name (no sentence text), not followed by a clause.
    return /(国务院|政府|办公室|委员会|小组|厅|局)\s*$/u.test(before) && !/^(起|前|以来|至)/u.test(after.trimStart());
  };
  for (const c of candidates) {
    if (c.index < 800 && isSignature(c.index, 11)) return c.iso;
  }
  return undefined;
}

function hashId(text: string): string {
  let h = 2166136261;
  for (const ch of text) {
    h ^= ch.codePointAt(0) as number;
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
