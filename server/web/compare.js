// Compare view for drafters: what each document says on one topic (POST /api/compare), as a table
// with verbatim quotes; export as a Markdown table that keeps the citations; copy a citation in the
// drafters' form 《标题》（文号）第X条. Also the shared helpers app.js uses for citations
// (copy button, validity badge). All text goes through textContent. An ES module.
import { apiFetch, el } from './api.js';

  const VALIDITY_LABEL = { in_force: '现行有效', expired: '已失效', repealed: '已废止', superseded: '已被新版本取代', not_yet: '尚未施行', draft: '征求意见稿', unknown: '效力未载明' };
  const WARN = new Set(['expired', 'repealed', 'superseded', 'not_yet', 'draft']);
  const $ = (id) => document.getElementById(id);
  // The auth-aware wrapper (api.js).
  const request = apiFetch;

  /** 《标题》（文号）第X条: the form drafters paste into a text. */
  function drafterCitation(c) {
    return `《${c.title}》${c.docNumber ? `（${c.docNumber}）` : ''}${c.clausePath || c.clause || ''}`;
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
    button.addEventListener('click', () => void copyText(drafterCitation(c), button));
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
      const said = row.citations.length === 0 ? '未作规定' : row.citations.map((c) => `“${markdownCell(c.quote)}”[${c.n}]`).join('<br>');
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
    for (const row of result.rows) {
      const said = el('td');
      if (row.citations.length === 0) said.append(el('span', { class: 'silent', text: '未作规定' }));
      for (const c of row.citations) {
        said.append(el('div', { class: 'compare-quote' }, [el('p', { class: 'quote', text: `“${c.quote}”` }), el('div', { class: 'cite-line' }, [el('span', { class: 'drafter', text: drafterCitation(c) }), copyButton(c)])]));
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
      const res = await request('/api/compare', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic }) });
      const data = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(data.error_description || `请求失败（HTTP ${res.status}）`);
      renderTable(data);
      status.textContent = `${data.rows.filter((r) => r.citations.length > 0).length} / ${data.rows.length} 份文件有相关规定`;
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

  document.addEventListener('DOMContentLoaded', () => {
    $('compare-form')?.addEventListener('submit', (event) => void runCompare(event));
  });

export { drafterCitation, copyButton, validityBadge, markValidityNotes, isValidityWarning };
