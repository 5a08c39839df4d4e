/**
 * The retrieval layer as transports use it: search and ask over one snapshot.
 */
import type { Embedder } from '../embeddings/embedder.js';
import { abstains, composeAnswer, evidenceRequest, questionForm, type Answer, type AnswerTuning } from './answer.js';
import type { DocumentSummary, KnowledgeStore, StoredDocument, StoredPassage } from '../storage/types.js';
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
  /** Search, then compose the extractive answer (or abstain). */
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
    async ask(question, options = {}) {
      let response = await searcher.search(question, { k: 8, ...options });
      // A list question (哪些城市…) reads every document that answers: each document searched on its own.
      const form = questionForm(response.query, response.understanding.namedDocs);
      if (form === 'list') response = await searchEachDocument(searcher, question, response, options);
      // One part per named document (云浮和测试市各…): each is judged with stand-ins for the words it never uses.
      else if (form === 'parts') response = await searcher.search(question, { k: 8, ...options, standIns: true });
      const view = await store.evidence(evidenceRequest(response));
      const extractive = await citeCurrentVersions(store, composeAnswer(view, response, tuning.answer), tuning.answer?.today);
      if (!tuning.llm || extractive.abstained) return { answer: extractive, response };
      const generated = await generateWithLlm(tuning.llm, response.query, response.results.slice(0, 5), view, extractive, tuning.fetch);
      return { answer: generated, response };
    },
  };
}

/** Documents searched one by one when a question names none: the best `per` passages of each. */
const PER_DOCUMENT = 3;
const MAX_DOCUMENTS_SEARCHED = 50;

/**
 * A list question's evidence: each document in scope searched on its own (its best passages),
 * documents in order of their best hit in the joint search. With more than 50 documents in scope,
 * only those the joint search (k 50) found are searched.
 */
export async function searchEachDocument(searcher: Searcher, question: string, joint: SearchResponse, options: SearchOptions = {}): Promise<SearchResponse> {
  let docs = joint.scope.length > 0 ? [...joint.scope] : [...(await searcher.summaries()).keys()].sort();
  if (docs.length > MAX_DOCUMENTS_SEARCHED) {
    const wide = await searcher.search(question, { ...options, k: 50 });
    docs = [...new Set(wide.results.map((h) => h.docId))];
  }
  const order = new Map(joint.results.map((h, i) => [h.docId, i] as const).reverse());
  const perDoc = await Promise.all(docs.map((docId) => searcher.search(question, { ...options, docIds: [docId], k: PER_DOCUMENT })));
  const groups = perDoc.filter((r) => r.results.length > 0).sort((a, b) => (order.get(a.results[0]?.docId ?? '') ?? 1e9) - (order.get(b.results[0]?.docId ?? '') ?? 1e9) || (b.results[0]?.score ?? 0) - (a.results[0]?.score ?? 0));
  const results: SearchHit[] = [];
  for (let round = 0; round < PER_DOCUMENT; round += 1) for (const g of groups) if (g.results[round]) results.push({ ...(g.results[round] as SearchHit), rank: results.length + 1 });
  return { ...joint, results };
}
