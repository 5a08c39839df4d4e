import { defineConfig } from 'vitest/config';

// Options every test file runs with, in either project below.
const common = {
  setupFiles: ['test/setup-fast-check.ts'],
  testTimeout: 60_000,
  hookTimeout: 300_000,
  // Integration tests spawn processes and share the built model: keep the 2-core machine calm.
  pool: 'forks' as const,
  maxWorkers: 2,
};

// Files that replace a module with vi.mock: they need a module graph of their own, since a module
// another file of the same fork already imported is not imported again (so not mocked).
const OWN_MODULES = ['test/pipeline/disk-errors.test.ts'];

export default defineConfig({
  test: {
    // Run once for the whole run by the root project; both projects read what it provides.
    globalSetup: ['test/global-setup.ts'],
    ...common,
    projects: [
      {
        test: {
          ...common,
          name: 'shared-modules',
          include: ['test/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...OWN_MODULES],
          // Each fork runs its files one after another in one module graph, instead of a fresh process
          // per file: importing the source tree (transformers.js, onnxruntime, pdf.js, …) once per fork,
          // not once per file, was 192 s of import out of 320 s for the 42 unit files of
          // chunking/corpus/config/retrieval (CPU 150 s → 54 s, same tests passing). Test files therefore
          // share module state: the per-file caches of test/helpers.ts (realCorpus, realKnowledgeBase)
          // are per fork, and a file must not close or change what they return; vitest still restores
          // spies after each file.
          isolate: false,
        },
      },
      { test: { ...common, name: 'own-modules', include: OWN_MODULES, isolate: true } },
    ],
  },
});
