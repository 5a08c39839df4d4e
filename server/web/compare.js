// Compare view for drafters: what each document says on one topic (POST /api/compare), as a table
// with verbatim quotes; export as a Markdown table that keeps the citations; copy a citation in the
// drafters' form 《标题》（文号）第X条. Also the shared helpers app.js uses for citations
// (copy button, validity badge). Over the documents picked (default all); a row nothing was
// retrieved from says 未检索到相关条文; 复制引文 copies 《标题》（文号）第X条：“……”. All text goes
// through textContent. An ES module.
import { apiFetch, el } from './api.js';

  const VALIDITY_LABEL = { in_force: '现行有效', expired: '已失效', repealed: '已废止', superseded: '已被新版本取代', not_yet: '尚未施行', draft: '征求意见稿', unknown: '效力未载明' };
  const WARN = new Set(['expired', 'repealed', 'superseded', 'not_yet', 'draft']);
  const $ = (id) => document.getElementById(id);
  // The auth-aware wrapper (api.js).
  const request = apiFetch;

  /** What an empty compare row says: nothing on the topic was retrieved from it, not that it is silent. */
  const NOTHING_RETRIEVED = '未检索到相关条文';

  /** An article without the 编/章/节 above it (第七章第五十一条 → 第五十一条), as src/retrieval/compare.ts drafterClause. */
  function drafterClause(path) {
    return String(path || '').replace(/^(?:第[零〇一二两三四五六七八九十百千0-9]{1,8}[编章节]\s*)+(?=第[零〇一二两三四五六七八九十百千0-9]{1,8}条)/u, '');
  }

  /** 《标题》（文号）第X条: the form drafters paste into a text. */
  function drafterCitation(c) {
    return `《${c.title}》${c.docNumber ? `（${c.docNumber}）` : ''}${drafterClause(c.clausePath || c.clause || '')}`;
  }

  /** The citation with its quote: 《标题》（文号）第X条：“……” (what 复制引文 copies). */
  function drafterQuote(c) {
    const quote = String(c.quote || '').replace(/\s+/gu, ' ').trim();
    return quote ? `${drafterCitation(c)}：“${quote}”` : drafterCitation(c);
  }

  async function copyText(text, button) {
    try {
      await window.navigator.clipboard.writeText(text);
    } catch {
      // Clipboard API refused (no permission, not a secure context): select-and-copy fallback.
      const area = el('textarea', { class: 'copy-buffer', 'aria-hidden': 'true' });
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    if (button) {
      const before = button.textContent;
      button.textContent = '已复制';
      window.setTimeout(() => { button.textContent = before; }, 1500);
    }
  }

  function copyButton(c) {
    const button = el('button', { type: 'button', class: 'copy-cite', title: drafterCitation(c), 'aria-label': `复制引文：${drafterCitation(c)}` }, ['复制引文']);
    button.addEventListener('click', () => void copyText(drafterQuote(c), button));
    return button;
  }

  function validityBadge(validity) {
    if (!validity) return null;
    const warn = WARN.has(validity.status);
    const kind = warn ? 'validity-warn' : validity.status === 'in_force' ? 'validity-ok' : 'validity-unknown';
    // A plan whose title states an ended period; sources that disagree are flagged, not resolved (diff.js shows which).
    const label = validity.status === 'unknown' && validity.period?.ended ? '规划期已届满' : VALIDITY_LABEL[validity.status] || validity.status;
    const title = [validity.basis, validity.conflict && `效力存疑：${validity.conflict}`].filter(Boolean).join('；');
    return el('span', { class: `validity ${kind}${validity.conflict ? ' validity-conflict' : ''}`, title, text: validity.conflict ? `${label}（存疑）` : label });
  }

  function markdownCell(s) {
    // HTML in a title or quote stays text wherever the table is pasted and rendered.
    return String(s).replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;').replace(/\|/gu, '\\|').replace(/\s+/gu, ' ').trim();
  }

  /** The comparison as a Markdown table; quotes keep their [n] and the citations follow the table. */
  function toMarkdown(result) {
    const lines = [`**${markdownCell(result.topic)}**`, '', '| 文件 | 发文机关 | 效力 | 规定（原文） |', '| --- | --- | --- | --- |'];
    for (const row of result.rows) {
      const said = row.citations.length === 0 ? NOTHING_RETRIEVED : row.citations.map((c) => `“${markdownCell(c.quote)}”[${c.n}]`).join('<br>');
      lines.push(`| 《${markdownCell(row.title)}》 | ${markdownCell(row.issuer)} | ${VALIDITY_LABEL[row.validity?.status] || ''} | ${said} |`);
    }
    const cites = result.rows.flatMap((r) => r.citations);
    if (cites.length > 0) {
      lines.push('');
      for (const c of cites) lines.push(`[${c.n}]: ${markdownCell(drafterCitation(c))}`);
    }
    return lines.join('\n');
  }

  function renderTable(result) {
    const wrap = $('compare-result');
    wrap.textContent = '';
    const table = el('table', { class: 'compare-table' });
    table.append(el('caption', { text: `“${result.topic}”：各文件的规定` }));
    table.append(el('thead', {}, [el('tr', {}, ['文件', '效力', '规定（原文）'].map((h) => el('th', { scope: 'col', text: h })))]));
    const body = el('tbody');
    // Rows with clauses first (in the order given), then those nothing was retrieved from.
    const rows = [...result.rows.filter((r) => r.citations.length > 0), ...result.rows.filter((r) => r.citations.length === 0)];
    for (const row of rows) {
      const said = el('td');
      if (row.citations.length === 0) said.append(el('span', { class: 'silent', text: NOTHING_RETRIEVED }));
      for (const c of row.citations) {
        const quote = quoteView(c);
        said.append(el('div', { class: 'compare-quote' }, [quote, el('div', { class: 'cite-line' }, [el('span', { class: 'drafter', text: drafterCitation(c) }), copyButton(c)])]));
      }
      body.append(el('tr', { class: row.citations.length === 0 ? 'no-provision' : '' }, [el('th', { scope: 'row' }, [el('span', { text: `《${row.title}》` }), el('div', { class: 'meta', text: row.issuer })]), el('td', {}, [validityBadge(row.validity)]), said]));
    }
    table.append(body);
    const exportButton = el('button', { type: 'button', id: 'compare-export', class: 'secondary' }, ['导出 Markdown 表格']);
    exportButton.addEventListener('click', () => {
      const md = toMarkdown(result);
      $('compare-markdown').value = md;
      $('compare-markdown').hidden = false;
      void copyText(md, exportButton);
    });
    wrap.append(table, el('div', { class: 'actions' }, [exportButton]));
  }

  async function runCompare(event) {
    event.preventDefault();
    const topic = $('compare-topic').value.trim();
    const status = $('compare-status');
    if (!topic) { status.textContent = '请输入要比较的主题'; return; }
    status.textContent = '正在比较…';
    $('compare-markdown').hidden = true;
    try {
      const docIds = [...picked.keys()];
      const res = await request('/api/compare', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(docIds.length > 0 ? { topic, docIds } : { topic }) });
      const data = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(data.error_description || `请求失败（HTTP ${res.status}）`);
      renderTable(data);
      status.textContent = `${data.rows.filter((r) => r.citations.length > 0).length} / ${data.rows.length} 份文件检索到相关条文`;
    } catch (error) {
      status.textContent = `出错了：${error.message}`;
    }
  }

  /** Wraps the answer's validity warning lines (注意：…届满) in a distinct block. */
  function markValidityNotes(container) {
    for (const node of [...container.childNodes]) {
      if (node.nodeType !== 3 || !node.textContent.includes('注意：')) continue;
      const parts = node.textContent.split(/(注意：[^\n]*)/u);
      const frag = document.createDocumentFragment();
      for (const part of parts) {
        if (part.startsWith('注意：')) frag.append(el('span', { class: 'validity-note', role: 'note', text: part }));
        else if (part) frag.append(document.createTextNode(part));
      }
      node.replaceWith(frag);
    }
  }

  const isValidityWarning = (v) => !!v && WARN.has(v.status);

  // The documents to compare (docId → title); none picked: every document.
  const picked = new Map();
  let catalog;
  const MAX_SHOWN = 30;

  /** The document picker: a filter box, matching documents to tick (up to 30 shown), the picked ones as chips. */
  function buildPicker(form) {
    const box = el('div', { class: 'compare-docs' });
    const filter = el('input', { id: 'compare-doc-filter', type: 'search', maxlength: '100', placeholder: '筛选文件（标题、发文机关或文号）', 'aria-label': '筛选要比较的文件' });
    const chips = el('div', { class: 'compare-chips', 'aria-live': 'polite' });
    const list = el('ul', { class: 'compare-doc-list', id: 'compare-doc-list' });
    const renderChips = () => {
      chips.textContent = '';
      if (picked.size === 0) chips.append(el('span', { class: 'status', text: '比较范围：全部文件（可在下方勾选）' }));
      for (const [docId, title] of picked) {
        chips.append(el('button', { type: 'button', class: 'chip', 'aria-label': `移除《${title}》`, onclick: () => { picked.delete(docId); renderChips(); renderList(); } }, [`《${title}》 ×`]));
      }
    };
    const renderList = () => {
      list.textContent = '';
      if (!catalog) return;
      const q = filter.value.trim().toLowerCase();
      const matches = catalog.filter((d) => !q || `${d.title} ${d.issuer} ${d.docNumber || ''} ${d.docId}`.toLowerCase().includes(q));
      for (const d of matches.slice(0, MAX_SHOWN)) {
        const tick = el('input', { type: 'checkbox', id: `pick-${d.docId}`, value: d.docId });
        tick.checked = picked.has(d.docId);
        tick.addEventListener('change', () => {
          if (tick.checked) picked.set(d.docId, d.title);
          else picked.delete(d.docId);
          renderChips();
        });
        list.append(el('li', {}, [tick, el('label', { for: `pick-${d.docId}`, text: `《${d.title}》` }), el('span', { class: 'meta', text: d.issuer || '' })]));
      }
      if (matches.length > MAX_SHOWN) list.append(el('li', { class: 'status', text: `另有 ${matches.length - MAX_SHOWN} 份，请输入更多字筛选` }));
    };
    filter.addEventListener('input', renderList);
    filter.addEventListener('focus', async () => {
      if (catalog) return;
      try {
        const res = await request('/api/documents');
        const data = await res.json();
        catalog = (data.documents || []).map((d) => ({ docId: d.docId, title: d.title, issuer: d.issuer, docNumber: d.docNumber }));
        renderList();
      } catch {
        list.textContent = '';
        list.append(el('li', { class: 'status', text: '无法读取文件列表' }));
      }
    });
    box.append(el('label', { for: 'compare-doc-filter', text: '比较哪些文件' }), filter, chips, list);
    renderChips();
    form.after(box);
  }

  document.addEventListener('DOMContentLoaded', () => {
    const form = $('compare-form');
    if (!form) return;
    form.addEventListener('submit', (event) => void runCompare(event));
    buildPicker(form);
  });

/** Where the highlight falls in a quote string (segments joined by ……), as src/retrieval/answer/units.ts computes it. */
function highlightInQuote(c) {
  const h = c.highlight;
  if (!h) return undefined;
  const pieces = c.segments && c.segments.length > 0 ? c.segments : [{ start: c.start, end: c.end }];
  let at = 0;
  for (const s of pieces) {
    if (s.start <= h.start && h.end <= s.end) return { start: at + (h.start - s.start), end: at + (h.end - s.start) };
    at += s.end - s.start + 2;
  }
  return undefined;
}

/** The quoted clause with its answering sentence marked (the whole clause is the quote); the chat's citations and compare rows use it. */
function quoteView(c) {
  if (c.quote === '' && c.fact) return el('p', { class: 'quote fact-note', text: `${c.fact.value}（${c.fact.note || '取自文件元数据'}）` });
  const p = el('p', { class: 'quote' });
  const at = highlightInQuote(c);
  const whole = !at || (at.start === 0 && at.end === c.quote.length);
  if (whole) {
    p.textContent = `“${c.quote}”`;
    return p;
  }
  p.append('“', c.quote.slice(0, at.start), el('mark', { class: 'answer-sentence', text: c.quote.slice(at.start, at.end) }), c.quote.slice(at.end), '”');
  return p;
}

export { quoteView, drafterCitation, drafterQuote, copyButton, validityBadge, markValidityNotes, isValidityWarning };
