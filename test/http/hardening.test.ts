/**
 * The probe's HTTP findings (#10): Host and Origin checks on every route, rate limit after the
 * token and per batch member, TRUST_PROXY, Bearer scheme case, date and field-path validation,
 * readyz after a failed load. Real HTTP requests (supertest listens) with forged headers.
 */
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp, type AppDeps } from '../../server/http/app.js';
import { bearerToken, hostAllowed } from '../../server/http/security.js';
import { mountMcpHttp } from '../../server/mcp/http.js';
import { loadConfig } from '../../src/config/index.js';
import type { KnowledgeService } from '../../src/retrieval/service.js';
import { realKnowledgeBase } from '../helpers.js';

let service: KnowledgeService;
beforeAll(async () => {
  service = (await realKnowledgeBase()).service;
});

const appWith = (deps: Partial<AppDeps> = {}) => createApp({ getService: () => service, mounts: [mountMcpHttp({ getService: () => service })], ...deps });
const ROUTES: [string, string][] = [
  ['GET', '/'],
  ['GET', '/app.js'],
  ['GET', '/healthz'],
  ['GET', '/readyz'],
  ['GET', '/api/documents'],
  ['GET', '/api/documents/yunfu'],
  ['POST', '/api/search'],
  ['POST', '/api/chat'],
  ['GET', '/v1/models'],
  ['POST', '/v1/chat/completions'],
  ['POST', '/mcp'],
];
const send = (app: ReturnType<typeof createApp>, method: string, path: string) => (method === 'GET' ? request(app).get(path) : request(app).post(path).set('content-type', 'application/json').send('{}'));

describe('Host allow-list (DNS rebinding)', () => {
  it.each(ROUTES)('%s %s refuses Host: evil.example with 403 forbidden_host', async (method, path) => {
    const res = await send(appWith(), method, path).set('host', 'evil.example');
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: 'forbidden_host', error_description: 'Host evil.example is not allowed; add the name clients use to ALLOWED_HOSTS (loopback names are always allowed)' });
  });

  it.each(['localhost:8787', '127.0.0.1', 'LOCALHOST', '[::1]:8787', 'localhost.'])('accepts the loopback name %s', async (host) => {
    expect((await request(appWith()).get('/api/documents').set('host', host)).status).toBe(200);
  });

  it.each(['evil.example:8787', 'localhost.evil.example', '127.0.0.1.nip.io', 'evil.example#@localhost', '[::1].evil.example', ''])('refuses the look-alike %j', async (host) => {
    expect((await request(appWith()).get('/api/documents').set('host', host)).status).toBe(403);
  });

  it('ALLOWED_HOSTS extends the loopback names: a bare name any port, name:port that port only', async () => {
    const app = appWith({ allowedHosts: ['kb.internal', 'proxy.example:443'] });
    expect((await request(app).get('/api/documents').set('host', 'kb.internal:8787')).status).toBe(200);
    expect((await request(app).get('/api/documents').set('host', 'proxy.example:443')).status).toBe(200);
    expect((await request(app).get('/api/documents').set('host', 'proxy.example:80')).status).toBe(403);
    expect((await request(app).get('/api/documents').set('host', 'localhost')).status).toBe(200);
    expect(hostAllowed('anything', ['*'])).toBe(true);
  });
});

describe('Origin check on every route', () => {
  it.each(ROUTES)('%s %s refuses a foreign page (Origin: http://evil.example) with 403', async (method, path) => {
    const res = await send(appWith(), method, path).set('origin', 'http://evil.example');
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('forbidden_origin');
  });

  it('refuses the opaque origin "null" (sandboxed frames, file: pages) and accepts its own page', async () => {
    expect((await request(appWith()).get('/api/documents').set('origin', 'null')).status).toBe(403);
    const own = await request(appWith()).post('/api/search').set('host', 'localhost:8787').set('origin', 'http://localhost:8787').send({ query: '云浮第十条', k: 1 });
    expect(own.status).toBe(200);
  });
});

describe('bearer token', () => {
  it('reads the Bearer scheme in any case (RFC 7235) and refuses other schemes', async () => {
    const app = appWith({ apiToken: 'secret-token-1' });
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) expect((await request(app).get('/api/documents').set('authorization', `${scheme} secret-token-1`)).status).toBe(200);
    expect((await request(app).get('/api/documents').set('authorization', 'Basic secret-token-1')).status).toBe(401);
    expect((await request(app).get('/api/documents').set('authorization', 'Bearersecret-token-1')).status).toBe(401);
    expect(bearerToken('Bearer \t tok ')).toBe('tok');
  });

  it('trims a configured token with surrounding whitespace, so it can match', () => {
    expect(loadConfig({ API_TOKEN: '  secret-token-1\n' }).apiToken).toBe('secret-token-1');
    expect(() => loadConfig({ API_TOKEN: '   short  ' })).toThrow('invalid configuration: API_TOKEN: API_TOKEN must be at least 8 characters (after trimming spaces)');
  });
});

describe('rate limit', () => {
  const auth = { authorization: 'Bearer secret-token-1' };

  it('counts only authenticated requests: 25 bad tokens do not lock out the good client', async () => {
    const app = appWith({ apiToken: 'secret-token-1', rateLimitPerMinute: 3 });
    for (let i = 0; i < 25; i += 1) expect((await request(app).get('/v1/models').set('authorization', 'Bearer wrong-token!')).status).toBe(401);
    for (let i = 0; i < 3; i += 1) expect((await request(app).get('/v1/models').set(auth)).status).toBe(200);
    const limited = await request(app).get('/v1/models').set(auth);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: 'rate_limited', error_description: `more than 3 requests per minute from this client; retry in ${limited.headers['retry-after']} s` });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('counts each member of an MCP JSON-RPC batch', async () => {
    const app = appWith({ rateLimitPerMinute: 5 });
    const batch = Array.from({ length: 6 }, (_, i) => ({ jsonrpc: '2.0', id: i + 1, method: 'tools/call', params: { name: 'ask', arguments: { question: '云浮电费补贴' } } }));
    const res = await request(app).post('/mcp').set('accept', 'application/json, text/event-stream').set('content-type', 'application/json').send(batch);
    expect(res.status).toBe(429);
    expect(res.body.error).toBe('rate_limited');
  });

  it('keys clients by socket address unless TRUST_PROXY is set, then by X-Forwarded-For', async () => {
    const direct = appWith({ rateLimitPerMinute: 1 });
    expect((await request(direct).get('/v1/models').set('x-forwarded-for', '203.0.113.1')).status).toBe(200);
    expect((await request(direct).get('/v1/models').set('x-forwarded-for', '203.0.113.2')).status).toBe(429);
    const proxied = appWith({ rateLimitPerMinute: 1, trustProxy: loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy });
    expect((await request(proxied).get('/v1/models').set('x-forwarded-for', '203.0.113.1')).status).toBe(200);
    expect((await request(proxied).get('/v1/models').set('x-forwarded-for', '203.0.113.2')).status).toBe(200);
    expect((await request(proxied).get('/v1/models').set('x-forwarded-for', '203.0.113.1')).status).toBe(429);
  });

  it('reads TRUST_PROXY as off by default, a boolean, a hop count or addresses', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback' }).trustProxy).toBe('10.0.0.0/8, loopback');
  });
});

describe('validation', () => {
  const json = (path: string, body: unknown) => request(appWith()).post(path).set('content-type', 'application/json').send(JSON.stringify(body));

  it.each([
    [{ query: '数据', dateFrom: '2016-13-45' }, 'dateFrom: is not a calendar date (YYYY-MM-DD)'],
    [{ query: '数据', dateTo: '2017-02-29' }, 'dateTo: is not a calendar date (YYYY-MM-DD)'],
    [{ query: '数据', dateFrom: '2018-01-01', dateTo: '2017-01-01' }, 'dateFrom: must not be after dateTo; swap them or drop one'],
    [{ query: '数据', dateFrom: '2016-1-1' }, 'dateFrom: must be YYYY-MM-DD'],
  ])('rejects %j with 400', async (body, description) => {
    const res = await json('/api/search', body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_input', error_description: description });
  });

  it('accepts a real date range, leap day included', async () => {
    expect((await json('/api/search', { query: '数据', dateFrom: '2016-02-29', dateTo: '2016-02-29' })).status).toBe(200);
  });

  it('names the field of an over-long chat message', async () => {
    const long = '数'.repeat(2001);
    const chat = await json('/api/chat', { messages: [{ role: 'user', content: '云浮' }, { role: 'assistant', content: '好' }, { role: 'user', content: long }] });
    expect(chat.body).toEqual({ error: 'invalid_input', error_description: 'messages[2].content: must be at most 2000 characters' });
    expect((await json('/api/chat', { question: long })).body.error_description).toBe('question: must be at most 2000 characters');
    const openai = await json('/v1/chat/completions', { messages: [{ role: 'system', content: 'x' }, { role: 'user', content: long }] });
    expect(openai.body).toEqual({ error: 'invalid_input', error_description: 'messages[1].content: must be at most 2000 characters' });
    const nested = await json('/api/chat', { messages: [{ role: 'user', content: 'x'.repeat(20_001) }] });
    expect(nested.body.error_description).toBe('messages[0].content: Too big: expected string to have <=20000 characters');
  });
});

describe('readyz after a failed load', () => {
  it('answers 503 failed with the reason, and the API says the same', async () => {
    const app = createApp({ getService: () => undefined, getLoadError: () => 'index has 100-dim vectors; run `npm run -s kb -- ingest --rebuild`; then restart the server' });
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'failed', reason: 'index has 100-dim vectors; run `npm run -s kb -- ingest --rebuild`; then restart the server' });
    const search = await request(app).post('/api/search').send({ query: '数据' });
    expect(search.status).toBe(503);
    expect(search.body.error_description).toMatch(/^the knowledge base could not be loaded: index has 100-dim/u);
  });
});

describe('ALLOWED_HOSTS setting', () => {
  it('refuses URLs and paths, which could never match a Host header', () => {
    expect(loadConfig({ ALLOWED_HOSTS: 'kb.example.org, kb.example.org:8443,[::1], *' }).allowedHosts).toEqual(['kb.example.org', 'kb.example.org:8443', '[::1]', '*']);
    expect(() => loadConfig({ ALLOWED_HOSTS: 'http://kb.example.org' })).toThrow('invalid configuration: ALLOWED_HOSTS: entries are host names as clients send them (kb.example.org, kb.example.org:8443, [::1]), not URLs');
    expect(() => loadConfig({ ALLOWED_HOSTS: 'kb.example.org/api' })).toThrow(/ALLOWED_HOSTS: entries are host names/u);
  });
});
