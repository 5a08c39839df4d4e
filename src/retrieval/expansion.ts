/**
 * Query expansion for BM25 with word-vector neighbours from the index vocabulary
 * (房租 → 租金, 法院 → 法庭). Neighbours are added as extra terms with weights below 1, so the
 * words the user typed still dominate.
 */
import type { Embedder } from '../embeddings/embedder.js';
import { createMatrixScan, scanMargin, type MatrixScan } from '../embeddings/matrix-scan.js';
import { sourceEmbedder } from './query-vectors.js';
import { STOPWORDS } from '../lexical/analyzer.js';
import { framesQuestion } from './answer/words.js';

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
  /**
   * Loads now what the first expansion would load (the vocabulary, its vectors, the scan), and runs
   * one scan: a server calls it before it says ready. Returns the number of words neighbours come from.
   */
  warmUp(): Promise<number>;
}

/**
 * Per model (the embedder under any memo), the vectors of the vocabulary it last embedded: the
 * table of the snapshot served now, which the next snapshot's table starts from. Held only while
 * the embedder lives.
 */
const lastTables = new WeakMap<Embedder, NeighbourTable>();

/** A neighbour list keeps the words at least this similar to the term, best first, at most NEIGHBOURS_KEPT. */
const SIMILARITY_FLOOR = 0.5;
/** Words per forward pass when the vocabulary is embedded (words need no padding: half the CPU of the default 8). */
const VOCABULARY_BATCH = 256;
const NEIGHBOURS_KEPT = 16;

/** The vocabulary's vectors: row i of `matrix` is `terms[i]`'s. */
export interface NeighbourTable {
  terms: string[];
  rowOf: Map<string, number>;
  matrix: Float32Array;
  dim: number;
  /** The largest row norm (for the scan's error bound). */
  maxNorm: number;
  /** ONNX Runtime's scan of the matrix; undefined where it cannot run (JavaScript scans instead). */
  scan?: MatrixScan;
}

type Neighbour = { term: string; similarity: number };

/**
 * The rows at least SIMILARITY_FLOOR similar to `qv` among `rows` (ascending; every row when
 * undefined), best first, ties by term, NEIGHBOURS_KEPT at most. The similarity is summed here, in
 * double precision and dimension order, whatever found the rows: the figures never depend on
 * whether ONNX Runtime ran.
 */
function nearestRows(qv: Float32Array, table: NeighbourTable, rows?: readonly number[]): Neighbour[] {
  const { terms, matrix, dim } = table;
  const scored: Neighbour[] = [];
  const count = rows ? rows.length : terms.length;
  for (let r = 0; r < count; r += 1) {
    const i = rows ? (rows[r] as number) : r;
    let s = 0;
    const base = i * dim;
    for (let d = 0; d < dim; d += 1) s += (qv[d] as number) * (matrix[base + d] as number);
    if (s >= SIMILARITY_FLOOR) scored.push({ term: terms[i] as string, similarity: s });
  }
  scored.sort((a, b) => b.similarity - a.similarity || a.term.localeCompare(b.term));
  return scored.slice(0, NEIGHBOURS_KEPT);
}

function norm(v: Float32Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

/**
 * Embeds the vocabulary once (lazily, on the first call, or `warmUp`) and finds neighbours by
 * cosine: the new terms of a call in one ONNX Runtime scan of the vocabulary's vectors, then the
 * rows it finds near enough rescored exactly (`nearestRows`). `scan: false` scans in JavaScript.
 */
export function createTermNeighbours(vocabulary: () => Promise<readonly string[]>, embedder: Embedder, options: { scan?: boolean } = {}): TermNeighbours {
  let table: Promise<NeighbourTable> | undefined;
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
  const load = (): Promise<NeighbourTable> => {
    table ??= (async () => {
      const terms = (await loadVocabulary()).all.filter((t) => t.length >= 2 && CJK.test(t) && !STOPWORDS.has(t) && !framesQuestion(t));
      const dim = embedder.dimension;
      // The words the last table of this model held keep their rows (a reload after a write embeds only the words it added).
      const model = sourceEmbedder(embedder);
      const last = lastTables.get(model);
      const previous = last && last.dim === dim ? last : undefined;
      const fresh = previous ? terms.filter((t) => !previous.rowOf.has(t)) : terms;
      const vectors = await embedder.embedDocuments(fresh, { batchSize: VOCABULARY_BATCH });
      const matrix = new Float32Array(terms.length * dim);
      let maxNorm = 0;
      let next = 0;
      // Index loops, no subarray per word: a reload after a write copies 51k rows (150 ms with a view
      // and an iterator per row). The norm sums in the same order as `norm`.
      const source = previous?.matrix;
      for (let i = 0; i < terms.length; i += 1) {
        const row = previous?.rowOf.get(terms[i] as string);
        const from = row !== undefined ? (source as Float32Array) : (vectors[next++] as Float32Array);
        const at = row !== undefined ? row * dim : 0;
        const to = i * dim;
        let sum = 0;
        for (let d = 0; d < dim; d += 1) {
          const x = from[at + d] as number;
          matrix[to + d] = x;
          sum += x * x;
        }
        // A word the model cannot place has no direction (NaN): it is never anyone's neighbour, nor bounds the error.
        const n = Math.sqrt(sum);
        if (Number.isFinite(n)) maxNorm = Math.max(maxNorm, n);
      }
      const rowOf = new Map(terms.map((t, i) => [t, i] as const));
      lastTables.set(model, { terms, rowOf, matrix, dim, maxNorm });
      const scan = options.scan === false || terms.length === 0 ? undefined : await createMatrixScan(matrix, terms.length, dim);
      return { terms, rowOf, matrix, dim, maxNorm, ...(scan ? { scan } : {}) };
    })();
    // A failed load is not remembered: the next call tries again.
    table.catch(() => {
      table = undefined;
    });
    return table;
  };
  // Neighbours of a term do not depend on the query: cache them (bounded).
  const cache = new Map<string, Neighbour[]>();
  /** Each term's neighbours; the terms not cached are embedded and scanned together. */
  const neighboursOf = async (froms: readonly string[]): Promise<Map<string, Neighbour[]>> => {
    const out = new Map<string, Neighbour[]>();
    const missing: string[] = [];
    for (const from of froms) {
      const hit = cache.get(from);
      if (hit) out.set(from, hit);
      else if (!missing.includes(from)) missing.push(from);
    }
    if (missing.length === 0) return out;
    const t = await load();
    // A vocabulary word's vector is its row (the same floats the embedder gives it alone); others are embedded.
    const unknown = missing.filter((m) => !t.rowOf.has(m));
    const embedded = unknown.length > 0 ? await embedder.embedDocuments(unknown) : [];
    const vectorOf = (from: string): Float32Array => {
      const row = t.rowOf.get(from);
      return row !== undefined ? t.matrix.subarray(row * t.dim, (row + 1) * t.dim) : (embedded[unknown.indexOf(from)] as Float32Array);
    };
    let candidates: number[][] | undefined;
    if (t.scan) {
      const packed = new Float32Array(missing.length * t.dim);
      // Every row whose exact similarity may reach the floor: the single-precision figure is within the margin of it.
      const floors = new Float32Array(missing.length);
      missing.forEach((m, i) => {
        const v = vectorOf(m);
        packed.set(v, i * t.dim);
        floors[i] = SIMILARITY_FLOOR - scanMargin(t.dim, norm(v), t.maxNorm);
      });
      try {
        candidates = await t.scan.rowsReaching(packed, missing.length, floors);
      } catch {
        // The runtime failed once: JavaScript scans from now on.
        delete t.scan;
      }
    }
    missing.forEach((from, i) => {
      const top = nearestRows(vectorOf(from), t, candidates?.[i]);
      if (cache.size >= 10_000) cache.delete(cache.keys().next().value as string);
      cache.set(from, top);
      out.set(from, top);
    });
    return out;
  };
  return {
    async warmUp() {
      const t = await load();
      spreadOf('的');
      if (t.scan && t.terms.length > 0) await t.scan.rowsReaching(t.matrix.slice(0, t.dim), 1, Float32Array.of(SIMILARITY_FLOOR)).catch(() => delete t.scan);
      return t.terms.length;
    },
    async expand(queryTerms, options = DEFAULT_EXPANSION, exclude = new Set(), absent = new Set()) {
      const unique = [...new Set(queryTerms)].filter((t) => t.length >= 2 && CJK.test(t) && !STOPWORDS.has(t) && !framesQuestion(t) && !exclude.has(t));
      const present = new Set(queryTerms);
      const out = new Map<string, Expansion>();
      const { known: vocabularyTerms } = await loadVocabulary();
      const lists = await neighboursOf(unique);
      for (const from of unique) {
        const known = vocabularyTerms.has(from) && !absent.has(from);
        const chars = new Set([...from].filter((ch) => CJK.test(ch) && spreadOf(ch) <= options.sharedCharMaxShare));
        const min = (term: string): number => (!known ? options.minSimilarityUnknown : [...term].some((ch) => chars.has(ch)) ? Math.min(options.minSimilarityShared, options.minSimilarityKnown) : options.minSimilarityKnown);
        const picked = (lists.get(from) ?? [])
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
