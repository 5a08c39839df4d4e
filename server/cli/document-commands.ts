/**
 * Changing the library from the command line: `add` files of any supported format (PDF, Word,
 * WPS, OFD, saved web pages, text in any Chinese encoding) and `remove` documents. Both take the
 * single-writer lock, so they never race a running upload or another `kb add`.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { addDocuments, removeDocument, type AddFailure, type AddInput, type AddReport } from '../../src/pipeline/library/library.js';
import { backendFor, libraryDepsFor } from '../../src/pipeline/compose/open.js';
import { createEmbeddingRuntime } from '../../src/pipeline/compose/runtime.js';
import { createProgressFactory } from '../../src/shared/progress.js';
import { bidiWarning, docIdWarnings } from '../../src/shared/names.js';
import { loggerFor, print, printJson, requireId, stringOption, type CommandContext, type CommandSpec } from './context.js';
import { UsageError } from './io.js';

/** Files named on the command line; folders are walked (dot-files skipped), sorted for a stable order. */
async function collectFiles(ctx: CommandContext): Promise<string[]> {
  if (ctx.positionals.length === 0) throw new UsageError('missing <file|dir>: name at least one file or folder to add');
  const files: string[] = [];
  for (const arg of ctx.positionals) {
    const full = path.resolve(ctx.io.cwd, arg);
    let info;
    try {
      info = await stat(full);
    } catch {
      throw new UsageError(`no such file or folder: ${arg}`);
    }
    if (info.isDirectory()) {
      const entries = await readdir(full, { withFileTypes: true, recursive: true });
      files.push(
        ...entries
          .filter((e) => e.isFile())
          .map((e) => path.join(e.parentPath, e.name))
          .filter((f) => !path.relative(full, f).split(path.sep).some((p) => p.startsWith('.')))
          .sort(),
      );
    } else files.push(full);
  }
  return files;
}

function describeReport(r: AddReport): string {
  const pages = r.pages > 0 ? `, ${r.pages} page(s)` : '';
  const what = r.outcome === 'unchanged' ? 'already in the library (same bytes): nothing to do' : `${r.outcome}: ${r.passages} passages${pages}`;
  const warnings = r.warnings.map((w) => `\n  warning: ${w}`).join('');
  return `${r.docId}\t${r.format}\t${r.file}\t《${r.title}》\t${what}${warnings}`;
}

const FIELD_OPTIONS = {
  'doc-id': { type: 'string' },
  title: { type: 'string' },
  issuer: { type: 'string' },
  status: { type: 'string' },
  'effective-from': { type: 'string' },
  'effective-to': { type: 'string' },
  'superseded-by': { type: 'string' },
  'doc-number': { type: 'string' },
} as const;

export const documentCommands: Record<string, CommandSpec> = {
  add: {
    options: { ...FIELD_OPTIONS, 'allow-duplicate': { type: 'boolean', default: false } },
    async run(ctx) {
      const files = await collectFiles(ctx);
      const fields = {
        docId: stringOption(ctx, 'doc-id'),
        title: stringOption(ctx, 'title'),
        issuer: stringOption(ctx, 'issuer'),
        status: stringOption(ctx, 'status'),
        effectiveFrom: stringOption(ctx, 'effective-from'),
        effectiveTo: stringOption(ctx, 'effective-to'),
        supersededBy: stringOption(ctx, 'superseded-by'),
        docNumber: stringOption(ctx, 'doc-number'),
      };
      if (files.length > 1 && (fields.docId !== undefined || fields.title !== undefined)) {
        throw new UsageError(`--doc-id and --title name one document, but ${files.length} files were given; add them one at a time`);
      }
      const inputs: AddInput[] = [];
      const unreadable: AddFailure[] = [];
      for (const file of files) {
        try {
          inputs.push({ bytes: await readFile(file), fileName: path.basename(file), fields, allowDuplicate: ctx.values['allow-duplicate'] === true });
        } catch (error) {
          unreadable.push({ file: path.relative(ctx.io.cwd, file), code: 'invalid_input', message: `${path.relative(ctx.io.cwd, file)}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
        }
      }
      const logger = loggerFor(ctx);
      const embedding = await createEmbeddingRuntime(ctx.config, logger);
      const runtime = { ...embedding, backend: await backendFor(ctx.config, embedding, logger) };
      try {
        const deps = libraryDepsFor(ctx.config, runtime, { logger, owner: 'kb add', progress: createProgressFactory(ctx.io.stderr as { write(s: string): unknown; isTTY?: boolean }) });
        const change = await addDocuments(deps, inputs);
        const failures = [...unreadable, ...change.failures];
        // Names that break on other systems or mislead a reader: added all the same, with a warning.
        const ids = [...(await runtime.backend.passageCounts()).keys()];
        for (const r of change.reports) {
          r.warnings = [...r.warnings, ...docIdWarnings(r.docId, ids), ...[bidiWarning('the file name', r.file), bidiWarning('the title', r.title)].filter((w): w is string => w !== undefined)];
        }
        if (ctx.values.json) {
          printJson(ctx.io, [...change.reports, ...failures.map((f) => ({ file: f.file, error: f.code, error_description: f.message }))]);
        } else {
          for (const r of change.reports) print(ctx.io, describeReport(r));
        }
        for (const f of failures) ctx.io.stderr.write(`error: ${f.message}\n`);
        return failures.length > 0 ? 1 : 0;
      } finally {
        await runtime.backend.close();
        await runtime.embedder.dispose?.();
      }
    },
  },
  remove: {
    options: {},
    async run(ctx) {
      const docId = requireId(ctx, '<docId>');
      const logger = loggerFor(ctx);
      const embedding = await createEmbeddingRuntime(ctx.config, logger);
      const runtime = { ...embedding, backend: await backendFor(ctx.config, embedding, logger) };
      try {
        const change = await removeDocument(libraryDepsFor(ctx.config, runtime, { logger, owner: 'kb remove' }), docId);
        const removed = change.reports[0];
        if (ctx.values.json) printJson(ctx.io, { removed: docId, title: removed?.title, passages: change.ingest?.passages, documents: change.ingest?.documents });
        else print(ctx.io, `removed ${docId} 《${removed?.title ?? ''}》; the index now holds ${change.ingest?.documents ?? 0} documents, ${change.ingest?.passages ?? 0} passages`);
        return 0;
      } finally {
        await runtime.backend.close();
        await runtime.embedder.dispose?.();
      }
    },
  },
};
