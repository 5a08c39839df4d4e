import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-fast-check.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // Integration tests spawn processes and share the built model: keep the 2-core machine calm.
    pool: 'forks',
    maxWorkers: 2,
  },
});
