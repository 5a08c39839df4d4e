/**
 * The library changes while it serves: uploads, replacements and deletions under a steady search
 * load lose no request and never show half a document; two uploads at once are serialized; an
 * upload while a CLI writer holds the lock waits for it; MCP clients see the new state on their
 * next call. Against the real `kb serve` process.
 */
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireWriteLock } from '../../src/storage/file/write-lock.js';
import { CORPUS_DIR, MODELS_DIR } from '../helpers.js';
import { startServe, type RunningServer } from './servers.js';

const ADMIN = 'load-admin-token';
let server: RunningServer;
let indexDir: string;

beforeAll(async () => {
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-libload-'));
  for (const f of ['yunfu.md', 'shenzhen.md', 'hebei.md']) await cp(path.join(CORPUS_DIR, f), path.join(corpus, f));
  indexDir = await mkdtemp(path.join(tmpdir(), 'kb-libload-idx-'));
  server = await startServe({ CORPUS_DIR: corpus, MODELS_DIR, INDEX_DIR: indexDir, ADMIN_TOKEN: ADMIN });
}, 120_000);

afterAll(async () => server?.stop());

/** A synthetic regulation whose every article carries the same marker, so a half-indexed copy would show. */
function regulation(marker: string, articles: number): string {
  const lines = [`${marker}管理办法`];
  for (let i = 1; i <= articles; i++) lines.push(`第${i}条 ${marker}事项第${i}项规定：申请人应当提交${marker}材料第${i}份。`);
  return lines.join('\n');
}

async function upload(method: 'POST' | 'PUT', url: string, name: string, text: string): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([text], { type: 'text/plain' }), name);
  return fetch(`${server.url}${url}`, { method, body: form, headers: { authorization: `Bearer ${ADMIN}` } });
}

interface Hit {
  docId: string;
  text: string;
  start: number;
  end: number;
}

describe('library changes under load', () => {
  it('loses no request and never shows half a document', async () => {
    const failures: string[] = [];
    const seen = new Map<string, Set<number>>(); // version marker -> article numbers seen together
    let requests = 0;
    let running = true;
    const worker = async (): Promise<void> => {
      while (running) {
        try {
          const res = await fetch(`${server.url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '甲乙 管理办法 申请人 材料', k: 20 }) });
          requests += 1;
          if (res.status !== 200) failures.push(`search ${res.status}`);
          const body = (await res.json()) as { results: Hit[] };
          // Every hit of the test document belongs to one version (甲 or 乙), never a mix.
          const markers = new Set(body.results.filter((r) => r.docId === 'rules').map((r) => (r.text.includes('乙') ? '乙' : r.text.includes('甲') ? '甲' : '?')));
          if (markers.size > 1) failures.push(`mixed versions in one response: ${[...markers].join(',')}`);
          for (const m of markers) seen.set(m, seen.get(m) ?? new Set());
          // The document itself is whole: all 30 articles of one version, or not there at all.
          const doc = await fetch(`${server.url}/api/documents/rules`);
          requests += 1;
          if (doc.status === 200) {
            const { body: text } = (await doc.json()) as { body: string };
            const versions = ['甲', '乙'].filter((m) => text.includes(`${m}事项`));
            if (versions.length !== 1 || !text.includes('第30条') || (text.match(/第\d+条/gu) ?? []).length !== 30) failures.push(`partial document: ${versions.join(',')} ${text.length} chars`);
          } else if (doc.status !== 404) failures.push(`document ${doc.status}`);
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const workers = Array.from({ length: 6 }, () => worker());
    const added = await upload('POST', '/api/documents', 'rules.txt', regulation('甲', 30));
    expect(added.status).toBe(201);
    expect(((await added.json()) as { searchable: boolean }).searchable).toBe(true);
    const replaced = await upload('PUT', '/api/documents/rules', 'rules.txt', regulation('乙', 30));
    expect(replaced.status).toBe(200);
    const deleted = await fetch(`${server.url}/api/documents/rules`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(deleted.status).toBe(204);
    running = false;
    await Promise.all(workers);
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(30);
    expect([...seen.keys()].sort()).toEqual(expect.arrayContaining(['甲']));
  }, 120_000);

  it('serializes two uploads sent at once: both land', async () => {
    const [a, b] = await Promise.all([upload('POST', '/api/documents', 'alpha.txt', regulation('丙', 5)), upload('POST', '/api/documents', 'beta.txt', regulation('丁', 5))]);
    expect([a.status, b.status]).toEqual([201, 201]);
    const docs = (await (await fetch(`${server.url}/api/documents`)).json()) as { documents: { docId: string }[] };
    expect(docs.documents.map((d) => d.docId)).toEqual(expect.arrayContaining(['alpha', 'beta']));
  }, 60_000);

  it('waits for a CLI writer that holds the lock, then lands', async () => {
    const lock = await acquireWriteLock(indexDir, { owner: 'kb add (test)' });
    const pending = upload('POST', '/api/documents', 'gamma.txt', regulation('戊', 3));
    await new Promise((r) => setTimeout(r, 1500));
    await lock.release();
    expect((await pending).status).toBe(201);
  }, 60_000);

  it('shows MCP clients the new state on their next call', async () => {
    const client = new Client({ name: 'library-watcher', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
    const ids = async (): Promise<string[]> => ((await client.callTool({ name: 'list_documents', arguments: { limit: 50 } })).structuredContent as { documents: { doc_id: string }[] }).documents.map((d) => d.doc_id);
    expect(await ids()).not.toContain('delta');
    expect((await upload('POST', '/api/documents', 'delta.txt', regulation('己', 3))).status).toBe(201);
    expect(await ids()).toContain('delta');
    await client.close();
  }, 60_000);
});
