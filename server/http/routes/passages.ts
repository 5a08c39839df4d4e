/**
 * GET /api/passages/:passageId → {passage, previous, next, references}: one passage as the presenter
 * shows it, with its neighbours in reading order and the clauses it refers to.
 */
import type { Express } from 'express';
import { presentPassage, type PassageView } from '../../../src/retrieval/presenter.js';
import type { StoredPassage } from '../../../src/storage/types.js';
import { ERROR_CODES, KbError } from '../../../src/shared/errors.js';
import { requirePlainText } from '../../../src/shared/control-chars.js';
import type { RouteDeps } from '../request.js';

export function registerPassageRoutes(app: Express, deps: RouteDeps): void {
  app.get('/api/passages/:passageId', async (req, res) => {
    const id = requirePlainText('passageId', String(req.params.passageId));
    const found = await deps.service().passage(id);
    if (!found) throw new KbError(ERROR_CODES.UNKNOWN_PASSAGE, `unknown passageId "${id.slice(0, 100)}"`, { details: { passageId: id.slice(0, 100) } });
    const day = deps.today();
    const docs = new Map([[found.document.meta.docId, found.document]]);
    const view = (p: StoredPassage | undefined): PassageView | null => (p ? presentPassage(docs, p, day) : null);
    res.json({ passage: view(found.passage), previous: view(found.before[0]), next: view(found.after[0]), references: found.references });
  });
}
