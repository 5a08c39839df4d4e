/**
 * The heap policy of a long-running server. Under steady load V8 grows the heap rather than collect
 * it (its growing factor rises to several times the live size while collections are cheap), so a
 * server holding ~400 MB of live objects reached 1.75 GB RSS after 11,000 distinct questions at 8
 * clients, most of it garbage not yet collected; with the factor at 1.2 it stayed at 1.13 GB at the
 * same rate (BENCHMARKS.md, issue 23). `--heap-growing-percent` is read by V8 at every collection,
 * so setting it once the process runs takes effect; unlike `--max-old-space-size` it is no ceiling
 * (a library 10× larger needs no other setting).
 */
import v8 from 'node:v8';
import type { Config } from '../../src/config/index.js';

/** Applies HEAP_GROWING_PERCENT (0: V8's own rule). Returns the V8 flag set, if any. */
export function applyHeapPolicy(config: Pick<Config, 'heapGrowingPercent'>): string | undefined {
  if (config.heapGrowingPercent === 0) return undefined;
  const flag = `--heap-growing-percent=${config.heapGrowingPercent}`;
  v8.setFlagsFromString(flag);
  return flag;
}
