/**
 * Synthetic documents for storage tests: seeded, so every backend receives the same plan and the
 * embedded `Bm25Index` can be built from the same passages as the reference.
 */
import type { ValidMeta } from '../../src/corpus/document.js';
import type { SectionNode } from '../../src/corpus/parser.js';
import type { DocumentWrite, StoredDocument } from '../../src/storage/types.js';
import { seededRandom } from '../../scripts/bench-support.js';

export { seededRandom };

/** Words with a skewed (Zipf-like) frequency, so idf varies and ties are rare but possible. */
export const WORDS = [
  '人工智能', '数据', '算力', '产业', '创新', '企业', '补贴', '标准', '安全', '平台', '人才', '园区', '资金', '申报', '认定', '奖励',
  '第10条', '第3章', '超级计算', '物联网', '专精特新', '孵化', '知识产权', '税收', '研发', '融资', '场景', '示范', '试点', '监管',
  '😀表情', '𠀋字', 'ai', 'gpu', '模型', '开源',
];

export interface SyntheticOptions {
  documents: number;
  passagesPerDocument: number;
  dimension: number;
  seed?: number;
  /** docId prefix (a second batch gets other ids). */
  prefix?: string;
}

function pick(random: () => number): string {
  // Squaring skews toward the first words.
  return WORDS[Math.floor(random() * random() * WORDS.length)] as string;
}

export function syntheticMeta(docId: string, i: number): ValidMeta {
  const year = 2015 + (i % 10);
  const meta: ValidMeta = {
    docId,
    title: `关于${docId}的通知`,
    issuer: i % 3 === 0 ? '上海市经济和信息化委员会' : i % 3 === 1 ? '上海市人民政府办公厅' : '国务院',
  } as ValidMeta;
  if (i % 4 !== 3) meta.dateIssued = `${year}-0${1 + (i % 9)}-1${i % 10}`;
  else if (i % 8 === 3) meta.listingDate = `${year}-12-01`;
  if (i % 5 === 0) meta.status = '已废止';
  if (i % 5 === 1) {
    meta.effectiveFrom = `${year}-01-01`;
    meta.effectiveTo = `${year + 2}-12-31`;
  }
  return meta;
}

/** Plans that put `documents` documents of `passagesPerDocument` passages with terms, text and vectors. */
export function syntheticWrites(options: SyntheticOptions): DocumentWrite[] {
  const random = seededRandom(options.seed ?? 7);
  const prefix = options.prefix ?? 'doc';
  const out: DocumentWrite[] = [];
  for (let i = 0; i < options.documents; i += 1) {
    // Ids whose byte order differs from a locale's ("-" and "_" and capitals), to pin the tie-break order.
    const docId = `${prefix}${i % 2 === 0 ? '-' : '_'}${String(i).padStart(3, '0')}${i % 3 === 0 ? 'A' : 'a'}`;
    let body = '';
    const passages: DocumentWrite['passages'] = [];
    for (let p = 0; p < options.passagesPerDocument; p += 1) {
      const terms: string[] = [];
      const count = 2 + Math.floor(random() * 12);
      for (let t = 0; t < count; t += 1) terms.push(pick(random));
      const text = `${terms.join('，')}。`;
      const start = body.length;
      body += text;
      const end = body.length;
      body += '\n';
      const vector = new Float32Array(options.dimension);
      for (let d = 0; d < options.dimension; d += 1) vector[d] = random() * 2 - 1;
      passages.push({
        passage: {
          passageId: `${docId}-p${p}`,
          docId,
          index: p,
          start,
          end,
          breadcrumb: `《关于${docId}的通知》 › 第${p + 1}条`,
          headings: [`第${p + 1}条`],
          labels: [`第${p + 1}条`],
          clause: `第${p + 1}条`,
          sectionIds: [`s${p + 1}`],
          ...(p % 4 === 3 ? { part: { index: 2, of: 2 } } : {}),
        },
        terms,
        vector,
      });
    }
    const tree: SectionNode = { id: 's0', kind: 'root', label: '', number: 0, title: '', level: 0, path: [], start: 0, end: body.length, markerEnd: 0, titleEnd: 0, children: [] };
    const document: StoredDocument = { meta: syntheticMeta(docId, i), body, contentHash: `hash-${docId}-${options.seed ?? 7}`, source: `${docId}.md`, tree };
    out.push({ document, passages });
  }
  return out;
}

/** Every passage of the writes in the embedded index's order: by docId, then position. */
export function inReadingOrder(writes: readonly DocumentWrite[]): DocumentWrite['passages'] {
  return [...writes].sort((a, b) => (a.document.meta.docId < b.document.meta.docId ? -1 : a.document.meta.docId > b.document.meta.docId ? 1 : 0)).flatMap((w) => w.passages);
}

/** A unit vector along axis `axis` (vector tests with known nearest neighbours). */
export function axisVector(dimension: number, axis: number, tilt = 0): Float32Array {
  const v = new Float32Array(dimension);
  v[axis % dimension] = 1;
  v[(axis + 1) % dimension] = tilt;
  return v;
}
