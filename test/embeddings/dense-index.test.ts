import { describe, expect, it } from 'vitest';
import { DenseIndex, exactScanLimit } from '../../src/embeddings/dense-index.js';

/** Clustered unit vectors (documents on a few hundred topics), from a seeded generator. */
function clusteredVectors(n: number, dim: number, clusters: number): Float32Array[] {
  let seed = 7;
  const rand = (): number => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647 - 0.5;
  };
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dim }, rand));
  return Array.from({ length: n }, (_, i) => {
    const c = centres[(i * 7919) % clusters] as Float32Array;
    const v = Float32Array.from(c, (x) => x + 0.35 * rand());
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

function exactTop(vectors: Float32Array[], q: Float32Array, k: number, allow: (label: number) => boolean): number[] {
  const scored: { label: number; score: number }[] = [];
  vectors.forEach((v, label) => {
    if (!allow(label)) return;
    let s = 0;
    for (let d = 0; d < v.length; d += 1) s += (v[d] as number) * (q[d] as number);
    scored.push({ label, score: s });
  });
  return scored.sort((a, b) => b.score - a.score).slice(0, k).map((h) => h.label);
}

describe('DenseIndex.search with a filter', () => {
  const dim = 32;
  const vectors = clusteredVectors(20_000, dim, 200);
  const index = DenseIndex.create(dim, vectors.length, { M: 16, efConstruction: 100, efSearch: 64 });
  vectors.forEach((v, label) => index.add(label, v));
  const queries = clusteredVectors(20_030, dim, 200).slice(20_000);
  const filters: [string, (label: number) => boolean][] = [
    ['one document (30 consecutive labels)', (l) => l >= 12_000 && l < 12_030],
    ['one issuer in 500 (40 scattered labels)', (l) => l % 500 === 7],
    ['a tenth of the index', (l) => l % 10 === 3],
  ];

  for (const [name, allow] of filters) {
    it(`returns k allowed points, nearly the exact ones, for ${name}`, () => {
      let found = 0;
      for (const q of queries) {
        const hits = index.search(q, 10, allow);
        expect(hits).toHaveLength(10);
        expect(hits.every((h) => allow(h.label))).toBe(true);
        const exact = new Set(exactTop(vectors, q, 10, allow));
        found += hits.filter((h) => exact.has(h.label)).length;
      }
      expect(found / (queries.length * 10)).toBeGreaterThanOrEqual(0.95);
    });
  }

  it('returns every allowed point, best first, when fewer than k are allowed', () => {
    const allow = (l: number): boolean => l === 5 || l === 17_000 || l === 9_999;
    const q = queries[0] as Float32Array;
    const hits = index.search(q, 10, allow);
    expect(hits.map((h) => h.label)).toEqual(exactTop(vectors, q, 10, allow));
    expect(hits).toHaveLength(3);
  });

  it('never offers a deleted point to the filter', () => {
    const small = DenseIndex.create(dim, 100, { M: 8, efConstruction: 50, efSearch: 16 });
    vectors.slice(0, 100).forEach((v, label) => small.add(label, v));
    for (let label = 0; label < 100; label += 2) small.remove(label);
    const offered: number[] = [];
    const hits = small.search(queries[2] as Float32Array, 60, (label) => {
      offered.push(label);
      return label < 20;
    });
    expect(offered.filter((l) => l % 2 === 0)).toEqual([]);
    expect(hits.map((h) => h.label).sort((a, b) => a - b)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
  });

  it('with the rows attached, answers a filter admitting few points by an exact scan', () => {
    const exact = DenseIndex.create(dim, vectors.length, { M: 16, efConstruction: 100, efSearch: 64 });
    vectors.forEach((v, label) => exact.add(label, v));
    const flat = new Float32Array(vectors.length * dim);
    vectors.forEach((v, i) => flat.set(v, i * dim));
    exact.attachVectors(Int32Array.from(vectors.keys()), flat);
    const oneDocument = (l: number): boolean => l >= 12_000 && l < 12_030;
    for (const q of queries) {
      const hits = exact.search(q, 10, oneDocument);
      expect(hits.map((h) => h.label)).toEqual(exactTop(vectors, q, 10, oneDocument));
      expect(hits[0]?.score).toBeCloseTo(index.search(q, 1, oneDocument)[0]?.score as number, 5);
    }
    // Up to √(ef × total) points, more than 8 × ef here, a scan still beats the graph: a tenth of
    // 20,000 (2,000 points; the limit at ef 64 is 2,263) is answered exactly.
    expect(exactScanLimit(64, 20_000)).toBe(2263);
    expect(exactScanLimit(512, 1_000_000)).toBe(45_255);
    expect(exactScanLimit(512, 361)).toBe(4096);
    const tenth = (l: number): boolean => l % 10 === 3;
    for (const q of queries.slice(0, 5)) expect(exact.search(q, 10, tenth).map((h) => h.label)).toEqual(exactTop(vectors, q, 10, tenth));
    // A filter admitting more goes through the graph: the same answers as without rows.
    const quarter = (l: number): boolean => l % 4 === 1;
    expect(exact.search(queries[3] as Float32Array, 10, quarter).map((h) => h.label)).toEqual(index.search(queries[3] as Float32Array, 10, quarter).map((h) => h.label));
  });

  it('with the rows attached, reads a small index whole: exactly the nearest points, no filter needed', () => {
    const few = vectors.slice(0, 300);
    const small = DenseIndex.create(dim, few.length, { M: 16, efConstruction: 100, efSearch: 64 });
    few.forEach((v, label) => small.add(label, v));
    const flat = new Float32Array(few.length * dim);
    few.forEach((v, i) => flat.set(v, i * dim));
    small.attachVectors(Int32Array.from(few.keys()), flat);
    for (const q of queries) {
      const hits = small.search(q, 10);
      expect(hits.map((h) => h.label)).toEqual(exactTop(few, q, 10, () => true));
      expect(hits[0]?.score).toBeCloseTo(index.search(q, 1, (l) => l < 300)[0]?.score as number, 5);
    }
  });

  it('scans only the listed allowed labels when given: the same hits, scores and order as asking the filter of every row', () => {
    const few = vectors.slice(0, 2_000);
    const small = DenseIndex.create(dim, few.length, { M: 16, efConstruction: 100, efSearch: 64 });
    few.forEach((v, label) => small.add(label + 100, v));
    // Rows in another order than labels (as after deletes and re-adds).
    const order = Array.from(few.keys()).sort((a, b) => ((a * 7919) % 2_000) - ((b * 7919) % 2_000));
    const flat = new Float32Array(few.length * dim);
    order.forEach((i, row) => flat.set(few[i] as Float32Array, row * dim));
    small.attachVectors(Int32Array.from(order, (i) => i + 100), flat);
    const oneDocument = (l: number): boolean => l >= 400 && l < 433;
    const listed = Int32Array.from({ length: 33 }, (_, i) => 432 - i);
    for (const q of queries) {
      const asked: number[] = [];
      const counting = (l: number): boolean => {
        asked.push(l);
        return oneDocument(l);
      };
      const byList = small.search(q, 10, counting, () => listed);
      const askedWithList = asked.length;
      expect(byList).toEqual(small.search(q, 10, oneDocument));
      expect(byList).toHaveLength(10);
      // The sample that chooses the scan, then one check per listed row: never one per row of the index.
      expect(askedWithList).toBeLessThanOrEqual(512 + listed.length);
    }
  });

  it('leaves the configured search list as it was', () => {
    index.setEf(64);
    index.search(queries[1] as Float32Array, 10, (l) => l % 1000 === 1);
    expect(index.search(queries[1] as Float32Array, 10)).toHaveLength(10);
    expect((index as unknown as { index: { getEf(): number } }).index.getEf()).toBe(64);
  });
});
