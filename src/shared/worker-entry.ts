/**
 * How to start a worker thread whose module sits beside the caller: its compiled `.js` file when the caller
 * runs compiled, or, running from source (tsx, vitest), a bootstrap that loads the `.ts` file through tsx's
 * API (a worker does not inherit the loader hooks of its parent). One definition for every worker of the
 * project (extraction, ingest).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** `callerUrl`: the caller's `import.meta.url`; `name`: the worker module's file name without extension. */
export function workerEntry(callerUrl: string, name: string): { entry: URL | string; eval: boolean } {
  const js = new URL(`./${name}.js`, callerUrl);
  if (callerUrl.endsWith('.js') && existsSync(js)) return { entry: js, eval: false };
  const ts = new URL(`./${name}.ts`, callerUrl);
  // tsx's ESM API (the package maps `require` to its .cjs twin): tsImport loads the worker with tsx scoped to it.
  const api = pathToFileURL(createRequire(callerUrl).resolve('tsx/esm/api').replace(/\.cjs$/u, '.mjs')).href;
  return { entry: `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(ts.href)}, ${JSON.stringify(api)}));`, eval: true };
}
