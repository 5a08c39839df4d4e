/**
 * The heap policy of a long-running server. On Node 20 (V8 11), under steady load V8 grows the heap
 * rather than collect it (its growing factor rises to several times the live heap while collections
 * are cheap): a server over the library reached 1.75 GB RSS after 11,000 distinct questions at 8
 * clients, most of it garbage not yet collected (a 700 MB heap ceiling held it at 1.17 GB at the same
 * rate). `--heap-growing-percent` is read by V8 at every collection, so setting it once the process
 * runs takes effect; unlike `--max-old-space-size` it is no ceiling (a library 10× larger needs no
 * other setting). 100 (the heap may double what the last full collection kept) was chosen on the
 * library at 8 clients (BENCHMARKS.md, issue 23): 20 held RSS lowest (~1.05 GB) but doubled p99
 * (218–252 ms, more full collections); V8's own rule gave p99 108–181 ms and 1.75 GB after 11,000
 * requests; 100 gave p99 117–131 ms and 1.34 GB after 8,000 requests.
 *
 * Node 24's V8 (13) sizes the heap differently: a churning test process stayed at ~190 MB by V8's own
 * rule, and under load the fixed factor of 100 let it grow to ~350 MB. So unless HEAP_GROWING_PERCENT
 * is set, the policy applies only on Node 20, where it was measured; later versions keep V8's rule.
 */
import v8 from 'node:v8';
import type { Config } from '../../src/config/index.js';

/** The growing percent a server uses when HEAP_GROWING_PERCENT is unset: 100 on Node 20, else V8's own rule (undefined). */
export function defaultHeapGrowingPercent(nodeMajor: number): number | undefined {
  return nodeMajor <= 20 ? 100 : undefined;
}

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/** Applies HEAP_GROWING_PERCENT (0: V8's own rule; unset: the default above). Returns the V8 flag set, if any. */
export function applyHeapPolicy(config: Pick<Config, 'heapGrowingPercent'>, nodeMajor = NODE_MAJOR): string | undefined {
  const percent = config.heapGrowingPercent ?? defaultHeapGrowingPercent(nodeMajor);
  if (percent === undefined || percent === 0) return undefined;
  const flag = `--heap-growing-percent=${percent}`;
  v8.setFlagsFromString(flag);
  return flag;
}
