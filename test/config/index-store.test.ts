import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { KbError } from '../../src/shared/errors.js';

function configError(env: Record<string, string>): KbError {
  try {
    loadConfig(env);
  } catch (error) {
    return error as KbError;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig > INDEX_STORE and DATABASE_URL', () => {
  it('uses the file store by default', () => {
    const config = loadConfig({});
    expect(config.store.kind).toBe('file');
    expect(config.store).toEqual({ kind: 'file' });
  });

  it('reads INDEX_STORE=postgres with its DATABASE_URL', () => {
    const config = loadConfig({ INDEX_STORE: 'postgres', DATABASE_URL: ' postgresql://kb:secret@db:5432/policy_kb ' });
    expect(config.store.kind).toBe('postgres');
    expect(config.store.kind === 'postgres' && config.store.url).toBe('postgresql://kb:secret@db:5432/policy_kb');
    // The rest of the database settings travel with it, defaults included.
    expect(config.store).toEqual({ kind: 'postgres', url: 'postgresql://kb:secret@db:5432/policy_kb', poolSize: 10, pollMs: 5000, connectTimeoutMs: 5000, statementTimeoutMs: 30_000 });
  });

  it('refuses postgres without DATABASE_URL, saying what to set', () => {
    const error = configError({ INDEX_STORE: 'postgres' });
    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe(
      'invalid configuration: DATABASE_URL: INDEX_STORE=postgres needs DATABASE_URL (postgresql://user:password@host:5432/policy_kb), or set INDEX_STORE=file',
    );
  });

  it('lists the choices for an unknown INDEX_STORE', () => {
    const error = configError({ INDEX_STORE: 'mysql' });
    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe(
      'invalid configuration: INDEX_STORE: must be file (the embedded snapshot in INDEX_DIR, the default) or postgres (PostgreSQL with pgvector at DATABASE_URL); got "mysql"',
    );
  });

  it('refuses a DATABASE_URL that is not a postgresql:// URL', () => {
    const error = configError({ INDEX_STORE: 'postgres', DATABASE_URL: 'mysql://db/kb' });
    expect(error.message).toBe('invalid configuration: DATABASE_URL: must be a postgres:// or postgresql:// URL, e.g. postgresql://user:password@host:5432/policy_kb');
  });
});

describe('loadConfig > whole-number settings', () => {
  it.each([
    [{ DATABASE_POLL_MS: 'abc' }, 'invalid configuration: DATABASE_POLL_MS: must be a whole number from 0 to 600000'],
    [{ DATABASE_POOL_SIZE: '1.5' }, 'invalid configuration: DATABASE_POOL_SIZE: must be a whole number from 1 to 200, not 1.5'],
    [{ DATABASE_POOL_SIZE: '0' }, 'invalid configuration: DATABASE_POOL_SIZE: must be a whole number from 1 to 200, not 0'],
    [{ PORT: '70000' }, 'invalid configuration: PORT: must be a whole number from 0 to 65535, not 70000'],
  ])('names the range for %o', (env, message) => {
    const error = configError(env);
    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe(message);
  });

  it('reads a whole number given with spaces', () => {
    const store = loadConfig({ INDEX_STORE: 'postgres', DATABASE_URL: 'postgresql://db/kb', DATABASE_POOL_SIZE: ' 4 ' }).store;
    expect(store.kind === 'postgres' && store.poolSize).toBe(4);
  });
});
