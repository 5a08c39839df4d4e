/** Per call: texts per forward pass (default: the embedder's own). */
export interface EmbedOptions {
  /**
   * Short texts of like length (single words: a vocabulary) batch well, with nothing to pad: 256
   * words per pass cost about half the CPU of 8. Vectors do not depend on it.
   */
  batchSize?: number;
}

/**
 * The one interface every embedding model implements. Vectors are L2-normalized Float32Arrays.
 */
export interface Embedder {
  /** Model id recorded in the index manifest. */
  readonly modelId: string;
  readonly dimension: number;
  embedDocuments(texts: readonly string[], options?: EmbedOptions): Promise<Float32Array[]>;
  embedQuery(text: string): Promise<Float32Array>;
  /** Frees the ONNX session. */
  dispose?(): Promise<void>;
}

/** Cosine of two normalized vectors. */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i += 1) s += (a[i] as number) * (b[i] as number);
  return s;
}
