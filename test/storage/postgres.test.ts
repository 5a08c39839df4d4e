import { describe } from 'vitest';
import { openPostgresStore, pgliteQueryable } from '../../src/storage/postgres/index.js';
import { describeStoreContract } from './contract.js';
import { freshPglite } from './pglite.js';

describeStoreContract('postgres (PGlite in process)', async ({ modelId, dimension }) => {
  const db = await freshPglite();
  const opened = await openPostgresStore({ queryable: pgliteQueryable(db), modelId, dimension });
  return {
    get store() {
      return opened.store;
    },
    writer: opened.writer,
    close: async () => {
      await opened.close();
      await db.close();
    },
  };
});

describe.skip('placeholder', () => {});
