/**
 * The one interface every embedding model implements. Vectors are L2-normalized Float32Arrays.
 */
export interface Embedder {
  /** Model id recorded in the index manifest. */
  readonly modelId: string;
  readonly dimension: number;
  embedDocuments(texts: readonly string[]): Promise<Float32Array[]>;
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
