/**
 * MCP over Streamable HTTP, stateless: a new server and transport per POST (the coming protocol
 * version drops sessions). GET and DELETE answer 405. Host and Origin checks, token, rate limit and
 * body limit come from the app's guards, the same on every route.
 */
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Express, Request, Response } from 'express';
import { describeError } from '../../src/shared/errors.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createMcpServer, type McpDeps } from './server.js';

export function mountMcpHttp(deps: McpDeps): (app: Express) => void {
  const logger = deps.logger ?? silentLogger;
  return (app) => {
    app.post('/mcp', async (req: Request, res: Response) => {
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
    app.get('/mcp', notAllowed);
    app.delete('/mcp', notAllowed);
  };
}
