import { afterEach, describe, expect, it, vi } from 'vitest';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { CircuitOpenError, Connection, ConnectError, type ConnectionEvent } from 'nestjs-connections';
import { bootApp } from '../support/app.js';
import { ControlledBase } from '../support/controlled-connection.js';
import { flush } from '../support/deferred.js';

let app: INestApplicationContext | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await app?.close();
  app = undefined;
});

@Connection({ name: 'slow', connectTimeout: 20 })
class Slow extends ControlledBase {}

@Connection({ name: 'guarded', retry: { attempts: 5, initialDelay: 1, maxDelay: 1 }, circuitBreaker: { threshold: 3, halfOpenAfter: '10s' } })
class Guarded extends ControlledBase {}

describe('L4 connect policies: retry with backoff, circuit breaker, connect timeout', () => {
  it('connectTimeout gives up on a hanging _connect, and disposes its instance if it arrives late', async () => {
    const booted = await bootApp({ connections: [Slow] });
    app = booted.app;
    const conn = booted.registry.get<Slow>('slow');
    const error = await conn.resolve().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as Error).message).toMatch(/"slow".*timed out after 20 ms/);
    expect(conn.state).toBe('failed');
    const late = conn.succeed(0);
    await flush();
    expect(late.disposed).toBe(1);
    expect(conn.generation).toBe(0);
  });

  it('the breaker stops retries once open, and its transitions show in info() and events', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const booted = await bootApp({ connections: [Guarded] });
    app = booted.app;
    const conn = booted.registry.get<Guarded>('guarded');
    const events: ConnectionEvent[] = [];
    conn.events$.subscribe((e) => events.push(e));
    conn.failNext = 100;
    const error = await conn.resolve().catch((e: unknown) => e);
    // 3 tries opened the breaker; the retry policy did not call _connect a 4th or 5th time.
    expect(conn.connects).toHaveLength(3);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(conn.info().circuit).toBe('open');
    expect(events.filter((e) => e.type === 'circuit-open')).toHaveLength(1);
    vi.setSystemTime(Date.now() + 11_000);
    conn.failNext = 0;
    conn.auto = true;
    await conn.resolve();
    expect(conn.info().circuit).toBe('closed');
    expect(events.map((e) => e.type)).toContain('circuit-half-open');
    expect(events.map((e) => e.type)).toContain('circuit-closed');
  });
});

describe('Connect failures in the log', () => {
  it('an outage under load logs one warning per 5 s per connection, then says how many were held back', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const warnings: string[] = [];
    const spy = vi.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
      warnings.push(String(message));
    });
    try {
      const booted = await bootApp({ connections: [Slow] });
      app = booted.app;
      const conn = booted.registry.get<Slow>('slow');
      conn.failNext = 1_000;
      for (let i = 0; i < 50; i++) await conn.resolve().catch(() => undefined);
      expect(conn.info().failures).toBe(50);
      expect(warnings.filter((w) => w.includes('"slow" failed to connect'))).toHaveLength(1);
      vi.setSystemTime(Date.now() + 5_001);
      await conn.resolve().catch(() => undefined);
      const logged = warnings.filter((w) => w.includes('"slow" failed to connect'));
      expect(logged).toHaveLength(2);
      expect(logged[1]).toContain('(49 more failures since the last warning)');
    } finally {
      spy.mockRestore();
    }
  });
});
