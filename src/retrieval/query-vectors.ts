/**
 * Query vectors remembered: the same question is embedded once while it is asked again and again —
 * `ask` searches a list question once per document, a chat turn repeats the search a page just ran,
 * and popular questions recur. The model is fixed for an embedder, so a query's vector never changes.
 */
import type { Embedder } from '../embeddings/embedder.js';

/** How many distinct queries are remembered (least recently used dropped first): ~0.5 MB at 100 dimensions. */
export const QUERY_VECTORS_REMEMBERED = 1024;

/**
 * The embedder with `embedQuery` remembered for the last `capacity` distinct texts; everything else
 * is passed through. Each caller gets its own copy of a vector, so none can change another's.
 */
export function rememberQueryVectors(embedder: Embedder, capacity = QUERY_VECTORS_REMEMBERED): Embedder {
  const memo = new Map<string, Promise<Float32Array>>();
  const remembering: Embedder = {
    get modelId() {
      return embedder.modelId;
    },
    get dimension() {
      return embedder.dimension;
    },
    embedDocuments: (texts, options) => embedder.embedDocuments(texts, options),
    async embedQuery(text) {
      let vector = memo.get(text);
      if (vector) {
        // Most recently used last.
        memo.delete(text);
      } else {
        vector = embedder.embedQuery(text);
        // A failed embedding is not remembered: the next call tries again.
        const pending = vector;
        void pending.catch(() => memo.get(text) === pending && memo.delete(text));
        if (memo.size >= capacity) memo.delete(memo.keys().next().value as string);
      }
      memo.set(text, vector);
      return (await vector).slice();
    },
    ...(embedder.dispose ? { dispose: () => (embedder.dispose as () => Promise<void>)() } : {}),
  };
  sources.set(remembering, sourceEmbedder(embedder));
  return remembering;
}

/** Each memo's embedder underneath (the model itself): what caches of the model's vectors key on. */
const sources = new WeakMap<Embedder, Embedder>();

/** The embedder under any `rememberQueryVectors` memos (itself when none). */
export function sourceEmbedder(embedder: Embedder): Embedder {
  return sources.get(embedder) ?? embedder;
}
