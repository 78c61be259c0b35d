/**
 * The admin page's script, part 2 of 3: rendering. One card per connection, built from the
 * `<template>`; every value is written with textContent, never as HTML. The timeline keeps the
 * last 50 events of each connection, seeded by the stream's snapshot so it is never blank.
 */
export const ADMIN_PAGE_SCRIPT_RENDER = String.raw`
  var TIMELINE = 50;
  var cards = new Map();
  var timelines = new Map();
  var seq = new Map();
  var pending = new Set();
  var scheduled = false;

  function field(card, name) { return card.el.querySelector('[data-field="' + name + '"]'); }
  function put(card, name, text) { field(card, name).textContent = text; }
  var DASH = '\u2014';

  function time(iso) { return iso ? new Date(iso).toLocaleTimeString() : DASH; }
  function dateTime(iso) { return iso ? new Date(iso).toLocaleString() : DASH; }
  function duration(ms) {
    if (ms === null || ms === undefined) return DASH;
    if (ms % 3600000 === 0) return ms / 3600000 + 'h';
    if (ms % 60000 === 0) return ms / 60000 + 'm';
    if (ms % 1000 === 0) return ms / 1000 + 's';
    return ms + 'ms';
  }

  function cardOf(name) {
    var card = cards.get(name);
    if (card) return card;
    var el = $('conn-template').content.firstElementChild.cloneNode(true);
    el.setAttribute('data-name', name);
    el.setAttribute('aria-label', 'Connection ' + name);
    card = { el: el, name: name, keys: { items: [], next: null, loaded: false } };
    el.querySelector('[data-action="check"]').addEventListener('click', function (event) { check(name, event.currentTarget); });
    el.querySelector('[data-action="check"]').setAttribute('aria-label', 'Check ' + name + ' now');
    var resetButton = el.querySelector('[data-action="reset"]');
    resetButton.setAttribute('aria-label', 'Reset ' + name);
    if (canWrite) resetButton.addEventListener('click', function (event) { resetOne(name, event.currentTarget); });
    else resetButton.hidden = true;
    var keys = el.querySelector('[data-part="keys"]');
    keys.addEventListener('toggle', function () { if (keys.open && !card.keys.loaded) loadKeys(card, false); });
    field(card, 'key-search').setAttribute('aria-label', 'Filter the keys of ' + name);
    field(card, 'key-search').addEventListener('input', function () { renderKeys(card); });
    el.querySelector('[data-action="more-keys"]').addEventListener('click', function () { loadKeys(card, true); });
    put(card, 'health', 'not checked');
    cards.set(name, card);
    $('conns').appendChild(el);
    $('empty').hidden = true;
    renderTimeline(name);
    return card;
  }

  function render(info) {
    var card = cardOf(info.name);
    put(card, 'name', info.name);
    put(card, 'type', info.type);
    var state = field(card, 'state');
    state.textContent = info.state;
    state.className = 'badge' + (/^[a-z-]+$/.test(info.state) ? ' state-' + info.state : '');
    put(card, 'generation', String(info.generation));
    put(card, 'leases', String(info.leases));
    put(card, 'connected-at', dateTime(info.connectedAt));
    field(card, 'connected-at').title = info.connectedAt || '';
    var expires = info.connectedAt && info.ttlMs !== null ? new Date(Date.parse(info.connectedAt) + info.ttlMs).toISOString() : null;
    put(card, 'ttl', info.ttlMs === null || info.ttlMs === undefined ? 'none' : duration(info.ttlMs) + (expires ? ' (expires ' + time(expires) + ')' : ''));
    put(card, 'refresh-at', info.refreshAt ? time(info.refreshAt) : DASH);
    put(card, 'circuit', info.circuit || 'no breaker');
    var pool = info.pool;
    put(card, 'pool', pool
      ? pool.used + ' used \u00b7 ' + pool.idle + ' idle \u00b7 ' + pool.waiting + ' waiting' +
        (pool.max !== null && pool.max !== undefined ? ' \u00b7 max ' + pool.max : '') + (pool.status ? ' \u00b7 ' + pool.status : '')
      : DASH);
    put(card, 'connects', String(info.connects));
    put(card, 'failures', String(info.failures));
    put(card, 'resets', String(info.resets));
    put(card, 'last-error', info.lastError || '');
    field(card, 'last-error').parentNode.hidden = !info.lastError;
    var config = field(card, 'config');
    var rejected = info.config && info.config.status === 'rejected';
    config.hidden = !rejected;
    config.textContent = rejected
      ? 'The last configuration reload was rejected' + (info.config.at ? ' at ' + time(info.config.at) : '') +
        (info.config.error ? ': ' + info.config.error : '') + '. The previous options are still in service.'
      : '';
    var keysPart = card.el.querySelector('[data-part="keys"]');
    keysPart.hidden = !info.keys;
    if (info.keys) put(card, 'key-count', info.keys.count + (info.keys.max ? ' of at most ' + info.keys.max : '') + (info.keys.failed ? ' \u00b7 ' + info.keys.failed + ' failed' : ''));
  }

  function renderHealth(name, result) {
    var card = cards.get(name);
    if (!card || !result) return;
    var text = result.status + (result.idle ? ' (idle, not connected)' : '') + (result.error ? ': ' + result.error : '');
    var el = field(card, 'health');
    el.textContent = text + ' \u00b7 ' + new Date().toLocaleTimeString();
    el.className = 'health-' + (result.status === 'up' ? 'up' : 'down');
  }

  function addEvent(event, id) {
    var list = timelines.get(event.name) || [];
    list.push({ id: id, event: event });
    if (list.length > TIMELINE) list.splice(0, list.length - TIMELINE);
    timelines.set(event.name, list);
  }

  function renderTimeline(name) {
    var card = cards.get(name);
    if (!card) return;
    var list = timelines.get(name) || [];
    var ol = field(card, 'timeline');
    ol.textContent = '';
    for (var i = list.length - 1; i >= 0; i--) {
      var e = list[i].event;
      var li = document.createElement('li');
      li.setAttribute('data-type', e.type);
      var at = document.createElement('time');
      at.dateTime = e.at;
      at.textContent = time(e.at);
      var what = document.createElement('span');
      what.textContent = e.type + ' \u00b7 generation ' + e.generation + (typeof e.durationMs === 'number' ? ' \u00b7 ' + e.durationMs + ' ms' : '');
      if (e.error) {
        var err = document.createElement('span');
        err.className = 'err';
        err.textContent = ' \u00b7 ' + e.error;
        what.appendChild(err);
      }
      li.appendChild(at);
      li.appendChild(what);
      ol.appendChild(li);
    }
    put(card, 'event-count', String(list.length));
  }

  function renderKeys(card) {
    var filter = field(card, 'key-search').value.trim().toLowerCase();
    var ul = field(card, 'keys');
    ul.textContent = '';
    card.keys.items.filter(function (item) { return !filter || String(item.key).toLowerCase().indexOf(filter) >= 0; })
      .forEach(function (item) {
        var li = document.createElement('li');
        var key = document.createElement('span');
        key.textContent = item.key;
        var state = document.createElement('span');
        state.className = 'muted';
        state.textContent = item.state + ' \u00b7 gen ' + item.generation + (item.lastUsedAt ? ' \u00b7 used ' + time(item.lastUsedAt) : '');
        li.appendChild(key);
        li.appendChild(state);
        ul.appendChild(li);
      });
    card.el.querySelector('[data-action="more-keys"]').hidden = !card.keys.next;
  }

  function renderCluster(status) {
    $('cluster').hidden = false;
    $('cluster-summary').textContent = status.transport + ' \u00b7 ' + status.state + ' \u00b7 ' + status.members.length + ' replica(s)' +
      (status.lastError ? ' \u00b7 last error: ' + status.lastError : '');
    var ul = $('replicas');
    ul.textContent = '';
    status.members.forEach(function (m) {
      var li = document.createElement('li');
      li.setAttribute('data-replica', m.instanceId);
      li.textContent = m.instanceId + (m.self ? ' (this replica)' : '') + (m.version ? ' \u00b7 v' + m.version : '') +
        ' \u00b7 last seen ' + time(m.lastSeen) + ' \u00b7 up since ' + dateTime(m.startedAt);
      ul.appendChild(li);
    });
  }
`;
