/**
 * POST /api/diff {from, to} → {from, to, rows: [{status, from?, to?, changes?}], …}: 新旧对照 of two
 * documents clause by clause (src/retrieval/diff.ts). `from` and `to` are docIds and come back as
 * given; `fromDocument`/`toDocument` name them, `summary` counts rows per status. With
 * `format: "markdown"` the answer is the 修订说明 table (text/markdown).
 */
import type { Express } from 'express';
import { z } from 'zod';
import { diffMarkdown } from '../../../src/retrieval/diff.js';
import type { KnowledgeService } from '../../../src/retrieval/service.js';
import { compareVersions } from '../../../src/retrieval/versions.js';
import { ERROR_CODES, KbError } from '../../../src/shared/errors.js';

const docId = z.string().trim().min(1, 'must be a docId').max(100, 'must be at most 100 characters');
const diffBody = z
  .object({
    from: docId,
    to: docId,
    format: z.enum(['json', 'markdown']).optional(),
    /** Markdown: list unchanged clauses too (default: changed ones only). */
    unchanged: z.boolean().optional(),
  })
  .strict();

export function registerDiffRoutes(app: Express, service: () => KnowledgeService): void {
  app.post('/api/diff', async (req, res) => {
    const parsed = diffBody.safeParse(req.body ?? {});
    if (!parsed.success) throw new KbError(ERROR_CODES.INVALID_INPUT, `expected {from, to} (two docIds): ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
    const { from, to, format, unchanged } = parsed.data;
    const diff = await compareVersions(service().store, from, to);
    if (format === 'markdown') {
      res.type('text/markdown; charset=utf-8').send(diffMarkdown(diff, { unchanged: unchanged === true }));
      return;
    }
    res.json({ from, to, rows: diff.rows, fromDocument: diff.from, toDocument: diff.to, summary: diff.summary });
  });
}
