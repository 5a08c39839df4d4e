/**
 * Issue 25.6: a 2,000-character compare topic froze the server for 33 s at 214 documents (MCP
 * compare_provisions too). The topic is bounded (COMPARE_TOPIC_MAX_CHARS, a clear 400), the loop
 * over documents yields between documents, and a comparison still running after
 * COMPARE_TIME_LIMIT_MS is refused with 422 `compare_too_broad`. Timings at a few hundred documents
 * are printed by `npx tsx scripts/compare-timing.ts`, not asserted here.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../server/cli/main.js';
import { createApp } from '../../server/http/app.js';
import { statusFor } from '../../server/http/status.js';
import { createMcpServer } from '../../server/mcp/server.js';
import { COMPARE_TIME_LIMIT_MS, COMPARE_TOPIC_MAX_CHARS, compareProvisions } from '../../src/retrieval/compare.js';
import type { KnowledgeService } from '../../src/retrieval/service.js';
import { captureIo, realKnowledgeBase, testConfig } from '../helpers.js';

let service: KnowledgeService;
beforeAll(async () => {
  service = (await realKnowledgeBase()).service;
});

const LONG = '数据中心电费补贴条款'.repeat(200);
const LIMIT = `the limit is ${COMPARE_TOPIC_MAX_CHARS}`;

describe('a compare topic longer than COMPARE_TOPIC_MAX_CHARS', () => {
  it('is refused at once, before any document is searched', async () => {
    expect(COMPARE_TOPIC_MAX_CHARS).toBe(50);
    await expect(compareProvisions(service.searcher, LONG)).rejects.toMatchObject({ code: 'invalid_input', message: `topic is 2000 characters; ${LIMIT}: a topic is a few words (e.g. 电费补贴); ask a whole question with ask instead` });
    await expect(compareProvisions(service.searcher, '补'.repeat(51))).rejects.toMatchObject({ code: 'invalid_input' });
    expect((await compareProvisions(service.searcher, '补贴'.repeat(25))).rows.length).toBe(8);
  });

  it('answers 400 over HTTP, naming the field and the limit', async () => {
    const res = await request(createApp({ getService: () => service })).post('/api/compare').send({ topic: LONG });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_input', error_description: 'topic: must be at most 50 characters: a topic is a few words (e.g. 电费补贴); ask a whole question with /api/chat' });
  });

  it('is a tool error in MCP compare_provisions', async () => {
    const [a, b] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'bound', version: '1' });
    await Promise.all([createMcpServer({ getService: () => service }).connect(b), client.connect(a)]);
    const r = (await client.callTool({ name: 'compare_provisions', arguments: { topic: LONG } })) as CallToolResult;
    expect(r.isError).toBe(true);
    expect((r.content[0] as { text: string }).text).toContain(LIMIT);
    await client.close();
  });

  it('is an error in kb compare', async () => {
    const config = await testConfig();
    const io = captureIo({ INDEX_DIR: config.indexDir, MODELS_DIR: config.modelsDir });
    expect(await runCli(['compare', LONG], io)).toBe(1);
    expect(io.err()).toContain(`error: topic is 2000 characters; ${LIMIT}`);
  }, 60_000);
});

describe('the work of one comparison', () => {
  it('yields to the event loop between documents, so other requests are served meanwhile', async () => {
    await compareProvisions(service.searcher, '电费补贴'); // warm: the embedder's own I/O yields too
    let turns = 0;
    let running = true;
    const tick = (): void => {
      turns += 1;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const started = turns;
    const c = await compareProvisions(service.searcher, '数据开放');
    running = false;
    expect(c.rows).toHaveLength(8);
    // One turn per document at least (before: the loop ran to the end in microtasks, 1–2 turns).
    expect(turns - started).toBeGreaterThanOrEqual(8);
  });

  it('is refused with compare_too_broad (422) once it has used its CPU time limit', async () => {
    expect(COMPARE_TIME_LIMIT_MS).toBeLessThanOrEqual(3000);
    const refused = await compareProvisions(service.searcher, '电费补贴', { timeLimitMs: 0 }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'compare_too_broad', message: expect.stringMatching(/^comparing 8 documents on "电费补贴" did not finish within 0 s of CPU time \(\d judged\); name the documents to compare \(docIds, up to 50\) or shorten the topic$/u) as string });
    expect(statusFor('compare_too_broad')).toBe(422);
  });
});
