/**
 * Markdown as structure: a `.md` file's "# title" line is its title (marks aside), its "## 第一章"
 * headings are chapters (parser.ts), and a LawRefBook head (title, history lines, `<!-- INFO END -->`)
 * is metadata (history.ts). Pure.
 */

const MARKDOWN_NAME_RE = /\.(?:md|markdown)$/iu;

/** Whether a file name says Markdown (.md, .markdown). */
export function isMarkdownName(fileName: string): boolean {
  return MARKDOWN_NAME_RE.test(fileName);
}

/** The text of a "# title" first line ("# 中华人民共和国专利法实施细则" → 中华人民共和国专利法实施细则), if it has one. */
export function markdownTitle(text: string): string | undefined {
  const first = /^\s*#[ \t]+([^\n]{1,300})/u.exec(text);
  const title = first?.[1]?.replace(/[ \t]+#+[ \t]*$/u, '').trim();
  return title ? title : undefined;
}

/** Front matter opened by "---" on the first line: its extent, or `unclosed` when no "---" line closes it. */
export function frontMatterOpening(text: string): 'none' | 'closed' | 'unclosed' {
  if (!/^\uFEFF?---[ \t]*\r?\n/u.test(text)) return 'none';
  return /\r?\n---[ \t]*(?:\r?\n|$)/u.test(text.slice(3)) ? 'closed' : 'unclosed';
}
