import { createHash } from 'node:crypto';

/*
 * The admin page: one static HTML document with inline CSS and JavaScript, no framework and
 * no external asset, so it works offline and under a strict Content-Security-Policy (the
 * inline blocks are allowed by their hashes). It holds no data: everything comes from the
 * API with the token, and every value is written with textContent, never as HTML.
 *
 * The token is read from the URL fragment (`ui#token=...`, which browsers never send to the
 * server), or typed in the form; it is kept in sessionStorage and sent as a bearer header.
 * Live updates come from `GET /events`, read with fetch streaming (EventSource cannot send
 * headers), and each event refreshes the row of its connection.
 *
 * String.raw keeps the backslashes of the script's regular expressions; the script uses no
 * template literal, so nothing in it is interpolated.
 */

const STYLE = String.raw`
:root { color-scheme: light dark; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
body { margin: 1.5rem; }
header { display: flex; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
h1 { font-size: 1.3rem; margin: 0 0 1rem; }
#status { font-size: .9rem; opacity: .8; }
#status.ok::before { content: "● "; color: #1a7f37; }
#status.bad::before { content: "● "; color: #cf222e; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid rgba(127,127,127,.3); vertical-align: top; }
th { font-weight: 600; font-size: .85rem; }
td.num { font-variant-numeric: tabular-nums; text-align: right; }
td.err { color: #cf222e; max-width: 28rem; overflow-wrap: anywhere; }
.state { font-weight: 600; }
.state-connected { color: #1a7f37; }
.state-connecting { color: #9a6700; }
.state-failed, .state-closed { color: #cf222e; }
.tools { display: flex; gap: 1rem; align-items: center; }
button { font: inherit; padding: .2rem .7rem; cursor: pointer; }
`;

const SCRIPT = String.raw`
(function () {
  'use strict';
  var KEY = 'nestjs-connections:admin-token';
  var base = location.pathname.replace(/\/ui\/?$/, '');
  var canWrite = document.body.getAttribute('data-write') === 'true';
  var statusEl = document.getElementById('status');
  var lastEl = document.getElementById('last-event');
  var rowsEl = document.getElementById('rows');
  var mainEl = document.getElementById('main');
  var loginEl = document.getElementById('login');
  var rows = new Map();
  var seq = new Map();
  var pending = new Set();
  var scheduled = false;
  var token = null;
  var stream = null;

  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = kind || '';
  }

  function readToken() {
    var match = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (match) {
      var value = decodeURIComponent(match[1]);
      try { sessionStorage.setItem(KEY, value); } catch (e) { /* storage disabled */ }
      history.replaceState(null, '', location.pathname + location.search);
      return value;
    }
    try { return sessionStorage.getItem(KEY); } catch (e) { return null; }
  }

  function headers() {
    var h = { Accept: 'application/json' };
    if (token) h.Authorization = 'Bearer ' + token;
    return h;
  }

  function api(method, path) {
    return fetch(base + path, { method: method, headers: headers(), cache: 'no-store', credentials: 'same-origin' })
      .then(function (res) {
        if (res.status === 401) { askToken('The admin token was refused.'); throw new Error('unauthorized'); }
        return res.json().then(function (body) {
          if (!res.ok) throw new Error(body && body.message ? String(body.message) : 'HTTP ' + res.status);
          return body;
        });
      });
  }

  function cell(tr, field, className) {
    var td = document.createElement('td');
    td.setAttribute('data-field', field);
    if (className) td.className = className;
    tr.appendChild(td);
    return td;
  }

  function render(info) {
    var row = rows.get(info.name);
    if (!row) {
      var tr = document.createElement('tr');
      tr.setAttribute('data-name', info.name);
      row = {
        name: cell(tr, 'name'), type: cell(tr, 'type'), state: cell(tr, 'state'),
        generation: cell(tr, 'generation', 'num'), since: cell(tr, 'connected-at'),
        connects: cell(tr, 'connects', 'num'), failures: cell(tr, 'failures', 'num'),
        resets: cell(tr, 'resets', 'num'), error: cell(tr, 'last-error', 'err'), action: cell(tr, 'action')
      };
      if (canWrite) {
        var button = document.createElement('button');
        button.type = 'button';
        button.textContent = 'Reset';
        button.setAttribute('aria-label', 'Reset ' + info.name);
        button.addEventListener('click', function () { reset(info.name, button); });
        row.action.appendChild(button);
      }
      rows.set(info.name, row);
      rowsEl.appendChild(tr);
      document.getElementById('empty').hidden = true;
    }
    row.name.textContent = info.name;
    row.type.textContent = info.type;
    row.state.textContent = info.state;
    row.state.className = 'state' + (/^[a-z-]+$/.test(info.state) ? ' state-' + info.state : '');
    row.generation.textContent = String(info.generation);
    row.since.textContent = info.connectedAt ? new Date(info.connectedAt).toLocaleString() : '\u2014';
    row.since.title = info.connectedAt || '';
    row.connects.textContent = String(info.connects);
    row.failures.textContent = String(info.failures);
    row.resets.textContent = String(info.resets);
    row.error.textContent = info.lastError || '';
  }

  function refresh(name) {
    var n = (seq.get(name) || 0) + 1;
    seq.set(name, n);
    return api('GET', '/' + encodeURIComponent(name)).then(function (info) {
      if (seq.get(name) === n) render(info);
    }, function () { /* shown by the next event or reload */ });
  }

  function loadAll() {
    return api('GET', '').then(function (list) {
      list.forEach(render);
      document.getElementById('empty').hidden = list.length > 0;
    });
  }

  function schedule(name) {
    pending.add(name);
    if (scheduled) return;
    scheduled = true;
    setTimeout(function () {
      scheduled = false;
      var names = Array.from(pending);
      pending.clear();
      names.forEach(refresh);
    }, 50);
  }

  function reset(name, button) {
    var swap = document.getElementById('swap').checked;
    button.disabled = true;
    api('POST', '/' + encodeURIComponent(name) + '/reset' + (swap ? '?strategy=swap' : ''))
      .then(function () { return refresh(name); })
      .catch(function (err) { setStatus('Reset of ' + name + ' failed: ' + err.message, 'bad'); })
      .then(function () { button.disabled = false; });
  }

  function resetAll(button) {
    var swap = document.getElementById('swap').checked;
    button.disabled = true;
    api('POST', '/reset' + (swap ? '?strategy=swap' : ''))
      .then(function () { return loadAll(); })
      .catch(function (err) { setStatus('Reset failed: ' + err.message, 'bad'); })
      .then(function () { button.disabled = false; });
  }

  function onBlock(block) {
    var data = block.split(/\r?\n/)
      .filter(function (line) { return line.indexOf('data:') === 0; })
      .map(function (line) { return line.slice(5).replace(/^ /, ''); })
      .join('\n');
    if (!data) return;
    var event;
    try { event = JSON.parse(data); } catch (e) { return; }
    if (!event || typeof event.name !== 'string') return;
    lastEl.textContent = 'last event: ' + event.name + ' ' + event.type + ' (generation ' + event.generation + ')';
    schedule(event.name);
  }

  function openStream() {
    if (stream) stream.abort();
    var controller = new AbortController();
    stream = controller;
    setStatus('connecting\u2026');
    fetch(base + '/events', { headers: headers(), signal: controller.signal, cache: 'no-store', credentials: 'same-origin' })
      .then(function (res) {
        if (res.status === 401) { askToken('The admin token was refused.'); return; }
        if (!res.ok || !res.body) throw new Error('HTTP ' + res.status);
        setStatus('live', 'ok');
        // The server subscribed before answering: a snapshot taken now misses no event.
        loadAll().catch(function (err) { setStatus(err.message, 'bad'); });
        var reader = res.body.getReader();
        var decoder = new TextDecoder();
        var buffer = '';
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) throw new Error('stream ended');
            buffer += decoder.decode(chunk.value, { stream: true });
            var blocks = buffer.split(/\r?\n\r?\n/);
            buffer = blocks.pop();
            blocks.forEach(onBlock);
            return pump();
          });
        }
        return pump();
      })
      .catch(function (err) {
        if (controller.signal.aborted) return;
        setStatus('disconnected (' + err.message + '), retrying\u2026', 'bad');
        setTimeout(function () { if (stream === controller) openStream(); }, 3000);
      });
  }

  function askToken(message) {
    if (stream) { stream.abort(); stream = null; }
    try { sessionStorage.removeItem(KEY); } catch (e) { /* storage disabled */ }
    token = null;
    mainEl.hidden = true;
    loginEl.hidden = false;
    setStatus(message || 'An admin token is needed.', 'bad');
    document.getElementById('token').focus();
  }

  loginEl.addEventListener('submit', function (event) {
    event.preventDefault();
    token = document.getElementById('token').value.trim() || null;
    if (token) { try { sessionStorage.setItem(KEY, token); } catch (e) { /* storage disabled */ } }
    loginEl.hidden = true;
    mainEl.hidden = false;
    openStream();
  });
  document.getElementById('reset-all').addEventListener('click', function (event) { resetAll(event.currentTarget); });
  if (!canWrite) document.getElementById('write-tools').hidden = true;

  token = readToken();
  mainEl.hidden = false;
  openStream();
})();
`;

const BODY = String.raw`
<header><h1>Connections</h1><span id="status" role="status"></span><span id="last-event"></span></header>
<form id="login" hidden>
  <label>Admin token <input id="token" type="password" autocomplete="off" required></label>
  <button type="submit">Open</button>
</form>
<main id="main" hidden>
  <p class="tools" id="write-tools">
    <label><input type="checkbox" id="swap"> swap (connect the replacement before dropping the old instance)</label>
    <button type="button" id="reset-all">Reset all</button>
  </p>
  <table>
    <thead><tr>
      <th>Name</th><th>Type</th><th>State</th><th>Generation</th><th>Connected since</th>
      <th>Connects</th><th>Failures</th><th>Resets</th><th>Last error</th><th></th>
    </tr></thead>
    <tbody id="rows"></tbody>
  </table>
  <p id="empty" hidden>No connection is registered.</p>
</main>
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Only the page's own inline blocks may run, and it may only talk to its own origin. */
export const ADMIN_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The page; `write` shows or hides the reset buttons. Nothing else varies, so nothing needs escaping. */
export function renderAdminPage(options: { write: boolean }): string {
  return (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<meta name="referrer" content="no-referrer">\n<title>Connections</title>\n' +
    // An empty icon, so the browser does not ask the app for /favicon.ico.
    '<link rel="icon" href="data:,">\n' +
    `<style>${STYLE}</style>\n</head>\n<body data-write="${options.write ? 'true' : 'false'}">` +
    `${BODY}<script>${SCRIPT}</script>\n</body>\n</html>\n`
  );
}
