import { describe, expect, it } from 'vitest';
import { runCli } from '../../server/cli/main.js';
import { captureIo } from '../helpers.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('kb CLI corpus commands', () => {
  it('outline --json prints the section tree', async () => {
    const { code, out } = await run('outline', 'yunfu', '--json');
    expect(code).toBe(0);
    const json = JSON.parse(out) as { docId: string; outline: { children: { label: string; children: unknown[] }[] } };
    expect(json.docId).toBe('yunfu');
    expect(json.outline.children.map((c) => c.label)).toHaveLength(8);
  });

  it('show --json prints metadata and the body every offset indexes', async () => {
    const show = JSON.parse((await run('show', 'yunfu', '--json')).out) as { body: string; title: string; issuer: string };
    expect(show.title).toBe('云浮市促进云计算大数据产业发展优惠办法(试行)');
    const chunks = JSON.parse((await run('chunks', 'yunfu', '--json')).out) as { chunks: { text: string; start: number; end: number; passageId: string; breadcrumb: string }[] };
    expect(chunks.chunks.length).toBeGreaterThan(10);
    for (const c of chunks.chunks) expect(show.body.slice(c.start, c.end)).toBe(c.text);
  });

  it('names the known docIds for an unknown one, with exit code 1', async () => {
    const { code, err } = await run('outline', 'nope');
    expect(code).toBe(1);
    expect(err).toBe('error: unknown docId "nope"; known docIds: ai-plan, dongguan, hebei, huizhou, qingyuan, shenzhen, yunfu, zhongshan\n');
  });

  it('rejects usage errors with exit code 2', async () => {
    expect((await run('outline')).code).toBe(2);
    expect((await run('outline', 'yunfu', '--bogus')).err).toMatch(/^error: Unknown option '--bogus'/);
    expect((await run('frobnicate')).err).toMatch(/^error: unknown command "frobnicate"; commands: /);
  });
});
