/**
 * Builds an answer's read model from the four storage interfaces, for a backend that does not hold
 * the whole index in memory (PostgreSQL): the hits' documents and passages, the scope's term
 * statistics, phrase lookups in the scope's bodies. Passages are numbered locally; `scopedPassages`
 * carries the scope's size and says every numbered posting is in scope, so the answer layer computes
 * the same statistics as over a snapshot.
 */
import { compareReadingOrder } from './passage-fields.js';
import type { DocumentStore, EvidenceRequest, EvidenceView, LexicalIndex, PassageFields, PassageStore, StoredDocument, TermView } from './types.js';

export async function loadEvidence(parts: { documents: DocumentStore; passages: PassageStore; lexical: LexicalIndex }, request: EvidenceRequest): Promise<EvidenceView> {
  const filter = request.scope.length > 0 ? { docIds: request.scope } : undefined;
  // Two-character words of each asked single character, as the answer layer reads them.
  const vocabulary = request.prefixes && request.prefixes.length > 0 ? await parts.lexical.vocabulary() : undefined;
  const prefixWords = vocabulary ? vocabulary.filter((w) => w.length === 2 && request.prefixes?.some((c) => w.startsWith(c))) : [];
  const [documents, hitPassages, stats, found] = await Promise.all([
    parts.documents.getMany([...new Set([...request.docIds, ...(request.withPassages ?? [])])]),
    parts.passages.get(request.passageIds),
    parts.lexical.stats([...new Set([...request.terms, ...prefixWords])], filter),
    request.phrases && request.phrases.length > 0 ? parts.documents.containing(request.phrases, filter?.docIds) : Promise.resolve(new Set<string>()),
  ]);
  const passages: PassageFields[] = [];
  const byId = new Map<string, number>();
  const add = (p: PassageFields): number => {
    let pos = byId.get(p.passageId);
    if (pos === undefined) {
      pos = passages.length;
      passages.push(p);
      byId.set(p.passageId, pos);
    }
    return pos;
  };
  // Numbered in index order (docId, then reading order), as a snapshot numbers them.
  const loaded = [...hitPassages];
  for (const docId of request.withPassages ?? []) loaded.push(...(await parts.passages.ofDocument(docId)));
  loaded.sort(compareReadingOrder);
  for (const p of loaded) add(p);
  // Passages named only by term postings are numbered after the loaded ones, never fetched: the
  // statistics are already those of the scope, and the answer layer reads nothing else of them.
  const numberOf = new Map<string, number>();
  const number = (id: string): number => {
    const loadedAt = byId.get(id);
    if (loadedAt !== undefined) return loadedAt;
    let n = numberOf.get(id);
    if (n === undefined) numberOf.set(id, (n = passages.length + numberOf.size));
    return n;
  };
  const postings = new Map<string, number[]>();
  for (const [term, s] of stats.terms) postings.set(term, s.passageIds.map(number));
  // In the index's vocabulary order, as a snapshot lists its terms.
  const asked = new Set([...request.terms, ...prefixWords]);
  const known = (vocabulary ?? [...asked]).filter((t) => asked.has(t) && stats.terms.has(t));
  const bm25: TermView = {
    size: stats.passages,
    has: (term) => stats.terms.has(term),
    idf: (term) => stats.terms.get(term)?.idf ?? 0,
    terms: () => known,
    passagesWith: (term) => postings.get(term) ?? [],
  };
  return { documents: documents as ReadonlyMap<string, StoredDocument>, passages, byId, bm25, scopedPassages: stats.scoped, hasPhrase: (phrase) => found.has(phrase) };
}
