/**
 * Multi-turn: rewrites a follow-up ("那深圳呢？", "这一条的补贴上限是多少？") into a standalone
 * question using the earlier turns, before searching. Pure.
 */
import { understandQuery, type AliasTable } from './query.js';

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ResolvedQuestion {
  question: string;
  /** True when the last user message was rewritten. */
  rewritten: boolean;
}

/** "那深圳呢" / "深圳呢" / "那么中山的呢" – the same question about another document. */
const OTHER_DOC_RE = /^(?:那|那么|那要是|如果是|换成)?\s*(.{1,20}?)(?:的)?(?:呢|怎么样|如何)[？?。!！]*$/u;
/** "这一条", "该条", "上述规定", "这个政策" – refers to what the last answer cited. */
const ANAPHORA_RE = /这一?条|该条|此条|上述|上面|前面说的|这项|该项|这个(?:规定|政策|条款|办法)|它的|其(?:补贴|奖励|标准|上限)/u;
/** 《title》第十条： – the first clause an answer cites. */
const CITED_RE = /《([^》]{2,80})》\s*([^：:\s《]{0,30})[：:]/u;

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
    if (cited) return { question: `《${cited[1]}》${cited[2] ?? ''}${rest}`, rewritten: true };
    const namedBefore = understandQuery(previousUser, aliases).namedDocs[0];
    if (namedBefore) return { question: `${namedBefore.by}${rest}`, rewritten: true };
  }
  return { question: current, rewritten: false };
}
