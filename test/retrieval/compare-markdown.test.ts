/**
 * Issue 25.10: the compare table (CLI, POST /api/compare `markdown`, MCP compare_provisions text)
 * carried raw HTML from titles and quotes into Markdown, which renderers turn into markup. It is shown
 * as text now; the verbatim quote is still what the JSON rows carry.
 */
import { describe, expect, it } from 'vitest';
import type { Citation } from '../../src/retrieval/answer.js';
import { comparisonMarkdown, type Comparison } from '../../src/retrieval/compare.js';

const title = '关于<img src=x onerror=alert(1)>的通知';
const quote = '第一条 收入<5000元 & 申请人<script>alert(1)</script>可申请。';
const comparison: Comparison = {
  topic: '补贴<b>',
  rows: [
    {
      docId: 'html-title',
      title,
      issuer: '<a href="javascript:alert(1)">市政府</a>',
      validity: { status: 'in_force', basis: '' },
      citations: [{ n: 1, docId: 'html-title', passageId: 'html-title-0001', title, clause: '第一条', quote, start: 0, end: quote.length } as unknown as Citation],
    },
  ],
};

describe('comparisonMarkdown', () => {
  it('shows HTML in titles, issuers, quotes and the topic as text', () => {
    const md = comparisonMarkdown(comparison);
    expect(md).not.toMatch(/<(img|script|a|b)\b/u);
    expect(md).toContain('**补贴&lt;b&gt;**');
    expect(md).toContain('| 《关于&lt;img src=x onerror=alert(1)&gt;的通知》 | &lt;a href="javascript:alert(1)"&gt;市政府&lt;/a&gt; | 现行有效 |');
    expect(md).toContain('“第一条 收入&lt;5000元 &amp; 申请人&lt;script&gt;alert(1)&lt;/script&gt;可申请。”[1]');
    expect(md).toContain('[1]: 《关于&lt;img src=x onerror=alert(1)&gt;的通知》第一条（html-title 0–');
  });
});
