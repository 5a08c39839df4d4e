import { spawn } from 'node:child_process';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/index.js';
import { INDEX_FORMAT_VERSION, currentVersion, indexRoot, loadIndex, readManifest } from '../../src/storage/file/index-store.js';
import { passageText } from '../../src/storage/file/knowledge-index.js';
import { ingest, type IngestOptions } from '../../src/pipeline/ingest/ingest.js';
import { createEmbeddingRuntime, expectationsFor, type EmbeddingRuntime } from '../../src/pipeline/compose/runtime.js';
import { KbError } from '../../src/shared/errors.js';
import { CLI_ENTRY, copiedCorpus, indexedCorpus, MODELS_DIR, ROOT, testConfig } from '../helpers.js';

let runtime: EmbeddingRuntime;
beforeAll(async () => {
  runtime = await createEmbeddingRuntime(await testConfig());
});

const setup = (): Promise<{ config: Config; options: IngestOptions }> => copiedCorpus(runtime);
/** A copy of the corpus whose index is already built (the run's one ingest of it): `ingest` finds it up to date. */
const indexed = (): Promise<{ config: Config; options: IngestOptions }> => indexedCorpus(runtime);

describe('ingest', () => {
  it('builds the index, then changes nothing and says so', async () => {
    const { config, options } = await setup();
    const first = await ingest(options);
    expect(first.upToDate).toBe(false);
    expect(first.rebuildReason).toBe('no index yet');
    expect(first.added).toEqual(['ai-plan', 'dongguan', 'hebei', 'huizhou', 'qingyuan', 'shenzhen', 'yunfu', 'zhongshan']);
    expect(first.embedded).toBe(first.passages);
    const second = await ingest(options);
    expect(second).toMatchObject({ upToDate: true, embedded: 0, unchanged: first.added, version: first.version });
    const kb = await loadIndex(config.indexDir, expectationsFor(config, runtime.embedder));
    expect(kb.passages).toHaveLength(first.passages);
    expect(kb.bm25.size).toBe(first.passages);
    expect(kb.dense.size).toBe(first.passages);
  });

  it('re-embeds only an edited document and drops a removed one', async () => {
    const { config, options } = await indexed();
    const before = await ingest(options);
    const file = path.join(config.corpusDir, 'yunfu.md');
    await writeFile(file, (await readFile(file, 'utf8')).replace('试行期三年', '试行期五年'));
    await rm(path.join(config.corpusDir, 'hebei.md'));
    const after = await ingest(options);
    const kb = await loadIndex(config.indexDir, expectationsFor(config, runtime.embedder));
    const yunfuPassages = kb.passages.filter((p) => p.docId === 'yunfu').length;
    // Only the edited clause is embedded again; the other 云浮 passages keep their ids and vectors.
    expect(after).toMatchObject({ changed: ['yunfu'], removed: ['hebei'], added: [], embedded: 1 });
    expect(yunfuPassages).toBeGreaterThan(1);
    expect(after.passages).toBe(before.passages - 1);
    expect(kb.documents.has('hebei')).toBe(false);
    const res = kb.dense.search(kb.vectors.subarray(0, kb.info.dimension), 5);
    expect(res.every((h) => kb.byLabel.has(h.label))).toBe(true);
    expect(kb.documents.get('yunfu')?.body).toContain('试行期五年');
  });

  it('embeds every passage of a retitled document again: what is embedded carries the title', async () => {
    const { config, options } = await indexed();
    await ingest(options);
    const file = path.join(config.corpusDir, 'yunfu.md');
    const text = await readFile(file, 'utf8');
    const title = /^title: (.+)$/mu.exec(text)?.[1] as string;
    await writeFile(file, text.replace(`title: ${title}`, `title: ${title}（修订）`));
    const after = await ingest(options);
    const kb = await loadIndex(config.indexDir, expectationsFor(config, runtime.embedder));
    const yunfu = kb.passages.filter((p) => p.docId === 'yunfu');
    expect(after).toMatchObject({ changed: ['yunfu'], embedded: yunfu.length });
    // The stored vector is the embedding of the new breadcrumb and text, not the old one.
    const first = yunfu[0] as (typeof yunfu)[number];
    expect(first.breadcrumb).toContain('（修订）');
    const dim = kb.info.dimension;
    const pos = kb.byId.get(first.passageId) as number;
    const [fresh] = await runtime.embedder.embedDocuments([`${first.breadcrumb}\n${kb.documents.get('yunfu')?.body.slice(first.start, first.end)}`]);
    const stored = kb.vectors.subarray(pos * dim, (pos + 1) * dim);
    for (let i = 0; i < dim; i += 1) expect(stored[i]).toBeCloseTo((fresh as Float32Array)[i] as number, 5);
  });

  it('gives kept passages the same BM25 terms as a full rebuild', async () => {
    const { config, options } = await indexed();
    await ingest(options);
    const file = path.join(config.corpusDir, 'yunfu.md');
    await writeFile(file, (await readFile(file, 'utf8')).replace('试行期三年', '试行期五年'));
    await ingest(options);
    const incremental = await loadIndex(config.indexDir, expectationsFor(config, runtime.embedder));
    await ingest({ ...options, rebuild: true });
    const rebuilt = await loadIndex(config.indexDir, expectationsFor(config, runtime.embedder));
    expect(incremental.bm25.termCounts()).toEqual(rebuilt.bm25.termCounts());
    for (const q of [['数据', '中心', '电价'], ['人工智能', '第10条'], ['试行期', '五年']]) expect(incremental.bm25.search(q, 10)).toEqual(rebuilt.bm25.search(q, 10));
  });

  it('keeps the previous version of a document whose file breaks', async () => {
    const { config, options } = await indexed();
    await ingest(options);
    await writeFile(path.join(config.corpusDir, 'yunfu.md'), Buffer.from([0, 1, 2]));
    const after = await ingest(options);
    expect(after.kept).toEqual(['yunfu']);
    expect(after.fileErrors).toEqual(['yunfu.md: looks like a binary file (NUL bytes found); only UTF-8 .md/.txt text is ingested']);
    const kb = await loadIndex(config.indexDir, expectationsFor(config, runtime.embedder));
    expect(kb.documents.has('yunfu')).toBe(true);
  });

  it('leaves the previous index loadable when it stops right before going live', async () => {
    const { config, options } = await indexed();
    const first = await ingest(options);
    const failing = ingest({ ...options, rebuild: true, beforeSwitch: () => Promise.reject(new Error('simulated crash')) });
    await expect(failing).rejects.toThrow('simulated crash');
    expect(await currentVersion(config.indexDir)).toBe(first.version);
    const kb = await loadIndex(config.indexDir, expectationsFor(config, runtime.embedder));
    expect(kb.passages).toHaveLength(first.passages);
  });
});

describe('loadIndex', () => {
  it('refuses an index built with another model, saying what to run', async () => {
    const { config, options } = await indexed();
    await ingest(options);
    const error = await loadIndex(config.indexDir, { ...expectationsFor(config, runtime.embedder), modelId: 'Xenova/bge-small-zh-v1.5', dimension: 512 }).catch((e: unknown) => e);
    expect((error as KbError).code).toBe('index_mismatch');
    expect((error as Error).message).toBe('index has 100-dim vectors (model synonyms-w2v-zh); the embedder is Xenova/bge-small-zh-v1.5 with 512 dimensions; run `npm run -s kb -- ingest --rebuild`');
  });

  it('detects a corrupted and a truncated index file', async () => {
    const { config, options } = await indexed();
    const { version } = await ingest(options);
    const dir = path.join(indexRoot(config.indexDir), version as string);
    const file = path.join(dir, 'bm25.bin');
    const original = await readFile(file);
    const flipped = Buffer.from(original);
    flipped[100] = (flipped[100] as number) ^ 1;
    await writeFile(file, flipped);
    await expect(loadIndex(config.indexDir, expectationsFor(config, runtime.embedder))).rejects.toThrow('index file bm25.bin fails its checksum (corrupted); run `npm run -s kb -- ingest --rebuild`');
    await writeFile(file, original.subarray(0, 1000));
    await expect(loadIndex(config.indexDir, expectationsFor(config, runtime.embedder))).rejects.toThrow(`index file bm25.bin has 1000 bytes; the manifest says ${original.length} bytes (truncated or replaced)`);
  });

  it('detects a corrupted passage table with the same message', async () => {
    const { config, options } = await indexed();
    const { version } = await ingest(options);
    const file = path.join(indexRoot(config.indexDir), version as string, 'passages.bin');
    const flipped = await readFile(file);
    flipped[40] = (flipped[40] as number) ^ 1;
    await writeFile(file, flipped);
    await expect(loadIndex(config.indexDir, expectationsFor(config, runtime.embedder))).rejects.toThrow('index file passages.bin fails its checksum (corrupted); run `npm run -s kb -- ingest --rebuild`');
  });

  it('stores binary files and no passage text: every text is the body slice', async () => {
    const { config, options } = await indexed();
    const { version } = await ingest(options);
    const dir = path.join(indexRoot(config.indexDir), version as string);
    expect((await readdir(dir)).sort()).toEqual(['bm25.bin', 'dense.hnsw', 'documents.bin', 'manifest.json', 'passages.bin', 'vectors.f32']);
    const kb = await loadIndex(config.indexDir, expectationsFor(config, runtime.embedder));
    const longest = kb.passages.map((p) => passageText(kb, p)).sort((a, b) => b.length - a.length)[0] as string;
    expect(longest.length).toBeGreaterThan(100);
    const stored = Buffer.concat([await readFile(path.join(dir, 'passages.bin')), await readFile(path.join(dir, 'bm25.bin'))]);
    expect(stored.includes(Buffer.from(longest.slice(0, 60)))).toBe(false);
  });

  it('refuses an index of the previous format, and ingest rebuilds it saying why', async () => {
    const { config, options } = await indexed();
    const { version } = await ingest(options);
    const manifestFile = path.join(indexRoot(config.indexDir), version as string, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { formatVersion: number };
    await writeFile(manifestFile, JSON.stringify({ ...manifest, formatVersion: 1 }));
    const error = await loadIndex(config.indexDir, expectationsFor(config, runtime.embedder)).catch((e: unknown) => e);
    expect((error as KbError).code).toBe('index_mismatch');
    expect((error as Error).message).toBe(`index format is version 1; this build reads version ${INDEX_FORMAT_VERSION}; run \`npm run -s kb -- ingest --rebuild\``);
    const rebuilt = await ingest(options);
    expect(rebuilt).toMatchObject({ upToDate: false, rebuildReason: `index format is version 1; this build reads version ${INDEX_FORMAT_VERSION}` });
    expect((await loadIndex(config.indexDir, expectationsFor(config, runtime.embedder))).passages).toHaveLength(rebuilt.passages);
  });

  it('says to ingest when there is no index', async () => {
    const config = await testConfig();
    await expect(loadIndex(config.indexDir, expectationsFor(config, runtime.embedder))).rejects.toThrow(/^no index in .*; run `npm run -s kb -- ingest`$/);
  });
});

describe('a killed ingest process', () => {
  it('leaves the old index working, whenever it is killed', async () => {
    const { config, options } = await indexed();
    const first = await ingest(options);
    const env = { ...process.env, CORPUS_DIR: config.corpusDir, INDEX_DIR: config.indexDir, MODELS_DIR };
    let killedWhileRunning = 0;
    for (const delay of [400, 1200, 1800, 2400, 3000]) {
      const child = spawn(process.execPath, [CLI_ENTRY, 'ingest', '--rebuild'], { env, cwd: ROOT, stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      await new Promise((r) => setTimeout(r, delay));
      if (child.exitCode === null) killedWhileRunning += 1;
      child.kill('SIGKILL');
      await exited;
      const kb = await loadIndex(config.indexDir, expectationsFor(config, runtime.embedder));
      expect(kb.passages).toHaveLength(first.passages);
    }
    expect(killedWhileRunning).toBeGreaterThanOrEqual(3);
    // Leftover half-written folders never count as the index; the next ingest cleans them up.
    const after = await ingest(options);
    expect(after.upToDate).toBe(true);
    await ingest({ ...options, rebuild: true });
    expect((await readdir(indexRoot(config.indexDir))).filter((n) => n.startsWith('v-'))).toHaveLength(1);
  }, 120_000);
});

describe('a killed write of a delta segment, or of a merge', () => {
  /** A regulation of `articles` articles marked `n`: one new document. */
  const regulation = (n: number, articles: number): string => {
    const lines = [`第${n}号试点管理办法`];
    for (let i = 1; i <= articles; i += 1) lines.push(`第${i}条 第${n}号试点事项第${i}项：申请单位应当于每年${(i % 12) + 1}月底前报送材料第${n * 100 + i}份。`);
    return lines.join('\n');
  };

  it('leaves the old index or the new one working, whenever it is killed, and the next ingest completes it', async () => {
    const { config, options } = await indexed();
    await ingest(options);
    // Seven segments: the next write makes the eighth, and `kb ingest` then merges (MERGE_POLICY.due).
    for (let n = 1; n <= 7; n += 1) {
      await writeFile(path.join(config.corpusDir, `pilot-${n}.md`), regulation(n, 3));
      await ingest(options);
    }
    const env = { ...process.env, CORPUS_DIR: config.corpusDir, INDEX_DIR: config.indexDir, MODELS_DIR };
    let killedWhileRunning = 0;
    let docs = [...(await loadIndex(config.indexDir, expectationsFor(config, runtime.embedder))).documents.keys()];
    const delays = [300, 900, 1500, 2100, 2700, 3300, 4000, 5000];
    for (const [i, delay] of delays.entries()) {
      await writeFile(path.join(config.corpusDir, `killed-${i}.md`), regulation(100 + i, 400));
      const child = spawn(process.execPath, [CLI_ENTRY, 'ingest'], { env, cwd: ROOT, stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      await new Promise((r) => setTimeout(r, delay));
      if (child.exitCode === null) killedWhileRunning += 1;
      child.kill('SIGKILL');
      await exited;
      // The old index or the new one: every document it had, and either none or all of what this write added.
      const kb = await loadIndex(config.indexDir, expectationsFor(config, runtime.embedder));
      const now = [...kb.documents.keys()];
      expect(docs.every((d) => now.includes(d))).toBe(true);
      expect(now.filter((d) => !docs.includes(d)).every((d) => d.startsWith('killed-'))).toBe(true);
      expect(kb.passages.length).toBe(new Set(kb.passages.map((p) => p.passageId)).size);
      docs = now;
    }
    expect(killedWhileRunning).toBeGreaterThanOrEqual(4);
    // Killed while merging: as soon as its merge folder shows, once the chain is due again.
    let killedMerging = 0;
    for (let round = 0; round < 2; round += 1) {
      for (let n = 0; ((await readManifest(config.indexDir))?.manifest.chain?.segments.length ?? 0) < 7; n += 1) {
        await writeFile(path.join(config.corpusDir, `more-${round}-${n}.md`), regulation(200 + round * 10 + n, 3));
        await ingest(options);
      }
      await writeFile(path.join(config.corpusDir, `merging-${round}.md`), regulation(300 + round, 30));
      // (A merge folder an earlier kill left is not this one's.)
      const left = new Set(await readdir(indexRoot(config.indexDir)));
      const child = spawn(process.execPath, [CLI_ENTRY, 'ingest'], { env, cwd: ROOT, stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      while (child.exitCode === null && !(await readdir(indexRoot(config.indexDir))).some((n) => n.startsWith('m-') && !left.has(n))) await new Promise((r) => setTimeout(r, 2));
      if (child.exitCode === null) killedMerging += 1;
      child.kill('SIGKILL');
      await exited;
      const kb = await loadIndex(config.indexDir, expectationsFor(config, runtime.embedder));
      expect(kb.documents.has(`merging-${round}`)).toBe(true);
      expect(kb.documents.size).toBe((await readManifest(config.indexDir))?.manifest.counts.documents);
    }
    expect(killedMerging).toBeGreaterThanOrEqual(1);
    // The next ingest takes up what the killed ones did not finish; what they left on disk goes.
    await ingest(options);
    const kb = await loadIndex(config.indexDir, expectationsFor(config, runtime.embedder));
    expect(delays.every((_, i) => kb.documents.has(`killed-${i}`))).toBe(true);
    const manifest = JSON.parse(await readFile(path.join(indexRoot(config.indexDir), (await currentVersion(config.indexDir)) as string, 'manifest.json'), 'utf8')) as { chain?: { base: string; segments: { version: string }[] } };
    const used = new Set([(await currentVersion(config.indexDir)) as string, ...(manifest.chain ? [manifest.chain.base, ...manifest.chain.segments.map((s) => s.version)] : [])]);
    expect((await readdir(indexRoot(config.indexDir))).filter((n) => n !== 'CURRENT').sort()).toEqual([...used].sort());
  }, 600_000);
});
