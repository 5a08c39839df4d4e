/**
 * Chinese text → BM25 terms: NFKC + lowercase, 第X条/章/… kept as one numeral-normalized term
 * (第二十四条 and 第24条 both become `第24条`), jieba search-mode segmentation for the rest,
 * punctuation dropped, stopwords removed.
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { CHINESE_NUMERAL_CHARS, parseNumeral } from '../shared/numerals.js';

/** Bump when tokens change: the index manifest records it. */
export const ANALYZER_VERSION = 7;

let jieba: Jieba | undefined;
/** The process's one jieba (its dictionary is ~36 MB): analysis and query understanding share it. */
export function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

export const STOPWORDS = new Set([
  ...'的了和与及等在是对为以将并或其之于由把被向从到有中上下也都而就要可能应该各这那此个我你他们吗呢吧啊着过给让使得所'.split(''),
  '什么', '哪些', '哪个', '怎么', '怎样', '如何', '多少', '是否', '有没有', '是不是', '哪里', '为什么', '可以', '能否', '应当', '一个', '一些',
  '我们', '你们', '他们', '这个', '那个', '这些', '那些', '以及', '或者', '并且', '而且', '关于', '对于', '通过', '按照', '根据', '进行', '有关',
  '相关', '其他', '其中', '之一', '方面', '问题', '请问', '具体', '里', '呀', '么',
]);

/**
 * Abbreviations people type that policy documents usually spell out (AI → 人工智能, 超算 →
 * 超级计算). Applied to documents and queries alike, so either spelling finds both. A Map, not an object
 * literal: tokens come from user and document text, and `constructor` must not find Object's.
 */
export const ABBREVIATIONS: ReadonlyMap<string, string> = new Map([
  ['ai', '人工智能'],
  ['iot', '物联网'],
  ['it', '信息技术'],
  ['ict', '信息通信技术'],
  ['超算', '超级计算'],
  ['算力', '计算能力'],
  ['双创', '创新创业'],
]);

/** The characters after which a Chinese number is read as a count (五百强, 两年): measure words and their kin. */
export const COUNT_FOLLOWERS = '强个家项条年倍名人次类所台户元天月周岁万亿';
/** Chinese numbers with a measure word read like Arabic ones: 五百强 ≡ 500强, 两年 ≡ 2年. */
const COUNT_RE = new RegExp(`([${CHINESE_NUMERAL_CHARS}]{1,6})(?=[${COUNT_FOLLOWERS}])`, 'gu');

function normalizeCounts(text: string): string {
  return text.replace(COUNT_RE, (whole: string, num: string, offset: number, all: string) => {
    // Keep 第X… ordinals (handled separately) and words like 一体化 (no measure word follows).
    // …and 哪一天, 哪一年: an interrogative, not a count.
    if (offset > 0 && (all[offset - 1] === '第' || all[offset - 1] === '哪')) return whole;
    const n = parseNumeral(num);
    return n === undefined ? whole : String(n);
  });
}

const abbreviationCache = new Map<string, string[]>();
/** The terms the spelled-out form analyzes to (超级计算 → 超级, 计算), as documents index it. */
function expandedAbbreviation(full: string): string[] {
  let terms = abbreviationCache.get(full);
  if (!terms) {
    terms = segmenter()
      .cutForSearch(full, true)
      .map((x) => x.trim())
      .filter((x) => x !== '' && KEEP.test(x) && !STOPWORDS.has(x));
    abbreviationCache.set(full, terms);
  }
  return terms;
}

const ORDINAL_RE = new RegExp(`第([${CHINESE_NUMERAL_CHARS}]{1,8}|[0-9]{1,5})(编|章|节|条|款|项)`, 'gu');
const KEEP = /[\p{L}\p{N}]/u;

/**
 * A segmentation artefact: a term jieba's HMM made up (not a dictionary word) whose first character
 * is a function word — 对大 in 对大数据, 各对 in 各对数据中心. Such a term names nothing.
 */
export function isGlueArtefact(term: string): boolean {
  if ([...term].length !== 2 || !STOPWORDS.has(term[0] as string)) return false;
  return segmenter().cut(term, false).length > 1;
}

/** Terms of a text for indexing or querying (duplicates kept: BM25 counts them). */
export function analyze(text: string): string[] {
  const normalized = normalizeCounts(text.normalize('NFKC').toLowerCase());
  const terms: string[] = [];
  let last = 0;
  const pushSegment = (segment: string): void => {
    if (segment.trim() === '') return;
    for (const token of segmenter().cutForSearch(segment, true)) {
      const t = token.trim();
      if (t === '' || !KEEP.test(t) || STOPWORDS.has(t)) continue;
      const full = ABBREVIATIONS.get(t);
      if (full === undefined) terms.push(t);
      else terms.push(...expandedAbbreviation(full));
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

/** How often each of a text's terms occurs: what BM25 indexes of a passage. */
export function termCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of analyze(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}
