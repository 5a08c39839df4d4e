/**
 * POST /api/search {query, k?, docIds?, issuer?, dateFrom?, dateTo?, validOn?, inForce?, mergeClause?}
 * → {results, abstained}: the request shape every transport shares (src/retrieval/search-request.ts),
 * each hit as the presenter shows it.
 */
import type { Express } from 'express';
import { presentHit } from '../../../src/retrieval/presenter.js';
import { searchOptionsOf, searchRequestSchema } from '../../../src/retrieval/search-request.js';
import { parse, sendJson, type RouteDeps } from '../request.js';

export function registerSearchRoutes(app: Express, deps: RouteDeps): void {
  app.post('/api/search', async (req, res) => {
    const { query, ...request } = parse(searchRequestSchema, req.body);
    const svc = deps.service();
    const response = await svc.search(query, searchOptionsOf(request));
    const [abstained, docs] = await Promise.all([svc.abstains(response), svc.catalog()]);
    const day = deps.today();
    sendJson(res, { results: response.results.map((r) => presentHit(docs, r, day)), abstained });
  });
}
