/**
 * Dot products of a few vectors with every row of a large matrix (the vocabulary's word vectors),
 * by ONNX Runtime's Gemm: the runtime the embedder already loads, with SIMD kernels a JavaScript
 * loop cannot match (51k rows × 100 dimensions: ~0.3 ms per vector for 8 vectors at once, against
 * ~5–25 ms each in JavaScript). Single precision: callers that need exact figures rescore the rows
 * that come close (see `scanMargin`).
 */
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { writeSimilarityModel } from './onnx-writer.js';

export interface MatrixScan {
  /** Row-major [count, rows]: the dot product of each of the `count` vectors with each row. */
  scores(vectors: Float32Array, count: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/**
 * How far a single-precision dot product of vectors of these norms may fall from the exact one: at
 * most dim · 2⁻²⁴ · |q| · |row| for any summation order (Higham, "Accuracy and Stability of
 * Numerical Algorithms", §3.1); sixteen times that, so that no row at the edge is missed.
 */
export function scanMargin(dim: number, queryNorm: number, maxRowNorm: number): number {
  return 16 * dim * 2 ** -24 * queryNorm * maxRowNorm;
}

/**
 * A scan of `matrix` (row-major [rows, dim], held, not copied) by ONNX Runtime; undefined when the
 * runtime cannot be loaded here (the caller scans in JavaScript instead).
 */
export async function createMatrixScan(matrix: Float32Array, rows: number, dim: number): Promise<MatrixScan | undefined> {
  if (matrix.length !== rows * dim) throw new Error(`matrix has ${matrix.length} floats; expected ${rows} rows × ${dim}`);
  let ort: typeof import('onnxruntime-node');
  let session: InferenceSession;
  try {
    ort = await import('onnxruntime-node');
    // One thread: a scan is a few hundred microseconds, and the cores serve other requests.
    session = await ort.InferenceSession.create(writeSimilarityModel(dim), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  } catch {
    return undefined;
  }
  const table: Tensor = new ort.Tensor('float32', matrix, [rows, dim]);
  return {
    async scores(vectors, count) {
      if (vectors.length !== count * dim) throw new Error(`${vectors.length} floats for ${count} vectors × ${dim}`);
      const out = await session.run({ queries: new ort.Tensor('float32', vectors, [count, dim]), matrix: table });
      return (out.scores as Tensor).data as Float32Array;
    },
    dispose: () => session.release(),
  };
}
