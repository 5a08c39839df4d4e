/**
 * Whether the database can serve now, for `/readyz` (issue 25.8): it answers within a deadline and
 * holds an index. A stalled or unreachable database, or one recreated empty under a running server,
 * is reported with the reason, so a load balancer stops sending traffic while routes that need no
 * database keep answering.
 */
import { describeError, ERROR_CODES, isKbError } from '../../shared/errors.js';
import type { QueryRunner } from './queryable.js';

/** How long readiness waits for the database before calling it unavailable. */
export const HEALTH_TIMEOUT_MS = 2000;

/** Why the database cannot serve, or undefined when it can. Concurrent calls share one probe. */
export function createHealthProbe(db: QueryRunner, timeoutMs = HEALTH_TIMEOUT_MS): () => Promise<string | undefined> {
  let running: Promise<string | undefined> | undefined;
  const probe = async (): Promise<string | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`the database did not answer within ${timeoutMs} ms; requests that need it answer 503 until it does`), timeoutMs);
    });
    const read = db
      .query<{ version: string }>('SELECT version::text AS version FROM kb_state WHERE id = 1')
      .then((r) => {
        const version = r.rows[0]?.version;
        return version === undefined || version === '0' ? 'the database holds no index (emptied or recreated?); run `npm run -s kb -- ingest`' : undefined;
      })
      .catch((error: unknown) => {
        if (isKbError(error) && (error.code === ERROR_CODES.STORE_UNREACHABLE || error.code === ERROR_CODES.INDEX_MISSING)) return error.message;
        return `the database could not be read: ${describeError(error)}`;
      });
    try {
      return await Promise.race([read, late]);
    } finally {
      clearTimeout(timer);
    }
  };
  return () => {
    running ??= probe().finally(() => {
      running = undefined;
    });
    return running;
  };
}
