/**
 * Warm-up: what a service loads on its first questions, loaded before a server says ready, so the
 * first user waits no longer than the hundredth. Lazy until then: the catalog and alias table, the
 * vocabulary's vectors (term-neighbour expansion, seconds on a library), jieba's dictionaries
 * (segmenter and tagger), the model's first run, the store's per-snapshot lookups (a filter's
 * passage list and the dense index's row table, built on the first filtered search) and what the
 * answer layer keeps per snapshot.
 */
import { performance } from 'node:perf_hooks';
import type { KnowledgeService } from './service.js';

export interface WarmUpReport {
  /** Wall time the warm-up took. */
  ms: number;
  documents: number;
  passages: number;
  /** Words term-neighbour expansion draws from (0 when expansion is off). */
  vocabularyWords: number;
  /** The questions asked (not about anything in particular; not remembered as user questions would be). */
  questions: readonly string[];
}

/**
 * A question about nothing in particular, asked once as a search and once as `ask`, plus a list
 * question (each document searched on its own, with a filter) so that every path a first user may
 * take has run once. Their answers do not matter.
 */
export const WARM_UP_QUESTIONS = ['预热', '哪些文件提到预热'] as const;

export async function warmUp(service: KnowledgeService): Promise<WarmUpReport> {
  const started = performance.now();
  const { documents, vocabularyWords } = await service.searcher.warmUp();
  const [first, list] = WARM_UP_QUESTIONS;
  const response = await service.search(first);
  await service.abstains(response);
  await service.ask(first);
  // A filtered search (one document) builds the store's per-filter structures; the list question
  // takes the per-document path of `ask`.
  const [docId] = (await service.catalog()).keys();
  if (docId !== undefined) await service.search(first, { docIds: [docId] });
  await service.ask(list);
  return { ms: performance.now() - started, documents, passages: service.store.info.passages, vocabularyWords, questions: WARM_UP_QUESTIONS };
}
