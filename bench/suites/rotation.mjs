// Credentials that change: GET /items/:variant/:id under autocannon load on loopback, through a
// SqlConnection on a private PostgreSQL cluster that checks passwords (scram-sha-256), so every
// new connection pays a real SCRAM handshake. Variants, interleaved round after round in one
// server process (the idle ones parked: no background refresh while another is measured):
//   base      no ttl
//   lazy      ttl 2s: the first caller after expiry waits a whole connect (what ttl gave before)
//   ahead     ttl 2s + refreshAhead 500ms: the replacement connects in the background
//   rotating  the role's password changes every 2 s (ALTER ROLE); a password function reads the
//             current one and refreshAhead (ttl 2s, 500ms) brings each new pool in with it
// Figures: p99 of ahead vs base and of rotating vs base (goal <= 1.2x each), lazy vs base shown;
// p99.9 in the details (a lazy expiry stalls ~20 requests per ttl, which the p99 of a run may not reach).
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { ITEMS_TABLE, createItems } from '../e2e/postgres.mjs';
import { startPrivatePostgres } from '../e2e/private-postgres.mjs';
import { startServer } from '../e2e/server-process.mjs';
import { figure, report, summarize } from '../support/stats.mjs';

const ROUNDS = 5;
const SECONDS = 4;
const CONNECTIONS = 20;
const VARIANTS = ['base', 'lazy', 'ahead', 'rotating'];

const secret = () => randomBytes(12).toString('hex');
const roles = { static: `ncb_static_${secret().slice(0, 6)}`, rotated: `ncb_rotated_${secret().slice(0, 6)}` };
const passwords = { static: secret(), rotated: secret() };

const cluster = await startPrivatePostgres();
let server;
try {
  const admin = await cluster.admin();
  await createItems(admin);
  for (const kind of ['static', 'rotated']) {
    await admin.query(`create role ${roles[kind]} login password '${passwords[kind]}'`);
    await admin.query(`grant select on ${ITEMS_TABLE} to ${roles[kind]}`);
  }
  server = await startServer('rotation', new URL('../e2e/rotation-server.mjs', import.meta.url).pathname, {
    PG_PORT: String(cluster.port),
    PG_SOCKET: cluster.socketDir,
    STATIC_ROLE: roles.static,
    STATIC_PASSWORD: passwords.static,
    ROTATED_ROLE: roles.rotated,
    ROTATED_PASSWORD: passwords.rotated,
  });
  const { url } = server;
  const post = (path, method = 'POST') => fetch(`${url}${path}`, { method }).then((r) => r.json());
  const load = (variant, seconds) => autocannon({ url: `${url}/items/${variant}/42`, connections: CONNECTIONS, duration: seconds });
  const failedOf = (result) => result.errors + result.timeouts + result.non2xx;

  async function measure(variant) {
    await post('/bench/park');
    if ((await fetch(`${url}/items/${variant}/1`)).status !== 200) throw new Error(`${variant}: the first read failed`);
    if (variant === 'rotating') await post('/bench/rotate?every=2000');
    await load(variant, 1); // warm-up: JIT, a first refresh cycle
    const result = await load(variant, SECONDS);
    const rotations = variant === 'rotating' ? (await post('/bench/rotate', 'DELETE')).rotations : 0;
    const events = await (await fetch(`${url}/bench/events/${variant}`)).json();
    return { p99: result.latency.p99, p999: result.latency.p99_9, failed: failedOf(result), rps: result.requests.average, events, rotations };
  }

  for (const variant of VARIANTS) await measure(variant); // warm-up round
  const per = Object.fromEntries(VARIANTS.map((v) => [v, { p99: [], p999: [], failed: 0, rps: [], events: {}, rotations: 0 }]));
  const ratio = { lazy: [], ahead: [], rotating: [], rotatingVsAhead: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = VARIANTS.slice(round % VARIANTS.length).concat(VARIANTS.slice(0, round % VARIANTS.length));
    const out = {};
    for (const variant of order) out[variant] = await measure(variant);
    for (const variant of VARIANTS) {
      const into = per[variant];
      into.p99.push(out[variant].p99);
      into.p999.push(out[variant].p999);
      into.rps.push(out[variant].rps);
      into.failed += out[variant].failed;
      into.rotations += out[variant].rotations;
      for (const [type, n] of Object.entries(out[variant].events)) into.events[type] = (into.events[type] ?? 0) + n;
    }
    const base = Math.max(1, out.base.p99);
    for (const variant of ['lazy', 'ahead', 'rotating']) ratio[variant].push(out[variant].p99 / base);
    ratio.rotatingVsAhead.push(out.rotating.p99 / Math.max(1, out.ahead.p99));
  }

  const fmt = (values) => {
    const s = summarize(values);
    return `${s.median.toFixed(0)} (${s.min.toFixed(0)}-${s.max.toFixed(0)})`;
  };
  const count = (variant, type) => per[variant].events[type] ?? 0;
  const note = (variant) =>
    `p99 ${fmt(per[variant].p99)} vs ${fmt(per.base.p99)} ms (p99.9 ${fmt(per[variant].p999)} vs ${fmt(per.base.p999)}); failed ${per[variant].failed} (base ${per.base.failed}); ` +
    `refreshed ${count(variant, 'refreshed')}, refresh-failed ${count(variant, 'refresh-failed')}, expired ${count(variant, 'expired')}`;
  report([
    figure({
      id: 'ttl-refresh-ahead-p99',
      label: "credentials: p99 with ttl '2s' + refreshAhead '500ms' vs no ttl (private PostgreSQL, scram)",
      values: ratio.ahead,
      goal: 1.2,
      detail: note('ahead'),
    }),
    figure({
      id: 'ttl-lazy-p99',
      label: "credentials: p99 with ttl '2s' and no refreshAhead (lazy expiry) vs no ttl",
      values: ratio.lazy,
      detail: note('lazy'),
    }),
    figure({
      id: 'rotation-p99',
      label: 'credentials: p99 under a password rotation every 2 s (password function + refreshAhead) vs no rotation',
      values: ratio.rotating,
      goal: 1.2,
      detail: `${note('rotating')}; ${per.rotating.rotations} rotations; vs refreshAhead alone ${summarize(ratio.rotatingVsAhead).median.toFixed(2)}x`,
    }),
    figure({
      id: 'rotation-failed',
      label: 'credentials: failed requests, all variants (rotation, ttl, refreshAhead)',
      values: VARIANTS.map((v) => per[v].failed),
      unit: 'req',
      goal: 0,
      met: VARIANTS.every((v) => per[v].failed === 0),
      detail: VARIANTS.map((v) => `${v} ${per[v].failed} (${fmt(per[v].rps)} req/s)`).join(', '),
    }),
  ]);
  await admin.end();
} finally {
  await server?.stop();
  await cluster.stop();
}
