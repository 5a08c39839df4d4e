/**
 * The `kb` / `policy-kb` command line. `runCli(argv, io)` returns the exit code; only entry.ts
 * touches process.argv/env/exit, so tests run commands in-process.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config/index.js';
import { buildOutline } from '../../src/chunking/outline.js';
import { deriveLineage } from '../../src/corpus/lineage.js';
import { importListing, readListingMap } from '../../src/pipeline/tools/import-listing.js';
import { requireDocument, type LoadedDocument } from '../../src/pipeline/library/corpus.js';
import { backendFor, ingestOptionsFor } from '../../src/pipeline/compose/backend.js';
import { ingestInto, type IngestSummary } from '../../src/pipeline/ingest/ingest.js';
import type { WriteLock } from '../../src/storage/types.js';
import { buildModel } from '../../src/pipeline/tools/model-build.js';
import { createEmbeddingRuntime } from '../../src/pipeline/compose/runtime.js';
import { describeError, isKbError } from '../../src/shared/errors.js';
import { createProgressFactory } from '../../src/shared/progress.js';
import { isoToday } from '../../src/shared/dates.js';
import { presentDocument, presentPages } from '../../src/retrieval/presenter.js';
import type { DocumentSummary } from '../../src/storage/types.js';
import type { CliIo } from './io.js';
import { COMMON_OPTIONS, loadCorpusReporting, loggerFor, print, printJson, requireId, requireOne, type CommandContext, type CommandSpec, type Values } from './context.js';
import { documentCommands } from './document-commands.js';
import { retrievalCommands } from './retrieval-commands.js';
import { serveCommands } from './serve-commands.js';
import { versionCommands } from './version-commands.js';
import { UsageError } from './io.js';

export const USAGE = `policy-kb — knowledge base over Chinese policy documents

Usage: npm run -s kb -- <command> [options]   (or: policy-kb <command> [options])

Corpus
  import-listing FILE --out DIR [--map FILE]   import a scraped listing page into corpus files
  docs [--json]                                list the corpus documents
  show <docId> [--json]                        metadata and body (the text all offsets index)
  outline <docId> [--json]                     the section tree
  chunks <docId> [--json]                      the citable chunks with offsets and breadcrumbs

Your own documents (PDF incl. scanned, DOCX, DOC/WPS, OFD, saved web pages, text in UTF-8/GBK)
  add <file|dir>... [--doc-id ID] [--title T] [--issuer I] [--status S]
      [--effective-from D] [--effective-to D] [--superseded-by T] [--doc-number N]
      [--allow-duplicate] [--json]             keep the original in the corpus, extract, index
                                               (bytes the library holds already: refused unless
                                               --allow-duplicate)
  remove <docId> [--json]                      drop a document and its passages

Model and index
  model build [--tarball FILE] [--sif-a A] [--remove-pc]
                                               build the offline word-vector model (embeddings/models/)
  ingest [--rebuild] [--verbose] [--json]      build or update the indexes (embeddings/index/);
                                               prints counts (docIds with --verbose or --json)

Search and answers
  search "<query>" [--k N] [--doc ID] [--json]  ranked passages with breadcrumbs and offsets
  ask "<question>" [--doc ID] [--json]          extractive answer with numbered citations
  compare "<topic>" [--doc ID...] [--json]      what each document says on a topic (Markdown table)
  eval --set FILE [--library DIR] [--k 10] [--out FILE] [--ablation] [--sealed]
                                               score a JSONL question set (answer and retrieval
                                               figures); --library: on the corpus plus DIR's
                                               documents (indexed once, cached in .cache/);
                                               --sealed: aggregate figures only, no --out

Versions and validity
  diff <fromDocId> <toDocId> [--unchanged] [--json]
                                               新旧对照: two versions clause by clause (Markdown table)
  validity --check FILE [--show N] [--json]    agreement with a database's status (TSV: file, name,
                                               level, publish, valid_from, expired), by kind of evidence

Servers
  serve | start                                HTTP API, web chat page, OpenAI endpoint and MCP on /mcp
                                               (HOST/PORT, default 127.0.0.1:8787; builds model + index when missing)
  mcp                                          MCP server on stdio (logs on stderr)

Options shared by all commands
  --corpus DIR    corpus folder (default: corpus, or CORPUS_DIR)
  -h, --help      this help
`;

/** How long `kb ingest` waits for another writer before giving up with `write_locked`. */
const INGEST_LOCK_WAIT_MS = 5000;

async function docFor(ctx: CommandContext): Promise<LoadedDocument> {
  const docId = requireId(ctx, '<docId>');
  return requireDocument(withLibraryLineage(await loadCorpusReporting(ctx)), docId);
}

/** The corpus documents with what the library says of each (versions, repeals), as the servers read them. */
function withLibraryLineage(docs: LoadedDocument[]): LoadedDocument[] {
  const lineage = deriveLineage(docs.map((d) => d.meta));
  return docs.map((d) => ({ ...d, meta: { ...d.meta, lineage: lineage.get(d.meta.docId) ?? { versions: [] } } }));
}

/** `kb show` in text: each field on a line, the history and versions one entry per line. */
function printMeta(io: CliIo, doc: LoadedDocument, today: string): void {
  const { history, lineage, repeals, pages: _pages, ocrPages: _ocr, ...rest } = doc.meta;
  for (const [k, v] of Object.entries(rest)) print(io, `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`);
  const v = presentDocument(summaryOf(doc), today);
  print(io, `validity: ${v.validity.status} — ${v.validity.basis}${v.validity.conflict ? `（注意：${v.validity.conflict}）` : ''}`);
  for (const h of history ?? []) print(io, `history: ${h.date} ${h.action}${h.ordinal ? `（第${h.ordinal}次）` : ''} ${h.by}`);
  for (const r of repeals ?? []) print(io, `repeals: 《${r.title}》${r.clause ? ` (${r.clause})` : ''}`);
  if ((lineage?.versions.length ?? 0) > 1) for (const x of v.versions ?? []) print(io, `version: ${x.date ?? '?'} ${x.docId}${x.docId === doc.meta.docId ? ' (this)' : ''}${x.current ? ' (current)' : ''}`);
}

/** The metadata as front matter states it, less the page table (shown as `pages: [{page, start, end}]`). */
export function metaOf(doc: LoadedDocument): Record<string, unknown> {
  const { pages: _pages, ocrPages: _ocrPages, ...meta } = doc.meta;
  return meta;
}

function todayOf(ctx: CommandContext): string {
  return ctx.config.today ?? isoToday();
}

function printTree(io: CliIo, node: ReturnType<typeof buildOutline>, depth = 0): void {
  for (const child of node.children) {
    print(io, `${'  '.repeat(depth)}${child.title || child.label}  [${child.start}, ${child.end})  ${child.passageIds.length} passage(s)`);
    printTree(io, child, depth + 1);
  }
}

type IngestResult = IngestSummary;

/** Per-outcome document counts; `--json` carries them next to the id lists. */
function summaryCounts(s: IngestResult): { added: number; changed: number; removed: number; unchanged: number; kept: number } {
  return { added: s.added.length, changed: s.changed.length, removed: s.removed.length, unchanged: s.unchanged.length, kept: s.kept.length };
}

/**
 * The human summary: counts only, so a library of thousands of documents prints a few lines;
 * `verbose` adds the docIds of each outcome (unchanged ones stay a count).
 */
export function formatSummary(s: IngestResult, verbose = false): string {
  if (s.upToDate) return `index is up to date: ${s.documents} documents, ${s.passages} passages; nothing to do (${s.seconds.toFixed(2)} s)`;
  const c = summaryCounts(s);
  const parts = [
    `indexed ${s.documents} documents, ${s.passages} passages in ${s.seconds.toFixed(2)} s`,
    `embedded ${s.embedded} chunks in ${s.embedSeconds.toFixed(2)} s (${s.chunksPerSecond.toFixed(1)} chunks/s${s.workers > 1 ? `, ${s.workers} worker threads` : ''})`,
    `documents: ${c.added} added, ${c.changed} changed, ${c.removed} removed, ${c.unchanged} unchanged`,
  ];
  if (verbose) {
    parts.push(`added: ${s.added.join(', ') || '-'}`, `changed: ${s.changed.join(', ') || '-'}`, `removed: ${s.removed.join(', ') || '-'}`);
  }
  if (s.rebuildReason) parts.push(`full build: ${s.rebuildReason}`);
  if (s.kept.length) {
    parts.push(verbose ? `kept previous version of: ${s.kept.join(', ')} (their files failed to parse)` : `kept the previous version of ${s.kept.length} document(s) whose files failed to parse (warnings above; --verbose lists them)`);
  }
  if (!verbose && c.added + c.changed + c.removed > 0) parts.push('(--verbose or --json lists the docIds)');
  return parts.join('\n');
}

const commands: Record<string, CommandSpec> = {
  model: {
    options: { tarball: { type: 'string' }, 'sif-a': { type: 'string' }, 'remove-pc': { type: 'boolean', default: false } },
    async run(ctx) {
      const sub = requireOne(ctx, 'subcommand (build)');
      if (sub !== 'build') throw new UsageError(`unknown model subcommand "${sub}"; expected: build`);
      const sifRaw = ctx.values['sif-a'];
      const sifA = typeof sifRaw === 'string' ? Number(sifRaw) : undefined;
      if (sifA !== undefined && !(sifA >= 0 && sifA < 1)) throw new UsageError('--sif-a must be a number in [0, 1)');
      const dir = await buildModel({
        modelsDir: ctx.config.modelsDir,
        logger: loggerFor(ctx),
        removeCommonComponent: ctx.values['remove-pc'] === true,
        ...(sifA !== undefined ? { sifA } : {}),
        ...(typeof ctx.values.tarball === 'string' ? { tarball: path.resolve(ctx.io.cwd, ctx.values.tarball) } : {}),
      });
      print(ctx.io, `model built: ${path.relative(ctx.io.cwd, dir)}`);
      return 0;
    },
  },
  ingest: {
    options: { rebuild: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false } },
    async run(ctx) {
      if (ctx.positionals.length > 0) throw new UsageError(`unexpected arguments: ${ctx.positionals.join(' ')}`);
      const logger = loggerFor(ctx);
      const { embedder, profile } = await createEmbeddingRuntime(ctx.config, logger);
      const backend = await backendFor(ctx.config, { embedder, profile }, logger);
      let lock: WriteLock | undefined;
      try {
        // One writer per index: a second ingest waits a few seconds, then names the one running.
        lock = await backend.lock({ waitMs: INGEST_LOCK_WAIT_MS, owner: 'kb ingest' });
        const summary = await ingestInto(backend, {
          ...ingestOptionsFor(ctx.config, embedder, profile),
          rebuild: ctx.values.rebuild === true,
          logger,
          progress: createProgressFactory(ctx.io.stderr as { write(s: string): unknown; isTTY?: boolean }),
        });
        for (const problem of summary.fileErrors) ctx.io.stderr.write(`warning: skipped ${problem}\n`);
        // What writes added since the last full build is merged into one once that is due.
        const merged = await backend.compact?.({ when: 'due', locked: true, logger });
        if (merged) summary.version = merged;
        if (ctx.values.json) printJson(ctx.io, { ...summary, counts: summaryCounts(summary) });
        else print(ctx.io, formatSummary(summary, ctx.values.verbose === true));
        return 0;
      } finally {
        await lock?.release();
        await backend.close();
        await embedder.dispose?.();
      }
    },
  },
  'import-listing': {
    options: { out: { type: 'string' }, map: { type: 'string' } },
    async run(ctx) {
      const file = requireOne(ctx, 'FILE (the listing page)');
      const out = typeof ctx.values.out === 'string' ? ctx.values.out : undefined;
      if (!out) throw new UsageError('missing --out DIR');
      const mapFile = typeof ctx.values.map === 'string' ? ctx.values.map : path.join(out, 'import-map.yaml');
      let map: Awaited<ReturnType<typeof readListingMap>> = [];
      try {
        map = await readListingMap(path.resolve(ctx.io.cwd, mapFile));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        ctx.io.stderr.write(`note: no listing map at ${mapFile}; docIds will be derived from titles\n`);
      }
      const result = await importListing(path.resolve(ctx.io.cwd, file), path.resolve(ctx.io.cwd, out), map);
      if (ctx.values.json) printJson(ctx.io, result);
      else for (const w of result.written) print(ctx.io, `${w.docId}\t${w.chars} chars\t${w.title}\t→ ${path.relative(ctx.io.cwd, w.file)}`);
      return 0;
    },
  },
  docs: {
    options: {},
    async run(ctx) {
      const docs = withLibraryLineage(await loadCorpusReporting(ctx));
      if (ctx.values.json) {
        printJson(ctx.io, { documents: docs.map((d) => ({ ...metaOf(d), ...presentDocument(summaryOf(d), todayOf(ctx)), chunks: d.chunks.length })) });
      } else {
        for (const d of docs) {
          const v = presentDocument(summaryOf(d), todayOf(ctx));
          const pages = v.pageCount > 0 ? `\t${v.pageCount} pages` : '';
          print(ctx.io, `${d.meta.docId}\t${v.format}${pages}\t${d.body.length} chars\t${d.chunks.length} chunks\t${v.validity.status}\t${d.meta.title}\t${d.meta.issuer}`);
        }
      }
      return 0;
    },
  },
  show: {
    options: {},
    async run(ctx) {
      const doc = await docFor(ctx);
      if (ctx.values.json) printJson(ctx.io, { ...metaOf(doc), ...presentDocument(summaryOf(doc), todayOf(ctx)), pages: presentPages(doc), body: doc.body });
      else {
        printMeta(ctx.io, doc, todayOf(ctx));
        print(ctx.io, `\n${doc.body}`);
      }
      return 0;
    },
  },
  outline: {
    options: {},
    async run(ctx) {
      const doc = await docFor(ctx);
      const outline = buildOutline(doc.tree, doc.chunks);
      if (ctx.values.json) printJson(ctx.io, { docId: doc.meta.docId, title: doc.meta.title, outline });
      else {
        print(ctx.io, `《${doc.meta.title}》`);
        printTree(ctx.io, outline);
      }
      return 0;
    },
  },
  chunks: {
    options: {},
    async run(ctx) {
      const doc = await docFor(ctx);
      if (ctx.values.json) {
        printJson(ctx.io, { docId: doc.meta.docId, chunks: doc.chunks });
      } else {
        for (const c of doc.chunks) print(ctx.io, `[${c.passageId}] ${c.breadcrumb}  [${c.start}, ${c.end}) ${c.text.length} chars\n  ${c.text.slice(0, 80).replace(/\n/g, ' ')}…`);
      }
      return 0;
    },
  },
};


export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    print(io, USAGE);
    return name === undefined ? 2 : 0;
  }
  // Own keys only: `kb constructor` must not find Object.prototype.constructor.
  const spec = [commands, documentCommands, retrievalCommands, versionCommands, serveCommands].find((table) => Object.hasOwn(table, name))?.[name];
  if (!spec) {
    io.stderr.write(`error: unknown command "${name}"; commands: ${[...Object.keys(commands), ...Object.keys(documentCommands), ...Object.keys(retrievalCommands), ...Object.keys(versionCommands), ...Object.keys(serveCommands)].join(', ')}\n`);
    return 2;
  }
  try {
    const parsed = parseArgs({ args: rest, options: { ...COMMON_OPTIONS, ...spec.options }, allowPositionals: true, strict: true });
    if (parsed.values.help) {
      print(io, USAGE);
      return 0;
    }
    let fileConfig: Record<string, unknown> = {};
    const configFile = io.env.POLICY_KB_CONFIG;
    if (configFile) fileConfig = JSON.parse(await readFile(path.resolve(io.cwd, configFile), 'utf8')) as Record<string, unknown>;
    const env = { ...io.env };
    if (typeof parsed.values.corpus === 'string') env.CORPUS_DIR = parsed.values.corpus;
    const config = loadConfig(env, fileConfig, io.cwd);
    return await spec.run({ io, config, positionals: parsed.positionals, values: parsed.values as Values });
  } catch (error) {
    if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith?.('ERR_PARSE_ARGS')) {
      io.stderr.write(`error: ${describeError(error)}\nRun with --help for usage.\n`);
      return 2;
    }
    if (isKbError(error)) {
      io.stderr.write(`error: ${error.message}\n`);
      return 1;
    }
    io.stderr.write(`error: ${describeError(error)}\n`);
    return 1;
  }
}

/** A corpus document as the presenter lists it (before it is indexed: its chunks count as passages). */
function summaryOf(d: LoadedDocument): DocumentSummary {
  return { meta: d.meta, contentHash: d.contentHash, source: d.source, passages: d.chunks.length, chars: d.body.length };
}
