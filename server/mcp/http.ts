/**
 * MCP over Streamable HTTP, stateless: a new transport per POST (the coming protocol version drops
 * sessions). GET and DELETE answer 405. Host and Origin checks, token, rate limit and body limit
 * come from the app's guards, the same on every route.
 *
 * Building a server (tool schemas, validators) cost more CPU than the search it answers, so servers
 * are kept between requests: each request takes an idle one (or builds one), connects it to its own
 * transport and hands it back once the response is done. Only servers whose request carried nothing
 * that leaves client state behind (initialize, logging/setLevel) go back, so no request ever sees
 * another client's capabilities or settings.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Express, Request, Response } from 'express';
import { describeError } from '../../src/shared/errors.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createMcpServer, type McpDeps } from './server.js';

/** Idle servers kept at most (about one per concurrent client). */
export const MAX_IDLE_MCP_SERVERS = 64;

/** Methods that leave per-client state on a server: a server that handled one is not reused. */
const STATEFUL_METHODS = new Set(['initialize', 'logging/setLevel']);

/** Whether a server that handled this body may serve another client (bodies that are not JSON-RPC say no). */
export function reusableAfter(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.every((m) => !!m && typeof m === 'object' && typeof (m as { method?: unknown }).method === 'string' && !STATEFUL_METHODS.has((m as { method: string }).method));
}

export function mountMcpHttp(deps: McpDeps): (app: Express) => void {
  const logger = deps.logger ?? silentLogger;
  const idle: McpServer[] = [];
  return (app) => {
    app.post('/mcp', async (req: Request, res: Response) => {
      const server = idle.pop() ?? createMcpServer(deps);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      const reusable = reusableAfter(req.body);
      res.on('close', () => {
        // Closing the transport disconnects the server (its handlers answer through the transport they started on).
        transport.close().then(
          () => {
            if (reusable && idle.length < MAX_IDLE_MCP_SERVERS) idle.push(server);
            else void server.close();
          },
          (error: unknown) => logger.warn('mcp transport did not close cleanly; its server is dropped', { error: describeError(error) }),
        );
      });
      try {
        await server.connect(transport);
        await transport.handleRequest(req, res, req.body);
      } catch (error) {
        logger.error('mcp request failed', { error: describeError(error) });
        if (!res.headersSent) res.status(500).json({ jsonrpc: '2.0', error: { code: -32603, message: 'internal error' }, id: null });
      }
    });
    const notAllowed = (_req: Request, res: Response): void => {
      res.setHeader('Allow', 'POST');
      res.status(405).json({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this server is stateless; use POST' }, id: null });
    };
    app.get('/mcp', notAllowed);
    app.delete('/mcp', notAllowed);
  };
}
