/**
 * A constructed one-document fixture for the answer rules' tests (answer-rules, question-reading): one city's
 * measures with the given passages, gathered as the results of a question in that order.
 */
import { analyze } from '../../../src/lexical/analyzer.js';
import { gatherEvidence, type Evidence } from '../../../src/retrieval/answer/decide.js';
import { FITTED_MODEL } from '../../../src/retrieval/answer/fitted.js';
import type { AnswerModel } from '../../../src/retrieval/answer/model.js';
import type { EvidenceView } from '../../../src/storage/types.js';

/** One city's measures with the given passages (one document), the results of `question` in that order. */
export function evidenceFor(question: string, texts: string[], title = '某市促进产业发展若干措施'): Evidence {
  const meta = { docId: 'city', title, issuer: '某市人民政府' };
  const body = texts.join('\n');
  const view = { documents: new Map([[meta.docId, { docId: meta.docId, body, meta }]]), passages: [], byId: new Map() } as unknown as EvidenceView;
  let at = 0;
  const results = texts.map((text, i) => {
    const start = body.indexOf(text, at);
    at = start + text.length;
    return { rank: i + 1, passageId: `city#${i}`, docId: meta.docId, title: meta.title, issuer: meta.issuer, breadcrumb: `《${meta.title}》`, clause: '', text, start, end: start + text.length, score: 1 / (i + 1), matchedBy: ['bm25' as const] };
  });
  const response = { query: question, results, understanding: { terms: analyze(question), namedDocs: [], clauseRefs: [], unknownPlaces: [] }, expansions: [], scope: [] };
  return gatherEvidence(view, response, FITTED_MODEL);
}

/** The fitted model with every lead over its outcome threshold and no topic floor: only the rules can refuse. */
export const lenient: AnswerModel = { ...FITTED_MODEL, topicFloor: 0, outcome: { ...FITTED_MODEL.outcome, threshold: 0 } };
