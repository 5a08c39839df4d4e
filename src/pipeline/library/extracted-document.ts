/**
 * Extraction result + user fields → a corpus document (front matter + body) that round-trips
 * through `parseDocumentFile` unchanged, with page ranges that still index the body. Pure.
 */
import path from 'node:path';
import { DOC_ID_RE, docIdFromFileName, policyMetaSchema, STATEABLE_FIELDS, type PolicyMeta, type ValidMeta } from '../../corpus/document.js';
import { isMarkdownName, markdownTitle } from '../../corpus/markdown.js';
import type { ExtractResult } from '../../extract/types.js';
import { stripControlCharacters } from '../../shared/control-chars.js';
import { ERROR_CODES, KbError } from '../../shared/errors.js';
import { ORIGINALS_FOLDER } from './corpus.js';

/** What a user may state when adding a document (CLI flags, upload form fields). */
export interface DocumentFields {
  docId?: string;
  title?: string;
  issuer?: string;
  docNumber?: string;
  dateIssued?: string;
  status?: string;
  effectiveFrom?: string;
  effectiveTo?: string;
  supersededBy?: string;
}

/** `originals/<docId>/<file name>`: the original keeps its name, so a download gets it back as it was. */
export function originalPathFor(docId: string, fileName: string): string {
  return `${ORIGINALS_FOLDER}/${docId}/${sanitizeFileName(fileName)}`;
}

/** Longest stored file name in UTF-8 bytes: Linux allows 255, and atomic writes add a `.tmp-<pid>-<ms>` suffix. */
const MAX_NAME_BYTES = 200;

/**
 * A file name safe to show and to store: the last path segment, no control characters, at most
 * 200 UTF-8 bytes (long Chinese titles are cut before the extension, which is kept).
 */
export function sanitizeFileName(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is being removed
  const base = (name.split(/[\\/]/u).pop() ?? '').replace(/[\u0000-\u001f\u007f]/gu, '').replace(/^\.+/u, '').trim() || 'document';
  const encoder = new TextEncoder();
  if (encoder.encode(base).length <= MAX_NAME_BYTES) return base;
  const ext = /\.[A-Za-z0-9]{1,8}$/u.exec(base)?.[0] ?? '';
  let stem = base.slice(0, base.length - ext.length);
  while (stem.length > 0 && encoder.encode(stem + ext).length > MAX_NAME_BYTES) stem = [...stem].slice(0, -1).join('');
  return stem + ext;
}

/**
 * The docId for a new file: the one given, else from the file name (`pdf-01.pdf` → `pdf-01`;
 * names without Latin letters get a stable `doc-<hash>`).
 */
export function docIdFor(fileName: string, given?: string): string {
  if (given !== undefined) {
    if (!DOC_ID_RE.test(given)) throw new KbError(ERROR_CODES.INVALID_INPUT, `docId "${given.slice(0, 80)}" is not valid: use 1–64 letters, digits, "-" or "_", starting with a letter or digit`);
    return given;
  }
  return docIdFromFileName(sanitizeFileName(fileName));
}

interface Normalized {
  text: string;
  /** new offset of each old offset (length old.length + 1). */
  map: Int32Array;
}

/**
 * Normalizes extracted text the way corpus files are read (LF line ends, no control characters,
 * no leading blank lines, no trailing white space), keeping a map of old → new offsets so page
 * ranges still index the text.
 */
export function normalizeExtractedText(text: string): Normalized {
  const map = new Int32Array(text.length + 1);
  let out = '';
  for (let i = 0; i < text.length; i++) {
    map[i] = out.length;
    const ch = text[i] as string;
    const code = ch.charCodeAt(0);
    if (ch === '\r') {
      if (text[i + 1] !== '\n') out += '\n';
      continue;
    }
    // BOM, zero-width characters and C0/C1 controls other than tab and newline carry no text.
    if (code === 0xfeff || code === 0x200b || code === 0x200c || code === 0x200d || code === 0x2060) continue;
    if ((code < 0x20 && ch !== '\n' && ch !== '\t') || (code >= 0x7f && code <= 0x9f)) {
      if (ch === '\f' || ch === '\v') out += '\n';
      continue;
    }
    out += ch;
  }
  map[text.length] = out.length;
  const lead = /^\n+/u.exec(out)?.[0].length ?? 0;
  const trimmed = out.slice(lead).trimEnd();
  for (let i = 0; i < map.length; i++) map[i] = Math.min(Math.max(0, (map[i] as number) - lead), trimmed.length);
  return { text: trimmed, map };
}

export interface PreparedDocument {
  meta: ValidMeta;
  body: string;
  /** The file name the original is stored under, relative to the corpus folder. */
  originalFile: string;
}

/**
 * Builds a corpus document from an extraction: stated fields win over the page's metadata
 * hints, which win over what the text says. Throws `invalid_input` for a bad field and
 * `document_unreadable` when no text came out.
 */
export function prepareExtractedDocument(options: {
  extracted: ExtractResult;
  fileName: string;
  sha256: string;
  fields?: DocumentFields;
  /** Where the original is stored, relative to the corpus folder (default `originals/<docId>/<file name>`). */
  originalFile?: string;
}): PreparedDocument {
  const { extracted, fields = {} } = options;
  const fileName = sanitizeFileName(options.fileName);
  const docId = docIdFor(fileName, fields.docId);
  const { text, map } = normalizeExtractedText(extracted.text);
  if (text.trim() === '') {
    const why = extracted.warnings.length > 0 ? ` (${extracted.warnings.join('; ')})` : '';
    throw new KbError(ERROR_CODES.DOCUMENT_UNREADABLE, `${fileName}: no text could be extracted${why}; a scanned file needs OCR (OCR=auto and Debian's tesseract-ocr-chi-sim)`, { details: { file: fileName } });
  }
  // A file's own metadata (a PDF's /Info title, a page's <title>) can hold control characters; a
  // metadata string must not (PostgreSQL cannot store a NUL): cleaned here. Stated fields holding
  // one are refused before this (library.ts).
  const hints = Object.fromEntries(Object.entries(extracted.hints).map(([k, v]) => [k, typeof v === 'string' ? stripControlCharacters(v) : v])) as typeof extracted.hints;
  const pages = (extracted.pages ?? [])
    .map((p) => ({ page: p.page, start: map[Math.min(p.start, extracted.text.length)] as number, end: map[Math.min(p.end, extracted.text.length)] as number, ocr: p.ocr === true }))
    .filter((p) => p.end >= p.start);
  const firstLine = (text.split('\n', 1)[0] ?? '').trim();
  const clip = (s: string | undefined, n: number): string | undefined => (s === undefined || s.trim() === '' ? undefined : s.trim().slice(0, n));
  // A Markdown file is structure: its "# title" line is the title, without the marks (corpus/markdown.ts).
  const markdown = extracted.format === 'text' && isMarkdownName(fileName);
  const title = clip(fields.title, 300) ?? clip(markdown ? markdownTitle(text) : undefined, 300) ?? clip(hints.title, 300) ?? clip(firstLine.replace(/^#{1,6}[ \t]+/u, ''), 120) ?? fileName;
  // Only what was stated or what the file's own metadata says is written: what the text says of itself
  // (issuer, dates, validity) is read again whenever the document is loaded, so it follows the text.
  const raw: Record<string, unknown> = {
    docId,
    title,
    issuer: clip(fields.issuer, 200) ?? clip(hints.issuer, 200),
    docNumber: clip(fields.docNumber, 100) ?? clip(hints.docNumber, 100),
    dateIssued: fields.dateIssued ?? hints.dateIssued,
    sourceUrl: hints.sourceUrl,
    status: clip(fields.status, 40) ?? clip(hints.status, 40),
    effectiveFrom: fields.effectiveFrom ?? hints.effectiveFrom,
    effectiveTo: fields.effectiveTo ?? hints.effectiveTo,
    supersededBy: clip(fields.supersededBy, 300),
    format: markdown ? 'markdown' : extracted.format,
    original: options.originalFile ?? originalPathFor(docId, fileName),
    originalName: fileName,
    originalSha256: options.sha256,
  };
  if (pages.length > 0) raw.pages = pages.map((p) => [p.page, p.start, p.end]);
  const ocrPages = pages.filter((p) => p.ocr).map((p) => p.page);
  if (ocrPages.length > 0) raw.ocrPages = ocrPages;
  // The basis names what the page's info box gave, for the values taken from it (stated ones win).
  const fromPage = [
    fields.status === undefined && hints.status && `效力状态 ${hints.status}`,
    fields.effectiveFrom === undefined && hints.effectiveFrom && `实施日期 ${hints.effectiveFrom}`,
    fields.effectiveTo === undefined && hints.effectiveTo && `失效日期 ${hints.effectiveTo}`,
  ].filter(Boolean);
  if (fromPage.length > 0) raw.validityBasis = `页面信息：${fromPage.join('，')}`;
  const stated = STATEABLE_FIELDS.filter((k) => (fields as Record<string, unknown>)[k] !== undefined && (fields as Record<string, unknown>)[k] !== '');
  if (stated.length > 0) raw.statedFields = stated;
  for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
  // Hints from a page can be malformed (a 失效日期 of "长期"): drop a bad hint rather than the file.
  let result = policyMetaSchema.safeParse(raw);
  if (!result.success) {
    const stated = new Set(Object.keys(fields).filter((k) => (fields as Record<string, unknown>)[k] !== undefined));
    const bad = result.error.issues.map((i) => String(i.path[0]));
    const badStated = result.error.issues.filter((i) => stated.has(String(i.path[0])));
    if (badStated.length > 0) {
      throw new KbError(ERROR_CODES.INVALID_INPUT, `${fileName}: ${badStated.map((i) => `${String(i.path[0])}: ${i.message}`).join('; ')}`, { details: { file: fileName } });
    }
    for (const k of bad) delete raw[k];
    result = policyMetaSchema.safeParse(raw);
    if (!result.success) throw new KbError(ERROR_CODES.INTERNAL, `${fileName}: metadata could not be built: ${result.error.issues.map((i) => i.message).join('; ')}`);
  }
  // Only the keys given are written: a default (issuer '') would read as stated and stop the loader from
  // inferring it from the text.
  const meta = Object.fromEntries(Object.entries(result.data).filter(([k]) => k in raw)) as unknown as ValidMeta;
  return { meta, body: text, originalFile: path.posix.normalize(String(raw.original)) };
}

/** Front matter for a plain Markdown/UTF-8 text document added as is. */
export function metaForStatedFields(base: PolicyMeta, fields: DocumentFields): PolicyMeta {
  const out: PolicyMeta = { ...base };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== '') (out as Record<string, unknown>)[k] = v;
  return out;
}
