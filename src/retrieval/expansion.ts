/**
 * Query expansion for BM25 with word-vector neighbours from the index vocabulary
 * (房租 → 租金, 法院 → 法庭). Neighbours are added as extra terms with weights below 1, so the
 * words the user typed still dominate.
 */
import { dot, type Embedder } from '../embeddings/embedder.js';
import type { Bm25Index } from './bm25.js';
import { STOPWORDS } from './analyzer.js';
import { QUESTION_WORDS } from './evidence.js';

export interface ExpansionOptions {
  /** Similarity a neighbour of an indexed term needs (default 0.8). */
  minSimilarityKnown: number;
  /** Similarity a neighbour of a term absent from the index needs (default 0.6). */
  minSimilarityUnknown: number;
  /** Neighbours per term (default 2). */
  perTerm: number;
  /** Weight factor applied to the similarity (default 0.6). */
  weight: number;
}

export const DEFAULT_EXPANSION: ExpansionOptions = { minSimilarityKnown: 0.8, minSimilarityUnknown: 0.6, perTerm: 2, weight: 0.6 };

export interface Expansion {
  term: string;
  from: string;
  similarity: number;
  weight: number;
}

const CJK = /[\u4e00-\u9fff]/u;

export interface TermNeighbours {
  /** `exclude`: terms never expanded nor added (document names and places). */
  expand(terms: readonly string[], options?: ExpansionOptions, exclude?: ReadonlySet<string>): Promise<Expansion[]>;
}

/** Embeds the vocabulary once (lazily, on the first call) and finds neighbours by cosine. */
export function createTermNeighbours(bm25: Bm25Index, embedder: Embedder): TermNeighbours {
  let table: Promise<{ terms: string[]; vectors: Float32Array[] }> | undefined;
  const load = (): Promise<{ terms: string[]; vectors: Float32Array[] }> => {
    table ??= (async () => {
      const terms = bm25.terms().filter((t) => t.length >= 2 && CJK.test(t) && !STOPWORDS.has(t));
      return { terms, vectors: await embedder.embedDocuments(terms) };
    })();
    return table;
  };
  return {
    async expand(queryTerms, options = DEFAULT_EXPANSION, exclude = new Set()) {
      const unique = [...new Set(queryTerms)].filter((t) => t.length >= 2 && CJK.test(t) && !STOPWORDS.has(t) && !QUESTION_WORDS.has(t) && !exclude.has(t));
      if (unique.length === 0) return [];
      const { terms, vectors } = await load();
      const queryVectors = await embedder.embedDocuments(unique);
      const present = new Set(queryTerms);
      const out = new Map<string, Expansion>();
      unique.forEach((from, qi) => {
        const qv = queryVectors[qi] as Float32Array;
        const known = bm25.has(from);
        const min = known ? options.minSimilarityKnown : options.minSimilarityUnknown;
        const best: { term: string; similarity: number }[] = [];
        terms.forEach((term, i) => {
          if (present.has(term) || exclude.has(term) || term.includes(from) || from.includes(term)) return;
          const similarity = dot(qv, vectors[i] as Float32Array);
          if (similarity < min) return;
          best.push({ term, similarity });
        });
        best.sort((a, b) => b.similarity - a.similarity || a.term.localeCompare(b.term));
        for (const { term, similarity } of best.slice(0, options.perTerm)) {
          const weight = similarity * options.weight;
          const prev = out.get(term);
          if (!prev || prev.weight < weight) out.set(term, { term, from, similarity, weight });
        }
      });
      return [...out.values()];
    },
  };
}
