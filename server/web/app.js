// The chat page: streams answers from /api/chat, shows citation markers, opens the cited document
// at the quoted text. No framework, no external resources; all text goes through textContent.
// An ES module: the entry point index.html loads; it imports the others.
import { apiFetch, el } from './api.js';
import { copyButton, isValidityWarning, markValidityNotes, quoteView, validityBadge } from './compare.js';
import { renderVersions } from './diff.js';
import './documents.js';
import './welcome.js';

const ABSTAIN = '知识库中未找到相关规定';
const state = { messages: [], docs: new Map() };
const $ = (id) => document.getElementById(id);

/**
 * How each outcome looks: `answer` leads with its clause; `related` is never dressed as an answer (a
 * banner naming what is missing, its clauses listed as 相关条文); `not_found` says so once.
 */
const OUTCOME = {
  answer: { item: 'outcome-answer', sources: '出处' },
  related: { item: 'outcome-related', sources: '相关条文（不构成答案）' },
  not_found: { item: 'outcome-not-found', sources: '最接近的条文（低置信度，仅供参考）' },
};

/** The banner of an answer that is not one: what is missing (related), or that nothing was found (not_found). */
function outcomeBanner(outcome, missing) {
  if (outcome === 'related') return el('p', { class: 'outcome-banner outcome-banner-related', role: 'note', text: `相关条文，不构成答案${missing ? `：${/^(?:未|找到)/u.test(missing) ? missing : `缺少${missing}`}` : ''}` });
  if (outcome === 'not_found') return el('p', { class: 'outcome-banner outcome-banner-not-found', role: 'note', text: ABSTAIN });
  return null;
}

/** The answer text as shown: a not_found answer's own opening sentence is the banner already. */
function shownText(outcome, text) {
  return outcome === 'not_found' ? text.replace(new RegExp(`^${ABSTAIN}。?`, 'u'), '') : text;
}

/** Renders answer text with [n] turned into superscript buttons that open citation n. */
function renderAnswer(container, text, citations) {
  container.textContent = '';
  const parts = text.split(/(\[\d+\])/u);
  for (const part of parts) {
    const m = /^\[(\d+)\]$/u.exec(part);
    const c = m && citations.find((x) => x.n === Number(m[1]));
    if (c) {
      const btn = el('button', { class: 'cite', type: 'button', 'aria-label': `查看出处 ${c.n}：${c.breadcrumb}`, 'data-n': String(c.n), onclick: () => openCitation(c) }, [String(c.n)]);
      container.append(el('sup', {}, [btn]));
    } else {
      container.append(document.createTextNode(part));
    }
  }
}

function renderCitations(citations, outcome = 'answer') {
  const list = $('citations');
  list.textContent = '';
  const heading = list.previousElementSibling;
  if (heading && heading.tagName === 'H2') heading.textContent = (OUTCOME[outcome] || OUTCOME.answer).sources;
  list.className = `citations citations-${outcome}`;
  if (citations.length === 0) {
    list.append(el('li', { class: 'empty', text: '没有引用的条文。' }));
    return;
  }
  for (const c of citations) {
    const page = c.page === undefined ? '' : c.pageEnd === undefined ? `第${c.page}页` : `第${c.page}–${c.pageEnd}页`;
    const meta = [c.issuer, c.docNumber, c.dateIssued, page, c.ocr ? 'OCR 识别文本' : ''].filter(Boolean).join('，');
    list.append(
      el('li', { id: `citation-${c.n}` }, [
        el('button', { class: 'open', type: 'button', onclick: () => openCitation(c) }, [`[${c.n}] ${c.breadcrumb}`]),
        c.lowConfidence ? el('div', { class: 'low', text: '低置信度：仅供参考，不构成答案' }) : '',
        meta ? el('div', { class: 'meta', text: meta }) : '',
        el('div', { class: 'cite-line' }, [validityBadge(c.validity) ?? '', copyButton(c)]),
        quoteView(c),
      ]),
    );
  }
}

async function loadDoc(docId) {
  if (!state.docs.has(docId)) {
    const res = await apiFetch(`/api/documents/${encodeURIComponent(docId)}`);
    if (!res.ok) throw new Error(`无法打开文件 ${docId}（HTTP ${res.status}）`);
    state.docs.set(docId, await res.json());
  }
  return state.docs.get(docId);
}

/**
 * Splits the body at section starts, the quoted clause and its answering sentence, so outline links
 * and the marks land exactly: the clause is shaded, the sentence (`highlight`, default the whole
 * quote) marked.
 */
function renderBody(doc, start, end, highlight) {
  const body = $('doc-body');
  body.textContent = '';
  const cuts = new Set([0, doc.body.length]);
  const walk = (nodes) => nodes.forEach((n) => { cuts.add(n.start); walk(n.children); });
  walk(doc.outline);
  const hl = highlight || (start !== undefined ? { start, end } : undefined);
  if (start !== undefined) { cuts.add(start); cuts.add(end); }
  if (hl) { cuts.add(hl.start); cuts.add(hl.end); }
  const points = [...cuts].filter((x) => x >= 0 && x <= doc.body.length).sort((a, b) => a - b);
  let mark;
  for (let i = 0; i < points.length - 1; i += 1) {
    const [a, b] = [points[i], points[i + 1]];
    if (a === b) continue;
    const inside = hl !== undefined && a >= hl.start && b <= hl.end;
    const inUnit = start !== undefined && a >= start && b <= end;
    const span = el(inside ? 'mark' : 'span', { 'data-offset': String(a), ...(inUnit && !inside ? { class: 'in-unit' } : {}) }, [doc.body.slice(a, b)]);
    if (inside && !mark) { mark = span; span.id = 'highlight'; }
    body.append(span);
  }
  return mark;
}

function renderOutline(doc) {
  const build = (nodes) => {
    const ul = el('ul');
    for (const n of nodes) {
      const li = el('li', {}, [el('button', { type: 'button', onclick: () => scrollToOffset(n.start) }, [n.title || n.label])]);
      if (n.children.length > 0) li.append(build(n.children));
      ul.append(li);
    }
    return ul;
  };
  const outline = $('outline');
  outline.textContent = '';
  outline.append(...build(doc.outline).childNodes);
}

function scrollToOffset(offset) {
  const target = document.querySelector(`#doc-body [data-offset="${offset}"]`);
  if (target) target.scrollIntoView({ block: 'start' });
}

async function openCitation(c) {
  try {
    const doc = await loadDoc(c.docId);
    $('viewer').hidden = false;
    $('doc-title').textContent = `《${doc.title}》`;
    const where = c.page === undefined ? '' : c.pageEnd === undefined ? `引文在第${c.page}页` : `引文在第${c.page}–${c.pageEnd}页`;
    $('doc-meta').textContent = [doc.issuer, doc.docNumber, doc.dateIssued && `印发日期 ${doc.dateIssued}`, doc.pageCount > 0 && `共${doc.pageCount}页`, where].filter(Boolean).join(' · ');
    renderVersions($('doc-meta'), doc, openCitation); // validity, history and versions (diff.js)
    renderOutline(doc);
    const mark = c.end > c.start ? renderBody(doc, c.start, c.end, c.highlight) : renderBody(doc);
    if (mark) {
      mark.scrollIntoView({ block: 'center' });
      mark.setAttribute('tabindex', '-1');
    }
    $('doc-title').focus({ preventScroll: true });
  } catch (error) {
    $('status').textContent = error.message;
  }
}

// A document opened from the library table (documents.js): the viewer at its start.
document.addEventListener('kb:open', async (e) => {
  await openCitation({ docId: e.detail.docId, start: undefined, end: undefined, page: undefined });
  $('viewer').scrollIntoView({ block: 'start' });
});

/** Reads a text/event-stream response: calls onEvent(name, data) per event. */
async function readEvents(res, onEvent) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let idx;
    while ((idx = buffer.indexOf('\n\n')) >= 0) {
      const raw = buffer.slice(0, idx);
      buffer = buffer.slice(idx + 2);
      const name = /^event: (.*)$/mu.exec(raw)?.[1] ?? 'message';
      const data = /^data: (.*)$/mu.exec(raw)?.[1] ?? '{}';
      onEvent(name, JSON.parse(data));
    }
  }
}

/** A follow-up's note of the document it stayed in（沿用上文：《…》）, set apart from the answer. */
function markScopeNote(container) {
  const first = container.firstChild;
  if (!first || first.nodeType !== 3) return;
  const m = /^（沿用上文：《[^》]*》）\n?/u.exec(first.textContent);
  if (!m) return;
  first.textContent = first.textContent.slice(m[0].length);
  container.prepend(el('span', { class: 'scope-note', text: m[0].trim() }));
}

async function ask(question) {
  const conversation = $('conversation');
  conversation.append(el('li', { class: 'user', text: question }));
  const item = el('li', { class: 'assistant', 'aria-busy': 'true' });
  const text = el('div', { class: 'answer-text' });
  item.append(text);
  conversation.append(item);
  item.scrollIntoView({ block: 'end' });
  state.messages.push({ role: 'user', content: question });
  $('status').textContent = '正在检索…';
  $('ask-button').disabled = true;
  let answer = '';
  try {
    const res = await apiFetch('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ messages: state.messages.slice(-10), stream: true }) });
    if (!res.ok) {
      const err = await res.json().catch(() => ({}));
      throw new Error(err.error_description || `请求失败（HTTP ${res.status}）`);
    }
    // An older server sends no outcome: abstained stands for not_found.
    let outcome = 'answer';
    const styleAs = (o, missing) => {
      outcome = OUTCOME[o] ? o : 'answer';
      item.classList.add(OUTCOME[outcome].item);
      if (outcome !== 'answer') item.classList.add('abstained');
      if (!item.querySelector('.outcome-banner')) {
        const banner = outcomeBanner(outcome, missing);
        if (banner) item.prepend(banner);
      }
    };
    await readEvents(res, (name, data) => {
      if (name === 'outcome') {
        styleAs(data.outcome, data.missing);
      } else if (name === 'delta') {
        answer += data.text;
        text.textContent = shownText(outcome, answer);
      } else if (name === 'citations') {
        styleAs(data.outcome || (data.abstained ? 'not_found' : 'answer'), data.missing);
        renderAnswer(text, shownText(outcome, answer), data.citations);
        markScopeNote(text);
        markValidityNotes(text);
        if (data.citations.some((c) => !c.lowConfidence && isValidityWarning(c.validity))) item.classList.add('has-validity-warning');
        renderCitations(data.citations, outcome);
        // Show the newest answer from its start.
        item.scrollIntoView({ block: 'start' });
      }
    });
    state.messages.push({ role: 'assistant', content: answer });
    $('status').textContent = '';
  } catch (error) {
    text.textContent = `出错了：${error.message}`;
    state.messages.pop();
    $('status').textContent = '';
  } finally {
    item.removeAttribute('aria-busy');
    $('ask-button').disabled = false;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('ask-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const q = $('question').value.trim();
    if (!q) return;
    $('question').value = '';
    void ask(q);
  });
  $('question').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $('ask-form').requestSubmit();
    }
  });
  $('new-chat').addEventListener('click', () => {
    state.messages = [];
    $('conversation').textContent = '';
    renderCitations([]);
    $('viewer').hidden = true;
    $('question').focus();
  });
});
