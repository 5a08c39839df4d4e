/**
 * One ingest worker thread (started by ingest-workers.ts): recreates the embedder from its recipe,
 * then for each request embeds the texts and analyzes them into BM25 term counts, so that the
 * main thread is left with HNSW insertion and bookkeeping.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createTransformersEmbedder, type TransformersEmbedderOptions } from '../../embeddings/transformers-embedder.js';
import { termCounts } from '../../lexical/analyzer.js';
import { isKbError } from '../../shared/errors.js';
import type { WorkerReply, WorkerRequest } from './ingest-workers.js';

const port = parentPort;
if (!port) throw new Error('ingest-worker.ts runs as a worker thread (see ingest-workers.ts)');

function failure(error: unknown): { message: string; code?: string } {
  return isKbError(error) ? { message: error.message, code: error.code } : { message: error instanceof Error ? error.message : String(error) };
}

try {
  const embedder = await createTransformersEmbedder((workerData as { recipe: TransformersEmbedderOptions }).recipe);
  // One request at a time, in arrival order (the main thread keeps a few queued per worker).
  let queue = Promise.resolve();
  port.on('message', (request: WorkerRequest) => {
    queue = queue.then(async () => {
      let reply: WorkerReply;
      try {
        const terms: (Map<string, number> | string)[] = request.analyze.map((text) => {
          try {
            return termCounts(text);
          } catch (error) {
            // Reported per text: the main thread names the document it came from.
            return failure(error).message;
          }
        });
        // The single-threaded path's batches, so that every text is embedded in the same company.
        const dim = embedder.dimension;
        const flat = new Float32Array(request.embed.length * dim);
        for (let i = 0; i < request.embed.length; i += request.batchSize) {
          const vectors = await embedder.embedDocuments(request.embed.slice(i, i + request.batchSize));
          vectors.forEach((v, j) => flat.set(v, (i + j) * dim));
        }
        reply = { id: request.id, vectors: flat, terms };
        port.postMessage(reply, [flat.buffer]);
      } catch (error) {
        reply = { id: request.id, error: failure(error) };
        port.postMessage(reply);
      }
    });
  });
  port.postMessage({ ready: true, dimension: embedder.dimension } satisfies WorkerReply);
} catch (error) {
  port.postMessage({ ready: false, error: failure(error) } satisfies WorkerReply);
}
