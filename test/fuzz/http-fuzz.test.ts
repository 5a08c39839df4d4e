/**
 * Property-based fuzzing of the HTTP API: random and adversarial bodies never produce a 5xx, always a
 * clear {error, error_description} on 4xx, and a valid request right after still answers.
 */
import fc from 'fast-check';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/http/app.js';
import { realKnowledgeBase } from '../helpers.js';

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
  fc.constantFrom('第'.repeat(2000), '（'.repeat(2000), '第一'.repeat(1000), '(一)'.repeat(500), '\u0000\u0001\u0002', '\ud800', '专栏'.repeat(900), '1.'.repeat(1000), ' '.repeat(2000), '数'.repeat(2001), '🀄'.repeat(500)),
  fc.integer().map(String),
);
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, hostile, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 })),
})).value;
const deep = fc.integer({ min: 1, max: 3000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`);

const searchBody = fc.record({ query: fc.oneof(hostile, jsonValue), k: fc.oneof(fc.integer({ min: -5, max: 100 }), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER), jsonValue), docIds: fc.oneof(fc.array(hostile, { maxLength: 3 }), jsonValue), issuer: fc.oneof(hostile, jsonValue) }, { requiredKeys: [] });
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
          expect(res.body.error).toMatch(/^(unknown_doc|unknown_passage|bad_request|not_found)$/u);
        }
      }),
      { numRuns: 100 },
    );
    process.stderr.write(`http fuzz: ${cases} requests\n`);
    expect(cases).toBeGreaterThan(500);
  }, 120_000);
});
