/**
 * POST /api/compare {topic, docIds?} → {topic, rows: [{docId, title, issuer, validity, citations}]}:
 * what each document in scope says on one topic, a row with empty `citations` where it says nothing.
 */
import type { Express } from 'express';
import { z } from 'zod';
import { COMPARE_TOPIC_MAX_CHARS, compareProvisions, comparisonMarkdown } from '../../../src/retrieval/compare.js';
import type { KnowledgeService } from '../../../src/retrieval/service.js';
import { ERROR_CODES, KbError } from '../../../src/shared/errors.js';
import { plainText } from '../../../src/shared/control-chars.js';

const compareBody = z
  .object({
    topic: z.string().trim().min(1, 'must not be empty').max(COMPARE_TOPIC_MAX_CHARS, `must be at most ${COMPARE_TOPIC_MAX_CHARS} characters: a topic is a few words (e.g. 电费补贴); ask a whole question with /api/chat`),
    docIds: z.array(plainText(z.string().min(1).max(100))).min(1, 'must list at least one docId when given').max(50).optional(),
  })
  .strict();

export function registerCompareRoutes(app: Express, service: () => KnowledgeService): void {
  app.post('/api/compare', async (req, res) => {
    const parsed = compareBody.safeParse(req.body ?? {});
    if (!parsed.success) throw new KbError(ERROR_CODES.INVALID_INPUT, parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const svc = service();
    const comparison = await compareProvisions(svc.searcher, parsed.data.topic, parsed.data.docIds ? { docIds: parsed.data.docIds } : {});
    res.json({ ...comparison, markdown: comparisonMarkdown(comparison) });
  });
}
