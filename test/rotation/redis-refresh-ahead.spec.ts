import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ConnectionEvent } from 'nestjs-connections';
import type { RedisConnection } from 'nestjs-connections/redis';
import { bootApp } from '../support/app.js';
import { describeWithServices, SERVICES } from '../support/services.js';
import { until } from '../support/until.js';
import { captureLogs } from '../resilience/support/rotation.js';

const hex = (n = 6) => randomBytes(n).toString('hex');
const ROTATE_EVERY_MS = 2_000;
const ROTATIONS = 15; // 30 s
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

await describeWithServices(['redis'], 'RR Redis ACL user whose password rotates, with refreshAhead', () => {
  const user = `creds_rr_${hex()}`;
  const prefix = `creds-rr:${hex()}:`;
  const passwords = [`p0-${hex()}`];
  let admin: Redis;
  let app: INestApplicationContext | undefined;
  const { host, port } = SERVICES.redis;

  /** Only what the test needs: its own keys, and the connection commands ioredis sends. */
  const setPassword = (password: string) =>
    admin.call('ACL', 'SETUSER', user, 'on', 'resetpass', `>${password}`, 'resetkeys', `~${prefix}*`, '-@all', '+@connection', '+get', '+set', '+info');
  const clientsOfUser = async () => String(await admin.call('CLIENT', 'LIST')).split('\n').filter((line) => line.includes(` user=${user} `)).length;

  beforeAll(async () => {
    admin = new Redis({ host, port });
    await setPassword(passwords[0]);
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(async () => {
    await admin?.call('ACL', 'DELUSER', user);
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length) await admin.del(...keys);
    admin?.disconnect();
  });

  it(
    `RR1 the password changes every ${ROTATE_EVERY_MS} ms for ${(ROTATE_EVERY_MS * ROTATIONS) / 1000} s while commands run; refreshAhead replaces the client in the background with the current password: 0 failed commands`,
    async () => {
      let version = 0;
      const calls: number[] = [];
      const logs = captureLogs();
      const booted = await bootApp({
        connections: [
          {
            name: 'rr',
            type: 'redis',
            ttl: '2s',
            refreshAhead: '1s',
            options: {
              host,
              port,
              username: user,
              password: () => {
                calls.push(version);
                return passwords[version];
              },
            },
          },
        ],
      });
      app = booted.app;
      const conn = booted.registry.get<RedisConnection>('rr');
      const events: ConnectionEvent[] = [];
      conn.events$.subscribe((e) => events.push(e));
      await conn.resolve();

      let running = true;
      const results = { ok: 0, failed: [] as string[] };
      const worker = async (n: number) => {
        const key = `${prefix}${n}`;
        for (let i = 0; running; i++) {
          try {
            await conn.use((redis) => redis.set(key, String(i)));
            if ((await conn.use((redis) => redis.get(key))) !== String(i)) throw new Error('read back another value');
            results.ok += 2;
          } catch (err) {
            results.failed.push((err as Error).message);
          }
          await sleep(5);
        }
      };
      const workers = [1, 2, 3, 4].map(worker);
      const started = Date.now();
      for (let i = 1; i <= ROTATIONS; i++) {
        await sleep(Math.max(0, started + i * ROTATE_EVERY_MS - Date.now()));
        const next = `p${i}-${hex()}`;
        await setPassword(next);
        passwords.push(next);
        version = passwords.length - 1;
      }
      running = false;
      await Promise.all(workers);

      // Connect outcomes in order, paired with the password version each connect was given.
      const outcomes = events.filter((e) => e.type === 'connected' || e.type === 'connect-failed').map((e) => e.type);
      expect(outcomes).toHaveLength(calls.length);
      const used = new Set(calls.filter((_, i) => outcomes[i] === 'connected'));
      const refreshed = events.filter((e) => e.type === 'refreshed').length;
      const refreshFailed = events.filter((e) => e.type === 'refresh-failed').length;
      console.log(
        `[redis ACL rotation] commands ok=${results.ok} failed=${results.failed.length}; refreshed=${refreshed}, ` +
          `refresh-failed=${refreshFailed}, passwords used=${used.size} of ${passwords.length}`,
      );
      expect(results.failed).toEqual([]);
      expect(results.ok).toBeGreaterThan(1_000);
      expect(refreshed).toBeGreaterThanOrEqual(ROTATIONS);
      expect(used.size).toBeGreaterThan(ROTATIONS / 2); // each refresh read the current password
      expect(events.filter((e) => e.type === 'expired' || e.type === 'reset')).toEqual([]); // no caller ever waited for a ttl connect
      expect(conn.info().refreshAt).not.toBeNull();
      const visible = [JSON.stringify(events), JSON.stringify(conn.info()), ...logs.lines].join('\n');
      logs.restore();
      for (const password of passwords) expect(visible).not.toContain(password);

      // The rotation was real: the first password is refused now.
      const stale = new Redis({ host, port, retryStrategy: () => null });
      const refused = await stale.call('AUTH', user, passwords[0]).then(() => 'ok', (e: Error) => e.message);
      expect(refused).toMatch(/WRONGPASS/);
      expect(await stale.call('AUTH', user, passwords.at(-1)!)).toBe('OK');
      stale.disconnect();

      await app.close();
      app = undefined;
      await until(async () => (await clientsOfUser()) === 0, 'every client of the ACL user to close', 5_000);
    },
    60_000,
  );
});
