/**
 * A deterministic, dependency-free Embedder for unit tests and examples: each text becomes a bag
 * of hashed character unigrams and bigrams (FNV-1a into `dimension` buckets), L2-normalized.
 * Texts that share characters get a positive cosine, identical texts the same vector, and
 * nothing is loaded. It knows no synonyms: use the built model to measure retrieval quality.
 */
import { ERROR_CODES, KbError } from '../shared/errors.js';
import type { Embedder } from './embedder.js';
import type { ModelProfile } from './profiles.js';

export const FAKE_EMBEDDER_ID = 'fake-bigram-hash';

export interface FakeEmbedderOptions {
  /** Vector length (default 256). */
  dimension?: number;
  /** Recorded in the index manifest (default `fake-bigram-hash-<dimension>`). */
  modelId?: string;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i += 1) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function add(v: Float32Array, i: number, x: number): void {
  v[i] = (v[i] as number) + x;
}

/** The fake embedding of one text (exported for tests that compare vectors). */
export function fakeEmbedding(text: string, dimension: number): Float32Array {
  const v = new Float32Array(dimension);
  const chars = Array.from(text.replace(/\s+/gu, ''));
  for (let i = 0; i < chars.length; i += 1) {
    const c = chars[i] as string;
    add(v, fnv1a(c) % dimension, 0.5);
    if (i + 1 < chars.length) add(v, fnv1a(c + (chars[i + 1] as string)) % dimension, 1);
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  // An empty text still gets a unit vector, as a real model would give one.
  if (norm === 0) {
    v[0] = 1;
    return v;
  }
  const inv = 1 / Math.sqrt(norm);
  for (let i = 0; i < dimension; i += 1) v[i] = (v[i] as number) * inv;
  return v;
}

export function createFakeEmbedder(options: FakeEmbedderOptions = {}): Embedder {
  const dimension = options.dimension ?? 256;
  if (!Number.isInteger(dimension) || dimension < 2) throw new KbError(ERROR_CODES.INVALID_INPUT, `fake embedder dimension must be an integer ≥ 2, got ${dimension}; pass e.g. { dimension: 256 }`);
  const modelId = options.modelId ?? `${FAKE_EMBEDDER_ID}-${dimension}`;
  return {
    modelId,
    dimension,
    embedQuery: async (text) => fakeEmbedding(text, dimension),
    embedDocuments: async (texts) => texts.map((t) => fakeEmbedding(t, dimension)),
    dispose: async () => {},
  };
}

/** The model profile ingest records for a fake embedder (no prefixes, mean pooling, dense weight 0.15). */
export function fakeEmbedderProfile(embedder: Pick<Embedder, 'modelId' | 'dimension'>): ModelProfile {
  return { id: embedder.modelId, pooling: 'mean', normalize: true, queryPrefix: '', passagePrefix: '', maxTokens: 1024, dimension: embedder.dimension, builtLocally: true, defaultDenseWeight: 0.15 };
}
