/** The PostgreSQL store's passages (kb_passages), by id or by document in reading order. */
import type { PassageStore, StoredPassage } from '../types.js';
import type { Queryable } from './queryable.js';
import { PASSAGE_COLUMNS, toPassage, type PassageRow } from './rows.js';

export function createPassageStore(db: Queryable): PassageStore {
  return {
    async get(passageIds: readonly string[]): Promise<StoredPassage[]> {
      if (passageIds.length === 0) return [];
      const rows = (await db.query<PassageRow>(`SELECT ${PASSAGE_COLUMNS} FROM kb_passages WHERE passage_id = ANY($1::text[])`, [[...new Set(passageIds)]])).rows;
      const byId = new Map(rows.map((r) => [r.passage_id, toPassage(r)]));
      return passageIds.map((id) => byId.get(id)).filter((p): p is StoredPassage => p !== undefined);
    },
    async ofDocument(docId: string): Promise<StoredPassage[]> {
      const rows = (await db.query<PassageRow>(`SELECT ${PASSAGE_COLUMNS} FROM kb_passages WHERE doc_id = $1 ORDER BY ord`, [docId])).rows;
      return rows.map(toPassage);
    },
  };
}
