// The one way the page calls the server: apiFetch(url, init) is fetch() plus the bearer token.
// When the server answers 401 (API_TOKEN is set), it asks for the token in a small dialog, keeps it
// in sessionStorage (this tab only, gone when it closes) and sends it as Authorization: Bearer on
// every call; never in the URL. Views call window.apiFetch; load this script before them.
'use strict';

(() => {
  const TOKEN_KEY = 'policy-kb.api-token';
  let pending; // one dialog at a time, shared by concurrent 401s

  const stored = () => {
    try {
      return window.sessionStorage.getItem(TOKEN_KEY) || '';
    } catch {
      return '';
    }
  };

  /** Shows the token dialog; resolves with the entered token, or '' when cancelled. */
  function askForToken(message) {
    pending ??= new Promise((resolve) => {
      const dialog = document.createElement('dialog');
      dialog.className = 'token-dialog';
      const form = document.createElement('form');
      form.method = 'dialog';
      const label = document.createElement('label');
      label.textContent = '访问令牌';
      label.htmlFor = 'api-token-input';
      const hint = document.createElement('p');
      hint.textContent = message;
      const input = document.createElement('input');
      input.type = 'password';
      input.id = 'api-token-input';
      input.autocomplete = 'off';
      input.required = true;
      const ok = document.createElement('button');
      ok.type = 'submit';
      ok.value = 'ok';
      ok.textContent = '确定';
      const cancel = document.createElement('button');
      cancel.type = 'button';
      cancel.className = 'secondary';
      cancel.textContent = '取消';
      cancel.addEventListener('click', () => dialog.close('cancel'));
      form.append(hint, label, input, ok, cancel);
      dialog.append(form);
      document.body.append(dialog);
      dialog.addEventListener('close', () => {
        const token = dialog.returnValue === 'ok' ? input.value.trim() : '';
        dialog.remove();
        pending = undefined;
        resolve(token);
      });
      dialog.showModal();
      input.focus();
    });
    return pending;
  }

  /** fetch() with the stored token; on 401 asks for a token and retries (up to 3 times). */
  async function apiFetch(url, init = {}) {
    for (let attempt = 0; ; attempt += 1) {
      const headers = new Headers(init.headers);
      const token = stored();
      if (token) headers.set('authorization', `Bearer ${token}`);
      const res = await fetch(url, { ...init, headers });
      if (res.status !== 401 || attempt >= 3) return res;
      const entered = await askForToken(token ? '令牌无效，请重新输入。' : '此服务需要访问令牌（服务器的 API_TOKEN）。');
      if (!entered) return res;
      try {
        window.sessionStorage.setItem(TOKEN_KEY, entered);
      } catch {
        return res; // storage disabled: nothing to retry with
      }
    }
  }

  window.apiFetch = apiFetch;
})();
