import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../server/cli/main.js';
import { captureIo, MODELS_DIR, testConfig } from '../helpers.js';

const law = (revisions: string, article: string): string => `# 中华人民共和国某某条例\n\n2001年6月15日 中华人民共和国国务院令第306号公布\n\n${revisions}<!-- INFO END -->\n\n第一条 为了规范某某活动，制定本条例。\n\n${article}\n`;

let env: Record<string, string>;
beforeAll(async () => {
  const corpus = await mkdtemp(path.join(tmpdir(), 'kb-cli-versions-'));
  await mkdir(corpus, { recursive: true });
  await writeFile(path.join(corpus, '某某条例(2001-06-15).md'), law('', '第二条 主管部门应当在二十日内作出决定。'));
  await writeFile(path.join(corpus, '某某条例(2023-12-11).md'), law('2023年12月11日 《国务院关于修改〈中华人民共和国某某条例〉的决定》第一次修订\n\n', '第二条 主管部门应当在十五日内作出决定。'));
  const config = await testConfig({ CORPUS_DIR: corpus });
  env = { CORPUS_DIR: corpus, MODELS_DIR, INDEX_DIR: config.indexDir, LOG_LEVEL: 'warn', POLICY_KB_TODAY: '2026-12-06' };
}, 120_000);

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo(env);
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('kb diff / kb validity', () => {
  it('refuses missing arguments before opening anything', async () => {
    expect(await run('diff', 'only-one')).toMatchObject({ code: 2, err: 'error: missing <fromDocId> <toDocId> (the older version first)\nRun with --help for usage.\n' });
    expect(await run('validity')).toMatchObject({ code: 2, err: 'error: missing --check FILE (a TSV of file, name, level, publish, valid_from, expired)\nRun with --help for usage.\n' });
    expect((await run('validity', '--check', '/nonexistent/x.tsv')).err).toBe('error: cannot read /nonexistent/x.tsv: ENOENT\nRun with --help for usage.\n');
  });

  it('prints the 修订说明 table of two versions, and their agreement with a status file', async () => {
    const diff = await run('diff', '某某条例-2001-06-15', '某某条例-2023-12-11');
    expect(diff.code).toBe(0);
    expect(diff.out).toContain('| 第二条 主管部门应当在~~二~~十日内作出决定。 | 第二条 主管部门应当在十**五**日内作出决定。 | 修改 |');
    const tsv = path.join(env.CORPUS_DIR as string, '..', `${path.basename(env.CORPUS_DIR as string)}-status.tsv`);
    await writeFile(tsv, 'file\tname\tlevel\tpublish\tvalid_from\texpired\n某某条例(2001-06-15).md\t某某条例\t行政法规\t2001-06-15\t\t0\n某某条例(2023-12-11).md\t某某条例\t行政法规\t2023-12-11\t\t0\n');
    const check = await run('validity', '--check', tsv, '--json');
    expect(check.code).toBe(0);
    const report = JSON.parse(check.out) as { inForceMarked: { count: number; of: number; olderVersions: number }; byEvidence: { evidence: string; rows: number }[] };
    expect(report.inForceMarked).toEqual({ count: 1, of: 2, olderVersions: 1 });
    expect(report.byEvidence.map((l) => l.evidence)).toEqual(['version', 'dates']);
  }, 300_000);
});
