/**
 * BM25 arithmetic shared by both backends: the parameters `Bm25Index` (src/storage/file/bm25.ts) defaults
 * to, and the SQL store's scoring written exactly as `Bm25Index` does it:
 * k1 1.2, b 0.75, idf ln(1 + (N − df + 0.5)/(df + 0.5)), avgdl = max(total length / N, 1), query
 * terms in order of first occurrence, weight = idf · occurrences · option weight, contributions
 * summed in that order. SQL ranks candidates; these functions give the final scores, so they are
 * bit-for-bit the embedded index's (the tests compare the two).
 */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

export interface QueryTerm {
  term: string;
  /** Occurrences in the query. */
  qtf: number;
  /** The option weight (default 1). */
  weight: number;
}

/** Distinct terms in order of first occurrence; a term whose option weight is ≤ 0 is dropped. */
export function queryTerms(terms: readonly string[], weights?: ReadonlyMap<string, number>): QueryTerm[] {
  const counts = new Map<string, number>();
  for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
  const out: QueryTerm[] = [];
  for (const [term, qtf] of counts) {
    const weight = weights?.get(term) ?? 1;
    if (qtf * weight > 0) out.push({ term, qtf, weight });
  }
  return out;
}

/** A query term's BM25 weight, multiplied in Bm25Index's order. */
export function termWeight(idf: number, term: QueryTerm): number {
  return idf * term.qtf * term.weight;
}

export function bm25Idf(passages: number, df: number): number {
  return Math.log(1 + (passages - df + 0.5) / (df + 0.5));
}

export function averageLength(passages: number, totalLength: number): number {
  return passages > 0 ? Math.max(totalLength / passages, 1) : 1;
}

/**
 * The score of one passage: `tfs[i]` is its frequency of query term i (0 when absent), `weights[i]`
 * that term's idf · occurrences · option weight (computed as `idf * qtf * w`, like Bm25Index).
 */
export function scorePassage(weights: readonly number[], tfs: readonly number[], length: number, avgdl: number): number {
  const norm = BM25_K1 * (1 - BM25_B + (BM25_B * length) / avgdl);
  let score = 0;
  for (let q = 0; q < weights.length; q += 1) {
    const tf = tfs[q] as number;
    if (tf > 0) score += ((weights[q] as number) * tf * (BM25_K1 + 1)) / (tf + norm);
  }
  return score;
}
