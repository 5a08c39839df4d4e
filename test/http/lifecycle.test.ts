/**
 * Graceful stop: in-flight requests get the grace period, a client that never finishes its request
 * cannot hold the process past it; timeouts and the connection cap are set.
 */
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createHttpServer, DEFAULT_LIMITS, stopHttpServer } from '../../server/http/lifecycle.js';

async function listening(handler: Parameters<typeof createHttpServer>[0], maxConnections = 100) {
  const server = createHttpServer(handler, { maxConnections });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

const open = (port: number): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });

describe('stopHttpServer', () => {
  it('lets an in-flight request finish within the grace period', async () => {
    const { server, port } = await listening((_req, res) => void setTimeout(() => res.end('done'), 300));
    const pending = fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    const { forced } = await stopHttpServer(server, 5000);
    expect(await pending).toBe('done');
    expect(forced).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('closes a connection holding an unfinished request once the grace period is over', async () => {
    // Like express.json(), the handler waits for the whole body, which never comes.
    const { server, port } = await listening((req, res) => void req.on('end', () => res.end('never reached')).resume());
    const socket = await open(port);
    socket.on('error', () => {});
    const closedByServer = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Headers sent, body promised but never sent: the probe's slow client.
    socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const { forced } = await stopHttpServer(server, 500);
    await closedByServer;
    expect(forced).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('refuses new connections at once and closes idle keep-alive ones', async () => {
    const { server, port } = await listening((_req, res) => res.end('ok'));
    const idle = await open(port);
    idle.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await new Promise((r) => idle.once('data', r));
    const closed = new Promise<void>((resolve) => idle.once('close', () => resolve()));
    const started = Date.now();
    await stopHttpServer(server, 5000);
    await closed;
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(open(port)).rejects.toThrow(/ECONNREFUSED/u);
  });
});

describe('createHttpServer', () => {
  it('sets short header/request/keep-alive timeouts and the connection cap', async () => {
    const { server } = await listening((_req, res) => res.end(), 7);
    expect(server.headersTimeout).toBe(DEFAULT_LIMITS.headersTimeoutMs);
    expect(server.requestTimeout).toBe(DEFAULT_LIMITS.requestTimeoutMs);
    expect(server.keepAliveTimeout).toBe(DEFAULT_LIMITS.keepAliveTimeoutMs);
    expect(server.maxConnections).toBe(7);
    await stopHttpServer(server, 0);
  });

  it('drops connections over the cap', async () => {
    const { server, port } = await listening((_req, res) => res.end('ok'), 2);
    const held = [await open(port), await open(port)];
    const third = await open(port);
    third.on('error', () => {});
    await new Promise<void>((resolve) => third.once('close', () => resolve()));
    expect(third.destroyed).toBe(true);
    for (const s of held) s.destroy();
    await stopHttpServer(server, 0);
  });

  it('cuts off a client that sends its headers too slowly', async () => {
    const server = createHttpServer((_req, res) => res.end(), { maxConnections: 10, headersTimeoutMs: 500, requestTimeoutMs: 500 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const socket = await open((server.address() as AddressInfo).port);
    socket.on('error', () => {});
    const started = Date.now();
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 100);
    await ended;
    clearInterval(drip);
    expect(Date.now() - started).toBeLessThan(2500);
    await stopHttpServer(server, 0);
  });
});

describe('request deadlines (issue 25.10)', () => {
  /** A server whose ordinary requests have 600 ms and whose uploads (POST /upload) 5 s, at ≥ 2000 B/s after 400 ms. */
  async function deadlines() {
    const handler: Parameters<typeof createHttpServer>[0] = (req, res) => {
      let bytes = 0;
      req.on('data', (d: Buffer) => (bytes += d.length));
      req.on('end', () => res.end(String(bytes)));
    };
    const server = createHttpServer(handler, { maxConnections: 10, headersTimeoutMs: 500, requestTimeoutMs: 600, upload: { isUpload: (req) => req.url === '/upload', maxMs: 5000, minBytesPerSecond: 2000, graceMs: 400 } });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, port: (server.address() as AddressInfo).port };
  }

  /** Sends headers, then `chunk` every `everyMs` until the server answers or closes; resolves with what it answered. */
  async function trickle(port: number, path: string, chunk: string, everyMs: number): Promise<{ answer: string; ms: number }> {
    const socket = await open(port);
    socket.on('error', () => {});
    const started = Date.now();
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n`);
    const drip = setInterval(() => socket.writable && socket.write(chunk), everyMs);
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    clearInterval(drip);
    return { answer, ms: Date.now() - started };
  }

  it('gives an ordinary request its short limit even though uploads have a long one, answering 408', async () => {
    const { server, port } = await deadlines();
    expect(server.requestTimeout).toBe(5000);
    // A fast enough body for an upload, but this is not one: cut at 600 ms (before: the long limit applied to every route).
    const { answer, ms } = await trickle(port, '/api/search', 'x'.repeat(200), 50);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /u);
    expect(answer).toContain('{"error":"request_timeout","error_description":"the request did not arrive within 1 s; send the whole request at once"}');
    expect(ms).toBeLessThan(3000);
    await stopHttpServer(server, 0);
  });

  it('lets an upload that keeps up take longer, and cuts off one that trickles under the minimum rate', async () => {
    const { server, port } = await deadlines();
    // 200 bytes every 50 ms = 4000 B/s: past the 600 ms of an ordinary request, until the client stops at 1.5 s.
    const socket = await open(port);
    socket.on('error', () => {});
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.write('POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 6000\r\n\r\n');
    for (let i = 0; i < 30; i += 1) {
      socket.write('y'.repeat(200));
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(answer).toMatch(/^HTTP\/1\.1 200 /u);
    expect(answer.endsWith('6000')).toBe(true);
    socket.destroy();
    // 10 bytes every 100 ms = 100 B/s: cut off after the grace time with the rate named.
    const slow = await trickle(port, '/upload', 'z'.repeat(10), 100);
    expect(slow.answer).toMatch(/^HTTP\/1\.1 408 /u);
    expect(slow.answer).toMatch(/"the upload arrived at 0 KiB\/s, under the minimum of 2 KiB\/s; retry over a faster connection"/u);
    expect(slow.ms).toBeLessThan(3000);
    await stopHttpServer(server, 0);
  });
});

describe('isUploadRequest', () => {
  it('is POST /api/documents and PUT /api/documents/:docId only', async () => {
    const { isUploadRequest } = await import('../../server/http/routes/documents.js');
    expect(isUploadRequest({ method: 'POST', url: '/api/documents' })).toBe(true);
    expect(isUploadRequest({ method: 'POST', url: '/api/documents?x=1' })).toBe(true);
    expect(isUploadRequest({ method: 'PUT', url: '/api/documents/yunfu' })).toBe(true);
    for (const [method, url] of [['POST', '/api/search'], ['POST', '/api/documents/yunfu'], ['PUT', '/api/documents'], ['DELETE', '/api/documents/yunfu'], ['GET', '/api/documents'], ['PUT', '/api/documents/a/original']]) {
      expect(isUploadRequest({ method, url }), `${method} ${url}`).toBe(false);
    }
  });
});
