/**
 * Property-based fuzzing of the HTTP API: random and adversarial bodies never produce a 5xx, always a
 * clear {error, error_description} on 4xx, and a valid request right after still answers.
 */
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/http/app.js';
import { realKnowledgeBase } from '../helpers.js';
import { postgresKnowledgeBase, type PostgresKnowledgeBase } from '../storage/postgres-service.js';

let app: ReturnType<typeof createApp>;
let cases = 0;

beforeAll(async () => {
  const { service } = await realKnowledgeBase();
  app = createApp({ getService: () => service });
});

// Strings that stress regexes and decoders: long runs of markers, brackets, controls, lone surrogates.
const hostile = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  // The probe's crashers: Object.prototype member names, as typed (any case, full width).
  fc.constantFrom('constructor', 'CONSTRUCTOR', 'ｃｏｎｓｔｒｕｃｔｏｒ', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', '云浮 constructor 补贴'),
  fc.constantFrom('第'.repeat(2000), '（'.repeat(2000), '第一'.repeat(1000), '(一)'.repeat(500), '\u0000\u0001\u0002', '\ud800', '专栏'.repeat(900), '1.'.repeat(1000), ' '.repeat(2000), '数'.repeat(2001), '🀄'.repeat(500)),
  fc.integer().map(String),
);
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, hostile, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 })),
})).value;
const deep = fc.integer({ min: 1, max: 3000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`);

const date = fc.oneof(fc.constantFrom('2016-13-45', '2017-02-29', '2016-02-29', '0000-00-00', '9999-12-31', '2018-01-01', '2017-01-01', '2016-1-1', '２０１６-０１-０１'), hostile);
const searchBody = fc.record({ query: fc.oneof(hostile, jsonValue), k: fc.oneof(fc.integer({ min: -5, max: 100 }), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER), jsonValue), docIds: fc.oneof(fc.array(hostile, { maxLength: 3 }), jsonValue), issuer: fc.oneof(hostile, jsonValue), dateFrom: date, dateTo: date }, { requiredKeys: [] });
const chatBody = fc.record({ question: fc.oneof(hostile, jsonValue), messages: fc.oneof(fc.array(fc.record({ role: fc.oneof(fc.constantFrom('user', 'assistant', 'system'), hostile), content: fc.oneof(hostile, jsonValue) }), { maxLength: 4 }), jsonValue), stream: fc.oneof(fc.boolean(), jsonValue) }, { requiredKeys: [] });
const openAiBody = fc.record({ model: fc.oneof(hostile, jsonValue), messages: fc.oneof(fc.array(fc.record({ role: fc.oneof(fc.constantFrom('user', 'assistant', 'system', 'tool'), hostile), content: fc.oneof(hostile, jsonValue, fc.constant(null)) }), { maxLength: 4 }), jsonValue), stream: fc.oneof(fc.boolean(), jsonValue) }, { requiredKeys: [] });

async function expectClean(path: string, raw: string): Promise<void> {
  cases += 1;
  const res = await request(app).post(path).set('content-type', 'application/json').send(raw);
  expect(res.status, `${path} ${raw.slice(0, 200)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(typeof res.body.error).toBe('string');
    expect(typeof res.body.error_description).toBe('string');
    expect(res.text).not.toMatch(/\bat \S+ \(|node_modules|\/work\//u);
  }
}

describe('HTTP API under fuzzed input', () => {
  it.each([
    ['/api/search', searchBody],
    ['/api/chat', chatBody],
    ['/v1/chat/completions', openAiBody],
  ] as const)('%s never answers 5xx', async (path, arb) => {
    await fc.assert(fc.asyncProperty(fc.oneof(arb.map((b) => JSON.stringify(b)), jsonValue.map((v) => JSON.stringify(v) ?? 'null'), deep, hostile), (raw) => expectClean(path, raw)), { numRuns: 120 });
    const ok = await request(app).post('/api/search').send({ query: '云浮第十条', k: 1 });
    expect(ok.status).toBe(200);
    expect(ok.body.results[0].docId).toBe('yunfu');
  }, 120_000);

  it('GET routes with hostile ids answer 404, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(hostile.filter((s) => s.length > 0), async (id) => {
        cases += 2;
        for (const base of ['/api/documents/', '/api/passages/']) {
          let encoded: string;
          try {
            encoded = encodeURIComponent(id);
          } catch {
            encoded = '%ED%A0%80'; // a lone surrogate, as raw (invalid) UTF-8 bytes
          }
          const res = await request(app).get(base + encoded.slice(0, 4000));
          expect(res.status).toBeLessThan(500);
          // A control character in the id is refused as input (issue 25.2); any other unknown id is 404.
          expect(res.body.error).toMatch(/^(unknown_doc|unknown_passage|bad_request|not_found|invalid_input)$/u);
        }
      }),
      { numRuns: 100 },
    );
    process.stderr.write(`http fuzz: ${cases} requests\n`);
    expect(cases).toBeGreaterThan(500);
  }, 120_000);
});

describe('HTTP API on PostgreSQL under hostile ids and filters', () => {
  let pg: PostgresKnowledgeBase;
  let pgApp: ReturnType<typeof createApp>;
  beforeAll(async () => {
    pg = await postgresKnowledgeBase();
    pgApp = createApp({ getService: () => pg.service });
  }, 120_000);
  afterAll(async () => pg?.close());

  // Ids and filters with C0 controls (NUL above all: PostgreSQL text cannot hold it) among ordinary ones.
  const controlled = fc.tuple(fc.string({ maxLength: 20 }), fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), fc.string({ maxLength: 20 })).map(([a, c, b]) => `${a}${c}${b}`);
  const idOrFilter = fc.oneof(controlled, hostile);

  it('reads by id and filter answer 4xx or 200, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(idOrFilter, idOrFilter, async (id, filter) => {
        cases += 4;
        for (const base of ['/api/documents/', '/api/passages/']) {
          let encoded: string;
          try {
            encoded = encodeURIComponent(id);
          } catch {
            encoded = '%ED%A0%80';
          }
          const res = await request(pgApp).get(base + (encoded.slice(0, 4000) || 'x'));
          expect(res.status, `${base}${JSON.stringify(id)}`).toBeLessThan(500);
        }
        const search = await request(pgApp).post('/api/search').send({ query: '电费补贴', issuer: filter.slice(0, 200), docIds: [id.slice(0, 100) || 'x'] });
        expect(search.status, JSON.stringify({ id, filter })).toBeLessThan(500);
        const issuerOnly = await request(pgApp).post('/api/search').send({ query: '电费补贴', issuer: filter.slice(0, 200) });
        expect(issuerOnly.status, JSON.stringify(filter)).toBeLessThan(500);
      }),
      { numRuns: 80 },
    );
  }, 240_000);
});

describe('HTTP protections under forged headers', () => {
  const routes = fc.constantFrom(['GET', '/'], ['GET', '/healthz'], ['GET', '/readyz'], ['GET', '/api/documents'], ['GET', '/api/documents/yunfu'], ['POST', '/api/search'], ['POST', '/api/chat'], ['GET', '/v1/models'], ['POST', '/v1/chat/completions'], ['POST', '/mcp']);
  // DNS rebinding and look-alikes: none of these is a loopback name.
  const foreignHost = fc.oneof(
    fc.constantFrom('evil.example', 'evil.example:8787', 'localhost.evil.example', '127.0.0.1.nip.io', '[::1].evil.example', 'localhost:8787@evil.example', '127.0.0.2', '0.0.0.0', '[::]', 'LOCALHOST.EVIL'),
    fc.domain().filter((d) => !['localhost'].includes(d.toLowerCase())),
  );
  const foreignOrigin = fc.oneof(fc.constantFrom('http://evil.example', 'null', 'http://localhost.evil.example', 'file://', 'https://127.0.0.1.nip.io'), fc.webUrl().map((u) => new URL(u).origin));
  const authHeader = fc.oneof(fc.constant(undefined), fc.constantFrom('Bearer', 'Bearer ', 'bearer wrong-token', 'Basic c2VjcmV0', 'Bearer secret-token-1x', 'Bearer\tsecret-token-2', 'Bearer secret-token-1 extra'), hostile.map((h) => `Bearer ${h.replace(/[^\x20-\x7e]/gu, '')}`));

  it('refuses every route to a foreign Host or Origin, and a wrong token never passes', async () => {
    const secured = createApp({ getService: () => undefined, apiToken: 'secret-token-1' });
    await fc.assert(
      fc.asyncProperty(routes, fc.option(foreignHost, { nil: undefined }), fc.option(foreignOrigin, { nil: undefined }), authHeader, async ([method, path], host, origin, auth) => {
        cases += 1;
        const req = method === 'GET' ? request(secured).get(path) : request(secured).post(path).set('content-type', 'application/json').send('{}');
        if (host !== undefined) req.set('host', host);
        if (origin !== undefined) req.set('origin', origin);
        if (auth !== undefined) req.set('authorization', auth);
        const res = await req;
        if (host !== undefined) expect(res.body.error, `${host}`).toBe('forbidden_host');
        else if (origin !== undefined) expect(res.body.error, `${origin}`).toBe('forbidden_origin');
        else if (/^\/(api|v1|mcp)\b/u.test(path)) expect(res.status).toBe(401);
        // Only readyz may answer 503 here (no index loaded); nothing answers 5xx otherwise.
        if (path !== '/readyz') expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});
