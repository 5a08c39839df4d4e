/**
 * A small, tested protobuf writer for the one ONNX graph the offline model needs: a `Gather` from
 * `input_ids` (int64 [batch, seq]) into an embedding table (float32 [vocab, dim]) giving
 * `last_hidden_state` (float32 [batch, seq, dim]). Field numbers follow onnx/onnx.proto.
 */

class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  varint(value: number | bigint): this {
    let v = BigInt(value);
    if (v < 0n) v = BigInt.asUintN(64, v);
    const out: number[] = [];
    while (v > 0x7fn) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.push(Uint8Array.from(out));
    return this;
  }

  private key(field: number, wireType: 0 | 2): this {
    return this.varint((field << 3) | wireType);
  }

  int(field: number, value: number | bigint): this {
    return this.key(field, 0).varint(value);
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2).varint(value.length);
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const p of this.parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }
}

const ELEM_FLOAT = 1;
const ELEM_INT64 = 7;

type Dim = number | string;

function valueInfo(w: ProtoWriter, name: string, elemType: number, dims: Dim[]): void {
  w.string(1, name).message(2, (type) =>
    type.message(1, (tensor) =>
      tensor.int(1, elemType).message(2, (shape) => {
        for (const d of dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      }),
    ),
  );
}

export interface GatherModelSpec {
  /** Row-major [vocab, dim] float32 table. */
  table: Float32Array;
  vocabSize: number;
  dim: number;
  producer?: string;
  docString?: string;
}

/** Serialized ModelProto (IR 8, opset 13) of `last_hidden_state = Gather(table, input_ids)`. */
export function writeGatherModel(spec: GatherModelSpec): Uint8Array {
  if (spec.table.length !== spec.vocabSize * spec.dim) {
    throw new Error(`table has ${spec.table.length} floats; expected vocab ${spec.vocabSize} × dim ${spec.dim}`);
  }
  const raw = new Uint8Array(spec.table.buffer, spec.table.byteOffset, spec.table.byteLength);
  const model = new ProtoWriter();
  model
    .int(1, 8)
    .string(2, spec.producer ?? 'policy-kb')
    .string(3, '1')
    .message(7, (graph) => {
      graph
        .message(1, (node) => node.string(1, 'embeddings').string(1, 'input_ids').string(2, 'last_hidden_state').string(3, 'lookup').string(4, 'Gather'))
        .string(2, 'word_vectors')
        .message(5, (tensor) => tensor.int(1, spec.vocabSize).int(1, spec.dim).int(2, ELEM_FLOAT).string(8, 'embeddings').bytes(9, raw));
      if (spec.docString) graph.string(10, spec.docString);
      graph
        .message(11, (vi) => valueInfo(vi, 'input_ids', ELEM_INT64, ['batch_size', 'sequence_length']))
        .message(12, (vi) => valueInfo(vi, 'last_hidden_state', ELEM_FLOAT, ['batch_size', 'sequence_length', spec.dim]));
    })
    .message(8, (opset) => opset.string(1, '').int(2, 13));
  return model.finish();
}

/**
 * Serialized ModelProto (IR 8, opset 13) of `near = NonZero(Gemm(queries, matrix, transB = 1) ≥ floors)`:
 * for `queries` (float32 [n, dim]), `matrix` (float32 [rows, dim]) and `floors` (float32 [n, 1]),
 * the (query, row) pairs whose dot product reaches the query's floor, as int64 [2, pairs] in
 * row-major order (query ascending, then row). Both matrices are inputs, so one small model serves
 * any matrix of that width; only the pairs come back, not n × rows scores.
 */
export function writeSimilarityModel(dim: number, producer = 'policy-kb'): Uint8Array {
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`dimension must be a positive integer; got ${dim}`);
  const ATTRIBUTE_INT = 2;
  const model = new ProtoWriter();
  model
    .int(1, 8)
    .string(2, producer)
    .string(3, '1')
    .message(7, (graph) => {
      graph
        // NodeProto: input (1), output (2), name (3), op_type (4), attribute (5: name 1, i 3, type 20).
        .message(1, (node) => node.string(1, 'queries').string(1, 'matrix').string(2, 'scores').string(3, 'dot').string(4, 'Gemm').message(5, (a) => a.string(1, 'transB').int(3, 1).int(20, ATTRIBUTE_INT)))
        .message(1, (node) => node.string(1, 'scores').string(1, 'floors').string(2, 'reaches').string(3, 'threshold').string(4, 'GreaterOrEqual'))
        .message(1, (node) => node.string(1, 'reaches').string(2, 'near').string(3, 'pairs').string(4, 'NonZero'))
        .string(2, 'similarity')
        .message(11, (vi) => valueInfo(vi, 'queries', ELEM_FLOAT, ['queries', dim]))
        .message(11, (vi) => valueInfo(vi, 'matrix', ELEM_FLOAT, ['rows', dim]))
        .message(11, (vi) => valueInfo(vi, 'floors', ELEM_FLOAT, ['queries', 1]))
        .message(12, (vi) => valueInfo(vi, 'near', ELEM_INT64, [2, 'pairs']));
    })
    .message(8, (opset) => opset.string(1, '').int(2, 13));
  return model.finish();
}
