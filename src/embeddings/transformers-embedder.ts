/**
 * Embedder backed by transformers.js `pipeline('feature-extraction', …)`: the same call loads the
 * offline word-vector model built by `kb model build` and any hub model (bge-small-zh, e5…).
 */
import { Tensor, env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import { ERROR_CODES, KbError } from '../shared/errors.js';
import type { Embedder } from './embedder.js';
import { accelerateWordPiece, meanPool } from './fast-paths.js';
import type { ModelProfile } from './profiles.js';

export interface TransformersEmbedderOptions {
  profile: ModelProfile;
  /** Local model folders live here (`<modelsDir>/<id>`), and hub downloads are cached here. */
  modelsDir: string;
  /** Allow fetching from the hub (or the mirror in `remoteHost`). */
  allowRemoteModels: boolean;
  /** A hub mirror, e.g. https://hf-mirror.com/ (transformers.js `env.remoteHost`). */
  remoteHost?: string;
  /** Texts per forward pass (default 32). */
  batchSize?: number;
  /**
   * Use the one-pass WordPiece encoder and the mask-once mean pooling (default true): the same
   * vectors, several times faster with the word-vector model; false runs the library's own steps.
   */
  fastPaths?: boolean;
}

/** An Embedder that another thread can recreate from its `recipe` (plain data, structured-cloneable). */
export interface ReplicableEmbedder extends Embedder {
  readonly recipe: TransformersEmbedderOptions;
}

export function isReplicable(embedder: Embedder): embedder is ReplicableEmbedder {
  return typeof (embedder as Partial<ReplicableEmbedder>).recipe === 'object';
}

/** Loads the model and returns an Embedder. Throws `model_missing` with what to run. */
export async function createTransformersEmbedder(options: TransformersEmbedderOptions): Promise<ReplicableEmbedder> {
  const { profile } = options;
  const modelsDir = options.modelsDir.endsWith('/') ? options.modelsDir : `${options.modelsDir}/`;
  env.localModelPath = modelsDir;
  env.cacheDir = modelsDir;
  env.allowLocalModels = true;
  env.allowRemoteModels = options.allowRemoteModels && !profile.builtLocally;
  if (options.remoteHost) env.remoteHost = options.remoteHost.endsWith('/') ? options.remoteHost : `${options.remoteHost}/`;
  let extractor: FeatureExtractionPipeline;
  try {
    // The model built here is one Gather: nothing for ONNX Runtime's intra-op thread pool to share,
    // whose threads would only spin between calls (40 % of ingest CPU on 10k passages, BENCHMARKS.md).
    const threads = profile.builtLocally ? { session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 } } : {};
    extractor = await pipeline('feature-extraction', profile.id, { dtype: 'fp32', ...threads });
  } catch (error) {
    const hint = profile.builtLocally
      ? 'run `npm run -s kb -- model build`'
      : env.allowRemoteModels
        ? 'check the network or set HF_REMOTE_HOST to a reachable mirror'
        : `set ALLOW_REMOTE_MODELS=1 to download it into ${modelsDir}, or place it there`;
    throw new KbError(ERROR_CODES.MODEL_MISSING, `cannot load embedding model ${profile.id}: ${(error as Error).message.split('\n')[0]}`, { cause: error, hint });
  }
  const batchSize = options.batchSize ?? 32;
  let dimension = profile.dimension;
  const fast = options.fastPaths !== false;
  if (fast) accelerateWordPiece(extractor.tokenizer);

  // The pipeline's own call (tokenize with padding and truncation, run, pool, normalize), with mean
  // pooling done by meanPool: the library's version converts each mask value once per dimension.
  const extract = async (batch: string[]): Promise<Tensor> => {
    if (!fast || profile.pooling !== 'mean') return extractor(batch, { pooling: profile.pooling, normalize: profile.normalize });
    const inputs = extractor.tokenizer(batch, { padding: true, truncation: true }) as { attention_mask: Tensor };
    const outputs = (await extractor.model(inputs)) as Record<string, Tensor | undefined>;
    const hidden = (outputs.last_hidden_state ?? outputs.logits ?? outputs.token_embeddings) as Tensor;
    const [rows, seq, dim] = hidden.dims as [number, number, number];
    const pooled = new Tensor(hidden.type, meanPool(hidden.data as Float32Array, inputs.attention_mask.data as ArrayLike<bigint>, rows, seq, dim), [rows, dim]);
    return profile.normalize ? pooled.normalize(2, -1) : pooled;
  };

  const run = async (texts: readonly string[], size = batchSize): Promise<Float32Array[]> => {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += size) {
      const batch = texts.slice(i, i + size).map((t) => (t.trim() === '' ? ' ' : t));
      const tensor = await extract(batch);
      const data = tensor.data as Float32Array;
      const dim = tensor.dims[tensor.dims.length - 1] as number;
      if (dimension === 0) dimension = dim;
      if (dim !== dimension) {
        throw new KbError(ERROR_CODES.EMBEDDING_FAILED, `model ${profile.id} returned ${dim}-dim vectors; its profile says ${dimension}`);
      }
      for (let r = 0; r < batch.length; r += 1) out.push(data.slice(r * dim, (r + 1) * dim));
    }
    return out;
  };

  // Probe once so that `dimension` is known (and the model proven to run) before use.
  if (dimension === 0) await run(['维度']);
  return {
    modelId: profile.id,
    recipe: { ...options, profile: { ...profile } },
    get dimension() {
      return dimension;
    },
    embedDocuments: (texts, embedOptions) => run(
      texts.map((t) => profile.passagePrefix + t),
      embedOptions?.batchSize !== undefined && Number.isInteger(embedOptions.batchSize) && embedOptions.batchSize > 0 ? embedOptions.batchSize : batchSize,
    ),
    embedQuery: async (text) => (await run([profile.queryPrefix + text]))[0] as Float32Array,
    dispose: async () => {
      await extractor.dispose();
    },
  };
}
