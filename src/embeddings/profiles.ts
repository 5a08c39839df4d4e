/**
 * What differs between embedding models: pooling, normalization, query/passage prefixes, limits.
 * Choose one with EMBEDDING_MODEL (a profile id, alias, or any Hugging Face id with defaults).
 */
import { OFFLINE_MODEL_ID } from './offline-model.js';

export interface ModelProfile {
  /** The id transformers.js loads (folder under modelsDir, or a hub id). */
  id: string;
  pooling: 'mean' | 'cls';
  normalize: boolean;
  /** Prepended to queries (bge's instruction, e5's "query: "). */
  queryPrefix: string;
  /** Prepended to passages (e5's "passage: "). */
  passagePrefix: string;
  /** Longest input in tokens; longer input is truncated by the tokenizer. */
  maxTokens: number;
  dimension: number;
  /** Built locally by `kb model build` rather than fetched from the hub. */
  builtLocally: boolean;
  /** Weight the dense list gets in hybrid fusion by default (BM25 = 1). */
  defaultDenseWeight: number;
}

export const PROFILES: Record<string, ModelProfile> = {
  [OFFLINE_MODEL_ID]: {
    id: OFFLINE_MODEL_ID,
    pooling: 'mean',
    normalize: true,
    queryPrefix: '',
    passagePrefix: '',
    maxTokens: 1024,
    dimension: 100,
    builtLocally: true,
    // Measured on the dev set: dense alone is far weaker than BM25 with this model; 0.1–0.25 tie BM25.
    defaultDenseWeight: 0.15,
  },
  'Xenova/bge-small-zh-v1.5': {
    id: 'Xenova/bge-small-zh-v1.5',
    pooling: 'cls',
    normalize: true,
    queryPrefix: '为这个句子生成表示以用于检索相关文章：',
    passagePrefix: '',
    maxTokens: 512,
    dimension: 512,
    builtLocally: false,
    defaultDenseWeight: 1,
  },
  'Xenova/multilingual-e5-small': {
    id: 'Xenova/multilingual-e5-small',
    pooling: 'mean',
    normalize: true,
    queryPrefix: 'query: ',
    passagePrefix: 'passage: ',
    maxTokens: 512,
    dimension: 384,
    builtLocally: false,
    defaultDenseWeight: 0.8,
  },
};

const ALIASES: Record<string, string> = {
  'bge-small-zh': 'Xenova/bge-small-zh-v1.5',
  'bge-small-zh-v1.5': 'Xenova/bge-small-zh-v1.5',
  'multilingual-e5-small': 'Xenova/multilingual-e5-small',
  'e5-small': 'Xenova/multilingual-e5-small',
  default: OFFLINE_MODEL_ID,
};

/**
 * The profile for a configured model name. Unknown hub ids get mean pooling, no prefixes and a
 * dimension read from the model's first output (0 here).
 */
export function resolveProfile(name: string): ModelProfile {
  // Own keys only: a configured name such as `constructor` is a hub id, not Object's member.
  const id = Object.hasOwn(ALIASES, name) ? (ALIASES[name] as string) : name;
  const known = Object.hasOwn(PROFILES, id) ? PROFILES[id] : undefined;
  return known ?? { id, pooling: 'mean', normalize: true, queryPrefix: '', passagePrefix: '', maxTokens: 512, dimension: 0, builtLocally: false, defaultDenseWeight: 0.8 };
}
