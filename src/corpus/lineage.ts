/**
 * What the library says of each document, derived from the whole catalogue whenever it is read
 * (never written into another document's metadata): the versions of its instrument and the next
 * one, and the document of the library that repeals it. Pure: metadata in, a map out. Because it
 * is derived on read, it holds in whatever order versions arrive and after any upload, replacement
 * or deletion, on every backend.
 *
 * - Versions: documents with the same normalised title (中华人民共和国, spaces, brackets and a trailing
 *   "(2019年修订)" aside) and the same issuer (or no issuer stated, when the others agree on one),
 *   ordered by their date (the text in hand's: its latest revision). Each older one is superseded by
 *   the next, from the day that one took effect. Documents of one date are one version.
 * - Repeals: each "《X》同时废止/予以废止/停止执行" a document states (its `repeals`, read at load) is
 *   resolved by 文号 (the text's own, or one its history names) and by title, among the documents
 *   dated no later than the repealer, outside the repealer's own versions.
 */
import type { HistoryEntry } from './history.js';
import type { Lineage } from './validity.js';

export interface LineageInput {
  docId: string;
  title: string;
  issuer?: string;
  dateIssued?: string;
  effectiveFrom?: string;
  docNumber?: string;
  history?: readonly HistoryEntry[];
  repeals?: readonly { title: string; docNumber?: string; sentence: string; clause?: string }[];
}

/** A title as versions share it: NFKC, no spaces or quotes, no 中华人民共和国, no "(2019年修订)" label. */
export function instrumentTitle(title: string): string {
  return title
    .normalize('NFKC')
    .replace(/[\s\u3000《》〈〉"“”'‘’]/gu, '')
    .replace(/^中华人民共和国/u, '')
    .replace(/[（(〔[]\s*(?:19|20)\d{2}\s*年?\s*(?:修订|修正|修改|版|本)?(?:本)?\s*[）)〕\]]$/u, '')
    .replace(/[（〔[]/gu, '(')
    .replace(/[）〕\]]/gu, ')');
}

const normalizeNumber = (n: string): string => n.normalize('NFKC').replace(/[\s〔〕[\]()（）]/gu, '').replace(/^中华人民共和国/u, '');

/** Titles this short, shared by documents with no issuer, say too little to call them one instrument. */
const MIN_ANONYMOUS_TITLE = 6;

/** The day a document took effect, as far as it says (its effectiveFrom, else its date). */
const takesEffect = (d: LineageInput): string | undefined => d.effectiveFrom && d.dateIssued && d.effectiveFrom < d.dateIssued ? d.dateIssued : d.effectiveFrom ?? d.dateIssued;

/** Groups of documents that are versions of one instrument (each group has 2+ members). */
export function versionGroups(docs: readonly LineageInput[]): LineageInput[][] {
  const byTitle = new Map<string, LineageInput[]>();
  for (const d of docs) {
    const key = instrumentTitle(d.title);
    if (key.length < 2) continue;
    let list = byTitle.get(key);
    if (!list) byTitle.set(key, (list = []));
    list.push(d);
  }
  const groups: LineageInput[][] = [];
  for (const [key, list] of byTitle) {
    if (list.length < 2) continue;
    // Documents whose issuers share an organ ("最高人民法院" and "最高人民法院、最高人民检察院") are one
    // instrument's; two cities' 《物业管理条例》 are not. Documents stating no issuer join when the
    // others make one instrument, and stand alone when they make several.
    const clusters: { organs: Set<string>; members: LineageInput[] }[] = [];
    const anonymous: LineageInput[] = [];
    for (const d of list) {
      const organs = (d.issuer ?? '').split('、').map((o) => o.trim()).filter((o) => o.length > 0);
      if (organs.length === 0) {
        anonymous.push(d);
        continue;
      }
      const joined = clusters.filter((c) => organs.some((o) => c.organs.has(o)));
      const target = joined[0] ?? { organs: new Set<string>(), members: [] };
      if (joined.length === 0) clusters.push(target);
      for (const other of joined.slice(1)) {
        for (const o of other.organs) target.organs.add(o);
        target.members.push(...other.members);
        clusters.splice(clusters.indexOf(other), 1);
      }
      for (const o of organs) target.organs.add(o);
      target.members.push(d);
    }
    if (clusters.length === 0 && key.length >= MIN_ANONYMOUS_TITLE) clusters.push({ organs: new Set(), members: [] });
    if (clusters.length === 1) (clusters[0] as { members: LineageInput[] }).members.push(...anonymous);
    for (const c of clusters) if (c.members.length >= 2) groups.push(c.members);
  }
  return groups;
}

/** Lineage of every document (those the library says nothing about get `{versions: [self]}`). */
export function deriveLineage(docs: readonly LineageInput[]): Map<string, Lineage> {
  const out = new Map<string, Lineage>();
  for (const d of docs) out.set(d.docId, { versions: [{ docId: d.docId, title: d.title, ...(d.dateIssued ? { date: d.dateIssued } : {}) }] });
  const chainOf = new Map<string, LineageInput[]>();
  for (const group of versionGroups(docs)) {
    // A version without a date cannot be placed: it stays out of the chain.
    const dated = group.filter((d) => d.dateIssued).sort((a, b) => (a.dateIssued as string).localeCompare(b.dateIssued as string) || a.docId.localeCompare(b.docId));
    if (dated.length < 2) continue;
    const versions = dated.map((d) => ({ docId: d.docId, title: d.title, date: d.dateIssued as string }));
    for (const d of dated) {
      chainOf.set(d.docId, dated);
      const next = dated.find((n) => (n.dateIssued as string) > (d.dateIssued as string));
      const lineage: Lineage = { versions };
      if (next) {
        const from = takesEffect(next);
        lineage.supersededBy = { docId: next.docId, title: next.title, date: next.dateIssued as string, ...(from ? { from } : {}) };
      }
      out.set(d.docId, lineage);
    }
  }
  resolveRepeals(docs, chainOf, out);
  return out;
}

function resolveRepeals(docs: readonly LineageInput[], chainOf: ReadonlyMap<string, readonly LineageInput[]>, out: Map<string, Lineage>): void {
  const byTitle = new Map<string, LineageInput[]>();
  const byNumber = new Map<string, LineageInput[]>();
  const add = (map: Map<string, LineageInput[]>, key: string, d: LineageInput): void => {
    const list = map.get(key);
    if (!list) map.set(key, [d]);
    else if (!list.includes(d)) list.push(d);
  };
  for (const d of docs) {
    add(byTitle, instrumentTitle(d.title), d);
    if (d.docNumber) add(byNumber, normalizeNumber(d.docNumber), d);
    for (const h of d.history ?? []) if (h.docNumber) add(byNumber, normalizeNumber(h.docNumber), d);
  }
  for (const repealer of docs) {
    if (!repealer.repeals?.length) continue;
    const own = new Set((chainOf.get(repealer.docId) ?? [repealer]).map((d) => d.docId));
    own.add(repealer.docId);
    const ownTitle = instrumentTitle(repealer.title);
    const from = takesEffect(repealer);
    for (const r of repealer.repeals) {
      // A new version naming its own predecessor ("原《X》同时废止") supersedes it: the chain says so.
      if (instrumentTitle(r.title) === ownTitle) continue;
      const byNo = r.docNumber ? byNumber.get(normalizeNumber(r.docNumber)) : undefined;
      const targets = (byNo ?? byTitle.get(instrumentTitle(r.title)) ?? []).filter((t) => !own.has(t.docId) && (!repealer.dateIssued || !t.dateIssued || t.dateIssued <= repealer.dateIssued));
      for (const target of targets) {
        const lineage = out.get(target.docId) as Lineage;
        if (lineage.repealedBy) continue;
        lineage.repealedBy = { docId: repealer.docId, title: repealer.title, sentence: r.sentence, ...(r.clause ? { clause: r.clause } : {}), ...(from ? { from } : {}) };
      }
    }
  }
}
