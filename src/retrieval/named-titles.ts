/**
 * Titles a question writes out that no document of the library has. A question that names a document
 * formally — 《…》, or a jurisdiction, the subject and the kind of document with its years (广东省促进大数据发展行动计划
 * (2016-2020年)) — is about
 * that document: when the library lacks it, clauses of other documents (one citing it, one of another city on the
 * same subject) do not answer it (issue 20: `not_found` when nothing is from the document named). Pure.
 */

/** Kinds of 公文 and 法规 a title ends with (GB/T 9704 公文种类, 立法法's 法律、法规 and 规章 names). */
export const TITLE_GENRES = '批复|通知|条例|办法|规划|意见|方案|细则|决定|规定|计划|纲要|通告|公告|复函';
/** A word ending with a kind of 公文 or 法规 (`TITLE_GENRES`: 实施方案, 行动计划, 办法). */
export const GENRE_WORD_RE = new RegExp(`(?:${TITLE_GENRES})$`, 'u');

/** A jurisdiction leading a title: the state, the State Council, or a place with its administrative suffix. */
const JURISDICTION = '中华人民共和国|国务院|[\\u4e00-\\u9fa5]{2,7}?(?:省|市|自治区|自治州|县)';
// Written out formally: in 《》, or jurisdiction + subject + kind with the years of its term in brackets
// ((2016-2020年), as titles of plans and trial measures give them): without such a mark, 东莞市有什么规划 or
// 深圳市为企业制定的补贴办法 would read as titles.
const TITLE_RE = new RegExp(`《([^》]{4,80})》|((?:${JURISDICTION})[\\u4e00-\\u9fa5“”、·]{2,40}?(?:${TITLE_GENRES}))\\s*[(（]\\s*(?:19|20)[0-9]{2}`, 'gu');
const GENRE_END_RE = new RegExp(`(?:${TITLE_GENRES})$`, 'u');
const LEADING_JURISDICTION_RE = new RegExp(`^(?:${JURISDICTION})`, 'u');

/** A title without its punctuation, brackets and what they hold (years, 试行), lower-cased. */
export function normalizeTitle(title: string): string {
  return title
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[（(][^）)]{0,20}[）)]/gu, '')
    .replace(/[^\p{Script=Han}a-z0-9]/gu, '');
}

/** A title as the question writes it, read once: whole, its jurisdiction's stem, and the words of its subject. */
interface WrittenTitle {
  whole: string;
  /** The jurisdiction without its suffix (深圳 of 深圳市: a title may write 深圳经济特区), when it starts with one. */
  stem?: string;
  /** Its jieba words of two characters or more between the jurisdiction and the kind of document. */
  parts: string[];
}

function readWritten(written: string, words: (text: string) => string[]): WrittenTitle {
  const place = LEADING_JURISDICTION_RE.exec(written)?.[0];
  const subject = (place ? written.slice(place.length) : written).replace(GENRE_END_RE, '');
  const parts = words(subject).filter((w) => [...w].length >= 2);
  return { whole: written, parts, ...(place ? { stem: place.replace(/(?:省|市|自治区|自治州|县)$/u, '') } : {}) };
}

/**
 * Whether a library title is the one the question writes: it holds the written title whole, or — the written one
 * shortened or reworded (深圳市大数据发展行动计划 for 深圳市促进大数据发展行动计划; 规划 for 计划) — it names the same
 * jurisdiction and every word of the written title's subject.
 */
function titleMatches(written: WrittenTitle, title: string): boolean {
  if (title.includes(written.whole)) return true;
  if (written.stem !== undefined && !title.includes(written.stem)) return false;
  return written.parts.length > 0 && written.parts.every((w) => title.includes(w));
}

/**
 * Titles the question writes (《…》, or jurisdiction + subject + kind of document) that match no title in
 * `titles` (normalized by `normalizeTitle`); `words` cuts a title's subject into words (the analyzer's jieba).
 */
export function unknownTitles(query: string, titles: readonly string[], words: (text: string) => string[]): string[] {
  const out: string[] = [];
  for (const m of query.normalize('NFKC').matchAll(TITLE_RE)) {
    const text = (m[1] ?? m[2] ?? '').trim();
    const written = normalizeTitle(text);
    if ([...written].length < 6) continue;
    const read = readWritten(written, words);
    if (!titles.some((t) => titleMatches(read, t))) out.push(text);
  }
  return [...new Set(out)];
}
