import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import { pgAdminClient } from '../support/pg-admin-client.js';
import { SERVICES } from '../support/services.js';
import { until } from '../support/until.js';
import { sqlBehaviourSuite } from './support/sql-behaviour.js';

const { host, port } = SERVICES.postgres;
const marker = `nc_${process.pid}_${randomBytes(3).toString('hex')}`;
const adminConfig = { host, port, user: 'postgres', database: 'test' };
let admin: Client;

await sqlBehaviourSuite({
  label: 'postgresql (pg)',
  services: ['postgres'],
  marker,
  async setup() {
    admin = pgAdminClient(adminConfig);
    await admin.connect();
  },
  async teardown() {
    const { rows } = await admin.query<{ tablename: string }>(
      `select tablename from pg_tables where schemaname = 'public' and tablename like $1`,
      [`${marker}_%`],
    );
    for (const { tablename } of rows) await admin.query(`drop table if exists "${tablename}"`);
    await admin.end();
  },
  // Streamlit's parts; `query` carries the marker into pg_stat_activity.application_name.
  options: (extra = {}) => ({
    dialect: 'postgresql',
    host,
    port,
    username: 'postgres',
    database: 'test',
    query: { application_name: marker },
    pool: { min: 0, max: 4 },
    ...extra,
  }),
  async sessions() {
    const { rows } = await admin.query<{ n: number }>(
      'select count(*)::int as n from pg_stat_activity where application_name = $1',
      [marker],
    );
    return rows[0].n;
  },
  async killSessions() {
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [marker]);
  },
  async killDuring(_conn, table, run) {
    // Hold a lock the query waits on, so it is on the server when its backend is killed.
    const locker = pgAdminClient(adminConfig);
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query(`lock table "${table}" in access exclusive mode`);
      const running = run();
      running.catch(() => undefined);
      const pid = await until(async () => {
        const { rows } = await admin.query<{ pid: number }>(
          `select pid from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'`,
          [marker],
        );
        return rows[0]?.pid;
      }, 'the query to wait on the lock');
      await admin.query('select pg_terminate_backend($1)', [pid]);
      await locker.query('commit');
      return await running;
    } finally {
      await locker.end();
    }
  },
  selfKillSql: 'select pg_terminate_backend(pg_backend_pid())',
  // Trust auth accepts any password: the connection works with the secret in the URL.
  secretOptions: (password) => ({
    url: `postgresql://postgres:${password}@${host}:${port}/test?application_name=${marker}`,
    pool: { min: 0, max: 2 },
  }),
});
