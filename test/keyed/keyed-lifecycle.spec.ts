import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { BaseConnection, Connection, ConnectionClosedError, ConnectionConfigError, ConnectionKeyError, ConnectionRegistry, UnknownConnectionError, runWithConnectionKey, type ConnectionEvent } from 'nestjs-connections';
import { bootApp } from '../support/app.js';
import { deferred, type Deferred } from '../support/deferred.js';

/** A keyed connection whose connects the test drives: one deferred per `_connect`, by key. */
class TenantClient {
  static next = 1;
  readonly id = TenantClient.next++;
  disposed = 0;
  constructor(readonly key: string, readonly options: Record<string, unknown>) {}
}

abstract class DrivenKeyed extends BaseConnection<TenantClient, Record<string, unknown>> {
  auto = true;
  readonly connects: Array<Deferred<TenantClient> & { key: string }> = [];
  readonly disposed: TenantClient[] = [];
  protected override _connect(options: Record<string, unknown>, context: { key?: string }): Promise<TenantClient> {
    const d = Object.assign(deferred<TenantClient>(), { key: context.key! });
    this.connects.push(d);
    if (this.auto) d.resolve(new TenantClient(context.key!, options));
    return d.promise;
  }
  protected override async _disconnect(client: TenantClient): Promise<void> {
    client.disposed++;
    this.disposed.push(client);
  }
}

@Connection({ name: 'tenants', keyed: {}, options: { base: true } })
class Tenants extends DrivenKeyed {}

@Connection({ name: 'bounded', keyed: { maxEntries: 50 } })
class Bounded extends DrivenKeyed {}

@Connection({ name: 'idle-keys', keyed: { idleTtl: 60 } })
class IdleKeys extends DrivenKeyed {}

@Connection({ name: 'plain' })
class Plain extends BaseConnection<object> {
  protected override _connect(): object {
    return {};
  }
}

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function boot<T>(cls: new (...args: never[]) => T, extra: Record<string, unknown> = {}): Promise<T> {
  const { app } = await bootApp({ connections: [cls as never, Plain], ...extra });
  closers.push(() => app.close());
  return app.get(cls as never) as T;
}

describe('K1 single flight per key', () => {
  it('200 keys x 50 concurrent first callers: exactly 200 connects, all in flight at once, each caller gets its key\'s instance', async () => {
    const conn = await boot(Tenants);
    conn.auto = false;
    const keys = Array.from({ length: 200 }, (_, i) => `tenant-${i}`);
    const calls = keys.flatMap((key) => Array.from({ length: 50 }, () => conn.for(key).resolve().then((client) => ({ key, client }))));
    // Different keys connect in parallel: every key's connect has started before any finished.
    expect(conn.connects).toHaveLength(200);
    expect(new Set(conn.connects.map((c) => c.key)).size).toBe(200);
    for (const c of conn.connects.toReversed()) c.resolve(new TenantClient(c.key, {}));
    const results = await Promise.all(calls);
    for (const { key, client } of results) expect(client.key).toBe(key);
    const byKey = new Map<string, Set<number>>();
    for (const { key, client } of results) byKey.set(key, (byKey.get(key) ?? new Set()).add(client.id));
    expect([...byKey.values()].every((ids) => ids.size === 1)).toBe(true);
    expect(conn.info().keys).toEqual({ count: 200, max: null, failed: 0 });
    expect(conn.info().generation).toBe(200);
  });

  it('the same handle while the key lives; _connect gets the key in its context', async () => {
    const conn = await boot(Tenants);
    expect(conn.for('a')).toBe(conn.for('a'));
    const client = await conn.for('a').resolve();
    expect(client.key).toBe('a');
    expect(client.options).toEqual({ base: true });
    expect(conn.for('a').info()).toMatchObject({ name: 'tenants', key: 'a', state: 'connected', generation: 1 });
  });

  it('a failed connect of one key is not cached and does not touch another key (L4 per key)', async () => {
    const conn = await boot(Tenants);
    conn.auto = false;
    const a = conn.for('a').resolve();
    const b = conn.for('b').resolve();
    conn.connects[0].reject(new Error('tenant a is down'));
    conn.connects[1].resolve(new TenantClient('b', {}));
    await expect(a).rejects.toThrow(/tenant a is down/);
    expect((await b).key).toBe('b');
    expect(conn.for('a').state).toBe('failed');
    expect(conn.info().keys?.failed).toBe(1);
    const again = conn.for('a').resolve();
    expect(conn.connects).toHaveLength(3);
    conn.connects[2].resolve(new TenantClient('a', {}));
    expect((await again).key).toBe('a');
  });
});

describe('K1 reset, drain and fencing per key', () => {
  it("a reset of key A while its use() calls run: they finish on A's old instance; key B untouched", async () => {
    const conn = await boot(Tenants);
    const oldA = await conn.for('a').resolve();
    const b = await conn.for('b').resolve();
    const gates = Array.from({ length: 20 }, () => deferred<void>());
    const running = gates.map((gate) =>
      conn.for('a').use(async (client) => {
        await gate.promise;
        return client;
      }),
    );
    const result = await conn.for('a').reset();
    expect(result).toEqual({ name: 'tenants', key: 'a', reset: true, previousGeneration: 1, generation: 1 });
    const newA = await conn.for('a').resolve();
    expect(newA).not.toBe(oldA);
    expect(oldA.disposed).toBe(0); // still draining
    for (const gate of gates) gate.resolve();
    for (const client of await Promise.all(running)) expect(client).toBe(oldA);
    await new Promise((resolve) => setImmediate(resolve));
    expect(oldA.disposed).toBe(1);
    expect(await conn.for('b').resolve()).toBe(b);
    expect(conn.for('b').generation).toBe(1);
    expect(b.disposed).toBe(0);
  });

  it('R3 per key: a connect of A that began before its reset is never handed out', async () => {
    const conn = await boot(Tenants);
    conn.auto = false;
    const before = conn.for('a').resolve();
    await conn.for('a').reset();
    const after = conn.for('a').resolve();
    conn.connects[0].resolve(new TenantClient('a', {})); // the fenced one
    await Promise.resolve();
    conn.connects[1].resolve(new TenantClient('a', {}));
    const [x, y] = await Promise.all([before, after]);
    expect(x).toBe(y); // R4: the waiter of the fenced connect gets the post-reset instance
    expect(x.id).not.toBe(conn.connects.length && (await conn.connects[0].promise).id);
    expect((await conn.connects[0].promise).disposed).toBe(1);
  });

  it('R7 swap per key keeps the old instance when the replacement fails', async () => {
    const conn = await boot(Tenants);
    const old = await conn.for('a').resolve();
    conn.auto = false;
    const swapping = conn.for('a').reset({ strategy: 'swap' });
    conn.connects[1].reject(new Error('no'));
    await expect(swapping).rejects.toThrow(/no/);
    expect(await conn.for('a').resolve()).toBe(old);
  });

  it('E1: every event of a key carries the key', async () => {
    const { app } = await bootApp({ connections: [Tenants] });
    const registry = app.get(ConnectionRegistry);
    const events: ConnectionEvent[] = [];
    const sub = registry.events$.subscribe((e) => events.push(e));
    const conn = app.get(Tenants);
    await conn.for('a').resolve();
    await conn.for('a').reset();
    await app.close();
    sub.unsubscribe();
    const ofA = events.filter((e) => e.type !== 'closed');
    expect(ofA.map((e) => e.type)).toEqual(['connecting', 'connected', 'reset', 'disposed']);
    expect(ofA.every((e) => e.key === 'a')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'closed', name: 'tenants' });
  });

  it('D1 per key: shutdown disposes every key once and later calls reject', async () => {
    const { app } = await bootApp({ connections: [Tenants] });
    const conn = app.get(Tenants);
    const clients = await Promise.all(['a', 'b', 'c'].map((key) => conn.for(key).resolve()));
    await app.close();
    expect(clients.map((c) => c.disposed)).toEqual([1, 1, 1]);
    await expect(conn.for('a').resolve()).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(conn.for('z').resolve()).rejects.toBeInstanceOf(ConnectionClosedError);
  });
});

describe('K2 eviction', () => {
  it('maxEntries 50 under a load over 500 keys: never more than 50 live instances, 0 failed calls, each disposed once', async () => {
    const { app } = await bootApp({ connections: [Bounded] });
    closers.push(() => app.close());
    const conn = app.get(Bounded);
    let live = 0;
    let peak = 0;
    const sub = app.get(ConnectionRegistry).events$.subscribe((event) => {
      if (event.type === 'connected') live++;
      if (event.type === 'disposed') live--;
      peak = Math.max(peak, live);
    });
    let failed = 0;
    let done = 0;
    // 20 workers, each picking random keys among 500 and holding each use() for a few ticks.
    await Promise.all(
      Array.from({ length: 20 }, async (_, worker) => {
        for (let i = 0; i < 150; i++) {
          const key = `k${(worker * 7919 + i * 104729) % 500}`;
          try {
            const client = await conn.for(key).use(async (c) => {
              await new Promise((resolve) => setImmediate(resolve));
              return c;
            });
            expect(client.key).toBe(key);
            expect(client.disposed).toBe(0);
            done++;
          } catch {
            failed++;
          }
        }
      }),
    );
    sub.unsubscribe();
    expect(failed).toBe(0);
    expect(done).toBe(3_000);
    expect(peak).toBeLessThanOrEqual(50);
    expect(conn.info().keys?.count).toBeLessThanOrEqual(50);
    await app.close();
    closers.pop();
    const created = conn.connects.length;
    expect(conn.disposed).toHaveLength(created);
    expect(new Set(conn.disposed).size).toBe(created); // each instance disposed exactly once
  });

  it('the least recently used key is the one retired, and asked for again it connects anew', async () => {
    @Connection({ name: 'three', keyed: { maxEntries: 3 } })
    class Three extends DrivenKeyed {}
    const conn = await boot(Three);
    const a = await conn.for('a').resolve();
    await conn.for('b').resolve();
    await conn.for('c').resolve();
    await conn.for('a').resolve(); // a is now more recent than b
    await conn.for('d').resolve(); // retires b
    await new Promise((resolve) => setImmediate(resolve));
    expect(conn.disposed.map((c) => c.key)).toEqual(['b']);
    expect(conn.for('a').generation).toBe(1);
    expect(await conn.for('a').resolve()).toBe(a);
    const b2 = await conn.for('b').resolve(); // retires c
    expect(b2.key).toBe('b');
    expect(conn.for('b').generation).toBe(1);
    expect(conn.info().generation).toBe(5);
  });

  it('idleTtl retires a key nobody used for that long', async () => {
    const conn = await boot(IdleKeys);
    const client = await conn.for('a').resolve();
    const kept = await conn.for('b').resolve();
    const until = Date.now() + 5_000;
    while (client.disposed === 0 && Date.now() < until) {
      await conn.for('b').resolve();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(client.disposed).toBe(1);
    expect(kept.disposed).toBe(0);
    expect(conn.info().keys?.count).toBe(1);
  });
});

describe('K3 binding a key to a request or a job', () => {
  it('inside runWithConnectionKey, resolve() / use() / reset() act on that key; outside, ConnectionKeyError', async () => {
    const conn = await boot(Tenants);
    const client = await runWithConnectionKey('acme', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return conn.use((c) => c);
    });
    expect(client.key).toBe('acme');
    expect(await runWithConnectionKey('acme', () => conn.resolve())).toBe(client);
    await expect(conn.resolve()).rejects.toBeInstanceOf(ConnectionKeyError);
    await expect(conn.use(() => 1)).rejects.toThrow(/tenants.*outside any key/);
  });

  it('a non-keyed connection ignores the key', async () => {
    const { app } = await bootApp({ connections: [Plain] });
    closers.push(() => app.close());
    const plain = app.get(Plain);
    expect(await runWithConnectionKey('acme', () => plain.resolve())).toBe(await plain.resolve());
  });
});

describe('K4 per-key options', () => {
  it('[connections.<name>.keys.<key>] tables and the async _optionsFor hook give each key its options', async () => {
    @Connection({ name: 'regions', keyed: {}, options: { host: 'default', port: 1 } })
    class Regions extends DrivenKeyed {
      protected override async _optionsFor(key: string, options: Record<string, unknown>) {
        await new Promise((resolve) => setTimeout(resolve, 1)); // e.g. a tenant lookup
        return { ...options, region: key.toUpperCase() };
      }
    }
    const { tempDir } = await import('../support/temp-files.js');
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = tempDir();
    const file = join(dir, 'secrets.toml');
    writeFileSync(file, '[connections.regions]\nport = 2\n[connections.regions.keys.eu]\nhost = "eu.example"\npassword = "eu-secret-77"\n');
    const conn = await boot(Regions, { secrets: { files: [file], env: false } });
    expect((await conn.for('eu').resolve()).options).toEqual({ host: 'eu.example', port: 2, password: 'eu-secret-77', region: 'EU' });
    expect((await conn.for('us').resolve()).options).toEqual({ host: 'default', port: 2, region: 'US' });
    expect(JSON.stringify(conn.info())).not.toContain('eu-secret-77');
  });
});

describe('K5 bad input', () => {
  it('an empty, non-string or over-long key is a ConnectionKeyError naming the connection', async () => {
    const conn = await boot(Tenants);
    expect(() => conn.for('')).toThrow(ConnectionKeyError);
    expect(() => conn.for(42 as never)).toThrow(/tenants.*non-empty string/);
    expect(() => conn.for('x'.repeat(201))).toThrow(/at most 200/);
    expect(() => conn.for('x'.repeat(201))).not.toThrow(/xxxx/);
  });

  it('for() on a connection that is not keyed', async () => {
    const { app } = await bootApp({ connections: [Plain] });
    closers.push(() => app.close());
    expect(() => app.get(Plain).for('a')).toThrow(/plain.*is not keyed/);
  });

  it('maxEntries below 1, an unknown keyed option, keyed with eager: ConnectionConfigError at bootstrap', async () => {
    @Connection({ name: 'zero', keyed: { maxEntries: 0 } })
    class Zero extends DrivenKeyed {}
    @Connection({ name: 'odd', keyed: { max: 3 } as never })
    class Odd extends DrivenKeyed {}
    @Connection({ name: 'eager-keyed', keyed: {}, eager: true })
    class EagerKeyed extends DrivenKeyed {}
    for (const [cls, key] of [
      [Zero, 'keyed.maxEntries'],
      [Odd, 'keyed.max'],
      [EagerKeyed, 'eager'],
    ] as const) {
      const err = (await bootApp({ connections: [cls] }).catch((e: unknown) => e)) as ConnectionConfigError;
      expect(err).toBeInstanceOf(ConnectionConfigError);
      expect(err.key).toBe(key);
    }
  });

  it('per-key tables on a connection that is not keyed', async () => {
    const { tempDir } = await import('../support/temp-files.js');
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const file = join(tempDir(), 'secrets.toml');
    writeFileSync(file, '[connections.plain.keys.a]\nhost = "x"\n');
    const err = (await bootApp({ connections: [Plain], secrets: { files: [file], env: false } }).catch((e: unknown) => e)) as ConnectionConfigError;
    expect(err).toBeInstanceOf(ConnectionConfigError);
    expect(err.key).toBe('keys');
  });
});

describe('K6 registry', () => {
  it('info().keys, keys() paged by last use, reset(name, { key })', async () => {
    const { app } = await bootApp({ connections: [Tenants, Plain] });
    closers.push(() => app.close());
    const registry = app.get(ConnectionRegistry);
    const conn = app.get(Tenants);
    for (const key of ['a', 'b', 'c', 'd', 'e']) await conn.for(key).resolve();
    await conn.for('b').resolve();
    const first = registry.keys('tenants', { limit: 2 });
    expect(first.items.map((i) => i.key)).toEqual(['b', 'e']);
    expect(first.items[0]).toMatchObject({ key: 'b', state: 'connected', generation: 1 });
    expect(first.next).toBe('e');
    const second = registry.keys('tenants', { limit: 10, after: first.next! });
    expect(second).toMatchObject({ next: null });
    expect(second.items.map((i) => i.key)).toEqual(['d', 'c', 'a']);
    const result = await registry.reset('tenants', { key: 'c' });
    expect(result).toEqual({ name: 'tenants', key: 'c', reset: true, previousGeneration: 1, generation: 1 });
    expect(conn.for('c').state).toBe('idle');
    expect(conn.for('a').state).toBe('connected');
    expect(() => registry.keys('plain')).toThrow(ConnectionKeyError);
    expect(() => registry.keys('nope')).toThrow(UnknownConnectionError);
    await expect(registry.reset('plain', { key: 'a' })).rejects.toBeInstanceOf(ConnectionKeyError);
  });
});
