/**
 * Issue 25.10: `sourceUrl` is shown as a link (list_documents, the API): it accepted `javascript:`.
 * Only http(s) URLs are valid metadata now; anything else makes the file invalid, saying so.
 */
import { describe, expect, it } from 'vitest';
import { parseDocumentFile } from '../../src/corpus/document.js';

const file = (url: string): Uint8Array => new TextEncoder().encode(`---\ndocId: linked\ntitle: 关于链接的通知\nsourceUrl: "${url}"\n---\n\n第一条 本通知自印发之日起施行。\n`);

describe('sourceUrl', () => {
  it.each(['https://www.gov.cn/zhengce/content/2017-07/20/content_5211996.htm', 'http://example.gov.cn/a?b=1'])('accepts %s', (url) => {
    expect(parseDocumentFile('linked.md', file(url)).meta.sourceUrl).toBe(url);
  });

  it.each(['javascript:alert(document.cookie)', 'JAVASCRIPT:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'file:///etc/passwd', 'ftp://example.org/x'])('refuses %s, naming the field', (url) => {
    expect(() => parseDocumentFile('linked.md', file(url))).toThrow(/sourceUrl must be an http:\/\/ or https:\/\/ URL/u);
  });
});
