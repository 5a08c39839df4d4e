/**
 * Originals dropped into the corpus folder by hand: the step ingest runs first (sync.ts), so that a
 * PDF, a Word file or a GBK text file put there is read like one `kb add` stored.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocumentFile, serializeDocument, type ValidMeta } from '../../corpus/document.js';
import { extractDocument, sniffFormat } from '../../extract/index.js';
import { CORPUS_TEXT_EXTENSIONS, DOCUMENT_EXTENSIONS } from '../../extract/registry.js';
import type { ExtractOptions } from '../../extract/types.js';
import { ERROR_CODES, isKbError, KbError } from '../../shared/errors.js';
import { writeFileAtomic } from '../../shared/fs-atomic.js';
import type { Logger } from '../../shared/logger.js';
import { silentLogger } from '../../shared/logger.js';
import { hashCorpusFile, ORIGINALS_FOLDER } from './corpus.js';
import { removeFileQuietly } from './corpus-undo.js';
import { prepareExtractedDocument, type DocumentFields } from './extracted-document.js';
import { inside, readCorpusEntries, sha256 } from './library.js';

/** The fields of a document's metadata that a person stated (see `statedFields`). */
function pickStated(meta: ValidMeta): DocumentFields {
  const out: Record<string, unknown> = {};
  for (const key of meta.statedFields ?? []) if (key !== 'aliases' && key !== 'sourceUrl' && meta[key] !== undefined) out[key] = meta[key];
  return out as DocumentFields;
}

/**
 * Originals dropped into the corpus folder by hand (a PDF, a Word file, a GBK text file) get
 * their extracted text written beside them as `<name>.md`, as `kb add` would; an original whose
 * bytes changed is extracted again, keeping the metadata its text file states. Called by ingest
 * (a writer, under the lock). Returns the files written and the files that could not be read.
 */
export async function syncOriginals(corpusDir: string, extract: ExtractOptions = {}, logger: Logger = silentLogger): Promise<{ written: string[]; errors: KbError[] }> {
  let all;
  try {
    all = await readdir(corpusDir, { withFileTypes: true, recursive: true });
  } catch {
    return { written: [], errors: [] };
  }
  const files = all
    .filter((e) => e.isFile())
    .map((e) => path.relative(corpusDir, path.join(e.parentPath, e.name)))
    .filter((rel) => !rel.split(path.sep).some((part) => part.startsWith('.')) && !/\.tmp-\d+-\d+$/u.test(rel))
    .sort();
  const entries = await readCorpusEntries(corpusDir);
  const byOriginal = new Map(entries.filter((e) => e.meta.original).map((e) => [path.normalize(e.meta.original as string), e]));
  const written: string[] = [];
  const errors: KbError[] = [];
  for (const rel of files) {
    const ext = path.extname(rel).toLowerCase();
    const owner = byOriginal.get(path.normalize(rel));
    if (rel.split(path.sep)[0] === ORIGINALS_FOLDER && !owner) {
      // Only writes put files here; one no document points at was left by an interrupted write.
      await removeFileQuietly(path.join(corpusDir, rel));
      logger.warn('removed an original no document points at (left by an interrupted write)', { file: rel });
      continue;
    }
    if (ext === '.md' && !owner) continue;
    // An original whose bytes did not change, or a text file that is a corpus document itself: nothing to do (no read while it is unchanged).
    if (owner && owner.meta.originalSha256 === (await hashCorpusFile(corpusDir, rel).catch(() => undefined))) continue;
    if (!owner && CORPUS_TEXT_EXTENSIONS.has(ext) && entries.some((e) => e.source === rel)) continue;
    let bytes: Buffer;
    try {
      bytes = await readFile(path.join(corpusDir, rel));
    } catch {
      continue;
    }
    if (!owner && !DOCUMENT_EXTENSIONS.has(ext)) {
      // A stray file (import-map.yaml, a picture) is not a document unless its content says so.
      const sniffed = sniffFormat(bytes, path.basename(rel));
      if (sniffed === undefined || sniffed === 'text' || sniffed === 'html') continue;
    }
    const hash = sha256(bytes);
    if (owner && owner.meta.originalSha256 === hash) continue;
    if (!owner && CORPUS_TEXT_EXTENSIONS.has(ext)) {
      // A UTF-8 text file is a corpus document itself; only other encodings need extracting.
      try {
        parseDocumentFile(rel, bytes);
        continue;
      } catch (error) {
        if (!(isKbError(error) && /not valid UTF-8/u.test(error.message))) continue; // ingest reports it
      }
    }
    try {
      const extracted = await extractDocument(bytes, path.basename(rel), extract);
      const stem = rel.slice(0, rel.length - ext.length);
      // A changed original is read again; what a person stated about it stays.
      const fields: DocumentFields = owner ? { docId: owner.meta.docId, ...pickStated(owner.meta) } : {};
      const prepared = prepareExtractedDocument({ extracted, fileName: path.basename(rel), sha256: hash, fields, originalFile: rel.split(path.sep).join('/') });
      const mdPath = owner ? owner.source : `${stem}.md`;
      if (!owner && entries.some((e) => e.source === mdPath)) {
        throw new KbError(ERROR_CODES.CORPUS_FILE_INVALID, `${rel}: its extracted text would go to ${mdPath}, which already holds another document; rename one of them`, { details: { file: rel } });
      }
      if (!owner && entries.some((e) => e.meta.docId === prepared.meta.docId)) {
        throw new KbError(ERROR_CODES.CORPUS_FILE_INVALID, `${rel}: docId "${prepared.meta.docId}" is already used by another document; rename the file`, { details: { file: rel } });
      }
      await writeFileAtomic(inside(corpusDir, mdPath), serializeDocument(prepared.meta, prepared.body));
      written.push(mdPath);
      logger.info('original extracted', { file: rel, to: mdPath, format: extracted.format, warnings: extracted.warnings.length });
    } catch (error) {
      errors.push(isKbError(error) ? error : new KbError(ERROR_CODES.DOCUMENT_UNREADABLE, `${rel}: ${(error as Error).message}`, { cause: error, details: { file: rel } }));
    }
  }
  return { written, errors };
}
