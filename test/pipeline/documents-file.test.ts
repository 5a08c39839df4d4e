import { mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DocumentsFileWriter, openDocumentsFile, readDocumentsFile, tableCrc32, writeDocumentsFile } from '../../src/storage/file/documents-file.js';
import { syncAndHashFile } from '../../src/storage/file/snapshot-io.js';
import type { IndexedDocument } from '../../src/storage/file/knowledge-index.js';
import { kbRejection, realCorpus } from '../helpers.js';

const HINT = 'run `npm run -s kb -- ingest --rebuild`';

async function tempFile(): Promise<string> {
  return path.join(await mkdtemp(path.join(tmpdir(), 'kb-docs-')), 'documents.bin');
}

async function realDocuments(): Promise<IndexedDocument[]> {
  return (await realCorpus()).map((d) => ({ meta: d.meta, body: d.body, contentHash: d.contentHash, source: d.source, tree: d.tree }));
}

/** A small document whose body is `body`, with a one-node tree spanning it. */
function documentOf(docId: string, body: string): IndexedDocument {
  return {
    meta: { docId, title: `文件${docId}`, issuer: '某市人民政府', aliases: [] } as unknown as IndexedDocument['meta'],
    body,
    contentHash: `hash-${docId}`,
    source: `${docId}.md`,
    tree: { id: 's0', kind: 'root', label: '', number: 0, title: '', level: 0, path: [], start: 0, end: body.length, markerEnd: 0, titleEnd: 0, children: [] } as unknown as IndexedDocument['tree'],
  };
}

const caught = kbRejection;

describe('documents file (documents.bin)', () => {
  it('round-trips the real corpus: metadata, bodies, section trees', async () => {
    const file = await tempFile();
    const docs = await realDocuments();
    const written = await writeDocumentsFile(file, docs);
    expect(written.count).toBe(docs.length);
    expect(written.bytes).toBe((await stat(file)).size);
    expect(written).toEqual({ ...(await syncAndHashFile(file)), count: docs.length });
    expect(await readDocumentsFile(file)).toEqual(docs);
  });

  it('round-trips an empty corpus', async () => {
    const file = await tempFile();
    expect(await writeDocumentsFile(file, [])).toMatchObject({ count: 0, bytes: 16 + 8 + 32 });
    expect(await readDocumentsFile(file)).toEqual([]);
  });

  it('keeps astral-plane characters, an empty body and a lone surrogate exactly, so offsets still index the body', async () => {
    const file = await tempFile();
    const docs = [documentOf('astral', '第一条 𠀀𪚥 扩展汉字与😀表情。'), documentOf('empty', ''), documentOf('lone', `前\ud800后\udc00尾`)];
    await writeDocumentsFile(file, docs);
    const read = await readDocumentsFile(file);
    expect(read).toEqual(docs);
    expect(read.map((d) => d.body.length)).toEqual(docs.map((d) => d.body.length));
    expect(read[2]?.body.charCodeAt(1)).toBe(0xd800);
  });

  it('round-trips many documents and bodies larger than a read chunk', async () => {
    const file = await tempFile();
    const big = '第十条 数据中心用电价格按照大工业电价执行。'.repeat(100_000);
    const docs = Array.from({ length: 3000 }, (_, i) => documentOf(`d${i}`, i % 997 === 0 ? big : `第${i}条 条文内容${'。'.repeat(i % 50)}`));
    await writeDocumentsFile(file, docs);
    expect((await stat(file)).size).toBeGreaterThan(16 << 20);
    const read = await readDocumentsFile(file);
    expect(read).toHaveLength(3000);
    expect(read).toEqual(docs);
  });

  it('takes documents from an async stream, one at a time, in order', async () => {
    const file = await tempFile();
    const docs = await realDocuments();
    let produced = 0;
    async function* stream(): AsyncGenerator<IndexedDocument> {
      for (const doc of docs) {
        produced += 1;
        await new Promise((r) => setImmediate(r));
        yield doc;
      }
    }
    const writer = await DocumentsFileWriter.create(file);
    for await (const doc of stream()) {
      expect(produced).toBe(writer.count + 1);
      await writer.add(doc);
    }
    await writer.finish();
    expect(await readDocumentsFile(file)).toEqual(docs);
  });

  it('writes whole records in call order when adds are not awaited one by one', async () => {
    const file = await tempFile();
    const big = '第十条 数据中心用电价格按照大工业电价执行。'.repeat(150_000);
    const docs = Array.from({ length: 40 }, (_, i) => documentOf(`d${i}`, i % 7 === 0 ? big : `第${i}条 内容`));
    const writer = await DocumentsFileWriter.create(file);
    await Promise.all(docs.map((doc) => writer.add(doc)));
    await writer.finish();
    expect(await readDocumentsFile(file)).toEqual(docs);
  });

  it('leaves no file when the stream fails, and refuses a docId added twice', async () => {
    const file = await tempFile();
    const docs = await realDocuments();
    async function* failing(): AsyncGenerator<IndexedDocument> {
      yield docs[0] as IndexedDocument;
      throw new Error('extraction failed');
    }
    await expect(writeDocumentsFile(file, failing())).rejects.toThrow('extraction failed');
    expect(await readdir(path.dirname(file))).toEqual([]);
    const error = await caught(writeDocumentsFile(file, [docs[0] as IndexedDocument, docs[0] as IndexedDocument]));
    expect(error.code).toBe('internal');
    expect(error.message).toBe(`document ${docs[0]?.meta.docId} was added to ${file} twice; each docId goes in once`);
    expect(await readdir(path.dirname(file))).toEqual([]);
  });

  describe('when the file is damaged', () => {
    async function written(): Promise<{ file: string; bytes: Buffer; docs: IndexedDocument[] }> {
      const file = await tempFile();
      const docs = await realDocuments();
      await writeDocumentsFile(file, docs);
      return { file, bytes: await readFile(file), docs };
    }

    it('says a truncated file is truncated, wherever it was cut', async () => {
      const { file, bytes } = await written();
      for (const length of [0, 40, 1000, Math.floor(bytes.length / 2), bytes.length - 1]) {
        await writeFile(file, bytes.subarray(0, length));
        const error = await caught(readDocumentsFile(file));
        expect(error.code).toBe('index_corrupt');
        expect(error.message).toBe(
          length < 56
            ? `documents file ${file} is damaged: it has ${length} bytes, fewer than an empty documents file (truncated); ${HINT}`
            : `documents file ${file} is damaged: it has no end marker (truncated, or not a documents file); ${HINT}`,
        );
      }
    });

    it('names the record whose bytes changed', async () => {
      const { file, bytes, docs } = await written();
      const second = bytes.indexOf(Buffer.from(JSON.stringify(docs[1]?.meta.docId)));
      // The record header (16 bytes) precedes the JSON, whose first key is meta.
      const recordStart = bytes.lastIndexOf(Buffer.from('{"meta":'), second) - 16;
      const bodyByte = bytes.indexOf(Buffer.from(docs[1]?.body.slice(0, 20) as string), second);
      const flipped = Buffer.from(bytes);
      flipped[bodyByte + 5] = (flipped[bodyByte + 5] as number) ^ 1;
      await writeFile(file, flipped);
      const error = await caught(readDocumentsFile(file));
      expect(error.code).toBe('index_corrupt');
      expect(error.message).toBe(`documents file ${file} is damaged: record 1 (byte ${recordStart}) fails its CRC-32; ${HINT}`);
    });

    it('reports a changed byte as a failed checksum when the manifest digest is given', async () => {
      const { file, bytes } = await written();
      const expected = await syncAndHashFile(file);
      const flipped = Buffer.from(bytes);
      flipped[200] = (flipped[200] as number) ^ 1;
      await writeFile(file, flipped);
      const error = await caught(readDocumentsFile(file, { expected }));
      expect(error.code).toBe('index_corrupt');
      expect(error.message).toBe(`index file documents.bin fails its checksum (corrupted); ${HINT}`);
      await writeFile(file, bytes.subarray(0, 500));
      expect((await caught(readDocumentsFile(file, { expected }))).message).toBe(`index file documents.bin has 500 bytes; the manifest says ${bytes.length} bytes (truncated or replaced); ${HINT}`);
    });

    it('refuses a file that is not a documents file', async () => {
      const { file, bytes } = await written();
      const renamed = Buffer.from(bytes);
      renamed.write('XXDOCS', 0, 'latin1');
      await writeFile(file, renamed);
      expect((await caught(readDocumentsFile(file))).message).toBe(`documents file ${file} is damaged: it does not start with the documents-file magic; ${HINT}`);
    });
  });

  it.skipIf(!('crc32' in zlib))('computes the same CRC-32 without zlib (Node before 20.15) as zlib does', () => {
    const crc32 = (zlib as unknown as { crc32: (data: Uint8Array) => number }).crc32;
    const bytes = Buffer.from('第十条 数据中心用电价格按照大工业电价执行。😀'.repeat(50));
    expect(tableCrc32(bytes)).toBe(crc32(bytes));
    expect(tableCrc32(bytes.subarray(100), tableCrc32(bytes.subarray(0, 100)))).toBe(crc32(bytes));
    expect(tableCrc32(new Uint8Array(0), 12345)).toBe(12345);
  });

  describe('openDocumentsFile', () => {
    it('reads one document by docId without the others', async () => {
      const file = await tempFile();
      const docs = await realDocuments();
      await writeDocumentsFile(file, docs);
      const opened = await openDocumentsFile(file);
      try {
        expect(opened.docIds).toEqual(docs.map((d) => d.meta.docId));
        const yunfu = docs.find((d) => d.meta.docId === 'yunfu');
        expect(await opened.read('yunfu')).toEqual(yunfu);
        expect(await opened.read('nowhere')).toBeUndefined();
      } finally {
        await opened.close();
      }
    });

    it('fails only the record that is damaged', async () => {
      const file = await tempFile();
      const docs = await realDocuments();
      await writeDocumentsFile(file, docs);
      const bytes = await readFile(file);
      const first = docs[0] as IndexedDocument;
      const at = bytes.indexOf(Buffer.from(first.body.slice(0, 20)));
      bytes[at + 3] = (bytes[at + 3] as number) ^ 1;
      await writeFile(file, bytes);
      const opened = await openDocumentsFile(file);
      try {
        const error = await caught(opened.read(first.meta.docId));
        expect(error.code).toBe('index_corrupt');
        expect(error.message).toBe(`documents file ${file} is damaged: record 0 (byte 16) fails its CRC-32; ${HINT}`);
        expect(await opened.read(docs[1]?.meta.docId as string)).toEqual(docs[1]);
      } finally {
        await opened.close();
      }
    });

    it('refuses a damaged directory', async () => {
      const file = await tempFile();
      await writeDocumentsFile(file, await realDocuments());
      const bytes = await readFile(file);
      bytes[bytes.length - 40] = (bytes[bytes.length - 40] as number) ^ 1;
      await writeFile(file, bytes);
      const error = await caught(openDocumentsFile(file));
      expect(error.message).toBe(`documents file ${file} is damaged: its offset table fails its CRC-32; ${HINT}`);
    });
  });
});
