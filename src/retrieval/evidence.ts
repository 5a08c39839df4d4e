/**
 * Sentence-level evidence: splits passages into sentences with body offsets, scores them against
 * the query, and reads what quantity a question asks for. Pure.
 */
import { analyze } from '../lexical/analyzer.js';
import { JURISDICTION_NOUNS, tagWords } from './answer/words.js';
import { ARABIC_ITEM_SOURCE, CHINESE_NUMERAL_CHARS, CN_ITEM_SOURCE, PAREN_ITEM_SOURCE, parseNumeral } from '../shared/numerals.js';

export interface Sentence {
  /** Offsets into the document body. */
  start: number;
  end: number;
  text: string;
}

const SENTENCE_END = /[。；;！!？?\n]/u;
const CLOSERS = /[”’」』）)】]/u;

/** Sentences of body[start, end): cut after 。；！？ (closing quotes kept), whitespace trimmed. */
export function splitSentences(body: string, start: number, end: number): Sentence[] {
  const out: Sentence[] = [];
  let s = start;
  const push = (a: number, b: number): void => {
    while (a < b && /\s/u.test(body[a] as string)) a += 1;
    while (b > a && /\s/u.test(body[b - 1] as string)) b -= 1;
    if (b > a) out.push({ start: a, end: b, text: body.slice(a, b) });
  };
  for (let i = start; i < end; i += 1) {
    if (!SENTENCE_END.test(body[i] as string)) continue;
    let j = i + 1;
    while (j < end && CLOSERS.test(body[j] as string)) j += 1;
    push(s, j);
    s = j;
    i = j - 1;
  }
  push(s, end);
  return out;
}

/** The sentence just before `start` in the body (looking back at most 300 characters). */
export function previousSentence(body: string, start: number): Sentence | undefined {
  const floor = Math.max(0, start - 300);
  let end = start;
  while (end > floor && /\s/u.test(body[end - 1] as string)) end -= 1;
  if (end <= floor) return undefined;
  let i = end - 1;
  // Step over the previous sentence's own terminator (and closing quotes), then find the one before.
  while (i > floor && CLOSERS.test(body[i] as string)) i -= 1;
  if (SENTENCE_END.test(body[i] as string)) i -= 1;
  while (i >= floor && !SENTENCE_END.test(body[i] as string)) i -= 1;
  if (i < floor && floor > 0) return undefined;
  const sentences = splitSentences(body, i + 1, end);
  return sentences[sentences.length - 1];
}

/**
 * Whether the top results are about a place no document is named for (a question on 广州 over
 * other cities' plans is not): at least two of the top three mention it, or the top one does and is
 * (nearly) its whole document — a one-page 批复 that cites 浙江省 once is about 浙江省 as much as it can be.
 */
export function placeCovered(top: readonly { docId: string; text: string; start: number; end: number }[], places: readonly string[], bodyLength: (docId: string) => number): boolean {
  const mentions = (text: string): boolean => places.some((p) => text.includes(p));
  if (top.slice(0, 3).filter((h) => mentions(h.text)).length >= 2) return true;
  const first = top[0];
  if (!first || !mentions(first.text)) return false;
  const length = bodyLength(first.docId);
  return length > 0 && first.end - first.start >= 0.8 * length;
}

// Passages recur across questions: their sentences' terms are analyzed once (bounded memo).
const termMemo = new Map<string, Set<string>>();
const TERM_MEMO_MAX = 50_000;

/** The analyzed terms of a text, memoized. */
export function termSet(text: string): Set<string> {
  let terms = termMemo.get(text);
  if (!terms) {
    terms = new Set(analyze(text));
    if (termMemo.size >= TERM_MEMO_MAX) termMemo.delete(termMemo.keys().next().value as string);
    termMemo.set(text, terms);
  }
  return terms;
}

export type QuantityKind = 'money' | 'ratio' | 'count' | 'docNumber' | 'year' | 'month' | 'date' | 'area' | 'length' | 'age' | 'clock' | 'frequency' | 'duration' | 'url' | 'who' | 'place' | 'number';

export interface QuantityAsk {
  kind: QuantityKind;
  /** For counts: the measure word (条, 个, 家…). */
  unit?: string;
  /**
   * For counts: the noun counted, the last word of the phrase after the measure word (几个大数据产业基地 → 产业基地):
   * the figure must count it (10个…创新载体 counts another thing).
   */
  noun?: string;
  /** For money: what the amount is of (补贴, 奖励, 规模…); the evidence must name it. */
  subject?: string;
  /** Rates asked (每人每月 → 人, 月): the evidence must state the figure per the same units. */
  per?: string[];
  /** The words of the question that ask it (哪个官方网站, 多大比例): they say what kind of answer, not what it is about. */
  cue?: string;
}

/** A rate or a share per one (每人, 每亩; 单个企业, 单家, 每一个: per one of them). */
const PER_RE = /(?:每一?(平方米|小时|季度|人|月|年|天|日|户|家|度|辆|台|亩|个|次|周|项)|单(个|家)(?=企业|单位|机构|项目|公司|主体))/gu;
/** 个 and 家 count one enterprise or body alike: a figure per one of them is stated with either (单个企业, 每家企业). */
const PER_ONE = ['个', '家'];
/**
 * A price asked per unit without 每 (多少钱一亩, 多少一平方米): the same rate as 每亩. Units of land, energy and
 * time only, never followed by 性 (多少一次性奖励 asks a one-off amount, not a rate per 次).
 */
const PER_PRICE_RE = /(?:多少钱?|几[块元]钱?)一(平方米|亩|度|吨|小时|天|月|年)(?!性)/gu;

/** Kinds of fact never asked per unit (每人, 多少一亩): only counts, amounts, ratios, durations, years and numbers are. */
const NOT_PER_UNIT: ReadonlySet<QuantityKind> = new Set(['url', 'docNumber', 'who', 'place', 'month', 'area', 'length', 'age', 'date', 'clock', 'frequency']);

/** What kind of number (or fact) the question wants, or undefined when it wants none. */
export function quantityAsk(question: string): QuantityAsk | undefined {
  const ask = baseQuantityAsk(question);
  if (!ask || NOT_PER_UNIT.has(ask.kind)) return ask;
  const q = question.normalize('NFKC');
  const per = [...new Set([...q.matchAll(PER_RE), ...q.matchAll(PER_PRICE_RE)].map((m) => (m[1] ?? m[2]) as string))];
  return per.length > 0 ? { ...ask, per } : ask;
}

/**
 * The kinds of fact a question can ask for, each with the question forms that ask it (the first
 * matching kind wins). Sources: the interrogative constructions of Chinese grammar for who (谁,
 * 哪个部门), where (哪里, 哪个区), when (哪一天, 几点, 哪一年, 多久) and how much (多少 + a measure word
 * or currency), and the names of the facts a 公文 states (文号, 网址).
 */
const ASK_FORMS: [QuantityKind, RegExp][] = [
  ['docNumber', /文号|发文字号/u],
  ['url', /网址|链接|官网|出处|(?:哪个|什么)(?:官方)?网站|来源于?哪/u],
  // Who: a person or body must be named as the one who does it (由…负责, …牵头).
  // 哪些单位 alone asks who may (哪些单位可以申请): who is responsible only with a verb of responsibility after it.
  // The unit a task-division annotation names (责任单位有哪些, 牵头单位是哪个: the 任务分工 convention) is who does it too.
  ['who', /是谁|由谁|谁来|谁负责|谁牵头|(?:责任|牵头|负责|主管|配合)(?:单位|部门)|哪(?:个|几个|些)部门|哪(?:个|家)(?:单位|机构|机关)|哪(?:些|几个)(?:单位|机构|机关)[^，,。？?]{0,6}?(?:负责|牵头|印发|审批|管理|监管|组织|承担)/u],
  // Where: 哪里, 何处, 在哪, or which of a kind of place (哪个区, 哪些园区, 哪些城市) — answered by a place name. 在哪些,
  // 在哪个, 在哪家 + another noun (放在哪些行业, 在哪个环节, 在哪家银行) asks which of that kind, not where.
  ['place', /哪里|哪儿|何处|在哪(?![些个几一家位座所])|什么地方|哪(?:个|些|几个)(?:省|市|县|区|镇|城市|地方|地区|片区|园区|基地|区域)/u],
  // A day (从哪一天起), a time of day (哪些时段, 晚上几点) or a length of time (多长时间, 多久) is
  // stated as such: 2025年11月1日, 二十一时至次日八时, 48 小时内.
  ['date', /哪一?[天日]|几月几[日号]|几号|(?:什么|哪个)日期|(?:起始|生效|施行|实施|截止)日期/u],
  // A month of the year (几月份举办, 哪个月) is stated as a month: 每年9月, 十月份.
  ['month', /几月份?|哪(?:一|个)月(?!内)/u],
  ['clock', /时段|时间段|几点|几时|(?:早上|晚上|夜间|夜里|白天|中午|午间|凌晨)[^，,。？?]{0,10}时间/u],
  // How often (多久开一次, 一年几次, 频次) is stated as a period or a number of times per period: 每季度, 每年两次, 定期.
  ['frequency', /(?:多久|多长时间|几年|几个月)[^，,。？?]{0,6}一次(?!性)|(?:一年|每年|每月|一个月)几次|频次|频率/u],
  // 满几年, 多少年内: a length in years too (stated 三年内, 两年以上); 哪几年 asks which years, 近几年 / 前几年 name a time.
  ['duration', /多长时间|多久|多长(?:期限|时限)|(?:期限|时间|时长|周期|年限|期|合同|假)[有是为]?多长|最长多长|多少(?:个)?(?:天|日|工作日|小时|分钟|秒|个月|年(?![级底末度初轻]))|(?<![哪好近这那]|(?<!提)前)几(?:个)?(?:天|日|工作日|小时|分钟|秒|个月|年(?![级底末度初轻]))/u],
  // An age (几岁, 几周岁, 多少周岁, 多大年纪, 结婚年龄最低是多少, 多大的孩子) is stated in years of age: 十六周岁, 60岁. Not 十几岁
  // or 二十几岁 (an age stated roughly), nor 很多/更多/越来越多 + 大学生 (多大 inside 多 + 大学生), nor a change of age
  // (退休年龄推迟多少).
  ['age', /(?<![十廿二三四五六七八九好])几周?岁|多少周?岁|多大年纪|多大岁数|年龄(?![^，,。？?]{0,4}?(?:推迟|延迟|延长|提高|提前|降低|调整|增加|减少))[^，,。？?]{0,4}(?:多少|多大|几)|(?<![很许更较最好众诸越])多大(?:的(?:孩子|小孩|儿童|学生)|孩子|小孩|儿童)/u],
  // A distance or length (多远, 距离多少, 狗绳能放多长, 几米) is stated in a unit of length: 二百米, 1.5米, 3公里. 多长 asks a
  // length only of a thing that has one (绳, 链, 距离, 长度): 婚假有多长, 最长多长 ask a term. 更多远程, 很多远郊 hold no 多远;
  // 多少米面油 counts rice.
  ['length', /(?<![很许更较最好])多远|(?:绳|链|线路|距离|长度)[^，,。？?]{0,6}多长|距离[^，,。？?]{0,4}(?:多少|多大|几)|(?:多少|几)(?:米|公里|千米|厘米|毫米)(?![面粮油饭])/u],
  ['year', /哪一?年|何年|什么时候|何时|哪个时间/u],
  // An area (占地多大, 面积多少) is stated in a unit of area: 300亩, 2.5平方公里, 10万平方米.
  ['area', /(?:占地|面积|用地)[^，,。？?钱元价费]{0,4}(?:多大|多少(?![钱元万亿块])|几(?![元万块]))|多大(?:的)?(?:面积|地方|场地)/u],
];
/**
 * 几 asks how many only as an interrogative numeral: after 哪 it asks which (哪几个中心: name them), after 好, 近, 前, 这 or
 * 那 it is an indefinite numeral (好几个部门: several; 近几年: the last few years), neither a count (现代汉语八百词, 几 ① 询问数目 / ② 表示不定数目).
 */
const JI = '(?<![哪好近这那]|(?<!提)前)几';
// 哪个城市的目标更高, 谁的补贴最多: a comparison of quantities (比较句: 哪/谁 … 更/最 + an adjective of degree) is
// answered by the figures compared.
const COMPARATIVE_SOURCE = '(?:哪|谁)[^，,。？?]{0,20}(?:更|最)(?:高|多|大|低|少)';
const WANTS_NUMBER_RE = new RegExp(`多少|${JI}[毛分元个项条家台万亿年岁次倍成]|多大|多高|比例|比重|占比|百分之|${JI}成|(补贴|奖励|资助|收费|补助)(的)?标准|${COMPARATIVE_SOURCE}`, 'u');
const COUNT_ASK_RE = new RegExp(`(?:多少|${JI})(条|个|家|项|台|次|人|名|所|座|户|件|类)`, 'u');

/** A comparison of quantities: 哪/谁 … 更/最 + an adjective of degree (哪个城市的目标更高). */
const COMPARATIVE_RE = new RegExp(COMPARATIVE_SOURCE, 'u');

function baseQuantityAsk(question: string): QuantityAsk | undefined {
  const q = question.normalize('NFKC');
  // 哪个城市的共享率目标更高 asks the figures compared, not a place: the place is the one whose figure is higher.
  const comparative = COMPARATIVE_RE.test(q);
  for (const [kind, re] of ASK_FORMS) {
    if (comparative && (kind === 'place' || kind === 'who')) continue;
    const m = re.exec(q);
    if (m) return { kind, cue: m[0] };
  }
  const wants = WANTS_NUMBER_RE.exec(q);
  const measure = COUNT_ASK_RE.exec(q) ?? taggedMeasure(q);
  if (measure) {
    const noun = countedNoun(q.slice(q.indexOf(measure[0]) + measure[0].length));
    return { kind: 'count', unit: measure[1] as string, cue: measure[0], ...(noun ? { noun } : {}) };
  }
  if (!wants) return undefined;
  const cue = wants[0];
  const ratio = /比例|比重|占比|百分|几成|覆盖率|率[是为达]?多少|多少[%％]/u.exec(q);
  if (ratio) return { kind: 'ratio', cue: ratio[0] };
  // 规模/产值/收入 are money only when the question names a currency (多大规模的群体感知 is not).
  const currency = /亿元|万元|元|钱|毛/u.test(q);
  // Nouns that name an amount of money (价格, 租金, 罚款, 工资…) ask an amount as a currency does.
  if (currency || /资金|奖励|补贴|补助|资助|投资|经费|收费|价格|价钱|租金|费用|罚款|工资|薪酬/u.test(q)) {
    const subject = /资金|奖励|补贴|补助|资助|投资|经费|收费|价格|价钱|租金|费用|罚款|工资|薪酬|收入|产值|规模|营收/u.exec(q)?.[0];
    return subject ? { kind: 'money', subject, cue } : { kind: 'money', cue };
  }
  return { kind: 'number', cue };
}

/**
 * The noun a count asks about: the last word (jieba, two characters or more, a noun) of the phrase right after the
 * measure word, up to a verb, particle, adverb, pronoun or punctuation (几个大数据产业基地 → 产业基地; 几家企业参与 → 企业),
 * else undefined.
 */
function countedNoun(after: string): string | undefined {
  let noun: string | undefined;
  for (const { word, tag } of tagWords(after)) {
    // A verb, particle, preposition or punctuation ends the phrase (几个部门参与, 几家企业的).
    if (/^(?:v|u|p|y|x|d|r)/u.test(tag) && tag !== 'vn') break;
    if (/^(?:n|vn|j|l)/u.test(tag) && [...word].length >= 2) noun = word;
  }
  return noun;
}

/** Units that ask for something other than a count: time (durations, years, dates), money, multiples and ratios. */
const NOT_A_COUNT_UNIT_RE = /[年月日天周时秒岁倍成元块毛角万亿千百十%]|分钟|星期/u;

/**
 * 几 or 多少 with a measure word (量词) jieba knows: jieba's dictionary tags 几节, 几届, 几批 as numerals (m) and
 * 公顷, 平方米 as measure words (q) — a general resource, so the measure words asked for need no list here.
 * Returns [cue, unit] (几届 → 届), or null. 几个 and the like are read before this (the fixed forms above).
 */
function taggedMeasure(question: string): [string, string] | null {
  const words = tagWords(question);
  for (let i = 0; i < words.length; i += 1) {
    const { word, tag } = words[i] as { word: string; tag: string };
    // 哪几, 好几: which, several — not how many (`JI`).
    if (/[哪好]$/u.test(words[i - 1]?.word ?? '')) continue;
    const m = /^(?:几|多少)(\p{Script=Han}{1,2})$/u.exec(word);
    if (m && (tag === 'm' || tag === 'mq') && !NOT_A_COUNT_UNIT_RE.test(m[1] as string)) return [word, m[1] as string];
    // A word jieba keeps whole (几节课/n): 几 with the character after it, if jieba tags that pair a numeral.
    if (tag !== 'm' && tag !== 'mq' && word.startsWith('几') && [...word].length > 2) {
      const pair = tagWords(word.slice(0, 2));
      const unit = word.slice(1, 2);
      if (pair.length === 1 && (pair[0]?.tag === 'm' || pair[0]?.tag === 'mq') && !NOT_A_COUNT_UNIT_RE.test(unit)) return [word.slice(0, 2), unit];
    }
    const next = words[i + 1];
    if ((word === '多少' || word === '几') && next && next.tag === 'q' && /^\p{Script=Han}{1,3}$/u.test(next.word) && !NOT_A_COUNT_UNIT_RE.test(next.word)) return [word + next.word, next.word];
  }
  return null;
}

const NUM = '[0-9０-９]+(?:[.．][0-9]+)?|[零〇一二两三四五六七八九十百千万亿]+';
/** Generic nouns of zones (通名) a named zone ends with: 前海蛇口自贸片区, 仲恺高新区, 普洛斯物流园. */
const ZONE_NOUNS = '片区|新区|园区|产业园|物流园|开发区|高新区|保税区|自贸区|示范区|基地|核心区';
const PATTERNS: Record<QuantityKind, RegExp> = {
  money: new RegExp(`(?:${NUM})\\s*(?:万|亿|千)?\\s*(?:元|块|毛|角)`, 'u'),
  ratio: new RegExp(`(?:${NUM})\\s*(?:[%％]|成)|百分之|[零〇一二三四五六七八九十]分之`, 'u'),
  count: new RegExp(`(?:${NUM})`, 'u'),
  docNumber: /〔\d{4}〕\d+号|\[\d{4}\]\d+号/u,
  url: /https?:\/\/|www\./u,
  // …or a body as the subject of a duty or power, as laws write it (公安机关应当…出具告诫书, 县级以上人民政府可以…).
  who: /负责|牵头|主管|承担|组织实施|会同|主办|责任单位|(?:机关|部门|局|委员会|政府|法院|检察院|机构)(?:应当|可以|依法|有权)|(?:局|委|办|办公室|部|厅|政府|委员会)[^。，,；]{0,24}印发|(?:由|经)[^。，,；]{1,24}(?:局|委|办|部|部门|政府|中心|公司|集团|院|所|小组|委员会|管委会)|设在[^。，,；]{1,12}(?:局|委|办|部|部门|厅)/u,
  year: /(?:19|20)[0-9]{2}\s*年|[0-9]{4}年(?:底|末|前)/u,
  area: new RegExp(`(?:${NUM})\\s*(?:万|千)?\\s*(?:亩|平方米|平方公里|平方千米|公顷|㎡|平米)`, 'u'),
  age: new RegExp(`(?:${NUM})\\s*(?:周岁|岁)`, 'u'),
  // 二百米, 1.5米, 3公里 — not an area (平方米) nor a volume (立方米): the unit follows the figure directly.
  length: new RegExp(`(?:${NUM})\\s*(?:公里|千米|厘米|毫米|米)`, 'u'),
  // A month (每年9月, 十月份, 6月底), not a length of months (3个月).
  month: /(?<![0-9个])(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*月(?!份?以来)/u,
  // A named zone: a name before a generic noun of zones (通名) — 前海蛇口自贸片区, 仲恺高新区, 普洛斯物流园 (jieba's place tag does the rest).
  place: new RegExp(`[\u4e00-\u9fff]{2,10}(?:${ZONE_NOUNS})`, 'u'),
  date: new RegExp(`(?:[0-9]{1,2}|[〇零一二三四五六七八九十]{1,3})\\s*月\\s*(?:[0-9]{1,2}|[〇零一二三四五六七八九十]{1,3})\\s*[日号]|之日起`, 'u'),
  clock: /(?:[0-9]{1,2}|[〇零一二两三四五六七八九十]{1,3})\s*[时点](?!间|期|代|候|段|刻|效)|[0-9]{1,2}[:：][0-9]{2}/u,
  frequency: /每(?:年|季度|半年|月|周|星期|天|日)|(?:年|季|月|周)(?:度)?[^。，,；;]{0,6}?(?:[一二两三四五六七八九十0-9]+)次|定期/u,
  // 三年, 48 小时, 1个月内, 半年, 十八日, 2016—2018年 — not a year (2017年, 二〇一七年) nor a date's day (11月1日, 每月15日前,
  // 第十日: a day after 月 or 第 is a date or an ordinal).
  duration: new RegExp(`(?<![〇零一二两三四五六七八九十百千0-9.])(?:[0-9]{1,3}(?:[.．][0-9]+)?|[一二两三四五六七八九十百千]+)\\s*(?:多|余)?\\s*(?:个\\s*月|个\\s*工作日|工作日|小时|天|周|星期|分钟|秒|(?:个\\s*)?年(?![底末度初])|日(?=内|以内|之内|前|后))|(?<![月第〇零一二两三四五六七八九十百千0-9.\\s])(?:[0-9]{1,3}|[一二两三四五六七八九十百]+)\\s*日(?![期报])|半(?:个)?(?:月|年|小时)|(?:19|20)[0-9]{2}\\s*[-—–~～至到]\\s*(?:19|20)[0-9]{2}\\s*年`, 'u'),
  number: new RegExp(`[0-9０-９]|[一二两三四五六七八九十百千万亿]+(?:个|家|项|条|元|万|亿|倍|年|%|成|台)`, 'u'),
};

const NOT_A_FIGURE_RE = /《[^》]{0,80}》|〔\d{4}〕\d+号|\[\d{4}\]\d+号|(?:19|20)[0-9]{2}\s*年(?:[0-9]{1,2}\s*月(?:[0-9]{1,2}\s*日)?)?(?:底|末|前)?/gu;

/** Place words that name no one place: every one, this one, the countryside (各县区, 全市, 本市, 农村). */
const COLLECTIVE_PLACE_RE = /^(?:全|本|我|各|该|城乡|农村|乡村|社区)/u;
const ZONE_RE = new RegExp(PATTERNS.place.source, 'gu');
/** Zones of a kind the state approves, one of each kind to a city or district (国家高新技术产业开发区, 经济技术开发区, 综合保税区, 自由贸易试验区, 国家级新区). */
const STATE_ZONE_RE = /^(?:高新区|开发区|保税区|自贸区|新区)$/u;
const ZONE_NOUN_END_RE = new RegExp(`(?:${ZONE_NOUNS})$`, 'u');

/**
 * Whether the text names a zone: a generic noun of zones (园区, 基地, 高新区: `PATTERNS.place`) after a name — a word
 * jieba tags as a proper name, a word of Chinese characters it does not know (前海蛇口自贸片区 → 口自贸, 仲恺高新区 → 仲恺),
 * or a district's name (清新区核心区).
 * Common words before the generic noun (依托数据中心基地, 具备产业基础的产业园区) say what kind of zone, not which.
 */
function namesZone(text: string): boolean {
  for (const m of text.matchAll(ZONE_RE)) {
    const words = tagWords(m[0]);
    // A kind of zone set up by the state, one to a city (高新区, 开发区, 保税区): written bare after a word of place (在高新区,
    // 落户开发区), it names the city's own; after a modifier (各, 全市, 省级, 有条件的) it is a kind, not which one.
    if (words.some((w, i) => STATE_ZONE_RE.test(w.word) && (i === 0 || LOCATIVE_RE.test(words[i - 1]?.word ?? '')))) return true;
    const suffix = ZONE_NOUN_END_RE.exec(m[0]);
    const name = tagWords(m[0].slice(0, m[0].length - (suffix?.[0].length ?? 0)));
    if (name.some((w) => isNameWord(w) && !STATE_ZONE_RE.test(w.word) && namesOnePlace(w.word))) return true;
    // A district or county jieba does not know as a place: a word of two characters or more, no verb, cut from the
    // division's generic part (清新区 → 清新/a 区).
    if (name.some((w, i) => /^[\u4e00-\u9fff]{2,}$/u.test(w.word) && !/^v/u.test(w.tag) && namesOnePlace(w.word) && /^[区县镇]$/u.test(name[i + 1]?.word ?? ''))) return true;
  }
  return false;
}

/** Words of location before a zone (在, 于, 到, 落户, 位于, 进驻, 入驻, 依托): the zone written bare after them is the one there. */
const LOCATIVE_RE = /^(?:在|于|到|落户|位于|进驻|入驻|依托)$/u;
/**
 * Words after which a place says where something is, each a whole jieba word: the prepositions of place (在, 于, 到, 至:
 * 《现代汉语八百词》) and the verbs of siting and settling written with them or alone (位于, 设在, 建在, 落户, 进驻, 迁至,
 * 选址…). Whole words only: 于 of 关于, 在 of 现在, 到 of 达到 say nothing of place.
 */
const PLACE_WORDS: ReadonlySet<string> = new Set(['在', '于', '到', '至', '位于', '设在', '设于', '建在', '建于', '落在', '落户', '进驻', '入驻', '依托', '迁至', '迁到', '迁往', '选址', '选址于']);
/** Whether the last word of `before` (as jieba cuts its last clause) is one after which a place says where. */
function afterPlaceWord(before: string): boolean {
  const clause = before.split(/[，。；：,.;:、\s]/u).pop() ?? '';
  const words = tagWords(clause);
  return PLACE_WORDS.has(words[words.length - 1]?.word ?? '');
}
/** The document's own place (我市, 本市, 我省…). */
const OWN_PLACE_RE = /(?:我|本)(?:省|市|区|县)/gu;

/**
 * `text` without the places a question names where they modify its subject (建设清远市数字档案馆): such a place says whose
 * the subject is, not where it is. Written after a word of place (`PLACE_WORDS`: 在云浮市登记注册, 落户清远), a place
 * named still says where, and stays; so does the document's own place after one (进驻我市, 在本市设立), written as the
 * first place the question names (the question is asked of that place's documents).
 */
export function withoutOwnPlaces(text: string, places: readonly string[]): string {
  const named = places.filter((p) => p !== '');
  let out = named.length > 0 ? text.replace(OWN_PLACE_RE, (m, at: number) => (afterPlaceWord(text.slice(0, at)) ? (named[0] as string) : m)) : text;
  for (const place of named) {
    let at = out.indexOf(place);
    while (at >= 0) {
      if (afterPlaceWord(out.slice(0, at))) at = out.indexOf(place, at + place.length);
      else {
        out = `${out.slice(0, at)}，${out.slice(at + place.length)}`;
        at = out.indexOf(place, at + 1);
      }
    }
  }
  return out;
}

/** A name by jieba's tag (`NAME_TAG_RE`), or a word of Chinese characters it does not know (x: 口自贸 of 前海蛇口自贸片区, 仲恺). */
function isNameWord(w: { word: string; tag: string }): boolean {
  return (NAME_TAG_RE.test(w.tag) || w.tag === 'x') && /^[\u4e00-\u9fff]{2,}$/u.test(w.word);
}

/**
 * Whether jieba tags a word of the text as a place name (ns), or a town it reads as a name (`DIVISION_END_RE`), that is
 * not a collective noun (城市, 全市, 各地).
 */
function namesPlace(text: string): boolean {
  return tagWords(text).some((t) => (t.tag === 'ns' || (PERSON_OR_UNKNOWN_TAG_RE.test(t.tag) && DIVISION_END_RE.test(t.word))) && [...t.word].length >= 2 && namesOnePlace(t.word));
}

/**
 * A name ending in the generic noun of a township (镇, 乡, 街道): a place even where jieba reads the whole as a person's
 * name (石龙镇/nr) or does not know it (x). Not 区 or 县, which jieba's names also end in (宿舍区/nr, 小康县/nr), nor
 * the towns at large (城镇, 小城镇, 在城镇: a collective noun, as 城市 is).
 */
const DIVISION_END_RE = /^(?![\u4e00-\u9fff]*城镇)[\u4e00-\u9fff]{2,}(?:镇|乡|街道)$/u;
const PERSON_OR_UNKNOWN_TAG_RE = /^(?:nr|nrt|nrfg|x)$/u;

/** Whether a place word names one place: not a collective noun of places (城市, 地区) nor every or this one (各县区, 全市, 本市). */
function namesOnePlace(word: string): boolean {
  return !JURISDICTION_NOUNS.has(word) && !COLLECTIVE_PLACE_RE.test(word);
}

/** Whether a sentence states the document's own 文号 (spaces and bracket forms aside). */
export function statesOwnNumber(sentence: string, docNumber: string | undefined): boolean {
  if (!docNumber) return false;
  const norm = (x: string): string => x.normalize('NFKC').replace(/\s+/gu, '').replace(/[[［〔]/gu, '〔').replace(/[\]］〕]/gu, '〕');
  return norm(sentence).includes(norm(docNumber));
}

/** A heading number leading a sentence (2. （一） 三、 第五条): not a figure of the sentence. */
const LEADING_LABEL_RE = new RegExp(String.raw`^\s*(?:${ARABIC_ITEM_SOURCE}|${PAREN_ITEM_SOURCE}|${CN_ITEM_SOURCE}|第[一二三四五六七八九十百]+[条章节])`, 'u');

/**
 * Bodies named in a list: short names (two to four characters) joined by 、 and closed by 等 and a generic noun of
 * bodies (工商、税务、交通、人社等部门), or names of government bodies (the 局, 委, 厅, 办 of the organs of a people's
 * government) joined by 、 (市公安局、民政局) — not words ending so (布局, 格局, 举办, 承办).
 */
const BODY_LIST_RE = /(?:[\u4e00-\u9fff]{2,4}、)+[\u4e00-\u9fff]{2,4}等(?:部门|单位|机关)|[\u4e00-\u9fff]{1,10}(?:(?<![布格结当开骗赌出])局|委|厅|(?<![举承主协创开督交兴包])办)(?:、[\u4e00-\u9fff]{1,10}(?:(?<![布格结当开骗赌出])局|委|厅|(?<![举承主协创开督交兴包])办))+/u;

/** Whether a sentence states the kind of quantity asked (leading heading numbers "2." ignored). */
export function statesQuantity(sentence: string, ask: QuantityAsk): boolean {
  const text = sentence.replace(LEADING_LABEL_RE, '');
  // A rate (每人每月) is stated per the same units: 每人 / 人均, 每月, 10元/平方米.
  const perUnit = (u: string): boolean => text.includes(`每${u}`) || text.includes(`每一${u}`) || (PER_ONE.includes(u) && text.includes(`单${u}`)) || text.includes(`/${u}`);
  const perOk = (ask.per ?? []).every((u) => perUnit(u) || (PER_ONE.includes(u) && PER_ONE.some(perUnit)) || (u === '人' && text.includes('人均')) || (u === '年' && text.includes('年均')));
  if (!perOk) return false;
  if (ask.kind === 'place') return namesZone(text) || namesPlace(text);
  // Which bodies (哪几个部门, 哪些单位) is stated by bodies named in a list as well as by one given a duty.
  if (ask.kind === 'who' && /哪/u.test(ask.cue ?? '') && BODY_LIST_RE.test(text)) return true;
  if (ask.kind === 'count' && ask.unit) {
    // The figure counts the noun asked: the noun follows the measure word within the clause, or comes before the
    // figure in it (居民健康档案建档850多万份); 10个以上大数据创新载体 does not count 基地.
    const figure = `(?:${NUM})\\s*(?:多|余)?\\s*(?:万|亿)?${ask.unit}`;
    if (!ask.noun) return new RegExp(figure, 'u').test(text);
    const noun = escapeRegExp(ask.noun);
    return new RegExp(`${figure}[^，,。；;：:？?！!]{0,12}?${noun}|${noun}[^，,。；;：:？?！!]{0,12}?${figure}`, 'u').test(text);
  }
  // A year or date (到2025年, 2017年7月1日) dates a target, a 文号 (云府办〔2016〕27号) or a cited title
  // (《…(2016-2020年)》) names a document: none is the figure asked for.
  if (ask.kind === 'number') return PATTERNS.number.test(text.replace(NOT_A_FIGURE_RE, ''));
  return PATTERNS[ask.kind].test(text);
}

/**
 * Quasi-suffixes (类后缀) that make a measure noun of the word before them: 采集率, 交易量, 销售额, 增加值. From the
 * quasi-affixes of Chinese word formation (吕叔湘《汉语语法分析问题》, 1979, § 类语缀; 黄伯荣、廖序东《现代汉语》,
 * 构词法 § 类词缀), only those that form measures; 度 and 数 are left out, being as often the end of another word
 * (制度, 年度, 数据).
 */
const MEASURE_SUFFIXES = '率量额值';
const CJK_CHAR = '[\\u4e00-\\u9fff]';
const NEAR_MISS_RE = new RegExp(`(${CJK_CHAR}{2,6})(${CJK_CHAR}{2})([${MEASURE_SUFFIXES}])`, 'gu');
const escapeRegExp = (x: string): string => x.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');

/**
 * A near-miss compound: the question asks for a measure written as modifier + head (政务数据资源 + 共享率) and `text`
 * writes the same modifier with another head of the same suffix (政务数据资源 + 采集率) but never the head asked. The
 * text then states a neighbouring measure, not the one asked: the asked head (共享率) is returned, else undefined.
 * Read on characters, not on jieba's words: jieba cuts such heads unevenly (采集/v 率/v, 资源共享/n 率要/x), so the
 * head may be no subject word of the question at all. The head is the two characters before the suffix; the
 * modifier is the 2 to 6 characters before it (the shorter ones tried too, longest first).
 */
export function nearMissCompound(question: string, text: string): string | undefined {
  const q = question.normalize('NFKC');
  const t = text.normalize('NFKC');
  for (const m of q.matchAll(NEAR_MISS_RE)) {
    const [, before, head, suffix] = m as unknown as [string, string, string, string];
    const asked = head + suffix;
    if (t.includes(asked)) continue;
    for (let k = before.length; k >= 2; k -= 1) {
      const modifier = before.slice(before.length - k);
      const other = new RegExp(`${escapeRegExp(modifier)}(${CJK_CHAR}{1,3})${suffix}`, 'u').exec(t);
      if (other && other[1] !== head) return asked;
    }
  }
  return undefined;
}

/**
 * Figures with a unit (50人, 1亿元, 20%, 两年): the measure words a count or amount is stated in (those of the count asks
 * above, the currency, the common land units) and the units of a term (年 under 100, 个月, 天) — not calendar years,
 * dates or ordinals (第8项 names an item, 第一年 a year of a term, not a quantity).
 */
const FIGURE_RE = /(?<![第0-9０-９.．])([0-9０-９]+(?:[.．][0-9]+)?|[零〇一二两三四五六七八九十百千]+)\s*(?:(万|亿)?\s*(条|个月|个人|个|家|项|台|次|人|名|所|座|户|件|元|亩|平方米|平米|平方(?!公里|千米)|公顷|[%％]|年|天)|(万|亿)(?![0-9０-９零〇一二两三四五六七八九十百千多余]|\s*(?:吨|千克|公斤|斤|升|千瓦|度|米|千米|公里|平方|立方|亩|公顷|人|个|户|家|台|件|条|项|次|名|所|座|辆|只|头|张|份|套|册|篇|本|部|架|艘|栋|间|层|位|元|块|美元|港元)))(及以上|以上|以下|以内|之内|内)?/gu;
/** Words before a figure that make it a bound: a ceiling (不超过100万元) or a floor (不低于, 至少). */
const CEILING_BEFORE_RE = /(?:[不未没]超过|不得超过|[不未没]超出|不得高于|不高于|不大于|不多于|最高|最多|至多)$/u;
/** 超过, 高于, 大于, 多于 a figure (more than it) set a floor; negated (不超过, 未超过, 不得超过) they set a ceiling, read first. */
const FLOOR_BEFORE_RE = /(?:不低于|不少于|至少|最低|最少|超过|超出|高于|多于|大于)$/u;
/**
 * Units written more than one way (现代汉语 usage of the 量词 and of the area unit): 30个人 counts 人, 1500平米 and 1500平方
 * are 平方米.
 */
const UNIT_FORMS: Record<string, string> = { 个人: '人', 平米: '平方米', 平方: '平方米' };

interface Figure {
  text: string;
  value: number;
  unit: string;
  /** A floor (50人以上, 不低于…) or a ceiling (3年内, 不超过…): a value past it on the right side meets it. */
  bound?: 'floor' | 'ceiling';
}

function figuresOf(text: string): Figure[] {
  const out: Figure[] = [];
  const t = text.normalize('NFKC');
  for (const m of t.matchAll(FIGURE_RE)) {
    const [whole, num, withUnit, unitWritten, bare, after] = m as unknown as [string, string, string | undefined, string | undefined, string | undefined, string | undefined];
    // A sum in 万 or 亿 with its unit left unsaid (投资只有500万) is money, as spoken Chinese says it: 500万 ≡ 500万元.
    const mult = withUnit ?? bare;
    const unit = unitWritten === undefined ? '元' : (UNIT_FORMS[unitWritten] ?? unitWritten);
    const base = /^[0-9.]+$/u.test(num) ? Number(num) : parseNumeral(num);
    if (base === undefined || !Number.isFinite(base)) continue;
    // 2018年 is a year, not a term of years.
    if (unit === '年' && base >= 100) continue;
    const before = t.slice(Math.max(0, (m.index ?? 0) - 4), m.index);
    const bound = after && /以上/u.test(after) ? 'floor' : after ? 'ceiling' : CEILING_BEFORE_RE.test(before) ? 'ceiling' : FLOOR_BEFORE_RE.test(before) ? 'floor' : undefined;
    out.push({ text: after ? whole.slice(0, whole.length - after.length) : whole, value: base * (mult === '亿' ? 1e8 : mult === '万' ? 1e4 : 1), unit, ...(bound ? { bound } : {}) });
  }
  return out;
}

/** Whether a figure the question states meets one the text states: the same, or past its bound on the right side. */
function meets(asked: Figure, stated: Figure): boolean {
  if (asked.value === stated.value) return true;
  // A term asked within a term stated (2年内 within 3年内); a floor asked is a tier of its own (100人以上 against 50人以上).
  if (asked.bound === 'ceiling') return stated.bound === 'ceiling' && asked.value <= stated.value;
  if (asked.bound !== undefined) return false;
  return stated.bound === 'floor' ? asked.value >= stated.value : stated.bound === 'ceiling' ? asked.value <= stated.value : false;
}

/**
 * A figure the question states as the condition of what it asks (带动100人以上能奖多少, 前三年每平方米补贴多少) that `text`
 * does not state nor meet, though `text` states another figure of the same unit (带动就业达到50人以上 is met by 60人, not
 * by a question asking the 100人以上 tier; 前两年 is not 前三年): the text then answers for another tier or term, not the
 * one asked. Returns the question's figure, else undefined — also when the text states no figure of that unit at all
 * (nothing says it is another tier). Read on the question part that asks (`askText`).
 */
export function figureMiss(askText: string, text: string): string | undefined {
  return firstUnmet(figuresOf(askText), figuresOf(text), meets);
}

/**
 * The text of the first thing asked (a figure, an ordinal) that the text states others of its unit but none meeting
 * it: another tier. Undefined when each asked is met, or its unit is not stated at all.
 */
function firstUnmet<T extends { text: string; unit: string }>(asked: readonly T[], stated: readonly T[], meet: (asked: T, stated: T) => boolean): string | undefined {
  for (const a of asked) {
    const same = stated.filter((s) => s.unit === a.unit);
    if (same.length > 0 && !same.some((s) => meet(a, s))) return a.text;
  }
  return undefined;
}

/**
 * The administrative levels a tier is named by (国家级, 省级, 市级, 县级…): the levels of the state's division
 * (《中华人民共和国宪法》第三十条: 全国 — 省、自治区、直辖市 — 市 — 县、区 — 乡、镇), with their rank, 部级 a
 * ministry's, ranked with 国家级.
 */
const LEVEL_RANK: Record<string, number> = { 国家: 4, 部: 4, 省: 3, 自治区: 3, 直辖市: 3, 市: 2, 县: 1, 区: 1, 乡: 0, 镇: 0 };
const LEVEL_RE = new RegExp(`(${Object.keys(LEVEL_RANK).join('|')})级(以上|以下)?`, 'gu');
/**
 * The levels an achievement is appraised at (达到省内先进水平, 国内领先): the scale of 科学技术成果鉴定 (国家科委《科学技术成果
 * 鉴定办法》, 1994: 国际领先、国际先进、国内领先、国内先进…, and the 省内 and 市内 levels local rules add), by the territory
 * it is measured in. A scale of its own: 国内领先 is no 国家级 (a tier of body or project), so the two are not compared.
 */
const APPRAISAL_RANK: Record<string, number> = { 国际: 5, 国内: 4, 省内: 3, 市内: 2, 县内: 1 };
const APPRAISAL_TERRITORY = `(?:${Object.keys(APPRAISAL_RANK).join('|')})`;
/**
 * A level of the scale, territories written together sharing it (国际、国内先进: both), with 以上/以下; not 先进 of a
 * noun (国际先进制造业, 国内先进技术, 先进经验: what is advanced, not a level reached).
 */
const APPRAISAL_RE = new RegExp(`(${APPRAISAL_TERRITORY}(?:[、和或及与]${APPRAISAL_TERRITORY})*)(?:同行业)?(?:领先|先进)(?!制造|技术|经验)(?:水平)?(及?以上|以下)?`, 'gu');

/**
 * A level the question names (省级工程技术研究中心奖励多少) when `text` names levels, none of them it nor one reaching
 * it (国家级…100万元: another tier; 省级以上 reaches 国家级, not 市级). Returns the level asked (省级), else undefined —
 * also when the text names no level at all (nothing says it is another tier).
 */
export function levelMiss(question: string, text: string): string | undefined {
  for (const scale of [LEVEL_SCALE, APPRAISAL_SCALE]) {
    const asked = levelsOf(question, scale).filter((l) => l.bound === undefined);
    const stated = levelsOf(text, scale);
    if (asked.length === 0 || stated.length === 0 || asked.some((a) => levelReached(a, stated))) continue;
    return asked[0]?.text;
  }
  return undefined;
}

interface Level {
  text: string;
  rank: number;
  bound?: string;
}

/**
 * A scale of levels: what names one, each name's rank, and where a scale has grades within a rank, the grade a match
 * names (the ranks then interleave: rank × 2 + grade).
 */
type LevelScale = readonly [RegExp, Record<string, number>, ((match: string) => number)?];
const LEVEL_SCALE: LevelScale = [LEVEL_RE, LEVEL_RANK];
/** On the appraisal scale 领先 stands above 先进 of the same territory (国内领先 > 国内先进). */
const APPRAISAL_SCALE: LevelScale = [APPRAISAL_RE, APPRAISAL_RANK, (match) => (match.includes('领先') ? 1 : 0)];

function levelsOf(x: string, [re, rank, gradeOf]: LevelScale = LEVEL_SCALE): Level[] {
  return [...x.normalize('NFKC').matchAll(re)].flatMap((m) => {
    const bound = m[2]?.replace(/^及/u, '');
    const grade = gradeOf?.(m[0]);
    // Territories written together (国际、国内先进) each name a level.
    return (m[1] as string).split(/[、和或及与]/u).flatMap((name) => (rank[name] === undefined ? [] : [{ text: m[0], rank: grade === undefined ? (rank[name] as number) : (rank[name] as number) * 2 + grade, ...(bound ? { bound } : {}) }]));
  });
}

/** Whether a level asked is one of those stated, or within one stated with 以上/以下. */
const levelReached = (asked: Level, stated: readonly Level[]): boolean =>
  stated.some((s) => (s.bound === '以上' ? asked.rank >= s.rank : s.bound === '以下' ? asked.rank <= s.rank : asked.rank === s.rank));

/** An ordinal of a term or a round (第一年, 第二批, 第三阶段), with 起/以后/开始 making it the first of those on. */
const ORDINAL_RE = new RegExp(`第([0-9]+|[${CHINESE_NUMERAL_CHARS}]+)(年|期|批|阶段)(起|以后|开始)?`, 'gu');

/**
 * An ordinal the question names (第一年补贴多少) when `text` names others of the same unit only, none reaching it
 * (第二年起…每月2000元; 第二年起 reaches 第三年, not 第一年). Returns the ordinal asked, else undefined — also when the
 * text names none of that unit.
 */
export function ordinalMiss(question: string, text: string): string | undefined {
  return firstUnmet(ordinalsOf(question), ordinalsOf(text), reachesOrdinal);
}

interface Ordinal {
  text: string;
  n: number;
  unit: string;
  /** 第二年起: it and those after it. */
  on: boolean;
}

function ordinalsOf(x: string): Ordinal[] {
  return [...x.normalize('NFKC').matchAll(ORDINAL_RE)].flatMap((m) => {
    const n = /^[0-9]+$/u.test(m[1] as string) ? Number(m[1]) : parseNumeral(m[1] as string);
    return n === undefined ? [] : [{ text: `第${m[1]}${m[2]}`, n, unit: m[2] as string, on: m[3] !== undefined }];
  });
}

const reachesOrdinal = (asked: Ordinal, stated: Ordinal): boolean => stated.unit === asked.unit && (stated.n === asked.n || (stated.on && asked.n >= stated.n));

/**
 * Whether `text` states the tier the question names: each ordinal it asks (第一年) and each level (省级), where it asks
 * one — false when it asks none.
 */
export function tierStated(question: string, text: string): boolean {
  const ordinals = ordinalsOf(question);
  const scales = [LEVEL_SCALE, APPRAISAL_SCALE].map((scale) => [levelsOf(question, scale).filter((l) => l.bound === undefined), levelsOf(text, scale)] as const);
  const statedOrdinals = ordinalsOf(text);
  // A scale the text never names says nothing against it (as in `levelMiss`): only the scales it names are read.
  const read = scales.filter(([asked, stated]) => asked.length > 0 && stated.length > 0);
  if (ordinals.length === 0 && read.length === 0) return false;
  return ordinals.every((a) => statedOrdinals.some((s) => reachesOrdinal(a, s))) && read.every(([asked, stated]) => asked.some((a) => levelReached(a, stated)));
}

/** A question asking which members a set has (哪几个, 哪8个, 都是哪些, 具体指什么, 分别是), not how many. */
const WHICH_MEMBERS_RE = /哪(?:几|[0-9０-９]+|[一二两三四五六七八九十]+)?[个家项类种条所座]|哪些|具体(?:指|是|包括)|都是哪|都有哪|分别是|包括哪/u;
/** Measure words members are counted in. */
const MEMBER_MEASURES = '个家项类种条所座';
const CN_NUM_RUN = `[${CHINESE_NUMERAL_CHARS}]+`;
/** A number of members the question writes with its measure word (那17个景区, 哪8个), not an ordinal (第2项). */
const MEMBER_COUNT_RE = new RegExp(`(?<![第0-9０-９${CHINESE_NUMERAL_CHARS}])([0-9０-９]+|${CN_NUM_RUN})([${MEMBER_MEASURES}])`, 'gu');
/** The measure word of 哪几 (哪几家, 哪几所): the members are counted in it. */
const WHICH_MEASURE_RE = new RegExp(`哪几([${MEMBER_MEASURES}])`, 'u');
/** What separates named members in a clause: 、 ； 和 及 与 or a colon opening a list. */
const MEMBER_SEPARATOR_RE = /[、；;：:]|和|及|与|以及/u;

/**
 * A count of members `text` only mentions when the question asks which they are: the question writes the count with
 * its measure word (清远那17个4A以上景区都是哪几个) or asks 哪几 + a measure word (哪几家), and `text` states that many (or,
 * for 哪几, any number of two or more) in the same measure word, while from the start of that clause on its sentence
 * names no members (no 、, 和, ；, nor a list after a colon). Such a text states that the set exists, not what is
 * asked. Returns the count as the text writes it, else undefined.
 */
export function unnamedMembers(question: string, text: string): string | undefined {
  const q = question.normalize('NFKC');
  if (!WHICH_MEMBERS_RE.test(q)) return undefined;
  const t = text.normalize('NFKC');
  const asked: [number | undefined, string][] = [...q.matchAll(MEMBER_COUNT_RE)].map((m) => [parseNumeral(m[1] as string), m[2] as string]);
  const which = WHICH_MEASURE_RE.exec(q)?.[1];
  if (which !== undefined) asked.push([undefined, which]);
  for (const [n, measure] of asked) {
    if (n !== undefined && n < 2) continue;
    for (const m of t.matchAll(new RegExp(`(?<![第0-9.${CHINESE_NUMERAL_CHARS}])([0-9]+|${CN_NUM_RUN})(?:多|余)?${measure}`, 'gu'))) {
      const v = parseNumeral(m[1] as string);
      if (v === undefined || v < 2 || (n !== undefined && v !== n)) continue;
      if (!clauseNamesMembers(t, m.index, q, false)) return m[1];
    }
  }
  return undefined;
}

/** A question asking who the members of a set it names are: 首批试点院校是哪几所, 具体是哪几个, 都是哪些, 指哪8个. */
const MEMBERS_OF_RE = /([\p{Script=Han}“”"]{2,16}?)(?:具体|都|分别|究竟|到底)?(?:是|指)哪(?:几|些|[0-9]+|[一二两三四五六七八九十]+)(?:[个家项所座位条类种])?/u;
/** What MEMBERS_OF_RE's set may be when the set is named in the clause before: an adverb of the asking form only. */
const SET_ADVERB_RE = /^(?:具体|都|分别|究竟|到底|它们|其中|其)$/u;
/** A count opening a set's phrase (10个以上, 三家): the number of members, not the set's name. */
const LEADING_COUNT_RE = new RegExp(`^(?:[0-9]+|${CN_NUM_RUN})[${MEMBER_MEASURES}](?:以上|多|余)?`, 'u');
/** Tags of names (places, organisations, other proper nouns, people) in jieba's tag set. */
const NAME_TAG_RE = /^(?:ns|nt|nz|nr|nrt|nrfg)$/u;

/**
 * The set a question asks the members of (试点院校 of 人工智能学院首批试点院校是哪几所) when `text` mentions it (its
 * longest ending, two characters or more) but the clause that does names no member: no 、 or list, no quoted name,
 * no place, organisation or other proper noun the question does not have. Such a text says the set exists, not who
 * is in it. Else undefined.
 */
export function membersNotNamed(question: string, text: string): string | undefined {
  const q = question.normalize('NFKC');
  const m = MEMBERS_OF_RE.exec(q);
  if (!m) return undefined;
  // The set may be a quoted name (“两建”具体指哪两项): the quotation marks are not part of it.
  const tail = (x: string): string | undefined => x.split(/那些|这些|那个|这个|[的那这]/u).map((p) => p.replace(/[“”"]/gu, '')).filter((p) => p.length >= 2).pop();
  let set = tail(m[1] as string);
  // The set named in the clause before (…10个以上创新载体和服务平台，具体是哪几个): its last phrase, without its count —
  // only where the asking form ends its clause (哪两个人才计划, 哪些融合 name the set after it).
  const ends = /^[呢啊呀吗]?(?:[\s,;.?!。]|$)/u.test(q.slice(m.index + m[0].length));
  if ((!set || SET_ADVERB_RE.test(set)) && !ends) return undefined;
  if (!set || SET_ADVERB_RE.test(set)) {
    const before = q.slice(0, m.index).replace(/[,，;；、\s]+$/u, '');
    const part = before.split(/[,，;；。?？!！]/u).pop() ?? '';
    set = tail(part)?.replace(LEADING_COUNT_RE, '');
  }
  if (!set || set.length < 2) return undefined;
  const t = text.normalize('NFKC');
  let noun: string | undefined;
  for (let k = 0; k + 2 <= set.length && !noun; k += 1) if (t.includes(set.slice(k))) noun = set.slice(k);
  if (!noun) return undefined;
  for (let at = t.indexOf(noun); at >= 0; at = t.indexOf(noun, at + 1)) if (!(noun === set && coordinatedItem(t, at, noun)) && clauseNamesMembers(t, at, q, true)) return undefined;
  return noun;
}

/**
 * Whether the set named at `at` is itself one item of a coordination (实施“人才双高计划”和“人才双十行动”; 结合政府电子云、
 * “两建”平台工程): 、 or a conjunction word (和, 及, 与, 以及, 或: jieba's words, so not 及 of 普及 or 与 of 参与) stands right
 * before it or right after it, quotation marks aside. The clause then lists the set's siblings, not its members — unless
 * a word opening a list (即, 包括, 分别为…) follows its phrase, after a comma or not (“双创”活动，即大众创业、万众创新).
 */
function coordinatedItem(text: string, at: number, noun: string): boolean {
  const after = text.slice(at + noun.length).replace(/^[”"’]+/u, '');
  const rest = after.replace(/^[\p{Script=Han}]{0,8}?(?=[，,。；;（(]|$)/u, '').replace(/^[，,]/u, '');
  if ([after, rest].some((x) => /^[(（]?(?:即|指|包括|分别)/u.test(x)) || LIST_OPENER_RE.test(rest)) return false;
  const opened = text.slice(0, at).replace(/[“"‘]+$/u, '');
  const before = tagWords(opened.slice(-8));
  const first = tagWords(after.slice(0, 8))[0]?.word ?? '';
  const joins = (w: string): boolean => w === '、' || COORDINATORS.has(w);
  return joins(before[before.length - 1]?.word ?? '') || joins(first);
}

/** Conjunctions joining coordinated items (黄伯荣、廖序东《现代汉语》§ 连词, 并列关系). */
const COORDINATORS: ReadonlySet<string> = new Set(['和', '及', '与', '以及', '或', '或者', '跟', '同']);

/**
 * Whether the clause of `text` holding position `at` names members of what is there (`namesMembers`, a quoted name,
 * or with `byName` a place, organisation or other proper noun the question does not write: a set asked by its name,
 * 首批试点院校, may have one member, 确定清华大学为…; a counted one, 10个平台, is named by a list). The clause runs from the last comma,
 * full stop or semicolon before `at` to the first after it, or on to the end of the next sentence where that one
 * opens by listing (建设三个示范项目。分别为…; 包括…; 即…). A separator in a later clause of the sentence names something
 * else (建成10个以上…平台,形成…新技术、新产品、新标准 lists products, not the platforms).
 */
function clauseNamesMembers(text: string, at: number, question: string, byName: boolean): boolean {
  const start = clauseStartOf(text, at);
  const ends = ['，', ',', '。', '；', ';'].map((p) => text.indexOf(p, at)).filter((i) => i >= 0);
  let end = ends.length > 0 ? Math.min(...ends) : text.length;
  const next = text.indexOf('。', at);
  const opensList = (from: number): boolean => LIST_OPENER_RE.test(text.slice(from));
  if (next >= 0 && opensList(next + 1)) end = text.indexOf('。', next + 1) < 0 ? text.length : text.indexOf('。', next + 1);
  // A colon opens the list, which may run over commas to the sentence's end (包括：A，B，C。); so does a clause of the
  // same sentence opening by listing (…3个重点景区，包括甲山…).
  if (/[：:]/u.test(text.slice(at, end)) || (end < text.length && /[，,]/u.test(text[end] as string) && opensList(end + 1))) {
    const stop = ['。', '；', ';'].map((p) => text.indexOf(p, at)).filter((i) => i >= 0);
    end = Math.max(end, stop.length > 0 ? Math.min(...stop) : text.length);
  }
  const clause = text.slice(start, end);
  // The phrase from `at` to a mark or a word opening a list names the set itself (10个以上创新载体和公共服务平台): a
  // conjunction inside it joins the parts of its name, not members.
  const own = /[，,。；;：:]|包括|分别|如下|即/u.exec(text.slice(at, end));
  const name = { from: at - start, to: at - start + (own ? own.index : end - at) };
  if (namesMembers(clause, question, name) || /“[^”]{2,}”/u.test(clause.replace(/“[^”]*”/gu, (x) => (question.includes(x) ? '' : x)))) return true;
  return byName && tagWords(clause).some((w) => NAME_TAG_RE.test(w.tag) && w.word.length >= 2 && !question.includes(w.word));
}

/**
 * Whether a clause names members: a separator (`MEMBER_SEPARATOR_RE`) other than one inside a phrase the question
 * writes too (载体和公共服务平台 of 10个以上大数据创新载体和公共服务平台,具体是哪几个 names the set, not its members), or a
 * conjunction (和, 及, 与) inside the set's own name (`name`: a span of the clause).
 */
function namesMembers(clause: string, question: string, name?: { from: number; to: number }): boolean {
  for (const m of clause.matchAll(new RegExp(MEMBER_SEPARATOR_RE.source, 'gu'))) {
    if (name && m.index >= name.from && m.index < name.to && CONJUNCTION_RE.test(m[0])) continue;
    // A colon before the set opens the sentence's topic (重点任务：建设3个重点景区), not a list of its members.
    if (name && m.index < name.from && /^[：:]$/u.test(m[0])) continue;
    const around = clause.slice(Math.max(0, m.index - 2), m.index + m[0].length + 2);
    if (!question.includes(around)) return true;
  }
  return false;
}

const CONJUNCTION_RE = /^(?:和|及|与|以及)$/u;

/**
 * Words opening a list of what was just counted or named (分别为, 包括, 即, 具体是, 主要有, 有以下, 涵盖, 其中): whole words
 * only (即将, 具体任务, 有力, 有效 open no list).
 */
const LIST_OPENER_RE = /^(?:分别(?:是|为)|包括|即(?!将|可|使|时|便)|具体(?:是|为|包括)|主要有|有(?=[:：]|以下|如下)|涵盖|其中)/u;

/** Where the clause holding position `at` starts (after the last comma, full stop or semicolon before it). */
function clauseStartOf(text: string, at: number): number {
  return Math.max(...['，', ',', '。', '；', ';'].map((p) => text.lastIndexOf(p, at))) + 1;
}
