/**
 * Facts a document states about itself that a citation needs when no metadata gives them: who
 * issued it and when (the title's "…关于", the head note "(2010年11月19日中华人民共和国国务院令第583号公布)",
 * "(…人民代表大会常务委员会第十八次会议通过)", the red header "…文件", the signature above the
 * date at the end), and which other documents it repeals ("《…》同时废止"). Pure: text in, facts out.
 */
import { parseChineseDate } from './validity.js';

export interface DocumentFacts {
  issuer?: string;
  dateIssued?: string;
  /** 文号 of an order (国务院令第583号) when the head note gives it. */
  docNumber?: string;
}

/** Endings of the names of issuing organs. */
const ORGAN = '(?:人民代表大会常务委员会|人民政府办公厅|人民政府办公室|人民政府|办公厅|办公室|委员会|领导小组|管理局|监督管理局|局|厅|部|委|署|院|政府|中心|总局|银行|协会)';
const ORGAN_END_RE = new RegExp(`${ORGAN}$`, 'u');
const TITLE_ORGAN_RE = new RegExp(`^([\\u4e00-\\u9fff（）()]{2,40}?${ORGAN})(?:、[\\u4e00-\\u9fff]{2,40}?${ORGAN})*关于`, 'u');
const NUM = '[0-9０-９〇零一二三四五六七八九十]';
const HEAD_ORDER_RE = new RegExp(`(${NUM}{4}\\s*年\\s*${NUM}{1,2}\\s*月\\s*${NUM}{1,3}\\s*日)\\s*(?:中华人民共和国)?([\\u4e00-\\u9fff]{2,30}?)令\\s*第\\s*([0-9０-９〇零一二三四五六七八九十百]+)\\s*号`, 'u');
const HEAD_CONGRESS_RE = new RegExp(`(${NUM}{4}\\s*年\\s*${NUM}{1,2}\\s*月\\s*${NUM}{1,3}\\s*日)\\s*([\\u4e00-\\u9fff]{2,20}?)第[一二三四五六七八九十]+届人民代表大会常务委员会第[一二三四五六七八九十百]+次会议(?:通过|批准|修订)`, 'u');
const RED_HEADER_RE = new RegExp(`^([\\u4e00-\\u9fff]{2,30}${ORGAN})文件$`, 'u');
const DATE_LINE_RE = new RegExp(`^${NUM}{4}\\s*年\\s*${NUM}{1,2}\\s*月\\s*${NUM}{1,3}\\s*日$`, 'u');

/**
 * Issuer and date of issue from the document's own words; undefined where it does not say.
 * Order of trust: the head note, the title, the signature, the red header.
 */
export function inferDocumentFacts(title: string, body: string): DocumentFacts {
  const facts: DocumentFacts = {};
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
  /** The sentence that repeals it, verbatim. */
  sentence: string;
}

const REPEAL_WORD_RE = /(?:同时|予以|即行|一并)?废止/u;
const CITED_RE = /《([^》]{2,100})》\s*(?:[（(]([^）)]{2,40})[）)])?/gu;

/** Documents this text repeals: every 《title》 named before 废止 in a sentence that repeals. */
export function findRepeals(body: string): Repeal[] {
  const out: Repeal[] = [];
  for (const sentence of body.split(/(?<=[。；;\n])/u)) {
    const at = sentence.search(REPEAL_WORD_RE);
    if (at < 0 || /废止日期|废止或者|予以废止的|废止的规定/u.test(sentence)) continue;
    // Only the titles in the clause that repeals ("…，《甲》同时废止"), never a basis cited earlier in
    // the sentence ("根据《…法》，决定废止《乙》" repeals 乙 only).
    const before = sentence.slice(0, at);
    const clauseStart = Math.max(...['，', ',', '：', ':', '；'].map((c) => before.lastIndexOf(c))) + 1;
    for (const m of before.slice(clauseStart).matchAll(CITED_RE)) {
      const lead = before.slice(Math.max(0, clauseStart + (m.index ?? 0) - 3), clauseStart + (m.index ?? 0));
      if (/根据|依据|按照|依照|参照/u.test(lead)) continue;
      out.push(repealOf(m, sentence));
    }
    // "决定废止《乙》": titles right after the word, up to the end of that clause.
    const after = sentence.slice(at).replace(/^(?:同时|予以|即行|一并)?废止/u, '');
    const clauseEnd = after.search(/[，,：:；;。]/u);
    if (/^\s*《/u.test(after)) {
      for (const m of after.slice(0, clauseEnd < 0 ? after.length : clauseEnd).matchAll(CITED_RE)) out.push(repealOf(m, sentence));
    }
  }
  return out;
}

function repealOf(m: RegExpMatchArray, sentence: string): Repeal {
  const repeal: Repeal = { title: m[1] as string, sentence: sentence.trim() };
  const number = m[2]?.replace(/\s+/gu, '');
  if (number && /〔\d{4}〕|\[\d{4}\]|第\d+号|\d+号$/u.test(number)) repeal.docNumber = number;
  return repeal;
}

const normalizeTitle = (t: string): string => t.normalize('NFKC').replace(/[\s《》"“”]/gu, '').replace(/[（]/gu, '(').replace(/[）]/gu, ')');

/**
 * Marks documents that another document of the collection repeals: `supersededBy` (the repealing
 * title) and a basis quoting its sentence, unless their metadata already states a status or
 * successor. Returns new metadata objects for the documents it changes.
 */
export function applyRepeals<M extends { docId: string; title: string; docNumber?: string; status?: string; supersededBy?: string; validityBasis?: string }>(docs: readonly ({ meta: M; body: string } | { meta: M; repeals: readonly Repeal[] })[]): Map<string, M> {
  const byTitle = new Map(docs.map((d) => [normalizeTitle(d.meta.title), d]));
  const byNumber = new Map(docs.filter((d) => d.meta.docNumber).map((d) => [normalizeTitle(d.meta.docNumber as string), d]));
  const changed = new Map<string, M>();
  for (const repealer of docs) {
    // `repeals`: what findRepeals found in the body, for callers that do not keep bodies (streaming ingest).
    for (const r of 'repeals' in repealer ? repealer.repeals : findRepeals(repealer.body)) {
      const target = (r.docNumber ? byNumber.get(normalizeTitle(r.docNumber)) : undefined) ?? byTitle.get(normalizeTitle(r.title));
      if (!target || target === repealer || target.meta.status || target.meta.supersededBy) continue;
      const basis = `《${repealer.meta.title}》：${r.sentence.slice(0, 200)}`;
      changed.set(target.meta.docId, { ...target.meta, supersededBy: repealer.meta.title, validityBasis: target.meta.validityBasis ? `${basis}；${target.meta.validityBasis}` : basis });
    }
  }
  return changed;
}
