/**
 * Passage records as one binary file: numeric fields as Int32 columns, strings and string lists
 * interned (a breadcrumb or heading list shared by many passages is stored once). Passage text is
 * not stored: it is always `body.slice(start, end)` of its document.
 *
 * Layout, little-endian: a 32-byte header (magic, version, passages n, lists L, list items M,
 * string-table bytes), 13 Int32 columns of n values (docId, index, start, end, label, part index,
 * part count, passageId, breadcrumb, clause: string refs where text; headings, labels, sectionIds:
 * list refs), list offsets (L + 1), list items (M string refs), then the string table as a UTF-8
 * JSON array.
 */
import { endianness } from 'node:os';
import type { PassageRecord } from './knowledge-index.js';

const MAGIC = 'KBPASS\0\0';
const VERSION = 1;
const HEADER_BYTES = 32;
const COLUMNS = ['docId', 'index', 'start', 'end', 'label', 'partIndex', 'partOf', 'passageId', 'breadcrumb', 'clause', 'headings', 'labels', 'sectionIds'] as const;
type Column = (typeof COLUMNS)[number];

function layout(n: number, lists: number, items: number): { column: (c: Column) => number; listOffsets: number; listItems: number; strings: number } {
  const listOffsets = HEADER_BYTES + COLUMNS.length * n * 4;
  const listItems = listOffsets + (lists + 1) * 4;
  return { column: (c) => HEADER_BYTES + COLUMNS.indexOf(c) * n * 4, listOffsets, listItems, strings: listItems + items * 4 };
}

export function encodePassages(passages: readonly PassageRecord[]): Uint8Array {
  const strings: string[] = [];
  const stringIds = new Map<string, number>();
  const intern = (s: string): number => {
    let id = stringIds.get(s);
    if (id === undefined) {
      id = strings.length;
      strings.push(s);
      stringIds.set(s, id);
    }
    return id;
  };
  const listIds = new Map<string, number>();
  const listOffsets: number[] = [0];
  const listItems: number[] = [];
  const internList = (list: readonly string[]): number => {
    const refs = list.map(intern);
    const key = refs.join(',');
    let id = listIds.get(key);
    if (id === undefined) {
      id = listOffsets.length - 1;
      listItems.push(...refs);
      listOffsets.push(listItems.length);
      listIds.set(key, id);
    }
    return id;
  };
  const n = passages.length;
  const columns = Object.fromEntries(COLUMNS.map((c) => [c, new Int32Array(n)])) as Record<Column, Int32Array>;
  passages.forEach((p, i) => {
    columns.docId[i] = intern(p.docId);
    columns.index[i] = p.index;
    columns.start[i] = p.start;
    columns.end[i] = p.end;
    columns.label[i] = p.label;
    columns.partIndex[i] = p.part ? p.part.index : -1;
    columns.partOf[i] = p.part ? p.part.of : -1;
    columns.passageId[i] = intern(p.passageId);
    columns.breadcrumb[i] = intern(p.breadcrumb);
    columns.clause[i] = intern(p.clause);
    columns.headings[i] = internList(p.headings);
    columns.labels[i] = internList(p.labels);
    columns.sectionIds[i] = internList(p.sectionIds);
  });
  const table = new TextEncoder().encode(JSON.stringify(strings));
  const lists = listOffsets.length - 1;
  const at = layout(n, lists, listItems.length);
  const out = new Uint8Array(at.strings + table.length);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, n, true);
  view.setUint32(16, lists, true);
  view.setUint32(20, listItems.length, true);
  view.setUint32(24, table.length, true);
  for (const c of COLUMNS) out.set(new Uint8Array(columns[c].buffer), at.column(c));
  out.set(new Uint8Array(Int32Array.from(listOffsets).buffer), at.listOffsets);
  out.set(new Uint8Array(Int32Array.from(listItems).buffer), at.listItems);
  out.set(table, at.strings);
  return out;
}

/** Reads what `encodePassages` wrote; throws a RangeError naming the first inconsistency. */
export function decodePassages(input: Uint8Array): PassageRecord[] {
  if (endianness() !== 'LE') throw new RangeError('passages.bin is little-endian; this machine is big-endian');
  const bytes = input.byteOffset % 4 === 0 ? input : input.slice();
  if (bytes.length < HEADER_BYTES || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw new RangeError('passages.bin is not a passage table (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== VERSION) throw new RangeError(`passages.bin is version ${version}; this build reads ${VERSION}`);
  const n = view.getUint32(12, true);
  const lists = view.getUint32(16, true);
  const items = view.getUint32(20, true);
  const tableBytes = view.getUint32(24, true);
  const at = layout(n, lists, items);
  if (bytes.length !== at.strings + tableBytes) throw new RangeError(`passages.bin has ${bytes.length} bytes; its header describes ${at.strings + tableBytes}`);
  const int32 = (offset: number, count: number): Int32Array => new Int32Array(bytes.buffer, bytes.byteOffset + offset, count);
  const col = Object.fromEntries(COLUMNS.map((c) => [c, int32(at.column(c), n)])) as Record<Column, Int32Array>;
  const listOffsets = int32(at.listOffsets, lists + 1);
  const listItems = int32(at.listItems, items);
  const strings = JSON.parse(new TextDecoder().decode(bytes.subarray(at.strings))) as unknown;
  if (!Array.isArray(strings) || !strings.every((s) => typeof s === 'string')) throw new RangeError('passages.bin string table is not a list of strings');
  const str = (ref: number, what: string, i: number): string => {
    const s = (strings as string[])[ref];
    if (s === undefined) throw new RangeError(`passage ${i}: ${what} refers to string ${ref} of ${strings.length}`);
    return s;
  };
  // Lists are decoded once and shared by every passage that has them (records are read-only).
  const decodedLists: (string[] | undefined)[] = new Array(lists);
  const list = (ref: number, what: string, i: number): string[] => {
    if (!(ref >= 0 && ref < lists)) throw new RangeError(`passage ${i}: ${what} refers to list ${ref} of ${lists}`);
    let out = decodedLists[ref];
    if (!out) {
      out = [];
      for (let j = listOffsets[ref] as number; j < (listOffsets[ref + 1] as number); j += 1) out.push(str(listItems[j] as number, what, i));
      decodedLists[ref] = out;
    }
    return out;
  };
  if (listOffsets[0] !== 0 || (lists > 0 && listOffsets[lists] !== items)) throw new RangeError('passages.bin list offsets do not cover the list items');
  const passages: PassageRecord[] = new Array(n);
  for (let i = 0; i < n; i += 1) {
    const start = col.start[i] as number;
    const end = col.end[i] as number;
    if (!(start >= 0 && end >= start)) throw new RangeError(`passage ${i} has offsets [${start}, ${end})`);
    const record: PassageRecord = {
      label: col.label[i] as number,
      passageId: str(col.passageId[i] as number, 'passageId', i),
      docId: str(col.docId[i] as number, 'docId', i),
      index: col.index[i] as number,
      start,
      end,
      breadcrumb: str(col.breadcrumb[i] as number, 'breadcrumb', i),
      headings: list(col.headings[i] as number, 'headings', i),
      labels: list(col.labels[i] as number, 'labels', i),
      clause: str(col.clause[i] as number, 'clause', i),
      sectionIds: list(col.sectionIds[i] as number, 'sectionIds', i),
    };
    if ((col.partIndex[i] as number) >= 0) record.part = { index: col.partIndex[i] as number, of: col.partOf[i] as number };
    passages[i] = record;
  }
  return passages;
}
