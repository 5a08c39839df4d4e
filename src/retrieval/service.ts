/**
 * The retrieval layer as transports use it: search and ask over one snapshot.
 */
import type { Embedder } from '../embeddings/embedder.js';
import { abstains, composeAnswer, questionForm, type Answer, type AnswerTuning } from './answer.js';
import type { KnowledgeIndex } from './knowledge-index.js';
import { generateWithLlm, type FetchLike, type LlmConfig } from './llm.js';
import { rememberQueryVectors } from './query-vectors.js';
import { createSearcher, type SearchHit, type SearchOptions, type SearchResponse, type SearchTuning, type Searcher } from './search.js';

export interface KnowledgeService {
  readonly kb: KnowledgeIndex;
  readonly searcher: Searcher;
  search(query: string, options?: SearchOptions): Promise<SearchResponse>;
  /** Whether the evidence in a response is too weak to answer (the same test `ask` applies). */
  abstains(response: SearchResponse): boolean;
  /** Search, then compose the extractive answer (or abstain). */
  ask(question: string, options?: SearchOptions): Promise<{ answer: Answer; response: SearchResponse }>;
}

export interface ServiceTuning {
  search?: Partial<SearchTuning>;
  answer?: Partial<AnswerTuning>;
  /** When set, an LLM phrases answers the extractive layer found evidence for. */
  llm?: LlmConfig;
  fetch?: FetchLike;
}

export function createKnowledgeService(kb: KnowledgeIndex, embedder: Embedder, tuning: ServiceTuning = {}): KnowledgeService {
  const searcher = createSearcher(kb, rememberQueryVectors(embedder), tuning.search);
  return {
    kb,
    searcher,
    search: (query, options) => searcher.search(query, options),
    abstains: (response) => abstains(kb, response, tuning.answer),
    async ask(question, options = {}) {
      let response = await searcher.search(question, { k: 8, ...options });
      // A list question (哪些城市…) reads every document that answers: each document searched on its own.
      if (questionForm(response.query, response.understanding.namedDocs) === 'list') response = await searchEachDocument(searcher, question, response, options);
      const extractive = composeAnswer(kb, response, tuning.answer);
      if (!tuning.llm || extractive.abstained) return { answer: extractive, response };
      const answer = await generateWithLlm(tuning.llm, response.query, response.results.slice(0, 5), kb, extractive, tuning.fetch);
      return { answer, response };
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
  let docs = joint.scope.length > 0 ? [...joint.scope] : [...searcher.kb.documents.keys()];
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
