/**
 * The section tree as clients see it: labels, titles, offsets and the passages that cite each node.
 */
import type { SectionNode } from '../corpus/parser.js';
import type { Chunk } from './chunker.js';

export interface OutlineNode {
  id: string;
  kind: string;
  label: string;
  number: number;
  title: string;
  path: string[];
  start: number;
  end: number;
  /** Passages whose text overlaps this node's range. */
  passageIds: string[];
  children: OutlineNode[];
}

export function buildOutline(root: SectionNode, chunks: readonly Pick<Chunk, 'passageId' | 'start' | 'end'>[]): OutlineNode {
  const convert = (node: SectionNode): OutlineNode => ({
    id: node.id,
    kind: node.kind,
    label: node.label,
    number: node.number,
    title: node.title,
    path: node.path,
    start: node.start,
    end: node.end,
    passageIds: chunks.filter((c) => c.start < node.end && c.end > node.start).map((c) => c.passageId),
    children: node.children.map(convert),
  });
  return convert(root);
}

/** Number of sections (the root excluded). */
export function countSections(root: SectionNode): number {
  let n = 0;
  const walk = (node: SectionNode): void => {
    node.children.forEach((c) => {
      n += 1;
      walk(c);
    });
  };
  walk(root);
  return n;
}
