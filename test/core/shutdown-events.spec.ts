import { describe, expect, it } from 'vitest';
import { toArray } from 'rxjs';
import { Connection, ConnectionClosedError, type ConnectionEvent } from 'nestjs-connections';
import { bootApp } from '../support/app.js';
import { ControlledBase, ControlledConnection } from '../support/controlled-connection.js';
import { deferred, flush } from '../support/deferred.js';

@Connection({ name: 'second' })
class Second extends ControlledBase {
  override auto = true;
}

describe('D1 shutdown', () => {
  it('D1 app.close() disposes every live instance once, after draining, and resolve() then rejects', async () => {
    const { app, registry } = await bootApp({ connections: [ControlledConnection, Second] });
    const first = app.get(ControlledConnection);
    first.auto = true;
    const a = await first.resolve();
    const b = await registry.get<Second>('second').resolve();
    const gate = deferred<void>();
    const running = first.use(async (raw) => {
      await gate.promise;
      return raw.disposed;
    });
    await flush();
    const closing = app.close();
    await flush();
    expect(a.disposed).toBe(0); // still draining
    gate.resolve();
    expect(await running).toBe(0);
    await closing;
    expect(a.disposed).toBe(1);
    expect(b.disposed).toBe(1);
    expect(first.state).toBe('closed');
    await expect(first.resolve()).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(first.use(() => 1)).rejects.toThrow(/"controlled" is closed/);
    expect(await first.reset()).toMatchObject({ reset: false });
  });

  it('D1 a connect still in flight at shutdown is disposed when it finishes; its waiters get ConnectionClosedError', async () => {
    const { app } = await bootApp({ connections: [ControlledConnection] });
    const conn = app.get(ControlledConnection);
    const waiting = Array.from({ length: 20 }, () => conn.resolve().catch((e: unknown) => e));
    await flush();
    await app.close();
    const late = conn.succeed(0);
    const errors = await Promise.all(waiting);
    expect(errors.every((e) => e instanceof ConnectionClosedError)).toBe(true);
    await flush();
    expect(late.disposed).toBe(1);
    expect(conn.disposed).toEqual([late]);
  });
});

describe('E1 events', () => {
  it('E1 connecting, connected, failed, reset, expired, disposed and closed each emit one event', async () => {
    const { app, registry } = await bootApp({ connections: [ControlledConnection] });
    const conn = app.get(ControlledConnection);
    const own: ConnectionEvent[] = [];
    conn.events$.subscribe((e) => own.push(e));
    const all = new Promise<ConnectionEvent[]>((resolve) => registry.events$.pipe(toArray()).subscribe(resolve));

    const failing = conn.resolve().catch(() => undefined);
    await flush();
    conn.fail(0, new Error('nope'));
    await failing;
    const ok = conn.resolve();
    await flush();
    conn.succeed(1);
    await ok;
    await conn.reset();
    await flush();
    await app.close();

    const types = own.map((e) => e.type);
    expect(types).toEqual(['connecting', 'connect-failed', 'connecting', 'connected', 'reset', 'disposed', 'closed']);
    expect(own.map((e) => e.generation)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    for (const event of own) {
      expect(event.name).toBe('controlled');
      expect(new Date(event.at).toISOString()).toBe(event.at);
    }
    expect(own[1]).toMatchObject({ error: 'nope', durationMs: expect.any(Number) });
    expect(own[3].durationMs).toEqual(expect.any(Number));
    expect(await all).toEqual(own);
  });
});

describe('D1 bounded shutdown', () => {
  @Connection({ name: 'stuck', drainTimeout: 40 })
  class Stuck extends ControlledBase {
    override auto = true;
    override holdDisconnect = true;
  }

  it('D1 a _disconnect that never finishes is abandoned after drainTimeout, so app.close() ends', async () => {
    const { app, registry } = await bootApp({ connections: [Stuck] });
    const conn = registry.get<Stuck>('stuck');
    await conn.resolve();
    const events: ConnectionEvent[] = [];
    conn.events$.subscribe((e) => events.push(e));
    await app.close();
    expect(conn.disconnectGate).toHaveLength(1); // it was called, and is still hanging
    expect(events.map((e) => e.type)).toEqual(['disposed', 'closed']);
    expect(events[0].error).toMatch(/did not finish within 40 ms/);
    conn.disconnectGate[0].resolve();
  });
});
