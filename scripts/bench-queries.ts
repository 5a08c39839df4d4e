/**
 * Queries a benchmark has never sent before: what a server meets when users ask new questions.
 *
 * A pool hands out each query once. It starts with the dev questions (../shared/eval/dev.jsonl and
 * dev2.jsonl, else the copy in test/fixtures; never dev3, which is sealed), then draws queries from
 * the corpus's own clauses without end: a random file, a random clause of it, three of its words
 * (in the clause's order, seeded), so every query names things the library holds in a combination
 * nobody asked. Two pools with the same seed over the same corpus hand out the same sequence, so a
 * base and this tree, each in its own process, are asked the same questions.
 *
 *   const pool = await createQueryPool({ corpusDir });
 *   pool.take(100)   // 100 queries this pool never handed out before
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze } from '../src/lexical/analyzer.js';
import { seededRandom } from './bench-support.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The question sets a pool starts with: dev and dev2 where ../shared has them, else the fixture copy of dev. */
export function devQuestionFiles(root = ROOT): string[] {
  const shared = ['dev.jsonl', 'dev2.jsonl'].map((f) => path.resolve(root, '../shared/eval', f)).filter((f) => existsSync(f));
  return shared.length > 0 ? shared : [path.join(root, 'test/fixtures/dev.jsonl')];
}

export function readQuestions(files: readonly string[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    // The sealed set is never read, whatever a caller passes.
    if (/dev3/u.test(path.basename(file))) throw new Error(`${file}: dev3 is sealed; benchmarks use dev and dev2`);
    for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim() !== '') out.push((JSON.parse(line) as { question: string }).question);
  }
  return out;
}

export interface QueryPool {
  /** The next query this pool never handed out. */
  next(): string;
  take(n: number): string[];
  /** How many were handed out, dev questions included. */
  readonly used: number;
  /** How many of those were dev questions. */
  readonly devQuestions: number;
  /**
   * Another stream of drawn queries (no dev questions, its own seed) that shares this pool's memory
   * of what was handed out: a warm-up takes from it without changing which queries the measured
   * stream hands out (bar the rare one the warm-up drew first).
   */
  side(): QueryPool;
}

export interface QueryPoolOptions {
  corpusDir: string;
  /** BENCH_QUERY_SEED, default 1. */
  seed?: number;
  /** Question files handed out first (default `devQuestionFiles()`); [] for clause queries only. */
  questionFiles?: readonly string[];
  /** Words per drawn query (default 3). */
  words?: number;
  /** Queries never handed out (another pool's, e.g. the warm-up's). */
  exclude?: Iterable<string>;
}

const CLAUSE_SPLIT = /[。；;！？!?\n]/u;
const WORD = /^\p{Script=Han}{2,8}$/u;
/** Markdown and front matter lines carry no clause text. */
const NOT_TEXT = /^\s*(?:#|---|<!--|[a-zA-Z_]+\s*:)/u;

export async function createQueryPool(options: QueryPoolOptions): Promise<QueryPool> {
  const dev = readQuestions(options.questionFiles ?? devQuestionFiles());
  const files = readdirSync(options.corpusDir)
    .filter((f) => /\.(md|txt)$/u.test(f))
    .sort();
  if (files.length === 0) throw new Error(`${options.corpusDir} holds no .md or .txt documents to draw queries from`);
  const seen = new Set<string>(options.exclude ?? []);
  const clausesOf = new Map<string, string[]>();
  const clauses = (file: string): string[] => {
    let list = clausesOf.get(file);
    if (!list) {
      const text = readFileSync(path.join(options.corpusDir, file), 'utf8')
        .split('\n')
        .filter((l) => !NOT_TEXT.test(l))
        .join('\n');
      list = text.split(CLAUSE_SPLIT).filter((c) => c.trim().length >= 12);
      // A few hundred files' clauses kept: enough for the pool, bounded for a 1M corpus.
      if (clausesOf.size >= 512) clausesOf.delete(clausesOf.keys().next().value as string);
      clausesOf.set(file, list);
    }
    return list;
  };
  const stream = (seed: number, questions: readonly string[]): QueryPool => {
    const rand = seededRandom(seed);
    const words = options.words ?? 3;
    let devAt = 0;
    let used = 0;
    const draw = (): string | undefined => {
      const list = clauses(files[Math.floor(rand() * files.length)] as string);
      if (list.length === 0) return undefined;
      const terms = [...new Set(analyze(list[Math.floor(rand() * list.length)] as string).filter((t) => WORD.test(t)))];
      if (terms.length < words) return undefined;
      // `words` distinct positions, kept in the clause's order.
      const picked = new Set<number>();
      while (picked.size < words) picked.add(Math.floor(rand() * terms.length));
      return [...picked]
        .sort((a, b) => a - b)
        .map((i) => terms[i])
        .join('');
    };
    const next = (): string => {
      while (devAt < questions.length) {
        const q = questions[devAt++] as string;
        if (!seen.has(q)) {
          seen.add(q);
          used += 1;
          return q;
        }
      }
      for (let attempt = 0; attempt < 10_000; attempt += 1) {
        const q = draw();
        if (q !== undefined && !seen.has(q)) {
          seen.add(q);
          used += 1;
          return q;
        }
      }
      throw new Error(`${options.corpusDir}: no new query after 10,000 draws; the corpus is too small for this many distinct queries`);
    };
    let sides = 0;
    return {
      next,
      take: (n) => Array.from({ length: n }, next),
      get used() {
        return used;
      },
      get devQuestions() {
        return Math.min(devAt, questions.length);
      },
      side: () => stream(seed + 7919 * (sides += 1), []),
    };
  };
  return stream(options.seed ?? 1, dev);
}
