/**
 * The current text first: what search, answers and the transports do with versions of one
 * instrument (the lineage every document read through storage/lineage-store.ts carries).
 *
 * - `preferCurrentVersions`: among search candidates, a newer version's passage of a clause ranks
 *   before an older version's passage of the same clause (a tie between versions is broken towards
 *   the current text; different clauses keep their order).
 * - `citeCurrentVersions`: an answer citing a superseded text says so, and cites the matching clause
 *   of the current version when it has one (or says that it has none).
 * - `compareVersions`: 新旧对照 of two documents of the store, with the input checks every transport shares.
 */
import { judgeValidity, chineseDate, type Lineage } from '../corpus/validity.js';
import type { ValidMeta } from '../corpus/document.js';
import { isoToday } from '../shared/dates.js';
import { parseNumeral } from '../shared/numerals.js';
import { ERROR_CODES, KbError, unknownDocError } from '../shared/errors.js';
import type { DocumentSummary, KnowledgeStore, StoredDocument } from '../storage/types.js';
import type { Answer, Citation } from './answer/types.js';
import { diffDocuments, matchingClause, type VersionDiff } from './diff.js';

/** A document's place among the versions of its instrument (undefined when it has no other version). */
function versionRank(lineage: Lineage | undefined, docId: string): { chain: string; rank: number } | undefined {
  const versions = lineage?.versions ?? [];
  if (versions.length < 2) return undefined;
  return { chain: (versions[0] as { docId: string }).docId, rank: versions.findIndex((v) => v.docId === docId) };
}

const ARTICLE_RANGE_RE = /^第([^条—]{1,8})条(?:—第([^条]{1,8})条)?$/u;

/** The articles a passage's clause covers ("第一条—第二条" → [1, 2]), or its label when it is no article. */
function clauseSpan(clause: string): { from: number; to: number } | string {
  const m = ARTICLE_RANGE_RE.exec(clause);
  const from = m ? parseNumeral(m[1] as string) : undefined;
  const to = m?.[2] ? parseNumeral(m[2]) : from;
  return from !== undefined && to !== undefined ? { from, to } : clause;
}

/** Whether a newer passage holds the article an older one starts with (第一条—第二条 holds 第一条), or has its label. */
function holdsClause(newer: { from: number; to: number } | string, older: { from: number; to: number } | string): boolean {
  if (typeof newer === 'string' || typeof older === 'string') return newer === older;
  return newer.from <= older.from && older.from <= newer.to;
}

/**
 * Reorders ranked candidates so that no passage of an older version comes before a passage of a
 * newer version of the same instrument holding the article it starts with (or with its clause label):
 * the newer one takes the older one's place, and the older one and everything between move down
 * one. Others keep their order.
 */
export function preferCurrentVersions<T>(ranked: readonly T[], passageOf: (item: T) => { docId: string; clause: string }, summaries: ReadonlyMap<string, DocumentSummary | { meta: ValidMeta }>): T[] {
  const out = [...ranked];
  const keyOf = (item: T): { chain: string; rank: number; clause: { from: number; to: number } | string } | undefined => {
    const p = passageOf(item);
    const place = versionRank(summaries.get(p.docId)?.meta.lineage, p.docId);
    // A passage before the first section ('' clause: the title and head) is one too: each version has one.
    return place ? { ...place, clause: clauseSpan(p.clause) } : undefined;
  };
  const keys = out.map(keyOf);
  for (let i = 0; i < out.length; i += 1) {
    const here = keys[i];
    if (!here) continue;
    // The newest version's passage of the same clause further down takes this place.
    let best = -1;
    for (let j = i + 1; j < out.length; j += 1) {
      const there = keys[j];
      if (there && there.chain === here.chain && holdsClause(there.clause, here.clause) && there.rank > (best >= 0 ? (keys[best] as { rank: number }).rank : here.rank)) best = j;
    }
    if (best < 0) continue;
    const [item] = out.splice(best, 1);
    const [key] = keys.splice(best, 1);
    out.splice(i, 0, item as T);
    keys.splice(i, 0, key);
  }
  return out;
}

/** The newest version of a document's instrument, when that is another document. */
function currentVersionOf(meta: ValidMeta): string | undefined {
  const versions = meta.lineage?.versions ?? [];
  const newest = versions[versions.length - 1]?.docId;
  return newest && newest !== meta.docId ? newest : undefined;
}

/**
 * An answer that cites a superseded text says so, and cites the matching clause of the current
 * version as a further citation ("现行文本…第X条：“…”"), or says the current version has no such clause.
 * Returns the answer unchanged when it cites no superseded text (or abstains).
 */
export async function citeCurrentVersions(store: KnowledgeStore, answer: Answer, today = isoToday()): Promise<Answer> {
  if (answer.abstained) return answer;
  // A citation of the document itself (an empty quote: a fact of its metadata, 这一版还有效吗) quotes no clause to match;
  // nor does a version's head cited for its history (the answer to 哪一版 names the current text already).
  const old = answer.citations.filter((c) => c.validity?.status === 'superseded' && c.end > c.start && c.fact?.kind !== 'versions');
  if (old.length === 0) return answer;
  const docs = await store.documents.getMany([...new Set(old.map((c) => c.docId))]);
  const currentIds = [...new Set([...docs.values()].map((d) => currentVersionOf(d.meta)).filter((id): id is string => id !== undefined))];
  const current = await store.documents.getMany(currentIds);
  const citations = [...answer.citations];
  const notes: string[] = [];
  const seen = new Set<string>();
  for (const c of old) {
    const doc = docs.get(c.docId);
    const nowId = doc && currentVersionOf(doc.meta);
    const now = nowId ? current.get(nowId) : undefined;
    if (!doc || !now) continue;
    const match = matchingClause(doc, c.start, now);
    const key = `${now.meta.docId}\u0000${match?.to?.start ?? -1}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const said = `《${now.meta.title}》${now.meta.dateIssued ? `（${chineseDate(now.meta.dateIssued)}）` : ''}`;
    if (!match?.to) {
      notes.push(`注意：[${c.n}] 所引为旧文本，现行文本${said}中没有与之对应的条文。`);
      continue;
    }
    const passages = await store.passages.ofDocument(now.meta.docId);
    const holder = passages.find((p) => p.start <= (match.to as { start: number }).start && (match.to as { start: number }).start < p.end);
    const n = citations.length + 1;
    const cited: Citation = {
      n,
      passageId: holder?.passageId ?? '',
      docId: now.meta.docId,
      title: now.meta.title,
      issuer: now.meta.issuer,
      breadcrumb: holder?.breadcrumb ?? `《${now.meta.title}》 › ${match.to.clause}`,
      clause: match.to.clause,
      quote: match.to.text,
      start: match.to.start,
      end: match.to.end,
      validity: judgeValidity(now.meta, today),
    };
    if (now.meta.docNumber) cited.docNumber = now.meta.docNumber;
    if (now.meta.dateIssued) cited.dateIssued = now.meta.dateIssued;
    citations.push(cited);
    const how = match.status === 'unchanged' ? '内容未变' : '已修改';
    notes.push(`注意：[${c.n}] 所引为旧文本；现行文本${said}${match.to.clause}（${how}）：“${match.to.text.replace(/\s+/gu, ' ').slice(0, 160)}${match.to.text.length > 160 ? '…' : ''}”[${n}]`);
  }
  if (notes.length === 0) return answer;
  return { ...answer, answer: `${answer.answer}\n${notes.join('\n')}`, citations };
}

/**
 * 新旧对照 of two documents in the store (`from` the older, `to` the newer, as a rule). Unknown ids
 * are `unknown_doc`; the same id twice and documents over the size bound are `invalid_input`.
 */
export async function compareVersions(store: KnowledgeStore, from: string, to: string): Promise<VersionDiff> {
  if (from === to) throw new KbError(ERROR_CODES.INVALID_INPUT, `from and to are the same document ("${from.slice(0, 100)}"); name two versions to compare`);
  const docs = await store.documents.getMany([from, to]);
  for (const id of [from, to]) {
    if (!docs.has(id)) throw unknownDocError(id);
  }
  return diffDocuments(docs.get(from) as StoredDocument, docs.get(to) as StoredDocument);
}
