/**
 * policy-kb as a library: `import { openKnowledgeBase, loadConfig } from 'policy-kb'`.
 *
 * The curated public API. Everything exported here is kept stable across minor versions; modules
 * reached by deep path (`policy-kb/dist/src/...`) are internals and may change without notice.
 * Importing this module starts nothing and reads no environment: the caller passes `process.env`
 * to `loadConfig` and owns every file path.
 */

// Configuration: one zod schema, read once by the caller.
/** Validate settings (env-style names: CORPUS_DIR, INDEX_DIR, MODELS_DIR, EMBEDDING_MODEL…) into a `Config`; throws `KbError` `config_invalid`. */
export { loadConfig, type Config } from './config/index.js';

// Opening the knowledge base and asking it.
/** Open the embedder, the index (ingesting first with `autoIngest`) and the search/answer service for a `Config`. */
export { openKnowledgeBase, libraryDepsFor, type OpenedKnowledgeBase } from './pipeline/compose/open.js';
/** Search and ask over one index snapshot with any `Embedder` (the seam the fake embedder plugs into). */
export { createKnowledgeService, type KnowledgeService, type ServiceTuning } from './retrieval/service.js';
export type { SearchHit, SearchOptions, SearchResponse } from './retrieval/search.js';
export type { Answer, Citation } from './retrieval/answer.js';

// Storage seams: what search, answers and transports read, whatever backend holds the data.
export type {
  DocumentFilter,
  DocumentStore,
  DocumentSummary as StoredDocumentSummary,
  DocumentWrite,
  EvidenceRequest,
  EvidenceView,
  KnowledgeStore,
  LexicalIndex,
  PassageFields,
  PassageFilter,
  PassageStore,
  ScoredPassage,
  StoreInfo,
  StoredDocument,
  StoredPassage,
  StoreWriter,
  TermStats,
  TermView,
  VectorIndex,
  WritePlan,
} from './storage/types.js';
export { documentMatches } from './storage/filters.js';

// Backends: where the index lives, behind one `StorageBackend` interface (open, watch, lock, writer, passage counts).
/** The backend a `Config` names (INDEX_STORE), bound to an embedder. */
export { backendFor } from './pipeline/compose/backend.js';
export type { StorageBackend, WriteLock, LockOptions, IngestWrite } from './storage/types.js';
/** The embedded snapshot in a folder: `fileBackend({ indexDir, modelId, dimension, profile, chunkMaxChars, chunkMinChars, hnsw }).open()` gives a `KnowledgeStore`. */
export { fileBackend, type FileBackend, type FileBackendSettings } from './storage/file/backend.js';
// The PostgreSQL backend (INDEX_STORE=postgres) for programs that manage the database themselves.
export { openPostgresStore, postgresBackend, PostgresRateLimitStore, pgliteQueryable, poolQueryable, type PostgresBackend, type PostgresBackendSettings, type PostgresStore, type PostgresStoreOptions, type Queryable } from './storage/postgres/index.js';

// Building and changing the index.
/** Build or update the index from a corpus folder (incremental by content hash). */
export { ingest, type IngestOptions, type IngestSummary } from './pipeline/ingest/ingest.js';
/** The same into any `StorageBackend` (call with its lock held): `ingestInto(backend, ingestOptionsFor(config, embedder, profile))`. */
export { ingestInto, type IngestSettings } from './pipeline/ingest/ingest.js';
export { ingestOptionsFor } from './pipeline/compose/backend.js';
/** Add (or replace) and remove documents: file bytes in, extracted, stored in the corpus and indexed. */
export { addDocuments, removeDocument, type AddInput, type AddOutcome, type AddReport, type AddFailure, type LibraryChange, type LibraryDeps } from './pipeline/library/library.js';

// Documents: extraction, parsing, chunking, validity.
/** Extract text, pages and metadata hints from PDF, Word (.docx/.doc), WPS, HTML, OFD or plain text bytes. */
export { extractDocument, sniffFormat, type DocumentFormat, type ExtractedPage, type ExtractOptions, type ExtractResult, type MetadataHints } from './extract/index.js';
/** Parse a policy document's body into its section tree (章, 节, 条, 一、, （一）…); pure, text in, tree out. */
export { parsePolicy, type ParseOptions, type SectionKind, type SectionNode } from './corpus/parser.js';
/** Cut a parsed document into passages with breadcrumbs and offsets into the body; pure. */
export { chunkDocument, type Chunk, type ChunkOptions, type DocumentInput } from './chunking/chunker.js';
/** Whether a document is in force on a date, why (in Chinese), and the dates its text states. */
export { judgeValidity, validityNote, inferValidityFromText, type InferredValidity, type Lineage, type Validity, type ValidityEvidence, type ValidityFields, type ValidityStatus } from './corpus/validity.js';
/** A document's promulgation and amendment history as its head states it; pure. */
export { parseHistory, historyHead, versionFacts, type HistoryEntry } from './corpus/history.js';
/** Versions of one instrument and repeals, derived from a catalogue of metadata; pure. */
export { deriveLineage, type LineageInput } from './corpus/lineage.js';
/** 新旧对照: two documents clause by clause, and its 修订说明 table in Markdown; pure. */
export { diffDocuments, diffMarkdown, type DiffRow, type DiffSide, type DiffStatus, type VersionDiff } from './retrieval/diff.js';

// What transports show: one presenter for hits, citations, passages and documents.
export {
  citationLine,
  isoToday,
  presentCitation,
  presentDocument,
  presentHit,
  presentPassage,
  toSnakeCase,
  type CitationLike,
  type CitationView,
  type DocumentSummary,
  type HitView,
  type PassageView,
  type SpanView,
} from './retrieval/presenter.js';

// Embeddings.
/** The interface every embedding model implements (L2-normalized Float32Array vectors). */
export type { Embedder } from './embeddings/embedder.js';
export type { ModelProfile } from './embeddings/profiles.js';
/** A deterministic, dependency-free Embedder (hashed character bigrams) for tests and examples. */
export { createFakeEmbedder, fakeEmbedderProfile, type FakeEmbedderOptions } from './embeddings/fake-embedder.js';

// LangChain.
/** An `Embedder` as a LangChain `Embeddings`. */
export { PolicyKbEmbeddings } from './embeddings/langchain.js';
/** policy-kb's hybrid search as a LangChain `BaseRetriever` (pageContent = verbatim passage, metadata = hit view). */
export { PolicyKbRetriever, type PolicyKbDocumentMetadata, type PolicyKbRetrieverInput } from './retrieval/langchain-retriever.js';

// Errors.
/** Every failure the library raises is a `KbError` whose `code` is one of `ERROR_CODES`. */
export { ERROR_CODES, KbError, isKbError, type ErrorCode } from './shared/errors.js';
export type { Logger } from './shared/logger.js';
