/**
 * Decisions that do not move with library size (issue 20 item 5): with 150 unrelated laws beside the
 * corpus, a question whose search returns the same passages gets the same decision — the same
 * outcome, the same lead clause, the same rows, the same probability. Nothing corpus-wide (a term's
 * count over the index) may enter the decision.
 */
import { cp, link, mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { openKnowledgeBase } from '../../src/pipeline/open.js';
import { traceAnswer } from '../../src/retrieval/answer.js';
import type { KnowledgeService } from '../../src/retrieval/service.js';
import { CORPUS_DIR, FIXTURES, ROOT, realKnowledgeBase, testConfig } from '../helpers.js';

const LAWS = path.join(ROOT, '..', 'shared', 'library', 'laws', 'files');
const ADDED = 150;

let small: KnowledgeService;
let large: KnowledgeService;
let questions: string[];

beforeAll(async () => {
  small = (await realKnowledgeBase()).service;
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-invariance-'));
  await cp(CORPUS_DIR, corpus, { recursive: true });
  await mkdir(path.join(corpus, 'laws'));
  const laws = (await readdir(LAWS)).filter((f) => f.endsWith('.md')).sort().slice(0, ADDED);
  for (const f of laws) await link(path.join(LAWS, f), path.join(corpus, 'laws', f)).catch(() => cp(path.join(LAWS, f), path.join(corpus, 'laws', f)));
  large = (await openKnowledgeBase(await testConfig({ CORPUS_DIR: corpus }), { autoIngest: true })).service;
  questions = (await readFile(path.join(FIXTURES, 'dev.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { question: string }).question);
}, 600_000);

describe('the decision with 150 unrelated laws beside the corpus', () => {
  it('is the same for every question whose search returns the same passages', async () => {
    let compared = 0;
    let same = 0;
    for (const q of questions) {
      const a = await small.respond(q);
      const b = await large.respond(q);
      const ids = (r: typeof a): string => r.response.results.map((h) => h.passageId).join(' ');
      const da = traceAnswer(a.view, a.response);
      const db = traceAnswer(b.view, b.response);
      const lead = (t: typeof da): string => {
        const c = t.decision.lead === undefined ? undefined : t.evidence.candidates[t.decision.lead];
        return c ? `${c.hit.docId}:${c.start}-${c.end}` : '-';
      };
      if (lead(da) === lead(db) && da.answer.outcome === db.answer.outcome) same += 1;
      if (ids(a) !== ids(b)) continue;
      compared += 1;
      expect({ outcome: db.answer.outcome, lead: lead(db), rows: db.decision.rows.map((r) => r.docId) }, q).toEqual({ outcome: da.answer.outcome, lead: lead(da), rows: da.decision.rows.map((r) => r.docId) });
      expect(db.decision.probability, q).toBeCloseTo(da.decision.probability, 9);
    }
    // Most questions keep their passages; the test means something only if it compared many.
    expect(compared).toBeGreaterThanOrEqual(25);
    // Where the laws did change what search returned, the decision still mostly holds.
    expect(same / questions.length).toBeGreaterThanOrEqual(0.85);
  });
});
