// 新旧对照 in the page: the versions of a document in the viewer (with its history and validity),
// and two versions side by side (POST /api/diff), changes highlighted, each clause a link into the
// viewer, the table exportable as the Markdown of a 修订说明. All text goes through textContent.
// An ES module: app.js hands renderVersions its citation opener.
import { apiFetch, el } from './api.js';
import { validityBadge } from './compare.js';

  const $ = (id) => document.getElementById(id);
  const request = apiFetch;
  /** app.js's citation opener, given with renderVersions. */
  let opener = () => undefined;
  const STATUS = { unchanged: '未修改', modified: '修改', added: '新增', removed: '删除', moved: '移动' };

  /** Opens a document in the viewer at [start, end) (app.js's citation opener). */
  function openAt(docId, start, end) {
    void opener({ docId, start, end, page: undefined });
  }

  /** The viewer's extra lines for a document: validity conflict, history, versions with 对照 links. */
  function renderVersions(container, doc, openCitation) {
    if (openCitation) opener = openCitation;
    container.querySelectorAll('.doc-versions').forEach((n) => n.remove());
    const box = el('div', { class: 'doc-versions' });
    const v = doc.validity;
    if (v) box.append(el('p', { class: 'meta' }, [validityBadge(v), ` ${v.basis}`]));
    if (v?.conflict) box.append(el('p', { class: 'validity-conflict', role: 'note', text: `效力存疑：${v.conflict}` }));
    if (v?.period && v.status === 'unknown') box.append(el('p', { class: 'meta', text: `规划期${v.period.from}—${v.period.to}年${v.period.ended ? '，已届满' : ''}（效力未载明）` }));
    if (doc.history?.length) {
      const list = el('ul', { class: 'history' });
      for (const h of doc.history) list.append(el('li', { text: `${h.date} ${h.by} ${h.action}` }));
      box.append(el('details', {}, [el('summary', { text: `沿革（${doc.history.length}）` }), list]));
    }
    const versions = doc.versions ?? [];
    if (versions.length > 1) {
      const current = versions.find((x) => x.current) ?? versions[versions.length - 1];
      const line = el('p', { class: 'versions' }, ['版本：']);
      for (const x of versions) {
        const label = `${x.date ?? '日期未载明'}${x.current ? '（现行）' : ''}`;
        if (x.docId === doc.docId) line.append(el('strong', { text: label }));
        else line.append(el('button', { type: 'button', class: 'link', onclick: () => openAt(x.docId, 0, 0) }, [label]));
        line.append(' ');
      }
      if (current && current.docId !== doc.docId) line.append(el('button', { type: 'button', class: 'secondary', onclick: () => void openDiff(doc.docId, current.docId) }, ['与现行版本对照']));
      else {
        const previous = versions[versions.indexOf(current) - 1];
        if (previous) line.append(el('button', { type: 'button', class: 'secondary', onclick: () => void openDiff(previous.docId, doc.docId) }, ['与上一版本对照']));
      }
      box.append(line);
    }
    if (box.childNodes.length > 0) container.after(box);
  }

  /** A clause's text with [start, end) ranges wrapped in <ins>/<del>. */
  function highlighted(side, ranges, tag) {
    const cell = el('div', { class: 'diff-text' });
    let at = side.start;
    for (const [s, e] of ranges ?? []) {
      if (s > at) cell.append(side.text.slice(at - side.start, s - side.start));
      cell.append(el(tag, { text: side.text.slice(s - side.start, e - side.start) }));
      at = e;
    }
    cell.append(side.text.slice(at - side.start));
    return cell;
  }

  function sideCell(docId, side, ranges, tag) {
    const td = el('td');
    if (!side) return td;
    td.append(el('button', { type: 'button', class: 'link clause', title: '在原文中查看', onclick: () => openAt(docId, side.start, side.end) }, [side.clause]));
    td.append(highlighted(side, ranges, tag));
    return td;
  }

  function viewSection() {
    let section = $('diff-view');
    if (!section) {
      section = el('section', { id: 'diff-view', class: 'diff-view', 'aria-label': '新旧对照' });
      ($('viewer') ?? document.body).after(section);
    }
    section.hidden = false;
    section.textContent = '';
    return section;
  }

  async function openDiff(from, to, showUnchanged = false) {
    const section = viewSection();
    section.append(el('p', { class: 'status', role: 'status', text: '正在对照…' }));
    try {
      const res = await request('/api/diff', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from, to }) });
      const data = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(data.error_description || `请求失败（HTTP ${res.status}）`);
      render(section, data, showUnchanged);
    } catch (error) {
      section.textContent = '';
      section.append(el('p', { class: 'status', text: `出错了：${error.message}` }));
    }
  }

  function render(section, data, showUnchanged) {
    section.textContent = '';
    const name = (d) => `《${d.title}》${d.dateIssued ? `（${d.dateIssued}）` : ''}`;
    const s = data.summary;
    section.append(
      el('h2', { tabindex: '-1', text: `新旧对照：${name(data.fromDocument)} → ${name(data.toDocument)}` }),
      el('p', { class: 'meta', text: `未修改 ${s.unchanged} 条，修改 ${s.modified} 条，新增 ${s.added} 条，删除 ${s.removed} 条，移动 ${s.moved} 条` }),
    );
    const toggle = el('label', {}, [el('input', { type: 'checkbox', ...(showUnchanged ? { checked: 'checked' } : {}) }), ' 显示未修改的条文']);
    toggle.querySelector('input').addEventListener('change', (e) => render(section, data, e.target.checked));
    const exportButton = el('button', { type: 'button', class: 'secondary' }, ['导出 Markdown（修订说明）']);
    const markdown = el('textarea', { class: 'compare-markdown', rows: '8', readonly: 'readonly', 'aria-label': 'Markdown 新旧对照表' });
    markdown.hidden = true;
    exportButton.addEventListener('click', async () => {
      const res = await request('/api/diff', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: data.from, to: data.to, format: 'markdown', unchanged: showUnchanged }) });
      markdown.value = await res.text();
      markdown.hidden = false;
      markdown.select();
    });
    section.append(el('div', { class: 'actions' }, [toggle, exportButton]), markdown);
    const table = el('table', { class: 'diff-table' });
    table.append(el('thead', {}, [el('tr', {}, ['修改前', '修改后', '说明'].map((h) => el('th', { scope: 'col', text: h })))]));
    const body = el('tbody');
    for (const row of data.rows) {
      if (row.status === 'unchanged' && !showUnchanged) continue;
      const note = STATUS[row.status] + (row.from && row.to && row.from.clause !== row.to.clause ? `（${row.from.clause}→${row.to.clause}）` : '');
      body.append(el('tr', { class: `diff-${row.status}` }, [sideCell(data.from, row.from, row.fromChanges, 'del'), sideCell(data.to, row.to, row.changes, 'ins'), el('td', { class: 'diff-status', text: note })]));
    }
    table.append(body);
    section.append(table);
    section.querySelector('h2').focus({ preventScroll: false });
  }

export { renderVersions, openDiff };
