import { afterEach, describe, expect, it, vi } from 'vitest';
import type { INestApplicationContext } from '@nestjs/common';
import { firstValueFrom, filter } from 'rxjs';
import { Connection, ConnectError, type ConnectionEvent } from 'nestjs-connections';
import { bootApp } from '../support/app.js';
import { ControlledBase, ControlledConnection, FakeClient } from '../support/controlled-connection.js';
import { deferred, flush } from '../support/deferred.js';

let app: INestApplicationContext | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await app?.close();
  app = undefined;
});

@Connection({ name: 'draining', drainTimeout: '10s' })
class Draining extends ControlledBase {
  override auto = true;
}

@Connection({ name: 'short-drain', drainTimeout: 30 })
class ShortDrain extends ControlledBase {
  override auto = true;
}

@Connection({ name: 'ttl', ttl: '15m' })
class WithTtl extends ControlledBase {
  override auto = true;
}

async function boot<T>(cls: new (...args: never[]) => T): Promise<T> {
  const booted = await bootApp({ connections: [cls as never] });
  app = booted.app;
  return booted.app.get(cls as never) as T;
}

/** A connected ControlledConnection and its client. */
async function connected(): Promise<{ conn: ControlledConnection; client: FakeClient }> {
  const conn = await boot(ControlledConnection);
  conn.auto = true;
  const client = await conn.resolve();
  conn.auto = false;
  return { conn, client };
}

function nextEvent(conn: ControlledBase, type: ConnectionEvent['type']): Promise<ConnectionEvent> {
  return firstValueFrom(conn.events$.pipe(filter((e) => e.type === type)));
}

describe('R1 idle reset', () => {
  it('R1 reset() on an idle connection resolves and does nothing', async () => {
    const conn = await boot(ControlledConnection);
    const result = await conn.reset();
    expect(result).toEqual({ name: 'controlled', reset: false, previousGeneration: 0, generation: 0 });
    expect(conn.connects).toHaveLength(0);
    expect(conn.info().resets).toBe(0);
    expect(conn.state).toBe('idle');
  });

  it('R1 100 concurrent resets dispose the old instance once', async () => {
    const { conn, client } = await connected();
    const results = await Promise.all(Array.from({ length: 100 }, () => conn.reset()));
    expect(results.filter((r) => r.reset)).toHaveLength(1);
    await flush();
    expect(client.disposed).toBe(1);
    expect(conn.disposed).toEqual([client]);
    expect(conn.info().resets).toBe(1);
  });
});

describe('R2 reconnect after reset', () => {
  it('R2 after reset() the next resolve() runs _connect and returns a new instance', async () => {
    const { conn, client } = await connected();
    await conn.reset();
    expect(conn.state).toBe('idle');
    const next = conn.resolve();
    await flush();
    expect(conn.connects).toHaveLength(2);
    const fresh = conn.succeed(1);
    expect(await next).toBe(fresh);
    expect(fresh).not.toBe(client);
    expect(conn.generation).toBe(2);
  });
});

describe('R3 fencing and R4 waiters', () => {
  it('R3 an instance whose connect began before reset() is never returned after it, and is disposed once', async () => {
    const conn = await boot(ControlledConnection);
    const before = Array.from({ length: 50 }, () => conn.resolve());
    await flush();
    expect(conn.connects).toHaveLength(1);
    const resetResult = await conn.reset();
    expect(resetResult.reset).toBe(true);
    const after = Array.from({ length: 50 }, () => conn.resolve());
    await flush();
    expect(conn.connects).toHaveLength(2);
    // The old connect finishes first: it must not leak into anyone's hands.
    const stale = conn.succeed(0);
    await flush();
    expect(stale.disposed).toBe(1);
    const fresh = conn.succeed(1);
    const got = await Promise.all([...after, ...before]);
    expect(new Set(got)).toEqual(new Set([fresh]));
    expect(stale.disposed).toBe(1);
    expect(conn.disposed).toEqual([stale]);
  });

  it('R3 a stale connect that finishes after the new one is still disposed, never served', async () => {
    const conn = await boot(ControlledConnection);
    const before = conn.resolve();
    await flush();
    await conn.reset();
    const after = conn.resolve();
    await flush();
    const fresh = conn.succeed(1);
    expect(await after).toBe(fresh);
    const stale = conn.succeed(0);
    expect(await before).toBe(fresh);
    await flush();
    expect(stale.disposed).toBe(1);
    expect(await conn.resolve()).toBe(fresh);
  });

  it('R4 callers already waiting on the older connect receive the post-reset instance (even if it failed)', async () => {
    const conn = await boot(ControlledConnection);
    const waiting = Array.from({ length: 100 }, () => conn.resolve());
    await flush();
    await conn.reset();
    conn.fail(0, new Error('old connect failed'));
    await flush();
    // The waiters did not get the old failure: they joined a new connect.
    expect(conn.connects).toHaveLength(2);
    const fresh = conn.succeed(1);
    expect(new Set(await Promise.all(waiting))).toEqual(new Set([fresh]));
  });
});

describe('R5 drain and R6 no blocking', () => {
  it('R5 use() in flight finishes on the old instance; _disconnect runs once, after it', async () => {
    const conn = await boot(Draining);
    const old = await conn.resolve();
    const gates = Array.from({ length: 20 }, () => deferred<void>());
    const seen: FakeClient[] = [];
    const inFlight = gates.map((gate) =>
      conn.use(async (raw) => {
        await gate.promise;
        seen.push(raw);
        expect(raw.disposed).toBe(0);
        return raw.id;
      }),
    );
    await flush();
    expect(conn.info().leases).toBe(20);
    await conn.reset();
    await flush();
    expect(old.disposed).toBe(0);
    gates.slice(0, 19).forEach((g) => g.resolve());
    await flush();
    expect(old.disposed).toBe(0);
    gates[19].resolve();
    expect(await Promise.all(inFlight)).toEqual(Array(20).fill(old.id));
    await flush();
    expect(old.disposed).toBe(1);
    expect(seen.every((raw) => raw === old)).toBe(true);
  });

  it('R5 _disconnect runs after drainTimeout when a use() never ends', async () => {
    const conn = await boot(ShortDrain);
    const old = await conn.resolve();
    const stuck = deferred<void>();
    const running = conn.use(() => stuck.promise);
    await flush();
    const disposed = nextEvent(conn, 'disposed');
    await conn.reset();
    const event = await disposed;
    expect(event.generation).toBe(1);
    expect(old.disposed).toBe(1);
    stuck.resolve();
    await running;
    await flush();
    expect(old.disposed).toBe(1);
  });

  it('R6 new resolve() calls are not blocked by the old instance draining', async () => {
    const conn = await boot(Draining);
    const old = await conn.resolve();
    const stuck = deferred<void>();
    const running = conn.use(() => stuck.promise);
    await flush();
    await conn.reset();
    const fresh = await conn.resolve();
    expect(fresh).not.toBe(old);
    expect(await conn.use((raw) => raw)).toBe(fresh);
    expect(old.disposed).toBe(0);
    stuck.resolve();
    await running;
    await flush();
    expect(old.disposed).toBe(1);
    expect(fresh.disposed).toBe(0);
  });

  it('R6 a slow _disconnect does not delay the next connect', async () => {
    const conn = await boot(Draining);
    await conn.resolve();
    conn.holdDisconnect = true;
    await conn.reset();
    await flush();
    expect(conn.disconnectGate).toHaveLength(1);
    const fresh = await conn.resolve();
    expect(conn.generation).toBe(2);
    conn.holdDisconnect = false;
    conn.disconnectGate[0].resolve();
    await flush();
    expect(fresh.disposed).toBe(0);
  });
});

describe('R7 swap', () => {
  it('R7 swap connects the replacement first, serving the old one meanwhile', async () => {
    const { conn, client } = await connected();
    const swapping = conn.reset({ strategy: 'swap' });
    await flush();
    expect(conn.connects).toHaveLength(2);
    expect(await conn.resolve()).toBe(client);
    expect(conn.state).toBe('connected');
    const fresh = conn.succeed(1);
    expect(await swapping).toEqual({ name: 'controlled', reset: true, previousGeneration: 1, generation: 2 });
    expect(await conn.resolve()).toBe(fresh);
    await flush();
    expect(client.disposed).toBe(1);
  });

  it('R7 a failed swap keeps the old instance in service, disposes nothing, and returns the error', async () => {
    const { conn, client } = await connected();
    const swapping = conn.reset({ strategy: 'swap' });
    await flush();
    conn.fail(1, new Error('replacement refused'));
    await expect(swapping).rejects.toBeInstanceOf(ConnectError);
    expect(await conn.resolve()).toBe(client);
    await flush();
    expect(client.disposed).toBe(0);
    expect(conn.disposed).toHaveLength(0);
    expect(conn.info()).toMatchObject({ state: 'connected', generation: 1, resets: 0 });
  });

  it('R7 swap on an idle connection behaves like drop', async () => {
    const conn = await boot(ControlledConnection);
    expect(await conn.reset({ strategy: 'swap' })).toMatchObject({ reset: false });
    expect(conn.connects).toHaveLength(0);
  });
});

describe('R8 reset result', () => {
  it('R8 ResetResult says what happened', async () => {
    const { conn } = await connected();
    expect(await conn.reset()).toEqual({ name: 'controlled', reset: true, previousGeneration: 1, generation: 1 });
    expect(await conn.reset()).toEqual({ name: 'controlled', reset: false, previousGeneration: 1, generation: 1 });
    conn.auto = true;
    await conn.resolve();
    expect(await conn.reset({ strategy: 'swap' })).toEqual({ name: 'controlled', reset: true, previousGeneration: 2, generation: 3 });
  });

  it('R8 an unknown strategy is refused with a clear error', async () => {
    const { conn } = await connected();
    await expect(conn.reset({ strategy: 'bogus' as never })).rejects.toThrow(/"controlled".*strategy/);
  });
});

describe('T1 ttl', () => {
  it('T1 an instance older than its ttl is replaced on the next resolve(), through fencing and drain', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const conn = await boot(WithTtl);
    const first = await conn.resolve();
    expect(conn.info().ttlMs).toBe(15 * 60_000);
    const gate = deferred<void>();
    const running = conn.use(() => gate.promise);
    await flush();
    vi.setSystemTime(Date.now() + 14 * 60_000);
    expect(await conn.resolve()).toBe(first);
    const expired = nextEvent(conn, 'expired');
    vi.setSystemTime(Date.now() + 2 * 60_000);
    const second = await conn.resolve();
    expect(second).not.toBe(first);
    expect((await expired).generation).toBe(1);
    expect(conn.generation).toBe(2);
    expect(first.disposed).toBe(0); // still leased
    gate.resolve();
    await running;
    await flush();
    expect(first.disposed).toBe(1);
    expect(conn.info().resets).toBe(0);
  });
});
