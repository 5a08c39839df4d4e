/** What every CLI command receives, and the output helpers they share. */
import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../../src/config/index.js';
import { loadCorpus, type LoadedDocument } from '../../src/pipeline/library/corpus.js';
import { isSearchK, SEARCH_K_RULE } from '../../src/retrieval/search-limits.js';
import { controlCharProblem } from '../../src/shared/control-chars.js';
import { createLogger, type Logger } from '../../src/shared/logger.js';
import type { CliIo } from './io.js';
import { UsageError } from './io.js';

export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface CommandContext {
  io: CliIo;
  config: Config;
  positionals: string[];
  values: Values;
}

export interface CommandSpec {
  options: NonNullable<ParseArgsConfig['options']>;
  run(ctx: CommandContext): Promise<number>;
}

export const COMMON_OPTIONS = {
  corpus: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export function print(io: CliIo, text: string): void {
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Loads the corpus, reporting bad files on stderr (they are skipped, not fatal). */
export async function loadCorpusReporting(ctx: CommandContext): Promise<LoadedDocument[]> {
  const { documents, errors } = await loadCorpus(ctx.config.corpusDir, { maxChars: ctx.config.chunkMaxChars, minChars: ctx.config.chunkMinChars });
  for (const error of errors) ctx.io.stderr.write(`warning: skipped ${error.message}\n`);
  return documents;
}


export function loggerFor(ctx: CommandContext): Logger {
  return createLogger(ctx.io.stderr, ctx.config.logLevel);
}

export function requireOne(ctx: CommandContext, what: string): string {
  const [value, ...rest] = ctx.positionals;
  if (value === undefined || value.trim() === '') throw new UsageError(`missing ${what}`);
  if (rest.length > 0) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
  return value;
}

/** `what` is an id or a filter: plain text, without control characters. */
export function plainArgument(what: string, value: string): string {
  const problem = controlCharProblem(value);
  if (problem) throw new UsageError(`${what} ${problem}; ids and filters are plain text: remove it`);
  return value;
}

/** The one positional id a command takes (`kb show <docId>`), checked as plain text. */
export function requireId(ctx: CommandContext, what: string): string {
  return plainArgument(what, requireOne(ctx, what));
}

export function requireNone(ctx: CommandContext): void {
  if (ctx.positionals.length > 0) throw new UsageError(`unexpected arguments: ${ctx.positionals.join(' ')}`);
}

export function stringOption(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** `--k`: a result count from 1 to MAX_SEARCH_K (search-limits.ts), `fallback` when absent. */
export function kOption(ctx: CommandContext, fallback: number): number {
  const raw = stringOption(ctx, 'k');
  if (raw === undefined) return fallback;
  const k = Number(raw);
  if (!isSearchK(k)) throw new UsageError(`--k ${SEARCH_K_RULE}; got "${raw}"`);
  return k;
}
