import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { writeGatherModel } from '../../src/embeddings/onnx-writer.js';

describe('writeGatherModel', () => {
  it('writes a model onnxruntime loads and runs as a row lookup', async () => {
    const table = Float32Array.from([0, 0, 1, 2, 3, 4, 5, 6]); // 4 rows × 2
    const bytes = writeGatherModel({ table, vocabSize: 4, dim: 2 });
    const session = await InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['input_ids']);
    expect(session.outputNames).toEqual(['last_hidden_state']);
    const ids = new Tensor('int64', BigInt64Array.from([3n, 1n, 2n, 0n]), [2, 2]);
    const out = (await session.run({ input_ids: ids })).last_hidden_state as Tensor;
    expect(out.dims).toEqual([2, 2, 2]);
    expect(Array.from(out.data as Float32Array)).toEqual([5, 6, 1, 2, 3, 4, 0, 0]);
  });

  it('rejects a table whose size does not match vocab × dim', () => {
    expect(() => writeGatherModel({ table: new Float32Array(5), vocabSize: 2, dim: 2 })).toThrow('table has 5 floats; expected vocab 2 × dim 2');
  });
});
