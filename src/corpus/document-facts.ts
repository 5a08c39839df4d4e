/**
 * Facts a document states about itself that a citation needs when no metadata gives them: who
 * issued it and when (the title's "…关于", the head note "(2010年11月19日中华人民共和国国务院令第583号公布)",
 * "(…人民代表大会常务委员会第十八次会议通过)", the red header "…文件", the signature above the
 * date at the end), and which other documents it repeals ("《…》同时废止"). Pure: text in, facts out.
 */
import { DATE_NUMBER_CHARS, ORDINAL_NUMBER_SOURCE } from '../shared/numerals.js';
import { historyHead, parseHistory, versionFacts, type HistoryEntry } from './history.js';
import { parseChineseDate } from './validity.js';

export interface DocumentFacts {
  issuer?: string;
  /** The date of the text in hand: its latest revision when the head lists one. */
  dateIssued?: string;
  /** 文号 of the order that promulgated the text in hand (国务院令第583号), when the head gives it. */
  docNumber?: string;
  /** Set when the text in hand is a revision: the revision's date. */
  revised?: string;
  /** A "…施行" line of the head on or after the text's date. */
  effectiveFrom?: string;
}

/** Endings of the names of issuing organs. */
const ORGAN = '(?:人民代表大会常务委员会|人民政府办公厅|人民政府办公室|人民政府|办公厅|办公室|委员会|领导小组|管理局|监督管理局|局|厅|部|委|署|院|政府|中心|总局|银行|协会)';
const ORGAN_END_RE = new RegExp(`${ORGAN}$`, 'u');
const TITLE_ORGAN_RE = new RegExp(`^([\\u4e00-\\u9fff（）()]{2,40}?${ORGAN}(?:、[\\u4e00-\\u9fff]{2,40}?${ORGAN})*)关于`, 'u');
const NUM = `[${DATE_NUMBER_CHARS}]`;
const HEAD_ORDER_RE = new RegExp(`(${NUM}{4}\\s*年\\s*${NUM}{1,2}\\s*月\\s*${NUM}{1,3}\\s*日)\\s*(?:中华人民共和国)?([\\u4e00-\\u9fff]{2,30}?)令\\s*第\\s*([0-9０-９〇零一二三四五六七八九十百]+)\\s*号`, 'u');
const HEAD_CONGRESS_RE = new RegExp(`(${NUM}{4}\\s*年\\s*${NUM}{1,2}\\s*月\\s*${NUM}{1,3}\\s*日)\\s*([\\u4e00-\\u9fff]{2,20}?)第[一二三四五六七八九十]+届人民代表大会常务委员会第[一二三四五六七八九十百]+次会议(?:通过|批准|修订)`, 'u');
const RED_HEADER_RE = new RegExp(`^([\\u4e00-\\u9fff]{2,30}${ORGAN})文件$`, 'u');
const DATE_LINE_RE = new RegExp(`^${NUM}{4}\\s*年\\s*${NUM}{1,2}\\s*月\\s*${NUM}{1,3}\\s*日$`, 'u');

/**
 * Issuer and date of issue from the document's own words; undefined where it does not say.
 * Order of trust: the head note, the title, the signature, the red header.
 */
export function inferDocumentFacts(title: string, body: string, history: readonly HistoryEntry[] = parseHistory(historyHead(body))): DocumentFacts {
  const facts: DocumentFacts = {};
  // A head that lists promulgation and amendments describes the text in hand by its latest revision.
  const version = versionFacts(history);
  if (version.dateIssued) {
    for (const key of ['issuer', 'dateIssued', 'docNumber', 'revised', 'effectiveFrom'] as const) if (version[key]) facts[key] = version[key];
    const byTitle = TITLE_ORGAN_RE.exec(title.replace(/\s+/gu, ''));
    if (!facts.issuer && byTitle) facts.issuer = byTitle[1] as string;
    return facts;
  }
  const lines = body.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const head = lines.slice(0, 6).join('\n');
  const order = HEAD_ORDER_RE.exec(head);
  const congress = HEAD_CONGRESS_RE.exec(head);
  if (order) {
    facts.issuer = (order[2] as string).replace(/\s+/gu, '');
    facts.docNumber = `${facts.issuer}令第${(order[3] as string).normalize('NFKC')}号`;
    const date = parseChineseDate(order[1] as string);
    if (date) facts.dateIssued = date;
  } else if (congress) {
    facts.issuer = `${(congress[2] as string).replace(/\s+/gu, '')}人民代表大会常务委员会`;
    const date = parseChineseDate(congress[1] as string);
    if (date) facts.dateIssued = date;
  }
  const byTitle = TITLE_ORGAN_RE.exec(title.replace(/\s+/gu, ''));
  if (!facts.issuer && byTitle) facts.issuer = byTitle[1] as string;
  // Signature: an organ's name on the line above a bare date among the last lines.
  const tail = lines.slice(-6);
  for (let i = tail.length - 1; i >= 1; i--) {
    const line = (tail[i] as string).replace(/\s+/gu, '');
    if (!DATE_LINE_RE.test(line)) continue;
    const above = (tail[i - 1] as string).replace(/\s+/gu, '');
    if (!facts.issuer && above.length <= 30 && ORGAN_END_RE.test(above) && !/[，。；：,;:]/u.test(above)) facts.issuer = above;
    if (!facts.dateIssued) {
      const date = parseChineseDate(line);
      if (date) facts.dateIssued = date;
    }
    break;
  }
  if (!facts.issuer) {
    const header = lines.slice(0, 3).map((l) => RED_HEADER_RE.exec(l.replace(/\s+/gu, ''))).find((m) => m);
    if (header) facts.issuer = header[1] as string;
  }
  return facts;
}

export interface Repeal {
  /** Title of the repealed document, without 《》. */
  title: string;
  /** Its 文号 when the text gives it in brackets after the title. */
  docNumber?: string;
  /** The sentence that repeals it, verbatim (at most 300 characters). */
  sentence: string;
  /** The article or item holding the sentence, as printed (第十八条, 一、). */
  clause?: string;
}

const REPEAL_WORD_RE = /(?:同时|予以|即行|一并)?(?:废止|停止执行)/u;
const REPEAL_WORD_AT_START_RE = /^(?:同时|予以|即行|一并)?(?:废止|停止执行)/u;
const CITED_RE = /《([^》]{2,100})》\s*(?:[（(]([^）)]{2,60})[）)])?/gu;
/**
 * What may stand between a repealed title and the repeal word, or after a title the word precedes:
 * its 文号 or date in brackets, other titles' joiners, "等N件". Anything else ("《甲》第三条同时废止",
 * "《甲》中与本办法不一致的规定停止执行") repeals a part, not the document.
 */
const WHOLE_GAP_RE = /^(?:\s|[（(][^（）()]{0,80}[）)]|、|，|,|和|及|与|以及|等(?:[0-9一二三四五六七八九十]+(?:件|个|部|项))?(?:文件|规定|法规|规章|地方性法规|行政法规)?|同时|予以|即行|一并)*$/u;
const CLAUSE_LINE_RE = new RegExp(`(?:^|\\n)[ \\t\\u3000]*(第(?:${ORDINAL_NUMBER_SOURCE})条|[一二三四五六七八九十百]{1,4}、)`, 'gu');

/** The article or item a body offset lies in, by the last one starting a line before it. */
function clauseAt(body: string, offset: number): string | undefined {
  let found: string | undefined;
  CLAUSE_LINE_RE.lastIndex = 0;
  for (let m = CLAUSE_LINE_RE.exec(body); m && m.index < offset; m = CLAUSE_LINE_RE.exec(body)) found = m[1];
  return found;
}

/**
 * Documents this text repeals as a whole: every 《title》 named before 废止/停止执行 in the clause that
 * repeals ("…，《甲》（文号）同时废止"), or right after it ("决定废止《乙》"), never a basis cited earlier
 * ("根据《…法》，决定废止《乙》" repeals 乙 only) and never a part ("《甲》第三条同时废止").
 */
export function findRepeals(body: string): Repeal[] {
  const out: Repeal[] = [];
  let offset = 0;
  for (const sentence of body.split(/(?<=[。；;\n])/u)) {
    const sentenceStart = offset;
    offset += sentence.length;
    const at = sentence.search(REPEAL_WORD_RE);
    if (at < 0 || /废止日期|废止或者|予以废止的|废止的规定|停止执行的/u.test(sentence)) continue;
    const found: RegExpMatchArray[] = [];
    const before = sentence.slice(0, at);
    const clauseStart = Math.max(...['，', ',', '：', ':', '；'].map((c) => before.lastIndexOf(c))) + 1;
    const titles = [...before.slice(clauseStart).matchAll(CITED_RE)];
    titles.forEach((m, i) => {
      const lead = before.slice(Math.max(0, clauseStart + (m.index ?? 0) - 3), clauseStart + (m.index ?? 0));
      if (/根据|依据|按照|依照|参照/u.test(lead)) return;
      const gapEnd = i + 1 < titles.length ? clauseStart + ((titles[i + 1] as RegExpMatchArray).index ?? 0) : at;
      if (WHOLE_GAP_RE.test(before.slice(clauseStart + (m.index ?? 0) + m[0].length, gapEnd))) found.push(m);
    });
    const after = sentence.slice(at).replace(REPEAL_WORD_AT_START_RE, '');
    const clauseEnd = after.search(/[，,：:；;。]/u);
    if (/^\s*《/u.test(after)) {
      const span = after.slice(0, clauseEnd < 0 ? after.length : clauseEnd);
      const following = [...span.matchAll(CITED_RE)];
      following.forEach((m, i) => {
        const gapEnd = i + 1 < following.length ? ((following[i + 1] as RegExpMatchArray).index ?? 0) : span.length;
        if (WHOLE_GAP_RE.test(span.slice((m.index ?? 0) + m[0].length, gapEnd))) found.push(m);
      });
    }
    if (found.length === 0) continue;
    const clause = clauseAt(body, sentenceStart + at);
    for (const m of found) out.push(repealOf(m, sentence, clause));
  }
  return out;
}

function repealOf(m: RegExpMatchArray, sentence: string, clause: string | undefined): Repeal {
  const repeal: Repeal = { title: m[1] as string, sentence: sentence.trim().slice(0, 300) };
  const number = m[2]?.replace(/\s+/gu, '');
  if (number && /〔\d{4}〕|\[\d{4}\]|第\d+号|\d+号$/u.test(number)) repeal.docNumber = number;
  if (clause) repeal.clause = clause;
  return repeal;
}
