/**
 * Issue 25 (the page): errors appeared in English inside the Chinese page. A client that prefers
 * Chinese (Accept-Language; the page sends zh-CN) gets the catalogue's Chinese sentence for the error
 * code, with the facts it names; other clients and the log keep English; the JSON shape is the same.
 */
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/http/app.js';
import { prefersChinese } from '../../server/http/security.js';
import type { KnowledgeService } from '../../src/retrieval/service.js';
import { chineseMessage, ERROR_CODES } from '../../src/shared/errors.js';
import { realKnowledgeBase } from '../helpers.js';

let service: KnowledgeService;
beforeAll(async () => {
  service = (await realKnowledgeBase()).service;
});

const ZH = 'zh-CN,zh;q=0.9';

describe('prefersChinese', () => {
  it.each([
    ['zh-CN,zh;q=0.9,en;q=0.8', true],
    ['zh-TW', true],
    ['ZH', true],
    ['en-US,zh-CN;q=0.5', false],
    ['en-US,en;q=0.9', false],
    ['zh-CN;q=0.5,en;q=0.9', false],
    ['zh,en', true],
    ['en,zh', false],
    ['fr-FR', false],
    ['zh;q=abc', false],
    ['', false],
    [undefined, false],
  ])('%j → %s', (header, expected) => {
    expect(prefersChinese(header)).toBe(expected);
  });
});

describe('chineseMessage', () => {
  it('has a Chinese sentence for every library error code', () => {
    for (const code of Object.values(ERROR_CODES)) expect(chineseMessage(code, 'english detail'), code).toMatch(/[\u4e00-\u9fff]/u);
  });

  it('names the facts and keeps the English detail where it says more', () => {
    expect(chineseMessage('document_unreadable', '"scan.pdf": the PDF is truncated', { file: 'scan.pdf' })).toBe('无法读取「scan.pdf」：文件可能已损坏、不完整、已加密，或没有可识别的文字。（详情："scan.pdf": the PDF is truncated）');
    expect(chineseMessage('rate_limited', 'more than 5 requests per minute from this client; retry in 42 s', { retryAfter: 42 })).toBe('请求过于频繁，请在 42 秒后重试。');
    expect(chineseMessage('no_such_code', 'kept as it is')).toBe('kept as it is');
    // A prototype member is not a code.
    expect(chineseMessage('constructor', 'kept')).toBe('kept');
  });
});

describe('HTTP errors for a Chinese client', () => {
  it('answers in Chinese with the same {error, error_description} shape, and in English without Accept-Language', async () => {
    const app = createApp({ getService: () => service });
    const zh = await request(app).get('/api/documents/no-such-doc').set('accept-language', ZH);
    expect(zh.status).toBe(404);
    expect(zh.body).toEqual({ error: 'unknown_doc', error_description: '找不到文件「no-such-doc」；“文件库”列出了现有文件。' });
    expect(zh.headers.vary).toMatch(/Accept-Language/u);
    const en = await request(app).get('/api/documents/no-such-doc');
    expect(en.body).toEqual({ error: 'unknown_doc', error_description: 'unknown docId "no-such-doc"; GET /api/documents lists them' });

    const invalid = await request(app).post('/api/search').set('accept-language', ZH).send({ query: '' });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual({ error: 'invalid_input', error_description: '请求内容有误，请按说明修改后重试。（详情：query: must not be empty）' });
    const json = await request(app).post('/api/search').set('accept-language', ZH).set('content-type', 'application/json').send('{"query":');
    expect(json.body).toEqual({ error: 'invalid_json', error_description: '请求不是有效的 JSON。' });
    const route = await request(app).get('/api/nothing-here').set('accept-language', ZH);
    expect(route.body).toEqual({ error: 'not_found', error_description: '没有这个地址。' });
  });

  it('translates the protections too: token, rate limit, loading', async () => {
    const secured = createApp({ getService: () => service, apiToken: 'token-0123456', rateLimitPerMinute: 1 });
    const unauthorized = await request(secured).post('/api/search').set('accept-language', ZH).send({ query: '数据' });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.body.error_description).toBe('缺少或无效的访问令牌（服务器的 API_TOKEN）。');
    const auth = { authorization: 'Bearer token-0123456', 'accept-language': ZH };
    expect((await request(secured).get('/api/documents').set(auth)).status).toBe(200);
    const limited = await request(secured).get('/api/documents').set(auth);
    expect(limited.status).toBe(429);
    expect(limited.body.error_description).toMatch(/^请求过于频繁，请在 \d+ 秒后重试。$/u);
    const loading = await request(createApp({ getService: () => undefined })).get('/api/documents').set('accept-language', ZH);
    expect(loading.status).toBe(503);
    expect(loading.body.error_description).toBe('知识库正在加载或尚未建立索引，请稍后重试。（详情：the knowledge base is still loading; retry shortly）');
  });
});
