import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { Client } from 'pg';
import { SERVICES, type ServiceName } from '../../support/services.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

/** One database of the machine, as the ORM suites need it. */
export interface OrmTarget {
  readonly label: string;
  readonly dialect: 'postgresql' | 'mariadb' | 'sqlite';
  readonly services: ServiceName[];
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** Streamlit's SQL keys for this run's own database. */
  options(): Record<string, unknown>;
  /** Raw SQL on the target, outside the connection under test (table setup, counts). */
  sql(text: string): Promise<Array<Record<string, unknown>>>;
  /** Server sessions of this run's database (null for SQLite: no server). */
  sessions: (() => Promise<number>) | null;
  /** Ends every server session of this run's database from the server side. */
  killSessions: (() => Promise<number>) | null;
}

const marker = () => `orm_${process.pid}_${randomBytes(3).toString('hex')}`;

export function postgresTarget(): OrmTarget {
  const { host, port } = SERVICES.postgres;
  const db = marker();
  let admin: Client;
  let inDb: Client;
  return {
    label: 'postgresql',
    dialect: 'postgresql',
    services: ['postgres'],
    async setup() {
      admin = new Client({ host, port, user: 'postgres', database: 'test' });
      await admin.connect();
      await admin.query(`create database "${db}"`);
      inDb = new Client({ host, port, user: 'postgres', database: db, application_name: `${db}_admin` });
      await inDb.connect();
    },
    async teardown() {
      await inDb?.end();
      await admin?.query(`drop database if exists "${db}" with (force)`);
      await admin?.end();
    },
    // Streamlit's parts; application_name marks this run's sessions in pg_stat_activity.
    options: () => ({ dialect: 'postgresql', host, port, username: 'postgres', database: db, query: { application_name: db } }),
    sql: async (text) => (await inDb.query(text)).rows,
    sessions: async () => {
      const { rows } = await admin.query(`select count(*)::int as n from pg_stat_activity where datname = $1 and application_name = $1`, [db]);
      return rows[0].n as number;
    },
    killSessions: async () => {
      const { rows } = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and application_name = $1`,
        [db],
      );
      return rows.length;
    },
  };
}

export function mariadbTarget(): OrmTarget {
  const { host, port } = SERVICES.mariadb;
  const db = marker();
  let admin: mysql.Connection;
  let inDb: mysql.Connection;
  const ids = async () => {
    const [rows] = await admin.query<mysql.RowDataPacket[]>(
      'select id from information_schema.processlist where db = ? and id <> ?',
      [db, inDb.threadId],
    );
    return rows.map((row) => Number(row.id));
  };
  return {
    label: 'mariadb',
    dialect: 'mariadb',
    services: ['mariadb'],
    async setup() {
      admin = await mysql.createConnection({ host, port, user: 'root' });
      await admin.query(`create database \`${db}\``);
      inDb = await mysql.createConnection({ host, port, user: 'root', database: db });
    },
    async teardown() {
      await inDb?.end();
      await admin?.query(`drop database if exists \`${db}\``);
      await admin?.end();
    },
    // A URL, with Streamlit's dialect name in the scheme.
    options: () => ({ url: `mariadb://root@${host}:${port}/${db}` }),
    sql: async (text) => {
      const [rows] = await inDb.query(text.replaceAll('"', '`'));
      return rows as Array<Record<string, unknown>>;
    },
    sessions: async () => (await ids()).length,
    killSessions: async () => {
      const all = await ids();
      for (const id of all) await admin.query(`kill ${id}`).catch(() => undefined);
      return all.length;
    },
  };
}

export function sqliteTarget(): OrmTarget {
  let file = '';
  let handle: { prepare(sql: string): { all(): unknown[]; run(): unknown; reader: boolean }; close(): void } | null = null;
  return {
    label: 'sqlite',
    dialect: 'sqlite',
    services: [],
    async setup() {
      file = join(mkdtempSync(join(tmpdir(), 'nc-orm-')), 'orm.db');
      const Database = (await import('better-sqlite3')).default;
      handle = new Database(file);
    },
    async teardown() {
      handle?.close();
      if (file) rmSync(join(file, '..'), { recursive: true, force: true });
    },
    options: () => ({ dialect: 'sqlite', database: file }),
    sql: async (text) => {
      const statement = handle!.prepare(text);
      return statement.reader ? (statement.all() as Array<Record<string, unknown>>) : (statement.run(), []);
    },
    sessions: null,
    killSessions: null,
  };
}

