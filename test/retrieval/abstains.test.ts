import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { STOPWORDS } from '../../src/retrieval/analyzer.js';
import { abstains, composeAnswer, evidenceRequest } from '../../src/retrieval/answer.js';
import { loadEvidence } from '../../src/storage/evidence-loader.js';
import { questionConcepts } from '../../src/retrieval/evidence.js';
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

describe('questionConcepts for a single character the documents never use alone', () => {
  it('counts the two-character words starting with it that the scope uses, as a scan of the vocabulary finds them', () => {
    const { bm25 } = opened.kb;
    const vocabulary = bm25.terms();
    const singles = [...new Set(vocabulary.filter((w) => w.length === 2).map((w) => w[0] as string))].filter((ch) => /[\u4e00-\u9fff]/u.test(ch) && !bm25.has(ch)).slice(0, 40);
    expect(singles.length).toBeGreaterThan(10);
    const firstHalf = (i: number): boolean => i < bm25.size / 2;
    let checked = 0;
    for (const inScope of [() => true, firstHalf]) {
      for (const ch of singles) {
        const [concept] = questionConcepts(bm25, [ch], [], new Set(), inScope);
        // Question words (各, 多) are never concepts.
        if (!concept) continue;
        checked += 1;
        const scanned = vocabulary.filter((w) => w.length === 2 && w.startsWith(ch) && !STOPWORDS.has(w) && bm25.passagesWith(w).some(inScope)).slice(0, 8);
        expect([...concept.forms], ch).toEqual([ch, ...scanned]);
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});

describe('questionConcepts counting passages in scope', () => {
  it('counts each concept as the Set of its forms\' postings (and of passages with all its parts) counts it, on every dev question and scope', async () => {
    const { bm25, passages } = opened.kb;
    const yunfu = (i: number): boolean => passages[i]?.docId === 'yunfu';
    const firstHalf = (i: number): boolean => i < bm25.size / 2;
    let compounds = 0;
    let checked = 0;
    for (const q of questions) {
      const response = await opened.service.search(q, { k: 8 });
      const asked = response.query.normalize('NFKC');
      const isPhrase = (phrase: string): boolean => asked.includes(phrase) && [...opened.kb.documents.values()].some((d) => d.body.includes(phrase));
      for (const inScope of [() => true, yunfu, firstHalf]) {
        let size = 0;
        for (let i = 0; i < bm25.size; i += 1) if (inScope(i)) size += 1;
        for (const phrase of [undefined, isPhrase]) {
          const counted = questionConcepts(bm25, response.understanding.terms, response.expansions, new Set(), inScope, phrase);
          // Given the scope's size, the same concepts.
          expect(questionConcepts(bm25, response.understanding.terms, response.expansions, new Set(), inScope, phrase, size), q).toEqual(counted);
          for (const c of counted) {
            const hits = new Set<number>();
            for (const f of c.forms) for (const i of bm25.passagesWith(f)) if (inScope(i)) hits.add(i);
            if (c.parts) {
              compounds += 1;
              const [first, ...rest] = c.parts.map((p) => new Set(bm25.passagesWith(p)));
              for (const i of first ?? []) if (inScope(i) && rest.every((r) => r.has(i))) hits.add(i);
            }
            expect(c.scopeFreq, `${q} ${c.term}`).toBe(hits.size);
            expect(c.local, `${q} ${c.term}`).toBe(Math.log(1 + (size - hits.size + 0.5) / (hits.size + 0.5)));
            checked += 1;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
    expect(compounds).toBeGreaterThan(20);
  });

  it('reads postings in place from a snapshot and copies from a loaded view: the same concepts', async () => {
    for (const q of questions.slice(0, 15)) {
      const response = await opened.service.search(q, { k: 8, docIds: ['yunfu', 'shenzhen'] });
      const view = await loadEvidence(opened.store, evidenceRequest(response));
      expect(view.bm25.postings).toBeUndefined();
      expect(response.scope.length).toBeGreaterThan(0);
      const inScope = (i: number): boolean => response.scope.includes(opened.kb.passages[i]?.docId ?? '');
      const fromSnapshot = questionConcepts(opened.kb.bm25, response.understanding.terms, response.expansions, new Set(), inScope);
      const fromView = questionConcepts(view.bm25, response.understanding.terms, response.expansions, new Set(), () => true, undefined, view.scopedPassages);
      expect(fromView.map((c) => [c.term, c.scopeFreq, c.local]), q).toEqual(fromSnapshot.map((c) => [c.term, c.scopeFreq, c.local]));
    }
  });
});
