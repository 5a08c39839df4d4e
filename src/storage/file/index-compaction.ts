/**
 * Merging: the live state of an index made of a full build and delta segments written out as one
 * full build again, so that what a cold start reads and applies (every segment) and the deleted
 * points in the HNSW graph stay bounded. A merge writes the state a process already holds in
 * memory (no embedding, no re-reading the corpus) into an `m-…` folder without the write lock —
 * writes go on meanwhile — then, holding the lock briefly, renames it into a `v-…` folder and
 * switches CURRENT to it plus the segments written since the state it holds. A merge of a state
 * the live version no longer continues (another process rebuilt the index) is dropped.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { DenseIndex, type HnswParams } from '../../embeddings/dense-index.js';
import type { KnowledgeIndex, PassageRecord } from './knowledge-index.js';
import type { Logger } from '../../shared/logger.js';
import { silentLogger } from '../../shared/logger.js';
import { canExtend, deletedPointsOf, stateOf } from './index-chain.js';
import { beginSnapshot, indexRoot, newVersionName, readManifest, readVersionManifest, stateOfManifest, switchToMerged, type IndexManifest } from './index-store.js';

/**
 * When segments are merged. `due`: a server merges in the background, `kb ingest` before it
 * returns; `overdue`: any write merges before it returns (a server whose background merges keep
 * failing, many `kb add` without a server). Counts, not fitted: a segment costs a cold start one
 * read and its passages one HNSW insertion each, so a merge is due when those add up to a small
 * share of a full load, overdue well before they rival it.
 */
export const MERGE_POLICY = {
  due: { segments: 8, share: 0.05, minPassages: 1000 },
  overdue: { segments: 32, share: 0.25, minPassages: 5000 },
} as const;

/** Segments and the passages they hold in the version a manifest describes. */
export function segmentLoad(manifest: IndexManifest): { segments: number; passages: number } {
  const segments = manifest.chain?.segments ?? [];
  return { segments: segments.length, passages: segments.reduce((a, s) => a + s.passages, 0) };
}

/** Whether the version a manifest describes has reached `level` of MERGE_POLICY. */
export function mergeIsDue(manifest: IndexManifest, level: keyof typeof MERGE_POLICY): boolean {
  const { segments, passages } = segmentLoad(manifest);
  if (segments === 0) return false;
  const limit = MERGE_POLICY[level];
  return segments >= limit.segments || passages >= Math.max(limit.minPassages, limit.share * manifest.counts.passages);
}

export interface MergeOptions {
  indexDir: string;
  /** The index to write out: the state it holds must be the live version's or one the live chain continues. */
  kb: KnowledgeIndex;
  hnsw: HnswParams;
  /** Takes the write lock for the switch; omitted when the caller holds it already. */
  lock?: () => Promise<{ release(): Promise<void> }>;
  /**
   * Runs `save` (the HNSW graph written out) while nothing patches the graph (the backend's turn)
   * and only while the graph still holds `kb`'s state; resolves false (without saving) otherwise.
   * Default: runs it when the graph holds `kb`'s state now.
   */
  whileGraphHolds?: (save: () => Promise<void>) => Promise<boolean>;
  logger?: Logger;
}

const byDocId = ([a]: [string, unknown], [b]: [string, unknown]): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Writes `kb` out as a full build and makes it (with the segments written since) the live
 * version. Returns the new live version, or undefined when there was nothing to merge or the
 * merge was dropped (the live chain no longer continues `kb`'s state).
 */
export async function mergeIndex(options: MergeOptions): Promise<string | undefined> {
  const logger = options.logger ?? silentLogger;
  const { kb, indexDir } = options;
  const state = stateOf(kb);
  const current = await readManifest(indexDir);
  if (state === undefined || !current?.manifest.chain || !continues(current.version, current.manifest, state)) return undefined;
  const started = Date.now();
  const folder = newVersionName('m');
  const draft = beginSnapshot(indexDir, { logger, version: folder });
  let written: IndexManifest;
  try {
    const documents = new Map<string, { hash: string; source: string; passages: number }>();
    for (const [docId, doc] of [...kb.documents].sort(byDocId)) {
      documents.set(docId, { hash: doc.contentHash, source: doc.source, passages: 0 });
      await draft.addDocument(doc);
    }
    for (const p of kb.passages) (documents.get(p.docId) as { passages: number }).passages += 1;
    const { manifest } = current;
    let passages = kb.passages;
    let nextLabel = manifest.hnsw.nextLabel;
    let deleted = deletedPointsOf(kb);
    const graphFile = path.join(indexRoot(indexDir), folder, 'dense.hnsw');
    if (deleted > kb.passages.length) {
      // More deleted points than live ones: a new graph, with labels never used before.
      const dim = kb.info.dimension;
      const fresh = DenseIndex.create(dim, Math.max(kb.passages.length, 16), options.hnsw);
      passages = kb.passages.map((p, i): PassageRecord => ({ ...p, label: nextLabel + i }));
      passages.forEach((p, i) => fresh.add(p.label, kb.vectors.subarray(i * dim, (i + 1) * dim)));
      fresh.fit();
      await fresh.save(graphFile);
      nextLabel += passages.length;
      deleted = 0;
    } else {
      // The graph this process patches in place: written while it holds kb's state, nothing patching it.
      const save = async (): Promise<void> => kb.dense.save(graphFile);
      const held = options.whileGraphHolds ? await options.whileGraphHolds(save) : canExtend(kb) && (await save(), true);
      if (!held) {
        await draft.abort();
        logger.info('index merge dropped: the graph moved on to a newer state meanwhile', { state });
        return undefined;
      }
    }
    await draft.commit(
      {
        manifest: {
          model: manifest.model,
          chunker: manifest.chunker,
          analyzerVersion: manifest.analyzerVersion,
          hnsw: { ...manifest.hnsw, nextLabel, deleted },
          documents: Object.fromEntries(documents),
          counts: { documents: documents.size, passages: passages.length },
          state,
        },
        passages,
        vectors: kb.vectors,
        // Saved above.
        dense: { save: async () => {} },
        bm25: kb.bm25,
      },
      { noSwitch: true },
    );
    written = await readVersionManifest(indexDir, folder);
  } catch (error) {
    await draft.abort().catch(() => undefined);
    throw error;
  }
  const lock = options.lock ? await options.lock() : undefined;
  try {
    const live = await readManifest(indexDir);
    if (!live || !continues(live.version, live.manifest, state)) {
      await rm(path.join(indexRoot(indexDir), folder), { recursive: true, force: true });
      logger.info('index merge dropped: the live version no longer continues the merged state', { state });
      return undefined;
    }
    const segments = live.manifest.chain?.segments ?? [];
    const at = segments.findIndex((s) => s.version === state);
    const version = await switchToMerged(indexDir, { folder, manifest: written }, { manifest: live.manifest, segments: segments.slice(at + 1) }, logger);
    logger.info('index segments merged into one build', { version, state, documents: kb.documents.size, passages: kb.passages.length, seconds: (Date.now() - started) / 1000 });
    return version;
  } catch (error) {
    await rm(path.join(indexRoot(indexDir), folder), { recursive: true, force: true }).catch(() => undefined);
    throw error;
  } finally {
    await lock?.release();
  }
}

/** Whether the version a manifest describes holds `state` (by segments) or continues it. */
function continues(version: string, manifest: IndexManifest, state: string): boolean {
  if (!manifest.chain) return false;
  return stateOfManifest(version, manifest) === state || manifest.chain.segments.some((s) => s.version === state);
}
