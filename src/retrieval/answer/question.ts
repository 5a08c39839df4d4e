/**
 * What a question asks, read once per question: its subject words (weighted by how specific they
 * are in general Chinese text, with their word-vector neighbours as other forms), the kinds of fact
 * it asks for (an amount, a date, who…), the years it names, the shape of the answer it wants (one
 * answer, one row per document, one part per named document) and the scope words of a list.
 * Pure given the search response.
 */
import { analyze, isGlueArtefact } from '../analyzer.js';
import { quantityAsk, type QuantityAsk } from '../evidence.js';
import { questionForm as namedForm, type QuestionForm } from '../query.js';
import type { SearchResponse } from '../search.js';
import { isInterrogative, isSubjectTag, listScope, tagWords, termWeight, type ListScope } from './words.js';

/** One subject word of the question. */
export interface QuestionTerm {
  term: string;
  /** jieba IDF (general text): library-independent. */
  weight: number;
  /** The forms that count as it, with how much: itself 1, a word-vector neighbour its similarity. */
  forms: Map<string, number>;
  /** For a compound (投资基金): its parts among the question's words; all of them in one clause count as it. */
  parts?: string[];
  /**
   * A nominal word (noun, name, abbreviation, idiom, foreign word): what the question is about.
   * Verbs (打算, 提出, 打通) more often phrase the question than name its topic.
   */
  nominal: boolean;
}

export interface QuestionAnalysis {
  query: string;
  terms: QuestionTerm[];
  /** Kinds of fact asked for, one per question part that asks one (补多少、上限多少 → two). */
  asks: { text: string; ask: QuantityAsk }[];
  /** Years the question names (2030): the answer should be about that year. */
  years: string[];
  form: QuestionForm;
  /** The question names a document (its search was restricted to the documents named). */
  named: boolean;
  scope?: ListScope;
  /** The question asks for a purpose or basis (依据, 目的, 为什么…): purpose clauses are not filler then. */
  asksFiller: boolean;
}

/**
 * Words of purpose and basis clauses and of issuing (依据, 根据, 目的, 宗旨, 为什么, 为何, 背景, 初衷,
 * 出台, 制定, 印发): the vocabulary of the very clauses `isFiller` marks, so a question written with
 * it asks for them.
 */
const ASKS_FILLER_RE = /依据|根据|目的|宗旨|为什么|为何|背景|初衷|出台|制定|印发/u;
const YEAR_RE = /(?:19|20)[0-9]{2}(?=\s*年|[^0-9]|$)/gu;

/** Question parts split at 、，；？ that each ask for a quantity ("补多少、上限多少"). */
export function quantityParts(question: string): { text: string; ask: QuantityAsk }[] {
  const parts = question.normalize('NFKC').split(/[、，,；;？?]/u).map((p) => p.trim()).filter((p) => p.length > 0);
  return parts.flatMap((text) => {
    const ask = quantityAsk(text);
    return ask ? [{ text, ask }] : [];
  });
}

/**
 * The shape of answer a question wants: `parts` when it sets named documents side by side or
 * distributes over them (云浮和深圳各…), `list` when it names none and asks over jurisdictions or
 * documents (哪些城市, 各地, 哪些文件) or distributes (分别), else `single`.
 */
export function answerForm(query: string, namedDocs: SearchResponse['understanding']['namedDocs'], scope: ListScope | undefined): QuestionForm {
  if (namedDocs.length > 0) return namedForm(query, namedDocs);
  return scope || /分别|各自/u.test(query.normalize('NFKC')) ? 'list' : 'single';
}

export function analyzeQuestion(response: SearchResponse, extraExcluded: Iterable<string> = []): QuestionAnalysis {
  const query = response.query;
  const { understanding } = response;
  const scope = understanding.namedDocs.length === 0 ? listScope(query) : undefined;
  // Words that name the document (云浮, a quoted title), the clause pointed at (第十条), or the scope of a list (城市) are not the subject.
  const excluded = new Set<string>(extraExcluded);
  for (const d of understanding.namedDocs) for (const w of [d.by, ...analyze(d.by)]) excluded.add(w);
  for (const r of understanding.clauseRefs) for (const w of analyze(r.text)) excluded.add(w);
  for (const w of scope?.words ?? []) excluded.add(w);
  // The words that ask for a kind of fact (哪个片区, 多大比例) stay subject words: answers often name the kind too (前海蛇口自贸片区).
  const asks = quantityParts(query).filter((a) => !(scope && a.ask.kind === 'place'));
  // Each search-mode term takes the tag of the word it was cut from (数据 of 数据中心/n is a noun).
  const tagged = tagWords(query);
  const tagOf = (term: string): string | undefined => tagged.find((t) => t.word === term)?.tag ?? tagged.find((t) => t.word.includes(term))?.tag;
  const askingWords = tagged.filter((t) => isInterrogative(t.word)).map((t) => t.word);
  const subject = (t: string): boolean => {
    if (excluded.has(t) || [...t].length < 2 || /^[0-9.]+$/u.test(t) || /^第[0-9]+/u.test(t) || isGlueArtefact(t) || isInterrogative(t)) return false;
    if (askingWords.some((w) => w.includes(t))) return false;
    const tag = tagOf(t);
    return tag === undefined || isSubjectTag(tag);
  };
  const distinct = [...new Set(understanding.terms)].filter(subject);
  // Search-mode segmentation also yields a compound's parts (数据中心 → 数据, 中心): the compound counts once.
  const wanted = distinct.filter((t) => !distinct.some((o) => o !== t && o.length > t.length && o.includes(t)));
  const terms: QuestionTerm[] = wanted.map((term) => {
    const parts = distinct.filter((o) => o !== term && o.length < term.length && term.includes(o));
    const tag = tagOf(term) ?? 'n';
    const q: QuestionTerm = { term, weight: termWeight(term), forms: new Map([[term, 1]]), nominal: !/^(?:v|vd|vg|a|ad|ag|d)$/u.test(tag) };
    if (parts.length >= 2 && parts.join('').length >= term.length) q.parts = parts;
    return q;
  });
  // A word-vector neighbour counts as the word it was found for (电价 for 电费), as much as they are alike.
  for (const e of response.expansions) {
    const t = terms.find((x) => x.term === e.from);
    if (t && !t.forms.has(e.term)) t.forms.set(e.term, Math.min(1, e.similarity));
  }
  const normalized = query.normalize('NFKC');
  return {
    query,
    terms,
    // 哪些城市 of a list is its scope (one row per city's document), not a place to be named.
    asks,
    years: [...new Set([...normalized.matchAll(YEAR_RE)].map((m) => m[0]))],
    form: answerForm(query, understanding.namedDocs, scope),
    named: understanding.namedDocs.length > 0,
    ...(scope ? { scope } : {}),
    asksFiller: ASKS_FILLER_RE.test(normalized),
  };
}
