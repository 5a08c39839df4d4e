/**
 * What the answer layer knows about words, from general resources only: jieba's dictionary (its
 * part-of-speech tags and its IDF table, both shipped in @node-rs/jieba) and the closed word
 * classes of Chinese grammar. Nothing here is shaped by a question of a development set.
 */
import { TfIdf } from '@node-rs/jieba';
import { idf } from '@node-rs/jieba/dict.js';
import { segmenter } from '../../lexical/analyzer.js';

let tfidf: TfIdf | undefined;

/** jieba's keyword extractor, whose IDF table (`idf.txt`, ~270k words of a general corpus) weighs words. */
function idfTable(): TfIdf {
  tfidf ??= TfIdf.withDict(idf);
  return tfidf;
}

/**
 * The IDF jieba's keyword extractor gives to words it does not know (the median of its table):
 * an unknown word is about as specific as a rare one.
 */
export const UNKNOWN_WORD_IDF = 11.9547675029;

const weightMemo = new Map<string, number>();
const WEIGHT_MEMO_MAX = 100_000;

/**
 * How specific a word is in general Chinese text: its IDF in jieba's table, fixed whatever the
 * library holds (a corpus-wide count would move with every document added). A word the table lacks
 * weighs as its most specific dictionary part (大数据 → 数据), or — with none — as an unknown word.
 * Loads the table on first use (~0.2 s): `warmWordTables` does it ahead of the first question.
 */
export function termWeight(term: string): number {
  const known = weightMemo.get(term);
  if (known !== undefined) return known;
  // The extractor segments the term and weighs each dictionary word of two characters or more
  // tf·idf / (words counted); a term's parts occur once each, so a part's idf is its weight × their number.
  const keywords = idfTable().extractKeywords(segmenter(), term, 16, []);
  const weight = keywords.length === 0 ? UNKNOWN_WORD_IDF : Math.max(...keywords.map((k) => k.weight * keywords.length));
  if (weightMemo.size >= WEIGHT_MEMO_MAX) weightMemo.delete(weightMemo.keys().next().value as string);
  weightMemo.set(term, weight);
  return weight;
}

/** Loads jieba's dictionary and IDF table now, so the first question does not pay for it. */
export function warmWordTables(): void {
  termWeight('数据');
}

/** A word of the question with its part-of-speech tag (jieba's tag set, ICTCLAS style: n, v, r, m…). */
export interface TaggedWord {
  word: string;
  tag: string;
}

export function tagWords(text: string): TaggedWord[] {
  return segmenter()
    .tag(text.normalize('NFKC').toLowerCase(), true)
    .map((t) => ({ word: t.word, tag: t.tag }));
}

/**
 * Interrogative pronouns (疑问代词) — a closed class of Chinese grammar (e.g. 黄伯荣、廖序东《现代汉语》,
 * 代词 § 疑问代词: 谁、什么、哪、哪儿、哪里、怎么、怎样、怎么样、几、多少; 何 in the written forms 何时、
 * 如何、为何), and their spoken forms as 《现代汉语词典》(第7版) gives them: 啥 (〈方〉什么), 咋 (〈方〉怎么), 干吗 / 干嘛
 * (〈口〉干什么, 为什么). A word holding one of them asks (哪些, 哪几种, 几毛钱, 什么时候, 干嘛用), it is not asked about.
 */
const INTERROGATIVE_MORPHEMES = ['谁', '什么', '哪', '怎', '几', '多少', '何', '啥', '咋', '干吗', '干嘛'];
/** 多 + a one-syllable adjective asks for a degree (多大, 多久, 多长时间, 多高): 现代汉语 § 疑问代词 (多 as 疑问副词). */
const DEGREE_QUESTION_RE = /^多[大久长高远重深宽快少]/u;
/** Yes-no question forms (是非问 / 正反问): 是否, 能否, 可否, 有无, and A不A / A没A (有没有, 能不能, 是不是). */
const YES_NO_RE = /^(?:是否|能否|可否|有无|与否)$|^(\p{Script=Han})[不没]\1/u;

/** Whether a word asks (an interrogative, a degree question, a yes-no form) rather than names a subject. */
export function isInterrogative(word: string): boolean {
  return INTERROGATIVE_MORPHEMES.some((m) => word.includes(m)) || DEGREE_QUESTION_RE.test(word) || YES_NO_RE.test(word);
}

/**
 * Tags of function words, as the rest of the answer layer reads a made-up word's characters: prepositions (p),
 * conjunctions (c), particles (u…, y), adverbs (d), pronouns (r), numerals (m, mq), measure words (q), locatives (f),
 * interjections and onomatopoeia (e, o), time words (t), punctuation (w) and jieba's own code for a made-up word (x).
 */
export const FUNCTION_TAG_RE = /^(?:p|c|u[a-z]*|d|r|y|m|mq|q|f|e|o|x|w|t|zg)$/u;

/**
 * The closed classes among them, whose dictionary tag a word keeps wherever it stands: pronouns (r, rr, rz, rg),
 * prepositions (p), conjunctions (c), particles (u…, y) and interjections (e, o). Adverbs, numerals, locatives and
 * time words are open enough that jieba's one tag per word misnames content words (一次性/d, 二手/m, 周边/f, 夜间/t).
 */
const CLOSED_CLASS_TAG_RE = /^(?:r[rzg]?|p|c|u[a-z]*|y|e|o)$/u;

/** Negation adverbs (否定副词: 不, 没, 没有, 未, 无, 别, 非): jieba tags 没有 and 无 as verbs. */
const NEGATIONS: ReadonlySet<string> = new Set(['不', '没', '没有', '未', '无', '别', '非']);

/**
 * Whether a word, wherever it stands in a question, shapes the question rather than names what it is about: an
 * interrogative or yes-no form (`isInterrogative`), a negation, a word of a closed class (`CLOSED_CLASS_TAG_RE`: 这些,
 * 各地, 还是, 关于), a pronoun with its measure word (这类), one character jieba tags as any function word (里, 各, 多, 类), a made-up word opened by a pronoun
 * (各是, 这一), or 文件 and the names of jurisdictions (`JURISDICTION_NOUNS`), which say what kind of document a list
 * asks for — wherever they stand, so 城市 of 城市燃气 is not expanded either. Such words are not expanded to
 * neighbours, are no expansion themselves, do not form a phrase of the subject and are not matched against titles.
 */
export function framesQuestion(word: string): boolean {
  if (isInterrogative(word) || NEGATIONS.has(word) || JURISDICTION_NOUNS.has(word) || word === '文件') return true;
  const tagged = tagWords(word);
  // Two or more words: a pronoun with the measure or numeral it takes (这类, 这一类, 哪两类: 指量短语), or closed-class words only.
  if (tagged.length !== 1) return tagged.length > 1 && /^r/u.test(tagged[0]?.tag ?? '') && tagged.slice(1).every((t) => CLOSED_CLASS_TAG_RE.test(t.tag) || /^(?:m|mq|q)$/u.test(t.tag));
  const { tag } = tagged[0] as TaggedWord;
  const chars = [...word];
  if (chars.length === 1) return FUNCTION_TAG_RE.test(tag) && tag !== 'x';
  if (tag === 'x') return tagWords(chars[0] as string)[0]?.tag === 'r';
  // A measure word glued to a scope noun by search-mode cutting (份文件 of 这份文件, 个城市).
  if (chars.length > 2 && tagWords(chars[0] as string)[0]?.tag === 'q' && framesQuestion(chars.slice(1).join(''))) return true;
  return CLOSED_CLASS_TAG_RE.test(tag);
}

/**
 * The parts search-mode cutting yields of a question's interrogative words (一年 of 哪一年, 几种 of 哪几种): they ask as
 * the whole word does. With `framesQuestion`, what in this question is not its subject.
 */
export function questionFrames(question: string): Set<string> {
  const out = new Set<string>();
  for (const { word } of tagWords(question)) {
    if (!isInterrogative(word) || [...word].length < 3) continue;
    for (const part of segmenter().cutForSearch(word, true)) if (part !== word && [...part].length >= 2) out.add(part);
  }
  return out;
}

/**
 * Tags of words that name the subject of a question: nouns (n, nr, ns, nt, nz, ng), verbs (v, vn,
 * vd, vg), adjectives (a, an, ag), distinguishing words (b), abbreviations (j), idioms and set phrases
 * (i, l), place words (s), foreign words (eng). The rest — pronouns (r), numerals (m, mq), measure
 * words (q), time words (t), locatives (f), prepositions (p), conjunctions (c), adverbs (d),
 * particles (u*, y), interjections (e, o) and punctuation (x, w) — shape the question.
 * jieba's tag set is the ICTCLAS one (北大计算语言学研究所《现代汉语语料库加工规范》).
 */
const SUBJECT_TAG_RE = /^(?:n[rstzg]?|v[ndg]?|a[ng]?|b|j|i|l|s|eng)$/u;

export function isSubjectTag(tag: string): boolean {
  return SUBJECT_TAG_RE.test(tag);
}

/**
 * Nouns that, right after an interrogative or a distributive (哪些城市, 哪几个地市, 各城市, 各地),
 * say what kind of thing the answer lists — documents of local governments, or documents — rather
 * than name a subject. Sources: the levels of 《中华人民共和国行政区划》 (省, 自治区, 直辖市, 市, 地区,
 * 县, 区) and their common collective names (城市, 地市, 地方, 省份, 省市), and the document types of
 * 《党政机关公文处理工作条例》(2012) 第八条, the names of regulations (条例, 办法, 细则…) and 文件 itself —
 * not 政策 or 规定, which also name what a document provides (有什么规定).
 */
export const JURISDICTION_NOUNS: ReadonlySet<string> = new Set(['省', '省份', '自治区', '直辖市', '市', '城市', '地市', '地区', '地方', '省市', '县', '区', '县市', '区县']);
export const DOCUMENT_NOUNS: ReadonlySet<string> = new Set([
  '文件', '决议', '决定', '命令', '公报', '公告', '通告', '意见', '通知', '通报', '报告', '请示', '批复', '议案', '函', '纪要',
  '条例', '办法', '规划', '方案', '计划', '细则', '法规',
]);

/** Distributives that spread a question over several (各, 各个, 各地, 各市, 分别): 现代汉语 § 代词 (各 as 指示代词). */
const DISTRIBUTIVE_RE = /^(?:各|各个|各自|每个)$/u;

/**
 * The scope a list question asks over: `local` when it asks for jurisdictions (哪些城市, 各地,
 * 各市, 哪几个地市), `documents` when for documents (哪些文件), else undefined. The noun that says
 * so is a scope word, not a subject (哪些城市… must not match 城市市容管理条例 by its title's 城市).
 */
export interface ListScope {
  kind: 'local' | 'documents';
  /** The words that state the scope, to leave out of the subject. */
  words: string[];
  /**
   * What the listed documents' titles hold, when the question names their kind: each entry a set of alternatives
   * (哪些城市的大数据文件 → [[大数据]]; 哪些城市的规划里 → [[规划, 计划, 方案, 纲要, 要点]]). A list reads those
   * documents only, where any has them.
   */
  titled?: string[][];
}

/**
 * Kinds of documents asked by one another's names: the 计划类 (plans) and 规章类 (rules) of 事务文书 as 公文写作
 * textbooks group them — a 规划 asked for is answered by a 行动计划 or 实施方案 as well.
 */
const KIND_CLASSES: readonly (readonly string[])[] = [
  ['规划', '计划', '方案', '纲要', '要点'],
  ['条例', '规定', '办法', '细则'],
];

/**
 * The document-kind words (`DOCUMENT_NOUNS`, `KIND_CLASSES`: 规划, 计划, 条例, 规定…) a question writes as verbs rather
 * than as a document: not after 的, a demonstrative (这部, 那个, 该, 本) or a name taken out of the text (东莞规划: the
 * caller leaves a space where the name was), and not before a locative (里, 中, 上).
 * 计划在2030年… and 规定了什么 do not point at a 计划 or a 规定; 那个规划里, 这部条例 do.
 */
export function genreWordsNotNamed(question: string): Set<string> {
  const q = question.normalize('NFKC');
  const out = new Set<string>();
  for (const word of new Set([...DOCUMENT_NOUNS, ...KIND_CLASSES.flat()])) {
    for (let at = q.indexOf(word); at >= 0; at = q.indexOf(word, at + 1)) {
      const before = q.slice(Math.max(0, at - 2), at);
      const after = q.slice(at + word.length, at + word.length + 1);
      const asDocument = /(?:的|[这那该本此][部个份项]?|[部个份项]|\s)$/u.test(before) || /^[里中上内]/u.test(after);
      if (asDocument) {
        out.delete(word);
        break;
      }
      out.add(word);
    }
  }
  return out;
}

/**
 * The kind of the listed documents written after the scope (的大数据文件, 的人工智能规划, 的条例): a qualifier of up to
 * 8 characters and a document noun (`DOCUMENT_NOUNS`), followed by where or what the documents say (里, 中, 提到, 讲…) or the end.
 * Without 的, only 文件 (各市大数据文件里): 计划 and 规划 are also verbs (哪些城市计划在…).
 */
const TITLED_RE = new RegExp(`^(的?)([\\p{Script=Han}A-Za-z0-9]{0,8}?)(${[...DOCUMENT_NOUNS].sort((a, b) => b.length - a.length).join('|')})(?=里|中|上|当中|提|讲|说|涉|有|写|明|规|都|要|对|$|[，,？?、])`, 'u');

function titledAfter(rest: string): string[][] | undefined {
  const m = TITLED_RE.exec(rest);
  if (!m) return undefined;
  const [, de, qualifier, noun] = m as unknown as [string, string, string, string];
  if (de === '' && noun !== '文件') return undefined;
  const groups = [...(qualifier === '' ? [] : [[qualifier]]), ...(noun === '文件' ? [] : [[...(KIND_CLASSES.find((c) => c.includes(noun)) ?? [noun])]])];
  return groups.length > 0 ? groups : undefined;
}

/** Which with a singular measure (哪个, 哪一个, 哪家, 哪一): asks for one. */
const SINGULAR_WHICH_RE = /^哪(?:一?个|一|家|位|座)$/u;

export function listScope(question: string): ListScope | undefined {
  const scope = scopeOf(question);
  if (!scope) return undefined;
  const titled = titledAfter(question.slice(scope.end));
  return titled ? { kind: scope.kind, words: scope.words, titled } : { kind: scope.kind, words: scope.words };
}

function scopeOf(question: string): (ListScope & { end: number }) | undefined {
  const tagged = tagWords(question);
  const endOf = (k: number): number => tagged.slice(0, k + 1).reduce((n, t) => n + t.word.length, 0);
  for (let i = 0; i < tagged.length; i += 1) {
    const w = (tagged[i] as TaggedWord).word;
    // 各地, 各市, 各省 are one pronoun (r) in jieba: the distributive with its jurisdiction.
    if (w.length >= 2 && w.startsWith('各') && (JURISDICTION_NOUNS.has(w.slice(1)) || w === '各地')) return { kind: 'local', words: [w, w.slice(1)], end: endOf(i) };
    const asking = isInterrogative(w) || DISTRIBUTIVE_RE.test(w);
    // 哪个区, 哪一个城市: which one — a single place asked (在哪个区、占地多大), not a list over jurisdictions.
    if (!asking || SINGULAR_WHICH_RE.test(w)) continue;
    // The noun right after it (哪些/城市), or after a measure word (哪几/个/城市; 哪些/地/市 as jieba cuts 地市).
    let j = i + 1;
    while (j < tagged.length && /^(?:q|m|mq)$/u.test((tagged[j] as TaggedWord).tag)) j += 1;
    let noun = tagged[j]?.word;
    const next = tagged[j + 1]?.word;
    if (noun && next && JURISDICTION_NOUNS.has(noun + next)) noun += next;
    if (!noun) continue;
    const tail = [...JURISDICTION_NOUNS].find((n) => w.endsWith(n) && w.length > n.length);
    if (tail) return { kind: 'local', words: [w, tail], end: endOf(i) };
    const end = question.indexOf(noun, endOf(j - 1)) + noun.length;
    if (JURISDICTION_NOUNS.has(noun)) return { kind: 'local', words: [noun], end };
    if (DOCUMENT_NOUNS.has(noun)) return { kind: 'documents', words: [noun], end };
  }
  return undefined;
}
