/**
 * Control characters in metadata. A metadata string (a title, an issuer, a 文号) is one line of
 * text: C0 controls (U+0000–U+001F: NUL, tab, line breaks…), DEL and the C1 block (U+0080–U+009F)
 * have no place in it, and a NUL cannot be stored at all in PostgreSQL (`jsonb` and `text` refuse
 * U+0000), where one such title used to stop every later write. What a person typed is refused
 * (`findControlCharacter` names the field and the character); what a file says of itself (a PDF's
 * /Info title, a page's <title>) is cleaned (`stripControlCharacters`).
 *
 * Pure; the ranges are Unicode's general category Cc.
 */

// eslint-disable-next-line no-control-regex -- control characters are exactly what is matched
const CONTROL_RUN = /[\u0000-\u001f\u007f-\u009f]+/gu;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is matched
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/** `U+0000` for a character, as messages name it. */
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
