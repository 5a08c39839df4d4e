/**
 * Sound keys for names typed with the wrong characters: a pinyin input method offers every character of a syllable,
 * so 清远 comes out as 青远 or 清源 and 惠州 as 慧州. The key is the toneless pinyin of each character (pinyin-pro,
 * which reads polyphones in context), so two spellings of one sound share it. Used for jurisdiction names only.
 */
import { pinyin } from 'pinyin-pro';

/** The toneless pinyin of a run of Han characters (清远 → "qing yuan"), else undefined. */
export function soundsLikeKey(text: string): string | undefined {
  if (!/^\p{Script=Han}+$/u.test(text)) return undefined;
  return pinyin(text, { toneType: 'none', type: 'array' }).join(' ');
}
