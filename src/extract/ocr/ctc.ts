/**
 * CTC greedy decoding of a recognizer's output (PaddleOCR's CTCLabelDecode): the best class at each time step,
 * repeats collapsed, blanks (class 0) dropped; the confidence is the mean probability of the kept steps. Pure.
 */

export interface DecodedLine {
  text: string;
  /** Mean probability of the characters kept (0 when none). */
  score: number;
}

/**
 * Decodes item `item` of a `[batch, steps, classes]` probability tensor. `charset[k]` is the character of
 * class k (k ≥ 1; class 0 is the CTC blank).
 */
export function ctcGreedyDecode(probs: Float32Array, steps: number, classes: number, item: number, charset: readonly string[]): DecodedLine {
  let text = '';
  let sum = 0;
  let kept = 0;
  let previous = -1;
  const base = item * steps * classes;
  for (let t = 0; t < steps; t += 1) {
    const row = base + t * classes;
    let best = 0;
    let bestP = probs[row] as number;
    for (let k = 1; k < classes; k += 1) {
      const p = probs[row + k] as number;
      if (p > bestP) {
        bestP = p;
        best = k;
      }
    }
    if (best !== 0 && best !== previous) {
      text += charset[best] ?? '';
      sum += bestP;
      kept += 1;
    }
    previous = best;
  }
  return { text, score: kept === 0 ? 0 : sum / kept };
}

/** PaddleOCR's character list: blank, the dictionary's lines, then a space (use_space_char). */
export function charsetFromDictionary(dictionary: string): string[] {
  const lines = dictionary.replace(/\r\n?/gu, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return ['', ...lines, ' '];
}
