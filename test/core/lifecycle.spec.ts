import { afterEach, describe, expect, it, vi } from 'vitest';
import type { INestApplicationContext } from '@nestjs/common';
import { CircuitOpenError, Connection, ConnectError, ConnectionRegistry, type ConnectionClass } from 'nestjs-connections';
import { bootApp } from '../support/app.js';
import { ControlledBase, ControlledConnection, FakeClient } from '../support/controlled-connection.js';
import { flush } from '../support/deferred.js';

let app: INestApplicationContext | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await app?.close();
  app = undefined;
});

async function boot(...connections: ConnectionClass[]) {
  const booted = await bootApp({ connections });
  app = booted.app;
  return booted;
}

@Connection({ name: 'eager-ok', eager: true })
class EagerOk extends ControlledBase {
  override auto = true;
}

@Connection({ name: 'eager-bad', eager: true })
class EagerBad extends ControlledBase {
  override failNext = 1;
}

@Connection({ name: 'retrying', retry: { attempts: 3, initialDelay: 1, maxDelay: 2 } })
class Retrying extends ControlledBase {
  override auto = true;
}

@Connection({ name: 'breaker', circuitBreaker: { threshold: 2, halfOpenAfter: '1s' } })
class Breaker extends ControlledBase {}

describe('L1 lazy bootstrap', () => {
  it('L1 bootstrapping performs no _connect', async () => {
    const { registry } = await boot(ControlledConnection);
    const conn = registry.get<ControlledConnection>('controlled');
    expect(conn.connects).toHaveLength(0);
    expect(conn.state).toBe('idle');
    expect(conn.generation).toBe(0);
  });

  it('L1 an eager connection connects during bootstrap', async () => {
    const { registry } = await boot(EagerOk);
    const conn = registry.get<EagerOk>('eager-ok');
    expect(conn.connects).toHaveLength(1);
    expect(conn.state).toBe('connected');
  });

  it('L1 an eager connection that fails fails bootstrap with a ConnectError naming it', async () => {
    const failure = bootApp({ connections: [EagerBad] });
    await expect(failure).rejects.toBeInstanceOf(ConnectError);
    await expect(failure).rejects.toMatchObject({ connectionName: 'eager-bad', message: expect.stringContaining('"eager-bad"') });
  });
});

describe('L2 single flight', () => {
  it('L2 500 concurrent resolves run _connect once and all get the same instance', async () => {
    const { app: a } = await boot(ControlledConnection);
    const conn = a.get(ControlledConnection);
    const all = Promise.all(Array.from({ length: 500 }, () => conn.resolve()));
    await flush();
    expect(conn.connects).toHaveLength(1);
    expect(conn.state).toBe('connecting');
    const client = conn.succeed(0);
    const results = await all;
    expect(new Set(results)).toEqual(new Set([client]));
    expect(conn.connects).toHaveLength(1);
  });

  it('L2 concurrent resolve() and use() callers all get the same error', async () => {
    const { app: a } = await boot(ControlledConnection);
    const conn = a.get(ControlledConnection);
    const calls = [
      ...Array.from({ length: 200 }, () => conn.resolve()),
      ...Array.from({ length: 200 }, () => conn.use((raw) => raw.id)),
    ].map((p) => p.then(() => 'resolved', (err: unknown) => err));
    await flush();
    expect(conn.connects).toHaveLength(1);
    conn.fail(0, new Error('boom'));
    const errors = await Promise.all(calls);
    expect(new Set(errors).size).toBe(1);
    expect(errors[0]).toBeInstanceOf(ConnectError);
    expect((errors[0] as ConnectError).cause).toBeInstanceOf(Error);
    expect(conn.state).toBe('failed');
  });
});

describe('L3 cached instance', () => {
  it('L3 after success resolve() returns the instance without calling _connect', async () => {
    const { app: a } = await boot(ControlledConnection);
    const conn = a.get(ControlledConnection);
    const first = conn.resolve();
    await flush();
    const client = conn.succeed(0);
    expect(await first).toBe(client);
    for (let i = 0; i < 100; i++) expect(await conn.resolve()).toBe(client);
    expect(await conn.use((raw) => raw)).toBe(client);
    expect(conn.connects).toHaveLength(1);
    expect(conn.generation).toBe(1);
    expect(conn.info()).toMatchObject({ state: 'connected', connects: 1, generation: 1, failures: 0 });
  });
});

describe('L4 failures are not cached', () => {
  it('L4 the next resolve() after a failure tries again', async () => {
    const { app: a } = await boot(ControlledConnection);
    const conn = a.get(ControlledConnection);
    const first = conn.resolve();
    await flush();
    conn.fail(0);
    await expect(first).rejects.toBeInstanceOf(ConnectError);
    expect(conn.info()).toMatchObject({ state: 'failed', failures: 1, lastError: 'refused by test' });
    const second = conn.resolve();
    await flush();
    expect(conn.connects).toHaveLength(2);
    const client = conn.succeed(1);
    expect(await second).toBe(client);
    expect(conn.info()).toMatchObject({ state: 'connected', lastError: null, connects: 1, failures: 1 });
  });

  it('L4 retry spaces attempts with backoff and succeeds within one resolve()', async () => {
    const { registry } = await boot(Retrying);
    const conn = registry.get<Retrying>('retrying');
    conn.failNext = 2;
    const client = await conn.resolve();
    expect(client).toBeInstanceOf(FakeClient);
    expect(conn.connects).toHaveLength(3);
    expect(conn.info()).toMatchObject({ failures: 2, connects: 1, generation: 1 });
  });

  it('L4 retry gives up after its attempts with the last error', async () => {
    const { registry } = await boot(Retrying);
    const conn = registry.get<Retrying>('retrying');
    conn.failNext = 5;
    await expect(conn.resolve()).rejects.toBeInstanceOf(ConnectError);
    expect(conn.connects).toHaveLength(3);
  });

  it('L4 an open circuit rejects with CircuitOpenError without calling _connect, then half-opens for one trial', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { registry } = await boot(Breaker);
    const conn = registry.get<Breaker>('breaker');
    conn.failNext = 2;
    await expect(conn.resolve()).rejects.toBeInstanceOf(ConnectError);
    await expect(conn.resolve()).rejects.toBeInstanceOf(ConnectError);
    expect(conn.info().circuit).toBe('open');
    const blocked = await Promise.all(Array.from({ length: 20 }, () => conn.resolve().catch((e: unknown) => e)));
    expect(blocked.every((e) => e instanceof CircuitOpenError)).toBe(true);
    expect(conn.connects).toHaveLength(2);

    vi.setSystemTime(Date.now() + 1_500);
    conn.auto = true;
    const trial = Promise.all(Array.from({ length: 20 }, () => conn.resolve()));
    const clients = await trial;
    expect(conn.connects).toHaveLength(3);
    expect(new Set(clients).size).toBe(1);
    expect(conn.info().circuit).toBe('closed');
  });

  it('L4 the registry exposes the same instance by name and by class', async () => {
    const { app: a, registry } = await boot(ControlledConnection);
    expect(registry.get('controlled')).toBe(a.get(ControlledConnection));
    expect(a.get(ConnectionRegistry)).toBe(registry);
  });
});
