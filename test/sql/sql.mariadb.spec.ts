import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { SERVICES } from '../support/services.js';
import { until } from '../support/until.js';
import { sqlBehaviourSuite } from './support/sql-behaviour.js';

const { host, port } = SERVICES.mariadb;
// A database of this run: it isolates the tables and marks the sessions in the processlist.
const marker = `nc_${process.pid}_${randomBytes(3).toString('hex')}`;
const adminConfig = { host, port, user: 'root' };
let admin: mysql.Connection;

async function sessionIds(state?: string): Promise<number[]> {
  const [rows] = await admin.query<mysql.RowDataPacket[]>(
    `select id from information_schema.processlist where db = ?${state ? ' and state like ?' : ''}`,
    state ? [marker, state] : [marker],
  );
  return rows.map((row) => Number(row.id));
}

await sqlBehaviourSuite({
  label: 'mariadb (mysql2)',
  services: ['mariadb'],
  marker,
  async setup() {
    admin = await mysql.createConnection(adminConfig);
    // A session killed from outside emits `error`; unheard, it would end the vitest run.
    admin.on('error', () => undefined);
    await admin.query(`create database \`${marker}\``);
  },
  async teardown() {
    await admin.query(`drop database if exists \`${marker}\``);
    await admin.end();
  },
  // A URL, with Streamlit's dialect name in the scheme.
  options: (extra = {}) => ({ url: `mariadb://root@${host}:${port}/${marker}`, pool: { min: 0, max: 4 }, ...extra }),
  sessions: async () => (await sessionIds()).length,
  async killSessions() {
    for (const id of await sessionIds()) await admin.query(`kill ${id}`);
  },
  async killDuring(_conn, table, run) {
    // Hold a lock the query waits on, so it is on the server when its session is killed.
    const locker = await mysql.createConnection(adminConfig);
    locker.on('error', () => undefined);
    try {
      await locker.query(`lock tables \`${marker}\`.\`${table}\` write`);
      const running = run();
      running.catch(() => undefined);
      const [id] = await until(async () => {
        const waiting = await sessionIds('Waiting for table metadata lock');
        return waiting.length ? waiting : undefined;
      }, 'the query to wait on the lock');
      await admin.query(`kill ${id}`);
      await locker.query('unlock tables');
      return await running;
    } finally {
      await locker.end();
    }
  },
  selfKillSql: 'KILL CONNECTION_ID()',
  // root has no password here: the secret makes the connect fail, and its error must stay masked.
  secretOptions: (password) => ({
    dialect: 'mariadb',
    host,
    port,
    username: 'root',
    password,
    database: marker,
    pool: { min: 0, max: 2 },
  }),
});
