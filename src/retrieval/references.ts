/**
 * Cross-references inside a clause ("依照本办法第十条", "享受本办法第六条优惠政策", "本条第（二）项")
 * resolved to the clause they point at, in the same document. Pure given the index.
 */
import type { SectionKind, SectionNode } from '../corpus/parser.js';
import { ORDINAL_NUMBER_SOURCE, parseNumeral } from '../shared/numerals.js';
import type { PassageFields, StoredDocument } from '../storage/types.js';

export interface ClauseReference {
  /** The reference as written ("本办法第十条"), with its offsets in the document body. */
  text: string;
  start: number;
  end: number;
  /** The clause it points at. */
  target: {
    label: string;
    path: string[];
    start: number;
    end: number;
    /** The passage that holds the clause's start (open it with get_passage / GET /api/passages/:id). */
    passageId: string;
    /** The clause's text, capped at 400 characters. */
    text: string;
  };
}

const NUM = ORDINAL_NUMBER_SOURCE;
// 本办法第十条 / 依照第十条 / 本条第（二）项 / 第十条第二款 / 第（三）项. Bounded repeats: safe on any input.
const REFERENCE_RE = new RegExp(
  `(本(?:办法|规定|细则|规划|方案|计划|意见|条例|通知|条|款)?)?第(${NUM})条(?:第(${NUM})款)?(?:第[（(](${NUM})[）)]项)?|(本条|本款)?第[（(](${NUM})[）)]项|(本条|本款)第(${NUM})款`,
  'gu',
);

const TARGET_CAP = 400;

/** The deepest node of `kind` (any when undefined) that contains [start, end). */
function enclosing(tree: SectionNode, start: number, kinds: readonly SectionKind[]): SectionNode | undefined {
  let found: SectionNode | undefined;
  const walk = (node: SectionNode): void => {
    for (const child of node.children) {
      if (child.start <= start && start < child.end) {
        if (kinds.includes(child.kind)) found = child;
        walk(child);
      }
    }
  };
  walk(tree);
  return found;
}

function findChild(node: SectionNode, kinds: readonly SectionKind[], number: number): SectionNode | undefined {
  const stack = [...node.children];
  while (stack.length > 0) {
    const n = stack.shift() as SectionNode;
    if (kinds.includes(n.kind) && n.number === number) return n;
    stack.push(...n.children);
  }
  return undefined;
}

/** The references in body[start, end) of a document, each resolved (unresolvable ones are left out). */
export function resolveReferences(doc: Pick<StoredDocument, 'body' | 'tree'>, passages: readonly Pick<PassageFields, 'passageId' | 'start' | 'end'>[], start: number, end: number): ClauseReference[] {
  const text = doc.body.slice(start, end);
  const out: ClauseReference[] = [];
  for (const m of text.matchAll(REFERENCE_RE)) {
    const at = start + (m.index ?? 0);
    let target: SectionNode | undefined;
    if (m[2] !== undefined) {
      const article = parseNumeral(m[2]);
      if (article === undefined) continue;
      target = findChild(doc.tree, ['article'], article);
      // The heading of the article itself ("第十条 对…") is not a reference.
      if (target && target.start === at) continue;
      const clause = m[3] !== undefined ? parseNumeral(m[3]) : undefined;
      if (target && clause !== undefined) target = findChild(target, ['clause'], clause) ?? target;
      const item = m[4] !== undefined ? parseNumeral(m[4]) : undefined;
      if (target && item !== undefined) target = findChild(target, ['item-cn-paren', 'item-num-paren'], item) ?? target;
    } else if (m[6] !== undefined) {
      const item = parseNumeral(m[6]);
      const within = enclosing(doc.tree, at, m[5] === '本款' ? ['clause'] : ['article', 'clause']) ?? enclosing(doc.tree, at, ['item-cn', 'item-num', 'box']);
      if (item === undefined || !within) continue;
      target = findChild(within, ['item-cn-paren', 'item-num-paren'], item);
    } else if (m[8] !== undefined) {
      const clause = parseNumeral(m[8]);
      const article = enclosing(doc.tree, at, ['article']);
      if (clause === undefined || !article) continue;
      target = findChild(article, ['clause'], clause);
    }
    if (!target) continue;
    const holder = passages.find((p) => p.start <= target.start && target.start < p.end);
    if (!holder) continue;
    out.push({
      text: m[0],
      start: at,
      end: at + m[0].length,
      target: { label: target.label, path: target.path, start: target.start, end: target.end, passageId: holder.passageId, text: doc.body.slice(target.start, Math.min(target.end, target.start + TARGET_CAP)) },
    });
  }
  return out;
}
