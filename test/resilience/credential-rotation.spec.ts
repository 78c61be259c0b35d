import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ConnectionEvent } from 'nestjs-connections';
import type { RedisConnection } from 'nestjs-connections/redis';
import type { SqlConnection } from 'nestjs-connections/sql';
import { bootApp } from '../support/app.js';
import { describeWithServices, SERVICES } from '../support/services.js';
import { tempDir, writeAtomic } from '../support/temp-files.js';
import { until } from '../support/until.js';
import { LoadDriver } from './support/load.js';
import { captureLogs, failedSwapLogged, indexOf } from './support/rotation.js';

const hex = () => randomBytes(4).toString('hex');
const run = `${process.pid}${hex()}`;

/**
 * Boots an app whose only connection comes from a watched secrets file (`fromSecrets`), with
 * the swap strategy, and starts a steady read loop on it. Everything it opens is closed by
 * `stop()`.
 */
async function rotatingApp<C extends SqlConnection | RedisConnection>(
  section: (password: string) => string,
  password: string,
  read: (conn: C) => Promise<unknown>,
) {
  const file = join(tempDir(), 'secrets.toml');
  writeAtomic(file, section(password));
  const logs = captureLogs();
  const { app, registry } = await bootApp({
    connections: [],
    fromSecrets: true,
    secrets: { files: [file], env: {}, watch: { strategy: 'swap', debounceMs: 20 } },
  });
  const conn = registry.get<C>('rotating');
  const events: ConnectionEvent[] = [];
  conn.events$.subscribe((e) => events.push(e));
  const driver = new LoadDriver({
    readers: 2,
    writers: 0,
    readEveryMs: 10,
    writeEveryMs: 0,
    writeRetryEveryMs: 0,
    writeDeadlineMs: 0,
    maxOps: 3_000,
    idPrefix: 'r',
    read: () => read(conn),
    write: () => Promise.resolve(),
  });
  driver.start();
  await until(() => driver.reads.filter((r) => r.ok).length >= 10, 'steady reads', 5_000);
  return {
    conn,
    events,
    logs,
    driver,
    rewrite: (next: string) => writeAtomic(file, section(next)),
    /** Reads since `from` (driver clock) that succeeded; waits until there are `n`. */
    readsAfter: (from: number, n: number) =>
      until(() => driver.reads.filter((r) => r.ok && r.start >= from).length >= n, `${n} reads after the change`, 5_000),
    async stop(): Promise<void> {
      await driver.stop();
      await app.close();
      logs.restore();
    },
  };
}

/** Everything a user or operator could see: info(), events, logs. */
function visible(conn: { info(): unknown }, events: ConnectionEvent[], logs: string[]): string {
  return [JSON.stringify(conn.info()), JSON.stringify(events), ...logs].join('\n');
}

await describeWithServices(['mariadb'], 'credential rotation: MariaDB password changed server-side and in the watched secrets file', () => {
  const user = `rot_${run}`.slice(0, 32);
  const p1 = `P1x${hex()}`;
  const p2 = `P2x${hex()}`;
  const wrong = `WRONGx${hex()}`;
  let admin: mysql.Connection;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const { host, port } = SERVICES.mariadb;
    admin = await mysql.createConnection({ host, port, user: 'root', database: 'test' });
    await admin.query(`create user ?@'%' identified by ?`, [user, p1]);
    await admin.query(`grant select on test.* to ?@'%'`, [user]);
  });
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });
  afterAll(async () => {
    await admin?.query(`drop user if exists ?@'%'`, [user]);
    await admin?.end();
  });

  const section = (password: string) =>
    [
      '[connections.rotating]',
      'type = "sql"',
      `url = "mysql://${user}:${password}@127.0.0.1:${SERVICES.mariadb.port}/test"`,
      // min = max: the old pool never has to open a session while the server has the new password.
      'pool = { min = 2, max = 2 }',
      '',
    ].join('\n');

  /** Server sessions of the rotating user. */
  async function sessionIds(): Promise<number[]> {
    const [rows] = await admin.query<mysql.RowDataPacket[]>('select id from information_schema.processlist where user = ?', [user]);
    return rows.map((r) => Number(r.id)).sort();
  }

  it('swap: the old pool serves until the new one is up, then is disposed; no read fails; no password is shown', async () => {
    await admin.query(`alter user ?@'%' identified by ?`, [user, p1]);
    const rot = await rotatingApp<SqlConnection>(section, p1, async (conn) => {
      const [row] = await conn.query<{ u: string }>('select current_user() as u');
      if (!String(row.u).startsWith(`${user}@`)) throw new Error(`unexpected user ${row.u}`);
    });
    stop = rot.stop;
    const { conn, events, driver } = rot;
    const generation = conn.generation;
    expect(generation).toBe(1);
    await until(async () => (await sessionIds()).length === 2, 'the old pool to hold its 2 sessions', 5_000);
    const oldSessions = await sessionIds();

    // Server side first: sessions already open keep working, new ones need p2.
    await admin.query(`alter user ?@'%' identified by ?`, [user, p2]);
    const changedAt = driver.now();
    rot.rewrite(p2);

    await until(() => indexOf(events, 'reset', generation) >= 0, 'the reset after the secrets change', 5_000);
    expect(conn.generation).toBe(generation + 1);
    await until(() => indexOf(events, 'disposed', generation) >= 0, 'the old pool to be disposed', 5_000);
    // Swap order: the new instance was connected before the old one left service, and disposed after.
    expect(indexOf(events, 'connected', generation + 1)).toBeLessThan(indexOf(events, 'reset', generation));
    expect(indexOf(events, 'reset', generation)).toBeLessThan(indexOf(events, 'disposed', generation));
    expect(conn.info()).toMatchObject({ state: 'connected', generation: generation + 1, resets: 1 });

    await rot.readsAfter(driver.now(), 20);
    // The old pool's sessions are gone; what serves now was opened with p2 (the server refuses p1).
    await until(async () => (await sessionIds()).every((id) => !oldSessions.includes(id)), 'old sessions to end', 5_000);
    const newSessions = await sessionIds();
    expect(newSessions.length).toBeGreaterThan(0);
    expect(newSessions.filter((id) => oldSessions.includes(id))).toEqual([]);

    await driver.stop();
    console.log(
      `[credential-rotation mariadb] reads ok=${driver.reads.length - driver.failedReads.length} ` +
        `failed=${driver.failedReads.length} (during rotation: ${driver.reads.filter((r) => r.end >= changedAt && !r.ok).length}) ` +
        `generation ${generation} -> ${conn.generation}`,
    );
    expect(driver.failedReads).toEqual([]);
    const shown = visible(conn, events, rot.logs.lines);
    for (const secret of [p1, p2]) expect(shown).not.toContain(secret);
  });

  it('a wrong new password: the swap fails, the old instance and its options keep serving, the error is logged masked', async () => {
    await admin.query(`alter user ?@'%' identified by ?`, [user, p1]);
    const rot = await rotatingApp<SqlConnection>(section, p1, async (conn) => {
      await conn.query('select 1 as one');
    });
    stop = rot.stop;
    const { conn, events, driver, logs } = rot;
    const generation = conn.generation;

    rot.rewrite(wrong);
    const kept = await failedSwapLogged(logs.lines, 'rotating');
    expect(kept).toMatch(/Access denied/);
    expect(indexOf(events, 'connect-failed', generation + 1)).toBeGreaterThanOrEqual(0);
    expect(indexOf(events, 'reset', generation)).toBe(-1);
    expect(indexOf(events, 'disposed', generation)).toBe(-1);
    await rot.readsAfter(driver.now(), 20);
    expect(conn.info()).toMatchObject({ state: 'connected', generation, resets: 0 });
    expect(driver.failedReads).toEqual([]);

    // The options that made the instance in service stayed bound: a later reset reconnects with them.
    await conn.reset();
    await rot.readsAfter(driver.now(), 10);
    expect(conn.generation).toBe(generation + 1);
    expect(conn.info().state).toBe('connected');
    await driver.stop();
    expect(driver.failedReads).toEqual([]);
    const shown = visible(conn, events, logs.lines);
    for (const secret of [p1, wrong]) expect(shown).not.toContain(secret);
  });
});

await describeWithServices(['redis'], 'credential rotation: Redis ACL password changed server-side and in the watched secrets file', () => {
  const { host, port } = SERVICES.redis;
  const user = `rot-${run}`;
  const key = `nc-rot-${run}:probe`;
  const p1 = `P1x${hex()}`;
  const p2 = `P2x${hex()}`;
  const wrong = `WRONGx${hex()}`;
  let admin: Redis;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    admin = new Redis({ host, port, lazyConnect: true });
    await admin.connect();
    await admin.set(key, 'here');
  });
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });
  afterAll(async () => {
    if (!admin) return;
    await admin.call('ACL', 'DELUSER', user);
    await admin.del(key);
    await admin.quit();
  });

  const section = (password: string) =>
    ['[connections.rotating]', 'type = "redis"', `url = "redis://${user}:${password}@${host}:${port}/0"`, `connectionName = "${user}"`, ''].join('\n');

  async function clientIds(): Promise<string[]> {
    const list = (await admin.client('LIST')) as string;
    return list
      .split('\n')
      .filter((line) => line.includes(` user=${user} `))
      .map((line) => /\bid=(\d+)/.exec(line)![1]);
  }

  const read = async (conn: RedisConnection) => {
    const value = await conn.use((redis) => redis.get(key), { retry: true });
    if (value !== 'here') throw new Error(`read the wrong value: ${value}`);
  };

  it('swap: the old client serves until the new one is up, then is disposed; no read fails; no password is shown', async () => {
    await admin.call('ACL', 'SETUSER', user, 'reset', 'on', `>${p1}`, '~*', '&*', '+@all');
    const rot = await rotatingApp<RedisConnection>(section, p1, read);
    stop = rot.stop;
    const { conn, events, driver } = rot;
    const generation = conn.generation;
    const [oldClient] = await clientIds();
    expect(oldClient).toBeDefined();

    await admin.call('ACL', 'SETUSER', user, 'resetpass', `>${p2}`);
    rot.rewrite(p2);
    await until(() => indexOf(events, 'reset', generation) >= 0, 'the reset after the secrets change', 5_000);
    expect(conn.generation).toBe(generation + 1);
    await until(() => indexOf(events, 'disposed', generation) >= 0, 'the old client to be disposed', 5_000);
    expect(indexOf(events, 'connected', generation + 1)).toBeLessThan(indexOf(events, 'reset', generation));
    await rot.readsAfter(driver.now(), 20);
    const now = await clientIds();
    expect(now).toHaveLength(1);
    expect(now).not.toContain(oldClient);

    await driver.stop();
    console.log(
      `[credential-rotation redis] reads ok=${driver.reads.length - driver.failedReads.length} failed=${driver.failedReads.length} ` +
        `generation ${generation} -> ${conn.generation}`,
    );
    expect(driver.failedReads).toEqual([]);
    const shown = visible(conn, events, rot.logs.lines);
    for (const secret of [p1, p2]) expect(shown).not.toContain(secret);
  });

  it('a wrong new password: the swap fails, the old client keeps serving, the error is logged masked', async () => {
    await admin.call('ACL', 'SETUSER', user, 'reset', 'on', `>${p1}`, '~*', '&*', '+@all');
    const rot = await rotatingApp<RedisConnection>(section, p1, read);
    stop = rot.stop;
    const { conn, events, driver, logs } = rot;
    const generation = conn.generation;

    rot.rewrite(wrong);
    const kept = await failedSwapLogged(logs.lines, 'rotating');
    expect(kept).toMatch(/WRONGPASS|invalid username-password/i);
    expect(indexOf(events, 'reset', generation)).toBe(-1);
    await rot.readsAfter(driver.now(), 20);
    expect(conn.info()).toMatchObject({ state: 'connected', generation, resets: 0 });
    await driver.stop();
    expect(driver.failedReads).toEqual([]);
    const shown = visible(conn, events, logs.lines);
    for (const secret of [p1, wrong]) expect(shown).not.toContain(secret);
  });
});
