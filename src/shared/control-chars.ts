/**
 * Ids, names and filters are plain text: a C0 control character (U+0000–U+001F) or DEL never belongs
 * in one, and NUL cannot even be stored in PostgreSQL text (the database answers "invalid byte
 * sequence" and the request used to fail with 500). Every edge that takes an id or a filter refuses
 * them with `invalid_input` (HTTP 400) through these helpers.
 */
import { z } from 'zod';
import { ERROR_CODES, KbError } from './errors.js';

/** C0 controls and DEL (tab and line breaks included: no id or filter holds one). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHAR = /[\u0000-\u001f\u007f]/u;

/** `U+0000`: how a refused character is named in messages (the character itself would not show). */
function codePoint(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why `value` is not plain text (the first control character and where it is), or undefined when it is.
 * Example: `controlCharProblem('a\u0000b')` → 'holds the control character U+0000 at position 2'.
 */
export function controlCharProblem(value: string): string | undefined {
  const m = CONTROL_CHAR.exec(value);
  return m ? `holds the control character ${codePoint(m[0])} at position ${m.index + 1}` : undefined;
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
