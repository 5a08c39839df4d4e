import { describe, expect, it } from 'vitest';
import { decodePassages, encodePassages } from '../../src/storage/file/passage-store.js';
import type { PassageRecord } from '../../src/storage/file/knowledge-index.js';
import { realCorpus } from '../helpers.js';

async function realPassages(): Promise<PassageRecord[]> {
  const docs = await realCorpus();
  let label = 0;
  return docs.flatMap((d) =>
    d.chunks.map((c) => {
      const record: PassageRecord = { label: (label += 3), passageId: c.passageId, docId: c.docId, index: c.index, start: c.start, end: c.end, breadcrumb: c.breadcrumb, headings: c.headings, labels: c.labels, clause: c.clause, sectionIds: c.sectionIds };
      if (c.part) record.part = c.part;
      return record;
    }),
  );
}

describe('passage table (passages.bin)', () => {
  it('round-trips every field of the real passages, split parts included', async () => {
    const passages = await realPassages();
    expect(passages.some((p) => p.part)).toBe(true);
    const decoded = decodePassages(encodePassages(passages));
    expect(decoded).toEqual(passages);
  });

  it('stores repeated breadcrumbs and heading lists once', async () => {
    const passages = await realPassages();
    const single = encodePassages(passages).length;
    // Every passage again under a new id: only 13 column values and the new id string are added.
    const twice = encodePassages([...passages, ...passages.map((p) => ({ ...p, passageId: `${p.passageId}~` }))]).length;
    const idBytes = passages.reduce((n, p) => n + Buffer.byteLength(JSON.stringify(`${p.passageId}~`)) + 1, 0);
    expect(twice - single).toBe(passages.length * 13 * 4 + idBytes);
    expect(single).toBeLessThan(Buffer.byteLength(JSON.stringify(passages)));
  });

  it('refuses a truncated table and one from another format', async () => {
    const bytes = encodePassages(await realPassages());
    expect(() => decodePassages(bytes.subarray(0, bytes.length - 2))).toThrow(`passages.bin has ${bytes.length - 2} bytes; its header describes ${bytes.length}`);
    expect(() => decodePassages(new TextEncoder().encode('[{"passageId":"x"}]'.padEnd(40)))).toThrow('passages.bin is not a passage table (bad magic)');
  });

  it('names the passage whose string reference points outside the table', async () => {
    const passages = (await realPassages()).slice(0, 3);
    const bytes = encodePassages(passages);
    // Column 7 (passageId) of passage 1: header 32 bytes, 3 passages per column.
    new DataView(bytes.buffer).setInt32(32 + 7 * 3 * 4 + 4, 999_999, true);
    expect(() => decodePassages(bytes)).toThrow(/^passage 1: passageId refers to string 999999 of \d+$/u);
  });
});
