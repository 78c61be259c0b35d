/**
 * The admin page's script, part 3 of 3: what the stream and the buttons do. Resets ask for a
 * confirmation in a modal `<dialog>` (Escape cancels; focus returns to the button) and show the
 * `ResetResult`s they got. "Check now" pings one connection (connecting it if idle).
 */
export const ADMIN_PAGE_SCRIPT_ACTIONS = String.raw`
  function onSnapshot(snapshot) {
    timelines.clear();
    (snapshot.events || []).forEach(function (item) { if (item && item.event) addEvent(item.event, item.id); });
    (snapshot.connections || []).forEach(render);
    cards.forEach(function (card, name) { renderTimeline(name); });
    $('empty').hidden = cards.size > 0;
    if (snapshot.cluster) loadCluster();
  }

  function onEvent(event, id) {
    addEvent(event, id);
    $('last-event').textContent = 'last event: ' + event.name + ' ' + event.type + ' (generation ' + event.generation + ')';
    renderTimeline(event.name);
    schedule(event.name);
  }

  function refresh(name) {
    var n = (seq.get(name) || 0) + 1;
    seq.set(name, n);
    return api('GET', '/' + encodeURIComponent(name)).then(function (info) {
      if (seq.get(name) === n) render(info);
    }, function () { /* shown by the next event or snapshot */ });
  }

  /** Events come in bursts (a reset is 2 to 4): one refresh per connection per 50 ms. */
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

  /** The report of a health route, 503 included (its body is the same report). */
  function healthOf(path) {
    return api('GET', path).catch(function (err) {
      if (err instanceof HttpError && err.status === 503 && err.body && err.body.connections) return err.body;
      throw err;
    });
  }

  function check(name, button) {
    button.disabled = true;
    healthOf('/' + encodeURIComponent(name) + '/health?mode=readiness&connect=true')
      .then(function (report) { renderHealth(name, report.connections[name]); return refresh(name); })
      .catch(function (err) { renderHealth(name, { status: 'down', error: err.message }); })
      .then(function () { button.disabled = false; });
  }

  function loadKeys(card, more) {
    var after = more && card.keys.next ? '&after=' + encodeURIComponent(card.keys.next) : '';
    api('GET', '/' + encodeURIComponent(card.name) + '/keys?limit=100' + after).then(function (page) {
      card.keys.items = (more ? card.keys.items : []).concat(page.items || []);
      card.keys.next = page.next || null;
      card.keys.loaded = true;
      renderKeys(card);
    }, function (err) { put(card, 'key-count', 'could not list the keys: ' + err.message); });
  }

  var clusterTimer = null;
  function loadCluster() {
    api('GET', '/cluster').then(function (status) {
      renderCluster(status);
      if (!clusterTimer) clusterTimer = setInterval(loadCluster, 5000);
    }, function () { $('cluster').hidden = true; });
  }

  /** A modal confirmation; resolves true for "Reset", false for Cancel or Escape. */
  function confirmReset(title, text) {
    var dialog = $('confirm');
    var opener = document.activeElement;
    $('confirm-title').textContent = title;
    $('confirm-text').textContent = text;
    return new Promise(function (resolve) {
      function done(ok) {
        $('confirm-ok').removeEventListener('click', yes);
        $('confirm-cancel').removeEventListener('click', no);
        dialog.removeEventListener('close', no);
        if (dialog.open) dialog.close();
        if (opener && opener.focus) opener.focus();
        resolve(ok);
      }
      function yes() { done(true); }
      function no() { done(false); }
      $('confirm-ok').addEventListener('click', yes);
      $('confirm-cancel').addEventListener('click', no);
      dialog.addEventListener('close', no);
      dialog.showModal();
      $('confirm-cancel').focus();
    });
  }

  function strategy() { return $('swap').checked ? 'swap' : 'drop'; }
  function describeResult(r) {
    return r.name + ': ' + (r.reset ? 'reset, generation ' + r.previousGeneration + ' \u2192 ' + r.generation : 'nothing to reset (not connected)');
  }
  function showResult(lines, bad) {
    var out = $('result');
    out.hidden = false;
    out.className = bad ? 'bad' : '';
    out.textContent = lines.join('\n');
  }

  function resetOne(name, button) {
    var how = strategy();
    confirmReset('Reset ' + name + '?', how === 'swap'
      ? 'A replacement connects first; the current instance keeps serving until it is in service, then drains.'
      : 'The current instance is taken out of service and drains; the next use connects a new one.').then(function (ok) {
      if (!ok) return;
      button.disabled = true;
      api('POST', '/' + encodeURIComponent(name) + '/reset' + (how === 'swap' ? '?strategy=swap' : ''))
        .then(function (result) { showResult([describeResult(result)]); return refresh(name); })
        .catch(function (err) { showResult(['Reset of ' + name + ' failed: ' + err.message], true); })
        .then(function () { button.disabled = false; });
    });
  }

  function resetAll(button) {
    var how = strategy();
    confirmReset('Reset all ' + cards.size + ' connections?', 'Every connection is reset (' + how + ').').then(function (ok) {
      if (!ok) return;
      button.disabled = true;
      api('POST', '/reset' + (how === 'swap' ? '?strategy=swap' : ''))
        .then(function (results) { showResult(results.map(describeResult)); })
        .catch(function (err) {
          var body = err.body || {};
          var lines = [err.message].concat((body.failures || []).map(function (f) { return f.name + ': failed: ' + f.error; }))
            .concat((body.results || []).map(describeResult));
          showResult(lines, true);
        })
        .then(function () { cards.forEach(function (card, name) { refresh(name); }); button.disabled = false; });
    });
  }

  $('login').addEventListener('submit', function (event) {
    event.preventDefault();
    token = $('token').value.trim() || null;
    if (token) { try { sessionStorage.setItem(KEY, token); } catch (e) { /* storage disabled */ } }
    $('login').hidden = true;
    $('main').hidden = false;
    lastEventId = null;
    openStream();
  });
  $('reset-all').addEventListener('click', function (event) { resetAll(event.currentTarget); });
  if (!canWrite) $('write-tools').hidden = true;

  // Without a token the stream is tried anyway: a cookie or session guard may be all it needs.
  token = readToken();
  $('main').hidden = false;
  openStream();
`;
