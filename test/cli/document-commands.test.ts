import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../server/cli/main.js';
import { captureIo, CORPUS_DIR, MODELS_DIR } from '../helpers.js';

async function workspace(): Promise<Record<string, string>> {
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-cli-docs-'));
  await cp(path.join(CORPUS_DIR, 'hebei.md'), path.join(corpus, 'hebei.md'));
  const index = await mkdtemp(path.join(tmpdir(), 'kb-cli-docs-idx-'));
  return { CORPUS_DIR: corpus, MODELS_DIR, INDEX_DIR: index, POLICY_KB_TODAY: '2026-11-29' };
}

async function run(env: Record<string, string>, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo(env, tmpdir());
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('kb add / remove', () => {
  it('adds a GBK text file with stated fields, shows it with validity, then removes it', async () => {
    const env = await workspace();
    const file = path.join(tmpdir(), `电价补贴-${Date.now()}.txt`);
    await writeFile(file, iconv.encode('某市数据中心电价补贴办法\n第一条 对新建数据中心给予电价补贴。\n第二条 本办法自2018年1月1日起施行，有效期三年。', 'gbk'));
    const added = await run(env, 'add', file, '--doc-id', 'power', '--issuer', '某市人民政府', '--json');
    expect(added.code).toBe(0);
    expect(JSON.parse(added.out)).toEqual([expect.objectContaining({ docId: 'power', format: 'text', title: '某市数据中心电价补贴办法', outcome: 'added', pages: 0 })]);
    const shown = await run(env, 'show', 'power', '--json');
    expect(JSON.parse(shown.out)).toMatchObject({ docId: 'power', issuer: '某市人民政府', validity: { status: 'expired', effectiveFrom: '2018-01-01', effectiveTo: '2020-12-31' }, pages: [] });
    const docs = await run(env, 'docs');
    expect(docs.out).toMatch(/^power\ttext\t\d+ chars\t\d+ chunks\texpired\t某市数据中心电价补贴办法\t某市人民政府$/mu);
    const removed = await run(env, 'remove', 'power');
    expect(removed).toMatchObject({ code: 0, out: 'removed power 《某市数据中心电价补贴办法》; the index now holds 1 documents, 1 passages\n' });
    expect(existsSync(path.join(env.CORPUS_DIR as string, 'originals', 'power'))).toBe(false);
  }, 60_000);

  it('refuses bad usage with exit 2 and a bad file with exit 1, naming it, while the good ones go in', async () => {
    const env = await workspace();
    expect(await run(env, 'add')).toMatchObject({ code: 2, err: expect.stringContaining('missing <file|dir>') });
    expect(await run(env, 'add', '/nonexistent/x.pdf')).toMatchObject({ code: 2, err: expect.stringContaining('no such file or folder: /nonexistent/x.pdf') });
    const dir = await mkdtemp(path.join(tmpdir(), 'kb-cli-mixed-'));
    await writeFile(path.join(dir, 'good.txt'), '好办法\n第一条 规定。');
    await writeFile(path.join(dir, 'bad.pdf'), Buffer.from('%PDF-1.7\n1 0 obj\n<<'));
    expect(await run(env, 'add', path.join(dir, 'good.txt'), path.join(dir, 'bad.pdf'), '--doc-id', 'x')).toMatchObject({ code: 2, err: expect.stringContaining('--doc-id and --title name one document, but 2 files were given') });
    const mixed = await run(env, 'add', dir);
    expect(mixed.code).toBe(1);
    expect(mixed.out).toMatch(/^good\ttext\tgood\.txt\t《好办法》\tadded: 1 passages$/mu);
    expect(mixed.err).toMatch(/^error: "bad\.pdf": /mu);
    expect(await run(env, 'remove', 'nope')).toMatchObject({ code: 1, err: 'error: unknown docId "nope"; known docIds: good, hebei\n' });
  }, 60_000);
});
