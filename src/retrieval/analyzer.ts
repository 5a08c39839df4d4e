/**
 * Chinese text → BM25 terms: NFKC + lowercase, 第X条/章/… kept as one numeral-normalized term
 * (第二十四条 and 第24条 both become `第24条`), jieba search-mode segmentation for the rest,
 * punctuation dropped, stopwords removed.
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { parseNumeral } from '../shared/numerals.js';

/** Bump when tokens change: the index manifest records it. */
export const ANALYZER_VERSION = 1;

let jieba: Jieba | undefined;
function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

export const STOPWORDS = new Set([
  ...'的了和与及等在是对为以将并或其之于由把被向从到有中上下也都而就要可能应该各这那此个我你他们吗呢吧啊着过给让使得所'.split(''),
  '什么', '哪些', '哪个', '怎么', '怎样', '如何', '多少', '是否', '有没有', '是不是', '哪里', '为什么', '可以', '能否', '应当', '一个', '一些',
  '我们', '你们', '他们', '这个', '那个', '这些', '那些', '以及', '或者', '并且', '而且', '关于', '对于', '通过', '按照', '根据', '进行', '有关',
  '相关', '其他', '其中', '之一', '方面', '问题', '请问', '具体', '里', '呀', '么',
]);

const ORDINAL_RE = /第([零〇一二两三四五六七八九十百千]{1,8}|[0-9]{1,5})(编|章|节|条|款|项)/gu;
const KEEP = /[\p{L}\p{N}]/u;

/** Terms of a text for indexing or querying (duplicates kept: BM25 counts them). */
export function analyze(text: string): string[] {
  const normalized = text.normalize('NFKC').toLowerCase();
  const terms: string[] = [];
  let last = 0;
  const pushSegment = (segment: string): void => {
    if (segment.trim() === '') return;
    for (const token of segmenter().cutForSearch(segment, true)) {
      const t = token.trim();
      if (t === '' || !KEEP.test(t) || STOPWORDS.has(t)) continue;
      terms.push(t);
    }
  };
  for (const m of normalized.matchAll(ORDINAL_RE)) {
    pushSegment(normalized.slice(last, m.index));
    const n = parseNumeral(m[1] as string);
    terms.push(n === undefined ? m[0] : `第${n}${m[2]}`);
    last = m.index + m[0].length;
  }
  pushSegment(normalized.slice(last));
  return terms;
}
