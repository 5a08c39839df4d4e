/**
 * The rows of a large matrix (the vocabulary's word vectors) whose dot product with a vector reaches
 * a floor, for a few vectors at once, by ONNX Runtime: the runtime the embedder already loads, whose
 * SIMD Gemm a JavaScript loop cannot match (51k rows × 100 dimensions: ~2 ms for 8 vectors at once,
 * against ~5–25 ms each in JavaScript), and which hands back only the rows found, not every score.
 * Single precision: callers that need exact figures lower the floor by `scanMargin` and rescore.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { writeSimilarityModel } from './onnx-writer.js';

export interface MatrixScan {
  /**
   * For each of the `count` vectors (row-major in `vectors`), the rows (ascending) whose single-
   * precision dot product with it is at least its floor.
   */
  rowsReaching(vectors: Float32Array, count: number, floors: Float32Array): Promise<number[][]>;
  /** Lets go of this scan (the session it runs on is shared and stays). */
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
 * One session per dimension, shared by every scan: the matrix is an input of the model, not part of
 * it, so a new vocabulary table (each reload of a server after a write builds one) needs no new
 * session — creating one took ~200 ms of the ~290 ms a reload spent on its neighbour table. A
 * session that could not be created is not remembered.
 */
const sessions = new Map<number, Promise<{ ort: typeof import('onnxruntime-node'); session: InferenceSession } | undefined>>();

function sessionFor(dim: number): Promise<{ ort: typeof import('onnxruntime-node'); session: InferenceSession } | undefined> {
  let pending = sessions.get(dim);
  if (!pending) {
    pending = (async () => {
      try {
        const ort = await import('onnxruntime-node');
        // One thread: a scan takes a few milliseconds, and the other cores serve other requests.
        return { ort, session: await ort.InferenceSession.create(writeSimilarityModel(dim), { intraOpNumThreads: 1, interOpNumThreads: 1 }) };
      } catch {
        sessions.delete(dim);
        return undefined;
      }
    })();
    sessions.set(dim, pending);
  }
  return pending;
}

/**
 * A scan of `matrix` (row-major [rows, dim], held, not copied) by ONNX Runtime; undefined when the
 * runtime cannot be loaded here (the caller scans in JavaScript instead).
 */
export async function createMatrixScan(matrix: Float32Array, rows: number, dim: number): Promise<MatrixScan | undefined> {
  if (matrix.length !== rows * dim) throw new Error(`matrix has ${matrix.length} floats; expected ${rows} rows × ${dim}`);
  const loaded = await sessionFor(dim);
  if (!loaded) return undefined;
  const { ort, session } = loaded;
  const table: Tensor = new ort.Tensor('float32', matrix, [rows, dim]);
  return {
    async rowsReaching(vectors, count, floors) {
      if (vectors.length !== count * dim) throw new Error(`${vectors.length} floats for ${count} vectors × ${dim}`);
      if (floors.length !== count) throw new Error(`${floors.length} floors for ${count} vectors`);
      const out = await session.run({ queries: new ort.Tensor('float32', vectors, [count, dim]), matrix: table, floors: new ort.Tensor('float32', floors, [count, 1]) });
      // int64 [2, pairs]: the vectors' indices, then the rows'.
      const pairs = (out.near as Tensor).data as BigInt64Array;
      const n = pairs.length / 2;
      const found: number[][] = Array.from({ length: count }, () => []);
      for (let i = 0; i < n; i += 1) (found[Number(pairs[i])] as number[]).push(Number(pairs[n + i]));
      return found;
    },
    // The session is shared by every scan of this dimension and lives as long as the process.
    dispose: async () => {},
  };
}
