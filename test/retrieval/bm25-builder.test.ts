import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { termCounts } from '../../src/lexical/analyzer.js';
import { Bm25Builder } from '../../src/storage/file/bm25-builder.js';
import { Bm25Index } from '../../src/storage/file/bm25.js';
import { realCorpus } from '../helpers.js';

describe('Bm25Builder', () => {
  it('builds, passage by passage, the index Bm25Index.build makes of the real corpus (same toBinary bytes)', async () => {
    const counts = (await realCorpus()).flatMap((d) => d.chunks.map((c) => termCounts(c.indexText)));
    expect(counts.length).toBeGreaterThan(300);
    const builder = new Bm25Builder();
    for (const c of counts) builder.add(c);
    expect(builder.size).toBe(counts.length);
    expect(Buffer.from(builder.build().toBinary()).equals(Buffer.from(Bm25Index.build(counts).toBinary()))).toBe(true);
  });

  it('copies kept passages from another index as that index orders their terms (what an incremental ingest does)', async () => {
    const counts = (await realCorpus()).flatMap((d) => d.chunks.map((c) => termCounts(c.indexText)));
    const previous = Bm25Index.build(counts);
    const forward = previous.forward();
    const kept = previous.termCounts();
    // Every third passage comes from the previous index; the others are new term maps.
    const builder = new Bm25Builder();
    const input = counts.map((c, i) => (i % 3 === 0 ? kept[i] : c) as Map<string, number>);
    counts.forEach((c, i) => (i % 3 === 0 ? builder.addFrom(forward, i) : builder.add(c)));
    expect(Buffer.from(builder.build().toBinary()).equals(Buffer.from(Bm25Index.build(input).toBinary()))).toBe(true);
  });

  it('equals Bm25Index.build for any passages, term lists or counts, wide frequencies included', () => {
    const term = fc.constantFrom('甲', '乙', '丙', '丁', '戊', 'x', 'y');
    const passage = fc.oneof(fc.array(term, { maxLength: 12 }), fc.dictionary(term, fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 200, max: 70000 }))).map((o) => new Map(Object.entries(o))));
    fc.assert(
      fc.property(fc.array(passage, { maxLength: 40 }), (docs) => {
        const builder = new Bm25Builder();
        for (const d of docs) builder.add(d);
        expect(Buffer.from(builder.build().toBinary()).equals(Buffer.from(Bm25Index.build(docs).toBinary()))).toBe(true);
      }),
    );
  });

  it('refuses a count that is not a positive integer and keeps what was added before', () => {
    const builder = new Bm25Builder();
    builder.add(['甲', '乙']);
    expect(() => builder.add(new Map([['甲', 0]]))).toThrow('term "甲" of passage 1 has count 0; counts are positive integers');
    expect(builder.size).toBe(1);
    expect(Buffer.from(builder.build().toBinary()).equals(Buffer.from(Bm25Index.build([['甲', '乙']]).toBinary()))).toBe(true);
  });
});
