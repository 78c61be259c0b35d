import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import type { Client } from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SqlConnection } from 'nestjs-connections/sql';
import { isSqlConnectionError } from '../../lib/builtins/sql/sql-error-classifier.js';
import { bootApp } from '../support/app.js';
import { pgAdminClient } from '../support/pg-admin-client.js';
import { describeWithServices, SERVICES } from '../support/services.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { until } from '../support/until.js';
import { heapUsedMb, LoadDriver, runSchedule, sampleMax, watchUnhandledRejections } from './support/load.js';
import { expectFaultOutcome } from './support/fault-outcome.js';
import { faultSchedule } from './support/schedule.js';

const { host, port } = SERVICES.postgres;
/** Names this run's sessions (application_name) and table. */
const marker = `nc_fault_${process.pid}_${randomBytes(3).toString('hex')}`;
const table = `${marker}_writes`;
const POOL_MAX = 4;
/** pg gives up on a connection that does not answer its startup within this (half-open server). */
const PG_CONNECT_TIMEOUT_MS = 500;
/** The connection's own connect timeout: above pg's, so pg's error (with its cause) wins. */
const CONNECT_TIMEOUT_MS = 600;
/** pg gives up on a query whose answer does not come within this (half-open socket). */
const QUERY_TIMEOUT_MS = 500;

await describeWithServices(['postgres'], 'fault injection: PostgreSQL through a TCP proxy, under load', () => {
  let admin: Client;
  let proxy: TcpProxy;
  let app: INestApplicationContext | undefined;

  beforeAll(async () => {
    admin = pgAdminClient({ host, port, user: 'postgres', database: 'test' });
    await admin.connect();
    await admin.query(`create table "${table}" (id text primary key)`);
    proxy = await TcpProxy.start(port);
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.close();
    await admin?.query(`drop table if exists "${table}"`);
    await admin?.end();
  });

  async function sessions(): Promise<number> {
    const { rows } = await admin.query<{ n: number }>(
      'select count(*)::int as n from pg_stat_activity where application_name = $1',
      [marker],
    );
    return rows[0].n;
  }

  it('cut, refuse, latency and half-open sockets: no lost or doubled write, failures only during refuse/half-open, recovery < 1 s, no leak', async () => {
    const rejections = watchUnhandledRejections();
    const booted = await bootApp({
      connections: [
        {
          name: 'faulty',
          type: 'sql',
          connectTimeout: CONNECT_TIMEOUT_MS,
          drainTimeout: '2s',
          options: {
            url: `postgres://postgres@127.0.0.1:${proxy.port}/test?application_name=${marker}`,
            pool: { min: 0, max: POOL_MAX },
            acquireConnectionTimeout: 1_000,
            // Half-open sockets are only seen by timeouts: pg's, passed through to the driver.
            connection: { connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS, query_timeout: QUERY_TIMEOUT_MS },
          },
        },
      ],
    });
    app = booted.app;
    const conn = booted.registry.get<SqlConnection>('faulty');

    const driver = new LoadDriver({
      readers: 2,
      writers: 2,
      readEveryMs: 20,
      writeEveryMs: 20,
      writeRetryEveryMs: 25,
      writeDeadlineMs: 8_000,
      maxOps: 2_000,
      idPrefix: marker,
      read: () => conn.query('select 1 as one'),
      write: (id) =>
        conn.use((knex) => knex.raw(`insert into "${table}" (id) values (?) on conflict do nothing`, [id]), { retry: true }),
    });
    const peak = sampleMax(sessions, 50);
    driver.start();

    // Warm-up: steady state, the baseline for sessions and memory.
    await until(() => driver.reads.filter((r) => r.ok).length >= 20 && driver.landed.size >= 20, 'a steady stream', 5_000);
    const warmSessions = await sessions();
    const heapWarm = heapUsedMb();

    const { phases, generations } = faultSchedule(proxy, () => conn.generation, {
      refuseSlackMs: 250,
      halfOpenSlackMs: CONNECT_TIMEOUT_MS + 150,
    });
    const { windows } = await runSchedule(driver, phases);

    await driver.stop();
    const steadySessions = await sessions();
    await peak.stop();
    const heapEnd = heapUsedMb();

    const { rows } = await admin.query<{ n: number; d: number }>(
      `select count(*)::int as n, count(distinct id)::int as d from "${table}"`,
    );
    const { rows: stray } = await admin.query<{ n: number }>(
      `select count(*)::int as n from "${table}" where not (id = any($1))`,
      [driver.attempted],
    );

    await app.close();
    app = undefined;
    const leaked = await until(async () => ((await sessions()) === 0 ? 'none' : null), 'sessions to end', 5_000).then(
      () => 0,
      () => sessions(),
    );
    rejections.stop();

    expectFaultOutcome(
      {
        label: 'postgres',
        driver,
        windows,
        generations,
        generation: conn.generation,
        server: { unit: 'sessions', warm: warmSessions, steady: steadySessions, peak: peak.max, leaked },
        heapMb: { warm: heapWarm, end: heapEnd },
        rejections,
        landed: `landed=${rows[0].n} distinct=${rows[0].d}`,
      },
      proxy,
    );
    // Every write landed exactly once, and nothing else did.
    expect(rows[0]).toEqual({ n: driver.attempted.length, d: driver.attempted.length });
    expect(stray[0].n).toBe(0);
    // One pool's worth in steady state, one more draining at most.
    expect(warmSessions).toBeLessThanOrEqual(POOL_MAX);
    expect(steadySessions).toBeLessThanOrEqual(POOL_MAX);
    expect(peak.max).toBeLessThanOrEqual(2 * POOL_MAX);
  });

  it("pg's client-side timeouts count as connection-level; knex's pool-full timeout does not", () => {
    // pg's query_timeout, as knex raises it (the SQL in front), and connectionTimeoutMillis.
    expect(isSqlConnectionError(new Error('select 1 - Query read timeout'))).toBe(true);
    expect(isSqlConnectionError(new Error('timeout expired'))).toBe(true);
    // A busy pool: a reset would open a second pool beside it.
    const busy = new Error('Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?');
    busy.name = 'KnexTimeoutError';
    expect(isSqlConnectionError(busy)).toBe(false);
    // An answer of a working server is never connection-level.
    expect(isSqlConnectionError(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))).toBe(false);
  });
});
