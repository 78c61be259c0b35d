import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RedisConnection } from 'nestjs-connections/redis';
import { bootApp } from '../support/app.js';
import { describeWithServices, SERVICES } from '../support/services.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { until } from '../support/until.js';
import { heapUsedMb, LoadDriver, runSchedule, sampleMax, watchUnhandledRejections } from './support/load.js';
import { expectFaultOutcome } from './support/fault-outcome.js';
import { faultSchedule } from './support/schedule.js';

const { host, port } = SERVICES.redis;
/** Names this run's clients (CLIENT SETNAME) and prefixes its keys. */
const marker = `nc-fault-${process.pid}-${randomBytes(3).toString('hex')}`;
/** ioredis destroys a socket that sends nothing back for this long (half-open), connecting or not. */
const SOCKET_TIMEOUT_MS = 500;
/** The connection's own connect timeout. */
const CONNECT_TIMEOUT_MS = 600;

await describeWithServices(['redis'], 'fault injection: Redis through a TCP proxy, under load', () => {
  let admin: Redis;
  let proxy: TcpProxy;
  let app: INestApplicationContext | undefined;

  beforeAll(async () => {
    admin = new Redis({ host, port, lazyConnect: true });
    await admin.connect();
    proxy = await TcpProxy.start(port);
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.close();
    if (admin) {
      const keys = await scanKeys();
      if (keys.length) await admin.del(...keys);
      await admin.quit();
    }
  });

  /** This run's keys, by SCAN (bounded: a few thousand keys at most). */
  async function scanKeys(): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    for (let n = 0; n < 10_000; n++) {
      const [next, batch] = await admin.scan(cursor, 'MATCH', `${marker}:*`, 'COUNT', 1_000);
      keys.push(...batch);
      cursor = next;
      if (cursor === '0') break;
    }
    return keys;
  }

  /** This run's clients as the server lists them. */
  async function clients(): Promise<number> {
    const list = (await admin.client('LIST')) as string;
    return list.split('\n').filter((line) => line.includes(` name=${marker} `)).length;
  }

  it('cut, refuse, latency and half-open sockets: every SET NX lands once, failures only during refuse/half-open, recovery < 1 s, no leak', async () => {
    const rejections = watchUnhandledRejections();
    const booted = await bootApp({
      connections: [
        {
          name: 'faulty-cache',
          type: 'redis',
          connectTimeout: CONNECT_TIMEOUT_MS,
          drainTimeout: '2s',
          options: {
            url: `redis://127.0.0.1:${proxy.port}/0`,
            connectionName: marker,
            // Half-open sockets are only seen by timeouts: ioredis' own, passed through.
            socketTimeout: SOCKET_TIMEOUT_MS,
            connectTimeout: SOCKET_TIMEOUT_MS,
          },
        },
      ],
    });
    app = booted.app;
    const conn = booted.registry.get<RedisConnection>('faulty-cache');
    await admin.set(`${marker}:probe`, 'here');

    const driver = new LoadDriver({
      readers: 2,
      writers: 2,
      readEveryMs: 20,
      writeEveryMs: 20,
      writeRetryEveryMs: 25,
      writeDeadlineMs: 8_000,
      maxOps: 2_000,
      idPrefix: 'w',
      read: async () => {
        const value = await conn.use((redis) => redis.get(`${marker}:probe`), { retry: true });
        if (value !== 'here') throw new Error(`read the wrong value: ${value}`);
      },
      write: (id) => conn.use((redis) => redis.set(`${marker}:${id}`, '1', 'NX'), { retry: true }),
    });
    const peak = sampleMax(clients, 50);
    driver.start();

    await until(() => driver.reads.filter((r) => r.ok).length >= 20 && driver.landed.size >= 20, 'a steady stream', 5_000);
    const warmClients = await clients();
    const heapWarm = heapUsedMb();

    const { phases, generations } = faultSchedule(proxy, () => conn.generation, {
      refuseSlackMs: 250,
      halfOpenSlackMs: CONNECT_TIMEOUT_MS + 150,
    });
    const { windows } = await runSchedule(driver, phases);

    await driver.stop();
    const steadyClients = await clients();
    await peak.stop();
    const heapEnd = heapUsedMb();
    const keys = new Set((await scanKeys()).filter((key) => key !== `${marker}:probe`));
    const missing = driver.attempted.filter((id) => !keys.has(`${marker}:${id}`));

    await app.close();
    app = undefined;
    const leaked = await until(async () => ((await clients()) === 0 ? 'none' : null), 'clients to end', 5_000).then(
      () => 0,
      () => clients(),
    );
    rejections.stop();

    expectFaultOutcome(
      {
        label: 'redis',
        driver,
        windows,
        generations,
        generation: conn.generation,
        server: { unit: 'clients', warm: warmClients, steady: steadyClients, peak: peak.max, leaked },
        heapMb: { warm: heapWarm, end: heapEnd },
        rejections,
        landed: `landed=${keys.size} missing=${missing.length}`,
      },
      proxy,
    );
    // Every write landed exactly once (one key per id, SET NX), and no other key appeared.
    expect(missing).toEqual([]);
    expect(keys.size).toBe(driver.attempted.length);
    // One client in service; one more while an old one drains.
    expect(warmClients).toBe(1);
    expect(steadyClients).toBe(1);
    expect(peak.max).toBeLessThanOrEqual(2);
  });

  it('without socketTimeout: a half-open connect ends at connectTimeout with its socket closed, and a half-open client is still disposed', async () => {
    const halfProxy = await TcpProxy.start(port);
    try {
      const booted = await bootApp({
        connections: [
          {
            name: 'bare-cache',
            type: 'redis',
            connectTimeout: 300,
            options: { url: `redis://127.0.0.1:${halfProxy.port}/0`, connectionName: marker },
          },
        ],
      });
      app = booted.app;
      const conn = booted.registry.get<RedisConnection>('bare-cache');
      const disposed: number[] = [];
      conn.events$.subscribe((e) => e.type === 'disposed' && disposed.push(e.generation));
      expect(await conn.use((redis) => redis.ping())).toBe('PONG');

      halfProxy.blackhole();
      // The client in service sits on a dead socket: a reset must still dispose it (QUIT is never answered).
      await conn.reset();
      await until(() => disposed.includes(1), 'generation 1 to be disposed', 3_000);
      // A connect to a server that accepts and never answers is given up, and its socket closed.
      const err = await conn.resolve().catch((e: unknown) => e);
      expect(String(err)).toMatch(/timed out after 300 ms/);
      await until(() => halfProxy.open === 0, 'the given-up sockets to close', 3_000);

      halfProxy.restore();
      expect(await conn.use((redis) => redis.ping())).toBe('PONG');
      expect(halfProxy.open).toBe(1);
      const closing = app.close();
      app = undefined;
      await closing;
      expect(halfProxy.open).toBe(0);
    } finally {
      await halfProxy.close();
    }
  });
});
