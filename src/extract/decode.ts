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

/** Chinese UTF-16 without BOM and without ASCII: the high byte of almost every unit is a CJK row (0x4E–0x9F) or punctuation (0x30, 0xFF), or 0 for the odd ASCII character. */
function utf16CjkWithoutBom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 16 || bytes.length % 2 !== 0) return undefined;
  const highShare = (offset: number): number => {
    let hits = 0;
    for (let i = offset; i < n; i += 2) {
      const b = bytes[i] as number;
      if ((b >= 0x4e && b <= 0x9f) || b === 0x30 || b === 0xff || b === 0x20 || b === 0x00) hits += 1;
    }
    return hits / (n / 2);
  };
  if (highShare(1) > 0.9) return 'utf-16le';
  if (highShare(0) > 0.9) return 'utf-16be';
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
  const cjk16 = utf16CjkWithoutBom(bytes);
  if (cjk16 && !isUtf8(bytes)) return decodeWith(bytes, cjk16);
  if (bytes.includes(0)) return undefined;
  // A file cut inside a multi-byte character is still UTF-8.
  if (isUtf8(bytes) || isUtf8(bytes.subarray(0, utf8CompleteLength(bytes)))) return { text: new TextDecoder('utf-8').decode(bytes), encoding: 'utf-8' };
  const guesses = chardet.analyse(bytes).map((g) => ({ name: normalizeCharset(g.name), confidence: g.confidence }));
  const top = guesses[0];
  const gb = guesses.find((g) => g.name === 'gb18030');
  // Mainland documents are GB18030/GBK; Big5 only when the detector is clearly surer of it.
  if (top?.name === 'big5' && top.confidence >= 80 && (gb === undefined || gb.confidence < top.confidence - 10)) return decodeWith(bytes, 'big5');
  const asGb = decodeWith(bytes, 'gb18030');
  if (!asGb.text.includes('\uFFFD') || !top?.name || top.name === 'utf-8') return asGb;
  return decodeWith(bytes, top.name);
}

/** Length without a trailing incomplete UTF-8 sequence. */
function utf8CompleteLength(bytes: Uint8Array): number {
  for (let back = 1; back <= 3 && back <= bytes.length; back += 1) {
    const b = bytes[bytes.length - back] as number;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
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
