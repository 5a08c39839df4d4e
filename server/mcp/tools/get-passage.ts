/**
 * MCP tool `get_passage`: passages by id as HTTP presents them (page, validity…), capped at
 * PASSAGE_CAP characters with `offset` to continue, plus neighbours and resolved references.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { plainText } from '../../../src/shared/control-chars.js';
import type { StoredPassage } from '../../../src/storage/types.js';
import { presentPassage, type DocumentLookup, type PassageView } from '../../../src/retrieval/presenter.js';
import { resolveReferences } from '../../../src/retrieval/references.js';
import { fail, guarded, okView, passageSchema, passageUri, READ_ONLY, spanLine, type ToolContext } from '../context.js';

const PASSAGE_CAP = 4000;

interface CappedPassage extends PassageView {
  truncated: boolean;
  nextOffset?: number;
  previousId: string | null;
  nextId: string | null;
  uri: string;
}

/**
 * The passage at `pos`, from character `from` of its text, at most PASSAGE_CAP characters. Past the
 * end reads nothing, at the passage's end: start/end stay inside the passage and the document.
 */
function capped(docs: DocumentLookup, siblings: readonly StoredPassage[], pos: number, from: number, today: string): CappedPassage {
  const p = siblings[pos] as StoredPassage;
  const length = p.text.length;
  const at = Math.min(from, length);
  const end = Math.min(at + PASSAGE_CAP, length);
  // Presented as the slice itself, so text === body.slice(start, end) and the page is the slice's page.
  const view = presentPassage(docs, { ...p, start: p.start + at, end: p.start + end, text: p.text.slice(at, end) }, today);
  const truncated = end < length;
  const prev = siblings[pos - 1];
  const next = siblings[pos + 1];
  return {
    ...view,
    truncated,
    ...(truncated ? { nextOffset: end } : {}),
    previousId: prev ? prev.passageId : null,
    nextId: next ? next.passageId : null,
    uri: passageUri(p.passageId),
  };
}

export function registerGetPassage(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'get_passage',
    {
      title: 'Read passages',
      description: 'Full text of passages by id, with citation fields (start/end offsets into the document body, page, validity and the verbatim text), previous/next ids and optional neighbouring passages. Long texts are capped; pass offset to continue.',
      inputSchema: {
        passage_ids: z.array(plainText(z.string())).min(1).max(10).describe('1–10 passage ids from search results'),
        neighbors: z.number().int().min(0).max(3).optional().describe('Also return this many passages before and after each (0–3, default 0)'),
        offset: z.number().int().min(0).optional().describe('Continue a capped text from this character offset'),
      },
      outputSchema: { passages: z.array(passageSchema.extend({ neighbors: z.array(passageSchema) })) },
      annotations: { title: 'Read passages', ...READ_ONLY },
    },
    async ({ passage_ids, neighbors = 0, offset = 0 }) =>
      guarded(ctx, 'get_passage', async () => {
        const svc = ctx.service();
        const found = await svc.store.passages.get(passage_ids);
        const knownIds = new Set(found.map((p) => p.passageId));
        const unknown = passage_ids.filter((id) => !knownIds.has(id));
        if (unknown.length > 0) return fail(`unknown passage id(s): ${unknown.join(', ')}; use ids returned by search or get_outline`);
        const today = ctx.today();
        const docIds = [...new Set(found.map((p) => p.docId))];
        const [docs, siblingLists] = await Promise.all([svc.store.documents.getMany(docIds), Promise.all(docIds.map((d) => svc.store.passages.ofDocument(d)))]);
        const siblingsOf = new Map(docIds.map((d, i) => [d, siblingLists[i] as StoredPassage[]] as const));
        const passages = found.map((hit) => {
          const siblings = siblingsOf.get(hit.docId) ?? [hit];
          const pos = Math.max(0, siblings.findIndex((q) => q.passageId === hit.passageId));
          const p = siblings[pos] as StoredPassage;
          const around: CappedPassage[] = [];
          for (let d = -neighbors; d <= neighbors; d += 1) {
            if (d !== 0 && siblings[pos + d]) around.push(capped(docs, siblings, pos + d, 0, today));
          }
          const doc = docs.get(p.docId);
          const references = (doc ? resolveReferences(doc, siblings, p.start, p.end) : []).map((r) => ({ text: r.text, start: r.start, end: r.end, targetPassageId: r.target.passageId, targetLabel: r.target.label, targetPath: r.target.path, targetText: r.target.text }));
          return { ...capped(docs, siblings, pos, offset, today), references, neighbors: around };
        });
        const text = passages.map((p) => `[${p.passageId}] ${spanLine(p)}\n${p.breadcrumb}（${p.start}–${p.end}）\n${p.text}${p.truncated ? `\n…（未完，offset=${p.nextOffset} 继续）` : ''}`).join('\n\n');
        return okView({ passages }, text);
      }),
  );
}
