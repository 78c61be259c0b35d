// Stampede: 10,000 concurrent first resolves on a connection whose `_connect` takes 50 ms.
// `_connect` must run exactly once (L2) and the wall time should stay within 50 ms + 10%.
import { boot, connectionClass, connectionsModule } from '../support/nest.mjs';
import { figure, report, summarize } from '../support/stats.mjs';

const CALLERS = 10_000;
const CONNECT_MS = 50;
const RUNS = 7;

async function stampedeOnce() {
  const Conn = connectionClass('stampede', { connectMs: CONNECT_MS });
  const app = await boot(connectionsModule([Conn]));
  const conn = app.get(Conn);
  const started = performance.now();
  const clients = await Promise.all(Array.from({ length: CALLERS }, () => conn.resolve()));
  const wallMs = performance.now() - started;
  const distinct = new Set(clients).size;
  await app.close();
  if (conn.connects !== 1 || distinct !== 1) {
    throw new Error(`stampede: ${conn.connects} connects and ${distinct} distinct clients (want 1 and 1)`);
  }
  return { wallMs, connects: conn.connects };
}

await stampedeOnce(); // warm-up
const walls = [];
let connects = 0;
for (let r = 0; r < RUNS; r++) {
  const result = await stampedeOnce();
  walls.push(result.wallMs);
  connects = Math.max(connects, result.connects);
}
const wall = summarize(walls);
report([
  figure({
    id: 'stampede',
    label: `stampede: ${CALLERS.toLocaleString('en')} first resolves, wall time / ${CONNECT_MS} ms connect`,
    values: walls.map((ms) => ms / CONNECT_MS),
    goal: 1.1,
    detail: `_connect calls per run: ${connects}; wall ${wall.median.toFixed(1)} ms (${wall.min.toFixed(1)}-${wall.max.toFixed(1)})`,
  }),
]);
