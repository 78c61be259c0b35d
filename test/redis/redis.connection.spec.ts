import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { filter, firstValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { ConnectError, ConnectionRegistry, type ConnectionEvent } from 'nestjs-connections';
import { RedisConnection } from 'nestjs-connections/redis';
import { bootApp } from '../support/app.js';
import { describeWithServices, SERVICES } from '../support/services.js';
import { until } from '../support/until.js';

const { host, port } = SERVICES.redis;
/** Names this run's clients (CLIENT SETNAME) and prefixes its keys. */
const marker = `nc-${process.pid}-${randomBytes(3).toString('hex')}`;

function disposed(conn: RedisConnection, generation: number): Promise<ConnectionEvent> {
  return firstValueFrom(conn.events$.pipe(filter((e) => e.type === 'disposed' && e.generation === generation)));
}

await describeWithServices(['redis'], 'RedisConnection on redis (ioredis)', () => {
  let admin: Redis;
  const apps: INestApplicationContext[] = [];

  beforeAll(async () => {
    admin = new Redis({ host, port, lazyConnect: true });
    await admin.connect();
  });
  afterAll(async () => {
    const keys = await admin.keys(`${marker}:*`);
    if (keys.length) await admin.del(...keys);
    await admin.quit();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  async function open(options: Record<string, unknown> = {}, name = 'cache'): Promise<RedisConnection> {
    const { app } = await bootApp({
      connections: [{ name, type: 'redis', options: { url: `redis://${host}:${port}/0`, connectionName: marker, ...options } }],
    });
    apps.push(app);
    return app.get(ConnectionRegistry).get<RedisConnection>(name);
  }

  /** This run's clients as the server lists them. */
  async function clients(): Promise<Array<{ id: string; cmd: string }>> {
    const list = (await admin.client('LIST')) as string;
    return list
      .split('\n')
      .filter((line) => line.includes(` name=${marker} `))
      .map((line) => ({ id: /\bid=(\d+)/.exec(line)![1], cmd: /\bcmd=(\S+)/.exec(line)![1] }));
  }

  async function killClients(): Promise<void> {
    for (const { id } of await clients()) await admin.client('KILL', 'ID', id);
  }

  it('connects lazily, verified by PING, and then serves commands', async () => {
    const conn = await open();
    expect(conn.info()).toMatchObject({ type: 'redis', state: 'idle', connects: 0 });
    expect(await clients()).toHaveLength(0);
    await conn.use((redis) => redis.set(`${marker}:greeting`, 'hello'));
    expect(await conn.use((redis) => redis.get(`${marker}:greeting`))).toBe('hello');
    await conn.ping();
    expect(await clients()).toHaveLength(1);
    expect(conn.info()).toMatchObject({ state: 'connected', connects: 1 });
  });

  it('host, port and db select the server and the database', async () => {
    const conn = await open({ url: undefined, host, port: String(port), db: 5 });
    await conn.use((redis) => redis.set(`${marker}:in-db-5`, 'five'));
    const probe = new Redis({ host, port, db: 5, lazyConnect: true });
    await probe.connect();
    try {
      expect(await probe.get(`${marker}:in-db-5`)).toBe('five');
      expect(await admin.get(`${marker}:in-db-5`)).toBeNull();
    } finally {
      await probe.quit();
    }
  });

  it('a client killed on the server: use() without retry fails with a connection-level error', async () => {
    const conn = await open();
    const killed = await conn.resolve();
    await killClients();
    await until(() => killed.status === 'end', 'ioredis to see the socket closed');
    const err = await conn.use((redis) => redis.get(`${marker}:k`)).catch((e: unknown) => e);
    expect(conn.isConnectionError(err)).toBe(true);
    expect(conn.info()).toMatchObject({ connects: 1, resets: 0 });
  });

  it('a client killed on the server: use(fn, { retry: true }) succeeds through reset-and-retry', async () => {
    const conn = await open();
    await conn.use((redis) => redis.set(`${marker}:survivor`, 'yes'));
    const killed = await conn.resolve();
    await killClients();
    await until(() => killed.status === 'end', 'ioredis to see the socket closed');
    expect(await conn.use((redis) => redis.get(`${marker}:survivor`), { retry: true })).toBe('yes');
    expect(conn.info()).toMatchObject({ connects: 2, resets: 1, generation: 2 });
  });

  it('a reset while commands are in flight loses none of them, and does not hold up new ones', async () => {
    const conn = await open();
    const gate = `${marker}:gate`;
    const counter = `${marker}:counter`;
    // BLPOP blocks the client's socket: the INCRs written after it wait on the server, in flight.
    const holder = conn.use((redis) => redis.blpop(gate, 0));
    await until(async () => (await clients()).some((c) => c.cmd === 'blpop'), 'BLPOP to block on the server');
    const inFlight = Array.from({ length: 30 }, () => conn.use((redis) => redis.incr(counter)));
    await until(() => conn.info().leases === 31, 'every command to hold a lease');
    const oldGone = disposed(conn, 1);

    expect(await conn.reset()).toMatchObject({ reset: true, previousGeneration: 1 });
    expect(await conn.use((redis) => redis.ping())).toBe('PONG'); // a new client, not blocked
    expect(conn.generation).toBe(2);

    await admin.lpush(gate, 'go');
    expect(await holder).toEqual([gate, 'go']);
    const values = await Promise.all(inFlight);
    expect(values.toSorted((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(await admin.get(counter)).toBe('30');
    await oldGone;
  });

  it('after a reset the old client quits and is gone from the server', async () => {
    const conn = await open();
    await conn.ping();
    const old = await conn.resolve();
    expect(await clients()).toHaveLength(1);
    const oldGone = disposed(conn, 1);
    await conn.reset();
    await oldGone;
    expect(old.status).toBe('end');
    await until(async () => (await clients()).length === 0, 'the old client to leave the server');
    await conn.ping();
    expect(await clients()).toHaveLength(1);
  });

  it('a reply error (unknown command) fails at once: no reset, no retry', async () => {
    const conn = await open();
    await conn.ping();
    const err = await conn.use((redis) => redis.call('NC_NO_SUCH_COMMAND'), { retry: true }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/unknown command/i);
    expect(conn.isConnectionError(err)).toBe(false);
    expect(conn.info()).toMatchObject({ connects: 1, resets: 0 });
  });

  it('a refused connect fails with a ConnectError and is not cached: the next call tries again', async () => {
    const conn = await open({ url: `redis://${host}:1/0` });
    const first = await conn.resolve().catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ConnectError);
    expect((first as ConnectError).cause).toMatchObject({ code: 'ECONNREFUSED' });
    await expect(conn.resolve()).rejects.toBeInstanceOf(ConnectError);
    expect(conn.info()).toMatchObject({ state: 'failed', failures: 2, connects: 0 });
  });

  it('M1: a password in the url never shows in info(), events, errors, logs, JSON or inspect', async () => {
    const password = `pw-${marker}-Zq9`;
    const written: string[] = [];
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const errOut = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const warn = vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void written.push(args.join(' ')));
    try {
      const { app, registry } = await bootApp({
        connections: [
          // The server has no password: ioredis warns and goes on, so this one connects.
          { name: 'up', type: 'redis', options: { url: `redis://:${password}@${host}:${port}/0` } },
          { name: 'down', type: 'redis', options: { url: `redis://:${password}@${host}:1/0` } },
        ],
      });
      apps.push(app);
      const up = registry.get<RedisConnection>('up');
      const down = registry.get<RedisConnection>('down');
      const events: ConnectionEvent[] = [];
      registry.events$.subscribe((event) => events.push(event));
      await up.ping();
      const err = (await down.ping().catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(ConnectError);
      await up.reset();
      const texts = [
        JSON.stringify(up),
        JSON.stringify(down),
        inspect(up, { depth: 10 }),
        inspect(down, { depth: 10 }),
        JSON.stringify(registry.list()),
        JSON.stringify(events),
        `${err.message}\n${err.stack}`,
        ...written,
      ];
      for (const text of texts) expect(text).not.toContain(password);
      expect(events.some((e) => e.type === 'connect-failed')).toBe(true);
    } finally {
      out.mockRestore();
      errOut.mockRestore();
      warn.mockRestore();
    }
  });
});
