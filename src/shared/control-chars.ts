/**
 * Control characters, in one place (Unicode's general category Cc). Pure.
 *
 * Ids, names and filters are plain text: a C0 control character (U+0000–U+001F) or DEL never belongs
 * in one, and NUL cannot even be stored in PostgreSQL text (the database answers "invalid byte
 * sequence" and the request used to fail with 500). Every edge that takes an id or a filter refuses
 * them with `invalid_input` (HTTP 400) through `requirePlainText` / `plainText`.
 *
 * A metadata string (a title, an issuer, a 文号) is one line of text: C0 controls (NUL, tab, line
 * breaks…), DEL and the C1 block (U+0080–U+009F) have no place in it, and a NUL cannot be stored at
 * all in PostgreSQL (`jsonb` and `text` refuse U+0000), where one such title used to stop every
 * later write. What a person typed is refused (`findControlCharacter` names the field and the
 * character); what a file says of itself (a PDF's /Info title, a page's <title>) is cleaned
 * (`stripControlCharacters`).
 */
import { z } from 'zod';
import { ERROR_CODES, KbError } from './errors.js';

/** C0 controls and DEL (tab and line breaks included: no id or filter holds one). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHAR = /[\u0000-\u001f\u007f]/u;

/**
 * Why `value` is not plain text (the first control character and where it is), or undefined when it is.
 * Example: `controlCharProblem('a\u0000b')` → 'holds the control character U+0000 at position 2'.
 */
export function controlCharProblem(value: string): string | undefined {
  const m = CONTROL_CHAR.exec(value);
  return m ? `holds the control character ${codePointName(m[0])} at position ${m.index + 1}` : undefined;
}

/** Throws `invalid_input` naming `field` when `value` holds a control character; returns `value` otherwise. */
export function requirePlainText(field: string, value: string): string {
  const problem = controlCharProblem(value);
  if (problem) throw new KbError(ERROR_CODES.INVALID_INPUT, `${field} ${problem}; ids and filters are plain text: remove it`, { details: { field } });
  return value;
}

/**
 * A zod string check for ids and filters (HTTP bodies, MCP tool arguments):
 * `plainText(z.string().max(100))` refuses control characters with the same message as `requirePlainText`.
 */
export function plainText<T extends z.ZodType<string>>(schema: T): T {
  return schema.refine((v) => !CONTROL_CHAR.test(v), { error: (issue) => `${controlCharProblem(String(issue.input)) ?? 'holds a control character'}; ids and filters are plain text: remove it` }) as unknown as T;
}

// Metadata strings: C0, DEL and C1.
// eslint-disable-next-line no-control-regex -- control characters are exactly what is matched
const CONTROL_RUN = /[\u0000-\u001f\u007f-\u009f]+/gu;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is matched
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/** `U+0000` for a character, as messages name it (the character itself would not show). */
export function codePointName(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * The string with each run of control characters replaced by one space, then trimmed:
 * `"标题\u0000"` → `"标题"`, `"关于\r\n印发"` → `"关于 印发"`.
 */
export function stripControlCharacters(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROL_RUN, ' ').trim() : text;
}

export interface ControlCharacterFound {
  /** Where it is: `title`, `aliases.1`. */
  field: string;
  /** The character, as `U+0000`. */
  character: string;
  /** Its position in the string (UTF-16 units). */
  at: number;
}

/**
 * The first control character in any string of `value` (a string, or the strings inside objects
 * and arrays, keys included), with the path to it; undefined when there is none.
 *
 * @example findControlCharacter({ title: 'a\u0000b' }) // { field: 'title', character: 'U+0000', at: 1 }
 */
export function findControlCharacter(value: unknown, field = ''): ControlCharacterFound | undefined {
  if (typeof value === 'string') {
    const m = CONTROL.exec(value);
    return m ? { field: field || '(value)', character: codePointName(m[0]), at: m.index } : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = findControlCharacter(value[i], field ? `${field}.${i}` : String(i));
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const here = field ? `${field}.${key}` : key;
      const m = CONTROL.exec(key);
      if (m) return { field: here, character: codePointName(m[0]), at: m.index };
      const found = findControlCharacter(inner, here);
      if (found) return found;
    }
  }
  return undefined;
}

/** `title holds a control character (U+0000) at position 3`, for messages. */
export function describeControlCharacter(found: ControlCharacterFound): string {
  return `${found.field} holds a control character (${found.character}) at position ${found.at}`;
}
