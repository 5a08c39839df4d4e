/**
 * Turns pretrained Chinese word vectors into a standard transformers.js model folder:
 * `onnx/model.onnx` (a single Gather: input_ids → last_hidden_state), a WordPiece `tokenizer.json`
 * over the word vocabulary with an empty `continuing_subword_prefix` (greedy longest-match word
 * segmentation), `config.json` (model_type bert) and `tokenizer_config.json`.
 *
 * Optional weighting baked into the rows (both commute with mean pooling):
 * - SIF: row × a / (a + p(w)), p(w) from a word-frequency list;
 * - common component removal: rows projected off the frequency-weighted first principal direction.
 */
import { writeGatherModel } from './onnx-writer.js';
import type { WordVectors } from './word2vec.js';

export const OFFLINE_MODEL_ID = 'synonyms-w2v-zh';
/** Bump when the built folder changes in a way that changes vectors. */
export const OFFLINE_MODEL_VERSION = 1;

export interface OfflineModelOptions {
  /** SIF smoothing `a`; 0 disables the weighting (default 1e-3). */
  sifA?: number;
  /** Remove the first principal component (default false). */
  removeCommonComponent?: boolean;
  /** Longest pre-token handed to WordPiece: bounds its quadratic matching (default 32). */
  maxPieceChars?: number;
}

export interface OfflineModelFiles {
  'onnx/model.onnx': Uint8Array;
  'tokenizer.json': string;
  'tokenizer_config.json': string;
  'config.json': string;
  'build-info.json': string;
}

const PAD = '[PAD]';
const UNK = '[UNK]';
const PUNCT_ONLY = /^[\p{P}\p{S}\s]+$/u;
const HAS_SPACE_OR_PUNCT = /[\s\p{P}]/u;

/** NFKC + lowercase: the same normalization the tokenizer applies to input text. */
function normalizeToken(word: string): string {
  return word.normalize('NFKC').toLowerCase();
}

function cjkRanges(): string[] {
  const out: string[] = [];
  for (let cp = 0x4e00; cp <= 0x9fff; cp += 1) out.push(String.fromCodePoint(cp));
  for (let cp = 0x3400; cp <= 0x4dbf; cp += 1) out.push(String.fromCodePoint(cp));
  return out;
}

const ASCII = [...'abcdefghijklmnopqrstuvwxyz0123456789'];

/**
 * Builds the files of the model folder. `frequencies` maps words to corpus counts (jieba's
 * dictionary); words it lacks count as 1.
 */
export function buildOfflineModel(wv: WordVectors, frequencies: ReadonlyMap<string, number>, options: OfflineModelOptions = {}): OfflineModelFiles {
  const sifA = options.sifA ?? 1e-3;
  const maxPiece = options.maxPieceChars ?? 32;
  const dim = wv.dim;

  // Vocabulary: [PAD], [UNK], the words (first spelling wins after normalization), then single
  // characters the words lack so that no CJK character falls to [UNK].
  const vocab = new Map<string, number>([[PAD, 0], [UNK, 1]]);
  const sourceRow: number[] = [-1, -1];
  wv.words.forEach((word, row) => {
    const token = normalizeToken(word);
    if (token === '' || vocab.has(token)) return;
    if (token.length > 1 && HAS_SPACE_OR_PUNCT.test(token)) return;
    vocab.set(token, sourceRow.length);
    sourceRow.push(row);
  });
  const wordCount = sourceRow.length;

  // Characters missing from the vocabulary get the mean of the words that contain them.
  const charSums = new Map<string, { sum: Float32Array; n: number }>();
  const wanted = new Set([...cjkRanges(), ...ASCII].filter((ch) => !vocab.has(ch)));
  wv.words.forEach((word, row) => {
    for (const ch of new Set(normalizeToken(word))) {
      if (!wanted.has(ch)) continue;
      let acc = charSums.get(ch);
      if (!acc) {
        acc = { sum: new Float32Array(dim), n: 0 };
        charSums.set(ch, acc);
      }
      for (let d = 0; d < dim; d += 1) acc.sum[d] = (acc.sum[d] as number) + (wv.vectors[row * dim + d] as number);
      acc.n += 1;
    }
  });
  for (const ch of wanted) {
    vocab.set(ch, vocab.size);
    sourceRow.push(-1);
  }

  const size = vocab.size;
  const table = new Float32Array(size * dim);
  const tokens = [...vocab.keys()];
  let total = 0;
  for (const f of frequencies.values()) total += f;
  total = Math.max(total, 1);
  const weights = new Float32Array(size);
  tokens.forEach((token, id) => {
    if (id < 2 || PUNCT_ONLY.test(token)) return; // PAD, UNK and punctuation carry no meaning
    const row = sourceRow[id] as number;
    const base = id * dim;
    if (row >= 0) {
      for (let d = 0; d < dim; d += 1) table[base + d] = wv.vectors[row * dim + d] as number;
    } else {
      const acc = charSums.get(token);
      if (acc) for (let d = 0; d < dim; d += 1) table[base + d] = (acc.sum[d] as number) / acc.n;
    }
    const p = (frequencies.get(token) ?? 1) / total;
    weights[id] = sifA > 0 ? sifA / (sifA + p) : 1;
  });
  for (let id = 0; id < size; id += 1) {
    const w = weights[id] as number;
    for (let d = 0; d < dim; d += 1) table[id * dim + d] = (table[id * dim + d] as number) * w;
  }

  if (options.removeCommonComponent) {
    const u = principalDirection(table, size, dim, tokens.map((t) => frequencies.get(t) ?? 0));
    for (let id = 0; id < size; id += 1) {
      let dot = 0;
      for (let d = 0; d < dim; d += 1) dot += (table[id * dim + d] as number) * (u[d] as number);
      for (let d = 0; d < dim; d += 1) table[id * dim + d] = (table[id * dim + d] as number) - dot * (u[d] as number);
    }
  }

  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [PAD, UNK].map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' }] },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'BertPreTokenizer' }, { type: 'FixedLength', length: maxPiece }] },
    post_processor: null,
    decoder: { type: 'Fuse' },
    model: { type: 'WordPiece', unk_token: UNK, continuing_subword_prefix: '', max_input_chars_per_word: maxPiece, vocab: Object.fromEntries(vocab) },
  };
  const buildInfo = { modelId: OFFLINE_MODEL_ID, version: OFFLINE_MODEL_VERSION, words: wordCount - 2, characters: size - wordCount, vocabSize: size, dim, sifA, removeCommonComponent: !!options.removeCommonComponent, maxPieceChars: maxPiece };
  return {
    'onnx/model.onnx': writeGatherModel({ table, vocabSize: size, dim, docString: 'Word-vector lookup built by policy-kb from node-synonyms (GPL-3.0) vectors' }),
    'tokenizer.json': JSON.stringify(tokenizer),
    'tokenizer_config.json': JSON.stringify({ tokenizer_class: 'BertTokenizer', model_max_length: 1024, pad_token: PAD, unk_token: UNK, do_lower_case: false, clean_up_tokenization_spaces: false }, null, 2),
    'config.json': JSON.stringify({ model_type: 'bert', architectures: ['BertModel'], hidden_size: dim, vocab_size: size, max_position_embeddings: 1024, num_hidden_layers: 0, num_attention_heads: 1, pad_token_id: 0 }, null, 2),
    'build-info.json': JSON.stringify(buildInfo, null, 2),
  };
}

/** Frequency-weighted first principal direction of the rows (power iteration). */
function principalDirection(table: Float32Array, rows: number, dim: number, freq: number[]): Float64Array {
  let u = new Float64Array(dim).fill(1 / Math.sqrt(dim));
  for (let iter = 0; iter < 30; iter += 1) {
    const next = new Float64Array(dim);
    for (let r = 0; r < rows; r += 1) {
      const w = Math.log1p(freq[r] ?? 0);
      if (w === 0) continue;
      let dot = 0;
      for (let d = 0; d < dim; d += 1) dot += (table[r * dim + d] as number) * (u[d] as number);
      for (let d = 0; d < dim; d += 1) next[d] = (next[d] as number) + w * dot * (table[r * dim + d] as number);
    }
    const norm = Math.hypot(...next) || 1;
    u = next.map((x) => x / norm);
  }
  return u;
}
