import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/http/app.js';
import type { KnowledgeService } from '../../src/retrieval/service.js';
import { realKnowledgeBase } from '../helpers.js';

let service: KnowledgeService;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  service = (await realKnowledgeBase()).service;
  app = createApp({ getService: () => service });
});

const json = (path: string, body: unknown) => request(app).post(path).set('content-type', 'application/json').send(JSON.stringify(body));

describe('health', () => {
  it('answers healthz always and readyz once the index is loaded', async () => {
    expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', index: { documents: 8 } });
    const loading = createApp({ getService: () => undefined });
    expect((await request(loading).get('/readyz')).status).toBe(503);
    expect((await request(loading).post('/api/search').send({ query: '数据' })).status).toBe(503);
  });
});

describe('POST /api/search', () => {
  it('returns ranked passages whose text is the body slice', async () => {
    const res = await json('/api/search', { query: '云浮第十条', k: 3 });
    expect(res.status).toBe(200);
    expect(res.body.abstained).toBe(false);
    expect(res.body.results).toHaveLength(3);
    const top = res.body.results[0];
    expect(Object.keys(top)).toEqual(expect.arrayContaining(['rank', 'passageId', 'docId', 'title', 'issuer', 'breadcrumb', 'clause', 'text', 'start', 'end', 'score', 'validity']));
    expect(top.validity).toEqual({ status: expect.any(String), basis: expect.any(String), evidence: expect.any(String), ...(top.validity.effectiveFrom ? { effectiveFrom: expect.any(String) } : {}), ...(top.validity.effectiveTo ? { effectiveTo: expect.any(String) } : {}), ...(top.validity.period ? { period: expect.any(Object) } : {}) });
    const doc = await request(app).get(`/api/documents/${top.docId}`);
    expect(doc.body.body.slice(top.start, top.end)).toBe(top.text);
  });

  it.each([
    [{ query: '' }, 'query: must not be empty'],
    [{ query: '数'.repeat(2001) }, 'query: must be at most 2000 characters'],
    [{ query: 12 }, 'query: Invalid input: expected string, received number'],
    [{ query: '数据', k: 0 }, 'k: Too small: expected number to be >=1'],
    [{ query: '数据', k: 51 }, 'k: Too big: expected number to be <=50'],
    [{ query: '数据', extra: 1 }, 'body: Unrecognized key: "extra"'],
    [[], 'body: Invalid input: expected object, received array'],
  ])('rejects %j with 400', async (body, description) => {
    const res = await json('/api/search', body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_input', error_description: description });
  });

  it('rejects bad JSON with 400 and an oversized body with 413', async () => {
    const bad = await request(app).post('/api/search').set('content-type', 'application/json').send('{"query":');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'invalid_json', error_description: 'request body is not valid JSON' });
    const big = await json('/api/search', { query: '数', pad: 'x'.repeat(70_000) });
    expect(big.status).toBe(413);
    expect(big.body.error).toBe('payload_too_large');
  });

  it('answers 404 for an unknown docId filter', async () => {
    const res = await json('/api/search', { query: '数据', docIds: ['nope'] });
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('unknown_doc');
  });
});

describe('POST /api/chat', () => {
  it('answers with citations that quote the body exactly', async () => {
    const res = await json('/api/chat', { question: '东莞电子政务网络的接入带宽要达到什么标准?' });
    expect(res.status).toBe(200);
    expect(res.body.abstained).toBe(false);
    expect(res.body.answer).toMatch(/\[1\]/u);
    for (const c of res.body.citations) {
      expect(Object.keys(c)).toEqual(expect.arrayContaining(['n', 'passageId', 'docId', 'title', 'issuer', 'breadcrumb', 'clause', 'quote', 'start', 'end']));
      const doc = await request(app).get(`/api/documents/${c.docId}`);
      // A bounded unit's quote is its segments joined by …… (src/retrieval/answer/units.ts).
      const segments: { start: number; end: number }[] = c.segments ?? [{ start: c.start, end: c.end }];
      expect(segments.map((s) => doc.body.body.slice(s.start, s.end)).join('……')).toBe(c.quote);
      if (c.highlight) expect(c.quote).toContain(doc.body.body.slice(c.highlight.start, c.highlight.end));
    }
  });

  it('resolves follow-ups against earlier turns', async () => {
    const first = await json('/api/chat', { question: '云浮对新落户的数据中心有什么电费补贴？' });
    const follow = await json('/api/chat', { messages: [{ role: 'user', content: '云浮对新落户的数据中心有什么电费补贴？' }, { role: 'assistant', content: first.body.answer }, { role: 'user', content: '那深圳呢？' }] });
    expect(follow.body.question).toBe('深圳对新落户的数据中心有什么电费补贴？');
    expect(follow.body.citations.every((c: { docId: string }) => c.docId === 'shenzhen')).toBe(true);
    const clause = await json('/api/chat', { messages: [{ role: 'user', content: '云浮优惠办法第十条,企业用云服务的费用补贴怎么算?' }, { role: 'assistant', content: '《云浮市促进云计算大数据产业发展优惠办法(试行)》第十条：第十条 对使用云计算数据中心云服务的企业…[1]' }, { role: 'user', content: '这一条的补贴上限是多少？' }] });
    expect(clause.body.question).toBe('《云浮市促进云计算大数据产业发展优惠办法(试行)》第十条补贴上限是多少？');
    expect(clause.body.answer).toContain('最高不超过100万元');
  });

  it('streams deltas and then one citations event', async () => {
    const res = await json('/api/chat', { question: '东莞电子政务网络的接入带宽要达到什么标准?', stream: true });
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/u);
    const events = res.text.split('\n\n').filter(Boolean).map((block) => ({ name: /^event: (.*)$/mu.exec(block)?.[1], data: JSON.parse(/^data: (.*)$/mu.exec(block)?.[1] ?? '{}') }));
    const deltas = events.filter((e) => e.name === 'delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(events.filter((e) => e.name === 'citations')).toHaveLength(1);
    expect(events[events.length - 1]?.name).toBe('done');
    const full = await json('/api/chat', { question: '东莞电子政务网络的接入带宽要达到什么标准?' });
    expect(deltas.map((d) => d.data.text).join('')).toBe(full.body.answer);
  });

  it('carries outcome beside abstained in JSON and in the citations event, and missing for a related answer', async () => {
    const answered = await json('/api/chat', { question: '云浮那个优惠办法现在还管用吗？' });
    expect(answered.body).toMatchObject({ outcome: 'answer', abstained: false });
    expect(answered.body.citations[0]).toMatchObject({ clause: '第二十四条', fact: { kind: 'validity', source: 'text' }, highlight: { start: expect.any(Number), end: expect.any(Number) } });
    const related = await json('/api/chat', { question: '东莞的大数据发展规划现在还有效吗？', stream: true });
    const events = related.text.split('\n\n').filter(Boolean).map((block) => ({ name: /^event: (.*)$/mu.exec(block)?.[1], data: JSON.parse(/^data: (.*)$/mu.exec(block)?.[1] ?? '{}') }));
    expect(events.find((e) => e.name === 'citations')?.data).toMatchObject({ outcome: 'related', abstained: true, missing: expect.stringContaining('效力状态') });
    // The outcome comes before the text, so a page styles a related answer as such from its first character.
    expect(events[0]).toMatchObject({ name: 'outcome', data: { outcome: 'related', missing: expect.stringContaining('效力状态') } });
    const none = await json('/api/chat', { question: '贵州 大数据试验区 怎么建设' });
    expect(none.body).toMatchObject({ outcome: 'not_found', abstained: true, citations: [] });
  });

  it('keeps a follow-up in the document the conversation is about, and says so', async () => {
    const first = await json('/api/chat', { question: '云浮对新落户的数据中心有什么电费补贴？' });
    const follow = await json('/api/chat', { messages: [{ role: 'user', content: '云浮对新落户的数据中心有什么电费补贴？' }, { role: 'assistant', content: first.body.answer }, { role: 'user', content: '那能补多少年？' }] });
    expect(follow.body.carried).toEqual({ docId: 'yunfu', title: '云浮市促进云计算大数据产业发展优惠办法(试行)' });
    expect(follow.body.answer.startsWith('（沿用上文：《云浮市促进云计算大数据产业发展优惠办法(试行)》）\n')).toBe(true);
    expect(follow.body.citations.every((c: { docId: string }) => c.docId === 'yunfu')).toBe(true);
  });

  it('rejects both or neither of question and messages', async () => {
    expect((await json('/api/chat', {})).status).toBe(400);
    expect((await json('/api/chat', { question: 'a', messages: [{ role: 'user', content: 'b' }] })).body.error_description).toBe('body: send either question or messages, not both');
    expect((await json('/api/chat', {})).body.error_description).toBe('body: send question (a string) or messages (a list of {role, content} turns)');
    expect((await json('/api/chat', { messages: [{ role: 'robot', content: 'x' }] })).status).toBe(400);
  });
});

describe('POST /v1/chat/completions', () => {
  const ask = (content: string, stream = false) => json('/v1/chat/completions', { model: 'policy-kb', stream, messages: [{ role: 'user', content }] });

  it('carries outcome and citations on the completion, and names page and validity in the source list', async () => {
    const res = await ask('世界五百强云计算企业把总部搬到云浮,能拿多少一次性奖励?');
    expect(res.body).toMatchObject({ outcome: 'answer', abstained: false });
    expect(res.body.choices[0].message.content).toMatch(/\n\n来源：\n\[1\] 《云浮市促进云计算大数据产业发展优惠办法\(试行\)》第三章第四条［已失效］：“第四条 /u);
  });

  it('puts outcome on the last streamed chunk, and never calls a related list 来源', async () => {
    const res = await ask('东莞的大数据发展规划现在还有效吗？', true);
    const chunks = res.text.split('\n\n').filter((b) => b.startsWith('data: {')).map((b) => JSON.parse(b.slice(6)));
    const last = chunks[chunks.length - 1];
    expect(last.choices[0].finish_reason).toBe('stop');
    expect(last).toMatchObject({ outcome: 'related', abstained: true, missing: expect.stringContaining('效力状态') });
    const text = chunks.map((c) => c.choices[0].delta.content ?? '').join('');
    expect(text).toContain('\n\n相关条文（不构成答案）：\n[1] 《东莞市大数据发展规划(2016-2020年)》');
    expect(text).not.toContain('来源：');
  });

  it('streams through the same SSE writer as /api/chat: same headers, a [DONE] line last', async () => {
    const completion = await ask('东莞的大数据发展规划现在还有效吗？', true);
    const chat = await json('/api/chat', { question: '东莞的大数据发展规划现在还有效吗？', stream: true });
    for (const name of ['content-type', 'cache-control', 'x-accel-buffering']) expect(completion.headers[name]).toBe(chat.headers[name]);
    expect(completion.headers['x-accel-buffering']).toBe('no');
    expect(completion.text.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});

describe('documents and passages', () => {
  it('lists documents and returns one with body and outline', async () => {
    const list = await request(app).get('/api/documents');
    expect(list.body.documents.map((d: { docId: string }) => d.docId)).toEqual(['ai-plan', 'dongguan', 'hebei', 'huizhou', 'qingyuan', 'shenzhen', 'yunfu', 'zhongshan']);
    const doc = await request(app).get('/api/documents/yunfu');
    expect(doc.body).toMatchObject({ docId: 'yunfu', issuer: '云浮市人民政府' });
    expect(doc.body.outline).toHaveLength(8);
  });

  it('returns a passage with its neighbours', async () => {
    const passages = await service.store.passages.ofDocument((await service.store.documents.list())[0]?.meta.docId as string);
    const id = passages[3]?.passageId as string;
    const res = await request(app).get(`/api/passages/${id}`);
    expect(res.body.passage.passageId).toBe(id);
    expect(res.body.previous.passageId).toBe(passages[2]?.passageId);
  });

  it.each(['/api/documents/nope', '/api/documents/..%2F..%2Fetc%2Fpasswd', '/api/documents/%2Fetc%2Fpasswd', '/api/passages/..%2Fcorpus%2Fyunfu.md'])('answers 404 for %s', async (url) => {
    const res = await request(app).get(url);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatch(/^unknown_(doc|passage)$/u);
  });
});

describe('security', () => {
  const secured = () => createApp({ getService: () => service, apiToken: 'secret-token-1', rateLimitPerMinute: 3 });

  it('requires the bearer token on /api and /v1 but not on health checks', async () => {
    const a = secured();
    expect((await request(a).get('/healthz')).status).toBe(200);
    const denied = await request(a).get('/api/documents');
    expect(denied.status).toBe(401);
    expect(denied.body.error).toBe('unauthorized');
    expect((await request(a).get('/v1/models')).status).toBe(401);
    expect((await request(a).get('/api/documents').set('authorization', 'Bearer secret-token-1')).status).toBe(200);
  });

  it('rate-limits per client with Retry-After', async () => {
    const a = secured();
    const auth = { authorization: 'Bearer secret-token-1' };
    for (let i = 0; i < 3; i += 1) expect((await request(a).get('/v1/models').set(auth)).status).toBe(200);
    const limited = await request(a).get('/v1/models').set(auth);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('sends security headers and no CORS by default, and never leaks stack traces', async () => {
    const res = await request(app).get('/api/documents').set('origin', 'http://elsewhere.example');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const notFound = await request(app).get('/nope');
    expect(notFound.body).toEqual({ error: 'not_found', error_description: 'no route GET /nope' });
  });

  it('serves the chat page without external resources', async () => {
    const page = await request(app).get('/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<label for="question">你的问题</label>');
    expect(page.text).not.toMatch(/https?:\/\//u);
  });
});
