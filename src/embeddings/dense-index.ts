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
   * The filter is applied inside the graph search (hnswlib's filter callback): refused points are
   * walked through but not returned, and the search only stops once it holds ef allowed points, so
   * it returns k whenever k allowed points are reachable. Fewer than k means it walked the whole
   * graph; the allowed points are then scanned exactly (this also covers points a deleted
   * neighbourhood cut off), so a filter that admits fewer than k points returns all of them.
   */
  search(query: Float32Array, k: number, allow?: (label: number) => boolean): DenseHit[] {
    const n = Math.min(k, this.live);
    if (n <= 0) return [];
    const q = Array.from(query);
    if (!allow) return toHits(this.index.searchKnn(q, n));
    const ef = this.index.getEf();
    if (ef < n) this.index.setEf(n);
    try {
      const result = this.index.searchKnn(q, n, allow);
      if (result.neighbors.length >= n) return toHits(result);
    } finally {
      if (ef < n) this.index.setEf(ef);
    }
    return this.scan(query, n, allow);
  }

  /** Exact search over the allowed points (cosine of normalized vectors). */
  private scan(query: Float32Array, k: number, allow: (label: number) => boolean): DenseHit[] {
    let norm = 0;
    for (const x of query) norm += x * x;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    const hits: DenseHit[] = [];
    for (const label of this.index.getIdsList()) {
      if (!allow(label)) continue;
      let score: number;
      try {
        const v = this.index.getPoint(label);
        score = 0;
        for (let d = 0; d < v.length; d += 1) score += (v[d] as number) * (query[d] as number);
      } catch {
        continue; // marked deleted
      }
      hits.push({ label, score: score * inv });
    }
    return hits.sort((a, b) => b.score - a.score || a.label - b.label).slice(0, k);
  }

  async save(file: string): Promise<void> {
    await this.index.writeIndex(file);
  }
}
