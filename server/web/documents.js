// The documents view: the library with format, pages, validity and dates; upload (drag and drop
// or choose, with progress), replace, delete (confirmed), download the original. Writes use the
// admin token (asked for when a write needs it, kept in sessionStorage by api.js). An ES module.
import { apiFetch, apiUpload, el } from './api.js';
import { validityBadge } from './compare.js';

  const $ = (id) => document.getElementById(id);
  const FORMAT_TEXT = { markdown: 'Markdown', text: '文本', pdf: 'PDF', docx: 'Word', doc: 'Word 97', wps: 'WPS', html: '网页', ofd: 'OFD' };

  function say(text, kind = '') {
    const status = $('library-status');
    status.textContent = text;
    status.className = `status ${kind}`;
  }

  const problem = (body, fallback) => (body && body.error_description ? body.error_description : fallback);

  function validityCell(v) {
    const cell = el('td');
    if (!v) return cell;
    cell.append(validityBadge(v));
    const dates = [v.effectiveFrom && `自 ${v.effectiveFrom}`, v.effectiveTo && `至 ${v.effectiveTo}`].filter(Boolean).join(' ');
    if (dates) cell.append(el('div', { class: 'dates', text: dates }));
    return cell;
  }

  async function refresh() {
    const res = await apiFetch('/api/documents');
    const body = await res.json().catch(() => ({}));
    if (!res.ok) return say(problem(body, `无法读取文件列表（${res.status}）`), 'error');
    const rows = $('library-rows');
    rows.textContent = '';
    for (const d of body.documents) {
      const actions = el('td', { class: 'row-actions' });
      if (d.originalName) {
        actions.append(el('a', { href: `/api/documents/${encodeURIComponent(d.docId)}/original`, download: d.originalName, class: 'download', text: '下载原件', onclick: (e) => download(e, d) }));
      }
      actions.append(
        el('button', { type: 'button', class: 'replace', 'data-doc': d.docId, onclick: () => chooseReplacement(d) }, ['替换']),
        el('button', { type: 'button', class: 'delete', 'data-doc': d.docId, onclick: () => remove(d) }, ['删除']),
      );
      rows.append(
        el('tr', { 'data-doc': d.docId }, [
          el('td', {}, [el('div', { class: 'doc-title', text: d.title }), el('div', { class: 'doc-id', text: [d.docId, d.docNumber].filter(Boolean).join(' · ') })]),
          el('td', { text: d.issuer || '—' }),
          el('td', { class: 'format', text: `${FORMAT_TEXT[d.format] || d.format}${d.ocr ? '（含OCR）' : ''}` }),
          el('td', { class: 'pages', text: d.pageCount > 0 ? String(d.pageCount) : '—' }),
          validityCell(d.validity),
          el('td', { class: 'date', text: d.dateIssued || d.listingDate || '—' }),
          el('td', { class: 'passages', text: String(d.passages) }),
          actions,
        ]),
      );
    }
    $('library-count').textContent = `共 ${body.documents.length} 份文件`;
  }

  /** Downloads the original through apiFetch, so the token goes along when the server needs one. */
  async function download(event, doc) {
    event.preventDefault();
    const res = await apiFetch(`/api/documents/${encodeURIComponent(doc.docId)}/original`);
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      return say(problem(body, `无法下载原件（${res.status}）`), 'error');
    }
    const url = URL.createObjectURL(await res.blob());
    const link = el('a', { href: url, download: doc.originalName, hidden: '' });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  function uploadFields() {
    const form = new FormData();
    for (const name of ['title', 'issuer', 'status', 'effectiveFrom', 'effectiveTo']) {
      const value = $(`upload-${name}`).value.trim();
      if (value) form.append(name, value);
    }
    return form;
  }

  async function send(file, method, url, fields) {
    const progress = $('upload-progress');
    progress.hidden = false;
    progress.value = 0;
    say(`正在上传 ${file.name}…`);
    fields.append('file', file, file.name);
    try {
      const { status, body } = await apiUpload(url, method, fields, (share) => {
        progress.value = share;
        if (share >= 1) say(`已上传 ${file.name}，正在提取和建立索引…`);
      });
      // Error descriptions name the file themselves.
      if (status >= 400) return say(problem(body, `${file.name}：失败（${status}）`), 'error');
      const what = body.outcome === 'unchanged' ? '已在文件库中（内容相同），未改动' : body.outcome === 'replaced' ? '已替换' : '已加入';
      const pages = body.pageCount > 0 ? `，${body.pageCount} 页` : '';
      const warnings = body.warnings && body.warnings.length > 0 ? `；注意：${body.warnings.join('；')}` : '';
      say(`《${body.title}》${what}：${body.passages} 段${pages}${warnings}`, 'ok');
      await refresh();
    } catch (error) {
      say(`${file.name}：${error.message}`, 'error');
    } finally {
      progress.hidden = true;
    }
  }

  async function uploadFiles(files) {
    for (const file of files) await send(file, 'POST', '/api/documents', uploadFields());
  }

  function chooseReplacement(doc) {
    const input = el('input', { type: 'file', hidden: '' });
    input.addEventListener('change', async () => {
      const file = input.files && input.files[0];
      input.remove();
      if (file) await send(file, 'PUT', `/api/documents/${encodeURIComponent(doc.docId)}`, new FormData());
    });
    document.body.append(input);
    input.click();
  }

  async function remove(doc) {
    if (!confirm(`确定删除《${doc.title}》吗？它的原件、文本和全部索引段落都会删除，无法恢复。`)) return;
    const res = await apiFetch(`/api/documents/${encodeURIComponent(doc.docId)}`, { method: 'DELETE' }, { admin: true });
    if (res.status !== 204) {
      const body = await res.json().catch(() => ({}));
      return say(problem(body, `删除失败（${res.status}）`), 'error');
    }
    say(`已删除《${doc.title}》`, 'ok');
    await refresh();
  }

  function show(view) {
    const library = view === 'library';
    $('library').hidden = !library;
    document.querySelector('main').hidden = library;
    $('tab-chat').setAttribute('aria-selected', String(!library));
    $('tab-library').setAttribute('aria-selected', String(library));
    if (library) refresh().catch((error) => say(`无法读取文件列表：${error.message}`, 'error'));
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('tab-chat').addEventListener('click', () => show('chat'));
    $('tab-library').addEventListener('click', () => show('library'));
    const drop = $('dropzone');
    const input = $('upload-input');
    input.addEventListener('change', async () => {
      await uploadFiles([...input.files]);
      input.value = '';
    });
    drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('over');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', async (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      await uploadFiles([...e.dataTransfer.files]);
    });
    if (location.hash === '#library') show('library');
  });
