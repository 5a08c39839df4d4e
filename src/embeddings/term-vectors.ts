/**
 * Term vectors remembered across snapshots. A search service embeds its index's whole vocabulary
 * once, for query expansion (retrieval/expansion.ts): at the library's 51k terms that took 11 s on a
 * loaded 2-core machine, paid again by every new snapshot a running server swaps in — after every
 * upload. Through this wrapper, shared by the services one process creates, a new snapshot embeds
 * only the terms it adds. A term's vector depends on the term alone (the model is fixed for an
 * embedder), so a remembered vector is the one embedding it again gives.
 */
import type { Embedder } from './embedder.js';

/** Texts up to this many characters are terms (index terms are words; queries and passages are longer). */
export const TERM_MAX_CHARS = 16;
/** Distinct terms remembered (least recently used dropped first): ~40 MB at 100 dimensions. */
export const TERM_VECTORS_REMEMBERED = 100_000;

/**
 * The embedder with `embedDocuments` remembered for texts of at most `maxChars` characters; longer
 * texts and `embedQuery` pass through. Callers share the remembered arrays: none may write to them.
 */
export function rememberTermVectors(embedder: Embedder, options: { maxChars?: number; capacity?: number } = {}): Embedder {
  const maxChars = options.maxChars ?? TERM_MAX_CHARS;
  const capacity = options.capacity ?? TERM_VECTORS_REMEMBERED;
  const memo = new Map<string, Float32Array>();
  return {
    get modelId() {
      return embedder.modelId;
    },
    get dimension() {
      return embedder.dimension;
    },
    async embedDocuments(texts) {
      const out = new Array<Float32Array | undefined>(texts.length);
      const missing: number[] = [];
      texts.forEach((text, i) => {
        const known = text.length <= maxChars ? memo.get(text) : undefined;
        if (known) out[i] = known;
        else missing.push(i);
      });
      if (missing.length > 0) {
        const fresh = await embedder.embedDocuments(missing.map((i) => texts[i] as string));
        missing.forEach((i, j) => {
          const vector = fresh[j] as Float32Array;
          out[i] = vector;
          const text = texts[i] as string;
          if (text.length > maxChars) return;
          if (memo.size >= capacity) memo.delete(memo.keys().next().value as string);
          memo.set(text, vector);
        });
      }
      return out as Float32Array[];
    },
    embedQuery: (text) => embedder.embedQuery(text),
    ...(embedder.dispose ? { dispose: () => (embedder.dispose as () => Promise<void>)() } : {}),
  };
}
