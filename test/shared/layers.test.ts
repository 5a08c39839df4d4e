/**
 * The layer order of src/ is enforced by lint (eslint.config.js): an import of a higher layer fails,
 * one of the same or a lower layer passes.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const eslint = new ESLint({ cwd: ROOT });
async function restricted(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport const x = y;\n`, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer order in lint', () => {
  it('refuses an import of a higher layer, at any depth, type imports included', async () => {
    expect(await restricted('src/shared/a.ts', "import { y } from '../retrieval/search.js';")).toEqual([expect.stringContaining('layer order: src/shared may not import src/retrieval/')]);
    expect(await restricted('src/storage/postgres/a.ts', "import type { y } from '../../pipeline/library.js';")).toEqual([expect.stringContaining('src/storage may not import src/pipeline/')]);
    expect(await restricted('src/chunking/a.ts', "import { y } from '../storage/types.js';")).toHaveLength(1);
    expect(await restricted('src/pipeline/a.ts', "import { y } from '../../server/http/app.js';")).toEqual([expect.stringContaining('may not import server/')]);
    expect(await restricted('src/lexical/a.ts', "import { y } from '../chunking/chunker.js';")).toEqual([expect.stringContaining('src/config, src/corpus, src/extract, src/embeddings, src/lexical may not import src/chunking/')]);
    expect(await restricted('src/storage/file/a.ts', "import { y } from '../../retrieval/search.js';")).toEqual([expect.stringContaining('src/storage may not import src/retrieval/')]);
  });

  it('lets a module import its own layer and those below', async () => {
    expect(await restricted('src/pipeline/a.ts', "import { y } from '../retrieval/search.js';")).toEqual([]);
    expect(await restricted('src/corpus/a.ts', "import { y } from '../extract/index.js';")).toEqual([]);
    expect(await restricted('src/storage/file/a.ts', "import { y } from '../../lexical/analyzer.js';")).toEqual([]);
    expect(await restricted('src/retrieval/a.ts', "import { y } from './search.js';")).toEqual([]);
    expect(await restricted('server/http/a.ts', "import { y } from '../../src/pipeline/library/library.js';")).toEqual([]);
  });
});
