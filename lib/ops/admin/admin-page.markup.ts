/**
 * The admin page's static body: a shell with no data in it (everything comes from the API
 * with the token, written as text by the script). `data-field` and `data-action` attributes
 * are what the script (and the browser tests) address.
 */
export const ADMIN_PAGE_BODY = String.raw`
<header class="top">
  <h1>Connections</h1>
  <span id="status" role="status" aria-live="polite"></span>
  <span id="last-event" class="muted"></span>
</header>
<form id="login" hidden>
  <p id="login-message" class="notice bad" role="alert"></p>
  <label for="token">Admin token</label>
  <input id="token" type="password" autocomplete="off" required>
  <div><button type="submit">Open</button></div>
</form>
<main id="main" hidden>
  <div class="toolbar" id="write-tools">
    <label><input type="checkbox" id="swap"> swap: connect the replacement before dropping the old instance</label>
    <button type="button" id="reset-all" class="danger">Reset all&#8230;</button>
  </div>
  <output id="result" aria-live="polite" hidden></output>
  <section id="cluster" hidden aria-labelledby="cluster-title">
    <h2 id="cluster-title">Cluster</h2>
    <p id="cluster-summary" class="muted"></p>
    <ul id="replicas"></ul>
  </section>
  <div id="conns" class="grid"></div>
  <p id="empty" hidden>No connection is registered.</p>
</main>
<dialog id="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-text">
  <h2 id="confirm-title"></h2>
  <p id="confirm-text"></p>
  <div class="actions">
    <button type="button" id="confirm-cancel">Cancel</button>
    <button type="button" id="confirm-ok" class="danger">Reset</button>
  </div>
</dialog>
<template id="conn-template">
  <article class="conn">
    <header>
      <h2 data-field="name"></h2>
      <span data-field="type" class="muted"></span>
      <span data-field="state" class="badge"></span>
    </header>
    <p class="warn" data-field="config" role="alert" hidden></p>
    <dl>
      <div><dt>Generation</dt><dd data-field="generation"></dd></div>
      <div><dt>Leases in flight</dt><dd data-field="leases"></dd></div>
      <div><dt>Connected since</dt><dd data-field="connected-at"></dd></div>
      <div><dt>TTL</dt><dd data-field="ttl"></dd></div>
      <div><dt>Next refresh</dt><dd data-field="refresh-at"></dd></div>
      <div><dt>Circuit</dt><dd data-field="circuit"></dd></div>
      <div><dt>Pool</dt><dd data-field="pool"></dd></div>
      <div><dt>Health</dt><dd data-field="health"></dd></div>
      <div><dt>Connects</dt><dd data-field="connects"></dd></div>
      <div><dt>Failures</dt><dd data-field="failures"></dd></div>
      <div><dt>Resets</dt><dd data-field="resets"></dd></div>
      <div class="wide"><dt>Last error</dt><dd data-field="last-error" class="err"></dd></div>
    </dl>
    <div class="actions">
      <button type="button" data-action="check">Check now</button>
      <button type="button" data-action="reset" class="danger">Reset&#8230;</button>
    </div>
    <details data-part="timeline">
      <summary>Timeline (<span data-field="event-count">0</span> events)</summary>
      <ol class="timeline" data-field="timeline"></ol>
    </details>
    <details data-part="keys" hidden>
      <summary>Keys: <span data-field="key-count"></span></summary>
      <input type="search" class="keys-search" data-field="key-search" placeholder="Filter keys">
      <ul class="keys" data-field="keys"></ul>
      <button type="button" data-action="more-keys" hidden>Load more</button>
    </details>
  </article>
</template>
`;
