/**
 * The admin page's style sheet (inline, allowed by its hash in the CSP). One column of cards
 * on a phone (400 px), a grid of them on a desktop (1440 px); colours follow the system's
 * light or dark scheme; every control has a visible keyboard focus.
 */
export const ADMIN_PAGE_STYLE = String.raw`
:root { color-scheme: light dark; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  --line: rgba(127,127,127,.35); --muted: rgba(127,127,127,.95); --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --card: rgba(127,127,127,.07); }
* { box-sizing: border-box; }
body { margin: 0; padding: 1rem; max-width: 1600px; margin-inline: auto; }
h1 { font-size: 1.35rem; margin: 0; }
h2 { font-size: 1.05rem; margin: 0; overflow-wrap: anywhere; }
.top { display: flex; align-items: baseline; gap: .5rem 1rem; flex-wrap: wrap; margin-bottom: 1rem; }
.muted { color: var(--muted); font-size: .85rem; }
#status { font-size: .9rem; }
#status.ok::before { content: "\25CF  "; color: var(--ok); }
#status.bad::before { content: "\25CF  "; color: var(--bad); }
button, input { font: inherit; }
button { padding: .3rem .8rem; cursor: pointer; border: 1px solid var(--line); border-radius: .4rem; background: Canvas; color: CanvasText; }
button:hover { background: var(--card); }
button.danger { border-color: var(--bad); color: var(--bad); }
button:disabled { opacity: .5; cursor: default; }
:focus-visible { outline: 2px solid Highlight; outline-offset: 2px; }
.toolbar { display: flex; gap: .5rem 1rem; align-items: center; flex-wrap: wrap; margin: 0 0 1rem; }
.notice { padding: .6rem .8rem; border-left: 4px solid var(--warn); background: var(--card); margin: 0 0 1rem; }
.notice.bad { border-color: var(--bad); }
#login { display: grid; gap: .5rem; max-width: 28rem; }
#login[hidden] { display: none; }
#login input { padding: .35rem .5rem; width: 100%; }
#result { display: block; margin: 0 0 1rem; padding: .6rem .8rem; border-left: 4px solid var(--ok); background: var(--card); white-space: pre-wrap; }
#result.bad { border-color: var(--bad); }
#result[hidden] { display: none; }
.grid { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(min(100%, 25rem), 1fr)); align-items: start; }
.conn { border: 1px solid var(--line); border-radius: .6rem; padding: .8rem 1rem; background: var(--card); min-width: 0; }
.conn > header { display: flex; align-items: baseline; gap: .3rem .6rem; flex-wrap: wrap; margin-bottom: .5rem; }
.badge { font-weight: 600; font-size: .8rem; padding: .05rem .5rem; border-radius: 1rem; border: 1px solid currentColor; }
.state-connected, .health-up { color: var(--ok); }
.state-connecting, .state-idle { color: var(--warn); }
.state-idle { color: var(--muted); }
.state-failed, .state-closed, .health-down { color: var(--bad); }
dl { display: grid; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr)); gap: .35rem 1rem; margin: 0 0 .6rem; }
dl > div { min-width: 0; }
dl > div.wide { grid-column: 1 / -1; }
dt { font-size: .75rem; color: var(--muted); }
dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
dd.err { color: var(--bad); }
.conn .warn { margin: 0 0 .6rem; padding: .4rem .6rem; border-left: 4px solid var(--warn); background: rgba(154,103,0,.12); overflow-wrap: anywhere; }
.conn .warn[hidden] { display: none; }
.actions { display: flex; gap: .5rem; flex-wrap: wrap; margin: .2rem 0 .4rem; }
details { margin-top: .4rem; border-top: 1px solid var(--line); padding-top: .4rem; }
details[hidden] { display: none; }
summary { cursor: pointer; }
ol.timeline { list-style: none; margin: .4rem 0 0; padding: 0; max-height: 16rem; overflow: auto; font-size: .85rem; }
ol.timeline li { display: grid; grid-template-columns: 5.5rem 1fr; gap: .6rem; padding: .15rem 0; border-bottom: 1px dotted var(--line); }
ol.timeline time { color: var(--muted); font-variant-numeric: tabular-nums; }
ol.timeline .err { color: var(--bad); overflow-wrap: anywhere; }
ul.keys { list-style: none; margin: .4rem 0; padding: 0; max-height: 14rem; overflow: auto; font-size: .85rem; }
ul.keys li { display: flex; justify-content: space-between; gap: .6rem; border-bottom: 1px dotted var(--line); padding: .1rem 0; }
.keys-search { width: 100%; padding: .25rem .4rem; margin-top: .4rem; }
#cluster { margin: 0 0 1rem; padding: .6rem 1rem; border: 1px solid var(--line); border-radius: .6rem; }
#cluster[hidden] { display: none; }
#replicas { margin: .4rem 0 0; padding-left: 1.2rem; }
dialog { border: 1px solid var(--line); border-radius: .6rem; padding: 1rem 1.2rem; max-width: min(32rem, calc(100vw - 2rem)); background: Canvas; color: CanvasText; }
dialog::backdrop { background: rgba(0,0,0,.45); }
dialog h2 { margin-bottom: .5rem; }
`;
