/**
 * These tests check the protocol handling of optional LLM generation against a tiny local server
 * that speaks the chat-completions wire format; they do not test a model.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAnswer } from '../../src/retrieval/answer.js';
import { createKnowledgeService } from '../../src/retrieval/service.js';
import { realKnowledgeBase } from '../helpers.js';
import { fileStore } from '../../src/storage/file/file-store.js';

let server: Server;
let baseUrl: string;
const received: { auth?: string; body: { model: string; messages: { role: string; content: string }[] } }[] = [];
let reply = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      received.push({ auth: req.headers.authorization, body: JSON.parse(data) });
      if (req.url !== '/v1/chat/completions') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('LLM generation (protocol handling, not a model)', () => {
  it('sends numbered passages and keeps the markers that name them', async () => {
    const { kb, embedder } = await realKnowledgeBase();
    const service = createKnowledgeService(fileStore(kb), embedder, { llm: { baseUrl, model: 'test-model', apiKey: 'sk-test' } });
    reply = '云浮对世界500强企业一次性给予500万元落户奖励[1]。';
    const { answer } = await service.ask('世界五百强企业把总部搬到云浮能拿多少奖励?');
    const last = received[received.length - 1];
    expect(last?.auth).toBe('Bearer sk-test');
    expect(last?.body.model).toBe('test-model');
    expect(last?.body.messages[1]?.content).toMatch(/^问题：世界五百强企业把总部搬到云浮能拿多少奖励\?\n\n条文：\n\[1\]《云浮市/u);
    // The cited document has expired: the model's answer carries the validity warning too.
    expect(answer).toMatchObject({ generator: 'llm', abstained: false, answer: '云浮对世界500强企业一次性给予500万元落户奖励[1]。\n注意：该办法自2017年7月1日起实施,试行期三年，已于2020年6月30日届满（《云浮市促进云计算大数据产业发展优惠办法(试行)》）。' });
    expect(answer.flagged).toBeUndefined();
    expect(checkAnswer(kb, answer)).toEqual([]);
  });

  it('removes markers outside the retrieved set and flags the answer', async () => {
    const { kb, embedder } = await realKnowledgeBase();
    const service = createKnowledgeService(fileStore(kb), embedder, { llm: { baseUrl, model: 'm' } });
    reply = '依据条文[2]和不存在的[9]。';
    const { answer } = await service.ask('世界五百强企业把总部搬到云浮能拿多少奖励?');
    expect(answer.answer).toBe('依据条文[1]和不存在的。\n注意：该办法自2017年7月1日起实施,试行期三年，已于2020年6月30日届满（《云浮市促进云计算大数据产业发展优惠办法(试行)》）。');
    expect(answer.flagged).toBe(true);
    expect(answer.citations).toHaveLength(1);
    expect(checkAnswer(kb, answer)).toEqual([]);
  });

  it('never sends weak evidence to the model', async () => {
    const { kb, embedder } = await realKnowledgeBase();
    const service = createKnowledgeService(fileStore(kb), embedder, { llm: { baseUrl, model: 'm' } });
    const before = received.length;
    const { answer } = await service.ask('贵州 大数据试验区 怎么建设');
    expect(received.length).toBe(before);
    expect(answer.abstained).toBe(true);
  });

  it('reports a server error as llm_failed', async () => {
    const { kb, embedder } = await realKnowledgeBase();
    const service = createKnowledgeService(fileStore(kb), embedder, { llm: { baseUrl: baseUrl.replace('/v1', '/nope'), model: 'm' } });
    await expect(service.ask('世界五百强企业把总部搬到云浮能拿多少奖励?')).rejects.toThrow('LLM server answered HTTP 404');
  });
});
