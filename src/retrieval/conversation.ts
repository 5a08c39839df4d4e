/**
 * Multi-turn: rewrites a follow-up ("那深圳呢？", "这一条的补贴上限是多少？", "那违反了怎么处罚？")
 * into a standalone question using the earlier turns, before searching. A follow-up that names no
 * document stays in the one the conversation is about, and says so (`carried`). Pure.
 */
import { NOT_FOUND_TEXT } from './answer/compose.js';
import { DEMONSTRATIVE_RE, DOCUMENT_NOUNS, docFactQuestion } from './answer/doc-facts.js';
import { LIST_RE, understandQuery, type AliasTable } from './query.js';

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ResolvedQuestion {
  question: string;
  /** True when the last user message was rewritten. */
  rewritten: boolean;
  /** The earlier turns' document the rewritten question stays in (shown to the user: 沿用上文). */
  carried?: { docId: string; title: string };
}

/** The note an answer opens with when its question stayed in the conversation's document. */
export function carriedNote(carried: { title: string }): string {
  return `（沿用上文：《${carried.title}》）`;
}

/** "那深圳呢" / "深圳呢" / "那么中山的呢" – the same question about another document. */
const OTHER_DOC_RE = /^(?:那|那么|那要是|如果是|换成)?\s*(.{1,20}?)(?:的)?(?:呢|怎么样|如何)[？?。!！]*$/u;
/** "这一条", "该条", "上述规定", "这个政策" – refers to what the last answer cited. */
const ANAPHORA_RE = /这一?条|该条|此条|上述|上面|前面说的|这项|该项|这个(?:规定|政策|条款|办法)|它的|其(?:补贴|奖励|标准|上限)/u;
/** 《title》第十条： – the first clause an answer cites. */
const CITED_RE = /《([^》]{2,80})》\s*([^：:\s《]{0,30})[：:]/u;
/**
 * A question that goes on from the last one: it opens with a connective (那, 那么, 如果, 要是, 还有,
 * 另外, 此外, 再问 — the conjunctions Chinese continues a topic with) or points back (它, 其, 这些,
 * 上述…, as ANAPHORA_RE).
 */
const CONTINUES_RE = /^(?:那(?:么|如果|要是)?|如果|要是|假如|还有|另外|此外|再问(?:一下)?|然后|那请问)[，,\s]*|它|其|这些|这几|上述|上面/u;
/**
 * A document named by its kind and a qualifier (反家庭暴力条例, 临时救助办法) that the alias table may
 * not know: the question is about that document, not the conversation's. 这个办法, 该条例, 本条例 point back.
 */
// Only the kinds that are never ordinary words (规定, 意见, 决定, 通知, 措施 are also verbs and nouns of a sentence).
const OWN_DOCUMENT_RE = /[\u4e00-\u9fff]{2}(?:条例|办法|细则|规划|纲要|批复|通告|公告|规章|实施方案|行动计划)/u;
const POINTING_RE = new RegExp(`(?:${DEMONSTRATIVE_RE.source}|本)(?:${DOCUMENT_NOUNS})`, 'gu');

/** A clause pointed at by number (第十条, 第(三)项): a follow-up of the document being discussed. */
const CLAUSE_REF_RE = /第[零〇一二两三四五六七八九十百千0-9]{1,6}[条款项章]/u;

/**
 * The one document the conversation is about: the first document the last answer cites (what the
 * user saw), else the one document the previous question named. Undefined when there is none or
 * the last answer found nothing.
 */
function conversationDocument(messages: readonly ChatTurn[], previousUser: string, aliases: AliasTable): { docId: string; title: string } | undefined {
  const lastAnswer = [...messages].reverse().find((m) => m.role === 'assistant')?.content ?? '';
  const cited = lastAnswer.startsWith(NOT_FOUND_TEXT.replace(/。$/u, '')) ? null : /《([^》]{2,200})》/u.exec(lastAnswer.replace(/^（沿用上文：《[^》]*》）\s*/u, ''));
  if (cited) {
    const named = new Set(understandQuery(`《${cited[1]}》`, aliases).namedDocs.map((d) => d.docId));
    if (named.size === 1) return { docId: [...named][0] as string, title: cited[1] as string };
  }
  const before = new Set(understandQuery(previousUser, aliases).namedDocs.map((d) => d.docId));
  if (before.size !== 1) return undefined;
  const docId = [...before][0] as string;
  // The document's title is its longest alias that names it alone.
  const title = aliases.entries.filter((e) => e.docIds.length === 1 && e.docIds[0] === docId).map((e) => e.alias).sort((a, b) => b.length - a.length)[0];
  return title ? { docId, title: titleCase(title, lastAnswer, previousUser) } : undefined;
}

/** An alias as written (the table holds it lower-cased): from the turns where it appears. */
function titleCase(alias: string, ...texts: string[]): string {
  for (const t of texts) {
    const at = t.toLowerCase().indexOf(alias);
    if (at >= 0) return t.slice(at, at + alias.length);
  }
  return alias;
}

/** The previous question about another document: its document names replaced by the new one. */
function retarget(previous: string, newName: string, aliases: AliasTable): string {
  const named = understandQuery(previous, aliases).namedDocs;
  if (named.length === 0) return `${newName}${previous}`;
  let out = previous.replace(named[0]?.by as string, newName);
  for (const { by } of named.slice(1)) out = out.split(by).join('');
  return out;
}

export function resolveFollowUp(messages: readonly ChatTurn[], aliases: AliasTable): ResolvedQuestion {
  const userTurns = messages.filter((m) => m.role === 'user');
  const last = userTurns[userTurns.length - 1];
  if (!last) return { question: '', rewritten: false };
  const current = last.content.trim();
  const previousUser = userTurns[userTurns.length - 2]?.content.trim();
  if (!previousUser) return { question: current, rewritten: false };

  // "那深圳呢？": the previous question, about the newly named document.
  const other = OTHER_DOC_RE.exec(current);
  if (other && current.length <= 24) {
    const named = understandQuery(current, aliases).namedDocs;
    if (named.length > 0) {
      return { question: retarget(previousUser, (other[1] as string).replace(/^(?:那|那么)/u, ''), aliases), rewritten: true };
    }
  }

  // "这一条的补贴上限是多少？": the clause the last answer cited first.
  if (ANAPHORA_RE.test(current)) {
    const lastAnswer = [...messages].reverse().find((m) => m.role === 'assistant')?.content ?? '';
    const cited = CITED_RE.exec(lastAnswer);
    const rest = current.replace(ANAPHORA_RE, '').replace(/^的/u, '');
    // Only a clause label is carried (第十条, 三、（五）), not the words of a fact answer (已失效) or 原文.
    const clause = (cited?.[2] ?? '').replace(/原文$/u, '');
    if (cited) return { question: `《${cited[1]}》${/^(?:第|[一二三四五六七八九十]+、|[（(]|专栏|[0-9])/u.test(clause) ? clause : ''}${rest}`, rewritten: true };
    const namedBefore = understandQuery(previousUser, aliases).namedDocs[0];
    if (namedBefore) return { question: `${namedBefore.by}${rest}`, rewritten: true };
  }

  // "那违反了怎么处罚？", "文号是多少？", "把第十条原文给我": a question that names no document and goes on
  // from the last one stays in the document the conversation is about.
  const understood = understandQuery(current, aliases);
  const goesOn = CONTINUES_RE.test(current) || ANAPHORA_RE.test(current) || CLAUSE_REF_RE.test(current) || docFactQuestion(current) !== undefined;
  const namesOwn = OWN_DOCUMENT_RE.test(current.replace(POINTING_RE, ''));
  if (understood.namedDocs.length === 0 && understood.unknownPlaces.length === 0 && !namesOwn && goesOn && !LIST_RE.test(current.normalize('NFKC'))) {
    const carried = conversationDocument(messages, previousUser, aliases);
    if (carried) {
      const rest = current.replace(/^(?:那(?:么|如果|要是)?|然后|那请问)[，,\s]*/u, '');
      return { question: `《${carried.title}》${rest}`, rewritten: true, carried };
    }
  }
  return { question: current, rewritten: false };
}
