import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Layers of src/, lowest first: shared < config, corpus, extract, embeddings, lexical < chunking < storage <
 * retrieval < pipeline < server (server/ is outside src/). An import of a higher layer fails lint
 * (ESLint core no-restricted-imports, one regular expression per higher folder over the import path).
 */
const LAYERS = [['shared'], ['config', 'corpus', 'extract', 'embeddings', 'lexical'], ['chunking'], ['storage'], ['retrieval'], ['pipeline']];
function layerRules() {
  return LAYERS.map((folders, level) => {
    const above = [...LAYERS.slice(level + 1).flat(), 'server'];
    return {
      files: folders.map((f) => `src/${f}/**/*.ts`),
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: above.map((folder) => ({
              regex: folder === 'server' ? '^(\\.\\./)+server/' : `^(\\.\\./)+${folder}/`,
              message: `layer order: src/${folders.join(', src/')} may not import ${folder === 'server' ? 'server/' : `src/${folder}/`} (shared < config, corpus, extract, embeddings, lexical < chunking < storage < retrieval < pipeline < server)`,
            })),
          },
        ],
      },
    };
  });
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'embeddings/', 'test-output/', 'coverage/', '.cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly' } },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Layer order of src/ (README "Layout"): a module imports only from its own layer and the layers below.
  ...layerRules(),
  {
    // The CLI, scripts and benchmarks talk to a person on the terminal.
    files: ['server/cli/**', 'scripts/**', 'bin/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['server/web/**/*.js'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly', fetch: 'readonly', location: 'readonly', history: 'readonly', Headers: 'readonly', XMLHttpRequest: 'readonly', FormData: 'readonly', confirm: 'readonly', URL: 'readonly', setTimeout: 'readonly', CustomEvent: 'readonly' } },
  },
);
