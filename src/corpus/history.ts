/**
 * A document's promulgation and amendment history, as its head states it: the LawRefBook lines
 * between the title and `<!-- INFO END -->` ("2001年6月15日 中华人民共和国国务院令第306号公布",
 * "2010年1月9日 《国务院关于修改〈…〉的决定》第二次修订", "2003年10月1日 施行"), or the head note in
 * brackets that official texts print under the title ("（2010年11月19日中华人民共和国国务院令第583号公布
 * 根据2016年2月6日《国务院关于修改部分行政法规的决定》修订）"). Pure: text in, entries out.
 *
 * `versionFacts(history)` says what describes the text in hand: the date of its latest revision,
 * the order that promulgated that text (none when a decision amended it), and when it took effect
 * where the head says so. The history keeps the original.
 */
import { parseChineseDate } from '../shared/dates.js';
import { SMALL_NUMBER_SOURCE } from '../shared/numerals.js';

export const HISTORY_ACTIONS = ['通过', '批准', '公布', '发布', '修订', '修正', '施行'] as const;
export type HistoryAction = (typeof HISTORY_ACTIONS)[number];

export interface HistoryEntry {
  /** YYYY-MM-DD. */
  date: string;
  action: HistoryAction;
  /** Who or what, as written: "中华人民共和国国务院令第306号", "《国务院关于修改〈…〉的决定》". */
  by: string;
  /** 第N次修订 → N. */
  ordinal?: number;
  /** The order or announcement number the entry names (国务院令第306号). */
  docNumber?: string;
}

/** Where the LawRefBook head ends. */
export const INFO_END = '<!-- INFO END -->';

const DATE_RE = /[0-9０-９]{4}\s*年\s*[0-9０-９]{1,2}\s*月\s*[0-9０-９]{1,2}\s*日/gu;
/** Words between two events that belong to the next one ("根据", "并经", "自…起"). */
const TRAILING_LINK_RE = /(?:根据|依据|并经|并于|经|自|于|，|,|、|；|;|\s)+$/u;
const LEADING_LINK_RE = /^(?:起|\s|，|,|、)+/u;
const QUOTED_RE = /《[^》]{0,200}》/gu;
const AMEND_RE = new RegExp(`(?:第(${SMALL_NUMBER_SOURCE})次)?(修正|修订|修改)`, 'u');
const ORDINAL_CN = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
const ORDER_RE = /((?:中华人民共和国)?[\u4e00-\u9fff、]{2,40}?(?:令|公告))\s*第\s*([0-9０-９]{1,5})\s*号/u;
/** A head note in brackets that starts with a date: "（2010年11月19日…公布 根据…修订）". */
const HEAD_NOTE_RE = /[（(]\s*([0-9０-９]{4}\s*年[^（()）]{4,600})[）)]/u;
/** The first structural line: the head is above it. */
const FIRST_UNIT_RE = new RegExp(`(?:^|\\n)[ \\t\\u3000#]*(?:第[一二三四五六七八九十百千0-9]{1,8}[编章节条]|${SMALL_NUMBER_SOURCE}、)`, 'u');

/** The part of a body that may state its history: the LawRefBook head, else the head note above the first article. */
export function historyHead(body: string): string {
  const info = body.indexOf(INFO_END);
  if (info >= 0 && info < 20_000) return body.slice(0, info);
  const unit = FIRST_UNIT_RE.exec(body.slice(0, 3000));
  const top = body.slice(0, unit ? unit.index : Math.min(body.length, 600));
  return HEAD_NOTE_RE.exec(top)?.[1] ?? '';
}

function readOrdinal(text: string | undefined): number | undefined {
  if (!text) return undefined;
  if (text.length === 1) return ORDINAL_CN.indexOf(text) || undefined;
  if (text === '十') return 10;
  if (text.startsWith('十')) return 10 + ORDINAL_CN.indexOf(text.slice(1));
  return undefined;
}

function actionOf(segment: string): { action: HistoryAction; ordinal?: number; at: number; length: number } | undefined {
  // Words inside the decision's own title ("关于修改…的决定") are not the action: look outside 《》.
  const plain = segment.replace(QUOTED_RE, (q) => ' '.repeat(q.length));
  const amend = AMEND_RE.exec(plain);
  if (amend) {
    const ordinal = readOrdinal(amend[1]);
    return { action: amend[2] === '修正' ? '修正' : '修订', ...(ordinal ? { ordinal } : {}), at: amend.index, length: amend[0].length };
  }
  for (const [re, action] of [
    [/公布|颁布/u, '公布'],
    [/发布/u, '发布'],
    [/批准/u, '批准'],
    [/通过/u, '通过'],
    [/施行|实施|生效/u, '施行'],
  ] as const) {
    const m = re.exec(plain);
    if (m) return { action, at: m.index, length: m[0].length };
  }
  return undefined;
}

/** The order that promulgated: 国务院令第306号 (中华人民共和国 dropped), 青岛市人民代表大会常务委员会公告第12号. */
export function orderNumberIn(text: string): string | undefined {
  const m = ORDER_RE.exec(text.replace(QUOTED_RE, ''));
  if (!m) return undefined;
  const organ = (m[1] as string).replace(/中华人民共和国/gu, '');
  return `${organ}第${(m[2] as string).normalize('NFKC')}号`;
}

/** Every dated event of a head, in the order written. */
export function parseHistory(head: string): HistoryEntry[] {
  const text = head.replace(/\r\n?/gu, '\n');
  const dates = [...text.matchAll(DATE_RE)];
  const out: HistoryEntry[] = [];
  // "2023年3月27日 最高人民法院审判委员会第1882次会议、2023年7月27日最高人民检察院…会议通过": the first
  // organ's event takes the action the joint sentence ends with.
  let waiting: { date: string; by: string }[] = [];
  dates.forEach((m, i) => {
    const date = parseChineseDate(m[0]);
    const from = (m.index ?? 0) + m[0].length;
    const to = dates[i + 1]?.index ?? text.length;
    // One event per date: up to the next date, or the end of the line.
    let segment = text.slice(from, to);
    const nl = segment.indexOf('\n');
    if (nl >= 0 && segment.slice(0, nl).trim() !== '') segment = segment.slice(0, nl);
    segment = segment.replace(LEADING_LINK_RE, '').replace(/[）)]\s*$/u, '').replace(TRAILING_LINK_RE, '').trim();
    // A date inside a decision's title or another event's words ("…第N次会议通过的《…》") is no event of its own.
    const open = text.slice(0, m.index).lastIndexOf('《');
    if (open >= 0 && open > text.slice(0, m.index).lastIndexOf('》')) return;
    const found = actionOf(segment);
    if (date && !found && /、\s*$/u.test(text.slice(from, to)) && segment.length <= 100) {
      waiting.push({ date, by: segment });
      return;
    }
    if (!date || !found || segment.length > 300) {
      waiting = [];
      return;
    }
    for (const w of waiting) out.push({ date: w.date, action: found.action, by: w.by });
    waiting = [];
    const by = `${segment.slice(0, found.at)}${segment.slice(found.at + found.length)}`.replace(/[\s\u3000]+/gu, ' ').replace(/^(?:根据|依据)\s*/u, '').replace(/\s*(?:的)?$/u, '').trim();
    const entry: HistoryEntry = { date, action: found.action, by: by.slice(0, 200) };
    if (found.ordinal) entry.ordinal = found.ordinal;
    const number = orderNumberIn(segment);
    if (number) entry.docNumber = number;
    out.push(entry);
  });
  return out;
}

const AMENDMENTS = new Set<HistoryAction>(['修订', '修正']);
const MAKING = new Set<HistoryAction>(['通过', '批准', '公布', '发布', '修订', '修正']);

export interface VersionFacts {
  /** The date of the text in hand: its latest revision, else its promulgation (公布/发布), else its adoption. */
  dateIssued?: string;
  /** The order that promulgated the text in hand; unset when a decision amended it after that order. */
  docNumber?: string;
  /** The latest revision's date, when the text was revised or amended. */
  revised?: string;
  /** A 施行 entry on or after the text's date. */
  effectiveFrom?: string;
  /** The organ of the first entry (who made the instrument): 国务院, 全国人民代表大会常务委员会. */
  issuer?: string;
}

/** What the history says of the text in hand. */
export function versionFacts(history: readonly HistoryEntry[]): VersionFacts {
  const making = history.filter((h) => MAKING.has(h.action));
  if (making.length === 0) return {};
  const latestAmendment = history.filter((h) => AMENDMENTS.has(h.action)).reduce<HistoryEntry | undefined>((a, h) => (!a || h.date >= a.date ? h : a), undefined);
  const promulgations = making.filter((h) => h.action === '公布' || h.action === '发布');
  const latestOf = (list: readonly HistoryEntry[]): HistoryEntry | undefined => list.reduce<HistoryEntry | undefined>((a, h) => (!a || h.date >= a.date ? h : a), undefined);
  const promulgated = latestOf(promulgations);
  const adopted = latestOf(making);
  // The text in hand dates from its latest revision; an unrevised one from its promulgation.
  const version = latestAmendment && (!promulgated || latestAmendment.date >= promulgated.date) ? latestAmendment : promulgated ?? adopted;
  const out: VersionFacts = {};
  if (version) out.dateIssued = version.date;
  if (latestAmendment && version === latestAmendment) out.revised = latestAmendment.date;
  const numbered = latestOf(making.filter((h) => h.docNumber && (!version || h.date >= version.date)));
  if (numbered?.docNumber) out.docNumber = numbered.docNumber;
  const effective = latestOf(history.filter((h) => h.action === '施行' && (!version || h.date >= version.date)));
  if (effective) out.effectiveFrom = effective.date;
  // Who made the instrument: the organs of its first event, jointly ("最高人民法院、最高人民检察院").
  const first = history[0];
  const end = history.findIndex((h) => h.action !== first?.action);
  const lead = history.slice(0, end < 0 ? history.length : end);
  const organs = [...new Set(lead.map((h) => organOf(h.by)).filter((o): o is string => o !== undefined))];
  if (organs.length > 0 && organs.length === new Set(lead.map((h) => h.by)).size) out.issuer = organs.join('、');
  return out;
}

const ORGAN_CUT_RE = /审判委员会|检察委员会|[令]第|第[一二三四五六七八九十百零〇0-9]+号令|公告|会议/u;
/** What stands between an organ's name and 会议 ("第二十次", "常务", "部长办公", "2021年第20次室务"). */
const MEETING_TAIL_RE = /(?:[0-9]{4}年)?(?:第[一二三四五六七八九十百零〇0-9]+次)?(?:常务|部长办公|部务|局务|委务|室务|主任|署务|行务|办公)?$/u;
const ORGAN_END_RE = /(?:人民代表大会常务委员会|人民代表大会|人民政府|国务院|中央军事委员会|中共中央|委员会|人民法院|人民检察院|总局|管理局|局|部|署|院|厅|委|办公室|办公厅|银行)$/u;

/** The organ an entry names: "第六届全国人民代表大会常务委员会第四次会议" → 全国人民代表大会常务委员会. */
export function organOf(by: string): string | undefined {
  let s = by
    .replace(QUOTED_RE, '')
    .replace(/中华人民共和国/gu, '')
    .replace(/人大常委会/gu, '人民代表大会常务委员会')
    .replace(/人大(?!学)/gu, '人民代表大会')
    .replace(/第?[一二三四五六七八九十百零〇0-9]+届/gu, '')
    .replace(/\s+/gu, '');
  const cut = ORGAN_CUT_RE.exec(s);
  if (cut) s = s.slice(0, cut.index);
  s = s.replace(MEETING_TAIL_RE, '').replace(/[、，,]+$/u, '');
  // "市人民代表大会常务委员会" (the city left unsaid) names no organ one can tell apart.
  if (s.length < 2 || s.length > 40 || /^[省市县区]/u.test(s)) return undefined;
  // Several organs jointly ("最高人民法院、最高人民检察院", "国务院、中央军事委员会"): each must be one.
  return s.split('、').every((part) => ORGAN_END_RE.test(part)) ? s : undefined;
}
