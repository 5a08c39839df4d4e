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
    expect(config.indexStore).toBe('file');
    expect(config.databaseUrl).toBeUndefined();
  });

  it('reads INDEX_STORE=postgres with its DATABASE_URL', () => {
    const config = loadConfig({ INDEX_STORE: 'postgres', DATABASE_URL: ' postgresql://kb:secret@db:5432/policy_kb ' });
    expect(config.indexStore).toBe('postgres');
    expect(config.databaseUrl).toBe('postgresql://kb:secret@db:5432/policy_kb');
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
