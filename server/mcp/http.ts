/**
 * MCP over Streamable HTTP, stateless: a new server and transport per POST (the coming protocol
 * version drops sessions). GET and DELETE answer 405. Host header validation from the SDK; Origin,
 * token and body limit come from the app's guards on /mcp.
 */
import { hostHeaderValidation, localhostHostValidation } from '@modelcontextprotocol/sdk/server/middleware/hostHeaderValidation.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Express, Request, Response } from 'express';
import { describeError } from '../../src/shared/errors.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createMcpServer, type McpDeps } from './server.js';

export interface McpHttpOptions {
  /** Hostnames accepted in the Host header; default: localhost names only. */
  allowedHosts?: string[];
}

export function mountMcpHttp(deps: McpDeps, options: McpHttpOptions = {}): (app: Express) => void {
  const logger = deps.logger ?? silentLogger;
  return (app) => {
    const hostCheck = options.allowedHosts && options.allowedHosts.length > 0 ? hostHeaderValidation(options.allowedHosts) : localhostHostValidation();
    app.post('/mcp', hostCheck, async (req: Request, res: Response) => {
      const server = createMcpServer(deps);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      res.on('close', () => {
        void transport.close();
        void server.close();
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
    app.get('/mcp', hostCheck, notAllowed);
    app.delete('/mcp', hostCheck, notAllowed);
  };
}
