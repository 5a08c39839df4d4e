/**
 * The retrieval layer as transports use it: search and ask over one snapshot.
 */
import type { Embedder } from '../embeddings/embedder.js';
import { abstains, composeAnswer, evidenceRequest, type Answer, type AnswerTuning } from './answer.js';
import { isLocalDocument } from './answer/decide.js';
import { answerForm } from './answer/question.js';
import { listScope, type ListScope } from './answer/words.js';
import type { DocumentSummary, EvidenceView, KnowledgeStore, StoredDocument, StoredPassage } from '../storage/types.js';
import { resolveReferences, type ClauseReference } from './references.js';
import { generateWithLlm, type FetchLike, type LlmConfig } from './llm.js';
import { rememberQueryVectors } from './query-vectors.js';
import { createSearcher, type SearchHit, type SearchOptions, type SearchResponse, type SearchTuning, type Searcher } from './search.js';
import { citeCurrentVersions } from './versions.js';

export interface KnowledgeService {
  readonly store: KnowledgeStore;
  readonly searcher: Searcher;
  search(query: string, options?: SearchOptions): Promise<SearchResponse>;
  /** Whether the evidence in a response is too weak to answer (the same test `ask` applies). */
  abstains(response: SearchResponse): Promise<boolean>;
  /** The extractive answer to a response (what `ask` composes after searching). */
  answer(response: SearchResponse): Promise<Answer>;
  /** Every document's summary by docId (read once per service: one service serves one store version). */
  catalog(): Promise<ReadonlyMap<string, DocumentSummary>>;
  /** A passage with up to `around` passages of the same document on each side, its document and the references in it. */
  passage(passageId: string, around?: number): Promise<PassageContext | undefined>;
  /**
   * The search an answer is decided on, and the evidence view it reads: a list question (哪些城市…)
   * searches each document on its own; one naming several documents side by side (云浮和深圳各…)
   * searches with stand-ins for the words a document never uses.
   */
  respond(question: string, options?: SearchOptions): Promise<{ response: SearchResponse; view: EvidenceView }>;
  /** Search, then decide and compose the extractive answer (outcome `answer`, `related` or `not_found`). */
  ask(question: string, options?: SearchOptions): Promise<{ answer: Answer; response: SearchResponse }>;
}

export interface PassageContext {
  passage: StoredPassage;
  /** Nearest first. */
  before: StoredPassage[];
  after: StoredPassage[];
  document: StoredDocument;
  references: ClauseReference[];
}

export interface ServiceTuning {
  search?: Partial<SearchTuning>;
  answer?: Partial<AnswerTuning>;
  /** When set, an LLM phrases answers the extractive layer found evidence for. */
  llm?: LlmConfig;
  fetch?: FetchLike;
}

export function createKnowledgeService(store: KnowledgeStore, embedder: Embedder, tuning: ServiceTuning = {}): KnowledgeService {
  const searcher = createSearcher(store, rememberQueryVectors(embedder), tuning.search);
  const respond = async (question: string, options: SearchOptions = {}): Promise<{ response: SearchResponse; view: EvidenceView }> => {
    let response = await searcher.search(question, { k: 8, ...options });
    const scope = response.understanding.namedDocs.length === 0 ? listScope(response.query) : undefined;
    const form = answerForm(response.query, response.understanding.namedDocs, scope);
    if (form === 'list') response = await searchEachDocument(searcher, question, response, options, scope);
    // Parts: each named document searched on its own, as a list's documents are — a place names a dozen documents in a library, and 8 joint results shared among them left the one on the topic a passage or none.
    else if (form === 'parts') response = await searchEachDocument(searcher, question, await searcher.search(question, { k: 8, ...options, standIns: true }), { ...options, standIns: true }, undefined);
    return { response, view: await store.evidence(evidenceRequest(response)) };
  };
  const answer = async (response: SearchResponse): Promise<Answer> => composeAnswer(await store.evidence(evidenceRequest(response)), response, tuning.answer);
  return {
    store,
    searcher,
    async passage(passageId, around = 1) {
      const [hit] = await store.passages.get([passageId]);
      if (!hit) return undefined;
      const [document, siblings] = await Promise.all([store.documents.get(hit.docId), store.passages.ofDocument(hit.docId)]);
      if (!document) return undefined;
      const pos = siblings.findIndex((p) => p.passageId === passageId);
      const passage = siblings[pos] ?? hit;
      return {
        passage,
        before: pos < 0 ? [] : siblings.slice(Math.max(0, pos - around), pos).reverse(),
        after: pos < 0 ? [] : siblings.slice(pos + 1, pos + 1 + around),
        document,
        references: resolveReferences(document, siblings, passage.start, passage.end),
      };
    },
    catalog: () => searcher.summaries(),
    search: (query, options) => searcher.search(query, options),
    abstains: async (response) => abstains(await store.evidence(evidenceRequest(response)), response, tuning.answer),
    answer,
    respond,
    async ask(question, options = {}) {
      const { response, view } = await respond(question, options);
      const extractive = await citeCurrentVersions(store, composeAnswer(view, response, tuning.answer), tuning.answer?.today);
      if (!tuning.llm || extractive.outcome !== 'answer') return { answer: extractive, response };
      const generated = await generateWithLlm(tuning.llm, response.query, response.results.slice(0, 5), view, extractive, tuning.fetch);
      return { answer: generated, response };
    },
  };
}

/** Documents searched one by one when a question names none: the best `per` passages of each. */
const PER_DOCUMENT = 3;
/** Documents searched one by one at most: beyond, those the joint search finds first. */
const MAX_DOCUMENTS_SEARCHED = 12;
const WIDE_K = 50;

/** The question without the words that state a list's scope (哪些城市… → 哪些…): they ask, they are not the subject. */
export function withoutScopeWords(question: string, scope: ListScope | undefined): string {
  if (!scope) return question;
  let out = question;
  for (const w of [...scope.words].sort((a, b) => b.length - a.length)) {
    const at = out.indexOf(w);
    if (at >= 0) out = out.slice(0, at) + out.slice(at + w.length);
  }
  return out.trim() === '' ? question : out;
}

/**
 * A list question's evidence: each document in scope searched on its own (its best passages),
 * documents in order of their best hit in the joint search. A scope of jurisdictions (哪些城市,
 * 各地) keeps local governments' documents only, and its words are not searched for; a kind of document named
 * after it (的大数据文件, 的规划) keeps the documents whose titles say so, where any does. With more
 * than 12 documents in scope, those the joint search (k 50) finds first are searched.
 */
export async function searchEachDocument(searcher: Searcher, question: string, joint: SearchResponse, options: SearchOptions = {}, scope: ListScope | undefined = listScope(question)): Promise<SearchResponse> {
  const summaries = await searcher.summaries();
  const text = withoutScopeWords(question, scope);
  let docs = joint.scope.length > 0 ? [...joint.scope] : [...summaries.keys()].sort();
  if (scope?.kind === 'local') {
    const city = scope.words.some((w) => /市|县|州/u.test(w));
    const local = docs.filter((d) => isLocalDocument(summaries.get(d)?.meta, city));
    if (local.length > 0) docs = local;
  }
  // Documents of the kind the question names (哪些城市的大数据文件 → titles with 大数据), where any is in scope.
  const titled = scope?.titled;
  if (titled) {
    const kind = docs.filter((d) => titled.every((any) => any.some((w) => summaries.get(d)?.meta.title.includes(w))));
    if (kind.length > 0) docs = kind;
  }
  const base = text === question && docs.length === (joint.scope.length || summaries.size) ? joint : await searcher.search(text, { ...options, k: 8, ...(docs.length < summaries.size ? { docIds: docs } : {}) });
  if (docs.length > MAX_DOCUMENTS_SEARCHED) {
    const wide = await searcher.search(text, { ...options, k: WIDE_K, ...(docs.length < summaries.size ? { docIds: docs } : {}) });
    docs = [...new Set(wide.results.map((h) => h.docId))].slice(0, MAX_DOCUMENTS_SEARCHED);
  }
  const order = new Map(base.results.map((h, i) => [h.docId, i] as const).reverse());
  const perDoc = await Promise.all(docs.map((docId) => searcher.search(text, { ...options, docIds: [docId], k: PER_DOCUMENT })));
  const groups = perDoc.filter((r) => r.results.length > 0).sort((a, b) => (order.get(a.results[0]?.docId ?? '') ?? 1e9) - (order.get(b.results[0]?.docId ?? '') ?? 1e9) || (b.results[0]?.score ?? 0) - (a.results[0]?.score ?? 0));
  const results: SearchHit[] = [];
  for (let round = 0; round < PER_DOCUMENT; round += 1) for (const g of groups) if (g.results[round]) results.push({ ...(g.results[round] as SearchHit), rank: results.length + 1 });
  // The question as asked; the expansions and words searched are the scoped search's.
  return { ...joint, results, expansions: base.expansions, understanding: { ...joint.understanding, terms: base.understanding.terms } };
}
