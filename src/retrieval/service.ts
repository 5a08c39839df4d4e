/**
 * The retrieval layer as transports use it: search and ask over one snapshot.
 */
import type { Embedder } from '../embeddings/embedder.js';
import { composeAnswer, questionForm, type Answer, type AnswerTuning } from './answer.js';
import type { KnowledgeIndex } from './knowledge-index.js';
import { generateWithLlm, type FetchLike, type LlmConfig } from './llm.js';
import { createSearcher, type SearchOptions, type SearchResponse, type SearchTuning, type Searcher } from './search.js';

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
  const searcher = createSearcher(kb, embedder, tuning.search);
  return {
    kb,
    searcher,
    search: (query, options) => searcher.search(query, options),
    abstains: (response) => composeAnswer(kb, response, tuning.answer).abstained,
    async ask(question, options = {}) {
      let response = await searcher.search(question, { k: 8, ...options });
      // A list question (哪些城市…) reads every document that answers: search wider.
      if (questionForm(response.query, response.understanding.namedDocs.length) === 'list' && options.k === undefined) response = await searcher.search(question, { ...options, k: 40 });
      const extractive = composeAnswer(kb, response, tuning.answer);
      if (!tuning.llm || extractive.abstained) return { answer: extractive, response };
      const answer = await generateWithLlm(tuning.llm, response.query, response.results.slice(0, 5), kb, extractive, tuning.fetch);
      return { answer, response };
    },
  };
}
