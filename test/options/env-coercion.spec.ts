import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { BaseConnection, Connection, ConnectionConfigError, ConnectionRegistry } from 'nestjs-connections';
import { bootApp } from '../support/app.js';
import { describeWithServices, SERVICES } from '../support/services.js';

let app: INestApplicationContext | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

const failure = (promise: Promise<unknown>) => promise.then(() => null, (err: unknown) => err as ConnectionConfigError);

await describeWithServices(['postgres', 'redis'], 'EC1 built-in SQL and Redis coerce environment strings', () => {
  it('EC1 SQL: CONNECTIONS__<NAME>__PORT, __POOL__MIN and __POOL__MAX strings become numbers (knex pool gets 2 and 4)', async () => {
    ({ app } = await bootApp({
      connections: [{ name: 'coerce-pg', type: 'sql', options: { dialect: 'postgresql', host: SERVICES.postgres.host, username: 'postgres', database: 'test', pool: {} } }],
      secrets: { env: { CONNECTIONS__COERCE_PG__PORT: String(SERVICES.postgres.port), CONNECTIONS__COERCE_PG__POOL__MIN: '2', CONNECTIONS__COERCE_PG__POOL__MAX: '4' } },
    }));
    const knex = await app.get(ConnectionRegistry).get<BaseConnection<Knex>>('coerce-pg').resolve();
    const pool = (knex.client as { pool: { min: number; max: number; numFree(): number; numUsed(): number } }).pool;
    expect(pool.min).toBe(2);
    expect(pool.max).toBe(4);
    expect(pool.numFree() + pool.numUsed()).toBeGreaterThanOrEqual(2); // pool.min warmed: it was a number, not "2"
  });

  it('EC2 SQL: a pool.max that is not a number fails bootstrap with ConnectionConfigError key "pool.max", without the value', async () => {
    const err = await failure(
      bootApp({
        connections: [{ name: 'coerce-bad', type: 'sql', options: { dialect: 'postgresql', host: 'h', pool: {} } }],
        secrets: { env: { CONNECTIONS__COERCE_BAD__POOL__MAX: 'plenty-of-them' } },
      }),
    );
    expect(err).toBeInstanceOf(ConnectionConfigError);
    expect(err).toMatchObject({ connectionName: 'coerce-bad', key: 'pool.max' });
    expect(err!.message).not.toContain('plenty-of-them');
  });

  it('EC3 Redis: __PORT, __DB, __TLS=false, __COMMAND_TIMEOUT and __ENABLEAUTOPIPELINING=yes strings become typed values under their camel-case keys', async () => {
    ({ app } = await bootApp({
      connections: [{ name: 'coerce-redis', type: 'redis', options: { host: SERVICES.redis.host } }],
      secrets: {
        env: {
          CONNECTIONS__COERCE_REDIS__PORT: String(SERVICES.redis.port),
          CONNECTIONS__COERCE_REDIS__DB: '3',
          CONNECTIONS__COERCE_REDIS__TLS: 'false',
          // A camel-case key no other layer sets: found in snake case, and coerced.
          CONNECTIONS__COERCE_REDIS__COMMAND_TIMEOUT: '4321',
          CONNECTIONS__COERCE_REDIS__ENABLEAUTOPIPELINING: 'yes',
        },
      },
    }));
    const redis = await app.get(ConnectionRegistry).get<BaseConnection<Redis>>('coerce-redis').resolve();
    expect(redis.options.port).toBe(SERVICES.redis.port);
    expect(redis.options.db).toBe(3);
    expect(redis.options.tls).toBeUndefined();
    expect(redis.options.commandTimeout).toBe(4321);
    expect(redis.options.enableAutoPipelining).toBe(true);
    expect(await redis.ping()).toBe('PONG');
  });

  it('EC4 Redis: a db that is not a number, and a tls that is not a boolean, fail bootstrap naming the key', async () => {
    for (const [variable, key] of [['DB', 'db'], ['TLS', 'tls']]) {
      const err = await failure(
        bootApp({
          connections: [{ name: 'coerce-redis', type: 'redis', options: { host: 'h' } }],
          secrets: { env: { [`CONNECTIONS__COERCE_REDIS__${variable}`]: 'the-third-one' } },
        }),
      );
      expect(err).toMatchObject({ name: 'ConnectionConfigError', connectionName: 'coerce-redis', key });
      expect(err!.message).not.toContain('the-third-one');
    }
  });
});

@Connection({ name: 'mutating', options: { pool: { max: 5 }, hosts: ['a'] } })
class MutatingConnection extends BaseConnection<Record<string, unknown>> {
  readonly seen: unknown[] = [];
  protected _connect(options: Record<string, unknown>): Record<string, unknown> {
    this.seen.push(structuredClone(options));
    (options.pool as { max: number }).max = 99;
    (options.hosts as string[]).push('b');
    options.added = true;
    return options;
  }
  optionsNow(): unknown {
    return this._options;
  }
}

await describeWithServices([], 'S1 _connect gets its own deep copy of the options', () => {
  it('S1 what _connect changes never leaks into the next connect (after reset) or into _options', async () => {
    ({ app } = await bootApp({ connections: [MutatingConnection] }));
    const conn = app.get(MutatingConnection);
    await conn.resolve();
    await conn.reset();
    await conn.resolve();
    expect(conn.seen).toEqual([
      { pool: { max: 5 }, hosts: ['a'] },
      { pool: { max: 5 }, hosts: ['a'] },
    ]);
    expect(conn.optionsNow()).toEqual({ pool: { max: 5 }, hosts: ['a'] });
  });
});
