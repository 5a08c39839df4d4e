/**
 * The embedded backend (INDEX_STORE=file, the default): one immutable snapshot held in memory
 * (`KnowledgeIndex`: documents, passages, vectors, HNSW and BM25) behind the storage interfaces.
 * Reads resolve at once; a filter by docId becomes the ascending list of its passages' positions,
 * which the BM25 scorer seeks through and the exact dense scan reads (HNSW's graph search asks it
 * per candidate). Writes go through ingest, which builds and switches a new snapshot folder.
 */
import { passageText, type KnowledgeIndex, type PassageRecord } from './knowledge-index.js';
import { documentMatches } from '../filters.js';
import { passageFieldsOf } from '../passage-fields.js';
import type { DocumentFilter, DocumentStore, DocumentSummary, EvidenceView, KnowledgeStore, LexicalIndex, PassageFilter, PassageStore, ScoredPassage, StoredPassage, TermStats, VectorIndex } from '../types.js';

/**
 * A passage as readers see it: its fields (its HNSW label is the snapshot's own business) and its
 * text. Built field by field, in the order the snapshot's records hold them: every search builds
 * about a hundred, and copying by rest and spread cost several times more.
 */
function storedOf(p: PassageRecord, text: string): StoredPassage {
  const out = passageFieldsOf(p) as StoredPassage;
  out.text = text;
  return out;
}

export class FileStore implements KnowledgeStore {
  readonly info: KnowledgeStore['info'];
  readonly documents: DocumentStore;
  readonly passages: PassageStore;
  readonly lexical: LexicalIndex;
  readonly vectors: VectorIndex;
  /** Positions of each document's passages, in reading order. */
  private readonly byDoc = new Map<string, number[]>();
  private summaries: DocumentSummary[] | undefined;
  private readonly allowedCache = new Map<string, Int32Array>();
  private readonly maskCache = new Map<Int32Array, Uint8Array>();
  private maxLabel: number | undefined;
  /** The snapshot itself (evaluation and tests read it; transports go through the interfaces). */
  readonly index: KnowledgeIndex;

  constructor(private readonly kb: KnowledgeIndex) {
    this.index = kb;
    kb.passages.forEach((p, pos) => {
      let list = this.byDoc.get(p.docId);
      if (!list) this.byDoc.set(p.docId, (list = []));
      list.push(pos);
    });
    this.info = {
      backend: 'file',
      version: kb.info.version,
      modelId: kb.info.modelId,
      dimension: kb.info.dimension,
      createdAt: kb.info.createdAt,
      documents: kb.documents.size,
      passages: kb.passages.length,
    };
    this.documents = {
      list: async () => this.list(),
      get: async (docId) => kb.documents.get(docId),
      getMany: async (docIds) => {
        const out = new Map<string, NonNullable<ReturnType<typeof kb.documents.get>>>();
        for (const id of docIds) {
          const doc = kb.documents.get(id);
          if (doc) out.set(id, doc);
        }
        return out;
      },
      containing: async (texts, docIds) => {
        const bodies = (docIds ?? [...kb.documents.keys()]).map((id) => kb.documents.get(id)?.body ?? '');
        return new Set(texts.filter((t) => bodies.some((b) => b.includes(t))));
      },
      select: async (filter: DocumentFilter) =>
        this.list()
          .filter((d) => documentMatches(d.meta, filter))
          .map((d) => d.meta.docId),
    };
    this.passages = {
      get: async (ids) => {
        const out: StoredPassage[] = [];
        for (const id of ids) {
          const pos = kb.byId.get(id);
          if (pos !== undefined) out.push(this.stored(pos));
        }
        return out;
      },
      ofDocument: async (docId) => (this.byDoc.get(docId) ?? []).map((pos) => this.stored(pos)),
    };
    this.lexical = {
      search: async (terms, k, options = {}) => {
        const allowed = this.allowedPositions(options.filter);
        const hits = kb.bm25.search(terms, k, { ...(options.weights ? { weights: options.weights } : {}), ...(allowed ? { allowed } : {}) });
        return hits.map((h) => ({ passageId: (kb.passages[h.index] as PassageRecord).passageId, score: h.score }));
      },
      stats: async (terms, filter) => this.stats(terms, filter),
      idf: async (terms) => new Map([...new Set(terms)].filter((t) => kb.bm25.has(t)).map((t) => [t, kb.bm25.idf(t)] as const)),
      vocabulary: async () => kb.bm25.terms(),
    };
    this.vectors = {
      search: async (vector, k, filter) => {
        const allowed = this.allowedPositions(filter);
        // HNSW asks per candidate: a mask by label answers without a lookup, built on the first ask.
        let mask: Uint8Array | undefined;
        const allowLabel = allowed
          ? (label: number): boolean => {
              mask ??= this.labelMask(allowed);
              return label < mask.length && mask[label] === 1;
            }
          : undefined;
        const labels = allowed ? (): Int32Array => allowed.map((pos) => (kb.passages[pos] as PassageRecord).label) : undefined;
        const out: ScoredPassage[] = [];
        for (const h of kb.dense.search(vector, k, allowLabel, labels)) {
          const pos = kb.byLabel.get(h.label);
          if (pos !== undefined) out.push({ passageId: (kb.passages[pos] as PassageRecord).passageId, score: h.score });
        }
        return out;
      },
    };
  }

  /** The snapshot is the whole read model: nothing to load. */
  async evidence(): Promise<EvidenceView> {
    return this.kb;
  }

  private list(): DocumentSummary[] {
    this.summaries ??= [...this.kb.documents.values()]
      .map((d) => ({ meta: d.meta, contentHash: d.contentHash, source: d.source, passages: this.byDoc.get(d.meta.docId)?.length ?? 0, chars: d.body.length }))
      .sort((a, b) => (a.meta.docId < b.meta.docId ? -1 : a.meta.docId > b.meta.docId ? 1 : 0));
    return this.summaries;
  }

  private stored(pos: number): StoredPassage {
    const p = this.kb.passages[pos] as PassageRecord;
    return storedOf(p, passageText(this.kb, p));
  }

  private allow(filter: PassageFilter | undefined): ((pos: number) => boolean) | undefined {
    if (!filter?.docIds) return undefined;
    const ids = new Set(filter.docIds);
    return (pos) => ids.has((this.kb.passages[pos] as PassageRecord | undefined)?.docId ?? '');
  }

  /** Which labels the positions hold (1 at each), kept for the last few position lists. */
  private labelMask(positions: Int32Array): Uint8Array {
    const hit = this.maskCache.get(positions);
    if (hit) return hit;
    this.maxLabel ??= this.kb.passages.reduce((m, p) => Math.max(m, p.label), -1);
    const mask = new Uint8Array(this.maxLabel + 1);
    for (const pos of positions) mask[(this.kb.passages[pos] as PassageRecord).label] = 1;
    if (this.maskCache.size >= MASK_CACHE) this.maskCache.delete(this.maskCache.keys().next().value as Int32Array);
    this.maskCache.set(positions, mask);
    return mask;
  }

  /**
   * The positions a filter admits, ascending (undefined: no filter), from the documents' passage
   * lists: what the BM25 scorer seeks through and the dense scan reads. The last few are kept
   * (named documents and filters recur).
   */
  private allowedPositions(filter: PassageFilter | undefined): Int32Array | undefined {
    if (!filter?.docIds) return undefined;
    const key = filter.docIds.join('\u0000');
    const hit = this.allowedCache.get(key);
    if (hit) {
      // Most recently used last.
      this.allowedCache.delete(key);
      this.allowedCache.set(key, hit);
      return hit;
    }
    const lists = [...new Set(filter.docIds)].map((id) => this.byDoc.get(id) ?? []);
    const out = new Int32Array(lists.reduce((a, l) => a + l.length, 0));
    let n = 0;
    for (const list of lists) for (const pos of list) out[n++] = pos;
    out.sort();
    if (this.allowedCache.size >= ALLOWED_CACHE) this.allowedCache.delete(this.allowedCache.keys().next().value as string);
    this.allowedCache.set(key, out);
    return out;
  }

  private stats(terms: readonly string[], filter: PassageFilter | undefined): TermStats {
    const allow = this.allow(filter);
    const bm25 = this.kb.bm25;
    const out: TermStats = { passages: bm25.size, terms: new Map(), scoped: 0 };
    if (allow) for (let i = 0; i < bm25.size; i += 1) out.scoped += allow(i) ? 1 : 0;
    else out.scoped = bm25.size;
    for (const term of new Set(terms)) {
      if (!bm25.has(term)) continue;
      const passageIds = bm25
        .passagesWith(term)
        .filter((i) => !allow || allow(i))
        .map((i) => (this.kb.passages[i] as PassageRecord).passageId);
      out.terms.set(term, { idf: bm25.idf(term), passageIds });
    }
    return out;
  }
}

const ALLOWED_CACHE = 64;
/** Label masks are one byte per passage: fewer kept. */
const MASK_CACHE = 8;

export function fileStore(kb: KnowledgeIndex): FileStore {
  return new FileStore(kb);
}
