/**
 * Storage seams: what search, answers and every transport read, and what ingest writes, whatever
 * holds the data (the embedded snapshot or PostgreSQL). Four parts, composed the way Orama composes
 * its components: documents, passages, a lexical (BM25) index and a vector index. Everything is
 * keyed by docId and passageId (never by array position), async, and filtered by data
 * (`DocumentFilter`, `PassageFilter`), not by JavaScript predicates, so a database can run the filter.
 */
import type { SectionNode } from '../corpus/parser.js';
import type { ValidMeta } from '../corpus/document.js';
import type { Logger } from '../shared/logger.js';
import type { ProgressFactory } from '../shared/progress.js';
import type { PassageFields } from './passage-fields.js';

/** A document as stored: metadata, the body every offset indexes, its hash and its section tree. */
export interface StoredDocument {
  meta: ValidMeta;
  body: string;
  contentHash: string;
  /** Corpus file it was read from (relative path), or another origin name. */
  source: string;
  tree: SectionNode;
}

/** A document's metadata without its body: what listings and filters read. */
export interface DocumentSummary {
  meta: ValidMeta;
  contentHash: string;
  source: string;
  /** Passages indexed for it. */
  passages: number;
  /** Length of its body in characters. */
  chars: number;
}

export type { PassageFields };

/** A passage with its verbatim text. */
export interface StoredPassage extends PassageFields {
  text: string;
}

/**
 * Which documents a request reads, as data. All set fields must hold. `validOn` keeps documents in
 * force on that day and those whose validity is unknown (they carry `validity.status: 'unknown'`).
 */
export interface DocumentFilter {
  docIds?: readonly string[];
  /** Substring of the issuer. */
  issuer?: string;
  /** ISO dates; the document's dateIssued (else listingDate) must fall inside. */
  dateFrom?: string;
  dateTo?: string;
  validOn?: string;
}

/** Which passages a lexical or vector search may return: those of these documents (all when unset). */
export interface PassageFilter {
  docIds?: readonly string[];
}

export interface ScoredPassage {
  passageId: string;
  score: number;
}

export interface DocumentStore {
  /** Every document's summary, ordered by docId. */
  list(): Promise<DocumentSummary[]>;
  get(docId: string): Promise<StoredDocument | undefined>;
  /** The documents with these ids that exist (missing ids are left out). */
  getMany(docIds: readonly string[]): Promise<Map<string, StoredDocument>>;
  /** The docIds a filter keeps, sorted. Unknown ids in `filter.docIds` are left out (the caller checks them). */
  select(filter: DocumentFilter): Promise<string[]>;
  /** Which of these texts occur verbatim in the body of at least one of the documents (all when `docIds` is unset). */
  containing(texts: readonly string[], docIds?: readonly string[]): Promise<Set<string>>;
}

export interface PassageStore {
  /** The passages with these ids that exist, in the order asked. */
  get(passageIds: readonly string[]): Promise<StoredPassage[]>;
  /** A document's passages in reading order (empty for an unknown document). */
  ofDocument(docId: string): Promise<StoredPassage[]>;
}

export interface LexicalSearchOptions {
  /** Weight of each term (query expansions weigh less than the question's own words); default 1. */
  weights?: ReadonlyMap<string, number>;
  filter?: PassageFilter;
}

/** What the answer layer needs to know about the question's words: how rare they are, and where. */
export interface TermStats {
  /** Passages in the whole index. */
  passages: number;
  /** Per term the index holds: its BM25 idf and the passages (in the filter) that contain it. */
  terms: Map<string, { idf: number; passageIds: string[] }>;
  /** Passages the filter keeps (= `passages` with no filter). */
  scoped: number;
}

export interface LexicalIndex {
  /** BM25 over pre-analyzed terms (the jieba analysis of src/lexical/analyzer.ts), best first. */
  search(terms: readonly string[], k: number, options?: LexicalSearchOptions): Promise<ScoredPassage[]>;
  stats(terms: readonly string[], filter?: PassageFilter): Promise<TermStats>;
  /** The BM25 idf of each term the index holds (a cheap `stats` without postings). */
  idf(terms: readonly string[]): Promise<Map<string, number>>;
  /** Every term the index holds (word-vector expansion reads it once per snapshot). */
  vocabulary(): Promise<string[]>;
}

export interface VectorIndex {
  /** Nearest passages by cosine similarity (score = 1 − distance), filtered inside the search. */
  search(vector: Float32Array, k: number, filter?: PassageFilter): Promise<ScoredPassage[]>;
}

export interface StoreInfo {
  /** `file` (the embedded snapshot) or `postgres`. */
  backend: 'file' | 'postgres';
  /** Changes whenever a write lands: the snapshot folder, or the database's change counter. */
  version: string;
  modelId: string;
  dimension: number;
  createdAt: string;
  documents: number;
  passages: number;
}

/** One consistent view of the knowledge base: every read of a request goes through it. */
export interface KnowledgeStore {
  readonly info: StoreInfo;
  readonly documents: DocumentStore;
  readonly passages: PassageStore;
  readonly lexical: LexicalIndex;
  readonly vectors: VectorIndex;
  /** The read model for composing one answer. */
  evidence(request: EvidenceRequest): Promise<EvidenceView>;
}

/** A document's new content, ready to write: passages with their BM25 terms and vectors. */
export interface DocumentWrite {
  document: StoredDocument;
  /** Each passage with its BM25 terms (as analyzed, repeats counted, or already counted) and its vector. */
  passages: { passage: PassageFields; terms: readonly string[] | ReadonlyMap<string, number>; vector: Float32Array }[];
}

/** What ingest asks a backend to change, in one batch: readers see all of it or none of it. */
export interface WritePlan {
  put: DocumentWrite[];
  remove: string[];
}

/** The write side of a backend (ingest's *apply* step). */
export interface StoreWriter {
  /** Content hash, source and passage count of every stored document: what ingest's *plan* compares the corpus with. */
  hashes(): Promise<Map<string, { hash: string; source: string; passages: number }>>;
  /** The stored version (undefined before the first write). */
  version(): Promise<string | undefined>;
  /**
   * Vectors already stored for these passages, for those stored with the same breadcrumb (what is
   * embedded is breadcrumb + text, and the id covers only the text and its labels): unchanged
   * passages of a changed document are not embedded again.
   */
  vectorsOf(passages: readonly { passageId: string; breadcrumb: string }[]): Promise<Map<string, Float32Array>>;
  apply(plan: WritePlan): Promise<{ version: string }>;
  /**
   * Starts a streaming write (ingest's *apply* step for a large change): documents arrive batch by
   * batch in ascending docId order and are consumed as they come, so the writer need not hold them
   * all. Readers see nothing of it before `commit`. A backend without it is written through `apply`,
   * one batch per `put` (`beginWrite`).
   */
  begin?(plan: SessionPlan): Promise<WriteSession>;
}

/** The single-writer lock of a backend (the embedded snapshot's lock file, PostgreSQL's lease). */
export interface WriteLock {
  release(): Promise<void>;
}

/** How to take the lock: wait up to `waitMs` (default 0) for another holder; `owner` names this one in `write_locked`. */
export interface LockOptions {
  waitMs?: number;
  owner?: string;
}

/** What ingest asks of a backend's writer. */
export interface IngestWriteOptions {
  /** Write every document afresh (`--rebuild`). */
  rebuild?: boolean;
  logger?: Logger;
  progress?: ProgressFactory;
  /** Called after the new version is written, before it goes live (tests). */
  beforeSwitch?: () => Promise<void>;
}

/** A backend's writer, prepared for one ingest (`StorageBackend.writer`). */
export interface IngestWrite {
  writer: StoreWriter;
  /** The plan must put every document (the writer itself would keep what is stored). */
  rewriteAll: boolean;
  /** Why every document is written again (no index, another build or settings, `--rebuild`), when it is. */
  rebuildReason?: string;
  /** Documents read, embedded and written together, when the backend prefers a size of its own. */
  documentsPerApply?: number;
  /** Called once the sync is over (`upToDate`: nothing was written). */
  finish(result: { upToDate: boolean }): Promise<void>;
}

/**
 * Where the index lives, as ingest, the library and the transports see it: opening the current
 * version, watching for versions other writers made, the single-writer lock, the writer ingest
 * applies its plan through, and the stored passage counts. One implementation per backend:
 * `storage/file/backend.ts` (the embedded snapshot in INDEX_DIR) and `storage/postgres/backend.ts`.
 */
export interface StorageBackend {
  readonly kind: 'file' | 'postgres';
  /** The current version's read view; INDEX_MISSING when nothing was ingested yet. */
  open(): Promise<KnowledgeStore>;
  /** The current version (cheap), undefined before the first ingest. */
  version(): Promise<string | undefined>;
  /** Calls `onChange` when the stored version may have changed (another process wrote). Returns a stop function. */
  watch(onChange: () => void, intervalMs?: number): () => void;
  /** The single-writer lock: one ingest, `kb add` or upload at a time, across processes. */
  lock(options: LockOptions): Promise<WriteLock>;
  /** The writer for one ingest (call with the lock held); src/pipeline's ingest plans and embeds, then applies through it. */
  writer(options?: IngestWriteOptions): Promise<IngestWrite>;
  /** Passages stored per document. */
  passageCounts(): Promise<Map<string, number>>;
  /** The content hash stored for each document (what ingest compares the corpus files with). */
  indexedHashes(): Promise<Map<string, string>>;
  /**
   * Merges what writes added into one build again, when MERGE_POLICY says it is `when` (the embedded
   * snapshot's delta segments, storage/file/index-compaction.ts; a database has nothing to merge).
   * `locked`: the caller holds the write lock (it is not taken again, and a merge already running
   * is not awaited). Returns the new live version, or undefined when nothing was merged.
   */
  compact?(options: { when: 'due' | 'overdue'; locked?: boolean; logger?: Logger }): Promise<string | undefined>;
  close(): Promise<void>;
}

/** What to do when an index cannot serve this build: the command that rebuilds it (both backends). */
export const REBUILD_HINT = 'run `npm run -s kb -- ingest --rebuild`';

/** What a write session will change, known before its documents are read. */
export interface SessionPlan {
  /** Documents removed. */
  remove: readonly string[];
  /** Documents that will be `put`, ascending (their content comes later). */
  put: readonly string[];
  /** About how many passages they hold (an estimate, for sizing buffers). */
  passages?: number;
}

/** A write in progress (`StoreWriter.begin`). */
export interface WriteSession {
  /** Documents (ascending docId, after those of the previous `put`), whole: passages, terms and vectors. */
  put(batch: readonly DocumentWrite[]): Promise<void>;
  /**
   * Planned documents that will not be put after all (their file changed while ingest read it): a
   * stored one keeps its stored version, a new one stays out. Each id comes after every document
   * put before it (the ids of one batch may be skipped before the batch is put).
   */
  skip(docIds: readonly string[]): Promise<void>;
  /** Makes everything put (and the plan's removals) visible to readers; returns the new version. */
  commit(): Promise<{ version: string }>;
  /** Drops what was written since `begin` (what earlier `put`s already committed, a backend that commits per batch keeps). */
  abort(): Promise<void>;
}

/**
 * A write session on any writer: its own `begin`, or `apply` once per `put` (the removals with the
 * first, one empty `apply` when nothing was put), each batch one transaction (PostgreSQL).
 */
export async function beginWrite(writer: StoreWriter, plan: SessionPlan): Promise<WriteSession> {
  if (writer.begin) return writer.begin(plan);
  let removals = [...plan.remove];
  let version: string | undefined;
  return {
    async put(batch) {
      ({ version } = await writer.apply({ put: [...batch], remove: removals }));
      removals = [];
    },
    // A document never put keeps what is stored of it.
    async skip() {},
    async commit() {
      if (version === undefined || removals.length > 0) ({ version } = await writer.apply({ put: [], remove: removals }));
      return { version };
    },
    async abort() {},
  };
}

/** What the answer layer reads about the question's words (a `Bm25Index` is one). Passages are numbered as in `EvidenceView.passages`. */
export interface TermView {
  /** Passages in the whole index (BM25's N). */
  readonly size: number;
  has(term: string): boolean;
  idf(term: string): number;
  terms(): string[];
  passagesWith(term: string): number[];
  /** The same passages, ascending, as a view (no copy): for an index that holds them so. */
  postings?(term: string): ArrayLike<number>;
}

/**
 * The read model an answer is composed from: loaded for one request (the documents and passages it
 * reads, the statistics of its words), so that composing stays synchronous and pure. The embedded
 * store's snapshot is one as it is; a database store loads one per request (`KnowledgeStore.evidence`).
 */
export interface EvidenceView {
  /** Documents the request reads (its hits' and, when it has one, its scope's). */
  documents: ReadonlyMap<string, StoredDocument>;
  /** Passages the view holds; `bm25.passagesWith` and `byId` give positions in this list. */
  passages: readonly PassageFields[];
  byId: ReadonlyMap<string, number>;
  bm25: TermView;
  /**
   * Set when the view was loaded for one request's scope (a database store): the number of passages
   * in that scope. Its term postings then hold only passages in scope, and `passages` only those
   * the request reads (positions past its end are postings). Unset when the view is the whole index.
   */
  scopedPassages?: number;
  /** Whether a phrase occurs in a document in scope, when the view does not hold every such document's body. */
  hasPhrase?: (phrase: string) => boolean;
}

/** What to load into an evidence view. */
export interface EvidenceRequest {
  /** Documents the question is restricted to (empty: all). */
  scope: readonly string[];
  /** Documents and passages the hits name. */
  docIds: readonly string[];
  passageIds: readonly string[];
  /** The question's words, expansions and adjacent pairs: their statistics in scope. */
  terms: readonly string[];
  /** Phrases (two adjacent words of the question) to look up in the scope's document bodies. */
  phrases?: readonly string[];
  /** Single characters whose two-character words the answer may read as them (补 → 补贴). */
  prefixes?: readonly string[];
  /** Also load these documents' passages (web-address lookups, references). */
  withPassages?: readonly string[];
}
