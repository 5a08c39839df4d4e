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
  // Every prefix (in code points) of every key: a candidate that is not one cannot grow into a key.
  const prefixes = new Set<string>();
  for (const key of vocab.keys()) {
    let p = '';
    for (const ch of key) {
      p += ch;
      prefixes.add(p);
    }
  }
  return (tokens) => {
    const output: string[] = [];
    for (const token of tokens) {
      const chars = [...token];
      if (chars.length > maxInputCharsPerWord) {
        output.push(unkToken);
        continue;
      }
      const pieces: string[] = [];
      let start = 0;
      let unknown = false;
      while (start < chars.length) {
        let candidate = start > 0 ? continuingSubwordPrefix : '';
        let best: string | null = null;
        let bestEnd = start;
        for (let end = start + 1; end <= chars.length; end += 1) {
          candidate += chars[end - 1] as string;
          if (!prefixes.has(candidate)) break;
          if (vocab.has(candidate)) {
            best = candidate;
            bestEnd = end;
          }
        }
        if (best === null) {
          unknown = true;
          break;
        }
        pieces.push(best);
        start = bestEnd;
      }
      if (unknown) output.push(unkToken);
      else for (const piece of pieces) output.push(piece);
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
