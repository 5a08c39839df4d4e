/**
 * MCP tool `get_passage`: passages by id as HTTP presents them (page, validity…), capped at
 * PASSAGE_CAP characters with `offset` to continue, plus neighbours and resolved references.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { passageText, type KnowledgeIndex } from '../../../src/retrieval/knowledge-index.js';
import { presentPassage, type PassageView } from '../../../src/retrieval/presenter.js';
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
function capped(kb: KnowledgeIndex, pos: number, from: number, today: string): CappedPassage {
  const p = kb.passages[pos] as (typeof kb.passages)[number];
  const length = passageText(kb, p).length;
  const at = Math.min(from, length);
  const end = Math.min(at + PASSAGE_CAP, length);
  // Presented as the slice itself, so text === body.slice(start, end) and the page is the slice's page.
  const view = presentPassage(kb, { ...p, start: p.start + at, end: p.start + end }, today);
  const truncated = end < length;
  const prev = kb.passages[pos - 1];
  const next = kb.passages[pos + 1];
  return {
    ...view,
    truncated,
    ...(truncated ? { nextOffset: end } : {}),
    previousId: prev && prev.docId === p.docId ? prev.passageId : null,
    nextId: next && next.docId === p.docId ? next.passageId : null,
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
        passage_ids: z.array(z.string()).min(1).max(10).describe('1–10 passage ids from search results'),
        neighbors: z.number().int().min(0).max(3).optional().describe('Also return this many passages before and after each (0–3, default 0)'),
        offset: z.number().int().min(0).optional().describe('Continue a capped text from this character offset'),
      },
      outputSchema: { passages: z.array(passageSchema.extend({ neighbors: z.array(passageSchema) })) },
      annotations: { title: 'Read passages', ...READ_ONLY },
    },
    async ({ passage_ids, neighbors = 0, offset = 0 }) =>
      guarded(ctx, 'get_passage', async () => {
        const { kb } = ctx.service();
        const unknown = passage_ids.filter((id) => !kb.byId.has(id));
        if (unknown.length > 0) return fail(`unknown passage id(s): ${unknown.join(', ')}; use ids returned by search or get_outline`);
        const today = ctx.today();
        const passages = passage_ids.map((id) => {
          const pos = kb.byId.get(id) as number;
          const p = kb.passages[pos] as (typeof kb.passages)[number];
          const around: CappedPassage[] = [];
          for (let d = -neighbors; d <= neighbors; d += 1) {
            if (d !== 0 && kb.passages[pos + d]?.docId === p.docId) around.push(capped(kb, pos + d, 0, today));
          }
          const references = resolveReferences(kb, p.docId, p.start, p.end).map((r) => ({ text: r.text, start: r.start, end: r.end, targetPassageId: r.target.passageId, targetLabel: r.target.label, targetPath: r.target.path, targetText: r.target.text }));
          return { ...capped(kb, pos, offset, today), references, neighbors: around };
        });
        const text = passages.map((p) => `[${p.passageId}] ${spanLine(p)}\n${p.breadcrumb}（${p.start}–${p.end}）\n${p.text}${p.truncated ? `\n…（未完，offset=${p.nextOffset} 继续）` : ''}`).join('\n\n');
        return okView({ passages }, text);
      }),
  );
}
