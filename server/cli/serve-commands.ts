/**
 * Long-running commands: `serve` / `start` (HTTP API + web page + MCP over HTTP) and `mcp` (stdio).
 */
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { openKnowledgeBase } from '../../src/pipeline/compose/open.js';
import type { Express } from 'express';
import { configWarnings, type Config } from '../../src/config/index.js';
import { libraryNameWarnings } from '../../src/shared/names.js';
import { createLiveKnowledgeBase, type LiveKnowledgeBase } from '../../src/pipeline/compose/live.js';
import { sharedRateLimitStore } from '../../src/pipeline/compose/rate-limit.js';
import type { PostgresBackend } from '../../src/storage/postgres/backend.js';
import type { Logger } from '../../src/shared/logger.js';
import { servedLibrary } from '../../src/pipeline/compose/served-library.js';
import { primeCorpusMemory } from '../../src/pipeline/library/corpus.js';
import { isoToday } from '../../src/retrieval/presenter.js';
import { describeError } from '../../src/shared/errors.js';
import { createApp } from '../http/app.js';
import { createHttpServer, DEFAULT_LIMITS, stopHttpServer } from '../http/lifecycle.js';
import { exposureBeyondLoopback, isLoopbackName } from '../http/security.js';
import { isUploadRequest, mountDocumentRoutes } from '../http/routes/documents.js';
import { mountMcpHttp } from '../mcp/http.js';
import { createMcpServer } from '../mcp/server.js';
import { limitLines, MAX_LINE_BYTES } from '../mcp/stdio-lines.js';
import { isClusterWorker, reportToPrimary, runPrimary } from './cluster.js';
import { applyHeapPolicy } from './heap.js';
import { loggerFor, print, requireNone, type CommandContext, type CommandSpec } from './context.js';

const VERSION = '0.1.0';

/**
 * The app `serve` runs: the HTTP API and page, the document write routes and MCP on /mcp, all
 * over one live knowledge base. Exported so tests drive exactly what users get.
 */
export function buildServeApp(config: Config, live: LiveKnowledgeBase, logger: Logger, worker?: number): { app: Express; loopbackOnly: boolean; close(): Promise<void> } {
  const limits = sharedRateLimitStore(config, logger);
  const today = (): string => config.today ?? isoToday();
  const mcpDeps = { getService: live.current, logger, version: VERSION, today };
  const loopbackOnly = isLoopbackName(config.host);
  const documents = mountDocumentRoutes({
    getService: live.current,
    getLibrary: () => servedLibrary(config, live, logger),
    adminToken: config.adminToken,
    loopbackOnly,
    exposure: exposureBeyondLoopback(config),
    uploadMaxBytes: config.uploadMaxMb * 1024 * 1024,
    today,
  });
  const app = createApp({
    getService: live.current,
    getLoadError: live.loadError,
    storeHealth: () => databaseHealth(live),
    apiToken: config.apiToken,
    adminToken: config.adminToken,
    today,
    allowedOrigins: config.allowedOrigins,
    allowedHosts: [...config.allowedHosts, ...boundHostName(config.host)],
    rateLimitPerMinute: config.rateLimitPerMinute,
    ...(limits ? { rateLimitStore: limits.store } : {}),
    trustProxy: config.trustProxy,
    logger,
    version: VERSION,
    ...(worker !== undefined ? { worker } : {}),
    mounts: [documents, mountMcpHttp(mcpDeps)],
  });
  return { app, loopbackOnly, close: async () => limits?.close() };
}

async function serve(ctx: CommandContext): Promise<number> {
  requireNone(ctx);
  const { config } = ctx;
  const logger = loggerFor(ctx);
  const worker = isClusterWorker();
  if (config.workers > 1 && !worker) return runPrimary(ctx, config.workers, config.shutdownGraceMs, logger);
  applyHeapPolicy(config);
  const live = createLiveKnowledgeBase(config, { logger, autoIngest: true });
  const { app, loopbackOnly, close: closeApp } = buildServeApp(config, live, logger, worker ? process.pid : undefined);
  if (config.trustProxy === true) logger.warn('TRUST_PROXY=true believes any X-Forwarded-For: set it to the number of proxies or their addresses unless every request comes through your proxy', {});
  // Every request has 30 s to arrive; an upload of UPLOAD_MAX_MB at a modest 1 MiB/s on top of that,
  // and no less than UPLOAD_MIN_BYTES_PER_SECOND on average after its first seconds.
  const server = createHttpServer(app, { maxConnections: config.maxConnections, requestTimeoutMs: DEFAULT_LIMITS.requestTimeoutMs, upload: { isUpload: isUploadRequest, maxMs: DEFAULT_LIMITS.requestTimeoutMs + config.uploadMaxMb * 1000 } });
  server.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const listening = `policy-kb listening on ${base}  (chat page ${base}/, API ${base}/api, OpenAI ${base}/v1, MCP ${base}/mcp)`;
  // A cluster worker reports to the primary, which prints one line for all workers.
  if (worker) reportToPrimary({ kind: 'listening', line: listening });
  else print(ctx.io, listening);
  if (!loopbackOnly && !config.apiToken) {
    logger.warn('listening beyond localhost without API_TOKEN: anyone who can reach this port can use the API', { host: config.host });
  }
  if (!loopbackOnly && !config.adminToken) {
    logger.warn('listening beyond localhost without ADMIN_TOKEN: uploads, replacements and deletions are refused (403) until it is set', { host: config.host });
  }
  for (const warning of configWarnings(config)) logger.warn(warning, {});
  const exposure = exposureBeyondLoopback(config);
  if (loopbackOnly && exposure && !config.adminToken) {
    logger.warn('reachable beyond localhost without ADMIN_TOKEN: uploads, replacements and deletions are refused (403) until it is set', { reason: exposure });
  }
  if (['0.0.0.0', '::'].includes(config.host) && config.allowedHosts.length === 0) {
    logger.warn('only loopback names are accepted in the Host header: set ALLOWED_HOSTS to the names clients use to reach this server', { host: config.host });
  }
  // Ready when the first load succeeds, or a later retry does (a database that comes up after the server).
  const writesPossible = config.adminToken !== undefined || (loopbackOnly && !exposure);
  live.onLoaded(() => {
    live.watch();
    void warnAboutNames(live, logger);
    if (writesPossible) void primeWrites(config.corpusDir, logger);
    const info = live.current()?.store.info;
    const ready = `ready: ${info?.documents ?? 0} documents, ${info?.passages ?? 0} passages (index ${info?.version ?? '-'})`;
    if (worker) reportToPrimary({ kind: 'ready', line: ready });
    else print(ctx.io, ready);
  });
  live.ready.catch((error: unknown) => logger.error('index could not be loaded; /readyz answers "failed"', { problem: describeError(error), todo: live.loadError() }));
  ctx.io.onReloadSignal?.(() => void live.reload());
  await (ctx.io.stopSignal ?? new Promise<void>(() => {}));
  logger.info('stopping: finishing requests in flight', { graceMs: config.shutdownGraceMs });
  const { forced } = await stopHttpServer(server, config.shutdownGraceMs);
  if (forced) logger.warn('closed connections still open after the shutdown grace period', { graceMs: config.shutdownGraceMs });
  await live.close();
  await closeApp();
  logger.info('stopped');
  return 0;
}

/**
 * Reads what the corpus files hold into memory in the background, so that the first upload does
 * not parse the whole library (~3 s at 3,428 documents) before it can plan its write.
 */
async function primeWrites(corpusDir: string, logger: Logger): Promise<void> {
  const started = performance.now();
  try {
    const documents = await primeCorpusMemory(corpusDir);
    logger.info('corpus read for writes', { documents, ms: Math.round(performance.now() - started) });
  } catch (error) {
    logger.warn('could not read the corpus ahead of writes; the first upload reads it', { reason: describeError(error) });
  }
}

/** Logs the library's names that break elsewhere or mislead (case twins, device names, bidi characters). */
async function warnAboutNames(live: LiveKnowledgeBase, logger: Logger): Promise<void> {
  const catalog = await live.current()?.catalog().catch(() => undefined);
  if (!catalog) return;
  const docs = [...catalog.values()].map((d) => ({ docId: d.meta.docId, title: d.meta.title, originalName: d.meta.originalName }));
  for (const warning of libraryNameWarnings(docs)) logger.warn(warning, {});
}

/** With INDEX_STORE=postgres, why the database cannot serve now (see health.ts); the file store always can. */
function databaseHealth(live: LiveKnowledgeBase): Promise<string | undefined> {
  const backend = live.runtime()?.backend;
  return backend?.kind === 'postgres' ? (backend as PostgresBackend).database.health() : Promise.resolve(undefined);
}

/** The name clients use when HOST is a specific address or name (not a wildcard): it is allowed too. */
function boundHostName(host: string): string[] {
  if (['0.0.0.0', '::', '[::]', ''].includes(host)) return [];
  return [host.includes(':') && !host.startsWith('[') ? `[${host}]` : host];
}

export const serveCommands: Record<string, CommandSpec> = {
  serve: { options: {}, run: serve },
  start: { options: {}, run: serve },
  mcp: {
    options: {},
    async run(ctx) {
      requireNone(ctx);
      if (!ctx.io.stdin) throw new Error('mcp needs standard input');
      const logger = loggerFor(ctx);
      applyHeapPolicy(ctx.config);
      const opened = await openKnowledgeBase(ctx.config, { logger, autoIngest: true, warmUp: true });
      const server = createMcpServer({ getService: () => opened.service, logger, version: VERSION, today: () => ctx.config.today ?? isoToday() });
      // Oversized lines are answered with an error and dropped; the server keeps serving.
      const reply = (message: JSONRPCMessage): void => {
        transport.send(message).catch((error: unknown) => logger.warn('could not send an MCP error reply', { error: describeError(error) }));
      };
      const input = ctx.io.stdin.pipe(
        limitLines(
          ({ bytes, id }) => {
            logger.warn('dropped an MCP message over the size limit', { bytes, limit: MAX_LINE_BYTES, id });
            reply({ jsonrpc: '2.0', id, error: { code: -32600, message: `message of ${bytes} bytes exceeds the ${MAX_LINE_BYTES / 1024 / 1024} MiB limit and was dropped; send smaller requests` } } as unknown as JSONRPCMessage);
          },
          MAX_LINE_BYTES,
          (bytes) => {
            logger.warn('dropped an MCP line that is not JSON', { bytes });
            reply({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error: the line is not JSON; send one JSON-RPC message per line' } } as unknown as JSONRPCMessage);
          },
        ),
      );
      // Lines reach it whole and within the limit: its own limit (which closes the transport) never trips.
      const transport = new StdioServerTransport(input as unknown as NodeJS.ReadStream, ctx.io.stdout as unknown as NodeJS.WriteStream, { maxBufferSize: 2 * MAX_LINE_BYTES + 1024 * 1024 });
      await server.connect(transport);
      logger.info('mcp server on stdio', { documents: opened.service.store.info.documents, passages: opened.service.store.info.passages });
      await new Promise<void>((resolve) => {
        server.server.onclose = () => resolve();
        ctx.io.stdin?.once('end', () => resolve());
        void ctx.io.stopSignal?.then(() => resolve());
      });
      await server.close();
      await opened.embedder.dispose?.();
      return 0;
    },
  },
};
