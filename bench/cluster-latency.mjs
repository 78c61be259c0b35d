// Cluster reset latency: from the broadcast to the last replica's answer, for 3 and 10
// replicas (each its own Node process, on loopback) over each transport (Redis pub/sub, NATS).
// Uses the built package (dist/, `npm run build` first) through the tests' replica fixture.
// Prints a table and writes bench/results/cluster.json. Goal: p99 under 100 ms.
//
//   node bench/cluster-latency.mjs [--runs 300] [--replicas 3,10] [--transports redis,nats]
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { figure, report } from './support/stats.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = `${ROOT}test/cluster/fixtures/replica.mjs`;
const BROKERS = { redis: { port: 6379, url: 'redis://127.0.0.1:6379' }, nats: { port: 4222, url: 'nats://127.0.0.1:4222' } };
const GOAL_P99_MS = 100;
const WARMUP = 30;

const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : fallback;
};
const RUNS = Number(arg('runs', '300'));
const SIZES = arg('replicas', '3,10').split(',').map(Number);
const TRANSPORTS = arg('transports', 'redis,nats').split(',');

if (!existsSync(`${ROOT}dist/index.js`)) {
  console.error('bench/cluster-latency.mjs needs the built package: run `npm run build` first');
  process.exit(1);
}

/** One replica process, driven over IPC (the protocol of test/cluster/fixtures/replica.mjs). */
function startReplica(cluster, key) {
  const child = fork(FIXTURE, [], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, REPLICA_CLUSTER: JSON.stringify(cluster), CONNECTIONS_CLUSTER_KEY: key, REPLICA_QUIET: '1' },
  });
  let nextId = 1;
  const waiting = new Map();
  let onReady;
  const ready = new Promise((resolve, reject) => {
    onReady = { resolve, reject };
    child.once('exit', (code) => reject(new Error(`replica ${cluster.instanceId} exited (${code})`)));
  });
  child.on('message', (message) => {
    if (message.type === 'ready') onReady.resolve();
    else if (message.type === 'failed') onReady.reject(new Error(message.error.message));
    else if (message.type === 'reply') {
      const pending = waiting.get(message.re);
      waiting.delete(message.re);
      if (message.ok) pending?.resolve(message.value);
      else pending?.reject(new Error(message.error.message));
    }
  });
  return {
    ready,
    call(cmd, args = {}) {
      const id = nextId++;
      child.send({ id, cmd, args });
      return new Promise((resolve, reject) => waiting.set(id, { resolve, reject }));
    },
    async close() {
      await this.call('close').catch(() => undefined);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

function reachable(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.setTimeout(1_000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const round = (ms) => Math.round(ms * 100) / 100;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function measure(transport, size) {
  const key = randomBytes(24).toString('base64url');
  const channel = `nc-bench.${transport}-${randomBytes(4).toString('hex')}`;
  const replicas = Array.from({ length: size }, (_, i) =>
    startReplica({ transport: BROKERS[transport].url, instanceId: `bench-${i}`, channel, heartbeat: 500 }, key),
  );
  try {
    await Promise.all(replicas.map((replica) => replica.ready));
    // Every replica must know all the others before a broadcast can expect every answer.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const statuses = await Promise.all(replicas.map((replica) => replica.call('status')));
      if (statuses.every((s) => s.members.length === size)) break;
      if (Date.now() > deadline) throw new Error(`membership of ${size} replicas did not converge`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await replicas[0].call('bench', { name: 'probe', count: WARMUP, opts: { scope: 'cluster' } });
    const runs = await replicas[0].call('bench', { name: 'probe', count: RUNS, opts: { scope: 'cluster' } });
    const incomplete = runs.filter((run) => run.replies !== size || run.missing > 0).length;
    const sorted = runs.map((run) => run.ms).toSorted((a, b) => a - b);
    return {
      transport,
      replicas: size,
      runs: runs.length,
      incomplete,
      p50Ms: round(percentile(sorted, 50)),
      p99Ms: round(percentile(sorted, 99)),
      maxMs: round(sorted.at(-1)),
      meetsGoal: percentile(sorted, 99) < GOAL_P99_MS && incomplete === 0,
    };
  } finally {
    await Promise.all(replicas.map((replica) => replica.close()));
  }
}

const results = [];
for (const transport of TRANSPORTS) {
  if (!(await reachable(BROKERS[transport].port))) {
    console.warn(`[skipped] ${transport}: nothing listens on 127.0.0.1:${BROKERS[transport].port}`);
    continue;
  }
  for (const size of SIZES) results.push(await measure(transport, size));
}

const header = ['transport', 'replicas', 'runs', 'incomplete', 'p50 ms', 'p99 ms', 'max ms', `p99 < ${GOAL_P99_MS} ms`];
const rows = results.map((r) => [r.transport, r.replicas, r.runs, r.incomplete, r.p50Ms, r.p99Ms, r.maxMs, r.meetsGoal ? 'yes' : 'NO']);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
const line = (cells) => cells.map((cell, i) => String(cell).padStart(widths[i])).join('  ');
console.log('\nCluster reset: broadcast to last answer (sequential resets from one replica, loopback)\n');
console.log(line(header));
for (const row of rows) console.log(line(row));

mkdirSync(`${ROOT}bench/results`, { recursive: true });
const document = {
  suite: 'cluster-latency',
  at: new Date().toISOString(),
  node: process.version,
  goalP99Ms: GOAL_P99_MS,
  warmup: WARMUP,
  results,
};
writeFileSync(`${ROOT}bench/results/cluster.json`, `${JSON.stringify(document, null, 2)}\n`);
console.log(`\nwritten: bench/results/cluster.json`);
// For bench/run.mjs's table: one figure per transport and size, its spread being p50..max of the resets.
report(
  results.map((r) =>
    figure({
      id: `cluster-${r.transport}-${r.replicas}`,
      label: `cluster reset, broadcast to last answer: ${r.transport}, ${r.replicas} replicas (p99)`,
      values: [r.p99Ms],
      unit: 'ms',
      goal: GOAL_P99_MS,
      detail: `p50 ${r.p50Ms} ms, max ${r.maxMs} ms, ${r.runs} resets, ${r.incomplete} incomplete`,
    }),
  ),
);
if (results.some((r) => r.incomplete > 0)) process.exitCode = 1;
