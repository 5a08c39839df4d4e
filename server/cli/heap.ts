/**
 * The heap policy of a long-running server. Under steady load V8 grows the heap rather than collect
 * it (its growing factor rises to several times the live heap while collections are cheap): a
 * server over the library reached 1.75 GB RSS after 11,000 distinct questions at 8 clients, most of
 * it garbage not yet collected (a 700 MB heap ceiling held it at 1.17 GB at the same rate).
 * `--heap-growing-percent` is read by V8 at every collection, so setting it once the process runs
 * takes effect; unlike `--max-old-space-size` it is no ceiling (a library 10× larger needs no other
 * setting). The default, 100 (the heap may double what the last full collection kept), was chosen on
 * the library at 8 clients (BENCHMARKS.md, issue 23): 20 held RSS lowest (~1.05 GB) but doubled p99
 * (218–252 ms, more full collections); V8's own rule gave p99 108–181 ms and 1.27 GB after 40 s,
 * 1.75 GB after 11,000 requests; 100 gave p99 117–146 ms and 1.34 GB after 8,000 requests.
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
