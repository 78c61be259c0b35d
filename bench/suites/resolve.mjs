// Resolve overhead: what `await conn.resolve()` and `await conn.use(fn)` cost on a connected
// connection, against awaiting an already-resolved promise and against a plain injected
// singleton (property access + await). Each variant runs ITERATIONS awaits in a tight loop;
// the variants are interleaved in every run so machine noise hits them alike.
import { boot, connectionClass, connectionsModule, Injectable, Inject } from '../support/nest.mjs';
import { figure, report, summarize } from '../support/stats.mjs';

const ITERATIONS = 1_000_000;
const RUNS = 11;

async function awaitPromise(promise, n) {
  let last;
  for (let i = 0; i < n; i++) last = await promise;
  return last;
}

async function awaitSingleton(service, n) {
  let last;
  for (let i = 0; i < n; i++) last = await service.client;
  return last;
}

async function awaitResolve(conn, n) {
  let last;
  for (let i = 0; i < n; i++) last = await conn.resolve();
  return last;
}

const identity = (raw) => raw;
async function awaitUse(conn, n) {
  let last;
  for (let i = 0; i < n; i++) last = await conn.use(identity);
  return last;
}

/** ns per await of one variant. */
async function nsPerOp(loop, subject) {
  const started = process.hrtime.bigint();
  await loop(subject, ITERATIONS);
  return Number(process.hrtime.bigint() - started) / ITERATIONS;
}

// The plain singleton: a service holding a client injected by Nest.
class ClientHolder {
  constructor(client) {
    this.client = client;
  }
}
Inject('PLAIN_CLIENT')(ClientHolder, undefined, 0);
Injectable()(ClientHolder);

const Conn = connectionClass('resolve-bench');
const app = await boot(
  connectionsModule([Conn], { providers: [{ provide: 'PLAIN_CLIENT', useValue: { client: 'plain' } }, ClientHolder] }),
);
const conn = app.get(Conn);
const holder = app.get(ClientHolder);
const resolved = Promise.resolve(await conn.resolve());

const variants = {
  promise: () => nsPerOp(awaitPromise, resolved),
  singleton: () => nsPerOp(awaitSingleton, holder),
  resolve: () => nsPerOp(awaitResolve, conn),
  use: () => nsPerOp(awaitUse, conn),
};
for (const run of Object.values(variants)) await run(); // warm-up: let the JIT settle

const ns = { promise: [], singleton: [], resolve: [], use: [] };
const ratios = { resolveVsPromise: [], useVsPromise: [], resolveVsSingleton: [], useVsSingleton: [] };
for (let r = 0; r < RUNS; r++) {
  const names = Object.keys(variants);
  // Rotate the order each run so no variant always goes first.
  const order = names.slice(r % names.length).concat(names.slice(0, r % names.length));
  const run = {};
  for (const name of order) run[name] = await variants[name]();
  for (const name of names) ns[name].push(run[name]);
  ratios.resolveVsPromise.push(run.resolve / run.promise);
  ratios.useVsPromise.push(run.use / run.promise);
  ratios.resolveVsSingleton.push(run.resolve / run.singleton);
  ratios.useVsSingleton.push(run.use / run.singleton);
}
if (conn.generation !== 1) throw new Error(`expected one connect, saw generation ${conn.generation}`);
await app.close();

const nsNote = (name) => `${summarize(ns[name]).median.toFixed(1)} ns/op`;
report([
  figure({
    id: 'resolve-vs-promise',
    label: 'await conn.resolve() vs await of a resolved promise',
    values: ratios.resolveVsPromise,
    goal: 1.5,
    detail: `${nsNote('resolve')} vs ${nsNote('promise')}`,
  }),
  figure({
    id: 'use-vs-promise',
    label: 'await conn.use(fn) vs await of a resolved promise',
    values: ratios.useVsPromise,
    detail: `${nsNote('use')} vs ${nsNote('promise')}`,
  }),
  figure({
    id: 'resolve-vs-singleton',
    label: 'await conn.resolve() vs plain injected singleton',
    values: ratios.resolveVsSingleton,
    detail: `${nsNote('resolve')} vs ${nsNote('singleton')}`,
  }),
  figure({
    id: 'use-vs-singleton',
    label: 'await conn.use(fn) vs plain injected singleton',
    values: ratios.useVsSingleton,
    detail: `${nsNote('use')} vs ${nsNote('singleton')}`,
  }),
]);
