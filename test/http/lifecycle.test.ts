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
