// SSE fan-out of the admin event stream (node --expose-gc), through the built package:
// - time of ROUNDS swap resets with STREAMS streams open, each client reading until it has the
//   last event, over the same resets with no stream (baseline, same run): each event is
//   serialized once, so the ratio grows with the bytes written, not with JSON work per client;
// - heap growth with one paused reader (never reads) over ROUNDS resets: slow readers are
//   disconnected past maxStreamBacklog, so it stays bounded.
import { connect } from 'node:net';
import { request } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { ConnectionsAdminModule } from 'nestjs-connections/admin';
import { connectionClass, ConnectionsModule, moduleOf } from '../support/nest.mjs';
import { figure, report } from '../support/stats.mjs';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const STREAMS = 200;
const ROUNDS = 1_000;
const RUNS = 3;

function settledHeap() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
}

async function start() {
  const Conn = connectionClass('sse-bench', { className: 'SseBenchConnection' });
  const app = await NestFactory.create(
    moduleOf({ imports: [ConnectionsModule.forRoot({ connections: [Conn], secrets: false }), ConnectionsAdminModule.forRoot({ insecure: true, maxStreams: STREAMS + 10 })] }),
    { logger: false },
  );
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address();
  return { app, port, conn: app.get(Conn) };
}

/** A client that reads everything and resolves `done` once it has seen `marker`. */
function reader(port, marker) {
  return new Promise((opened) => {
    const req = request({ host: '127.0.0.1', port, path: '/admin/connections/events', agent: false }, (res) => {
      let tail = '';
      let resolveDone;
      const done = new Promise((resolve) => (resolveDone = resolve));
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        const text = tail + chunk;
        if (text.includes(marker.value)) resolveDone();
        tail = text.slice(-200);
      });
      opened({ done, close: () => req.destroy() });
    });
    req.end();
  });
}

async function resets(conn, rounds) {
  for (let i = 0; i < rounds; i++) {
    await conn.reset({ strategy: 'swap' });
    if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

const { app, port, conn } = await start();
await conn.resolve();
await resets(conn, 200); // warm-up

const ratios = [];
for (let r = 0; r < RUNS; r++) {
  let started = performance.now();
  await resets(conn, ROUNDS);
  const baseline = performance.now() - started;

  const marker = { value: `"type":"connected","generation":${conn.generation + ROUNDS}` };
  const clients = await Promise.all(Array.from({ length: STREAMS }, () => reader(port, marker)));
  started = performance.now();
  await resets(conn, ROUNDS);
  await Promise.all(clients.map((client) => client.done));
  const fanout = performance.now() - started;
  clients.forEach((client) => client.close());
  ratios.push(fanout / baseline);
}

const growth = [];
for (let r = 0; r < RUNS; r++) {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write('GET /admin/connections/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  await new Promise((resolve) => socket.once('data', resolve));
  socket.pause();
  const before = settledHeap();
  await resets(conn, 2_000);
  growth.push((settledHeap() - before) / 1e6);
  socket.destroy();
}
await app.close();

report([
  figure({
    id: 'sse-fanout',
    label: `sse: ${ROUNDS.toLocaleString('en')} swap resets with ${STREAMS} streams reading, over none`,
    values: ratios,
    detail: 'informational: the baseline writes nothing; the cost is the bytes written to every socket',
  }),
  figure({
    id: 'sse-paused-reader',
    label: 'sse: heap growth with one paused reader over 2,000 resets',
    values: growth,
    unit: 'MB',
    goal: 16,
  }),
]);
