/**
 * Names that work here but break elsewhere or mislead a reader (issue 25.10): warnings, not errors
 * (the document is added; the person decides).
 * - docIds that differ only in case: their files collide on case-insensitive file systems (Windows,
 *   macOS), so a corpus copied there loses one of them.
 * - Windows device names (CON, PRN, AUX, NUL, COM1–9, LPT1–9, with or without an extension): Windows
 *   cannot create or open such a file (Microsoft, "Naming Files, Paths, and Namespaces").
 * - Unicode bidirectional formatting characters (UAX #9: ALM, LRM, RLM, LRE–RLO, LRI–PDI) in a title or
 *   a file name: they reorder how the name displays ("Trojan Source", CVE-2021-42574).
 */

const DEVICE_NAME = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.[^.]*)?$/iu;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

const codePoint = (ch: string): string => `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** Warnings about one docId among the others in the library (case collisions, Windows device names). */
export function docIdWarnings(docId: string, others: Iterable<string>): string[] {
  const out: string[] = [];
  const lower = docId.toLowerCase();
  const twins = [...new Set([...others].filter((o) => o !== docId && o.toLowerCase() === lower))].sort();
  if (twins.length > 0) out.push(`docId "${docId}" differs from ${twins.map((t) => `"${t}"`).join(', ')} only in case: on Windows and macOS their files collide; give one another docId`);
  if (DEVICE_NAME.test(docId)) out.push(`docId "${docId}" is a Windows device name: its files cannot be created there; give the document another docId`);
  return out;
}

/** A warning when `value` (a title, a file name) holds a bidirectional formatting character, else undefined. */
export function bidiWarning(what: string, value: string | undefined): string | undefined {
  const m = value === undefined ? null : BIDI.exec(value);
  return m ? `${what} holds the bidirectional control character ${codePoint(m[0])}, which changes how it displays; check it and remove the character` : undefined;
}

/** Every such warning over a whole library, e.g. for the log when a server loads it. */
export function libraryNameWarnings(documents: readonly { docId: string; title: string; originalName?: string | undefined }[]): string[] {
  // The docIds grouped by their lower case once: comparing each docId with every other one took
  // seconds at the start of a server over a library of 3,428 documents.
  const byLower = new Map<string, string[]>();
  for (const d of documents) {
    const lower = d.docId.toLowerCase();
    const group = byLower.get(lower);
    if (group) group.push(d.docId);
    else byLower.set(lower, [d.docId]);
  }
  const out: string[] = [];
  const seen = new Set<string>();
  for (const d of documents) {
    for (const w of docIdWarnings(d.docId, byLower.get(d.docId.toLowerCase()) ?? [])) {
      // A case collision is one warning per group, not one per member.
      const key = w.includes('only in case') ? `case:${d.docId.toLowerCase()}` : w;
      if (!seen.has(key)) out.push(w);
      seen.add(key);
    }
    for (const w of [bidiWarning(`the title of "${d.docId}"`, d.title), bidiWarning(`the file name of "${d.docId}"`, d.originalName)]) if (w) out.push(w);
  }
  return out;
}
