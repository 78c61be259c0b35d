// ORM end to end: GET /items/:id reading one row from PostgreSQL under autocannon load on
// loopback. TypeORM: a repository from @InjectConnectionRepository vs the same app on
// @nestjs/typeorm's @InjectRepository. Drizzle: a 'drizzle' connection (reads in use()) vs a
// drizzle db provided as a plain singleton. Same pool size everywhere; the variants run
// interleaved, round after round, each pair compared within its round.
import autocannon from 'autocannon';
import { adminClient, createItems } from '../e2e/postgres.mjs';
import { startServer } from '../e2e/server-process.mjs';
import { figure, report, summarize } from '../support/stats.mjs';

const ROUNDS = 5;
const SECONDS = 3;
const CONNECTIONS = 20;
const SERVER = new URL('../e2e/orm-server.mjs', import.meta.url).pathname;
const PAIRS = [
  ['typeorm', 'typeorm-connection', 'typeorm-nest', '@InjectConnectionRepository vs @nestjs/typeorm @InjectRepository'],
  ['drizzle', 'drizzle-connection', 'drizzle-plain', "'drizzle' connection vs a plain drizzle provider"],
];

const load = (url, seconds = SECONDS) => autocannon({ url: `${url}/items/42`, connections: CONNECTIONS, duration: seconds });
const failedOf = (result) => result.errors + result.timeouts + result.non2xx;

const db = await adminClient();
await createItems(db);
await db.end();
const variants = PAIRS.flatMap(([, ours, base]) => [ours, base]);
const servers = {};
try {
  for (const name of variants) servers[name] = await startServer(name, SERVER);
  for (const name of variants) await load(servers[name].url, 2); // warm-up: JIT, pools
  const per = Object.fromEntries(variants.map((name) => [name, { rps: [], p99: [], failed: 0 }]));
  const ratios = Object.fromEntries(PAIRS.map(([id]) => [id, { rps: [], p99: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [id, ours, base] of PAIRS) {
      const order = round % 2 ? [base, ours] : [ours, base];
      const out = {};
      for (const name of order) out[name] = await load(servers[name].url);
      for (const name of order) {
        per[name].rps.push(out[name].requests.average);
        per[name].p99.push(out[name].latency.p99);
        per[name].failed += failedOf(out[name]);
      }
      ratios[id].rps.push(out[ours].requests.average / out[base].requests.average);
      ratios[id].p99.push(out[ours].latency.p99 / Math.max(1, out[base].latency.p99));
    }
  }
  const fmt = (values) => {
    const s = summarize(values);
    return `${s.median.toFixed(0)} (${s.min.toFixed(0)}-${s.max.toFixed(0)})`;
  };
  report(
    PAIRS.flatMap(([id, ours, base, what]) => [
      figure({
        id: `orm-${id}-throughput`,
        label: `orm: req/s, ${what} (PostgreSQL)`,
        values: ratios[id].rps,
        goal: 0.95,
        atLeast: true,
        detail: `${fmt(per[ours].rps)} vs ${fmt(per[base].rps)} req/s; failed ${per[ours].failed} vs ${per[base].failed}`,
      }),
      figure({
        id: `orm-${id}-p99`,
        label: `orm: p99 latency, ${what}`,
        values: ratios[id].p99,
        goal: 1.1,
        detail: `p99 ${fmt(per[ours].p99)} vs ${fmt(per[base].p99)} ms`,
      }),
    ]),
  );
} finally {
  await Promise.all(Object.values(servers).map((server) => server.stop()));
}
