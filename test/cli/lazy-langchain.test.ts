/**
 * LangChain is loaded only by the evaluation baseline: the CLI (every `kb` command, `kb serve`
 * included) and the HTTP and MCP servers start without resolving any @langchain/ module.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

async function langchainResolvedBy(code: string): Promise<string[]> {
  const record = path.join(await mkdtemp(path.join(tmpdir(), 'kb-lazy-lc-')), 'resolved.txt');
  execFileSync(process.execPath, ['--import', 'tsx', '--import', './test/fixtures/record-langchain.mjs', '--input-type=module', '-e', code], { cwd: ROOT, env: { ...process.env, RECORD_LANGCHAIN: record }, stdio: ['ignore', 'ignore', 'inherit'] });
  return (await readFile(record, 'utf8').catch(() => '')).split('\n').filter(Boolean);
}

describe('LangChain loaded lazily', () => {
  it('is not resolved when the CLI, the HTTP app and the MCP server are loaded', async () => {
    expect(await langchainResolvedBy("await import('./server/cli/main.ts'); await import('./server/http/app.ts'); await import('./server/mcp/server.ts');")).toEqual([]);
  }, 60_000);

  it('is resolved by the evaluation baseline (the hook sees it)', async () => {
    const seen = await langchainResolvedBy("const { tutorialChunks } = await import('./src/pipeline/tools/evaluate.ts'); await tutorialChunks(new Map());");
    expect(seen).toEqual(expect.arrayContaining(['@langchain/textsplitters', '@langchain/core/documents']));
  }, 60_000);
});
