import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BaseConnection,
  Connection,
  ConnectionClosedError,
  ConnectionRegistry,
  ConnectionsModule,
  InjectConnection,
  PingError,
  type ResetResult,
} from 'nestjs-connections';
import { bootApp } from '../support/app.js';
import { ControlledBase, FakeClient } from '../support/controlled-connection.js';
import { deferred } from '../support/deferred.js';

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

@Connection({ name: 'hard' })
class Hard extends ControlledBase {}

async function boot(): Promise<Hard> {
  const { app } = await bootApp({ connections: [Hard] });
  closers.push(() => app.close());
  return app.get(Hard);
}

describe('R5 lease: use() never starts fn on an instance a reset has already retired', () => {
  // The reset lands a few microtasks after the connect settles; at every depth, the instance
  // `fn` gets must still be in service when `fn` starts (a lease taken one `await` before `fn`
  // ran could start it on a retired one).
  for (let depth = 0; depth <= 8; depth++) {
    it(`reset ${depth} microtasks after the connect settles`, async () => {
      const conn = await boot();
      const seen: Array<{ id: number; inService: boolean }> = [];
      const work = conn.use(async (client) => {
        seen.push({ id: client.id, inService: conn.state === 'connected' && client.disposed === 0 });
        return client.id;
      });
      await Promise.resolve();
      const d = deferred<void>();
      let chain: Promise<void> = d.promise;
      for (let i = 0; i < depth; i++) chain = chain.then(() => undefined);
      const resetting = chain.then(() => conn.reset());
      conn.connects[0].promise.then(() => d.resolve());
      conn.succeed(0);
      conn.auto = true; // a use() sent to the next instance gets it at once
      await resetting;
      await work;
      expect(seen).toHaveLength(1);
      expect(seen[0].inService).toBe(true);
    });
  }
});

describe('R7 swap: concurrent swaps share one replacement', () => {
  it('8 concurrent swaps open one new instance, answer alike, and dispose the old one once', async () => {
    const conn = await boot();
    const first = conn.resolve();
    const old = conn.succeed(0);
    await first;
    const swaps = Array.from({ length: 8 }, () => conn.reset({ strategy: 'swap' }));
    expect(conn.connects).toHaveLength(2); // one replacement connect, not eight
    const replacement = conn.succeed(1);
    const results: ResetResult[] = await Promise.all(swaps);
    for (const result of results) expect(result).toEqual({ name: 'hard', reset: true, previousGeneration: 1, generation: 2 });
    expect(await conn.resolve()).toBe(replacement);
    await conn.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(old.disposed).toBe(1);
    expect(conn.generation).toBe(2);
  });

  it('a swap asked for after the shared one finished opens its own replacement', async () => {
    const conn = await boot();
    conn.auto = true;
    await conn.resolve();
    await conn.reset({ strategy: 'swap' });
    await conn.reset({ strategy: 'swap' });
    expect(conn.generation).toBe(3);
  });
});

describe('M1 ping: a failing _ping leaves masked', () => {
  @Connection({ name: 'pinged', options: { password: 'pw-9f3c2a' } })
  class Pinged extends BaseConnection<object, { password: string }> {
    protected override _connect(): object {
      return {};
    }
    protected override async _ping(): Promise<void> {
      throw new Error('auth failed for password pw-9f3c2a');
    }
  }

  it('ping() rejects with a message that does not hold the password', async () => {
    const { app } = await bootApp({ connections: [Pinged] });
    closers.push(() => app.close());
    const err = (await app.get(Pinged).ping().catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(PingError);
    expect(err.message).toBe('auth failed for password ***');
  });
});

describe('S1 options copy: _connect gets its own copy of the options', () => {
  @Connection({ name: 'mutating', options: { pool: { max: 2 }, hosts: ['a'] } })
  class Mutating extends BaseConnection<object, { pool: { max: number }; hosts: string[] }> {
    readonly seen: Array<{ max: number; hosts: string[] }> = [];
    protected override _connect(options: { pool: { max: number }; hosts: string[] }): object {
      this.seen.push({ max: options.pool.max, hosts: [...options.hosts] });
      options.pool.max = 99;
      options.hosts.push('mutated');
      return {};
    }
    get bound() {
      return this._options;
    }
  }

  it('what one _connect changes is not seen by the next one, nor in _options', async () => {
    const { app } = await bootApp({ connections: [Mutating] });
    closers.push(() => app.close());
    const conn = app.get(Mutating);
    await conn.resolve();
    await conn.reset();
    await conn.resolve();
    expect(conn.seen).toEqual([
      { max: 2, hosts: ['a'] },
      { max: 2, hosts: ['a'] },
    ]);
    expect(conn.bound).toEqual({ pool: { max: 2 }, hosts: ['a'] });
  });
});

describe('D1 shutdown deadline: shutdownTimeout bounds app.close()', () => {
  /** A connect over a half-open path: it never settles and ignores its abort signal. */
  @Connection({ name: 'stuck' })
  class Stuck extends BaseConnection<object> {
    protected override _connect(): Promise<object> {
      return new Promise(() => undefined);
    }
  }

  it('a caller waiting on a stuck connect gets ConnectionClosedError and close() ends', async () => {
    const { app } = await bootApp({ connections: [Stuck], shutdownTimeout: '200ms' });
    const waiting = app.get(Stuck).resolve().catch((err: unknown) => err);
    await app.close();
    expect(await waiting).toBeInstanceOf(ConnectionClosedError);
  });

  it('an HTTP request stuck on a connect does not keep app.close() (and the server) up', async () => {
    @Controller('stuck')
    class StuckController {
      constructor(@InjectConnection('stuck') private readonly conn: Stuck) {}
      @Get()
      async get() {
        await this.conn.resolve();
        return 'never';
      }
    }
    @Module({ imports: [ConnectionsModule.forRoot({ secrets: false, connections: [Stuck], shutdownTimeout: '300ms' })], controllers: [StuckController] })
    class StuckApp {}
    const app = await NestFactory.create(StuckApp, { logger: false });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    const response = fetch(`http://127.0.0.1:${port}/stuck`).then((r) => r.status);
    // The request is in the handler, waiting on the connect.
    const registry = app.get(ConnectionRegistry);
    while (registry.get('stuck').state !== 'connecting') await new Promise((resolve) => setTimeout(resolve, 5));
    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeLessThan(10_000); // it ends (without the deadline it never does)
    expect(await response).toBe(500);
  });

  it('shutdownTimeout must be a positive duration (S4)', async () => {
    await expect(bootApp({ connections: [], shutdownTimeout: 'soon' as never })).rejects.toThrow(/shutdownTimeout/);
  });
});

void FakeClient;
