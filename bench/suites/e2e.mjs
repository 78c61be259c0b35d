// End to end: GET /items/:id reading one row from PostgreSQL under autocannon load on
// loopback, through a SqlConnection vs a plain knex provider (throughput), and through the
// connection with a reset every 100 ms, `drop` and `swap` (failed requests, p99, PostgreSQL
// connections sampled from pg_stat_activity). The variants run interleaved, round after round,
// against the same two server processes.
import autocannon from 'autocannon';
import { POOL_MAX, adminClient, countConnections, createItems } from '../e2e/postgres.mjs';
import { startServer } from '../e2e/server-process.mjs';
import { figure, report, sleep, summarize } from '../support/stats.mjs';

const ROUNDS = 6;
const SECONDS = 3;
const CONNECTIONS = 20; // concurrent HTTP clients: twice the pool, so requests queue for it
const RESET_EVERY_MS = 100;
const APP_NAME = 'ncb-connection'; // application_name of the connection server's pool

function load(url, seconds = SECONDS) {
  return autocannon({ url: `${url}/items/42`, connections: CONNECTIONS, duration: seconds });
}

const failedOf = (result) => result.errors + result.timeouts + result.non2xx;

/** Samples the server connections of the connection server every 100 ms until stopped. */
function sampleConnections(db) {
  const samples = [];
  let running = true;
  const done = (async () => {
    while (running) {
      samples.push(await countConnections(db, APP_NAME));
      await sleep(100);
    }
  })();
  return async () => {
    running = false;
    await done;
    return samples;
  };
}

const db = await adminClient();
await createItems(db);
const servers = { plain: await startServer('plain'), connection: await startServer('connection') };

/** A load run with a reset every RESET_EVERY_MS ms of the given strategy. */
async function withResets(strategy) {
  const { url } = servers.connection;
  const stop = sampleConnections(db);
  await fetch(`${url}/bench/reset-loop?every=${RESET_EVERY_MS}&strategy=${strategy}`, { method: 'POST' });
  const result = await load(url);
  const { resets } = await (await fetch(`${url}/bench/reset-loop`, { method: 'DELETE' })).json();
  return { result, resets, samples: await stop() };
}

const runs = {
  plain: async () => ({ result: await load(servers.plain.url) }),
  connection: async () => {
    const stop = sampleConnections(db);
    const result = await load(servers.connection.url);
    return { result, samples: await stop() };
  },
  drop: () => withResets('drop'),
  swap: () => withResets('swap'),
};
const names = Object.keys(runs);
const per = Object.fromEntries(names.map((name) => [name, { rps: [], p99: [], failed: [], samples: [], resets: 0 }]));
const throughputRatio = [];
const p99Ratio = { drop: [], swap: [] };

try {
  for (const server of Object.values(servers)) await load(server.url, 2); // warm-up: JIT, pools
  for (let round = 0; round < ROUNDS; round++) {
    const order = names.slice(round % names.length).concat(names.slice(0, round % names.length));
    const out = {};
    for (const name of order) out[name] = await runs[name]();
    for (const name of names) {
      const { result, samples = [], resets = 0 } = out[name];
      per[name].rps.push(result.requests.average);
      per[name].p99.push(result.latency.p99);
      per[name].failed.push(failedOf(result));
      per[name].samples.push(...samples);
      per[name].resets += resets;
    }
    throughputRatio.push(out.connection.result.requests.average / out.plain.result.requests.average);
    for (const strategy of ['drop', 'swap']) {
      p99Ratio[strategy].push(out[strategy].result.latency.p99 / Math.max(1, out.connection.result.latency.p99));
    }
  }
  await sleep(1_500); // let the last drained pools close
  const pgAfter = await countConnections(db, APP_NAME);

  const fmt = (values, digits = 0) => {
    const s = summarize(values);
    return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}-${s.max.toFixed(digits)})`;
  };
  const sum = (values) => values.reduce((a, b) => a + b, 0);
  const resetsNote = (name) => `${per[name].resets} resets in ${ROUNDS} x ${SECONDS} s, ${fmt(per[name].rps)} req/s`;
  const pg = summarize(per.drop.samples);
  report([
    figure({
      id: 'e2e-throughput',
      label: 'e2e: req/s through SqlConnection vs plain knex provider (PostgreSQL)',
      values: throughputRatio,
      goal: 0.97,
      atLeast: true,
      detail: `${fmt(per.connection.rps)} vs ${fmt(per.plain.rps)} req/s; failed ${sum(per.connection.failed)} vs ${sum(per.plain.failed)}`,
    }),
    figure({
      id: 'e2e-reset-failed',
      label: `e2e: failed requests per run, reset (drop) every ${RESET_EVERY_MS} ms`,
      values: per.drop.failed,
      unit: 'req',
      goal: 0,
      met: sum(per.drop.failed) === 0,
      detail: resetsNote('drop'),
    }),
    figure({
      id: 'e2e-reset-p99',
      label: `e2e: p99 latency, reset (drop) every ${RESET_EVERY_MS} ms vs no resets`,
      values: p99Ratio.drop,
      goal: 1.5,
      detail: `p99 ${fmt(per.drop.p99)} vs ${fmt(per.connection.p99)} ms`,
    }),
    figure({
      id: 'e2e-reset-pg-connections',
      label: `e2e: PostgreSQL connections sampled during drop resets (pool max ${POOL_MAX})`,
      values: per.drop.samples,
      unit: 'conn',
      met: pg.max <= 2 * POOL_MAX && pgAfter <= POOL_MAX,
      goalText: `steady: <= ${2 * POOL_MAX} (old + new pool), <= ${POOL_MAX} after`,
      detail: `${pgAfter} open 1.5 s after the runs; without resets ${fmt(per.connection.samples)}`,
    }),
    figure({
      id: 'e2e-swap-p99',
      label: `e2e: p99 latency, reset (swap) every ${RESET_EVERY_MS} ms vs no resets`,
      values: p99Ratio.swap,
      goal: 1.5,
      detail: `p99 ${fmt(per.swap.p99)} ms; failed ${sum(per.swap.failed)}; ${resetsNote('swap')}`,
    }),
  ]);
} finally {
  await Promise.all(Object.values(servers).map((server) => server.stop()));
  await db.end();
}
