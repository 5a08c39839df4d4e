/**
 * Metadata hints read from the document itself: info boxes of government pages (发文字号/成文日期/实施日期/
 * 失效日期/效力状态), the 文号 and title at the head of the text.
 */
import { dropInvisible } from './text-normalize.js';
import type { MetadataHints } from './types.js';
import { CHINESE_DIGITS, SMALL_NUMBER_SOURCE } from '../shared/numerals.js';

/** Info-box labels (spaces inside them are allowed: "标 题") → the hint they fill. */
const LABELS: ReadonlyArray<[RegExp, keyof MetadataHints]> = [
  [/^标\s*题$|^名\s*称$|^文件名称$/u, 'title'],
  [/^(?:发文机关|发布机构|发文单位|制定机关|发布机关|来源|信息来源)$/u, 'issuer'],
  [/^(?:发文字号|文\s*号|发文文号)$/u, 'docNumber'],
  [/^(?:成文日期|成文时间|制发日期|印发日期)$/u, 'dateIssued'],
  [/^(?:发布日期|发布时间|公布日期|公开日期)$/u, 'publishedDate'],
  [/^(?:实施日期|施行日期|生效日期|生效时间)$/u, 'effectiveFrom'],
  [/^(?:失效日期|废止日期|有效期至)$/u, 'effectiveTo'],
  [/^(?:效力状态|时效性|有效性|状\s*态)$/u, 'status'],
];
const DATE_KEYS = new Set<keyof MetadataHints>(['dateIssued', 'publishedDate', 'effectiveFrom', 'effectiveTo']);
const LABEL_SOURCE = '(标\\s*题|名\\s*称|文件名称|发文机关|发布机构|发文单位|制定机关|发布机关|发文字号|文\\s*号|发文文号|成文日期|成文时间|制发日期|印发日期|发布日期|发布时间|公布日期|公开日期|实施日期|施行日期|生效日期|生效时间|失效日期|废止日期|有效期至|效力状态|时效性|有效性|索引号|主题分类|统一编号|主题词|体裁分类)\\s*[:：]';

/** Which hint a label names, if any. */
export function hintKeyFor(label: string): keyof MetadataHints | undefined {
  const clean = label.replace(/[:：\s]+$/u, '').trim();
  return LABELS.find(([re]) => re.test(clean))?.[1];
}


const CN_DATE_RE = new RegExp(`([零${CHINESE_DIGITS}]{4})\\s*年\\s*(${SMALL_NUMBER_SOURCE})\\s*月\\s*(${SMALL_NUMBER_SOURCE})\\s*日`, 'u');

/** 十二 → 12, 三十一 → 31 (month and day numerals). */
function smallNumeral(text: string): number {
  if (!text.includes('十')) return CHINESE_DIGITS.indexOf(text);
  const [tens, ones] = text.split('十');
  return (tens ? CHINESE_DIGITS.indexOf(tens) : 1) * 10 + (ones ? CHINESE_DIGITS.indexOf(ones) : 0);
}

/** "2025年10月11日", "二〇一一年三月十日", "2025-10-11 11:33", "2025/10/11", "2025.10.11" → "2025-10-11". */
export function toIsoDate(text: string): string | undefined {
  const cn = CN_DATE_RE.exec(text);
  if (cn) {
    const year = [...(cn[1] ?? '')].map((c) => (c === '零' ? 0 : CHINESE_DIGITS.indexOf(c))).join('');
    return toIsoDate(`${year}年${smallNumeral(cn[2] ?? '')}月${smallNumeral(cn[3] ?? '')}日`);
  }
  const m = /([12][0-9]{3})\s*[年\-/.．]\s*([0-9]{1,2})\s*[月\-/.．]\s*([0-9]{1,2})/u.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Sets a hint from a label's value (dates normalized, empty and placeholder values skipped). */
export function setHint(hints: MetadataHints, key: keyof MetadataHints, raw: string): void {
  const value = dropInvisible(raw).replace(/^[\s|｜]+|[\s|｜]+$/gu, '').replace(/\s+/gu, key === 'title' || key === 'docNumber' ? '' : ' ').trim();
  if (value.length === 0 || /^[-—/无暂]$/u.test(value) || hints[key] !== undefined) return;
  // "本网"/"本站" (this site) names no issuer.
  if (key === 'issuer' && /^(?:本网|本站|原创|网站|本网站)$/u.test(value)) return;
  if (key === 'issuer' && /^本网\S/u.test(value)) {
    hints[key] = value.slice(2);
    return;
  }
  if (DATE_KEYS.has(key)) {
    const iso = toIsoDate(value);
    if (iso) hints[key] = iso;
    return;
  }
  hints[key] = value;
}

/** Reads "label：value" pairs from lines such as "发文机关： 南宁市发改委 效力状态：有效" (several per line). */
export function readInfoLines(lines: readonly string[], hints: MetadataHints = {}): MetadataHints {
  const re = new RegExp(LABEL_SOURCE, 'gu');
  for (const line of lines) {
    const marks = [...line.matchAll(re)];
    marks.forEach((m, i) => {
      const key = hintKeyFor(m[1] ?? '');
      const from = (m.index ?? 0) + m[0].length;
      const to = marks[i + 1]?.index ?? line.length;
      if (key) setHint(hints, key, line.slice(from, to));
    });
  }
  return hints;
}

const DOC_NUMBER_RE = /[\u4e00-\u9fff]{1,12}\s*[〔［[(（【]\s*[12][0-9]{3}\s*[〕］\])）】]\s*[0-9]{1,4}\s*号/u;
const TITLE_TAIL_RE = /(?:条例|办法|规定|通知|决定|意见|方案|规划|细则|批复|公告|通告|计划|纲要|规则|标准|决议|函|通报|报告|指引|指南|措施|若干规定|法|章程|准则)(?:[(（][^)）]{1,20}[)）])?$/u;

const DATE_LINE_RE = /^(?:[12][0-9]{3}\s*年\s*[0-9]{1,2}\s*月\s*[0-9]{1,2}\s*日|[〇零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日)$/u;
const ORGAN_RE = /(?:政府|委员会|办公厅|办公室|局|厅|部|院|委|会|中心|公司|处|署|所|组)$/u;

/**
 * Fills title (a title-like line near the top), 文号 from the head of the text, and 成文日期 + issuer from the
 * signature: the first line that is only a date ("2021年12月1日", "二〇一一年三月十日"), with the organ named on
 * the line above it. Hints already set are kept.
 */
export function guessHintsFromText(text: string, hints: MetadataHints): MetadataHints {
  const lines = text.split('\n').map((l) => l.trim());
  const signature = lines.findIndex((l) => DATE_LINE_RE.test(l.replace(/\s+/gu, '')));
  if (signature >= 0) {
    if (hints.dateIssued === undefined) setHint(hints, 'dateIssued', lines[signature] as string);
    const organ = lines[signature - 1]?.replace(/\s+/gu, ' ');
    if (hints.issuer === undefined && organ && organ.length <= 40 && ORGAN_RE.test(organ) && !/[。，；：:]/u.test(organ)) setHint(hints, 'issuer', organ);
  }
  const head = lines.slice(0, 15).filter((l) => l.length > 0);
  if (hints.docNumber === undefined) {
    const line = head.find((l) => DOC_NUMBER_RE.test(l) && l.length < 40);
    const m = line ? DOC_NUMBER_RE.exec(line) : null;
    if (m) hints.docNumber = m[0].replace(/\s+/gu, '');
  }
  if (hints.title === undefined) {
    const index = head.findIndex((l) => l.length >= 4 && l.length <= 80 && TITLE_TAIL_RE.test(l) && !/[，。；：,;:]/u.test(l));
    const title = head[index];
    // A title broken over two lines: "内蒙古自治区筑牢祖国北疆安全稳定" + "屏障促进条例".
    const before = head[index - 1];
    const joinable = before !== undefined && before.length <= 40 && !/[。；;：:，,!！?？）)]$/u.test(before) && !DOC_NUMBER_RE.test(before) && !/文件$|^[0-9（(]/u.test(before) && !TITLE_TAIL_RE.test(before);
    if (title) hints.title = joinable ? `${before}${title}` : title;
  }
  return hints;
}
