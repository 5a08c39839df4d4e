/**
 * A full disk or a read-only folder met while writing: the change is refused with `disk_full` /
 * `storage_read_only` and what to do, nothing half-written stays, and the next write works once the
 * disk has room again. The failures are injected at the file-system seam every write goes through
 * (`writeFileAtomic`); test/http/upload-writes.test.ts meets a real full tmpfs where it may mount one.
 */
import { cp, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Config } from '../../src/config/index.js';
import { loadIndex } from '../../src/storage/file/index-store.js';
import { ingest } from '../../src/pipeline/ingest/ingest.js';
import { addDocuments, removeDocument, type LibraryDeps } from '../../src/pipeline/library/library.js';
import { ingestOptionsFor, libraryDepsFor } from '../../src/pipeline/compose/open.js';
import { createEmbeddingRuntime, expectationsFor, type EmbeddingRuntime } from '../../src/pipeline/compose/runtime.js';
import { KbError } from '../../src/shared/errors.js';
import * as fsAtomic from '../../src/shared/fs-atomic.js';
import { storageErrorOf } from '../../src/shared/fs-errors.js';
import { CORPUS_DIR, testConfig } from '../helpers.js';

vi.mock('../../src/shared/fs-atomic.js', async (importOriginal) => {
  const real = await importOriginal<typeof fsAtomic>();
  return { ...real, writeFileAtomic: vi.fn(real.writeFileAtomic) };
});
const { writeFileAtomic } = fsAtomic;
const realWrite = (await vi.importActual<typeof fsAtomic>('../../src/shared/fs-atomic.js')).writeFileAtomic;

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: simulated, write`), { code });

/** Makes writes under `dir` fail with `code` until the returned function is called. */
function failWrites(dir: string, code: string): () => void {
  vi.mocked(writeFileAtomic).mockImplementation(async (file, content) => {
    if (path.resolve(String(file)).startsWith(path.resolve(dir))) throw errno(code);
    return realWrite(file, content);
  });
  return () => vi.mocked(writeFileAtomic).mockImplementation(realWrite);
}

let runtime: EmbeddingRuntime;
beforeAll(async () => {
  runtime = await createEmbeddingRuntime(await testConfig());
});

async function setup(): Promise<{ config: Config; deps: LibraryDeps }> {
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-disk-'));
  for (const f of ['yunfu.md', 'hebei.md']) await cp(path.join(CORPUS_DIR, f), path.join(corpus, f));
  const config = await testConfig({ CORPUS_DIR: corpus });
  await ingest(ingestOptionsFor(config, runtime.embedder, runtime.profile));
  return { config, deps: libraryDepsFor(config, runtime, { owner: 'test', lockWaitMs: 5000 }) };
}

const documentIds = async (config: Config): Promise<string[]> => [...(await loadIndex(config.indexDir, expectationsFor(config, runtime.embedder))).documents.keys()].sort();

describe('storageErrorOf', () => {
  it('names a full disk, a quota, a read-only or unwritable folder, also inside a cause chain', () => {
    expect(storageErrorOf(errno('ENOSPC'), 'the index')).toMatchObject({ code: 'disk_full', message: 'the index: the disk is full (ENOSPC); nothing was changed: free space on that disk and send the change again' });
    expect(storageErrorOf(errno('EDQUOT'), 'the index')?.code).toBe('disk_full');
    expect(storageErrorOf(errno('EROFS'), 'the corpus folder')).toMatchObject({
      code: 'storage_read_only',
      message: 'the corpus folder is on a read-only file system (EROFS); nothing was changed: mount it read-write (or point CORPUS_DIR/INDEX_DIR elsewhere) and send the change again',
    });
    expect(storageErrorOf(errno('EACCES'), 'the corpus folder')?.code).toBe('storage_read_only');
    expect(storageErrorOf(new KbError('internal', 'the store refused a.md', { cause: errno('ENOSPC') }), 'the index')?.code).toBe('disk_full');
    expect(storageErrorOf(Object.assign(new Error('could not extend file'), { code: '53100' }), 'the index')?.code).toBe('disk_full');
    expect(storageErrorOf(errno('ENOENT'), 'the index')).toBeUndefined();
    expect(storageErrorOf(new Error('boom'), 'the index')).toBeUndefined();
  });
});

describe('a write that meets a full disk', () => {
  it('in the corpus folder: the file is refused with disk_full, nothing of it stays, the next write goes in', async () => {
    const { config, deps } = await setup();
    const before = (await readdir(config.corpusDir, { recursive: true })).sort();
    const restore = failWrites(config.corpusDir, 'ENOSPC');
    let change;
    try {
      change = await addDocuments(deps, [{ bytes: Buffer.from('甲办法\n第一条 甲的规定。'), fileName: 'jia.txt', mode: 'add' }]);
    } finally {
      restore();
    }
    expect(change.failures).toEqual([{ file: 'jia.txt', code: 'disk_full', message: 'jia.txt: the corpus folder: the disk is full (ENOSPC); nothing was changed: free space on that disk and send the change again' }]);
    expect((await readdir(config.corpusDir, { recursive: true })).sort()).toEqual(before);
    const next = await addDocuments(deps, [{ bytes: Buffer.from('甲办法\n第一条 甲的规定。'), fileName: 'jia.txt', mode: 'add' }]);
    expect(next.reports).toEqual([expect.objectContaining({ docId: 'jia', outcome: 'added' })]);
    expect(await documentIds(config)).toEqual(['hebei', 'jia', 'yunfu']);
  });

  it('in the index folder: disk_full, the corpus change undone, the old index still served', async () => {
    const { config, deps } = await setup();
    const before = (await readdir(config.corpusDir, { recursive: true })).sort();
    const restore = failWrites(config.indexDir, 'ENOSPC');
    const error = await addDocuments(deps, [{ bytes: Buffer.from('乙办法\n第一条 乙的规定。'), fileName: 'yi.txt', mode: 'add' }])
      .catch((e: unknown) => e)
      .finally(restore);
    expect(error).toBeInstanceOf(KbError);
    expect(error).toMatchObject({ code: 'disk_full', message: 'the index: the disk is full (ENOSPC); nothing was changed: free space on that disk and send the change again' });
    expect((await readdir(config.corpusDir, { recursive: true })).sort()).toEqual(before);
    expect(await documentIds(config)).toEqual(['hebei', 'yunfu']);
  });

  it('a read-only index folder refuses a removal with storage_read_only, and the document is put back', async () => {
    const { config, deps } = await setup();
    const restore = failWrites(config.indexDir, 'EROFS');
    const error = await removeDocument(deps, 'hebei')
      .catch((e: unknown) => e)
      .finally(restore);
    expect(error).toMatchObject({ code: 'storage_read_only' });
    expect((await readdir(config.corpusDir)).sort()).toContain('hebei.md');
    expect(await documentIds(config)).toEqual(['hebei', 'yunfu']);
  });
});
