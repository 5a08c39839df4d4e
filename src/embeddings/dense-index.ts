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

function toHits(result: { neighbors: number[]; distances: number[] }): DenseHit[] {
  return result.neighbors.map((label, i) => ({ label, score: 1 - (result.distances[i] as number) })).sort((a, b) => b.score - a.score || a.label - b.label);
}

export class DenseIndex {
  private readonly index: hnswlib.HierarchicalNSW;
  readonly dimension: number;
  private live: number;

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
    if (vector.length !== this.dimension) {
      throw new Error(`vector has ${vector.length} dimensions; the index has ${this.dimension}`);
    }
    if (this.index.getCurrentCount() >= this.index.getMaxElements()) {
      this.index.resizeIndex(Math.ceil(this.index.getMaxElements() * 1.5) + 16);
    }
    this.index.addPoint(Array.from(vector), label);
    this.live += 1;
  }

  remove(label: number): void {
    this.index.markDelete(label);
    this.live -= 1;
  }

  /**
   * Nearest `k` points by cosine; `allow` filters labels (docId, issuer, date, validity filters).
   * The filter is applied inside the graph search (hnswlib's filter callback, never called for
   * deleted points): refused points are walked through but not returned, and the search does not
   * stop before it holds ef allowed points (ef is raised to k when below it), so it returns k
   * whenever k allowed points are reachable, and every reachable one when fewer are allowed.
   */
  search(query: Float32Array, k: number, allow?: (label: number) => boolean): DenseHit[] {
    const n = Math.min(k, this.live);
    if (n <= 0) return [];
    const q = Array.from(query);
    if (!allow) return toHits(this.index.searchKnn(q, n));
    const ef = this.index.getEf();
    if (ef < n) this.index.setEf(n);
    try {
      return toHits(this.index.searchKnn(q, n, allow));
    } finally {
      if (ef < n) this.index.setEf(ef);
    }
  }

  async save(file: string): Promise<void> {
    await this.index.writeIndex(file);
  }
}
