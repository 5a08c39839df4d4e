/**
 * Legacy Word .doc and Kingsoft .wps (OLE2 compound files), including fast-saved files and OLE files carrying
 * a .docx name: word-extractor reads the WordDocument stream; when it fails, Debian's antiword, then catdoc,
 * run as subprocesses.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WordExtractor from 'word-extractor';
import { documentUnreadable } from '../errors.js';
import { guessHintsFromText } from '../hints.js';
import { joinLoneArticleNumbers } from './docx.js';
import { tidyLine, visibleLength } from '../text-normalize.js';
import { runTool, ToolMissingError } from '../tools.js';
import type { DocumentFormat, ExtractContext, ExtractResult, FormatExtractor } from '../types.js';

const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

function isOle(bytes: Uint8Array): boolean {
  return OLE_MAGIC.every((b, i) => bytes[i] === b);
}

/** Names of the root storage's streams, read from the UTF-16 directory entries (enough to tell Word from Excel). */
function hasStream(bytes: Uint8Array, name: string): boolean {
  const needle = Buffer.from(name, 'utf16le');
  return Buffer.from(bytes).includes(needle);
}

/** The compound file header names the directory's first sector; a file cut short ends before it. */
function oleTruncated(bytes: Uint8Array): boolean {
  if (bytes.length < 512) return true;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sectorSize = 1 << view.getUint16(0x1e, true);
  const dirSector = view.getUint32(0x30, true);
  if (sectorSize < 128 || sectorSize > 65536 || dirSector >= 0xfffffffa) return true;
  return 512 + (dirSector + 1) * sectorSize > bytes.length;
}

async function withTempFile<T>(bytes: Uint8Array, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kb-ole-'));
  try {
    const file = path.join(dir, 'in.doc');
    await writeFile(file, bytes);
    return await fn(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function viaCommandLine(bytes: Uint8Array, ctx: ExtractContext): Promise<{ text: string; tool: string } | { errors: string[] }> {
  const errors: string[] = [];
  return withTempFile(bytes, async (file) => {
    const tools: Array<[string, string[]]> = [
      ['antiword', ['-m', 'UTF-8.txt', '-w', '0', file]],
      ['catdoc', ['-d', 'utf-8', '-w', file]],
    ];
    for (const [tool, args] of tools) {
      try {
        const out = (await runTool(tool, args, { timeoutMs: 60_000, signal: ctx.signal })).toString('utf8');
        if (visibleLength(out) > 0) return { text: out, tool };
        errors.push(`${tool} found no text`);
      } catch (error) {
        errors.push(error instanceof ToolMissingError ? `${tool} is not installed` : `${tool}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return { errors };
  });
}

async function extractOle(bytes: Uint8Array, format: DocumentFormat, ctx: ExtractContext): Promise<ExtractResult> {
  const warnings: string[] = [];
  const kind = format === 'wps' ? 'WPS' : 'Word .doc';
  if (oleTruncated(bytes)) {
    throw documentUnreadable(ctx.fileName, `the ${kind} file is truncated (${bytes.length} bytes: its OLE2 directory lies past the end of the file)`, 'copy or download the complete file again');
  }
  if (hasStream(bytes, 'EncryptedPackage')) {
    throw documentUnreadable(ctx.fileName, 'the Office document is encrypted with a password', 'open it in Word or WPS, remove the password (File › Info › Protect Document) and save it again');
  }
  if (!hasStream(bytes, 'WordDocument')) {
    throw documentUnreadable(ctx.fileName, `the OLE2 file has no WordDocument stream, so it is not a ${kind} file that can be read (an Excel/PowerPoint file, an encrypted or an old WPS 2000 file?)`, 'open it in WPS or Word and save it as .docx');
  }
  let raw: string | undefined;
  let libraryError: unknown;
  try {
    const doc = await new WordExtractor().extract(Buffer.from(bytes));
    raw = doc.getBody();
    if (visibleLength(raw) === 0) raw = undefined;
  } catch (error) {
    libraryError = error;
  }
  if (raw === undefined) {
    const fallback = await viaCommandLine(bytes, ctx);
    if ('errors' in fallback) {
      const why = libraryError instanceof Error ? libraryError.message : 'no text found';
      throw documentUnreadable(ctx.fileName, `the ${kind} file cannot be read (word-extractor: ${why}; ${fallback.errors.join('; ')}); it may be encrypted, corrupt or truncated`, 'open it in WPS or Word and save it as .docx, or install antiword/catdoc', libraryError);
    }
    raw = fallback.text;
    warnings.push(`read with ${fallback.tool} (word-extractor failed: ${libraryError instanceof Error ? libraryError.message : 'no text'})`);
  }
  // Word's cell and row marks (\x07), field marks and hard page breaks become line breaks or vanish.
  const cleaned = [...raw.replace(/\r\n?/gu, '\n')]
    .map((ch) => {
      const c = ch.charCodeAt(0);
      if (c === 0x0b || c === 0x0c) return '\n';
      if (c === 0x07) return ' | ';
      return c < 0x20 && ch !== '\n' && ch !== '\t' ? '' : ch;
    })
    .join('');
  const paragraphs = cleaned.split('\n').map((l) => tidyLine(l.replace(/(?:\s*\|\s*)+$/u, ''))).filter((l) => l.length > 0);
  const text = joinLoneArticleNumbers(paragraphs).join('\n');
  if (visibleLength(text) === 0) throw documentUnreadable(ctx.fileName, `the ${kind} file contains no text`, 'add a document with text');
  return { format, text, hints: guessHintsFromText(text, {}), warnings, ocr: false };
}

export const oleExtractor: FormatExtractor = {
  formats: ['doc', 'wps'],
  sniff(bytes, fileName) {
    if (!isOle(bytes)) return undefined;
    // Excel, PowerPoint and Outlook files share the container; without a WordDocument stream they are not ours.
    if (/\.(xls|ppt|msg|et|dps)$/iu.test(fileName) && !hasStream(bytes, 'WordDocument')) return undefined;
    // The container is the same for .doc and .wps: only the name tells them apart.
    return /\.wps$/iu.test(fileName) ? 'wps' : 'doc';
  },
  extract: extractOle,
};
