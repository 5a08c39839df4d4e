/**
 * Issue 25.9: a loopback server behind a local proxy took writes from anyone. With TRUST_PROXY on
 * or ALLOWED_HOSTS naming a non-loopback name, and no ADMIN_TOKEN, writes are refused (403) with the
 * reason; a plain loopback server still takes writes from its own page, and ADMIN_TOKEN opens them.
 */
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServeApp } from '../../server/cli/serve-commands.js';
import { exposureBeyondLoopback, isLoopbackName } from '../../server/http/security.js';
import { createLiveKnowledgeBase, type LiveKnowledgeBase } from '../../src/pipeline/compose/live.js';
import { silentLogger } from '../../src/shared/logger.js';
import { testConfig } from '../helpers.js';

const opened: LiveKnowledgeBase[] = [];
afterAll(async () => {
  for (const live of opened) await live.close();
});

/** The app `serve` builds; the write is refused (or not) before the library is touched, so nothing needs to load. */
async function served(env: Record<string, string>) {
  const config = await testConfig({ HOST: '127.0.0.1', ...env });
  const live = createLiveKnowledgeBase(config, { autoIngest: false });
  opened.push(live);
  live.ready.catch(() => {});
  return buildServeApp(config, live, silentLogger).app;
}

describe('isLoopbackName and exposureBeyondLoopback', () => {
  it('tell loopback names from names others use', () => {
    for (const h of ['localhost', 'LOCALHOST:8787', '127.0.0.1', '127.8.9.10:80', '::1', '[::1]', '[::1]:8787']) expect(isLoopbackName(h), h).toBe(true);
    for (const h of ['kb.example.org', '10.0.0.5', '0.0.0.0', '*', 'localhost.example.org', '[::]', '128.0.0.1']) expect(isLoopbackName(h), h).toBe(false);
  });

  it('name the proxy or the public name, or nothing for a plain loopback server', () => {
    expect(exposureBeyondLoopback({ allowedHosts: [], trustProxy: false })).toBeUndefined();
    expect(exposureBeyondLoopback({ allowedHosts: ['localhost:8787', '127.0.0.1'], trustProxy: 0 })).toBeUndefined();
    expect(exposureBeyondLoopback({ allowedHosts: [], trustProxy: true })).toBe('TRUST_PROXY is set (true): requests come through a proxy, so anyone who reaches the proxy reaches this server');
    expect(exposureBeyondLoopback({ allowedHosts: [], trustProxy: 1 })).toMatch(/^TRUST_PROXY is set \(1\)/u);
    expect(exposureBeyondLoopback({ allowedHosts: ['localhost', 'kb.example.org'] })).toBe('ALLOWED_HOSTS names kb.example.org: clients reach this server by a name other than loopback');
  });
});

describe('writes without ADMIN_TOKEN on a loopback server', () => {
  it.each([
    [{ ALLOWED_HOSTS: 'kb.example.org' }, 'ALLOWED_HOSTS names kb.example.org: clients reach this server by a name other than loopback'],
    [{ ALLOWED_HOSTS: '*' }, 'ALLOWED_HOSTS names *: clients reach this server by a name other than loopback'],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY is set (true): requests come through a proxy, so anyone who reaches the proxy reaches this server'],
    [{ TRUST_PROXY: '127.0.0.1' }, 'TRUST_PROXY is set (127.0.0.1): requests come through a proxy, so anyone who reaches the proxy reaches this server'],
  ])('are refused with %j, saying why', async (env, reason) => {
    const app = await served(env);
    const description = `writes are disabled: ${reason}, and no ADMIN_TOKEN is set; set ADMIN_TOKEN to allow uploads`;
    for (const res of [
      await request(app).post('/api/documents').attach('file', Buffer.from('# 标题\n\n第一条 内容。\n'), 'x.md'),
      await request(app).put('/api/documents/yunfu').attach('file', Buffer.from('# 标题\n\n第一条 内容。\n'), 'x.md'),
      await request(app).delete('/api/documents/yunfu'),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: 'forbidden', error_description: description });
    }
  }, 60_000);

  it('are let through to the library on a plain loopback server, and with ADMIN_TOKEN behind a proxy', async () => {
    // Past the admin check, the route reads the body: a non-multipart body is 415 (not 403).
    const plain = await served({});
    expect((await request(plain).post('/api/documents').send({})).status).toBe(415);
    const admin = await served({ TRUST_PROXY: 'true', ADMIN_TOKEN: 'admin-token-25-9' });
    expect((await request(admin).post('/api/documents').send({})).status).toBe(401);
    expect((await request(admin).post('/api/documents').set('authorization', 'Bearer admin-token-25-9').send({})).status).toBe(415);
  }, 60_000);
});
