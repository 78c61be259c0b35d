import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConnectionRegistry } from 'nestjs-connections';
import { SqlConnection } from 'nestjs-connections/sql';
import { bootApp } from '../support/app.js';
import { sqlBehaviourSuite } from './support/sql-behaviour.js';

const marker = `nc_${process.pid}_${randomBytes(3).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'nc-sqlite-'));
const file = join(dir, `${marker}.db`);

/** SQLite has no server: its "sessions" are this process's open handles of the file. */
function openHandlesOf(path: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) n++;
    } catch {
      // the descriptor closed while we looked
    }
  }
  return n;
}

/** Closes the handle the pool holds, as a vanished file system would: the pool hands it out again. */
async function closeHandles(conn: SqlConnection): Promise<void> {
  const knex = await conn.resolve();
  const db = (await knex.client.acquireConnection()) as Database.Database;
  db.close();
  await knex.client.releaseConnection(db);
}

await sqlBehaviourSuite({
  label: 'sqlite (better-sqlite3)',
  services: [],
  marker,
  async setup() {},
  async teardown() {
    // The extra tests below use the same directory; it goes when the process ends.
  },
  options: (extra = {}) => ({ dialect: 'sqlite', database: file, ...extra }),
  async sessions() {
    if (process.platform !== 'linux') throw new Error('counting open handles needs /proc (Linux)');
    return openHandlesOf(file);
  },
  killSessions: closeHandles,
  async killDuring(conn, _table, run) {
    // better-sqlite3 runs a statement synchronously: "during" is right before it runs.
    await closeHandles(conn);
    return run();
  },
  selfKillSql: null,
  secretOptions: () => null,
});

describe('SqlConnection on sqlite, what the shared suite cannot cut server-side', () => {
  let app: INestApplicationContext | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('a write through use() is never retried, even on a connection-level failure', async () => {
    const target = join(dir, `${marker}-writes.db`);
    ({ app } = await bootApp({ connections: [{ name: 'notes', type: 'sql', options: { dialect: 'sqlite', database: target } }] }));
    const conn = app.get(ConnectionRegistry).get<SqlConnection>('notes');
    await conn.use((knex) => knex.schema.createTable('notes', (t) => t.integer('id')));
    await closeHandles(conn);
    const err = await conn.use((knex) => knex('notes').insert({ id: 1 })).catch((e: unknown) => e);
    expect(conn.isConnectionError(err)).toBe(true);
    expect(conn.info()).toMatchObject({ connects: 1, resets: 0 });
    // The next read resets and sees that the write never happened.
    expect(await conn.query('select id from notes')).toEqual([]);
    expect(conn.info()).toMatchObject({ connects: 2, resets: 1 });
  });

  it("a Streamlit secrets.toml works unchanged: [connections.<name>] type = \"sql\" with a sqlite:/// url", async () => {
    const secrets = join(dir, 'secrets.toml');
    const target = join(dir, `${marker}-streamlit.db`);
    writeFileSync(secrets, `[connections.notes_db]\ntype = "sql"\nurl = "sqlite:///${target}"\n`);
    ({ app } = await bootApp({ secrets: { files: [secrets], env: false }, fromSecrets: true }));
    const registry = app.get(ConnectionRegistry);
    const conn = registry.get<SqlConnection>('notes_db');
    expect(conn).toBeInstanceOf(SqlConnection);
    expect(conn.info()).toMatchObject({ type: 'sql', state: 'idle', connects: 0 });
    expect(await conn.query('select 41 + 1 as answer')).toEqual([{ answer: 42 }]);
    expect(openHandlesOf(target)).toBe(1);
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
