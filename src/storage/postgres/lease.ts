/**
 * The PostgreSQL store's single-writer lease (the kb_writer row): one ingest, `kb add` or upload at a
 * time across every process on the database, renewed while held, lapsing when its holder dies.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ERROR_CODES, KbError, describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { Queryable } from './queryable.js';

const LEASE_POLL_MS = 200;

export async function acquireLease(db: Queryable, logger: Logger, options: { waitMs?: number; owner?: string; leaseMs?: number }): Promise<{ release(): Promise<void> }> {
  const token = randomUUID();
  const leaseMs = Math.max(1000, options.leaseMs ?? 30_000);
  const waitMs = Math.max(0, options.waitMs ?? 0);
  const owner = options.owner ?? 'policy-kb';
  const deadline = Date.now() + waitMs;
  for (;;) {
    const taken = (
      await db.query<{ token: string }>(
        `INSERT INTO kb_writer (id, token, owner, host, pid, since, expires) VALUES (1, $1, $2, $3, $4, now(), now() + $5 * interval '1 millisecond')
         ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, owner = EXCLUDED.owner, host = EXCLUDED.host, pid = EXCLUDED.pid, since = EXCLUDED.since, expires = EXCLUDED.expires
         WHERE kb_writer.expires < now()
         RETURNING token`,
        [token, owner, hostname(), process.pid, leaseMs],
      )
    ).rows[0];
    if (taken) break;
    if (Date.now() >= deadline) {
      const holder = (await db.query<{ owner: string; host: string; pid: number; since: string }>(`SELECT owner, host, pid, to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS since FROM kb_writer WHERE id = 1`)).rows[0];
      const who = holder ? `${holder.owner} (pid ${holder.pid} on ${holder.host}, since ${holder.since})` : 'another process';
      const waited = waitMs > 0 ? ` after waiting ${(waitMs / 1000).toFixed(1)} s` : '';
      throw new KbError(ERROR_CODES.WRITE_LOCKED, `the PostgreSQL store is being written by ${who}${waited}; wait for it to finish and run the command again (a holder that died lets go within ${Math.round(leaseMs / 1000)} s)`, {
        details: holder ? { owner: holder.owner, host: holder.host, pid: Number(holder.pid), since: holder.since } : {},
      });
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(LEASE_POLL_MS, Math.max(1, deadline - Date.now()))));
  }
  const renew = setInterval(() => {
    db.query<{ token: string }>("UPDATE kb_writer SET expires = now() + $2 * interval '1 millisecond' WHERE id = 1 AND token = $1 RETURNING token", [token, leaseMs])
      .then((r) => {
        if (r.rows.length === 0) logger.error('the single-writer lease was lost (not renewed in time); another writer may have taken it', { owner });
      })
      .catch((error: unknown) => logger.warn('could not renew the single-writer lease', { error: describeError(error) }));
  }, leaseMs / 3);
  renew.unref();
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(renew);
      await db.query('DELETE FROM kb_writer WHERE id = 1 AND token = $1', [token]);
    },
  };
}
