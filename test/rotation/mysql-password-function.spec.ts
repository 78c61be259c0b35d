import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import mysql from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ConnectError, ConnectionConfigError } from 'nestjs-connections';
import type { SqlConnection } from 'nestjs-connections/sql';
import { bootApp } from '../support/app.js';
import { describeWithServices, SERVICES } from '../support/services.js';

const hex = (n = 6) => randomBytes(n).toString('hex');

await describeWithServices(['mariadb'], 'MP password function on mysql2 (MariaDB): once per connect, a new instance for a new password', () => {
  const user = `creds_mp_${hex(4)}`;
  const passwords = [`P0x${hex()}`, `P1x${hex()}`];
  let admin: mysql.Connection;
  let app: INestApplicationContext | undefined;
  const { host, port } = SERVICES.mariadb;

  beforeAll(async () => {
    admin = await mysql.createConnection({ host, port, user: 'root', database: 'test' });
    await admin.query(`create user ?@'%' identified by ?`, [user, passwords[0]]);
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(async () => {
    await admin?.query(`drop user if exists ?@'%'`, [user]);
    await admin?.end();
  });

  async function boot(password: () => unknown) {
    const booted = await bootApp({
      connections: [{ name: 'mp', type: 'sql', options: { url: `mysql://${user}@${host}:${port}`, password, pool: { min: 0, max: 3 } } }],
    });
    app = booted.app;
    return booted.registry.get<SqlConnection>('mp');
  }

  it('MP1 mysql2 takes a string: the function is called once per connect, and a swap (or a refresh) picks up a new password', async () => {
    let version = 0;
    let calls = 0;
    const conn = await boot(async () => {
      calls++;
      return passwords[version];
    });
    await Promise.all([1, 2, 3].map(() => conn.query('select sleep(0.05)')));
    expect(calls).toBe(1); // every physical connection of this pool uses the value of its connect
    await admin.query(`alter user ?@'%' identified by ?`, [user, passwords[1]]);
    version = 1;
    await conn.reset({ strategy: 'swap' });
    expect(calls).toBe(2);
    expect(await conn.query<{ u: string }>('select current_user() as u')).toEqual([{ u: `${user}@%` }]);
  });

  it('MP3 a password function beside a url that has a password too fails bootstrap naming password', async () => {
    const err = await bootApp({
      connections: [{ name: 'mp-both', type: 'sql', options: { url: `mysql://${user}:inline@${host}:${port}`, password: () => 'x' } }],
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectionConfigError);
    expect((err as ConnectionConfigError).key).toBe('password');
    expect((err as Error).message).toContain('url has a password too');
  });

  it('MP2 a password function returning a non-string fails the connect with a ConnectError naming password', async () => {
    const conn = await boot(() => ({ token: 'not-a-string' }));
    const err = (await conn.resolve().catch((e: unknown) => e)) as ConnectError;
    expect(err).toBeInstanceOf(ConnectError);
    expect(err.key).toBe('password');
    expect(err.message).toContain('Connection "mp" failed to connect: key "password" must be a string, but its function returned an object');
    expect(err.message).not.toContain('not-a-string');
  });
});
