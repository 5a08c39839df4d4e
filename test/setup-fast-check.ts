/**
 * Property tests are seeded: CI runs the same cases every time, so a red run is a bug found, reproducible
 * with the seed it prints, never a lottery. `FUZZ_SEED=<n>` runs other cases (explore locally; keep what
 * you find as an `examples` entry of the property).
 */
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.FUZZ_SEED ?? 20_261_206) });
