// The first screen, before the first question: how many documents are loaded and example questions
// made from them (click one to ask it). Hidden by style.css once the conversation has an entry, and
// shown again by 新对话. An ES module.
import { apiFetch, el } from './api.js';

const $ = (id) => document.getElementById(id);

/**
 * Question forms a drafter asks of any document of a kind, filled with a loaded document's title.
 * Regulations (条例, 办法, 规定, 细则…) are asked what they apply to, who carries them out and since
 * when; plans and notices (规划, 计划, 方案, 意见, 通知…) their goals and tasks. A general list, not
 * questions of any evaluation set.
 */
const FORMS = [
  { kind: /(?:条例|办法|规定|细则|规则|决定)(?:（[^）]*）|\([^)]*\))?$/u, ask: ['《T》适用于哪些情形？', '《T》由哪个部门负责实施？', '《T》从什么时候开始施行？'] },
  { kind: /(?:规划|计划|方案|意见|纲要|措施|通知)(?:（[^）]*）|\([^)]*\))?$/u, ask: ['《T》提出了哪些主要目标？', '《T》有哪些重点任务？', '《T》有哪些保障措施？'] },
];
const EXAMPLES = 3;
/** A title longer than this makes an unwieldy button; such documents are passed over. */
const MAX_TITLE = 26;

/** 关于印发《X》的通知 → X: the document the notice carries is what people name. */
function shortTitle(title) {
  const inner = /^关于印发《([^》]+)》的通知$/u.exec(title);
  return (inner ? inner[1] : title).trim();
}

/** Up to three questions, each about another document, newest documents first. */
export function exampleQuestions(documents) {
  const out = [];
  const newest = [...documents].sort((a, b) => String(b.dateIssued || b.listingDate || '').localeCompare(String(a.dateIssued || a.listingDate || '')));
  for (const d of newest) {
    if (out.length >= EXAMPLES) break;
    const title = shortTitle(d.title || '');
    const form = FORMS.find((f) => f.kind.test(title));
    if (!form || title.length > MAX_TITLE) continue;
    out.push(form.ask[out.length % form.ask.length].replace('T', title));
  }
  return out;
}

function ask(question) {
  $('question').value = question;
  $('ask-form').requestSubmit();
}

async function showLibrary() {
  const summary = $('kb-summary');
  try {
    // Unasked: a server with API_TOKEN asks for it when the person asks a question, not on arrival.
    const res = await apiFetch('/api/documents', {}, { ask: false });
    const body = await res.json().catch(() => ({}));
    if (res.status === 401) {
      summary.textContent = '此服务需要访问令牌：提问时会请您输入。';
      $('examples').previousElementSibling.hidden = true;
      return;
    }
    if (!res.ok) throw new Error(body.error_description || `HTTP ${res.status}`);
    const documents = body.documents || [];
    const passages = documents.reduce((n, d) => n + (d.passages || 0), 0);
    const inForce = documents.filter((d) => d.validity?.status === 'in_force').length;
    const inForceNote = inForce > 0 ? `，其中现行有效 ${inForce} 份` : '';
    summary.textContent = documents.length === 0 ? '文件库还是空的：在“文件库”里添加文件后即可提问。' : `已载入 ${documents.length} 份文件（${passages} 段条文${inForceNote}）。回答均摘自原文并附出处。`;
    const list = $('examples');
    list.textContent = '';
    for (const q of exampleQuestions(documents)) list.append(el('li', {}, [el('button', { type: 'button', class: 'example', onclick: () => ask(q) }, [q])]));
    list.previousElementSibling.hidden = list.children.length === 0;
  } catch (error) {
    // A token the page does not have yet, a server still loading: the first question will say so.
    summary.textContent = `文件库暂不可读：${error.message}`;
  }
}

document.addEventListener('DOMContentLoaded', () => void showLibrary());
