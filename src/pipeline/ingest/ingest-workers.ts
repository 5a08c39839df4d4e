/**
 * A pool of worker threads for ingest (`INGEST_WORKERS`, default: the machine's cores): each one
 * loads the embedding model from the embedder's recipe and turns batches of passage texts into
 * vectors and BM25 term counts. The main thread meanwhile inserts finished vectors into HNSW.
 *
 * Each request carries whole embedding batches of the single-threaded path, so every text is
 * embedded in the same company and comes out as the same floats.
 */
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../../shared/worker-entry.js';
import type { ReplicableEmbedder } from '../../embeddings/transformers-embedder.js';
import { ERROR_CODES, KbError, type ErrorCode } from '../../shared/errors.js';

export interface WorkerRequest {
  id: number;
  /** Texts to embed (as `embedDocuments` would, passage prefix included by the embedder). */
  embed: string[];
  /** Texts to analyze into term counts. */
  analyze: string[];
  /** Texts per `embedDocuments` call. */
  batchSize: number;
}

export type WorkerReply =
  | { ready: true; dimension: number }
  | { ready: false; error: { message: string; code?: string } }
  | { id: number; vectors: Float32Array; terms: (Map<string, number> | string)[] }
  | { id: number; error: { message: string; code?: string } };

export interface WorkerResult {
  /** Row-major, `embed.length × dimension`. */
  vectors: Float32Array;
  /** Term counts per analyzed text, or the message of the error analysis threw. */
  terms: (Map<string, number> | string)[];
}

export interface IngestWorkers {
  readonly size: number;
  /** Embeds `embed` in calls of `batchSize` texts and analyzes `analyze`, in one worker. */
  run(embed: string[], analyze: string[], batchSize: number): Promise<WorkerResult>;
  close(): Promise<void>;
}

function toKbError(error: { message: string; code?: string }, what: string): KbError {
  const known = Object.values(ERROR_CODES).includes(error.code as ErrorCode) ? (error.code as ErrorCode) : ERROR_CODES.EMBEDDING_FAILED;
  return new KbError(known, `${what}: ${error.message}`);
}

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (r: WorkerResult) => void; reject: (e: Error) => void }>;
  /** Why this worker is gone, once it is. */
  dead?: KbError;
}

/** Starts `count` workers and waits until each has loaded the model; throws what the first failure said. */
export async function startIngestWorkers(embedder: ReplicableEmbedder, count: number): Promise<IngestWorkers> {
  const { entry, eval: isCode } = workerEntry(import.meta.url, 'ingest-worker');
  const slots: Slot[] = [];
  let closing = false;
  let nextId = 0;
  const fail = (slot: Slot, error: KbError): void => {
    slot.dead ??= error;
    for (const p of slot.pending.values()) p.reject(error);
    slot.pending.clear();
  };
  const started = Array.from({ length: count }, () => {
    const worker = new Worker(entry, { workerData: { recipe: embedder.recipe }, eval: isCode });
    const slot: Slot = { worker, pending: new Map() };
    slots.push(slot);
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (reply: WorkerReply) => {
        if ('ready' in reply) {
          if (reply.ready && reply.dimension !== embedder.dimension) reject(new KbError(ERROR_CODES.EMBEDDING_FAILED, `an ingest worker's model returned ${reply.dimension}-dim vectors; the main thread's has ${embedder.dimension}`));
          else if (reply.ready) resolve();
          else reject(toKbError(reply.error, 'an ingest worker could not load the embedding model'));
          return;
        }
        const p = slot.pending.get(reply.id);
        if (!p) return;
        slot.pending.delete(reply.id);
        if ('error' in reply) p.reject(toKbError(reply.error, 'embedding in an ingest worker failed'));
        else p.resolve({ vectors: reply.vectors, terms: reply.terms });
      });
      worker.on('error', (error) => {
        const e = new KbError(ERROR_CODES.EMBEDDING_FAILED, `an ingest worker stopped: ${error.message}; run again with INGEST_WORKERS=1 to ingest in one thread`, { cause: error });
        reject(e);
        fail(slot, e);
      });
      worker.on('exit', (code) => {
        if (closing) return;
        const e = new KbError(ERROR_CODES.EMBEDDING_FAILED, `an ingest worker exited (code ${code}); run again with INGEST_WORKERS=1 to ingest in one thread`);
        reject(e);
        fail(slot, e);
      });
    });
  });
  const close = async (): Promise<void> => {
    closing = true;
    // Nothing waits forever on a closed pool: what is pending, and any later request, is refused.
    for (const slot of slots) fail(slot, new KbError(ERROR_CODES.EMBEDDING_FAILED, 'the ingest workers were closed before this batch was embedded'));
    await Promise.all(slots.map((s) => s.worker.terminate()));
  };
  try {
    await Promise.all(started);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    size: count,
    run(embed, analyze, batchSize) {
      // The least busy live worker (ties: the first), so a slow batch does not hold up the others.
      const live = slots.filter((s) => !s.dead);
      if (live.length === 0) return Promise.reject((slots[0] as Slot).dead as KbError);
      const slot = live.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
      const id = nextId;
      nextId += 1;
      return new Promise<WorkerResult>((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        slot.worker.postMessage({ id, embed, analyze, batchSize } satisfies WorkerRequest);
      });
    },
    close,
  };
}
