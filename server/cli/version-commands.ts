/**
 * CLI commands on versions and validity over the built index: `kb diff A B` (新旧对照) and
 * `kb validity --check FILE` (agreement with a database's status, by kind of evidence).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatAgreement, parseStatusTsv, validityAgreement } from '../../src/corpus/validity-check.js';
import { judgeValidity, type Validity } from '../../src/corpus/validity.js';
import { openKnowledgeBase, type OpenedKnowledgeBase } from '../../src/pipeline/compose/open.js';
import { diffMarkdown } from '../../src/retrieval/diff.js';
import { compareVersions } from '../../src/retrieval/versions.js';
import { isoToday } from '../../src/shared/dates.js';
import { createProgressFactory } from '../../src/shared/progress.js';
import { loggerFor, print, printJson, stringOption, type CommandContext, type CommandSpec } from './context.js';
import { UsageError } from './io.js';

async function open(ctx: CommandContext): Promise<OpenedKnowledgeBase> {
  return openKnowledgeBase(ctx.config, { logger: loggerFor(ctx), autoIngest: true, progress: createProgressFactory(ctx.io.stderr as { write(s: string): unknown }) });
}

async function closing<T>(opened: OpenedKnowledgeBase, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } finally {
    await opened.backend.close();
    await opened.embedder.dispose?.();
  }
}

export const versionCommands: Record<string, CommandSpec> = {
  diff: {
    options: { unchanged: { type: 'boolean', default: false } },
    async run(ctx) {
      const [from, to, ...rest] = ctx.positionals;
      if (!from || !to) throw new UsageError('missing <fromDocId> <toDocId> (the older version first)');
      if (rest.length > 0) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
      const opened = await open(ctx);
      return closing(opened, async () => {
        const diff = await compareVersions(opened.service.store, from, to);
        if (ctx.values.json) printJson(ctx.io, { from, to, rows: diff.rows, fromDocument: diff.from, toDocument: diff.to, summary: diff.summary });
        else print(ctx.io, diffMarkdown(diff, { unchanged: ctx.values.unchanged === true }));
        return 0;
      });
    },
  },
  validity: {
    options: { check: { type: 'string' }, show: { type: 'string' } },
    async run(ctx) {
      const file = stringOption(ctx, 'check');
      if (!file) throw new UsageError('missing --check FILE (a TSV of file, name, level, publish, valid_from, expired)');
      if (ctx.positionals.length > 0) throw new UsageError(`unexpected arguments: ${ctx.positionals.join(' ')}`);
      const showRaw = stringOption(ctx, 'show');
      const show = showRaw === undefined ? 20 : Number(showRaw);
      if (!Number.isInteger(show) || show < 0) throw new UsageError(`--show must be a whole number; got "${showRaw}"`);
      let text: string;
      try {
        text = await readFile(path.resolve(ctx.io.cwd, file), 'utf8');
      } catch (error) {
        throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
      }
      const rows = parseStatusTsv(text, file);
      const opened = await open(ctx);
      return closing(opened, async () => {
        const today = ctx.config.today ?? isoToday();
        // A row names the file the text was saved as: the document's source, or the original it was added from.
        const judged = new Map<string, { docId: string; validity: Validity }>();
        for (const d of await opened.service.store.documents.list()) {
          const entry = { docId: d.meta.docId, validity: judgeValidity(d.meta, today) };
          judged.set(path.basename(d.source), entry);
          if (d.meta.originalName) judged.set(d.meta.originalName, entry);
        }
        const report = validityAgreement(rows, judged);
        if (ctx.values.json) printJson(ctx.io, { today, ...report });
        else print(ctx.io, `judged on ${today}\n${formatAgreement(report, show)}`);
        return 0;
      });
    },
  },
};
