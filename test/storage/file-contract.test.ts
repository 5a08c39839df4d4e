/** The storage contract on the embedded backend: a file writer over a fresh INDEX_DIR, the store reloaded after each write. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fakeEmbedderProfile } from '../../src/embeddings/fake-embedder.js';
import { fileWriter } from '../../src/storage/file/file-writer.js';
import { loadIndex } from '../../src/storage/file/index-store.js';
import { fileStore } from '../../src/storage/file/file-store.js';
import type { KnowledgeStore, StoreWriter } from '../../src/storage/types.js';
import { describeStoreContract } from './contract.js';

describeStoreContract('file (embedded snapshot)', async ({ modelId, dimension }) => {
  const indexDir = await mkdtemp(path.join(tmpdir(), 'kb-contract-'));
  const settings = { chunkMaxChars: 400, chunkMinChars: 100, hnsw: { M: 16, efConstruction: 200, efSearch: 128 } };
  const inner = fileWriter({ indexDir, modelId, dimension, profile: fakeEmbedderProfile({ modelId, dimension }), ...settings });
  const reload = async (): Promise<KnowledgeStore> => fileStore(await loadIndex(indexDir, { modelId, dimension, chunkMaxChars: 400, chunkMinChars: 100, efSearch: 128 }));
  // The embedded store opens a snapshot: an empty one is written first.
  await inner.apply({ put: [], remove: [] });
  let store = await reload();
  const writer: StoreWriter = {
    hashes: () => inner.hashes(),
    version: () => inner.version(),
    vectorsOf: (p) => inner.vectorsOf(p),
    apply: async (plan) => {
      const out = await inner.apply(plan);
      store = await reload();
      return out;
    },
  };
  return {
    get store() {
      return store;
    },
    writer,
    close: () => rm(indexDir, { recursive: true, force: true }),
  };
});
