/**
 * HNSW dense index (hnswlib-node, cosine space) with labels that survive deletes, so ingest can
 * mark a changed document's vectors deleted and add the new ones without rebuilding.
 */
import hnswlib from 'hnswlib-node';

export interface HnswParams {
  M: number;
  efConstruction: number;
  efSearch: number;
}

export interface DenseHit {
  label: number;
  /** Cosine similarity. */
  score: number;
}

/** A filter admitting at most this many × ef points is scanned exactly (when vectors are attached). */
export const EXACT_FILTER_FACTOR = 8;

/**
 * The most allowed points a filtered search scans exactly. A graph search that keeps a fraction
 * `allowed / total` of the points visits about `ef × total / allowed` of them (each costing a
 * neighbour list of distances), a scan reads `allowed` rows: the scan wins up to about
 * √(ef × total) allowed points, which grows with the index (at 1M passages and ef 512: ~45k, where
 * one issuer's ~12k passages took 100 ms through the graph). Below EXACT_FILTER_FACTOR × ef always.
 */
export function exactScanLimit(ef: number, total: number): number {
  return Math.max(ef * EXACT_FILTER_FACTOR, Math.round(2 * Math.sqrt(ef * total)));
}
const ALL = (): boolean => true;
/** Labels tested to judge how many points a filter admits. */
const FILTER_SAMPLE = 512;

function toHits(result: { neighbors: number[]; distances: number[] }): DenseHit[] {
  return result.neighbors.map((label, i) => ({ label, score: 1 - (result.distances[i] as number) })).sort((a, b) => b.score - a.score || a.label - b.label);
}

export class DenseIndex {
  private readonly index: hnswlib.HierarchicalNSW;
  readonly dimension: number;
  private live: number;
  /** The live points' labels and vectors (row-major), when the owner attached them: exact filtered search. */
  private rows?: { labels: ArrayLike<number>; vectors: Float32Array; rowOf?: Int32Array };

  private constructor(index: hnswlib.HierarchicalNSW, dimension: number, live: number) {
    this.index = index;
    this.dimension = dimension;
    this.live = live;
  }

  static create(dimension: number, capacity: number, params: HnswParams, seed = 100): DenseIndex {
    const index = new hnswlib.HierarchicalNSW('cosine', dimension);
    index.initIndex({ maxElements: Math.max(capacity, 16), m: params.M, efConstruction: params.efConstruction, randomSeed: seed });
    index.setEf(params.efSearch);
    return new DenseIndex(index, dimension, 0);
  }

  /** Reads an index written by `save`; `live` is the number of non-deleted points. */
  static async load(file: string, dimension: number, params: HnswParams, live: number): Promise<DenseIndex> {
    const index = new hnswlib.HierarchicalNSW('cosine', dimension);
    await index.readIndex(file);
    index.setEf(params.efSearch);
    return new DenseIndex(index, dimension, live);
  }

  get size(): number {
    return this.live;
  }

  setEf(ef: number): void {
    this.index.setEf(ef);
  }

  add(label: number, vector: Float32Array): void {
    this.rows = undefined;
    if (vector.length !== this.dimension) {
      throw new Error(`vector has ${vector.length} dimensions; the index has ${this.dimension}`);
    }
    if (this.index.getCurrentCount() >= this.index.getMaxElements()) {
      this.index.resizeIndex(Math.ceil(this.index.getMaxElements() * 1.5) + 16);
    }
    this.index.addPoint(Array.from(vector), label);
    this.live += 1;
  }

  /** Shrinks the capacity to the points held (at least 16), as `create` with the final count would have made it: the saved file is the same. */
  fit(): void {
    this.index.resizeIndex(Math.max(this.index.getCurrentCount(), 16));
  }

  remove(label: number): void {
    this.rows = undefined;
    this.index.markDelete(label);
    this.live -= 1;
  }

  /**
   * Gives the index the live points' labels and vectors (row i: `labels[i]`, `vectors[i·dim…]`), as
   * the loaded snapshot holds them, so that a filter admitting few points is answered by an exact
   * scan rather than a walk of the whole graph. Only for an index no longer modified.
   */
  attachVectors(labels: ArrayLike<number>, vectors: Float32Array): void {
    if (vectors.length !== labels.length * this.dimension) throw new Error(`${vectors.length} floats for ${labels.length} labels × ${this.dimension}`);
    this.rows = { labels, vectors };
  }

  /**
   * Nearest `k` points by cosine; `allow` filters labels (docId, issuer, date, validity filters).
   * The filter is applied inside the graph search (hnswlib's filter callback, never called for
   * deleted points): refused points are walked through but not returned, and the search does not
   * stop before it holds ef allowed points (ef is raised to k when below it), so it returns k
   * whenever k allowed points are reachable, and every reachable one when fewer are allowed. That
   * walks the whole graph when fewer than ef points are allowed (68 ms at 100k passages for one
   * document's 33), so with attached vectors a filter that a sample shows to admit at most
   * `exactScanLimit(ef, total)` points is answered by an exact scan of the allowed points instead.
   * `allowedLabels`, when the caller can list the labels `allow` admits (a superset does), lets that
   * scan read only their rows instead of asking `allow` of every row (same rows, same order, same hits).
   */
  search(query: Float32Array, k: number, allow?: (label: number) => boolean, allowedLabels?: () => ArrayLike<number>): DenseHit[] {
    const n = Math.min(k, this.live);
    if (n <= 0) return [];
    const ef = this.index.getEf();
    if (allow && this.rows && this.fewAllowed(allow, exactScanLimit(Math.max(ef, n), this.rows.labels.length))) return this.scan(query, n, allow, this.rows, allowedLabels ? this.rowsOf(allowedLabels()) : undefined);
    // An index of a few thousand points is read whole faster than its graph is walked, and exactly.
    if (!allow && this.rows && this.rows.labels.length <= Math.max(ef, n) * EXACT_FILTER_FACTOR) return this.scan(query, n, ALL, this.rows);
    const q = Array.from(query);
    if (!allow) return toHits(this.index.searchKnn(q, n));
    if (ef < n) this.index.setEf(n);
    try {
      return toHits(this.index.searchKnn(q, n, allow));
    } finally {
      if (ef < n) this.index.setEf(ef);
    }
  }

  /** Whether `allow` admits at most about `limit` points, judged on an even sample of the rows. */
  private fewAllowed(allow: (label: number) => boolean, limit: number): boolean {
    const { labels } = this.rows as { labels: ArrayLike<number> };
    const total = labels.length;
    if (total <= limit) return true;
    const samples = Math.min(total, FILTER_SAMPLE);
    let allowed = 0;
    for (let i = 0; i < samples; i += 1) if (allow(labels[Math.floor((i * total) / samples)] as number)) allowed += 1;
    return (allowed / samples) * total <= limit;
  }

  /** The attached rows holding these labels, ascending (labels not attached are left out). */
  private rowsOf(labels: ArrayLike<number>): Int32Array {
    const rows = this.rows as { labels: ArrayLike<number>; rowOf?: Int32Array };
    if (!rows.rowOf) {
      // Row by label (−1: none): labels are small integers, so an array, not a Map of every point (4 bytes a label, not ~50).
      let max = -1;
      for (let i = 0; i < rows.labels.length; i += 1) max = Math.max(max, rows.labels[i] as number);
      rows.rowOf = new Int32Array(max + 1).fill(-1);
      for (let i = 0; i < rows.labels.length; i += 1) rows.rowOf[rows.labels[i] as number] = i;
    }
    const out = new Int32Array(labels.length);
    let n = 0;
    for (let i = 0; i < labels.length; i += 1) {
      const label = labels[i] as number;
      const row = label >= 0 && label < rows.rowOf.length ? (rows.rowOf[label] as number) : -1;
      if (row >= 0) out[n++] = row;
    }
    return out.subarray(0, n).sort();
  }

  /**
   * Exact search over the allowed rows by cosine (query and rows normalized here): of `only` (rows,
   * ascending) when given, else of every row.
   */
  private scan(query: Float32Array, k: number, allow: (label: number) => boolean, rows: { labels: ArrayLike<number>; vectors: Float32Array }, only?: Int32Array): DenseHit[] {
    const dim = this.dimension;
    let norm = 0;
    for (let d = 0; d < dim; d += 1) norm += (query[d] as number) * (query[d] as number);
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    const best: DenseHit[] = [];
    const count = only ? only.length : rows.labels.length;
    for (let r = 0; r < count; r += 1) {
      const i = only ? (only[r] as number) : r;
      const label = rows.labels[i] as number;
      if (!allow(label)) continue;
      let dot = 0;
      let rowNorm = 0;
      const o = i * dim;
      for (let d = 0; d < dim; d += 1) {
        const x = rows.vectors[o + d] as number;
        dot += (query[d] as number) * x;
        rowNorm += x * x;
      }
      // Cosine as hnswlib's space computes it, whether or not the stored rows are unit vectors.
      const score = rowNorm > 0 ? (dot * inv) / Math.sqrt(rowNorm) : 0;
      if (best.length === k && score <= (best[k - 1] as DenseHit).score) continue;
      let at = best.length;
      while (at > 0 && (best[at - 1] as DenseHit).score < score) at -= 1;
      best.splice(at, 0, { label, score });
      if (best.length > k) best.pop();
    }
    return best.sort((a, b) => b.score - a.score || a.label - b.label);
  }

  async save(file: string): Promise<void> {
    await this.index.writeIndex(file);
  }
}
