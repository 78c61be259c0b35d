/**
 * The admin page's script, part 1 of 3: the token, API calls and the event stream. All three
 * parts run in one function scope (see `connections-admin.page.ts`); the page's script uses no
 * template literal, so nothing in it is ever interpolated.
 *
 * The token comes from the URL fragment (`ui#token=...`, never sent to the server) or the
 * form; it is kept in sessionStorage and sent as a bearer header. A missing and a refused
 * token get different messages. Events come from `GET /events` read with fetch streaming
 * (EventSource cannot send headers); a reconnect sends `Last-Event-ID`, so the server replays
 * what was missed, or starts again from a snapshot.
 */
export const ADMIN_PAGE_SCRIPT_NET = String.raw`
  var KEY = 'nestjs-connections:admin-token';
  var base = location.pathname.replace(/\/ui\/?$/, '');
  var canWrite = document.body.getAttribute('data-write') === 'true';
  var $ = function (id) { return document.getElementById(id); };
  var token = null;
  var stream = null;
  var lastEventId = null;

  function setStatus(text, kind) {
    $('status').textContent = text;
    $('status').className = kind || '';
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

  function headers(extra) {
    var h = { Accept: 'application/json' };
    if (token) h.Authorization = 'Bearer ' + token;
    for (var k in extra || {}) h[k] = extra[k];
    return h;
  }

  function HttpError(status, message, body) {
    this.status = status; this.message = message; this.body = body;
  }

  /** Resolves with the JSON body of a 2xx; rejects with an HttpError otherwise (401/403 also show the login). */
  function api(method, path) {
    return fetch(base + path, { method: method, headers: headers(), cache: 'no-store', credentials: 'same-origin' })
      .then(function (res) {
        denied(res.status);
        return res.json().catch(function () { return null; }).then(function (body) {
          if (!res.ok) throw new HttpError(res.status, body && body.message ? String(body.message) : 'HTTP ' + res.status, body);
          return body;
        });
      });
  }

  /** 401 and 403 end the session: a missing token, a refused one, or a guard that said no. */
  function denied(status) {
    if (status === 401) {
      askToken(token
        ? 'The admin token was refused. Check it and type it again.'
        : 'An admin token is needed: type it below, or open this page as ui#token=<token>.');
      throw new HttpError(401, 'unauthorized');
    }
    if (status === 403) {
      askToken('Access was refused by the admin guard (403): sign in to the application, or ask for access.');
      throw new HttpError(403, 'forbidden');
    }
  }

  function onBlock(block) {
    var id = null, type = null, data = [];
    block.split(/\r?\n/).forEach(function (line) {
      if (line.indexOf('id:') === 0) id = line.slice(3).trim();
      else if (line.indexOf('event:') === 0) type = line.slice(6).trim();
      else if (line.indexOf('data:') === 0) data.push(line.slice(5).replace(/^ /, ''));
    });
    if (id !== null) lastEventId = id;
    if (!data.length) return;
    var payload;
    try { payload = JSON.parse(data.join('\n')); } catch (e) { return; }
    if (type === 'snapshot') onSnapshot(payload);
    else if (type === null && payload && typeof payload.name === 'string') onEvent(payload, id);
  }

  function openStream() {
    if (stream) stream.abort();
    var controller = new AbortController();
    stream = controller;
    setStatus('connecting\u2026');
    var extra = lastEventId === null ? {} : { 'Last-Event-ID': lastEventId };
    fetch(base + '/events', { headers: headers(extra), signal: controller.signal, cache: 'no-store', credentials: 'same-origin' })
      .then(function (res) {
        denied(res.status);
        if (!res.ok || !res.body) throw new Error('HTTP ' + res.status);
        setStatus('live', 'ok');
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
        if (controller.signal.aborted || err instanceof HttpError) return;
        setStatus('disconnected (' + err.message + '), retrying\u2026', 'bad');
        setTimeout(function () { if (stream === controller) openStream(); }, 3000);
      });
  }

  function askToken(message) {
    if (stream) { stream.abort(); stream = null; }
    try { sessionStorage.removeItem(KEY); } catch (e) { /* storage disabled */ }
    token = null;
    $('main').hidden = true;
    $('login').hidden = false;
    $('login-message').textContent = message;
    setStatus(message, 'bad');
    $('token').focus();
  }
`;
