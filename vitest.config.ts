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
    // Each fork runs its files one after another in one module graph, instead of a fresh process per
    // file: importing the source tree (transformers.js, onnxruntime, pdf.js, …) once per fork, not once
    // per file, was 192 s of import out of 320 s for the 42 unit files of chunking/corpus/config/retrieval
    // (CPU 150 s → 54 s, same tests passing). Test files therefore share module state: the per-file
    // caches of test/helpers.ts (realCorpus, realKnowledgeBase) are per fork, and a file must not close
    // or change what they return; vitest still restores spies after each file.
    isolate: false,
  },
});
