/**
 * The one catalogue of failures. Every error the library raises is a `KbError` with a `code`
 * from this list; transports map codes to HTTP statuses / MCP tool errors at the edge.
 */
export const ERROR_CODES = {
  INVALID_INPUT: 'invalid_input',
  UNKNOWN_DOC: 'unknown_doc',
  UNKNOWN_PASSAGE: 'unknown_passage',
  /** A new document named a docId the library already holds (adding never replaces). */
  DOC_EXISTS: 'doc_exists',
  /** A new document has the exact bytes of one the library holds (a copy only when asked for). */
  DUPLICATE_DOCUMENT: 'duplicate_document',
  CORPUS_FILE_INVALID: 'corpus_file_invalid',
  CORPUS_EMPTY: 'corpus_empty',
  LISTING_INVALID: 'listing_invalid',
  UNSUPPORTED_FORMAT: 'unsupported_format',
  DOCUMENT_UNREADABLE: 'document_unreadable',
  /** A document past a per-upload limit (characters, passages, pages, OCR pages): HTTP 413. */
  DOCUMENT_TOO_LARGE: 'document_too_large',
  CONFIG_INVALID: 'config_invalid',
  MODEL_BUILD_FAILED: 'model_build_failed',
  MODEL_MISSING: 'model_missing',
  INDEX_MISSING: 'index_missing',
  INDEX_MISMATCH: 'index_mismatch',
  INDEX_CORRUPT: 'index_corrupt',
  INDEX_UNREADABLE: 'index_unreadable',
  /** Another process holds the index's single-writer lock (`kb ingest`, uploads). */
  WRITE_LOCKED: 'write_locked',
  /** A write met a full disk (ENOSPC) or an exhausted quota (EDQUOT). */
  DISK_FULL: 'disk_full',
  /** A write met a read-only file system (EROFS) or a folder this user cannot write (EACCES, EPERM). */
  STORAGE_READ_ONLY: 'storage_read_only',
  /** The database behind INDEX_STORE=postgres could not be reached or refused the login. */
  STORE_UNREACHABLE: 'store_unreachable',
  /** The database lacks an extension the store needs (pgvector). */
  STORE_EXTENSION_MISSING: 'store_extension_missing',
  /** The database schema was written by a newer policy-kb than this build. */
  STORE_SCHEMA_NEWER: 'store_schema_newer',
  /** A comparison over more documents than can be judged in time: name fewer documents (issue 25.6). */
  COMPARE_TOO_BROAD: 'compare_too_broad',
  EMBEDDING_FAILED: 'embedding_failed',
  LLM_FAILED: 'llm_failed',
  INTERNAL: 'internal',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export interface KbErrorOptions {
  cause?: unknown;
  /** Extra facts safe to show (e.g. the list of known ids). */
  details?: Record<string, unknown>;
  /**
   * What to do about it, e.g. "run `npm run -s kb -- ingest --rebuild`". Appended to the message
   * after "; " unless the message already ends with it (a hint written into the sentence).
   */
  hint?: string;
}

export class KbError extends Error {
  readonly code: ErrorCode;
  /** Extra facts safe to show (e.g. the list of known ids). */
  readonly details: Record<string, unknown> | undefined;
  /** What to do about it, when the thrower knows; the message ends with it. */
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: KbErrorOptions = {}) {
    const hint = options.hint === '' ? undefined : options.hint;
    super(hint === undefined || message.endsWith(hint) ? message : `${message}; ${hint}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KbError';
    this.code = code;
    this.details = options.details;
    this.hint = hint;
  }

  /** What happened: the message without its hint (for a log line whose context already says what is done about it). */
  get reason(): string {
    if (this.hint === undefined || !this.message.endsWith(this.hint)) return this.message;
    return this.message.slice(0, this.message.length - this.hint.length).replace(/[;:,]?\s*$/u, '');
  }
}

export function isKbError(value: unknown): value is KbError {
  return value instanceof KbError;
}

/** Most ids an unknown-docId message lists; beyond them (a library of thousands) it points to the listing. */
export const UNKNOWN_DOC_LISTED_IDS = 20;
const DOC_LISTING = 'list the documents (GET /api/documents, kb docs, MCP list_documents) for their ids';

/**
 * The unknown-docId error, defined once for every command, route and tool: the id (its first 100
 * characters) and the known ids when the caller has them (at most UNKNOWN_DOC_LISTED_IDS, then how
 * many more and where they are listed), else where to list them.
 */
export function unknownDocError(docId: string, knownIds?: readonly string[]): KbError {
  const id = docId.slice(0, 100);
  const n = UNKNOWN_DOC_LISTED_IDS;
  const known =
    knownIds === undefined
      ? DOC_LISTING
      : knownIds.length === 0
        ? 'known docIds: (none: the corpus is empty)'
        : knownIds.length <= n
          ? `known docIds: ${knownIds.join(', ')}`
          : `known docIds: ${knownIds.slice(0, n).join(', ')} and ${knownIds.length - n} more; ${DOC_LISTING}`;
  const hint = knownIds === undefined || knownIds.length > n ? DOC_LISTING : undefined;
  return new KbError(ERROR_CODES.UNKNOWN_DOC, `unknown docId "${id}"; ${known}`, { details: { docId: id, ...(knownIds ? { knownIds: knownIds.slice(0, n) } : {}) }, ...(hint ? { hint } : {}) });
}

/** Message of any thrown value, without stack. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Facts a message may name (a file, a docId, a limit), from `KbError.details` or the route that refuses. */
export type MessageParams = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v.slice(0, 200) : typeof v === 'number' ? String(v) : undefined);
/** 「name」 when the fact is known, else ''. */
const quoted = (v: unknown): string => (str(v) ? `「${str(v)}」` : '');

/**
 * Chinese messages by error code (the library's codes and the HTTP edge's: unauthorized, rate_limited…):
 * what happened and what to do, for clients that prefer Chinese (the web page sends Accept-Language).
 * English stays the language of the log and of other clients. `detail` is the English message, kept
 * after the Chinese sentence where it holds specifics no parameter carries (which field, which byte).
 */
const MESSAGES_ZH: Record<string, (p: MessageParams) => string> = {
  [ERROR_CODES.INVALID_INPUT]: () => '请求内容有误，请按说明修改后重试。',
  [ERROR_CODES.UNKNOWN_DOC]: (p) => `找不到文件${quoted(p.docId)}；“文件库”列出了现有文件。`,
  [ERROR_CODES.UNKNOWN_PASSAGE]: (p) => `找不到条文${quoted(p.passageId)}。`,
  [ERROR_CODES.DOC_EXISTS]: (p) => `文件库中已有这份文件${quoted(p.docId)}，未重复添加。`,
  [ERROR_CODES.CORPUS_FILE_INVALID]: (p) => `${quoted(p.file) || '文件'}的元数据有误，未加入文件库。`,
  [ERROR_CODES.CORPUS_EMPTY]: () => '文件库是空的：请先添加文件。',
  [ERROR_CODES.LISTING_INVALID]: () => '目录页无法解析。',
  [ERROR_CODES.UNSUPPORTED_FORMAT]: (p) => `${quoted(p.file) || '文件'}的格式不受支持；支持的格式见上传框下方的说明。`,
  [ERROR_CODES.DOCUMENT_UNREADABLE]: (p) => `无法读取${quoted(p.file) || '文件'}：文件可能已损坏、不完整、已加密，或没有可识别的文字。`,
  [ERROR_CODES.DOCUMENT_TOO_LARGE]: (p) => `${quoted(p.file) || '文件'}超出了单个文件的处理上限${str(p.setting) ? `（${str(p.setting)}）` : ''}，未加入文件库；请拆分文件，或由管理员为可信文件调高上限。`,
  [ERROR_CODES.CONFIG_INVALID]: () => '服务器配置有误，请联系管理员。',
  [ERROR_CODES.MODEL_BUILD_FAILED]: () => '服务器未能建立检索模型，请联系管理员。',
  [ERROR_CODES.MODEL_MISSING]: () => '服务器缺少检索模型，请联系管理员。',
  [ERROR_CODES.INDEX_MISSING]: () => '知识库正在加载或尚未建立索引，请稍后重试。',
  [ERROR_CODES.INDEX_MISMATCH]: () => '知识库的索引需要重建，请联系管理员。',
  [ERROR_CODES.INDEX_CORRUPT]: () => '知识库的索引已损坏，需要重建，请联系管理员。',
  [ERROR_CODES.INDEX_UNREADABLE]: () => '知识库的索引无法读取，请联系管理员。',
  [ERROR_CODES.WRITE_LOCKED]: () => '另一项文件库修改正在进行，请稍后重试。',
  [ERROR_CODES.STORE_UNREACHABLE]: () => '数据库暂时无法访问，请稍后重试。',
  [ERROR_CODES.STORE_EXTENSION_MISSING]: () => '数据库缺少所需的扩展（pgvector），请联系管理员。',
  [ERROR_CODES.STORE_SCHEMA_NEWER]: () => '数据库由更新版本的程序建立，请升级后再用。',
  [ERROR_CODES.COMPARE_TOO_BROAD]: (p) => `要比较的文件太多${str(p.documents) ? `（${str(p.documents)} 份）` : ''}，未能及时完成；请选定要比较的文件，或缩短主题。`,
  [ERROR_CODES.EMBEDDING_FAILED]: () => '服务器内部错误（向量计算失败），详情见服务器日志。',
  [ERROR_CODES.LLM_FAILED]: () => '语言模型服务出错，请稍后重试。',
  [ERROR_CODES.INTERNAL]: () => '服务器内部错误，详情见服务器日志。',
  // Codes the write path adds (duplicates, full or read-only storage).
  duplicate_document: (p) => `文件库中已有内容完全相同的文件${str(p.title) ? `《${str(p.title)}》` : ''}${str(p.docId) ? `（${str(p.docId)}）` : ''}，未重复添加；如确需再存一份，请选择“仍然添加副本”。`,
  disk_full: () => '服务器磁盘已满，文件未能保存；请联系管理员。',
  storage_read_only: () => '服务器的存储目前只读，文件未能保存；请联系管理员。',
  // The HTTP edge's own codes.
  internal_error: () => '服务器内部错误，详情见服务器日志。',
  unauthorized: (p) => (p.admin ? '修改文件库需要管理令牌（服务器的 ADMIN_TOKEN）。' : '缺少或无效的访问令牌（服务器的 API_TOKEN）。'),
  forbidden: () => '此服务器不允许在没有管理令牌（ADMIN_TOKEN）时修改文件库。',
  forbidden_host: () => '拒绝访问：服务器不接受这个访问地址（Host）。',
  forbidden_origin: () => '拒绝访问：请求来自不被允许的网页。',
  rate_limited: (p) => `请求过于频繁，请${str(p.retryAfter) ? `在 ${str(p.retryAfter)} 秒后` : '稍后'}重试。`,
  busy: () => '文件库正在处理其他修改，请几秒后重试。',
  payload_too_large: (p) => `内容超过大小上限${str(p.limit) ? `（${str(p.limit)}）` : ''}。`,
  invalid_json: () => '请求不是有效的 JSON。',
  unsupported_encoding: () => '请求须使用 UTF-8 编码。',
  unsupported_media_type: () => '上传文件须使用 multipart/form-data 表单。',
  not_found: () => '没有这个地址。',
  bad_request: () => '请求无法读取。',
  no_original: (p) => `${quoted(p.docId) || '这份文件'}是以文本方式加入的，没有原件可下载。`,
  request_timeout: () => '请求传输超时。',
};

/** Codes whose English message holds specifics (a field, a cause) worth keeping after the Chinese sentence. */
const KEEP_DETAIL = new Set<string>([
  ERROR_CODES.INVALID_INPUT,
  ERROR_CODES.CORPUS_FILE_INVALID,
  ERROR_CODES.UNSUPPORTED_FORMAT,
  ERROR_CODES.DOCUMENT_UNREADABLE,
  ERROR_CODES.DOCUMENT_TOO_LARGE,
  ERROR_CODES.INDEX_MISSING,
  ERROR_CODES.INDEX_MISMATCH,
  ERROR_CODES.DOC_EXISTS,
  'duplicate_document',
  'forbidden',
  'forbidden_host',
  'forbidden_origin',
  'request_timeout',
]);

/**
 * The message for a client who prefers Chinese: the catalogue's sentence for `code`, with the English
 * `detail` after it where it says more; an unknown code keeps the English. Example:
 * `chineseMessage('document_unreadable', '"scan.pdf": the PDF is truncated…', { file: 'scan.pdf' })` →
 * '无法读取「scan.pdf」：文件可能已损坏、不完整、已加密，或没有可识别的文字。（详情："scan.pdf": the PDF is truncated…）'.
 */
export function chineseMessage(code: string, detail: string, params: MessageParams = {}): string {
  const message = Object.hasOwn(MESSAGES_ZH, code) ? MESSAGES_ZH[code] : undefined;
  if (!message) return detail;
  const sentence = message(params);
  return KEEP_DETAIL.has(code) && detail ? `${sentence}（详情：${detail}）` : sentence;
}
