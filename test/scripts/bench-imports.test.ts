/**
 * The benchmark scripts (scripts/bench-load.ts, bench-query.ts, bench-extract.ts) import test helpers
 * (test/storage/pglite.ts → test/helpers.ts) and run outside vitest: loading those helpers must not need
 * vitest's run state (what test/global-setup.ts provides).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

describe('test helpers that the benchmark scripts import', () => {
  it('load in a plain node process, outside vitest', () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', "const m = await import('./test/storage/pglite.ts'); console.log(typeof m.startPgliteServer);"], { cwd: ROOT, env, encoding: 'utf8' });
    expect(out.trim()).toBe('function');
  });
});
