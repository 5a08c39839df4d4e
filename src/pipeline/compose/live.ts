/**
 * The knowledge base a long-running server holds: one snapshot at a time, swapped atomically when a
 * new index goes live (CURRENT changes, or `reload()` on a signal). Requests hold the snapshot they
 * started with; a failed reload keeps the last good one.
 */
import type { Config } from '../../config/index.js';
import type { KnowledgeService } from '../../retrieval/service.js';
import { createKnowledgeService } from '../../retrieval/service.js';
import { ERROR_CODES, describeError, isKbError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { silentLogger } from '../../shared/logger.js';
import { currentVersion } from '../../storage/file/index-store.js';
import { openKnowledgeBase, serviceTuningFor, warmUpLogged, type OpenedKnowledgeBase } from './open.js';

export interface LiveKnowledgeBase {
  current(): KnowledgeService | undefined;
  /** Loads the index CURRENT names, if it is not the one served; returns whether it swapped. */
  reload(): Promise<boolean>;
  /** Polls CURRENT and reloads when it changes. */
  watch(intervalMs?: number): void;
  close(): Promise<void>;
  /** Settles with the first attempt to load (ingesting first when there is none). */
  ready: Promise<void>;
  /** Calls `listener` once the knowledge base is loaded: at once if it is, else when a retry succeeds. */
  onLoaded(listener: () => void): void;
  lastError(): string | undefined;
  /** Why the first load failed (with what to do), once it has; undefined while loading or after success. */
  loadError(): string | undefined;
  /** The embedder and model profile once loaded (what library writes re-index with). */
  runtime(): Pick<OpenedKnowledgeBase, 'embedder' | 'profile' | 'backend'> | undefined;
  /**
   * Makes the served snapshot the one `version` names (after a write through this process):
   * reloads until it is — or until `shows` says the served one already shows the change (a later
   * version another process wrote meanwhile) — so a caller can answer once its change is searchable.
   */
  reloadTo(version: string, shows?: (service: KnowledgeService) => Promise<boolean>): Promise<boolean>;
}

/** A failed first load as readyz shows it: the problem and what to run or fix. */
export function describeLoadFailure(error: unknown): string {
  const message = describeError(error);
  if (isKbError(error) && error.hint !== undefined) return `${message}; then restart the server`;
  return `${message}; fix the cause (see the server log), run \`npm run -s kb -- ingest\` to check the index builds, then restart the server`;
}

/** First loads failing with these are retried (the database not up yet, pgvector not installed yet). */
const RETRIED = new Set<string>([ERROR_CODES.STORE_UNREACHABLE, ERROR_CODES.STORE_EXTENSION_MISSING]);
const FIRST_RETRY_MS = 2000;
const MAX_RETRY_MS = 60_000;
/** How often a server whose index could not be loaded looks for a new version of it. */
const VERSION_POLL_MS = 1000;

export function createLiveKnowledgeBase(config: Config, options: { logger?: Logger; autoIngest?: boolean } = {}): LiveKnowledgeBase {
  const logger = options.logger ?? silentLogger;
  let opened: OpenedKnowledgeBase | undefined;
  let service: KnowledgeService | undefined;
  let error: string | undefined;
  let reloading: Promise<boolean> | undefined;
  let reloadAgain = false;
  let stopWatching: (() => void) | undefined;

  let failure: string | undefined;
  let closed = false;
  const loadedListeners: (() => void)[] = [];
  let opening: Promise<boolean> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryDelay = FIRST_RETRY_MS;

  const open = (): Promise<void> =>
    openKnowledgeBase(config, { logger, autoIngest: options.autoIngest ?? true, warmUp: true }).then(
      (o) => {
        opened = o;
        service = o.service;
        failure = undefined;
        const info = o.store.info;
        logger.info('index loaded', { store: info.backend, version: info.version, documents: info.documents, passages: info.passages });
        for (const listener of loadedListeners.splice(0)) listener();
      },
      (e: unknown) => {
        failure = describeLoadFailure(e);
        throw e;
      },
    );
  // A database that is not up yet (or lacks pgvector until someone installs it) is tried again,
  // backing off to a minute, so the server comes up when it does; readyz says "failed" meanwhile.
  // An embedded index that could not be loaded (corrupt, made for other settings) is loaded again
  // once CURRENT names another version: a `kb ingest --rebuild` heals a running server.
  let versionPoll: NodeJS.Timeout | undefined;
  const watchForNewVersion = (): void => {
    if (closed || opened || versionPoll || config.store.kind !== 'file') return;
    const failedAt = currentVersion(config.indexDir).catch(() => undefined);
    versionPoll = setInterval(() => {
      void Promise.all([failedAt, currentVersion(config.indexDir).catch(() => undefined)]).then(async ([before, now]) => {
        if (closed || opened || opening || now === undefined || now === before) return;
        clearInterval(versionPoll);
        versionPoll = undefined;
        // A failure re-arms this watch through scheduleRetry.
        await openAgain();
      });
    }, VERSION_POLL_MS);
    versionPoll.unref();
  };
  const scheduleRetry = (e: unknown): void => {
    if (closed || opened) return;
    if (!isKbError(e) || !RETRIED.has(e.code)) {
      watchForNewVersion();
      return;
    }
    failure = `${describeError(e)}; retrying every ${Math.round(retryDelay / 1000)} s`;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void openAgain();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, MAX_RETRY_MS);
  };
  const openAgain = (): Promise<boolean> => {
    opening ??= open()
      .then(
        () => true,
        (e: unknown) => {
          logger.warn('index could not be loaded yet', { problem: describeError(e) });
          scheduleRetry(e);
          return false;
        },
      )
      .finally(() => {
        opening = undefined;
      });
    return opening;
  };
  const ready = open();
  ready.catch(scheduleRetry);

  const doReload = async (): Promise<boolean> => {
    // Not loaded yet (the first load failed): a reload (SIGHUP) tries to load again.
    if (!opened) {
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = undefined;
      return openAgain();
    }
    try {
      const version = await opened.backend.version();
      if (!version || (service && version === service.store.info.version)) return false;
      const store = await opened.backend.open();
      const next = createKnowledgeService(store, opened.searchEmbedder, serviceTuningFor(config, opened.profile));
      await warmUpLogged(next, logger); // everything lazy loaded before taking traffic
      service = next;
      error = undefined;
      failure = undefined;
      logger.info('index reloaded', { store: store.info.backend, version: store.info.version, documents: store.info.documents, passages: store.info.passages });
      return true;
    } catch (e) {
      error = describeError(e);
      if (opened.backend.kind === 'postgres' && !(isKbError(e) && e.code === ERROR_CODES.STORE_UNREACHABLE)) {
        // A database store is read live: there is no "last good index" in memory to keep serving.
        // What it holds now cannot be served (made by another build or settings): say so, serve nothing.
        service = undefined;
        failure = describeLoadFailure(e);
        logger.error('the database index changed and cannot be served; fix it and the servers reload on the next change', { problem: error });
        return false;
      }
      logger.error('index reload failed; still serving the last good index', { problem: error, serving: service?.store.info.version });
      return false;
    }
  };

  return {
    current: () => service,
    reload() {
      // A change announced while a reload runs may have landed after that reload read the version
      // (a replica hears each version once): it runs again when done, so the last change is never lost.
      if (reloading) {
        reloadAgain = true;
        return reloading;
      }
      reloading = (async () => {
        let changed = false;
        do {
          reloadAgain = false;
          changed = (await doReload()) || changed;
        } while (reloadAgain && !closed);
        return changed;
      })().finally(() => {
        reloading = undefined;
      });
      return reloading;
    },
    watch(intervalMs = 1000) {
      if (stopWatching) return;
      if (!opened) {
        // Watch once loaded (a first load that is retried).
        loadedListeners.push(() => this.watch(intervalMs));
        return;
      }
      stopWatching = opened.backend.watch(() => void this.reload(), intervalMs);
    },
    onLoaded(listener) {
      if (opened) listener();
      else loadedListeners.push(listener);
    },
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      if (versionPoll) clearInterval(versionPoll);
      stopWatching?.();
      stopWatching = undefined;
      await opened?.backend.close();
      await opened?.embedder.dispose?.();
    },
    ready,
    lastError: () => error,
    loadError: () => failure,
    runtime: () => (opened ? { embedder: opened.embedder, profile: opened.profile, backend: opened.backend } : undefined),
    async reloadTo(version, shows) {
      const done = async (): Promise<boolean> => service !== undefined && (service.store.info.version === version || (shows !== undefined && (await shows(service))));
      // A reload already running may have read the version before the write: run another after it.
      for (let attempt = 0; attempt < 3; attempt++) {
        if (await done()) return true;
        await this.reload();
      }
      return done();
    },
  };
}
