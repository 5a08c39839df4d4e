/**
 * Query understanding: which documents a question names (云浮, 国务院, 深圳, AI规划…), which clause
 * it points at (第十条, 专栏3, （二）, 专栏1里第8项), which places it names that no document covers,
 * and whether it asks for a quantity. Pure given the documents.
 */
import type { Jieba } from '@node-rs/jieba';
import { instrumentTitle } from '../corpus/lineage.js';
import type { SectionKind, SectionNode } from '../corpus/parser.js';
import { CHINESE_NUMERAL_CHARS, ORDINAL_NUMBER_SOURCE, parseNumeral } from '../shared/numerals.js';
import { analyze, segmenter } from '../lexical/analyzer.js';
import { framesQuestion, genreWordsNotNamed, JURISDICTION_NOUNS, questionFrames } from './answer/words.js';
import { normalizeTitle, TITLE_GENRES, unknownTitles } from './named-titles.js';
import { soundsLikeKey } from './sounds-like.js';
import type { IndexedDocument } from '../storage/file/knowledge-index.js';

const CHINESE_NUMERAL_RE = new RegExp(`[${CHINESE_NUMERAL_CHARS}]`, 'u');

/** Tags and cuts with the analyzer's jieba: one dictionary in memory. */
function tagger(): Jieba {
  return segmenter();
}

export interface ClauseRef {
  /** Kinds the reference may denote (第3条 is an article in 云浮, item 3. in 惠州). */
  kinds: SectionKind[];
  number: number;
  /** As written in the query. */
  text: string;
}

export interface QueryUnderstanding {
  /** BM25 terms. */
  terms: string[];
  /** Documents the query names, with the words that named them. */
  namedDocs: { docId: string; by: string }[];
  clauseRefs: ClauseRef[];
  /** Places (jieba `ns`) that name no document. */
  unknownPlaces: string[];
  /** Titles written out (《…》, or with their years) that no document has, when no other document is named. */
  unknownTitles?: string[];
  /** Documents the question sets aside (除了国务院那个规划，还有哪些…): not named, and left out of the results. */
  excludedDocs?: { docId: string; by: string }[];
}

const NATIONAL_PREFIX_RE = /^中华人民共和国(\p{Script=Han}.*)$/u;

/** Aliases per document: title, short title, issuer, place names (云浮市 → 云浮), front-matter aliases. */
export function documentAliases(doc: Pick<IndexedDocument, 'meta'>): string[] {
  const out = new Set<string>();
  const add = (s: string | undefined): void => {
    const t = s?.trim();
    if (t && t.length >= 2) out.add(t);
  };
  const bare = doc.meta.title.replace(/[（(][^）)]*[）)]/gu, '');
  add(doc.meta.title);
  add(bare);
  // A national law is cited without its state's name (《未成年人保护法》 for 中华人民共和国未成年人保护法: 立法技术规范, 法律名称的简称).
  const short = NATIONAL_PREFIX_RE.exec(bare)?.[1];
  if (short !== undefined && short.length >= 4) add(short);
  add(doc.meta.issuer);
  // The jurisdictions a title or issuer starts with (广东省云浮市…): the places it is about. A place
  // named further in (…城市市容管理条例, 关于支持深圳…) is a subject of the document, not its own name,
  // and a collective noun (城市, 地区) names no place.
  for (const [full, stem] of jurisdictionsOf(doc)) {
    add(full);
    add(stem);
  }
  for (const a of doc.meta.aliases ?? []) add(a);
  // Generic issuers name no particular document.
  for (const generic of ['人民政府', '办公室']) out.delete(generic);
  return [...out];
}

const JURISDICTION_PREFIX_RE = /^([\u4e00-\u9fa5]{2,7}?)(省|市|自治区|县)/u;

/** The jurisdictions a title or issuer starts with, each as [written, stem] (广东省云浮市… → 广东省/广东, 云浮市/云浮). */
function jurisdictionsOf(doc: Pick<IndexedDocument, 'meta'>): [string, string][] {
  const out: [string, string][] = [];
  for (const text of [doc.meta.title, doc.meta.issuer]) {
    let rest = text.trim();
    for (;;) {
      const m = JURISDICTION_PREFIX_RE.exec(rest);
      if (!m || JURISDICTION_NOUNS.has(m[1] as string) || !(endsAtWord(rest, m[0].length) || namesPlace(m[1] as string))) break;
      out.push([m[0], m[1] as string]);
      rest = rest.slice(m[0].length);
    }
  }
  return out;
}

/** Whether jieba reads a stem as one place name (中山 of 中山市委…, cut 中山/市委), not as another word (体育 of 体育市场). */
function namesPlace(stem: string): boolean {
  const words = tagger().tag(stem, true);
  return words.length === 1 && words[0]?.tag === 'ns';
}

/** Whether a segmentation of `text` has a word boundary at `at` (体育市场… has none after 体育市: 市场 is one word). */
function endsAtWord(text: string, at: number): boolean {
  let end = 0;
  for (const w of tagger().cut(text, true)) {
    end += w.length;
    if (end >= at) return end === at;
  }
  return end === at;
}

export interface AliasTable {
  /** alias → docIds, longest aliases first. */
  entries: { alias: string; docIds: string[] }[];
  /** docId → the words of its title (they tell apart documents one alias names: 内蒙古 → 噪声 or 家庭暴力). */
  titleWords?: Map<string, Set<string>>;
  /** Every document's title and issuer: a place written there (路桥区 in 路桥区卫生局) is not unknown. */
  metaTexts?: string[];
  /** Kind of document (批复, 条例, 通知: the word a title ends with) → docIds, for 这份批复, 该条例. */
  genres?: Map<string, string[]>;
  /** Every document's title, normalized (`normalizeTitle`): a title the question writes out is looked for there. */
  titles?: string[];
  /**
   * docId → its instrument (`instrumentTitle`: the title versions share) and the years of its own text (issued, in
   * force from): 2020年的未成年人保护法 is that year's version.
   */
  versions?: Map<string, { instrument: string; years: Set<string> }>;
  /**
   * Jurisdiction names (云浮, 清远: the places titles and issuers start with) by their toneless pinyin, for a name
   * typed with the wrong characters of the same sound (青远, 慧州). A sound two names share is left out (ambiguous).
   */
  soundAlike?: Map<string, string>;
}

/**
 * 除了…(以外/之外)，还有/其他…: the exceptive construction (现代汉语八百词, 除了 ①: 排除特殊, 后面常有 还, 也, 其他);
 * the part set aside is group 1. A bare 除 only opening the question or a clause: 解除, 免除, 删除 are verbs.
 */
const EXCEPT_RE = /(?:除了|除去|除开|(?<!\p{Script=Han})除)([^，,。；;？?！!]{1,40}?)(?:以外|之外|外)?(?=[，,\s]|还|也|另外|其他|其它|别的)/u;

const GENRE_END_RE = new RegExp(`(${TITLE_GENRES})$`, 'u');
/** 这份批复, 该条例, 这部办法: the question points at the document of that kind it is about. */
const GENRE_REF_RE = new RegExp(`(?:这份|这部|这个|这项|该)(${TITLE_GENRES})`, 'u');

export function buildAliasTable(documents: Iterable<Pick<IndexedDocument, 'meta'>>): AliasTable {
  const map = new Map<string, Set<string>>();
  const titleWords = new Map<string, Set<string>>();
  const metaTexts: string[] = [];
  const genres = new Map<string, string[]>();
  const titles: string[] = [];
  const versions = new Map<string, { instrument: string; years: Set<string> }>();
  const sounds = new Map<string, Set<string>>();
  for (const doc of documents) {
    const own = [doc.meta.dateIssued, doc.meta.effectiveFrom].flatMap((d) => (d ? [d.slice(0, 4)] : []));
    versions.set(doc.meta.docId, { instrument: instrumentTitle(doc.meta.title), years: new Set(own) });
    for (const [, stem] of jurisdictionsOf(doc)) {
      const key = soundsLikeKey(stem);
      if (key !== undefined) sounds.set(key, (sounds.get(key) ?? new Set()).add(stem.toLowerCase()));
    }
    metaTexts.push(doc.meta.title.toLowerCase(), doc.meta.issuer.toLowerCase());
    titles.push(normalizeTitle(doc.meta.title));
    const genre = GENRE_END_RE.exec(doc.meta.title.replace(/[（(][^）)]*[）)]\s*$/u, '').trim())?.[1];
    if (genre) genres.set(genre, [...(genres.get(genre) ?? []), doc.meta.docId]);
    titleWords.set(doc.meta.docId, new Set(analyze(doc.meta.title).filter((w) => w.length >= 2)));
    for (const alias of documentAliases(doc)) {
      const key = alias.toLowerCase();
      let set = map.get(key);
      if (!set) map.set(key, (set = new Set()));
      set.add(doc.meta.docId);
    }
  }
  const entries = [...map].map(([alias, ids]) => ({ alias, docIds: [...ids].sort() }));
  entries.sort((a, b) => b.alias.length - a.alias.length || a.alias.localeCompare(b.alias));
  const soundAlike = new Map([...sounds].filter(([, names]) => names.size === 1).map(([key, names]) => [key, [...names][0] as string]));
  return { entries, titleWords, metaTexts, genres, titles, soundAlike, versions };
}

// 第一千条 and 第1000条 too: the one definition of a heading number (shared/numerals).
const CN_NUM = ORDINAL_NUMBER_SOURCE;
// Bounded, alternation-free at the repeat level: safe on any input.
const REF_RE = new RegExp(
  [
    `第(${CN_NUM})\\s?(条|章|节|编|款|项|部分)`,
    `专栏\\s?(${CN_NUM})(?:\\s?[-－—–]\\s?([0-9]{1,3}))?`,
    `[（(](${CN_NUM})[）)]`,
    `第[（(](${CN_NUM})[）)]`,
  ].join('|'),
  'gu',
);
/** Words jieba tags as places that name no jurisdiction, or the country itself (every national document is about it). */
export const NOT_PLACES: ReadonlySet<string> = new Set(['中国', '我国', '中华人民共和国', '城市', '东西', '地方', '全国', '国内', '国外', '海外', '各地', '本地', '当地', '外地', '全省', '全市', '本市', '我市', '中央', '各省', '各市', '城乡', '农村', '乡村', '社区', '园区', '片区', '新区', '特区', '境内', '境外']);

/** The references one match writes: one, or two for a box's item (专栏5-17 → 专栏5 › its item 17). */
function refFrom(m: RegExpExecArray): ClauseRef[] {
  const text = m[0];
  if (m[1] !== undefined) {
    const n = parseNumeral(m[1]);
    if (n === undefined) return [];
    const unit = m[2];
    const kinds: SectionKind[] =
      unit === '条' ? ['article', 'item-num'] : unit === '章' ? ['chapter'] : unit === '节' ? ['section'] : unit === '编' ? ['part'] : unit === '款' ? ['clause'] : unit === '项' ? ['item-num', 'item-num-paren', 'box-item'] : ['item-cn', 'item-cn-paren'];
    return [{ kinds, number: n, text }];
  }
  const n = parseNumeral(m[3] ?? m[5] ?? m[6] ?? '');
  if (n === undefined) return [];
  if (m[3] !== undefined) {
    const minor = m[4] === undefined ? undefined : Number(m[4]);
    if (minor === undefined) return [{ kinds: ['box'], number: n, text }];
    return [{ kinds: ['box'], number: n, text: text.slice(0, text.search(/[-－—–]/u)).trim() }, { kinds: ['box-item'], number: minor, text: text.slice(text.search(/[-－—–]/u)) }];
  }
  const isChinese = CHINESE_NUMERAL_RE.test(text);
  return [{ kinds: isChinese ? ['item-cn-paren', 'item-cn'] : ['item-num-paren', 'item-num'], number: n, text }];
}

/**
 * Whether the segmentation cut across a short name rather than inside a longer word: at one of its occurrences one edge
 * of the name is a word boundary and a word crosses the other (云浮云计算 → 云/浮云/计算: 浮云 crosses 云浮's end). A word
 * holding the name whole (国家级) or crossing both edges (集中山区 → 集中/山区) does not name it.
 */
function cutAcross(cut: readonly string[], text: string, name: string): boolean {
  const spans: [number, number][] = [];
  let at = 0;
  for (const w of cut) spans.push([at, (at += w.length)]);
  if (at !== text.length) return false;
  const boundary = (i: number): boolean => i === 0 || spans.some(([, e]) => e === i);
  for (let s = text.indexOf(name); s >= 0; s = text.indexOf(name, s + 1)) {
    const e = s + name.length;
    // The start a boundary, the end crossed by a word that starts inside the name; or the mirror case.
    if (boundary(s) && spans.some(([ws, we]) => ws > s && ws < e && we > e)) return true;
    if (boundary(e) && spans.some(([ws, we]) => we > s && we < e && ws < s)) return true;
  }
  return false;
}

export function understandQuery(query: string, aliases: AliasTable): QueryUnderstanding {
  const lower = query.normalize('NFKC').toLowerCase();
  const cut = tagger().cut(lower, true);
  const tokens = new Set(cut);
  const namedDocs: { docId: string; by: string }[] = [];
  const seen = new Set<string>();
  let rest = lower;
  for (const { alias, docIds } of aliases.entries) {
    if (!rest.includes(alias)) continue;
    // Short aliases (国家, 云浮) must be whole words: 国家 does not name a plan in 国家级.
    if (alias.length <= 2 && !tokens.has(alias) && !cutAcross(cut, lower, alias)) continue;
    rest = rest.split(alias).join(' ');
    for (const docId of docIds) {
      if (seen.has(docId)) continue;
      seen.add(docId);
      namedDocs.push({ docId, by: alias });
    }
  }
  // No document named, but a jurisdiction typed with other characters of its sound (青远 for 清远): named by it.
  if (namedDocs.length === 0 && aliases.soundAlike) {
    for (const { word, tag } of tagger().tag(lower, true)) {
      const alias = soundAlikeName(word, tag, aliases.soundAlike);
      if (alias === undefined) continue;
      for (const docId of aliases.entries.find((e) => e.alias === alias)?.docIds ?? []) {
        if (seen.has(docId)) continue;
        seen.add(docId);
        namedDocs.push({ docId, by: word });
      }
    }
  }
  // No document named, but one of a kind pointed at (这份批复): the documents of that kind.
  const genreRef = namedDocs.length === 0 ? GENRE_REF_RE.exec(lower) : null;
  if (genreRef) for (const docId of aliases.genres?.get(genreRef[1] as string) ?? []) namedDocs.push({ docId, by: genreRef[0] });
  // 除了 X(以外)，还有哪些…: X is set aside, not asked about.
  const aside = EXCEPT_RE.exec(lower)?.[1];
  const excludedDocs = aside === undefined ? [] : namedDocs.filter((d) => aside.includes(d.by));
  const kept = excludedDocs.length > 0 ? namedDocs.filter((d) => !excludedDocs.includes(d)) : namedDocs;
  const byTitle = aliases.titleWords ? narrowByTitle(kept, analyze(rest), aliases.titleWords, new Set([...questionFrames(rest), ...genreWordsNotNamed(rest)])) : kept;
  const named = aliases.versions ? narrowByYear(byTitle, rest, aliases.versions) : byTitle;
  const clauseRefs: ClauseRef[] = [];
  for (const m of query.normalize('NFKC').matchAll(REF_RE)) {
    clauseRefs.push(...refFrom(m));
  }
  const aliasSet = new Set(aliases.entries.map((e) => e.alias));
  const unknownPlaces = placeWords(query).filter((w) => w.length >= 2 && !aliasSet.has(w.toLowerCase()) && !NOT_PLACES.has(w) && !aliases.metaTexts?.some((m) => writesPlace(m, w.toLowerCase())));
  // A title the library lacks, unless another document is named besides it (根据《…》, 云浮怎么做: about 云浮's). A document
  // named only inside the attribute of the title (云浮办法依据的《…》定了哪些目标: …的 right before it) is not asked about:
  // the title is.
  const titles = aliases.titles ? unknownTitles(query, aliases.titles, (t) => tagger().cut(t, false)) : [];
  const normalizedLower = query.normalize('NFKC').toLowerCase();
  // A fact a citation carries (the title's 文号, year or issuer: 中山计划依据的《…》是几号文) is still the named document's to give.
  const citedFact = CITATION_FACT_RE.test(normalizedLower.slice(normalizedLower.lastIndexOf('》') + 1));
  const namedElsewhere = named.some((d) => !titles.some((t) => t.toLowerCase().includes(d.by) || (!citedFact && modifiesTitle(normalizedLower, d.by, t.toLowerCase()))));
  return {
    terms: analyze(query),
    namedDocs: named,
    clauseRefs,
    unknownPlaces: named.length === 0 ? [...new Set(unknownPlaces)] : [],
    ...(titles.length > 0 && !namedElsewhere ? { unknownTitles: titles } : {}),
    ...(excludedDocs.length > 0 ? { excludedDocs } : {}),
  };
}

/**
 * What a document citing another states of it beside its title (the citation's own parts: 文号, year, issuer — 《…》
 * (国发〔2015〕50号), (2016~2020年)): a question asking these of a cited title is answered by the citing text.
 */
const CITATION_FACT_RE = /文号|几号文|发文字号|哪一?年(?:发|出|印发|的)|年份|谁发|哪个部门发|发文机关|全称/u;

/**
 * Whether the word naming a document stands in the attribute (定语) of a title written after it: the words between them
 * hold no break of clause and end with 的 (云浮办法依据的《…》, 深圳这份计划提到的《…》). Such a title is what is asked
 * about; the document only tells which title it is.
 */
function modifiesTitle(query: string, by: string, title: string): boolean {
  const at = query.indexOf(`《${title}》`);
  const from = query.indexOf(by);
  if (at < 0 || from < 0 || from + by.length > at) return false;
  const between = query.slice(from + by.length, at);
  return !/[，,。？?；;！!：:]/u.test(between) && /的$/u.test(between);
}

/**
 * The place names of a question (jieba `ns`), including the place an organisation's name starts with (日本政府,
 * 上海市政府: jieba tags the whole `nt`; its longest leading part tagged `ns` is the place).
 */
function placeWords(query: string): string[] {
  const out: string[] = [];
  for (const { word, tag } of tagger().tag(query, true)) {
    if (tag === 'ns') out.push(word);
    else if (tag === 'nt') {
      for (let n = word.length - 1; n >= 2; n -= 1) {
        const part = tagger().tag(word.slice(0, n), true);
        if (part.length === 1 && part[0]?.tag === 'ns') {
          out.push(word.slice(0, n));
          break;
        }
      }
    }
  }
  return out;
}

/**
 * An administrative division's generic part (宪法 第三十条 and GB/T 2260's names: 省, 自治区, 市, 州, 县, 区, 旗, 盟, 乡, 镇,
 * and 特别行政区, 地区, 林区), written after a place's own name (苏州市, 内蒙古自治区).
 */
const DIVISION_SUFFIXES = '省|市|县|区|州|盟|旗|乡|镇|自治区|自治州|自治县|自治旗|特别行政区|地区|林区';
const DIVISION_SUFFIX_RE = new RegExp(`^(?:${DIVISION_SUFFIXES})?$`, 'u');
const ENDS_IN_DIVISION_RE = new RegExp(`(?:${DIVISION_SUFFIXES})$`, 'u');

/**
 * Whether a title or issuer writes the place `place`: somewhere not inside another place's name (苏州 in 苏州河, 黄浦 in
 * 黄浦江 are not 苏州, 黄浦区). An occurrence counts where jieba's word holding it is no place name, is the place with
 * its division's part (苏州市), or holds a full division name within a longer one (江苏省苏州市).
 */
function writesPlace(text: string, place: string): boolean {
  if (!text.includes(place)) return false;
  const words: { start: number; word: string; tag: string }[] = [];
  let at = 0;
  for (const { word, tag } of tagger().tag(text, true)) {
    words.push({ start: at, word, tag });
    at += word.length;
  }
  for (let i = text.indexOf(place); i >= 0; i = text.indexOf(place, i + 1)) {
    const holder = words.find((w) => w.start <= i && i < w.start + w.word.length);
    if (holder === undefined || i + place.length > holder.start + holder.word.length) return true;
    if (holder.tag !== 'ns') return true;
    const after = holder.word.slice(i - holder.start + place.length);
    if ((i === holder.start && DIVISION_SUFFIX_RE.test(after)) || (after === '' && ENDS_IN_DIVISION_RE.test(place))) return true;
  }
  return false;
}

/**
 * The jurisdiction a question word sounds like when it is written with other characters (青远 → 清远), else undefined.
 * Only a noun or a word jieba does not know (x) of 2–4 characters sharing a character with the place is read: a verb of
 * the same sound (请愿) is no typo.
 */
function soundAlikeName(word: string, tag: string, soundAlike: ReadonlyMap<string, string>): string | undefined {
  // A real place (钟山: ns) or a word of another kind is no typo; nor is a noun sharing no character with the place
  // (孕妇 sounds as 云浮, 附件 as 福建): a mistyped name keeps some of its characters (青远, 慧州, 清源).
  if (!/^(?:n|x)/u.test(tag) || tag === 'ns' || !/^\p{Script=Han}{2,4}$/u.test(word)) return undefined;
  const key = soundsLikeKey(word);
  const alias = key === undefined ? undefined : soundAlike.get(key);
  if (alias === undefined || alias === word || ![...word].some((ch) => alias.includes(ch))) return undefined;
  return alias;
}

/**
 * One name for several documents (内蒙古 for its 噪声 and 反家庭暴力 条例, 国务院 for a plan and a
 * regulation): keep those whose titles share the most of the question's other words (燃气条例 →
 * 城镇燃气管理条例), when that tells them apart; otherwise all stay named. `frames`: words of this question that tell no
 * title apart (`questionFrames`, and a document-kind word written as a verb: `genreWordsNotNamed`).
 */
export function narrowByTitle(namedDocs: readonly { docId: string; by: string }[], restTerms: readonly string[], titleWords: ReadonlyMap<string, ReadonlySet<string>>, frames: ReadonlySet<string> = new Set()): { docId: string; by: string }[] {
  const words = new Set(restTerms.filter((t) => t.length >= 2 && !framesQuestion(t) && !frames.has(t)));
  const shared = (docId: string): number => {
    let n = 0;
    for (const w of titleWords.get(docId) ?? []) if (words.has(w)) n += 1;
    return n;
  };
  const keep = new Set<string>();
  for (const by of new Set(namedDocs.map((d) => d.by))) {
    const group = namedDocs.filter((d) => d.by === by);
    const scores = group.map((d) => shared(d.docId));
    const best = Math.max(...scores);
    group.forEach((d, i) => {
      if (group.length === 1 || best === 0 || scores[i] === best) keep.add(d.docId);
    });
  }
  return namedDocs.filter((d) => keep.has(d.docId));
}

/** A year written as a version's (2020年的, 2020版, 2020年修订的): four digits before 年 or 版. */
const VERSION_YEAR_RE = /(?<![0-9])((?:19|20)[0-9]{2})\s*(?:年|版)/gu;

/**
 * Versions of one instrument named by one name (未成年人保护法 as revised in 2020 and as amended in 2024): where the
 * question writes a year, those of its documents issued or in force from that year are the ones named — when some, not
 * all, are. A year no version carries (未成年人保护法2025年有什么新规定) narrows nothing; nor does a name of several
 * instruments (广州 到2025年…: a plan's target year is no version).
 */
export function narrowByYear(namedDocs: readonly { docId: string; by: string }[], rest: string, versions: ReadonlyMap<string, { instrument: string; years: ReadonlySet<string> }>): { docId: string; by: string }[] {
  const written = [...rest.matchAll(VERSION_YEAR_RE)].map((m) => m[1] as string);
  if (written.length === 0) return [...namedDocs];
  const drop = new Set<string>();
  for (const by of new Set(namedDocs.map((d) => d.by))) {
    const group = namedDocs.filter((d) => d.by === by);
    if (new Set(group.map((d) => versions.get(d.docId)?.instrument)).size !== 1) continue;
    const ofYear = group.filter((d) => written.some((y) => versions.get(d.docId)?.years.has(y)));
    if (ofYear.length > 0 && ofYear.length < group.length) for (const d of group) if (!ofYear.includes(d)) drop.add(d.docId);
  }
  return namedDocs.filter((d) => !drop.has(d.docId));
}

/**
 * Nodes matching a chain of references: the last ref matches the node, earlier refs match its
 * ancestors in order (专栏1 › 第8项). Returns at most `limit` nodes.
 */
export function resolveClauseRefs(tree: SectionNode, refs: readonly ClauseRef[], limit = 5): SectionNode[] {
  if (refs.length === 0) return [];
  const out: SectionNode[] = [];
  const walk = (node: SectionNode, chain: SectionNode[]): void => {
    if (out.length >= limit) return;
    const last = refs[refs.length - 1] as ClauseRef;
    if (node.kind !== 'root' && last.kinds.includes(node.kind) && node.number === last.number && matchesChain(chain, refs.slice(0, -1))) out.push(node);
    const next = node.kind === 'root' ? chain : [...chain, node];
    node.children.forEach((c) => walk(c, next));
  };
  walk(tree, []);
  return out;
}

function matchesChain(ancestors: readonly SectionNode[], refs: readonly ClauseRef[]): boolean {
  let i = 0;
  for (const node of ancestors) {
    const ref = refs[i];
    if (ref && ref.kinds.includes(node.kind) && node.number === ref.number) i += 1;
  }
  return i === refs.length;
}

/** 哪些城市/哪些文件/各地/分别: the answer is a list of documents. */
export const LIST_RE = /哪些(?:城市|地方|地市|市|文件|规划|地区|省市|政府)|哪几(?:个|座|份|家)(?:城市|市|地方|文件)?|各地|分别|各(?:个)?(?:城市|地市|文件)/u;

/** The shape of the answer a question wants. */
export type QuestionForm = 'single' | 'list' | 'parts';

export function questionForm(question: string, namedDocs: number | readonly { by: string }[]): QuestionForm {
  const q = question.normalize('NFKC');
  const named = typeof namedDocs === 'number' ? undefined : namedDocs;
  const count = named ? new Set(named.map((d) => d.by)).size : (namedDocs as number);
  if (count === 0) return LIST_RE.test(q) ? 'list' : 'single';
  if (count === 1) return 'single';
  // Parts when the question sets the documents side by side (云浮和深圳, 惠州、中山) or distributes
  // over them (各, 分别); a document named in passing (依据了国务院和省里哪些文件) is not a part.
  if (!named || /各|分别|两地|两者|都/u.test(q)) return 'parts';
  const lower = q.toLowerCase();
  const words = [...new Set(named.map((d) => d.by.toLowerCase()))];
  const sideBySide = words.some((a) => words.some((b) => a !== b && [...'和与及、跟同'].some((c) => lower.includes(`${a}${c}${b}`))));
  return sideBySide ? 'parts' : 'single';
}

