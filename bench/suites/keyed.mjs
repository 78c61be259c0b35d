// Keyed connections (node --expose-gc):
// - for(key).resolve() on a connected key vs Map.get(key) + await of a settled promise (the
//   least a hand-written per-tenant cache does), interleaved runs;
// - heap per idle keyed instance at 10,000 keys, beyond what _connect returned: the heap of the
//   app with 10,000 connected keys minus the same app before, minus 10,000 of the raw objects;
// - first connects of 1,000 keys at 5 ms each, 50 at a time: wall time vs the ideal 1,000 x 5 / 50.
import { BaseConnection, Connection, boot, connectionsModule } from '../support/nest.mjs';
import { figure, report, sleep } from '../support/stats.mjs';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const ITERATIONS = 1_000_000;
const RUNS = 9;
const KEYS = 10_000;

function settledHeap() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  return process.memoryUsage().heapUsed;
}

/** What `_connect` returns: a small object, measured separately so it can be taken out. */
const rawOf = (key) => ({ key, client: true });

class TenantConnection extends BaseConnection {
  connectMs = 0;
  async _connect(_options, { key }) {
    if (this.connectMs) await sleep(this.connectMs);
    return rawOf(key);
  }
}
Connection({ name: 'tenants', keyed: {} })(TenantConnection);

const app = await boot(connectionsModule([TenantConnection]));
const conn = app.get(TenantConnection);

// ---- resolve on a connected key -------------------------------------------------------------
const KEYSET = Array.from({ length: 64 }, (_, i) => `tenant-${i}`);
const baseline = new Map();
for (const key of KEYSET) baseline.set(key, Promise.resolve(await conn.for(key).resolve()));
async function viaMap(n) {
  let last;
  for (let i = 0; i < n; i++) last = await baseline.get(KEYSET[i & 63]);
  return last;
}
async function viaFor(n) {
  let last;
  for (let i = 0; i < n; i++) last = await conn.for(KEYSET[i & 63]).resolve();
  return last;
}
const nsPerOp = async (loop) => {
  const started = process.hrtime.bigint();
  await loop(ITERATIONS);
  return Number(process.hrtime.bigint() - started) / ITERATIONS;
};
await viaMap(ITERATIONS);
await viaFor(ITERATIONS);
const resolveRatios = [];
const nsFor = [];
const nsMap = [];
for (let r = 0; r < RUNS; r++) {
  const first = r % 2 ? viaFor : viaMap;
  const second = r % 2 ? viaMap : viaFor;
  const a = await nsPerOp(first);
  const b = await nsPerOp(second);
  const [forNs, mapNs] = r % 2 ? [a, b] : [b, a];
  nsFor.push(forNs);
  nsMap.push(mapNs);
  resolveRatios.push(forNs / mapNs);
}

// ---- heap per idle keyed instance -------------------------------------------------------
// Each run in a fresh app: 10,000 keys connected (and then idle: no use() in flight).
const perKey = [];
for (let r = 0; r < 3; r++) {
  const fresh = await boot(connectionsModule([TenantConnection]));
  const tenants = fresh.get(TenantConnection);
  await tenants.for('warm-up').resolve();
  const rawsBefore = settledHeap();
  const raws = Array.from({ length: KEYS }, (_, i) => rawOf(`key-${r}-${i}`));
  const rawBytes = settledHeap() - rawsBefore;
  if (raws.length !== KEYS) throw new Error('unreachable'); // keeps `raws` alive until measured
  const before = settledHeap();
  for (let i = 0; i < KEYS; i++) await tenants.for(`key-${r}-${i}`).resolve();
  const after = settledHeap();
  perKey.push((after - before - rawBytes) / KEYS);
  await fresh.close();
}
await app.close();

// ---- first connects of 1,000 keys, 5 ms each, 50 at a time -------------------------------
const CONNECT_MS = 5;
const FIRST = 1_000;
const CONCURRENCY = 50;
const wallRatios = [];
for (let r = 0; r < 5; r++) {
  const fresh = await boot(connectionsModule([TenantConnection]));
  const tenants = fresh.get(TenantConnection);
  tenants.connectMs = CONNECT_MS;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < FIRST) await tenants.for(`first-${next++}`).resolve();
    }),
  );
  const wall = performance.now() - started;
  if (tenants.info().generation !== FIRST) throw new Error(`expected ${FIRST} connects, saw ${tenants.info().generation}`);
  wallRatios.push(wall / ((FIRST * CONNECT_MS) / CONCURRENCY));
  await fresh.close();
}

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
report([
  figure({
    id: 'keyed-resolve-vs-map',
    label: 'await conn.for(key).resolve() vs Map.get(key) + await of a settled promise',
    values: resolveRatios,
    goal: 1.5,
    detail: `${median(nsFor).toFixed(1)} vs ${median(nsMap).toFixed(1)} ns/op`,
  }),
  figure({
    id: 'keyed-memory',
    label: `memory: heap per idle keyed instance at ${KEYS.toLocaleString('en')} keys, beyond _connect's object`,
    values: perKey.map((bytes) => bytes / 1024),
    unit: 'KB',
    goal: 1,
  }),
  figure({
    id: 'keyed-first-connects',
    label: `first connects of ${FIRST.toLocaleString('en')} keys at ${CONNECT_MS} ms, ${CONCURRENCY} at a time, vs ideal wall`,
    values: wallRatios,
    goal: 1.2,
  }),
]);
