import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import knex, { type Knex } from 'knex';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConnectionRegistry, runWithConnectionKey } from 'nestjs-connections';
import type { SqlConnection } from 'nestjs-connections/sql';
import { bootApp } from '../support/app.js';
import { describeWithServices } from '../support/services.js';
import { tempDir } from '../support/temp-files.js';

const suffix = randomBytes(4).toString('hex');
const databases = { acme: `keyed_acme_${suffix}`, globex: `keyed_globex_${suffix}` };
const schema = `keyed_schema_${suffix}`;

await describeWithServices(['postgres'], 'K7 the SQL built-in, keyed: one PostgreSQL database or schema per tenant', () => {
  let admin: Knex;
  beforeAll(async () => {
    admin = knex({ client: 'pg', connection: 'postgresql://postgres@127.0.0.1:5432/test', pool: { min: 0, max: 1 } });
    for (const db of Object.values(databases)) await admin.raw(`create database ${db}`);
    await admin.raw(`create schema ${schema}`);
    await admin.raw(`create table ${schema}.marker (who text)`);
    await admin.raw(`insert into ${schema}.marker values ('globex-schema')`);
  });
  afterAll(async () => {
    for (const db of Object.values(databases)) await admin.raw(`drop database if exists ${db} with (force)`);
    await admin.raw(`drop schema if exists ${schema} cascade`);
    await admin.destroy();
  });

  it('a database per tenant from [connections.tenants.keys.<key>]; each key its own pool, reset per key', async () => {
    const file = join(tempDir(), 'secrets.toml');
    writeFileSync(
      file,
      [
        '[connections.tenants]',
        'type = "sql"',
        'dialect = "postgresql"',
        'host = "127.0.0.1"',
        'port = 5432',
        'username = "postgres"',
        'database = "test"',
        `[connections.tenants.keys.acme]`,
        `database = "${databases.acme}"`,
        `[connections.tenants.keys.globex]`,
        `database = "${databases.globex}"`,
      ].join('\n'),
    );
    const { app } = await bootApp({
      connections: [{ name: 'tenants', type: 'sql', keyed: { maxEntries: 10 } }],
      secrets: { files: [file], env: false },
    });
    try {
      const conn = app.get(ConnectionRegistry).get<SqlConnection>('tenants');
      const dbOf = async (key: string) =>
        runWithConnectionKey(key, async () => (await conn.query<{ db: string }>('select current_database() as db'))[0].db);
      expect(await dbOf('acme')).toBe(databases.acme);
      expect(await dbOf('globex')).toBe(databases.globex);
      expect(await dbOf('other')).toBe('test'); // no table: the connection's own options
      const result = await conn.for('acme').reset();
      expect(result).toMatchObject({ key: 'acme', reset: true });
      expect(await dbOf('acme')).toBe(databases.acme);
      expect(conn.for('acme').generation).toBe(2);
      expect(conn.for('globex').generation).toBe(1);
      expect(conn.info().keys).toEqual({ count: 3, max: 10, failed: 0 });
    } finally {
      await app.close();
    }
    // Every tenant pool is gone after shutdown.
    const left = await admin.raw(`select count(*)::int as n from pg_stat_activity where datname in (?, ?)`, [databases.acme, databases.globex]);
    expect(left.rows[0].n).toBe(0);
  });

  it('a searchPath per tenant from _optionsFor', async () => {
    const { SqlConnection } = await import('nestjs-connections/sql');
    const { Connection } = await import('nestjs-connections');
    @Connection({ name: 'by-schema', keyed: {}, options: { url: 'postgresql://postgres@127.0.0.1:5432/test' } })
    class BySchema extends SqlConnection {
      protected override _optionsFor(key: string, options: Record<string, unknown>) {
        return { ...options, searchPath: [key === 'globex' ? schema : 'public'] };
      }
    }
    const { app } = await bootApp({ connections: [BySchema] });
    try {
      const conn = app.get(BySchema);
      const rows = await runWithConnectionKey('globex', () => conn.query<{ who: string }>('select who from marker'));
      expect(rows).toEqual([{ who: 'globex-schema' }]);
      await expect(runWithConnectionKey('acme', () => conn.query('select who from marker'))).rejects.toThrow(/marker/);
    } finally {
      await app.close();
    }
  });
});
