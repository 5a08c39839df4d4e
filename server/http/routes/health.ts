/**
 * GET /healthz (the process answers) and GET /readyz (it can serve: the index is loaded and, with
 * INDEX_STORE=postgres, the database answers and holds one). Neither needs a token; neither waits on
 * the database for longer than the health probe's deadline.
 */
import type { Express } from 'express';
import type { KnowledgeService } from '../../../src/retrieval/service.js';

export interface HealthDeps {
  getService(): KnowledgeService | undefined;
  getLoadError?(): string | undefined;
  /** Why the store cannot serve now (a database that is down, stalled or emptied), or undefined. */
  storeHealth?(): Promise<string | undefined>;
}

export function mountHealth(deps: HealthDeps): (app: Express) => void {
  return (app) => {
    app.get('/healthz', (_req, res) => {
      res.json({ status: 'ok' });
    });
    app.get('/readyz', async (_req, res) => {
      const s = deps.getService();
      const failed = s ? undefined : deps.getLoadError?.();
      if (failed) return void res.status(503).json({ status: 'failed', reason: failed });
      if (!s) return void res.status(503).json({ status: 'loading' });
      // Loaded, but the database behind it may be gone: not ready while it is (issue 25.8).
      const down = await deps.storeHealth?.();
      if (down) return void res.status(503).json({ status: 'unavailable', reason: down });
      const info = s.store.info;
      res.json({ status: 'ready', index: { version: info.version, model: info.modelId, documents: info.documents, passages: info.passages, createdAt: info.createdAt, store: info.backend } });
    });
  };
}
