/**
 * What an ingest did, whichever backend it wrote to: `syncStore` (sync.ts, the generic ingest) returns it.
 * A leaf module, so the library, the ingest and the sync step all name it without importing each other.
 */
export interface IngestSummary {
  upToDate: boolean;
  /** Why everything was rebuilt, when it was. */
  rebuildReason?: string;
  documents: number;
  passages: number;
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: string[];
  /** Documents whose file failed to parse and whose previous version was kept. */
  kept: string[];
  fileErrors: string[];
  embedded: number;
  /** Threads that embedded and analyzed: 1 is this one; more are worker threads. */
  workers: number;
  seconds: number;
  embedSeconds: number;
  chunksPerSecond: number;
  version?: string;
}
