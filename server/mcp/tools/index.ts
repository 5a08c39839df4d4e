/** Registers every MCP tool; adding a tool is adding its file and one line here. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolContext } from '../context.js';
import { registerAsk } from './ask.js';
import { registerCompareProvisions } from './compare-provisions.js';
import { registerDiffVersions } from './diff-versions.js';
import { registerGetOutline } from './get-outline.js';
import { registerGetPassage } from './get-passage.js';
import { registerListDocuments } from './list-documents.js';
import { registerSearch } from './search.js';

export function registerTools(server: McpServer, ctx: ToolContext): void {
  registerSearch(server, ctx);
  registerGetPassage(server, ctx);
  registerAsk(server, ctx);
  registerListDocuments(server, ctx);
  registerGetOutline(server, ctx);
  registerCompareProvisions(server, ctx);
  registerDiffVersions(server, ctx);
}
