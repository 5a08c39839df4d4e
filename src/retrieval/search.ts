/**
 * Hybrid search over one KnowledgeIndex snapshot: BM25 and dense candidates, fused; documents the
 * query names become a filter; clause references (云浮第十条, 专栏3) are looked up in the section
 * tree and ranked first; results spread across documents when the query names none.
 */
import type { Embedder } from '../embeddings/embedder.js';
import { isoToday } from '../shared/dates.js';
import { ERROR_CODES, KbError, unknownDocError } from '../shared/errors.js';
import { diversify, fuse, interleave, type FusionMethod } from './fusion.js';
import { isEmptyFilter } from '../storage/filters.js';
import { compareReadingOrder } from '../storage/passage-fields.js';
import type { DocumentFilter, DocumentSummary, KnowledgeStore, ScoredPassage, StoredPassage } from '../storage/types.js';
import { createTermNeighbours, DEFAULT_EXPANSION, type Expansion, type ExpansionOptions } from './expansion.js';
import { quantityAsk } from './evidence.js';
import { framesQuestion, questionFrames } from './answer/words.js';
import { buildAliasTable, resolveClauseRefs, understandQuery, type AliasTable, type QueryUnderstanding } from './query.js';
import { preferCurrentVersions } from './versions.js';
import { DEFAULT_SEARCH_K, isSearchK, MAX_QUERY_CHARS, SEARCH_K_RULE } from './search-limits.js';

export { MAX_QUERY_CHARS };

export type SearchMode = 'hybrid' | 'bm25' | 'dense';

export interface SearchOptions {
  /** Results wanted (1–MAX_SEARCH_K = 50, default DEFAULT_SEARCH_K = 8; search-limits.ts). */
  k?: number;
  docIds?: string[];
  /** Substring of the issuer (深圳市人民政府, 国务院). */
  issuer?: string;
  /** ISO dates; a document's dateIssued (else listingDate) must fall inside. */
  dateFrom?: string;
  dateTo?: string;
  mode?: SearchMode;
  /**
   * Only documents in force on this date (YYYY-MM-DD). Documents whose validity is unknown are
   * kept: they carry `validity.status: 'unknown'`, so the reader sees it.
   */
  validOn?: string;
  /** Only documents in force today (the tuning's `today`); `validOn` wins when both are set. */
  inForce?: boolean;
  /** Extend a hit that is one part of a split clause to the whole clause (all its parts). */
  mergeClause?: boolean;
  /**
   * Each document of a restricted scope (at most 8) is answered on its own (a compare row, one
   * part of a 各/分别 answer): a question word one of them never uses is searched with its nearest
   * words as well (电费 → 电价), as a word the whole index lacks is, even when another document uses it.
   */
  standIns?: boolean;
}

export interface SearchTuning {
  fusion: FusionMethod;
  /** Weight of the dense list (BM25 = 1). */
  denseWeight: number;
  /** Candidates taken from each list. */
  candidates: number;
  /** Same-document decay when the query names no document (1 = off). */
  diversityDecay: number;
  /** Use named documents as a filter (else only as a boost). */
  filterNamedDocs: boolean;
  /**
   * Weight of the phrase list: candidates that write two adjacent words of the question as the
   * question does (投资基金, 无线上网), scored by the words' idf (0 disables it).
   */
  phraseWeight: number;
  /** Word-vector query expansion for BM25; undefined disables it. */
  expansion: ExpansionOptions | undefined;
  /** The date `inForce` judges validity on (YYYY-MM-DD); default: today. */
  today?: string;
}

export const DEFAULT_TUNING: SearchTuning = {
  fusion: 'score',
  denseWeight: 0.3,
  candidates: 60,
  // Gentle: a list question's answering documents may each need their second or third passage in the
  // top 5 (0.85 pushed them below other documents' weaker best; 1.0 lets one document crowd the answer).
  diversityDecay: 0.95,
  filterNamedDocs: true,
  phraseWeight: 0.05,
  expansion: DEFAULT_EXPANSION,
};

export interface SearchHit {
  rank: number;
  passageId: string;
  docId: string;
  title: string;
  issuer: string;
  breadcrumb: string;
  clause: string;
  text: string;
  start: number;
  end: number;
  score: number;
  /** Which signals found it: bm25, dense, clause. */
  matchedBy: ('bm25' | 'dense' | 'clause')[];
  /** Set when the clause was split: part k of n (before any mergeClause). */
  part?: { index: number; of: number };
  bm25Score?: number;
  denseScore?: number;
}

export interface SearchResponse {
  query: string;
  results: SearchHit[];
  understanding: QueryUnderstanding;
  /** Terms added to the BM25 query from word-vector neighbours. */
  expansions: Expansion[];
  /** Documents the search was restricted to (filters and named documents), empty when all. */
  scope: string[];
}

/** A search service bound to one store view: alias table and term neighbours are built once. */
export interface Searcher {
  readonly store: KnowledgeStore;
  aliases(): Promise<AliasTable>;
  /** Every document's summary by docId, read once per store version. */
  summaries(): Promise<ReadonlyMap<string, DocumentSummary>>;
  search(query: string, options?: SearchOptions): Promise<SearchResponse>;
  /**
   * Loads now what the first search would load (the catalog and alias table, the vocabulary's
   * vectors for term-neighbour expansion): a server calls it before it says ready.
   */
  warmUp(): Promise<{ documents: number; vocabularyWords: number }>;
}

export function validateQuery(query: unknown): string {
  if (typeof query !== 'string' || query.trim() === '') throw new KbError(ERROR_CODES.INVALID_INPUT, 'query must be a non-empty string');
  if (query.length > MAX_QUERY_CHARS) throw new KbError(ERROR_CODES.INVALID_INPUT, `query is ${query.length} characters; the limit is ${MAX_QUERY_CHARS}`);
  return query.trim();
}

interface Catalog {
  summaries: Map<string, DocumentSummary>;
  aliases: AliasTable;
  aliasTerms: Set<string>;
  knownIds: string[];
  known: Set<string>;
  /**
   * Query understanding by query (it depends on the query and the alias table only), and its
   * expansions once asked for (the understood terms' neighbours in this vocabulary).
   */
  understood: Map<string, Understood>;
  /** Passages inside the referenced clauses, by clause references and scope. */
  clauses: Map<string, ReadonlySet<string>>;
}

interface Understood {
  understanding: QueryUnderstanding;
  /** The words that shape this question where they stand (`questionFrames`). */
  frames: ReadonlySet<string>;
  expansions?: Promise<Expansion[]>;
  /** Per scope (docIds joined): the expansions with stand-ins for the words a document in scope lacks. */
  scoped?: Map<string, Promise<Expansion[]>>;
}

/** Scopes of at most this many documents get stand-ins (`SearchOptions.standIns`) for the words one of them lacks. */
const STAND_IN_SCOPE_MAX = 8;
const SCOPED_EXPANSIONS_MAX = 16;

// Bounded memos of a catalog: questions recur (and jieba runs three times to understand one).
const UNDERSTOOD_MAX = 1024;
const CLAUSES_MAX = 256;

/** `map.get(key)`, moved to the most recently used end. */
function recall<K, V>(map: Map<K, V>, key: K): V | undefined {
  const hit = map.get(key);
  if (hit !== undefined) {
    map.delete(key);
    map.set(key, hit);
  }
  return hit;
}

function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): V {
  if (map.size >= max) map.delete(map.keys().next().value as K);
  map.set(key, value);
  return value;
}

/** A candidate passage: its fused score and the order ties are broken in (docId, then reading order). */
type Keyed = { key: number; score: number; ranks: (number | undefined)[]; scores: (number | undefined)[] };

export function createSearcher(store: KnowledgeStore, embedder: Embedder, tuning: Partial<SearchTuning> = {}): Searcher {
  const t: SearchTuning = { ...DEFAULT_TUNING, ...tuning };
  let catalog: Promise<Catalog> | undefined;
  const loadCatalog = (): Promise<Catalog> => {
    catalog ??= store.documents.list().then((docs) => {
      const aliases = buildAliasTable(docs);
      const knownIds = docs.map((d) => d.meta.docId).sort();
      // Place and document names are never expanded (惠州 must not pull in 东莞).
      return { summaries: new Map(docs.map((d) => [d.meta.docId, d] as const)), aliases, aliasTerms: new Set(aliases.entries.map((e) => e.alias)), knownIds, known: new Set(knownIds), understood: new Map(), clauses: new Map() };
    });
    // A failed read is not remembered: the next search tries again.
    catalog.catch(() => {
      catalog = undefined;
    });
    return catalog;
  };
  const neighbours = createTermNeighbours(() => store.lexical.vocabulary(), embedder);

  /** The documents the filters keep (undefined: no filter). */
  const allowedDocs = async (options: SearchOptions, cat: Catalog): Promise<Set<string> | undefined> => {
    if (options.docIds && options.docIds.length > 0) {
      for (const id of options.docIds) {
        if (!cat.known.has(id)) throw unknownDocError(id, cat.knownIds);
      }
    }
    const filter: DocumentFilter = {};
    if (options.docIds && options.docIds.length > 0) filter.docIds = options.docIds;
    if (options.issuer) filter.issuer = options.issuer.trim();
    if (options.validOn !== undefined || options.inForce) filter.validOn = options.validOn ?? t.today ?? isoToday();
    if (options.dateFrom) filter.dateFrom = options.dateFrom;
    if (options.dateTo) filter.dateTo = options.dateTo;
    if (isEmptyFilter(filter)) return undefined;
    return new Set(await store.documents.select(filter));
  };

  const expansionsOf = (understood: Understood, options: ExpansionOptions, cat: Catalog): Promise<Expansion[]> => {
    if (!understood.expansions) {
      // The parts of this question's interrogative words (一年 of 哪一年) are not expanded, as words that name a document are not.
      const pending = neighbours.expand(understood.understanding.terms, options, new Set([...cat.aliasTerms, ...understood.frames]));
      understood.expansions = pending;
      // A failed lookup is not remembered: the next search tries again.
      pending.catch(() => {
        if (understood.expansions === pending) delete understood.expansions;
      });
    }
    return understood.expansions;
  };

  /**
   * The expansions for a search restricted to `scope`: a document in scope that never uses a word of
   * the question (电费) is searched with the word's nearest words (电价), as a word the index lacks
   * is — whether or not another document in the index, or in scope, uses it.
   */
  const scopedExpansionsOf = (understood: Understood, options: ExpansionOptions, cat: Catalog, scope: readonly string[]): Promise<Expansion[]> => {
    if (scope.length === 0 || scope.length > STAND_IN_SCOPE_MAX) return expansionsOf(understood, options, cat);
    const key = scope.join('\u0000');
    const memo = (understood.scoped ??= new Map());
    const known = memo.get(key);
    if (known) return known;
    const pending = (async (): Promise<Expansion[]> => {
      const base = await expansionsOf(understood, options, cat);
      const terms = [...new Set(understood.understanding.terms)].filter((term) => [...term].length >= 2 && !cat.aliasTerms.has(term));
      if (terms.length === 0) return base;
      const absent = new Set<string>();
      for (const docId of scope) {
        const stats = await store.lexical.stats(terms, { docIds: [docId] });
        for (const [term, s] of stats.terms) if (s.passageIds.length === 0) absent.add(term);
      }
      if (absent.size === 0) return base;
      const asked = new Set(understood.understanding.terms);
      const merged = new Map(base.map((e) => [e.term, e] as const));
      for (const e of await neighbours.expand([...absent], options, cat.aliasTerms, absent)) {
        const prev = merged.get(e.term);
        if (!asked.has(e.term) && (!prev || prev.weight < e.weight)) merged.set(e.term, e);
      }
      return [...merged.values()];
    })();
    remember(memo, key, pending, SCOPED_EXPANSIONS_MAX);
    // A failed lookup is not remembered: the next search tries again.
    pending.catch(() => {
      if (memo.get(key) === pending) memo.delete(key);
    });
    return pending;
  };

  /** The passages inside the nodes the clause references name, in the scope's documents (all when none). */
  const clausePassages = async (refs: QueryUnderstanding['clauseRefs'], scope: readonly string[], cat: Catalog): Promise<ReadonlySet<string>> => {
    const key = `${JSON.stringify(refs)}\u0000${scope.join('\u0000')}`;
    const known = recall(cat.clauses, key);
    if (known) return known;
    const clauseIds = new Set<string>();
    const docs = await store.documents.getMany(scope.length > 0 ? scope : cat.knownIds);
    for (const [docId, doc] of docs) {
      const nodes = resolveClauseRefs(doc.tree, refs);
      if (nodes.length === 0) continue;
      for (const p of await store.passages.ofDocument(docId)) if (nodes.some((node) => p.start < node.end && p.end > node.start)) clauseIds.add(p.passageId);
    }
    return remember(cat.clauses, key, clauseIds, CLAUSES_MAX);
  };

  const toHit = (p: StoredPassage, doc: DocumentSummary | undefined, score: number, rank: number, matchedBy: SearchHit['matchedBy'], bm25Score?: number, denseScore?: number): SearchHit => {
    const hit: SearchHit = {
      rank,
      passageId: p.passageId,
      docId: p.docId,
      title: doc?.meta.title ?? '',
      issuer: doc?.meta.issuer ?? '',
      breadcrumb: p.breadcrumb,
      clause: p.clause,
      text: p.text,
      start: p.start,
      end: p.end,
      score: Number(score.toFixed(6)),
      matchedBy,
    };
    if (p.part) hit.part = p.part;
    if (bm25Score !== undefined) hit.bm25Score = Number(bm25Score.toFixed(6));
    if (denseScore !== undefined) hit.denseScore = Number(denseScore.toFixed(6));
    return hit;
  };

  return {
    store,
    aliases: async () => (await loadCatalog()).aliases,
    summaries: async () => (await loadCatalog()).summaries,
    async warmUp() {
      const [cat, vocabularyWords] = await Promise.all([loadCatalog(), t.expansion ? neighbours.warmUp() : 0]);
      return { documents: cat.knownIds.length, vocabularyWords };
    },
    async search(rawQuery, options = {}) {
      const query = validateQuery(rawQuery);
      const k = options.k ?? DEFAULT_SEARCH_K;
      if (!isSearchK(k)) throw new KbError(ERROR_CODES.INVALID_INPUT, `k ${SEARCH_K_RULE}; got ${String(k)}`);
      const mode = options.mode ?? 'hybrid';
      const cat = await loadCatalog();
      // Shared between responses with the same query: nothing downstream writes to them.
      const understood = recall(cat.understood, query) ?? remember(cat.understood, query, { understanding: understandQuery(query, cat.aliases), frames: questionFrames(query) }, UNDERSTOOD_MAX);
      const { understanding } = understood;
      let allowed = await allowedDocs(options, cat);
      const named = understanding.namedDocs.map((d) => d.docId).filter((id) => !allowed || allowed.has(id));
      if (t.filterNamedDocs && named.length > 0) allowed = new Set(named);
      const scope = allowed ? [...allowed].sort() : [];
      if (allowed && allowed.size === 0) return { query, results: [], understanding, expansions: [], scope };
      const filter = allowed ? { docIds: scope } : undefined;
      const expansions = mode !== 'dense' && t.expansion ? await (options.standIns ? scopedExpansionsOf(understood, t.expansion, cat, scope) : expansionsOf(understood, t.expansion, cat)) : [];

      const candidates = Math.max(t.candidates, k * 3);
      const idLists: ScoredPassage[][] = [];
      const weights: number[] = [];
      const [lexical, dense] = await Promise.all([
        mode !== 'dense'
          ? store.lexical.search([...understanding.terms, ...expansions.map((e) => e.term)], candidates, { weights: new Map(expansions.map((e) => [e.term, e.weight])), ...(filter ? { filter } : {}) })
          : undefined,
        // A query of words the model does not know has no direction (a zero or NaN vector): no dense list.
        mode !== 'bm25' ? embedder.embedQuery(query).then((qv) => (hasDirection(qv) ? store.vectors.search(qv, candidates, filter) : [])) : undefined,
      ]);
      if (lexical) {
        idLists.push(lexical);
        weights.push(1);
      }
      if (dense) {
        idLists.push(dense);
        weights.push(mode === 'dense' ? 1 : t.denseWeight);
      }

      // Clause references (云浮第十条, 专栏3): passages inside the referenced node come first.
      const clauseIds = understanding.clauseRefs.length > 0 ? await clausePassages(understanding.clauseRefs, scope, cat) : new Set<string>();
      // A question asking where a named document comes from (网址, 出自哪个网站): the passages of those
      // documents that state a web address lead, as a clause reference's passages do.
      const urlIds: string[] = [];
      if (scope.length > 0 && scope.length <= 3 && quantityAsk(query)?.kind === 'url') {
        for (const docId of scope) for (const p of await store.passages.ofDocument(docId)) if (URL_RE.test(p.text)) urlIds.push(p.passageId);
      }

      // Every candidate's fields, once; keys order them as the index does (docId, then reading order).
      // Clause passages are candidates only when few enough to lead (below); more (第3条 of every
      // document) only mark the hits that are among them.
      const ids = [...new Set([...idLists.flat().map((h) => h.passageId), ...(clauseIds.size <= CLAUSE_LEAD_MAX ? clauseIds : []), ...urlIds])];
      const fetched = await store.passages.get(ids);
      fetched.sort(compareReadingOrder);
      const keyOf = new Map(fetched.map((p, i) => [p.passageId, i] as const));
      const lists = idLists.map((list) => list.flatMap((h) => (keyOf.has(h.passageId) ? [{ key: keyOf.get(h.passageId) as number, score: h.score }] : [])));

      const phrases = mode === 'hybrid' && t.phraseWeight > 0 ? await questionPhrasesIn(store, query, understanding.terms) : [];
      if (phrases.length > 0) {
        const keys = new Set(lists.flatMap((l) => l.map((x) => x.key)));
        const list: { key: number; score: number }[] = [];
        for (const key of keys) {
          const text = (fetched[key] as StoredPassage).text;
          const score = phrases.reduce((a, p) => a + (text.includes(p.text) ? p.weight : 0), 0);
          if (score > 0) list.push({ key, score });
        }
        lists.push(list);
        weights.push(t.phraseWeight);
      }
      let fused: Keyed[] = fuse(lists, { method: t.fusion, weights });
      const lead = (leadIds: Iterable<string>, max: number): Set<number> => {
        const keys = new Set([...leadIds].map((id) => keyOf.get(id)).filter((x): x is number => x !== undefined));
        if (keys.size === 0 || keys.size > max) return new Set();
        const top = fused[0]?.score ?? 1;
        const present = new Set(fused.map((f) => f.key));
        for (const key of keys) if (!present.has(key)) fused.push({ key, score: 0, ranks: lists.map(() => undefined), scores: lists.map(() => undefined) });
        fused = fused.map((f) => (keys.has(f.key) ? { ...f, score: f.score + top + 1 } : f)).sort((a, b) => b.score - a.score || a.key - b.key);
        return keys;
      };
      // Too many to lead (counted over all of them, not only those among the hits): they only mark hits.
      const clauseKeys = clauseIds.size > 0 && clauseIds.size <= CLAUSE_LEAD_MAX ? lead(clauseIds, CLAUSE_LEAD_MAX) : new Set<number>();
      if (clauseIds.size > CLAUSE_LEAD_MAX) for (const id of clauseIds) if (keyOf.has(id)) clauseKeys.add(keyOf.get(id) as number);
      if (urlIds.length > 0) lead(urlIds, 6);

      // Several named documents ("国家和深圳各有什么说法"): alternate between them, best of each first.
      // None named: spread results across documents.
      const docOf = (f: { key: number }): string => (fetched[f.key] as StoredPassage).docId;
      // Documents the question sets aside (除了国务院那个规划，还有哪些…) are no result.
      const aside = new Set((understanding.excludedDocs ?? []).map((d) => d.docId));
      if (aside.size > 0) fused = fused.filter((f) => !aside.has(docOf(f)));
      // Several named documents: those named by different words (one word naming two is no comparison).
      if (new Set(understanding.namedDocs.filter((d) => named.includes(d.docId)).map((d) => d.by)).size >= 2) {
        // Documents ordered by their best hit.
        const order = [...new Set(fused.map(docOf))].filter((d) => named.includes(d));
        fused = interleave(fused, docOf, order);
      } else if (named.length === 0 && t.diversityDecay < 1 && !(options.docIds?.length === 1)) {
        fused = diversify(fused, docOf, t.diversityDecay, Math.min(fused.length, k * 2));
      }

      // Versions of one instrument (issue 21): a newer version's passage of a clause ranks before an older one's.
      fused = preferCurrentVersions(fused, (f) => fetched[f.key] as StoredPassage, cat.summaries);
      const summaries = cat.summaries;
      const results = fused.slice(0, k).map((f, i) => {
        const p = fetched[f.key] as StoredPassage;
        const matchedBy: SearchHit['matchedBy'] = [];
        const bmIdx = mode === 'dense' ? -1 : 0;
        const denseIdx = mode === 'bm25' ? -1 : mode === 'dense' ? 0 : 1;
        if (bmIdx >= 0 && f.ranks[bmIdx] !== undefined) matchedBy.push('bm25');
        if (denseIdx >= 0 && f.ranks[denseIdx] !== undefined) matchedBy.push('dense');
        if (clauseKeys.has(f.key)) matchedBy.push('clause');
        return toHit(p, summaries.get(p.docId), f.score, i + 1, matchedBy, bmIdx >= 0 ? f.scores[bmIdx] : undefined, denseIdx >= 0 ? f.scores[denseIdx] : undefined);
      });
      if (options.mergeClause) await mergeWholeClauses(store, results);
      return { query, results, understanding, expansions, scope };
    },
  };
}

/** The question's phrases (below), weighted by the idf of their words in the index. */
async function questionPhrasesIn(store: KnowledgeStore, query: string, terms: readonly string[]): Promise<{ text: string; weight: number }[]> {
  // No phrase, no round trip to the index. The idf is the whole index's, as BM25's is.
  if (questionPhrases(query, terms).length === 0) return [];
  const idfs = await store.lexical.idf(terms);
  return questionPhrases(query, terms, (term) => idfs.get(term) ?? 0);
}

/** Whether a vector points somewhere: finite, and not all zeros. */
export function hasDirection(v: Float32Array): boolean {
  let any = false;
  for (const x of v) {
    if (!Number.isFinite(x)) return false;
    if (x !== 0) any = true;
  }
  return any;
}

/**
 * Two adjacent words of the query written together in it (投资 基金 → 投资基金), weighted by their
 * idf: a passage that writes them the same way answers more closely than one with them apart.
 */
export function questionPhrases(query: string, terms: readonly string[], idf: (term: string) => number = () => 1): { text: string; weight: number }[] {
  const q = query.normalize('NFKC').toLowerCase();
  const out = new Map<string, number>();
  const frames = questionFrames(q);
  const framing = (t: string): boolean => framesQuestion(t) || frames.has(t);
  for (let i = 0; i + 1 < terms.length; i += 1) {
    const a = terms[i] as string;
    const b = terms[i + 1] as string;
    if (a.length < 2 || b.length < 2 || framing(a) || framing(b) || !CJK_ONLY.test(a + b)) continue;
    if (q.includes(a + b) && !terms.includes(a + b)) out.set(a + b, idf(a) + idf(b));
  }
  return [...out].map(([text, weight]) => ({ text, weight }));
}

const URL_RE = /https?:\/\/|www\./u;
/** Clause passages lead the results when at most this many (a reference that every document has leads nothing). */
const CLAUSE_LEAD_MAX = 12;
const CJK_ONLY = /^[\u4e00-\u9fff]+$/u;

/** Widens each hit that is part k of n of a split clause to all n parts (text stays the body slice). */
async function mergeWholeClauses(store: KnowledgeStore, hits: readonly SearchHit[]): Promise<void> {
  const split = hits.filter((h) => h.part);
  if (split.length === 0) return;
  // Each document's passages and body read once, whatever the number of its hits.
  const docIds = [...new Set(split.map((h) => h.docId))];
  const [lists, docs] = await Promise.all([Promise.all(docIds.map((id) => store.passages.ofDocument(id))), store.documents.getMany(docIds)]);
  const passagesOf = new Map(docIds.map((id, i) => [id, lists[i] as StoredPassage[]] as const));
  for (const hit of split) mergeWholeClause(hit, passagesOf.get(hit.docId) ?? [], docs.get(hit.docId)?.body);
}

function mergeWholeClause(hit: SearchHit, passages: readonly StoredPassage[], body: string | undefined): void {
  const pos = passages.findIndex((q) => q.passageId === hit.passageId);
  const p = passages[pos];
  if (pos < 0 || !p?.part) return;
  const same = (q: StoredPassage | undefined): q is StoredPassage => !!q && q.docId === p.docId && !!q.part && q.part.of === p.part?.of && q.breadcrumb === p.breadcrumb;
  let first = pos;
  while (same(passages[first - 1]) && (passages[first - 1] as StoredPassage).part!.index < passages[first]!.part!.index) first -= 1;
  let last = pos;
  while (same(passages[last + 1]) && (passages[last + 1] as StoredPassage).part!.index > passages[last]!.part!.index) last += 1;
  if (first === last || body === undefined) return;
  hit.start = (passages[first] as StoredPassage).start;
  hit.end = (passages[last] as StoredPassage).end;
  hit.text = body.slice(hit.start, hit.end);
}
