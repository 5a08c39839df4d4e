/**
 * No import cycle in src/ (issue 24), type-only imports included: a cycle of types today is a cycle of
 * values tomorrow, and it hides which module is the lower one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const IMPORT_RE = /^(?:import|export)\b[^'"]*?\bfrom\s+'(\.[^']+)'/gmu;

/** Every .ts file under a folder, with the relative modules it imports or re-exports. */
function importGraph(root: string): Map<string, string[]> {
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => path.join(root, f));
  const known = new Set(files);
  return new Map(
    files.map((file) => {
      const deps = [...readFileSync(file, 'utf8').matchAll(IMPORT_RE)].map((m) => path.resolve(path.dirname(file), (m[1] as string).replace(/\.js$/u, '.ts'))).filter((d) => known.has(d));
      return [file, deps];
    }),
  );
}

/** The strongly connected components with more than one module (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) as number);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(path.relative(ROOT, w));
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('imports in src/', () => {
  it('form no cycle', () => {
    expect(cycles(importGraph(path.join(ROOT, 'src')))).toEqual([]);
  });

  it('are read by the check (a planted cycle is found)', () => {
    const a = path.join(ROOT, 'a.ts');
    const b = path.join(ROOT, 'b.ts');
    expect(cycles(new Map([[a, [b]], [b, [a]]]))).toEqual([['a.ts', 'b.ts']]);
  });
});
