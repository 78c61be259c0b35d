import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConnectionConfigError, ConnectionRegistry, MissingPeerError } from 'nestjs-connections';
import { RedisConnection } from 'nestjs-connections/redis';
import { SqlConnection } from 'nestjs-connections/sql';
import { knexConfigOf } from '../../lib/builtins/sql/sql-knex-config.js';
import { resolveSqlTarget } from '../../lib/builtins/sql/sql-target.js';
import { bootApp } from '../support/app.js';

const dir = mkdtempSync(join(tmpdir(), 'nc-sql-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const noLog = { warn() {}, error() {}, deprecate() {}, debug() {} };

describe('SqlConnection options: url or Streamlit parts', () => {
  it('a url wins over the parts', () => {
    const target = resolveSqlTarget({
      url: 'postgresql://app:pw@db.example:6543/notes',
      dialect: 'sqlite',
      host: 'elsewhere',
      database: 'other',
    });
    expect(target).toMatchObject({ username: 'app', password: 'pw', host: 'db.example', port: 6543, database: 'notes' });
    expect(target.dialect.name).toBe('postgresql');
  });

  it("accepts Streamlit's dialect+driver schemes, mapping Python drivers to the Node one", () => {
    expect(resolveSqlTarget({ url: 'postgresql+psycopg2://u@h/db' }).dialect.client).toBe('pg');
    expect(resolveSqlTarget({ url: 'mysql+pymysql://u@h/db' }).dialect.client).toBe('mysql2');
    expect(resolveSqlTarget({ url: 'mariadb://u@h/db' }).dialect.client).toBe('mysql2');
    expect(resolveSqlTarget({ dialect: 'postgres', driver: 'pg' }).dialect.name).toBe('postgresql');
  });

  it("reads SQLAlchemy's SQLite forms: relative, absolute and in memory", () => {
    expect(resolveSqlTarget({ url: 'sqlite:///data/notes.db' }).database).toBe('data/notes.db');
    expect(resolveSqlTarget({ url: 'sqlite:////var/lib/notes.db' }).database).toBe('/var/lib/notes.db');
    expect(resolveSqlTarget({ url: 'sqlite://' }).database).toBe(':memory:');
  });

  it('decodes a percent-encoded password and accepts a port given as a string (environment variables)', () => {
    expect(resolveSqlTarget({ url: 'mysql://u:p%40ss%2Fw@h/db' }).password).toBe('p@ss/w');
    expect(resolveSqlTarget({ dialect: 'mysql', port: '3307' }).port).toBe(3307);
  });

  it.each([
    [{}, 'dialect'],
    [{ host: 'db', database: 'notes' }, 'dialect'],
    [{ dialect: 'oracle' }, 'dialect'],
    [{ dialect: 'postgresql', driver: 'mysql2' }, 'driver'],
    [{ dialect: 'sqlite' }, 'database'],
    [{ dialect: 'mysql', port: 70_000 }, 'port'],
    [{ url: 'not a url' }, 'url'],
    [{ url: 'oracle://u@h/db' }, 'url'],
    [{ client: 'pg', connection: 'postgres://x' }, 'client'],
    [{ dialect: 'mysql', query: 'charset=utf8' }, 'query'],
  ])('rejects %j naming the key %s', (options, key) => {
    expect(() => resolveSqlTarget(options as never)).toThrow(`key "${key}"`);
  });

  it('never echoes a value in an options error', () => {
    let message = '';
    try {
      resolveSqlTarget({ url: 'mysql://u:hunter2-secret@h:99999999/db' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('key "url"');
    expect(message).not.toContain('hunter2-secret');
  });

  it('builds a pg connection string from the parts, with query as parameters and the password encoded', () => {
    const options = {
      dialect: 'postgresql',
      host: 'db',
      port: 5433,
      username: 'app',
      password: 'a b@c',
      database: 'notes',
      query: { application_name: 'notes-api', sslmode: 'disable' },
      pool: { min: 0, max: 7 },
      acquireConnectionTimeout: 1234,
    };
    const config = knexConfigOf(resolveSqlTarget(options), options, noLog);
    expect(config).toMatchObject({ client: 'pg', pool: { min: 0, max: 7 }, acquireConnectionTimeout: 1234 });
    expect(config.connection).toEqual({
      connectionString: 'postgresql://app:a%20b%40c@db:5433/notes?application_name=notes-api&sslmode=disable',
    });
    for (const key of ['dialect', 'host', 'password', 'query']) expect(config).not.toHaveProperty(key);
  });

  it('gives mysql2 typed query values, and merges `connection` over the computed settings', () => {
    const options = { url: 'mysql://u:p@h:3307/db?charset=utf8mb4&multipleStatements=false', connection: { timezone: 'Z' } };
    const config = knexConfigOf(resolveSqlTarget(options), options, noLog);
    expect(config.connection).toEqual({
      host: 'h',
      port: 3307,
      user: 'u',
      password: 'p',
      database: 'db',
      charset: 'utf8mb4',
      multipleStatements: false,
      timezone: 'Z',
    });
  });
});

describe('SqlConnection and RedisConnection at bootstrap', () => {
  let app: INestApplicationContext | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('a missing required key fails bootstrap with a ConnectionConfigError naming the connection and the key', async () => {
    const err = await bootApp({ connections: [{ name: 'reports', type: 'sql', options: { host: 'db' } }] }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectionConfigError);
    expect((err as ConnectionConfigError).connectionName).toBe('reports');
    expect((err as Error).message).toMatch(/"reports".*key "dialect"/);
  });

  it('a secrets section of type "sql" without a database file fails bootstrap naming both', async () => {
    const file = join(dir, 'missing-key.toml');
    writeFileSync(file, '[connections.notes]\ntype = "sql"\ndialect = "sqlite"\npassword = "never-shown-9"\n');
    const err = await bootApp({ secrets: { files: [file], env: false }, fromSecrets: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionConfigError);
    expect((err as Error).message).toMatch(/"notes".*key "database"/);
    expect((err as Error).message).not.toContain('never-shown-9');
  });

  it('a bad redis option fails bootstrap naming the connection and the key', async () => {
    const err = await bootApp({ connections: [{ name: 'cache', type: 'redis', options: { port: 'six' } }] }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectionConfigError);
    expect((err as Error).message).toMatch(/"cache".*key "port"/);
  });

  it('the package root registers the types "sql" and "redis" for fromSecrets; nothing connects at bootstrap', async () => {
    const file = join(dir, 'streamlit.toml');
    writeFileSync(
      file,
      [
        '[connections.notes]',
        'type = "sql"',
        'url = "postgresql://app:s3cret@127.0.0.1:1/notes"',
        '[connections.cache]',
        'type = "redis"',
        'url = "redis://:s3cret@127.0.0.1:1/0"',
      ].join('\n'),
    );
    ({ app } = await bootApp({ secrets: { files: [file], env: false }, fromSecrets: true }));
    const registry = app.get(ConnectionRegistry);
    expect(registry.get('notes')).toBeInstanceOf(SqlConnection);
    expect(registry.get('cache')).toBeInstanceOf(RedisConnection);
    expect(registry.list().map(({ name, type, state, connects }) => ({ name, type, state, connects }))).toEqual([
      { name: 'notes', type: 'sql', state: 'idle', connects: 0 },
      { name: 'cache', type: 'redis', state: 'idle', connects: 0 },
    ]);
  });
});

/** Node's real resolver, from a directory with no node_modules above it: every package is "not installed" there. */
const requireFromNowhere = createRequire(join(dir, 'nowhere.js'));

class SqlWithoutDrivers extends SqlConnection {
  protected override async _importPeer(specifier: string): Promise<unknown> {
    // knex is there; the driver is not.
    return specifier === 'knex' ? super._importPeer(specifier) : requireFromNowhere(specifier);
  }
}

class RedisWithoutDriver extends RedisConnection {
  protected override async _importPeer(specifier: string): Promise<unknown> {
    return requireFromNowhere(specifier);
  }
}

describe('drivers are optional peers', () => {
  let app: INestApplicationContext | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('a missing SQL driver fails the connect with an error naming the package and the connection', async () => {
    ({ app } = await bootApp({
      connections: [{ name: 'warehouse', type: SqlWithoutDrivers, options: { url: 'postgresql://u@127.0.0.1/db' } }],
    }));
    const conn = app.get(ConnectionRegistry).get<SqlConnection>('warehouse');
    const err = await conn.query('select 1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingPeerError);
    expect(err).toMatchObject({ connectionName: 'warehouse', packageName: 'pg' });
    expect((err as Error).message).toContain('npm install pg');
    expect((err as Error).message).toContain('"warehouse"');
    expect(conn.info()).toMatchObject({ state: 'failed', failures: 1 });
  });

  it('a missing ioredis fails the connect with an error naming the package and the connection', async () => {
    ({ app } = await bootApp({ connections: [{ name: 'sessions', type: RedisWithoutDriver, options: {} }] }));
    const conn = app.get(ConnectionRegistry).get<RedisConnection>('sessions');
    const err = await conn.resolve().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingPeerError);
    expect(err).toMatchObject({ connectionName: 'sessions', packageName: 'ioredis' });
    expect((err as Error).message).toContain('npm install ioredis');
  });
});
