/**
 * Faster equivalents of two transformers.js steps that dominate embedding time with the offline
 * word-vector model (measured on 5,650 synthetic passages: WordPiece 4.7 s and mean pooling 2.8 s
 * of 11.3 s). Both give exactly the library's output, which test/embeddings/fast-paths.test.ts
 * checks against the library on the whole corpus.
 *
 * - WordPiece: the library tries every substring from the longest down, building each with
 *   slice/join (quadratic per word). Walking forward over a set of every vocabulary key's prefixes
 *   finds the same longest match in one pass.
 * - Mean pooling: the library converts each BigInt mask value once per dimension; here the mask is
 *   read once per position. Sums run in the same order in doubles, so the results are the same
 *   floats. Masked positions are skipped: adding x·0 to a sum that starts at +0 changes nothing for
 *   finite x (a sum of doubles starting at +0 is never −0).
 */

/** The fields of transformers.js's WordPieceTokenizer (4.x) this module reads and replaces. */
interface WordPieceModel {
  config: { type?: string; continuing_subword_prefix?: string };
  tokens_to_ids: Map<string, number>;
  unk_token: string;
  max_input_chars_per_word: number;
  encode(tokens: string[]): string[];
}

function isWordPiece(model: unknown): model is WordPieceModel {
  const m = model as Partial<WordPieceModel> | undefined;
  return !!m && m.config?.type === 'WordPiece' && m.tokens_to_ids instanceof Map && typeof m.unk_token === 'string' && typeof m.max_input_chars_per_word === 'number' && typeof m.encode === 'function';
}

/** The greedy longest-match WordPiece encoder, as transformers.js defines it, in one forward pass per piece. */
export function createWordPieceEncoder(vocab: ReadonlyMap<string, number>, unkToken: string, maxInputCharsPerWord: number, continuingSubwordPrefix: string): (tokens: string[]) => string[] {
  // Every prefix (in code points) of every key → 1, or 3 when it is a key itself: one lookup per
  // step tells whether to go on and whether this is a match. A candidate that is not a prefix
  // cannot grow into a key.
  const PREFIX = 1;
  const KEY = 2;
  const kinds = new Map<string, number>();
  for (const key of vocab.keys()) {
    let p = '';
    for (const ch of key) {
      p += ch;
      kinds.set(p, (kinds.get(p) ?? 0) | PREFIX);
    }
    kinds.set(key, (kinds.get(key) ?? 0) | KEY);
  }
  return (tokens) => {
    const output: string[] = [];
    for (const token of tokens) {
      // Code-unit offsets of each code point (surrogate pairs count as one character).
      const bounds: number[] = [0];
      for (let i = 0; i < token.length; ) {
        const c = token.charCodeAt(i);
        i += c >= 0xd800 && c <= 0xdbff && i + 1 < token.length && (token.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
        bounds.push(i);
      }
      const chars = bounds.length - 1;
      if (chars > maxInputCharsPerWord) {
        output.push(unkToken);
        continue;
      }
      const first = output.length;
      let start = 0;
      while (start < chars) {
        const head = start > 0 ? continuingSubwordPrefix : '';
        let best: string | null = null;
        let bestEnd = start;
        for (let end = start + 1; end <= chars; end += 1) {
          const candidate = head + token.slice(bounds[start], bounds[end]);
          const kind = kinds.get(candidate);
          if (kind === undefined) break;
          if (kind & KEY) {
            best = candidate;
            bestEnd = end;
          }
        }
        if (best === null) {
          output.length = first;
          output.push(unkToken);
          break;
        }
        output.push(best);
        start = bestEnd;
      }
    }
    return output;
  };
}

/**
 * Replaces the `encode` of a transformers.js tokenizer's WordPiece model (4.x keeps it at
 * `tokenizer._tokenizer.model`) with the one-pass equivalent; returns false, changing nothing, for
 * any other tokenizer.
 */
export function accelerateWordPiece(tokenizer: unknown): boolean {
  const model = (tokenizer as { _tokenizer?: { model?: unknown } } | undefined)?._tokenizer?.model;
  if (!isWordPiece(model)) return false;
  // The library concatenates the configured prefix as is (an absent one reads "undefined").
  const prefix = `${model.config.continuing_subword_prefix}`;
  model.encode = createWordPieceEncoder(model.tokens_to_ids, model.unk_token, model.max_input_chars_per_word, prefix);
  return true;
}

/**
 * Mean of the hidden states over unmasked positions, per row: `hidden` is [batch, seq, dim] row-major,
 * `mask` is [batch, seq] (BigInt64Array as transformers.js returns it, or numbers). Same floats as
 * transformers.js `mean_pooling`.
 */
export function meanPool(hidden: Float32Array, mask: ArrayLike<bigint | number>, batch: number, seq: number, dim: number): Float32Array {
  const out = new Float32Array(batch * dim);
  const sums = new Float64Array(dim);
  for (let i = 0; i < batch; i += 1) {
    sums.fill(0);
    let count = 0;
    for (let j = 0; j < seq; j += 1) {
      const attn = Number(mask[i * seq + j]);
      if (attn === 0) continue;
      count += attn;
      const base = (i * seq + j) * dim;
      if (attn === 1) for (let k = 0; k < dim; k += 1) sums[k] = (sums[k] as number) + (hidden[base + k] as number);
      else for (let k = 0; k < dim; k += 1) sums[k] = (sums[k] as number) + (hidden[base + k] as number) * attn;
    }
    for (let k = 0; k < dim; k += 1) out[i * dim + k] = (sums[k] as number) / count;
  }
  return out;
}
