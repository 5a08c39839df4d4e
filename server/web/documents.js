// The documents view: the library with format, pages, validity and dates, filtered and sorted in the
// page; upload (drag and drop or choose, one result line per file with its progress, 仍然添加副本 for
// bytes the library holds already), replace, delete (confirmed), download the original. Writes use
// the admin token (asked for when a write needs it, kept in sessionStorage by api.js). An ES module.
import { apiFetch, apiUpload, el } from './api.js';
import { validityBadge } from './compare.js';

  const $ = (id) => document.getElementById(id);
  const FORMAT_TEXT = { markdown: 'Markdown', text: '文本', pdf: 'PDF', docx: 'Word', doc: 'Word 97', wps: 'WPS', html: '网页', ofd: 'OFD', image: '图片' };
  // In force first, then what may still matter, then what no longer applies.
  const VALIDITY_ORDER = { in_force: 0, not_yet: 1, draft: 2, unknown: 3, superseded: 4, expired: 5, repealed: 6 };
  const FIELDS = ['title', 'issuer', 'status', 'effectiveFrom', 'effectiveTo'];
  const collator = new Intl.Collator('zh-CN', { numeric: true });
  const view = { documents: [], sort: { key: 'title', dir: 'asc' } };

  function say(text, kind = '') {
    const status = $('library-status');
    status.textContent = text;
    status.className = `status ${kind}`;
  }

  const problem = (body, fallback) => (body && body.error_description ? body.error_description : fallback);

  function validityCell(v) {
    const cell = el('td', { class: 'validity-cell', 'data-label': '效力' });
    if (!v) return cell;
    cell.append(validityBadge(v));
    // Each date whole: the line breaks between 自… and 至…, never inside a date.
    const dates = [v.effectiveFrom && `自 ${v.effectiveFrom}`, v.effectiveTo && `至 ${v.effectiveTo}`].filter(Boolean);
    if (dates.length > 0) cell.append(el('div', { class: 'dates' }, dates.flatMap((d, i) => [i > 0 ? ' ' : '', el('span', { text: d })])));
    return cell;
  }

  const dateOf = (d) => d.dateIssued || d.listingDate || '';

  /** The value a column sorts by. */
  function sortValue(d, key) {
    if (key === 'date') return dateOf(d);
    if (key === 'validity') return VALIDITY_ORDER[d.validity?.status] ?? 9;
    if (key === 'format') return FORMAT_TEXT[d.format] || d.format || '';
    if (key === 'pages') return d.pageCount || 0;
    if (key === 'passages') return d.passages || 0;
    return d[key] || '';
  }

  function compareBy(key, dir) {
    const sign = dir === 'desc' ? -1 : 1;
    return (a, b) => {
      const x = sortValue(a, key);
      const y = sortValue(b, key);
      // Documents without the value (no date, no issuer) go last whichever the direction.
      if ((x === '') !== (y === '')) return x === '' ? 1 : -1;
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
      return sign * order || collator.compare(a.title, b.title);
    };
  }

  /** The documents the filter box and the validity choice let through, in the chosen order. */
  function visibleDocuments() {
    const words = $('library-filter').value.trim().toLowerCase().split(/\s+/u).filter(Boolean);
    const validity = $('library-validity').value;
    return view.documents
      .filter((d) => !validity || d.validity?.status === validity)
      .filter((d) => {
        const text = [d.title, d.issuer, d.docNumber, d.docId, d.originalName].filter(Boolean).join(' ').toLowerCase();
        return words.every((w) => text.includes(w));
      })
      .sort(compareBy(view.sort.key, view.sort.dir));
  }

  function rowOf(d) {
    const actions = el('td', { class: 'row-actions', 'data-label': '操作' });
    if (d.originalName) {
      actions.append(el('a', { href: `/api/documents/${encodeURIComponent(d.docId)}/original`, download: d.originalName, class: 'download', text: '下载原件', onclick: (e) => download(e, d) }));
    }
    actions.append(
      // The document in the viewer (app.js), with its versions and 新旧对照 (diff.js).
      el('button', { type: 'button', class: 'read', 'data-doc': d.docId, onclick: () => read(d) }, ['阅读']),
      el('button', { type: 'button', class: 'replace', 'data-doc': d.docId, onclick: () => chooseReplacement(d) }, ['替换']),
      el('button', { type: 'button', class: 'delete', 'data-doc': d.docId, onclick: () => remove(d) }, ['删除']),
    );
    return el('tr', { 'data-doc': d.docId }, [
      el('td', { class: 'title-cell', 'data-label': '标题' }, [el('div', { class: 'doc-title', text: d.title }), el('div', { class: 'doc-id', text: [d.docId, d.docNumber].filter(Boolean).join(' · ') })]),
      el('td', { class: 'issuer', 'data-label': '发文机关', text: d.issuer || '—' }),
      el('td', { class: 'format', 'data-label': '格式', text: `${FORMAT_TEXT[d.format] || d.format}${d.ocr ? '（含OCR）' : ''}` }),
      el('td', { class: 'pages', 'data-label': '页数', text: d.pageCount > 0 ? String(d.pageCount) : '—' }),
      validityCell(d.validity),
      el('td', { class: 'date', 'data-label': '日期', text: dateOf(d) || '—' }),
      el('td', { class: 'passages', 'data-label': '段落', text: String(d.passages) }),
      actions,
    ]);
  }

  function render() {
    const shown = visibleDocuments();
    const rows = $('library-rows');
    rows.textContent = '';
    for (const d of shown) rows.append(rowOf(d));
    if (shown.length === 0 && view.documents.length > 0) rows.append(el('tr', { class: 'no-match' }, [el('td', { colspan: '8', text: '没有符合筛选条件的文件。' })]));
    for (const th of document.querySelectorAll('.library-table th[data-sort]')) {
      th.setAttribute('aria-sort', th.dataset.sort === view.sort.key ? (view.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none');
    }
    $('library-shown').textContent = shown.length === view.documents.length ? '' : `显示 ${shown.length} / ${view.documents.length} 份`;
  }

  /** Sorts by `key`; the same key again turns the direction round. */
  function sortBy(key, dir) {
    view.sort = { key, dir: dir ?? (view.sort.key === key && view.sort.dir === 'asc' ? 'desc' : 'asc') };
    const option = [...$('library-sort').options].find((o) => o.value === `${view.sort.key}:${view.sort.dir}`);
    $('library-sort').value = option ? option.value : '';
    render();
  }

  /** Reads the list again and shows it; false (the error said) when it could not be read. */
  async function refresh() {
    const res = await apiFetch('/api/documents');
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      say(problem(body, `无法读取文件列表（${res.status}）`), 'error');
      return false;
    }
    view.documents = body.documents;
    $('library-count').textContent = `共 ${body.documents.length} 份文件`;
    render();
    return true;
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

  /** The metadata typed in the upload form (empty fields left out). */
  function typedFields() {
    const fields = {};
    for (const name of FIELDS) {
      const value = $(`upload-${name}`).value.trim();
      if (value) fields[name] = value;
    }
    return fields;
  }

  function clearFields() {
    for (const name of FIELDS) $(`upload-${name}`).value = '';
  }

  /** One line of the upload results: the file, what happened to it, its progress while it uploads. */
  function resultItem(name) {
    const status = el('span', { class: 'result-status', text: '等待上传' });
    const progress = el('progress', { max: '1', value: '0', hidden: '' });
    const item = el('li', { class: 'pending' }, [el('span', { class: 'result-file', text: name }), status, progress]);
    return { item, status, progress };
  }

  function outcomeText(body) {
    const what = body.outcome === 'unchanged' ? '已在文件库中（内容相同），未改动' : body.outcome === 'replaced' ? '已替换' : '已加入';
    const pages = body.pageCount > 0 ? `，${body.pageCount} 页` : '';
    const warnings = body.warnings && body.warnings.length > 0 ? `；注意：${body.warnings.join('；')}` : '';
    return `《${body.title}》${what}：${body.passages} 段${pages}${warnings}`;
  }

  /**
   * Sends one file and shows what became of it on its result line; resolves with true when it was
   * stored. A 409 duplicate_document (the library holds these bytes) offers 仍然添加副本.
   */
  async function send(file, method, url, fields, line, extra = {}) {
    const form = new FormData();
    for (const [k, v] of Object.entries({ ...fields, ...extra })) form.append(k, v);
    form.append('file', file, file.name);
    line.item.className = 'uploading';
    line.status.textContent = '正在上传…';
    line.progress.hidden = false;
    line.progress.value = 0;
    try {
      const { status, body } = await apiUpload(url, method, form, (share) => {
        line.progress.value = share;
        if (share >= 1) line.status.textContent = '已上传，正在提取和建立索引…';
      });
      if (status >= 400) {
        // Error descriptions name the file themselves (in Chinese: the page asks for it).
        line.item.className = 'failed';
        line.status.textContent = problem(body, `失败（HTTP ${status}）`);
        if (status === 409 && body.error === 'duplicate_document') {
          line.status.append(' ', el('button', { type: 'button', class: 'add-copy', onclick: async (e) => {
            e.currentTarget.remove();
            if (await send(file, method, url, fields, line, { allowDuplicate: 'true' })) await refresh();
          } }, ['仍然添加副本']));
        }
        return false;
      }
      line.item.className = 'done';
      line.status.textContent = outcomeText(body);
      return true;
    } catch (error) {
      line.item.className = 'failed';
      line.status.textContent = error.message;
      return false;
    } finally {
      line.progress.hidden = true;
    }
  }

  /** Uploads a batch one file at a time; every file keeps its own result line. */
  async function uploadFiles(files) {
    if (files.length === 0) return;
    const fields = typedFields();
    if (files.length > 1 && fields.title) {
      return say(`一个标题只能用于一个文件：这次选了 ${files.length} 个文件。请逐个上传，或清空“标题”后再上传。`, 'error');
    }
    const list = $('upload-results');
    list.textContent = '';
    const lines = files.map((f) => resultItem(f.name));
    list.append(...lines.map((l) => l.item));
    say(files.length > 1 ? `正在上传 ${files.length} 个文件…` : `正在上传 ${files[0].name}…`);
    let stored = 0;
    for (const [i, file] of files.entries()) if (await send(file, 'POST', '/api/documents', fields, lines[i])) stored += 1;
    // The fields were for this batch: the next one starts empty.
    clearFields();
    const failed = files.length - stored;
    // The outcome is said once the list shows it (a row read right after 已加入 is the new one).
    if (!(await refresh())) return;
    if (files.length === 1) say(lines[0].status.firstChild?.textContent ?? '', failed ? 'error' : 'ok');
    else say(`${files.length} 个文件：${stored} 个已存入${failed ? `，${failed} 个未能加入（见上方各行）` : ''}`, failed ? 'error' : 'ok');
  }

  function chooseReplacement(doc) {
    const input = el('input', { type: 'file', hidden: '' });
    input.addEventListener('change', async () => {
      const file = input.files && input.files[0];
      input.remove();
      if (!file) return;
      const list = $('upload-results');
      const line = resultItem(file.name);
      list.textContent = '';
      list.append(line.item);
      const ok = await send(file, 'PUT', `/api/documents/${encodeURIComponent(doc.docId)}`, {}, line);
      if (await refresh()) say(line.status.firstChild?.textContent ?? '', ok ? 'ok' : 'error');
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
    // The list first, then the message: whoever reads 已删除 no longer sees the row.
    await refresh();
    say(`已删除《${doc.title}》`, 'ok');
  }

  /** Opens a document in the viewer of the chat view (app.js listens for kb:open). */
  function read(d) {
    show('chat');
    document.dispatchEvent(new CustomEvent('kb:open', { detail: { docId: d.docId } }));
  }

  function show(libraryView) {
    const library = libraryView === 'library';
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
    $('library-filter').addEventListener('input', render);
    $('library-validity').addEventListener('change', render);
    $('library-sort').addEventListener('change', () => {
      const [key, dir] = $('library-sort').value.split(':');
      sortBy(key, dir);
    });
    for (const th of document.querySelectorAll('.library-table th[data-sort]')) th.querySelector('button').addEventListener('click', () => sortBy(th.dataset.sort));
    if (location.hash === '#library') show('library');
  });
