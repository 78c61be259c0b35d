// End to end: GET /items/:id reading one row from PostgreSQL under autocannon load on
// loopback, through a SqlConnection vs a plain knex provider (throughput), and through the
// connection with a reset every 100 ms (failed requests, p99, server connections, sampled from
// pg_stat_activity). Variants run interleaved, round after round, on the same two servers.
import autocannon from 'autocannon';
import { adminClient, countConnections, createItems } from '../e2e/postgres.mjs';
import { startServer } from '../e2e/server-process.mjs';
import { report, sleep, summarize } from '../support/stats.mjs';

const ROUNDS = 3;
const SECONDS = 5;
const CONNECTIONS = 20; // concurrent HTTP clients: twice the pool, so requests queue for it
const RESET_EVERY_MS = 100;

function load(url, seconds = SECONDS) {
  return autocannon({ url: `${url}/items/42`, connections: CONNECTIONS, duration: seconds });
}

const failedOf = (result) => result.errors + result.timeouts + result.non2xx;

/** Samples the server connections of `applicationName` every 100 ms until stopped. */
function sampleConnections(db, applicationName) {
  const samples = [];
  let running = true;
  const done = (async () => {
    while (running) {
      samples.push(await countConnections(db, applicationName));
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
try {
  for (const server of Object.values(servers)) await load(server.url, 2); // warm-up: JIT, pools

  const runs = {
    plain: async () => ({ result: await load(servers.plain.url) }),
    connection: async () => {
      const stop = sampleConnections(db, 'ncb-connection');
      const result = await load(servers.connection.url);
      return { result, samples: await stop() };
    },
    resets: async () => {
      const { url } = servers.connection;
      const stop = sampleConnections(db, 'ncb-connection');
      await fetch(`${url}/bench/reset-loop?every=${RESET_EVERY_MS}`, { method: 'POST' });
      const result = await load(url);
      const { resets } = await (await fetch(`${url}/bench/reset-loop`, { method: 'DELETE' })).json();
      return { result, resets, samples: await stop() };
    },
  };

  const throughputRatio = [];
  const p99Ratio = [];
  const rps = { plain: [], connection: [], resets: [] };
  const p99 = { connection: [], resets: [] };
  const failed = { plain: 0, connection: 0, resets: 0 };
  const pgSamples = { connection: [], resets: [] };
  let resets = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const names = Object.keys(runs);
    const order = names.slice(round % names.length).concat(names.slice(0, round % names.length));
    const out = {};
    for (const name of order) out[name] = await runs[name]();
    for (const name of names) {
      rps[name].push(out[name].result.requests.average);
      failed[name] += failedOf(out[name].result);
    }
    p99.connection.push(out.connection.result.latency.p99);
    p99.resets.push(out.resets.result.latency.p99);
    pgSamples.connection.push(...out.connection.samples);
    pgSamples.resets.push(...out.resets.samples);
    resets += out.resets.resets;
    throughputRatio.push(out.connection.result.requests.average / out.plain.result.requests.average);
    p99Ratio.push(out.resets.result.latency.p99 / Math.max(1, out.connection.result.latency.p99));
  }
  await sleep(1_500); // let the last drained pools close
  const pgAfter = await countConnections(db, 'ncb-connection');

  const fmt = (values) => {
    const s = summarize(values);
    return `${s.median.toFixed(0)} (${s.min.toFixed(0)}-${s.max.toFixed(0)})`;
  };
  report([
    {
      id: 'e2e-throughput',
      label: 'e2e: req/s through SqlConnection vs plain knex provider (PostgreSQL)',
      ratio: summarize(throughputRatio),
      goal: 0.97,
      goalIsMinimum: true,
      detail: `${fmt(rps.connection)} vs ${fmt(rps.plain)} req/s; failed ${failed.connection} vs ${failed.plain}`,
    },
    {
      id: 'e2e-reset-failed',
      label: `e2e: failed requests with a reset every ${RESET_EVERY_MS} ms`,
      value: summarize([failed.resets]),
      unit: 'requests',
      goal: 0,
      detail: `${resets} resets over ${ROUNDS} x ${SECONDS} s at ${fmt(rps.resets)} req/s`,
    },
    {
      id: 'e2e-reset-p99',
      label: `e2e: p99 with a reset every ${RESET_EVERY_MS} ms vs without`,
      ratio: summarize(p99Ratio),
      goal: 1.5,
      detail: `p99 ${fmt(p99.resets)} vs ${fmt(p99.connection)} ms`,
    },
    {
      id: 'e2e-reset-pg-connections',
      label: `e2e: PostgreSQL connections during resets (pool max 10)`,
      value: summarize(pgSamples.resets),
      unit: 'connections',
      detail: `without resets ${fmt(pgSamples.connection)}; 1.5 s after the runs: ${pgAfter}`,
    },
  ]);
} finally {
  await Promise.all(Object.values(servers).map((server) => server.stop()));
  await db.end();
}
