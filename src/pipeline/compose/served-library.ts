/**
 * The library as a running server changes it: each write goes through `addDocuments` /
 * `removeDocument` (lock, corpus files, incremental ingest), then the live snapshot is swapped to
 * the new index before the call returns, so the caller's next search already sees the change.
 */
import type { Config } from '../../config/index.js';
import { describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { DocumentSummary } from '../../storage/types.js';
import { addDocuments, readOriginal, removeDocument, type AddInput, type AddReport, type LibraryChange } from '../library/library.js';
import type { LiveKnowledgeBase } from './live.js';
import { libraryDepsFor } from './open.js';

export interface ServedLibrary {
  add(inputs: AddInput[]): Promise<LibraryChange<AddReport>>;
  remove(docId: string): Promise<LibraryChange<{ docId: string; title: string }>>;
  original(docId: string): Promise<{ bytes: Buffer; fileName: string } | undefined>;
}

/** How long an upload waits for another writer (a CLI `kb add`, a running `kb ingest`) before 409. */
export const UPLOAD_LOCK_WAIT_MS = 15_000;

/**
 * How long a server waits after its last write before it merges due segments in the background. A
 * merge writes the whole index out (~4.5 s at the 3,428-document library, on the thread that serves
 * requests): started right after a write, it made the next upload of a batch take ~4 s instead of
 * ~1.8 s. Writes that keep coming put it off; an overdue merge still runs inside a write.
 */
export const MERGE_AFTER_IDLE_MS = 5_000;

/** The pending background merge of each live knowledge base (a library is made per request). */
const pendingMerges = new WeakMap<LiveKnowledgeBase, NodeJS.Timeout>();

/** The library bound to a live knowledge base; undefined until its embedder is loaded. */
export function servedLibrary(config: Config, live: LiveKnowledgeBase, logger?: Logger, options: { mergeAfterIdleMs?: number } = {}): ServedLibrary | undefined {
  const runtime = live.runtime();
  if (!runtime) return undefined;
  const mergeAfterIdleMs = options.mergeAfterIdleMs ?? MERGE_AFTER_IDLE_MS;
  const mergeWhenIdle = (): void => {
    clearTimeout(pendingMerges.get(live));
    const timer = setTimeout(() => {
      pendingMerges.delete(live);
      void runtime.backend.compact?.({ when: 'due', ...(logger ? { logger } : {}) }).then(
        async (version) => {
          if (version !== undefined) await live.reload();
        },
        (error: unknown) => logger?.warn('merging index segments failed; writes go on adding segments', { reason: describeError(error) }),
      );
    }, mergeAfterIdleMs);
    // A server that stops meanwhile leaves the segments to the next write (or `kb ingest`) to merge.
    timer.unref();
    pendingMerges.set(live, timer);
  };
  const deps = libraryDepsFor(config, runtime, { owner: `HTTP upload (pid ${process.pid})`, lockWaitMs: UPLOAD_LOCK_WAIT_MS, ...(logger ? { logger } : {}) });
  // Served once the live snapshot is the version the write made, or a later one (another process
  // may write right after this one) that shows it: each document at the hash written, or gone.
  const swap = async <T>(change: LibraryChange<T>, shows: (catalog: ReadonlyMap<string, DocumentSummary>) => boolean): Promise<LibraryChange<T>> => {
    if (change.ingest?.version) await live.reloadTo(change.ingest.version, async (service) => shows(await service.catalog()));
    // Segments the writes added are merged into one build in the background once that is due and
    // no write came for a while.
    if (change.ingest?.version) mergeWhenIdle();
    return change;
  };
  return {
    add: async (inputs) => {
      const change = await addDocuments(deps, inputs);
      return swap(change, (catalog) => change.reports.every((r) => catalog.get(r.docId)?.contentHash === r.contentHash));
    },
    remove: async (docId) => swap(await removeDocument(deps, docId), (catalog) => !catalog.has(docId)),
    async original(docId) {
      const doc = await live.current()?.store.documents.get(docId);
      return doc ? readOriginal(config.corpusDir, doc.meta) : undefined;
    },
  };
}
