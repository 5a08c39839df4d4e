/**
 * Character sets of text and HTML files: BOMs, UTF-8 validated strictly, UTF-16 without BOM, and otherwise
 * a detected legacy Chinese encoding (GB18030 covers GBK and GB2312), never guessed into mojibake.
 */
import chardet from 'chardet';
import iconv from 'iconv-lite';

export interface Decoded {
  text: string;
  encoding: string;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Share of NUL bytes at even/odd positions: UTF-16 text without BOM has many on one side. */
function utf16WithoutBom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 4) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZeros += 1;
    if (bytes[i + 1] === 0) oddZeros += 1;
  }
  const pairs = n / 2;
  if (oddZeros > pairs * 0.3 && evenZeros < pairs * 0.05) return 'utf-16le';
  if (evenZeros > pairs * 0.3 && oddZeros < pairs * 0.05) return 'utf-16be';
  return undefined;
}

/** Normalizes a charset label ("gb2312", "GBK", "x-gbk") to what iconv-lite decodes; GB* → gb18030 (a superset). */
export function normalizeCharset(label: string | undefined): string | undefined {
  if (!label) return undefined;
  const l = label.trim().toLowerCase().replace(/^x-/u, '');
  if (/^(gb2312|gbk|gb18030|gb_2312-80|cp936|euc-cn|hz-gb-2312)$/u.test(l)) return 'gb18030';
  if (l === 'utf8') return 'utf-8';
  if (l === 'big5' || l === 'big5-hkscs') return 'big5';
  return iconv.encodingExists(l) ? l : undefined;
}

/** Decodes bytes with a known charset (BOM wins over the label). */
export function decodeWith(bytes: Uint8Array, charset: string): Decoded {
  const bom = bomCharset(bytes);
  const encoding = bom ?? charset;
  return { text: iconv.decode(Buffer.from(bytes), encoding).replace(/^\uFEFF/u, ''), encoding };
}

function bomCharset(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0x84 && bytes[1] === 0x31 && bytes[2] === 0x95 && bytes[3] === 0x33) return 'gb18030';
  return undefined;
}

/**
 * Decodes text of unknown charset: BOM, strict UTF-8, UTF-16 by NUL pattern, then chardet's best guess among
 * the encodings Chinese documents use. Undefined when the bytes are not text (NUL bytes, control characters).
 */
export function decodeUnknown(bytes: Uint8Array): Decoded | undefined {
  const bom = bomCharset(bytes);
  if (bom) return decodeWith(bytes, bom);
  const utf16 = utf16WithoutBom(bytes);
  if (utf16) return decodeWith(bytes, utf16);
  if (bytes.includes(0)) return undefined;
  if (isUtf8(bytes)) return { text: new TextDecoder('utf-8').decode(bytes), encoding: 'utf-8' };
  const guesses = chardet.analyse(bytes).map((g) => normalizeCharset(g.name)).filter((g): g is string => g !== undefined);
  const encoding = guesses.find((g) => g === 'gb18030' || g === 'big5') ?? guesses[0] ?? 'gb18030';
  const decoded = decodeWith(bytes, encoding === 'utf-8' ? 'gb18030' : encoding);
  return decoded;
}

/** True when decoded text looks like text: few control characters and replacement characters. */
export function looksLikeText(text: string): boolean {
  if (text.length === 0) return false;
  const sample = text.slice(0, 8192);
  let bad = 0;
  for (const ch of sample) {
    const c = ch.codePointAt(0) ?? 0;
    if ((c < 0x20 && ch !== '\n' && ch !== '\r' && ch !== '\t' && ch !== '\f') || c === 0xfffd || (c >= 0x7f && c < 0xa0)) bad += 1;
  }
  return bad <= sample.length * 0.02;
}
