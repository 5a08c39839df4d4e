import { describe, expect, it } from 'vitest';
import { pipeline, env } from '@huggingface/transformers';
import { accelerateWordPiece, createWordPieceEncoder, meanPool } from '../../src/embeddings/fast-paths.js';
import { resolveProfile } from '../../src/embeddings/profiles.js';
import { createTransformersEmbedder } from '../../src/embeddings/transformers-embedder.js';
import { MODELS_DIR, realCorpus } from '../helpers.js';

/** transformers.js 4.3's WordPiece loop, as written there: the reference the encoder must equal. */
function libraryWordPiece(vocab: Map<string, number>, unk: string, max: number, prefix: string, tokens: string[]): string[] {
  const out: string[] = [];
  for (const token of tokens) {
    const chars = [...token];
    if (chars.length > max) {
      out.push(unk);
      continue;
    }
    let unknown = false;
    let start = 0;
    const subs: string[] = [];
    while (start < chars.length) {
      let end = chars.length;
      let current: string | null = null;
      while (start < end) {
        let sub = chars.slice(start, end).join('');
        if (start > 0) sub = prefix + sub;
        if (vocab.has(sub)) {
          current = sub;
          break;
        }
        end -= 1;
      }
      if (current === null) {
        unknown = true;
        break;
      }
      subs.push(current);
      start = end;
    }
    if (unknown) out.push(unk);
    else out.push(...subs);
  }
  return out;
}

describe('createWordPieceEncoder', () => {
  const vocab = new Map(['[UNK]', '数据', '数据中心', '中心', '数', '据', '中', '心', '##心', '##据', 'a', 'ab', '##b', '😀'].map((t, i) => [t, i]));
  const cases = [['数据中心'], ['数据中'], ['数据心'], ['abab'], ['b'], ['据数'], ['😀数据'], ['数据中心数据中心数据'], [''], ['x数据']];

  it('matches the library loop with an empty continuing prefix', () => {
    const encode = createWordPieceEncoder(vocab, '[UNK]', 8, '');
    for (const c of cases) expect(encode(c)).toEqual(libraryWordPiece(vocab, '[UNK]', 8, '', c));
    expect(encode(['数据中心'])).toEqual(['数据中心']);
    expect(encode(['数据中心数据中心数据'])).toEqual(['[UNK]']);
  });

  it('matches the library loop with a ## prefix', () => {
    const encode = createWordPieceEncoder(vocab, '[UNK]', 8, '##');
    for (const c of cases) expect(encode(c)).toEqual(libraryWordPiece(vocab, '[UNK]', 8, '##', c));
    expect(encode(['数据心'])).toEqual(['数据', '##心']);
    expect(encode(['abab'])).toEqual(['[UNK]']);
  });
});

describe('accelerateWordPiece', () => {
  it('finds the WordPiece model of the offline model\'s tokenizer and tokenizes as before', { timeout: 60_000 }, async () => {
    env.localModelPath = `${MODELS_DIR}/`;
    env.allowRemoteModels = false;
    const extractor = await pipeline('feature-extraction', 'synonyms-w2v-zh', { dtype: 'fp32' });
    const texts = (await realCorpus()).flatMap((d) => d.chunks.map((c) => c.indexText)).slice(0, 200);
    const before = texts.map((t) => extractor.tokenizer.encode(t));
    expect(accelerateWordPiece(extractor.tokenizer)).toBe(true);
    expect(texts.map((t) => extractor.tokenizer.encode(t))).toEqual(before);
    expect(accelerateWordPiece({ _tokenizer: { model: { config: { type: 'BPE' } } } })).toBe(false);
    await extractor.dispose();
  });
});

describe('meanPool', () => {
  it('averages unmasked positions in the same floats as the per-dimension loop', () => {
    const [batch, seq, dim] = [2, 3, 4];
    const hidden = Float32Array.from({ length: batch * seq * dim }, (_, i) => Math.sin(i * 1.7) * 3.1);
    const mask = BigInt64Array.from([1n, 1n, 0n, 1n, 1n, 1n]);
    const expected = new Float32Array(batch * dim);
    for (let i = 0; i < batch; i += 1) {
      for (let k = 0; k < dim; k += 1) {
        let sum = 0;
        let count = 0;
        for (let j = 0; j < seq; j += 1) {
          const attn = Number(mask[i * seq + j]);
          count += attn;
          sum += (hidden[(i * seq + j) * dim + k] as number) * attn;
        }
        expected[i * dim + k] = sum / count;
      }
    }
    expect(Array.from(meanPool(hidden, mask, batch, seq, dim))).toEqual(Array.from(expected));
  });
});

describe('the transformers embedder with fast paths', () => {
  it('returns bit-identical vectors to the library steps for every corpus passage', { timeout: 120_000 }, async () => {
    const profile = resolveProfile('synonyms-w2v-zh');
    const options = { profile, modelsDir: MODELS_DIR, allowRemoteModels: false, batchSize: 8 };
    const fast = await createTransformersEmbedder(options);
    const slow = await createTransformersEmbedder({ ...options, fastPaths: false });
    const texts = (await realCorpus()).flatMap((d) => d.chunks.map((c) => c.indexText));
    // Odd inputs too: Latin and digits, emoji (surrogate pairs), a run longer than a pre-token, blanks.
    texts.push('AI 5G 人工智能 😀 数据', '长'.repeat(80), '   ', 'ＡＢＣ１２３（全角）', '');
    const [a, b] = await Promise.all([fast.embedDocuments(texts), slow.embedDocuments(texts)]);
    expect(a).toHaveLength(texts.length);
    const differing = a.flatMap((v, i) => (Buffer.compare(Buffer.from(v.buffer, v.byteOffset, v.byteLength), Buffer.from((b[i] as Float32Array).buffer, (b[i] as Float32Array).byteOffset, (b[i] as Float32Array).byteLength)) === 0 ? [] : [i]));
    expect(differing).toEqual([]);
    await Promise.all([fast.dispose?.(), slow.dispose?.()]);
  });
});
