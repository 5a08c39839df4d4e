/**
 * A corpus document: YAML front matter (metadata) + the body exactly as published.
 * Pure: `parseDocumentFile(name, bytes)` validates and splits; `serializeDocument(doc)` writes the file text.
 */
import { Document as YamlDocument, isSeq, parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ERROR_CODES, KbError } from '../shared/errors.js';
import { findRepeals, inferDocumentFacts } from './document-facts.js';
import { HISTORY_ACTIONS, historyHead, parseHistory } from './history.js';
import { frontMatterOpening } from './markdown.js';
import { pagesProblem, type PageRange } from './pages.js';
import { isRealDate, parseStatusWord, STATUS_EXAMPLES, withInferredValidity, type Lineage } from './validity.js';

/**
 * A docId: 1–64 ASCII letters, digits, "-" or "_", or CJK ideographs (专利法实施细则-2023-12-11), starting
 * with a letter, digit or ideograph. Ideographs have no case (no two ids differ only in it on a
 * case-insensitive file system), need no quoting in a shell, and are percent-encoded in URLs;
 * compatibility ideographs (which NFC/NFKC fold into others) and every other script are left out.
 */
export const DOC_ID_RE = /^[A-Za-z0-9\p{Unified_Ideograph}][A-Za-z0-9_\p{Unified_Ideograph}-]{0,63}$/u;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date as YYYY-MM-DD (2016-13-45 is refused). */
const isoDate = (field: string) => z.string().regex(ISO_DATE, `${field} must be YYYY-MM-DD`).refine((d) => !ISO_DATE.test(d) || isRealDate(d), `${field} is not a real calendar date`);

/** Formats a document can come from: `markdown`/`text` are read as they are, the others are extracted. */
export const DOCUMENT_FORMATS = ['markdown', 'text', 'pdf', 'docx', 'doc', 'wps', 'html', 'ofd', 'image'] as const;
export type SourceFormat = (typeof DOCUMENT_FORMATS)[number];

/** Metadata a person may state when adding a document. */
export const STATEABLE_FIELDS = ['title', 'issuer', 'docNumber', 'dateIssued', 'status', 'effectiveFrom', 'effectiveTo', 'supersededBy', 'aliases', 'sourceUrl'] as const;

/** A path inside the corpus folder: relative, no `..`, no drive or leading slash. */
/** A path inside the corpus folder: relative, no `..` segment, no drive, no control characters. */
function isInsidePath(p: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what a stored path must not hold
  if (p.length === 0 || p.length > 1024 || /[\u0000-\u001f]/u.test(p) || /^[A-Za-z]:/u.test(p) || p.startsWith('/') || p.startsWith('\\')) return false;
  return !p.split(/[\\/]/u).includes('..');
}

export const policyMetaSchema = z
  .object({
    docId: z.string().regex(DOC_ID_RE, 'docId must be 1–64 letters, digits, Chinese characters, "-" or "_"'),
    title: z.string().min(1).max(300),
    issuer: z.string().max(200).default(''),
    docNumber: z.string().max(100).optional(),
    dateIssued: isoDate('dateIssued').optional(),
    listingDate: isoDate('listingDate').optional(),
    // Shown as a link by clients: http(s) only, never javascript: or data: (issue 25.10).
    sourceUrl: z.url({ protocol: /^https?$/u, error: 'sourceUrl must be an http:// or https:// URL' }).optional(),
    /** Other names people use for the document (国家规划, AI规划…), for query understanding. */
    aliases: z.array(z.string().min(1).max(40)).max(20).optional(),
    /** Validity as stated (现行有效, 试行, 已修订, 已废止, 失效, 征求意见稿…); judged by `judgeValidity`. */
    status: z
      .string()
      .max(40)
      .refine((s) => parseStatusWord(s) !== undefined, `status must be one of ${STATUS_EXAMPLES}`)
      .optional(),
    effectiveFrom: isoDate('effectiveFrom').optional(),
    effectiveTo: isoDate('effectiveTo').optional(),
    /** Title (or docId) of the document that replaced this one. */
    supersededBy: z.string().min(1).max(300).optional(),
    /** Where inferred validity dates came from (filled at load from the text, or by extraction). */
    validityBasis: z.string().max(500).optional(),
    /** Stated dates the text contradicts (filled at load: a page's 失效日期 against the text's 有效期5年). */
    validityConflict: z.string().max(500).optional(),
    /** The format of the original this text was extracted from. */
    format: z.enum(DOCUMENT_FORMATS).optional(),
    /** The original file, relative to the corpus folder (kept by `kb add` and uploads). */
    original: z.string().refine(isInsidePath, 'original must be a path inside the corpus folder').optional(),
    /** The file name the original was added under, for display and download. */
    originalName: z.string().min(1).max(255).optional(),
    originalSha256: z.string().regex(/^[0-9a-f]{64}$/u, 'originalSha256 must be 64 hex digits').optional(),
    /**
     * Promulgation and amendments as the head states them (read from the text at load; oldest first
     * as written). `dateIssued`, `docNumber` and `effectiveFrom` describe the text in hand (its latest revision).
     */
    history: z
      .array(
        z
          .object({
            date: isoDate('history.date'),
            action: z.enum(HISTORY_ACTIONS),
            by: z.string().max(300),
            ordinal: z.number().int().min(1).max(99).optional(),
            docNumber: z.string().max(100).optional(),
          })
          .strict(),
      )
      .max(100)
      .optional(),
    /** Documents this text repeals as a whole ("《…》同时废止"), read from the text at load; resolved against the library when read. */
    repeals: z
      .array(z.object({ title: z.string().min(1).max(300), docNumber: z.string().max(100).optional(), sentence: z.string().max(500), clause: z.string().max(40).optional() }).strict())
      .max(2000)
      .optional(),
    /** Pages of a paginated original: [page, start, end] ranges of the body. */
    pages: z.array(z.tuple([z.number().int().min(1), z.number().int().min(0), z.number().int().min(0)])).max(100_000).optional(),
    /** Pages whose text came from OCR. */
    ocrPages: z.array(z.number().int().min(1)).max(100_000).optional(),
    /**
     * The fields a person stated (kb add flags, upload fields, an uploaded file's own front matter), as
     * opposed to what extraction read from the file: a changed original is extracted again keeping these.
     */
    statedFields: z.array(z.enum(STATEABLE_FIELDS)).max(STATEABLE_FIELDS.length).optional(),
  })
  .strict()
  .refine((m) => !m.effectiveFrom || !m.effectiveTo || m.effectiveFrom <= m.effectiveTo, {
    message: 'effectiveFrom must not be after effectiveTo',
    path: ['effectiveTo'],
  });

export type PolicyMeta = z.input<typeof policyMetaSchema>;
/** Metadata as read: what the file states and its text says, plus what the library says of it when read from one. */
export type ValidMeta = z.output<typeof policyMetaSchema> & { lineage?: Lineage };

export interface PolicyDocument {
  meta: ValidMeta;
  /** The text every `start`/`end` offset indexes. */
  body: string;
  /** File name it came from, for messages. */
  source: string;
  /** The front matter as written (before defaults and what the text says of itself), for rewriting it. */
  stated?: Record<string, unknown>;
}

const FRONT_MATTER_RE = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/;
/** Control characters other than tab/newline/CR mark a binary file. */
// eslint-disable-next-line no-control-regex
const BINARY_RE = /[\u0000-\u0008\u000e-\u001f]/;

function fail(source: string, problem: string, cause?: unknown): KbError {
  return new KbError(ERROR_CODES.CORPUS_FILE_INVALID, `${source}: ${problem}`, { cause, details: { file: source } });
}

/** FNV-1a of a text, 8 hex digits: a stable suffix that tells ids apart. */
function hash8(text: string): string {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ (ch.codePointAt(0) as number), 16777619);
  return (h >>> 0).toString(16).padStart(8, '0');
}

const HAN_RE = /\p{Unified_Ideograph}/u;
const MAX_ID = 64;

/**
 * Derives a docId from a file name. `yunfu.md` → `yunfu`; a Chinese name keeps its ideographs,
 * letters and digits, other characters becoming "-": `专利法实施细则(2023-12-11).md` →
 * `专利法实施细则-2023-12-11`, `粤府〔2023〕5号.pdf` → `粤府-2023-5号` (a name over 64 characters is cut and
 * ends in a hash of the whole). Other names keep the ids they always had: their Latin part and a hash.
 * The same name always gives the same id; `distinctDocId` gives another name's id when two collide.
 */
export function docIdFromFileName(fileName: string): string {
  const stem = fileName.replace(/\.[^.]+$/, '');
  const slug = stem.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  // A name that is all Latin letters and digits is its own id.
  if (slug === stem && DOC_ID_RE.test(slug)) return slug;
  if (HAN_RE.test(stem)) {
    const readable = stem.normalize('NFKC').replace(/[^A-Za-z0-9_\p{Unified_Ideograph}-]+/gu, '-').replace(/-{2,}/gu, '-').replace(/^[-_]+|[-_]+$/gu, '');
    const chars = [...readable];
    if (chars.length > 0 && chars.length <= MAX_ID && DOC_ID_RE.test(readable)) return readable;
    if (chars.length > MAX_ID) return `${chars.slice(0, MAX_ID - 9).join('').replace(/[-_]+$/u, '')}-${hash8(stem)}`;
  }
  // Other names keep their Latin part and a hash of the whole, so 粤府〔2023〕5号 and 深府办〔2023〕5号 stayed apart.
  const hash = hash8(stem);
  const prefix = slug.slice(0, 40).replace(/-+$/u, '');
  return DOC_ID_RE.test(prefix) ? `${prefix}-${hash}` : `doc-${hash}`;
}

/** Another id for a file whose name's id another file already has: the readable id and a hash of the whole name. */
export function distinctDocId(fileName: string): string {
  const base = docIdFromFileName(fileName);
  const suffix = hash8(fileName.replace(/\.[^.]+$/, ''));
  if (base.endsWith(suffix)) return `${[...base].slice(0, MAX_ID - 3).join('')}-x2`;
  return `${[...base].slice(0, MAX_ID - 9).join('').replace(/[-_]+$/u, '')}-${suffix}`;
}

/**
 * Decodes and validates one corpus file. `.md` files may carry front matter; a file without it
 * gets its docId from the name and its title from the first heading or line.
 * Throws `corpus_file_invalid` naming the file for non-UTF-8, binary, empty or invalid metadata.
 */
export function parseDocumentFile(source: string, bytes: Uint8Array): PolicyDocument {
  // NUL bytes never occur in text: check before decoding so a PNG is called binary, not "not UTF-8".
  if (bytes.subarray(0, 8192).includes(0)) throw fail(source, 'looks like a binary file (NUL bytes found); only UTF-8 .md/.txt text is ingested');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw fail(source, 'not valid UTF-8 text; save it as UTF-8', error);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (BINARY_RE.test(text)) throw fail(source, 'looks like a binary file (control characters found); only UTF-8 .md/.txt text is ingested');
  const fileName = source.split(/[\\/]/).pop() ?? source;
  let raw: Record<string, unknown> = {};
  let body = text;
  // A first line "---" opens front matter: one never closed is an error, not a document titled "---".
  if (frontMatterOpening(text) === 'unclosed') throw fail(source, 'front matter opened by "---" on the first line is never closed; add a line "---" after the metadata, or remove the first line');
  const fm = FRONT_MATTER_RE.exec(text);
  if (fm) {
    let parsed: unknown;
    try {
      parsed = parseYaml(fm[1] as string);
    } catch (error) {
      throw fail(source, `front matter is not valid YAML (${(error as Error).message.split('\n')[0]})`, error);
    }
    if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw fail(source, 'front matter must be a YAML mapping of metadata fields');
    }
    raw = (parsed ?? {}) as Record<string, unknown>;
    body = text.slice(fm[0].length);
  }
  body = body.replace(/\r\n?/g, '\n').replace(/^\n+/, '').trimEnd();
  if (body.trim() === '') throw fail(source, 'the document body is empty');
  const stated = normalizeYamlDates(raw);
  const title = typeof stated.title === 'string' ? stated.title : firstLineTitle(body) || fileName;
  // What the text says of itself: its history, who issued it and when (the text in hand: its latest
  // revision), and which documents it repeals. Stated metadata wins over each.
  const history = parseHistory(historyHead(body));
  const facts = inferDocumentFacts(title, body, history);
  // A version date in the file name ("专利法实施细则(2023-12-11).md", as the national database names
  // them) dates a text whose head stops at an earlier revision, or that states no date.
  const named = versionDateInName(typeof stated.originalName === 'string' ? stated.originalName : fileName);
  if (named && (history.length > 0 || !facts.dateIssued) && named > (facts.dateIssued ?? '')) {
    if (facts.dateIssued) facts.revised = named;
    facts.dateIssued = named;
    delete facts.docNumber;
  }
  const repeals = findRepeals(body);
  const candidate = {
    docId: docIdFromFileName(fileName),
    title,
    ...(facts.issuer ? { issuer: facts.issuer } : {}),
    ...(facts.dateIssued ? { dateIssued: facts.dateIssued } : {}),
    ...(facts.docNumber ? { docNumber: facts.docNumber } : {}),
    ...(history.length > 0 ? { history } : {}),
    ...(repeals.length > 0 ? { repeals } : {}),
    ...stated,
  };
  const result = policyMetaSchema.safeParse(candidate);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw fail(source, `invalid front matter: ${issues}`, result.error);
  }
  if (result.data.pages) {
    const problem = pagesProblem(pageRanges(result.data), body.length);
    if (problem) throw fail(source, `invalid front matter: pages: ${problem}`);
  }
  // The text in hand took effect no earlier than its revision (its 施行 clause may be the original's).
  const revision = stated.dateIssued === undefined && stated.effectiveFrom === undefined && facts.revised ? { revised: facts.revised, ...(facts.effectiveFrom ? { headEffective: facts.effectiveFrom } : {}) } : facts.effectiveFrom && stated.effectiveFrom === undefined ? { headEffective: facts.effectiveFrom } : {};
  return { meta: withInferredValidity(result.data, body, revision), body, source, stated };
}

const NAME_DATE_RE = /[（(]\s*(\d{4}-\d{2}-\d{2})\s*[）)]\s*(?:\.[A-Za-z0-9]{1,8})?$/u;

/** The version date a file name ends with: "专利法实施细则(2023-12-11).md" → 2023-12-11. */
export function versionDateInName(fileName: string): string | undefined {
  const date = NAME_DATE_RE.exec(fileName.normalize('NFKC'))?.[1];
  return date && isRealDate(date) ? date : undefined;
}

/** The document's pages as ranges (empty for an unpaginated source). */
export function pageRanges(meta: Pick<ValidMeta, 'pages' | 'ocrPages'>): PageRange[] {
  const ocr = new Set(meta.ocrPages ?? []);
  return (meta.pages ?? []).map(([page, start, end]) => (ocr.has(page) ? { page, start, end, ocr: true } : { page, start, end }));
}

/** YAML reads 2017-07-08 as a Date; metadata keeps ISO strings. */
function normalizeYamlDates(raw: Record<string, unknown>): Record<string, unknown> {
  // fromEntries defines own properties: a `__proto__` key stays a (rejected) field, not a prototype.
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v instanceof Date ? v.toISOString().slice(0, 10) : v]));
}

function firstLineTitle(body: string): string {
  const line = body.split('\n', 1)[0] ?? '';
  return line.replace(/^#+\s*/, '').trim().slice(0, 120);
}

const SERIALIZED_KEYS = [
  'docId', 'title', 'issuer', 'docNumber', 'dateIssued', 'listingDate', 'sourceUrl', 'aliases',
  'status', 'effectiveFrom', 'effectiveTo', 'supersededBy', 'validityBasis',
  'format', 'original', 'originalName', 'originalSha256', 'statedFields', 'pages', 'ocrPages',
] as const satisfies ReadonlyArray<keyof PolicyMeta>;

/** The file text for a document: front matter in a fixed key order, then the body. */
export function serializeDocument(meta: PolicyMeta, body: string): string {
  const ordered: Record<string, unknown> = {};
  for (const key of SERIALIZED_KEYS) {
    if (meta[key] !== undefined) ordered[key] = meta[key];
  }
  const doc = new YamlDocument(ordered);
  // Page ranges and OCR page lists read best one per line: `- [3, 1820, 2711]`.
  const pages = doc.get('pages', true);
  if (isSeq(pages)) for (const item of pages.items) if (isSeq(item)) item.flow = true;
  const ocrPages = doc.get('ocrPages', true);
  if (isSeq(ocrPages)) ocrPages.flow = true;
  const yaml = doc.toString({ lineWidth: 0 });
  return `---\n${yaml}---\n${body}\n`;
}
