/**
 * The question sets `npm run eval` and `npm run calibrate` read (eval/README.md says who wrote each and how):
 * the development sets fitted on — the two given, the team's fresh and fresh2 (spent as held-out sets), fresh5
 * and fresh6 (written for fitting), fresh7, fresh8, fresh9 and fresh10 (measured once as new, then read), para (dev and dev2 reworded) and pairs and pairs3 (unanswerable questions one
 * detail away) — and the team's held-out sets, never fitted on, reported as aggregates only: fresh3, fresh4 and
 * pairs2 (its aggregate was read at each change of the stop that wrote it: eval/README.md).
 */
export const DEVELOPMENT_SETS = ['../shared/eval/dev.jsonl', '../shared/eval/dev2.jsonl', 'eval/fresh.jsonl', 'eval/fresh2.jsonl', 'eval/fresh5.jsonl', 'eval/fresh6.jsonl', 'eval/fresh7.jsonl', 'eval/fresh8.jsonl', 'eval/fresh9.jsonl', 'eval/fresh10.jsonl', 'eval/para.jsonl', 'eval/pairs.jsonl', 'eval/pairs3.jsonl'];
export const HELD_OUT_SETS = ['eval/fresh3.jsonl', 'eval/fresh4.jsonl', 'eval/pairs2.jsonl'];

/**
 * Questions about the library of laws itself (eval/README-laws.md, README-laws2.md): asked only where the library is
 * beside the corpus. `laws` is a development set; `laws2`, written by another author from the other half of the
 * library, is held out (aggregates only).
 */
export const LIBRARY_SETS = ['eval/laws.jsonl'];
export const LIBRARY_HELD_OUT_SETS = ['eval/laws2.jsonl'];
