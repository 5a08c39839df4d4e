import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { abstains, composeAnswer, evidenceRequest } from '../../src/retrieval/answer.js';
import { loadEvidence } from '../../src/storage/evidence-loader.js';
import type { SearchResponse } from '../../src/retrieval/search.js';
import type { OpenedSnapshot } from '../helpers.js';
import { FIXTURES, realKnowledgeBase } from '../helpers.js';

let opened: OpenedSnapshot;
let questions: string[];
beforeAll(async () => {
  opened = await realKnowledgeBase();
  questions = (await readFile(path.join(FIXTURES, 'dev.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { question: string }).question);
});

// What a search route reports as `abstained` must be exactly what `ask` would do with the same evidence.
describe('abstains', () => {
  it('decides as composeAnswer does on every dev question, both ways represented', async () => {
    const seen = new Set<boolean>();
    for (const q of [...questions, '广州对数据中心有什么补贴？', '云浮数据中心的院长是谁？', '云浮对数据中心的电费补贴是多少元？']) {
      const response = await opened.service.search(q, { k: 8 });
      const decided = abstains(opened.kb, response);
      expect(decided, q).toBe(composeAnswer(opened.kb, response).abstained);
      expect(await opened.service.abstains(response), q).toBe(decided);
      // A database backend decides on a view loaded for the request: the same decision.
      expect(abstains(await loadEvidence(opened.store, evidenceRequest(response)), response), q).toBe(decided);
      seen.add(decided);
    }
    expect([...seen].sort()).toEqual([false, true]);
  });

  it('decides on a response restricted to one document as on the whole library', async () => {
    for (const q of questions.slice(0, 12)) {
      const response = await opened.service.search(q, { k: 8, docIds: ['yunfu'] });
      expect(abstains(opened.kb, response), q).toBe(composeAnswer(opened.kb, response).abstained);
    }
  });

  it('abstains on an empty response', () => {
    const empty: SearchResponse = { query: '云浮', results: [], understanding: { terms: ['云浮'], namedDocs: [], clauseRefs: [], unknownPlaces: [] }, expansions: [], scope: [] };
    expect(abstains(opened.kb, empty)).toBe(true);
  });
});

describe('composeAnswer with memoized passage sentences', () => {
  it('quotes only sentences inside the spans it read, whether hits are passages or merged clauses', async () => {
    let checked = 0;
    for (const mergeClause of [false, true, false]) {
      for (const q of questions.filter((x) => !/网址|网站|出处|链接/u.test(x))) {
        const response = await opened.service.search(q, { k: 8, mergeClause });
        const answer = composeAnswer(opened.kb, response);
        if (answer.abstained) continue;
        for (const c of answer.citations) {
          // The quote is the sentence's whole unit (answer/units.ts); the sentence itself is the highlight.
          const s = c.highlight ?? { start: c.start, end: c.end };
          expect(response.results.some((h) => h.docId === c.docId && h.start <= s.start && s.end <= h.end), `${q}: [${s.start}, ${s.end}) of ${c.docId}`).toBe(true);
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});
