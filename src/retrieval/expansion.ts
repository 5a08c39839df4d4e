/**
 * Query expansion for BM25 with word-vector neighbours from the index vocabulary
 * (房租 → 租金, 法院 → 法庭). Neighbours are added as extra terms with weights below 1, so the
 * words the user typed still dominate.
 */
import type { Embedder } from '../embeddings/embedder.js';
import { STOPWORDS } from './analyzer.js';
import { QUESTION_WORDS } from './evidence.js';

export interface ExpansionOptions {
  /** Similarity a neighbour of an indexed term needs (default 0.8). */
  minSimilarityKnown: number;
  /**
   * Similarity a neighbour of an indexed term needs when the two share a character (采购 for 购买,
   * 开设 for 开办): a shared morpheme plus a near vector is likelier a paraphrase than a related word.
   * Only a specific character counts (in at most `sharedCharMaxShare` of the vocabulary's words):
   * 业 in 林业/农业 or 公 in 公共/公交 is a common affix, not a shared meaning.
   */
  minSimilarityShared: number;
  sharedCharMaxShare: number;
  /** Similarity a neighbour of a term absent from the index needs (default 0.6). */
  minSimilarityUnknown: number;
  /** Neighbours per term (default 2). */
  perTerm: number;
  /** Weight factor applied to the similarity for neighbours of indexed terms (default 0.6). */
  weight: number;
  /** The same for neighbours of a term absent from the index: they stand in for it (default 1). */
  weightUnknown: number;
}

export const DEFAULT_EXPANSION: ExpansionOptions = { minSimilarityKnown: 0.8, minSimilarityShared: 0.65, sharedCharMaxShare: 0.01, minSimilarityUnknown: 0.6, perTerm: 2, weight: 0.6, weightUnknown: 1 };

export interface Expansion {
  term: string;
  from: string;
  similarity: number;
  weight: number;
}

const CJK = /[\u4e00-\u9fff]/u;

export interface TermNeighbours {
  /**
   * `exclude`: terms never expanded nor added (document names and places). `absent`: terms the
   * index holds that are nonetheless missing where the search looks (a document in scope never
   * uses them): they are expanded as terms absent from the index are, their neighbours standing in.
   */
  expand(terms: readonly string[], options?: ExpansionOptions, exclude?: ReadonlySet<string>, absent?: ReadonlySet<string>): Promise<Expansion[]>;
}

/** Embeds the vocabulary once (lazily, on the first call) and finds neighbours by cosine. */
export function createTermNeighbours(vocabulary: () => Promise<readonly string[]>, embedder: Embedder): TermNeighbours {
  let table: Promise<{ terms: string[]; matrix: Float32Array; dim: number }> | undefined;
  // The index's terms, read once (the vocabulary of one snapshot does not change).
  let vocab: { all: readonly string[]; known: Set<string> } | undefined;
  const loadVocabulary = async (): Promise<{ all: readonly string[]; known: Set<string> }> => {
    if (!vocab) {
      const all = await vocabulary();
      vocab = { all, known: new Set(all) };
    }
    return vocab;
  };
  // How many vocabulary words contain each character (how specific a shared character is).
  let charSpread: { counts: Map<string, number>; words: number } | undefined;
  const spreadOf = (ch: string): number => {
    if (!charSpread) {
      const counts = new Map<string, number>();
      const words = (vocab?.all ?? []).filter((t) => t.length >= 2);
      for (const t of words) for (const c of new Set(t)) counts.set(c, (counts.get(c) ?? 0) + 1);
      charSpread = { counts, words: Math.max(1, words.length) };
    }
    return (charSpread.counts.get(ch) ?? 0) / charSpread.words;
  };
  const load = (): Promise<{ terms: string[]; matrix: Float32Array; dim: number }> => {
    table ??= (async () => {
      const terms = (await loadVocabulary()).all.filter((t) => t.length >= 2 && CJK.test(t) && !STOPWORDS.has(t) && !QUESTION_WORDS.has(t));
      const vectors = await embedder.embedDocuments(terms);
      const dim = embedder.dimension;
      const matrix = new Float32Array(terms.length * dim);
      vectors.forEach((v, i) => matrix.set(v, i * dim));
      return { terms, matrix, dim };
    })();
    return table;
  };
  // Neighbours of a term do not depend on the query: cache them (bounded).
  const cache = new Map<string, { term: string; similarity: number }[]>();
  const neighboursOf = async (from: string): Promise<{ term: string; similarity: number }[]> => {
    const hit = cache.get(from);
    if (hit) return hit;
    const { terms, matrix, dim } = await load();
    const qv = (await embedder.embedDocuments([from]))[0] as Float32Array;
    const scored: { term: string; similarity: number }[] = [];
    for (let i = 0; i < terms.length; i += 1) {
      let s = 0;
      const base = i * dim;
      for (let d = 0; d < dim; d += 1) s += (qv[d] as number) * (matrix[base + d] as number);
      if (s >= 0.5) scored.push({ term: terms[i] as string, similarity: s });
    }
    scored.sort((a, b) => b.similarity - a.similarity || a.term.localeCompare(b.term));
    const top = scored.slice(0, 16);
    if (cache.size >= 10_000) cache.delete(cache.keys().next().value as string);
    cache.set(from, top);
    return top;
  };
  return {
    async expand(queryTerms, options = DEFAULT_EXPANSION, exclude = new Set(), absent = new Set()) {
      const unique = [...new Set(queryTerms)].filter((t) => t.length >= 2 && CJK.test(t) && !STOPWORDS.has(t) && !QUESTION_WORDS.has(t) && !exclude.has(t));
      const present = new Set(queryTerms);
      const out = new Map<string, Expansion>();
      const { known: vocabularyTerms } = await loadVocabulary();
      for (const from of unique) {
        const known = vocabularyTerms.has(from) && !absent.has(from);
        const chars = new Set([...from].filter((ch) => CJK.test(ch) && spreadOf(ch) <= options.sharedCharMaxShare));
        const min = (term: string): number => (!known ? options.minSimilarityUnknown : [...term].some((ch) => chars.has(ch)) ? Math.min(options.minSimilarityShared, options.minSimilarityKnown) : options.minSimilarityKnown);
        const picked = (await neighboursOf(from))
          .filter(({ term, similarity }) => similarity >= min(term) && !present.has(term) && !exclude.has(term) && !term.includes(from) && !from.includes(term))
          .slice(0, options.perTerm);
        for (const { term, similarity } of picked) {
          const weight = similarity * (known ? options.weight : options.weightUnknown);
          const prev = out.get(term);
          if (!prev || prev.weight < weight) out.set(term, { term, from, similarity, weight });
        }
      }
      return [...out.values()];
    },
  };
}
