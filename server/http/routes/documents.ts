/**
 * Managing the library over HTTP: upload (POST), replace in place (PUT), delete, and download the
 * original. Writes need ADMIN_TOKEN; without one they are allowed only on a loopback-only server
 * that no proxy or public name exposes, and never from a page of another site. Every write goes through the library (single-writer
 * lock, crash-safe corpus writes, incremental ingest) and returns once the live index shows it.
 */
import { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { buildOutline } from '../../../src/chunking/outline.js';
import { isRealDate } from '../../../src/corpus/validity.js';
import type { AddFailure, AddInput, AddReport, LibraryChange } from '../../../src/pipeline/library/library.js';
import { createWriteQueue, type WriteTicket } from '../../../src/pipeline/library/write-queue.js';
import { presentDocument, presentPages } from '../../../src/retrieval/presenter.js';
import type { KnowledgeService } from '../../../src/retrieval/service.js';
import { ERROR_CODES, KbError, unknownDocError } from '../../../src/shared/errors.js';
import { requirePlainText } from '../../../src/shared/control-chars.js';
import { bidiWarning, docIdWarnings } from '../../../src/shared/names.js';
import { bearerToken, sendError, tokenMatches } from '../security.js';
import { statusFor } from '../status.js';

/** What the write routes need from the server: the library and a way to wait for the new index. */
export interface DocumentLibrary {
  add(inputs: AddInput[]): Promise<LibraryChange<AddReport>>;
  remove(docId: string): Promise<LibraryChange<{ docId: string; title: string }>>;
  /** The original file of a document, when one is kept. */
  original(docId: string): Promise<{ bytes: Buffer; fileName: string } | undefined>;
}

export interface DocumentRoutesDeps {
  getService(): KnowledgeService | undefined;
  /** Absent while the knowledge base loads (writes answer 503). */
  getLibrary(): DocumentLibrary | undefined;
  adminToken?: string | undefined;
  /** Whether the server listens on loopback only (then writes without ADMIN_TOKEN are allowed from its own pages). */
  loopbackOnly: boolean;
  /**
   * Why a loopback server is reachable by others all the same (a proxy, a public name: see
   * `exposureBeyondLoopback`); writes without ADMIN_TOKEN are refused then, saying why.
   */
  exposure?: string | undefined;
  uploadMaxBytes: number;
  today(): string;
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/u, 'must be YYYY-MM-DD').refine((d) => !/^\d{4}-\d{2}-\d{2}$/u.test(d) || isRealDate(d), 'is not a real calendar date');
/** Form fields of an upload; everything optional, unknown fields refused. */
const uploadFields = z
  .object({
    docId: z.string().min(1).max(64).optional(),
    title: z.string().min(1).max(300).optional(),
    issuer: z.string().max(200).optional(),
    docNumber: z.string().max(100).optional(),
    dateIssued: isoDate.optional(),
    status: z.string().max(40).optional(),
    effectiveFrom: isoDate.optional(),
    effectiveTo: isoDate.optional(),
    supersededBy: z.string().max(300).optional(),
    /** `true`: add these bytes even when the library holds them already (default: 409 duplicate_document). */
    allowDuplicate: z.enum(['true', 'false']).optional(),
  })
  .strict()
  .refine((f) => !f.effectiveFrom || !f.effectiveTo || f.effectiveFrom <= f.effectiveTo, { message: 'effectiveFrom must not be after effectiveTo', path: ['effectiveTo'] });

/**
 * Who may write: the admin token when one is set; otherwise only a loopback-only server, and only
 * for requests that no other site's page made (Sec-Fetch-Site, Origin).
 */
function requireAdmin(deps: DocumentRoutesDeps): RequestHandler {
  return (req, res, next) => {
    if (deps.adminToken) {
      if (!tokenMatches(bearerToken(req.headers.authorization), deps.adminToken)) {
        return sendError(res, 401, 'unauthorized', 'this route changes the library: send Authorization: Bearer <ADMIN_TOKEN>', { 'WWW-Authenticate': 'Bearer realm="policy-kb-admin"' }, { admin: true });
      }
      return next();
    }
    if (!deps.loopbackOnly) {
      return sendError(res, 403, 'forbidden', 'writes are disabled: this server listens beyond loopback and no ADMIN_TOKEN is set; set ADMIN_TOKEN to allow uploads');
    }
    if (deps.exposure) {
      return sendError(res, 403, 'forbidden', `writes are disabled: ${deps.exposure}, and no ADMIN_TOKEN is set; set ADMIN_TOKEN to allow uploads`);
    }
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return sendError(res, 403, 'forbidden_origin', `a ${String(site).slice(0, 20)} page may not change the library`);
    }
    return next();
  };
}

/** Whether a request uploads a file (POST /api/documents, PUT /api/documents/:docId): the only ones given the long upload time. */
export function isUploadRequest(req: { method?: string | undefined; url?: string | undefined }): boolean {
  if (req.method !== 'POST' && req.method !== 'PUT') return false;
  const path = (req.url ?? '').split('?')[0] ?? '';
  return req.method === 'POST' ? /^\/api\/documents\/?$/u.test(path) : /^\/api\/documents\/[^/]+\/?$/u.test(path);
}

/** Library changes (uploads, replacements, deletions) accepted at once, running or queued. */
export const MAX_WRITES_IN_FLIGHT = 4;

function fileProblem(res: Response, failure: AddFailure): void {
  const status = statusFor(failure.code);
  // A failure that carries its facts (the document a duplicate matches) lets the Chinese message name them.
  const details = (failure as AddFailure & { details?: Record<string, unknown> }).details ?? {};
  sendError(res, status, status === 500 ? 'internal_error' : failure.code, failure.message, {}, { file: failure.file, ...details });
}

export function mountDocumentRoutes(deps: DocumentRoutesDeps): (app: Express) => void {
  // In front of the cross-process lock: one change at a time, in arrival order; a slot is held until its change ends.
  const writes = createWriteQueue(MAX_WRITES_IN_FLIGHT);
  const maxMb = Math.round((deps.uploadMaxBytes / 1024 / 1024) * 10) / 10;
  // Browsers send UTF-8 file names as raw bytes in `filename="…"`; read them as UTF-8 (busboy's default is Latin-1).
  const upload = multer({ storage: multer.memoryStorage(), defParamCharset: 'utf8', limits: { fileSize: deps.uploadMaxBytes, files: 1, fields: 20, fieldSize: 4096, parts: 24 } }).single('file');

  const library = (): DocumentLibrary => {
    const lib = deps.getLibrary();
    if (!lib) throw new KbError(ERROR_CODES.INDEX_MISSING, 'the knowledge base is still loading; retry shortly');
    return lib;
  };

  /** multer's own errors (size, wrong field, broken multipart) become clear 4xx answers. */
  const parseUpload: RequestHandler = (req, res, next) => {
    if (!req.is('multipart/form-data')) {
      return sendError(res, 415, 'unsupported_media_type', 'send the file as multipart/form-data with the field "file"');
    }
    upload(req, res, (error: unknown) => {
      if (!error) return next();
      if (error instanceof multer.MulterError) {
        if (error.code === 'LIMIT_FILE_SIZE') return sendError(res, 413, 'payload_too_large', `the file is larger than UPLOAD_MAX_MB (${maxMb} MiB)`, {}, { limit: `${maxMb} MiB` });
        if (error.code === 'LIMIT_UNEXPECTED_FILE') return sendError(res, 400, 'invalid_input', `unexpected file field "${String(error.field ?? '').slice(0, 40)}"; send one file in the field "file"`);
        return sendError(res, 400, 'invalid_input', `the upload could not be read: ${error.message}`);
      }
      return sendError(res, 400, 'invalid_input', 'the multipart body could not be read (truncated or malformed)');
    });
  };

  const inputFrom = (req: Request, replace?: string): AddInput => {
    const file = req.file;
    if (!file) throw new KbError(ERROR_CODES.INVALID_INPUT, 'no file: send the document in the multipart field "file"');
    const parsed = uploadFields.safeParse(req.body ?? {});
    if (!parsed.success) throw new KbError(ERROR_CODES.INVALID_INPUT, parsed.error.issues.map((i) => `${i.path.join('.') || 'fields'}: ${i.message}`).join('; '));
    const fileName = file.originalname;
    const { allowDuplicate, ...stated } = parsed.data;
    const fields = Object.fromEntries(Object.entries(stated).filter(([, v]) => v !== undefined && v !== ''));
    // POST adds (a name that maps to a taken docId gets a fresh one); PUT replaces.
    return { bytes: file.buffer, fileName, fields, allowDuplicate: allowDuplicate === 'true', ...(replace !== undefined ? { replace } : { mode: 'add' as const }) };
  };

  const write = (status: number, replace: boolean): RequestHandler => async (req, res) => {
    const docId = replace ? requirePlainText('docId', String(req.params.docId)) : undefined;
    const input = inputFrom(req, docId);
    const change = await inTurn(res, (signal) => library().add([{ ...input, signal }]));
    if (!change) return;
    const failure = change.failures[0];
    if (failure) return fileProblem(res, failure);
    const report = change.reports[0] as AddReport;
    const svc = deps.getService();
    const catalog = svc ? await svc.catalog() : undefined;
    const doc = catalog?.get(report.docId);
    const view = doc ? presentDocument(doc, deps.today()) : undefined;
    // Searchable: the live snapshot holds the document as written — the version this write made or a
    // later one another writer made meanwhile (a failed reload keeps the old one, without it).
    const searchable = view !== undefined && doc?.contentHash === report.contentHash;
    // Names that break on other systems or mislead a reader: added all the same, with a warning (issue 25.10).
    const named = [...docIdWarnings(report.docId, catalog?.keys() ?? []), bidiWarning('the file name', input.fileName), bidiWarning('the title', report.title)].filter((w): w is string => w !== undefined);
    res.status(report.outcome === 'added' ? status : 200).json({ ...view, ...report, warnings: [...report.warnings, ...named], searchable });
  };

  // Each waiting upload holds its file in memory: past a few, answer 503 before reading another body.
  const admit: RequestHandler = (_req, res, next) => {
    const ticket = writes.admit();
    if (!ticket) return sendError(res, 503, 'busy', `${writes.held} library changes are already queued; retry in a few seconds`, { 'Retry-After': '5' });
    res.locals.writeTicket = ticket;
    // Sent, or the client went away: a change not started is dropped, a running one told to stop.
    res.once('close', () => ticket.close());
    return next();
  };
  /** Runs a change in its turn; undefined when its client went away (nobody to answer). */
  const inTurn = async <T>(res: Response, work: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> => {
    const ticket = res.locals.writeTicket as WriteTicket;
    try {
      const result = await ticket.run(work);
      return ticket.cancelled ? undefined : result;
    } catch (error) {
      if (ticket.cancelled) return undefined;
      throw error;
    }
  };

  return (app) => {
    const admin = requireAdmin(deps);
    app.post('/api/documents', admin, admit, parseUpload, write(201, false));
    app.put('/api/documents/:docId', admin, admit, parseUpload, write(200, true));
    app.delete('/api/documents/:docId', admin, admit, async (req, res) => {
      const docId = requirePlainText('docId', String(req.params.docId));
      if ((await inTurn(res, () => library().remove(docId))) === undefined) return;
      res.status(204).end();
    });
    app.get('/api/documents/:docId/original', async (req: Request, res: Response, next: NextFunction) => {
      const docId = requirePlainText('docId', String(req.params.docId));
      const svc = deps.getService();
      if (svc && !(await svc.catalog()).has(docId)) return next(unknownDocError(docId));
      const original = await library().original(docId);
      if (!original) return sendError(res, 404, 'no_original', `document "${docId.slice(0, 100)}" was added as text; it has no original file (GET /api/documents/${encodeURIComponent(docId)} has its text)`, {}, { docId });
      const ascii = original.fileName.replace(/[^\x20-\x7e]/gu, '_').replace(/["\\]/gu, '_');
      res.setHeader('Content-Type', 'application/octet-stream');
      res.setHeader('Content-Disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(original.fileName)}`);
      res.setHeader('Content-Length', String(original.bytes.length));
      res.end(original.bytes);
    });
  };
}

/** GET /api/documents and /api/documents/:docId: presented once, with format, pages and validity. */
export function mountDocumentReads(deps: { service(): KnowledgeService; today(): string }): (app: Express) => void {
  const { service } = deps;
  return (app) => {
    app.get('/api/documents', async (_req, res) => {
      const today = deps.today();
      const documents = [...(await service().catalog()).values()].sort((a, b) => a.meta.docId.localeCompare(b.meta.docId)).map((d) => presentDocument(d, today));
      res.json({ documents });
    });
    app.get('/api/documents/:docId', async (req, res) => {
      const svc = service();
      const id = requirePlainText('docId', String(req.params.docId));
      const summary = (await svc.catalog()).get(id);
      const [doc, passages] = summary ? await Promise.all([svc.store.documents.get(id), svc.store.passages.ofDocument(id)]) : [undefined, []];
      if (!summary || !doc) throw unknownDocError(id);
      const outline = buildOutline(doc.tree, passages);
      res.json({ ...presentDocument(summary, deps.today()), pages: presentPages(doc), body: doc.body, outline: outline.children });
    });
  };
}
