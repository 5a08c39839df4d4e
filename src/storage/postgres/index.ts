/** The PostgreSQL backend of the storage seams (INDEX_STORE=postgres). */
export { openPostgresStore, type PostgresStore, type PostgresStoreOptions } from './postgres-store.js';
export { postgresBackend, type PostgresBackend, type PostgresBackendSettings } from './backend.js';
export { pgliteQueryable, poolQueryable, type PgliteLike, type Queryable, type QueryRunner } from './queryable.js';
export { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations.js';
export { PostgresRateLimitStore, isPausedRateLimit, PAUSE_AFTER_FAILURE_MS } from './rate-limit-store.js';
export { createPool, poolOptions, DEFAULT_POOL_TIMEOUTS, type PoolTimeouts } from './pool.js';
export { createHealthProbe, HEALTH_TIMEOUT_MS } from './health.js';
