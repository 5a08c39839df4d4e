/**
 * A server loads everything lazy (the vocabulary's vectors, the model, jieba's dictionaries, the
 * store's lookups) before /readyz says ready, so the first user question loads nothing.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../server/http/app.js';
import type { Embedder } from '../../src/embeddings/embedder.js';
import { createLiveKnowledgeBase, type LiveKnowledgeBase } from '../../src/pipeline/compose/live.js';
import { analyze } from '../../src/lexical/analyzer.js';
import { createLogger } from '../../src/shared/logger.js';
import { testConfig } from '../helpers.js';

interface Seen {
  msg: string;
  /** Whether the live knowledge base handed out a service when the line was logged (what readyz reads). */
  serving: boolean;
  vocabularyWords?: number;
}

describe('a server warming up', () => {
  it('answers readyz 503 until warm-up has run, and its first question embeds only that question', async () => {
    const config = await testConfig();
    const seen: Seen[] = [];
    // Set once the live knowledge base exists (the logger writes before and after).
    const holder: { live?: LiveKnowledgeBase } = {};
    const logger = createLogger({
      write: (text: string) => {
        for (const line of text.split('\n').filter(Boolean)) {
          const o = JSON.parse(line) as { msg: string; vocabularyWords?: number };
          seen.push({ msg: o.msg, serving: holder.live?.current() !== undefined, ...(o.vocabularyWords !== undefined ? { vocabularyWords: o.vocabularyWords } : {}) });
        }
      },
    });
    const live = createLiveKnowledgeBase(config, { logger, autoIngest: true });
    holder.live = live;
    const app = createApp({ getService: live.current, getLoadError: live.loadError });
    await live.ready;

    // Warm-up ran, start to end, while readyz still answered 503 (no service handed out).
    const warming = seen.findIndex((s) => s.msg === 'warming up');
    const warmed = seen.findIndex((s) => s.msg === 'warmed up');
    expect(warming).toBeGreaterThanOrEqual(0);
    expect(warmed).toBeGreaterThan(warming);
    expect(seen[warming]?.serving).toBe(false);
    expect(seen[warmed]?.serving).toBe(false);
    expect(seen[warmed]?.vocabularyWords).toBeGreaterThan(1000);
    expect((await request(app).get('/readyz')).status).toBe(200);

    // The first question: its words are vocabulary rows already, so nothing is embedded but the query itself.
    const embedder = live.runtime()?.embedder as Embedder;
    const batches: string[][] = [];
    const embedDocuments = embedder.embedDocuments.bind(embedder);
    embedder.embedDocuments = async (texts) => {
      batches.push([...texts]);
      return embedDocuments(texts);
    };
    const question = '数据中心的电费补贴标准是多少';
    const res = await request(app).post('/api/search').send({ query: question });
    expect(res.status).toBe(200);
    const words = new Set(analyze(question));
    for (const batch of batches) for (const text of batch) expect(words.has(text)).toBe(true);
    await live.close();
  }, 120_000);
});
