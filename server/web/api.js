// The one way the page calls the server: apiFetch(url, init) is fetch() plus the bearer token; and
// el(), the DOM builder every view uses.
// When the server answers 401 (API_TOKEN is set), it asks for the token in a small dialog, keeps it
// in sessionStorage (this tab only, gone when it closes) and sends it as Authorization: Bearer on
// every call; never in the URL. Every call says Accept-Language: zh-CN, so the server's errors come
// back in Chinese, as the page is. An ES module: views import apiFetch, apiUpload and el from it.

  const TOKEN_KEY = 'policy-kb.api-token';
  const LANGUAGE = 'zh-CN,zh;q=0.9';
  let pending; // one dialog at a time, shared by concurrent 401s

  const stored = () => {
    try {
      return window.sessionStorage.getItem(TOKEN_KEY) || '';
    } catch {
      return '';
    }
  };

  /** Shows the token dialog; resolves with the entered token, or '' when cancelled. */
  function askForToken(message, labelText = message.includes('管理令牌') ? '管理令牌' : '访问令牌') {
    pending ??= new Promise((resolve) => {
      const dialog = document.createElement('dialog');
      dialog.className = 'token-dialog';
      const form = document.createElement('form');
      form.method = 'dialog';
      const label = document.createElement('label');
      label.textContent = labelText;
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

  const ADMIN_KEY = 'policy-kb.admin-token';
  const storedAdmin = () => {
    try {
      return window.sessionStorage.getItem(ADMIN_KEY) || '';
    } catch {
      return '';
    }
  };
  const keep = (key, value) => {
    try {
      window.sessionStorage.setItem(key, value);
      return true;
    } catch {
      return false; // storage disabled: nothing to retry with
    }
  };

  /**
   * fetch() with the stored token; on 401 asks for a token and retries (up to 3 times).
   * With { admin: true } (writes: upload, replace, delete) it sends the admin token instead,
   * asked for the first time a write needs it; the admin token reads as well. With { ask: false }
   * a 401 is returned as it is, without the dialog (what the page reads on its own, unasked).
   */
  async function apiFetch(url, init = {}, options = {}) {
    const admin = options.admin === true;
    for (let attempt = 0; ; attempt += 1) {
      const headers = new Headers(init.headers);
      if (!headers.has('accept-language')) headers.set('accept-language', LANGUAGE);
      const token = admin ? storedAdmin() : stored();
      if (token) headers.set('authorization', `Bearer ${token}`);
      const res = await fetch(url, { ...init, headers });
      if (res.status !== 401 || attempt >= 3 || options.ask === false) return res;
      const entered = await askForToken(
        admin
          ? token ? '管理令牌无效，请重新输入。' : '修改文件库需要管理令牌（服务器的 ADMIN_TOKEN）。'
          : token ? '令牌无效，请重新输入。' : '此服务需要访问令牌（服务器的 API_TOKEN）。',
      );
      if (!entered || !keep(admin ? ADMIN_KEY : TOKEN_KEY, entered)) return res;
    }
  }

  /**
   * A write with a body whose upload progress the page shows (fetch cannot report it):
   * XMLHttpRequest with the admin token, asked for on 401 like apiFetch. Resolves with
   * { status, body } where body is the parsed JSON answer ({} for 204).
   */
  async function apiUpload(url, method, formData, onProgress) {
    for (let attempt = 0; ; attempt += 1) {
      const token = storedAdmin();
      const result = await new Promise((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open(method, url);
        xhr.setRequestHeader('accept-language', LANGUAGE);
        if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
        xhr.upload.addEventListener('progress', (e) => {
          if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total);
        });
        xhr.addEventListener('load', () => {
          let body = {};
          try {
            body = xhr.responseText ? JSON.parse(xhr.responseText) : {};
          } catch {
            body = { error: 'bad_response', error_description: xhr.responseText.slice(0, 200) };
          }
          resolve({ status: xhr.status, body });
        });
        xhr.addEventListener('error', () => reject(new Error('网络错误，上传未完成')));
        xhr.send(formData);
      });
      if (result.status !== 401 || attempt >= 3) return result;
      const entered = await askForToken(token ? '管理令牌无效，请重新输入。' : '上传文件需要管理令牌（服务器的 ADMIN_TOKEN）。');
      if (!entered || !keep(ADMIN_KEY, entered)) return result;
    }
  }

  /** The one DOM builder the views share: props (class, text, on<event>, attributes) and children (falsy ones skipped). */
  function el(tag, props = {}, children = []) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c) node.append(c);
    return node;
  }

export { apiFetch, apiUpload, el };
