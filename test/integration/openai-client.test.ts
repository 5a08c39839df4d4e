/**
 * The OpenAI-compatible endpoint driven by the official `openai` npm client against `kb serve`.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../server/cli/main.js';
import { captureIo, CORPUS_DIR, MODELS_DIR, testConfig } from '../helpers.js';
import { startServe, type RunningServer } from './servers.js';

let server: RunningServer;
let client: OpenAI;

beforeAll(async () => {
  const config = await testConfig();
  const env = { CORPUS_DIR, MODELS_DIR, INDEX_DIR: config.indexDir, API_TOKEN: 'sk-local-test' };
  expect(await runCli(['ingest'], captureIo(env))).toBe(0);
  server = await startServe(env);
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-local-test', maxRetries: 0 });
}, 120_000);

afterAll(async () => server?.stop());

describe('OpenAI-compatible endpoint', () => {
  it('lists the knowledge base as a model', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['policy-kb']);
  });

  it('answers a chat completion with a numbered source list and a citations field', async () => {
    const completion = await client.chat.completions.create({ model: 'policy-kb', messages: [{ role: 'user', content: '世界五百强云计算企业把总部搬到云浮,能拿多少一次性奖励?' }] });
    const content = completion.choices[0]?.message.content ?? '';
    expect(content).toContain('500万元');
    expect(content).toMatch(/\n\n来源：\n\[1\] 《云浮市促进云计算大数据产业发展优惠办法\(试行\)》第/u);
    const citations = (completion as unknown as { citations: { n: number; quote: string }[] }).citations;
    expect(citations[0]?.n).toBe(1);
    expect(content).toContain(citations[0]?.quote.replace(/\s+/gu, ' ') as string);
  });

  it('streams the same answer, with citations on the final chunk', async () => {
    const stream = await client.chat.completions.create({ model: 'policy-kb', stream: true, messages: [{ role: 'user', content: '东莞电子政务网络的接入带宽要达到什么标准?' }] });
    let text = '';
    let finalCitations: unknown;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]?.finish_reason) {
        finish = chunk.choices[0].finish_reason;
        finalCitations = (chunk as unknown as { citations: unknown }).citations;
      }
    }
    expect(finish).toBe('stop');
    expect(text).toContain('万兆到市、千兆到镇');
    expect(Array.isArray(finalCitations) && finalCitations.length > 0).toBe(true);
  });

  it('refuses a wrong key and bad input with 4xx', async () => {
    const wrong = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'nope', maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toMatchObject({ status: 401 });
    await expect(client.chat.completions.create({ model: 'policy-kb', messages: [] })).rejects.toMatchObject({ status: 400 });
  });
});
