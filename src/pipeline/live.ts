/**
 * The knowledge base a long-running server holds: one snapshot at a time, swapped atomically when a
 * new index goes live (CURRENT changes, or `reload()` on a signal). Requests hold the snapshot they
 * started with; a failed reload keeps the last good one.
 */
import type { Config } from '../config/index.js';
import type { KnowledgeService } from '../retrieval/service.js';
import { createKnowledgeService } from '../retrieval/service.js';
import { describeError, isKbError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { silentLogger } from '../shared/logger.js';
import { openKnowledgeBase, serviceTuningFor, type OpenedKnowledgeBase } from './open.js';

export interface LiveKnowledgeBase {
  current(): KnowledgeService | undefined;
  /** Loads the index CURRENT names, if it is not the one served; returns whether it swapped. */
  reload(): Promise<boolean>;
  /** Polls CURRENT and reloads when it changes. */
  watch(intervalMs?: number): void;
  close(): Promise<void>;
  /** Resolves once the first snapshot is loaded (ingesting first when there is none). */
  ready: Promise<void>;
  lastError(): string | undefined;
  /** Why the first load failed (with what to do), once it has; undefined while loading or after success. */
  loadError(): string | undefined;
  /** The embedder and model profile once loaded (what library writes re-index with). */
  runtime(): Pick<OpenedKnowledgeBase, 'embedder' | 'profile' | 'backend'> | undefined;
  /**
   * Makes the served snapshot the one `version` names (after a write through this process):
   * reloads until it is, so a caller can answer only once its change is searchable.
   */
  reloadTo(version: string): Promise<boolean>;
}

/** A failed first load as readyz shows it: the problem and what to run or fix. */
export function describeLoadFailure(error: unknown): string {
  const message = describeError(error);
  if (isKbError(error) && /\brun `[^`]+`|\bset [A-Z_]+\b/u.test(message)) return `${message}; then restart the server`;
  return `${message}; fix the cause (see the server log), run \`npm run -s kb -- ingest\` to check the index builds, then restart the server`;
}

export function createLiveKnowledgeBase(config: Config, options: { logger?: Logger; autoIngest?: boolean } = {}): LiveKnowledgeBase {
  const logger = options.logger ?? silentLogger;
  let opened: OpenedKnowledgeBase | undefined;
  let service: KnowledgeService | undefined;
  let error: string | undefined;
  let reloading: Promise<boolean> | undefined;
  let stopWatching: (() => void) | undefined;

  let failure: string | undefined;
  const ready = openKnowledgeBase(config, { logger, autoIngest: options.autoIngest ?? true }).then(
    (o) => {
      opened = o;
      service = o.service;
      const info = o.store.info;
      logger.info('index loaded', { store: info.backend, version: info.version, documents: info.documents, passages: info.passages });
    },
    (e: unknown) => {
      failure = describeLoadFailure(e);
      throw e;
    },
  );

  const doReload = async (): Promise<boolean> => {
    if (!opened) return false;
    try {
      const version = await opened.backend.version();
      if (!version || version === service?.store.info.version) return false;
      const store = await opened.backend.open();
      const next = createKnowledgeService(store, opened.embedder, serviceTuningFor(config, opened.profile));
      await next.search('预热'); // warm the term table before taking traffic
      service = next;
      error = undefined;
      logger.info('index reloaded', { store: store.info.backend, version: store.info.version, documents: store.info.documents, passages: store.info.passages });
      return true;
    } catch (e) {
      error = describeError(e);
      logger.error('index reload failed; still serving the last good index', { problem: error, serving: service?.store.info.version });
      return false;
    }
  };

  return {
    current: () => service,
    reload() {
      reloading ??= doReload().finally(() => {
        reloading = undefined;
      });
      return reloading;
    },
    watch(intervalMs = 1000) {
      if (!opened || stopWatching) return;
      stopWatching = opened.backend.watch(() => void this.reload(), intervalMs);
    },
    async close() {
      stopWatching?.();
      stopWatching = undefined;
      await opened?.backend.close();
      await opened?.embedder.dispose?.();
    },
    ready,
    lastError: () => error,
    loadError: () => failure,
    runtime: () => (opened ? { embedder: opened.embedder, profile: opened.profile, backend: opened.backend } : undefined),
    async reloadTo(version) {
      // A reload already running may have read the version before the write: run another after it.
      for (let attempt = 0; attempt < 3; attempt++) {
        if (service?.store.info.version === version) return true;
        await this.reload();
      }
      return service?.store.info.version === version;
    },
  };
}
