import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Connection, ConnectionConfigError, type ConnectionEvent } from 'nestjs-connections';
import { bootApp } from '../support/app.js';
import { ControlledBase, type FakeClient } from '../support/controlled-connection.js';
import { flush } from '../support/deferred.js';
import { tempDir, writeAtomic } from '../support/temp-files.js';

const SECRET = 'hunter2-refresh-secret';

@Connection({ name: 'ahead', ttl: '10s', refreshAhead: '2s', options: { password: SECRET } })
class Ahead extends ControlledBase {}

@Connection({ name: 'ahead-retry', ttl: '10s', refreshAhead: '5s', retry: { attempts: 1, maxDelay: '1s' }, options: { password: SECRET } })
class AheadRetry extends ControlledBase {}

@Connection({ name: 'ahead-short', ttl: '2s', refreshAhead: '1s', retry: { attempts: 1, initialDelay: 100, maxDelay: '200ms' } })
class AheadShort extends ControlledBase {}

@Connection({ name: 'env-ahead', ttl: '1m' })
class EnvAhead extends ControlledBase {}

let app: INestApplicationContext | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
  vi.useRealTimers();
});

/** Boots the app with real timers, then fakes timers and Date for the refresh schedule (setImmediate stays real for flush()). */
async function connected<T extends ControlledBase>(cls: new () => T): Promise<{ conn: T; first: FakeClient; events: ConnectionEvent[] }> {
  const booted = await bootApp({ connections: [cls as never] });
  app = booted.app;
  const conn = booted.app.get(cls as never) as T;
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  const events: ConnectionEvent[] = [];
  conn.events$.subscribe((e) => events.push(e));
  conn.auto = true;
  const first = await conn.resolve();
  conn.auto = false;
  return { conn, first, events };
}

/** Advances the fake clock to the refresh that `info().refreshAt` announces, and lets it start. */
async function toRefresh(conn: ControlledBase): Promise<void> {
  const at = conn.info().refreshAt;
  expect(at).not.toBeNull();
  await vi.advanceTimersByTimeAsync(Math.max(0, Date.parse(at!) - Date.now()) + 1);
}

const types = (events: ConnectionEvent[], wanted: ConnectionEvent['type'][]) =>
  events.filter((e) => wanted.includes(e.type)).map((e) => `${e.type}:${e.generation}`);

describe('RA refresh ahead of ttl', () => {
  it('RA1 the replacement connects in the background at ttl - refreshAhead (jitter only earlier, at most 10%) and takes over; no caller waits', async () => {
    const { conn, first, events } = await connected(Ahead);
    const connectedAt = Date.parse(conn.info().connectedAt!);
    const refreshAt = Date.parse(conn.info().refreshAt!);
    expect(refreshAt).toBeLessThanOrEqual(connectedAt + 8_000);
    expect(refreshAt).toBeGreaterThanOrEqual(connectedAt + 8_000 - 800);

    await vi.advanceTimersByTimeAsync(refreshAt - Date.now() - 1);
    expect(conn.connects).toHaveLength(1); // not yet
    await toRefresh(conn);
    expect(conn.connects).toHaveLength(2); // the refresh is connecting, in the background

    // Meanwhile every caller is served at once by the instance in service.
    const served = await Promise.all(Array.from({ length: 50 }, () => conn.resolve()));
    expect(new Set(served)).toEqual(new Set([first]));
    expect(conn.state).toBe('connected');
    let release!: () => void;
    const leased = conn.use((client) => new Promise<FakeClient>((resolve) => (release = () => resolve(client))));
    await flush();

    const second = conn.succeed(1);
    await flush();
    expect(await conn.resolve()).toBe(second);
    expect(first.disposed).toBe(0); // R5: its use() is still running on it
    release();
    expect(await leased).toBe(first);
    await flush();
    expect(first.disposed).toBe(1);
    expect(types(events, ['connected', 'refreshed', 'reset', 'disposed'])).toEqual(['connected:1', 'connected:2', 'refreshed:1', 'disposed:1']);
    expect(conn.info()).toMatchObject({ generation: 2, resets: 0, state: 'connected' });
    // The next refresh follows the new instance.
    expect(Date.parse(conn.info().refreshAt!)).toBeGreaterThan(refreshAt);
  });

  it('RA2 a refresh that fails three times, then succeeds: the old instance serves throughout; refresh-failed x3 (masked), refreshed, disposed of the old', async () => {
    const { conn, first, events } = await connected(AheadRetry);
    const expiresAt = Date.parse(conn.info().connectedAt!) + 10_000;
    for (let failure = 1; failure <= 3; failure++) {
      await toRefresh(conn);
      expect(conn.connects).toHaveLength(failure + 1);
      conn.fail(failure, new Error(`auth failed for password ${SECRET}`));
      await flush();
      expect(await conn.resolve()).toBe(first);
      expect(conn.state).toBe('connected');
      // The next try is scheduled with backoff, before the hard ttl.
      const next = Date.parse(conn.info().refreshAt!);
      expect(next).toBeGreaterThan(Date.now());
      expect(next).toBeLessThan(expiresAt);
    }
    await toRefresh(conn);
    const replacement = conn.succeed(4);
    await flush();
    expect(await conn.resolve()).toBe(replacement);
    expect(first.disposed).toBe(1);
    expect(types(events, ['refresh-failed', 'refreshed', 'disposed', 'reset', 'expired'])).toEqual([
      'refresh-failed:1',
      'refresh-failed:1',
      'refresh-failed:1',
      'refreshed:1',
      'disposed:1',
    ]);
    const failed = events.filter((e) => e.type === 'refresh-failed');
    expect(failed.every((e) => e.error?.includes('***') && !e.error.includes(SECRET))).toBe(true);
    expect(JSON.stringify(events)).not.toContain(SECRET);
    expect(JSON.stringify(conn.info())).not.toContain(SECRET);
    expect(conn.info()).toMatchObject({ generation: 2, resets: 0, failures: 3 });
  });

  it('RA3 when every refresh fails, the instance serves until its hard ttl, and only then is dropped', async () => {
    const { conn, first, events } = await connected(AheadShort);
    const expiresAt = Date.parse(conn.info().connectedAt!) + 2_000;
    const servedBeforeTtl: FakeClient[] = [];
    while (conn.info().refreshAt !== null) {
      await toRefresh(conn);
      conn.fail(conn.connects.length - 1);
      await flush();
      if (Date.now() < expiresAt) servedBeforeTtl.push(await conn.resolve());
    }
    expect(new Set(servedBeforeTtl)).toEqual(new Set([first]));
    const tries = conn.connects.length - 1;
    expect(tries).toBeGreaterThanOrEqual(2);
    expect(events.filter((e) => e.type === 'refresh-failed')).toHaveLength(tries);
    expect(events.some((e) => e.type === 'expired')).toBe(false);
    await vi.advanceTimersByTimeAsync(Math.max(0, expiresAt - Date.now()) + 1);
    expect(conn.connects).toHaveLength(tries + 1); // no refresh past the ttl
    const next = conn.resolve();
    expect(conn.connects).toHaveLength(tries + 2); // T1: the hard ttl, lazily
    conn.succeed();
    expect(await next).not.toBe(first);
    expect(types(events, ['expired'])).toEqual(['expired:1']);
  });

  it('RA4 timers are cleared by a reset and by close: closing the app with a refresh pending leaves no timer', async () => {
    const { conn } = await connected(Ahead);
    expect(vi.getTimerCount()).toBe(1);
    await conn.reset();
    await flush(); // the old instance's disposal (its _disconnect timeout) finishes
    expect(vi.getTimerCount()).toBe(0);
    expect(conn.info().refreshAt).toBeNull();
    conn.auto = true;
    await conn.resolve();
    expect(vi.getTimerCount()).toBe(1);
    await app!.close();
    app = undefined;
    await flush();
    expect(vi.getTimerCount()).toBe(0);
    expect(conn.info().refreshAt).toBeNull();
  });

  it('RA4 the refresh timer is unref\'d: a pending refresh never keeps the process alive', async () => {
    const booted = await bootApp({ connections: [Ahead] });
    app = booted.app;
    const conn = booted.app.get(Ahead);
    conn.auto = true;
    const refTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = refTimers();
    await conn.resolve();
    expect(conn.info().refreshAt).not.toBeNull();
    expect(refTimers()).toBe(before);
  });

  it('RA4 closing the app while a refresh connects: the late replacement is disposed, never served; no timer is left', async () => {
    const { conn, first } = await connected(Ahead);
    await toRefresh(conn);
    expect(conn.connects).toHaveLength(2);
    const closing = app!.close();
    app = undefined;
    conn.succeed(1);
    await closing;
    await flush();
    expect(first.disposed).toBe(1);
    expect(conn.disposed).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('RA5 a swap reset that commits while a refresh connects wins over it; every instance is disposed once', async () => {
    const { conn, first } = await connected(Ahead);
    await toRefresh(conn);
    const swap = conn.reset({ strategy: 'swap' });
    expect(conn.connects).toHaveLength(3);
    const swapped = conn.succeed(2);
    const result = await swap;
    expect(result).toMatchObject({ reset: true, previousGeneration: 1 });
    const refreshed = conn.succeed(1); // the refresh arrives late: fenced
    await flush();
    expect(await conn.resolve()).toBe(swapped);
    expect(first.disposed).toBe(1);
    expect(refreshed.disposed).toBe(1);
    expect(swapped.disposed).toBe(0);
  });

  it('RA5 a refresh that commits while a swap reset connects: the swap still wins (its options may be new)', async () => {
    const { conn, first, events } = await connected(Ahead);
    await toRefresh(conn);
    const swap = conn.reset({ strategy: 'swap' });
    const refreshed = conn.succeed(1);
    await flush();
    expect(await conn.resolve()).toBe(refreshed);
    const swapped = conn.succeed(2);
    expect(await swap).toMatchObject({ reset: true, previousGeneration: 2 });
    await flush();
    expect(await conn.resolve()).toBe(swapped);
    expect(first.disposed).toBe(1);
    expect(refreshed.disposed).toBe(1);
    expect(types(events, ['refreshed', 'reset'])).toEqual(['refreshed:1', 'reset:2']);
  });

  it('RA6 a drop reset while a refresh connects: the replacement is disposed and never served', async () => {
    const { conn, first } = await connected(Ahead);
    await toRefresh(conn);
    await conn.reset();
    const late = conn.succeed(1);
    await flush();
    expect(late.disposed).toBe(1);
    expect(first.disposed).toBe(1);
    conn.auto = true;
    const next = await conn.resolve();
    expect(next).not.toBe(late);
    expect(next).not.toBe(first);
  });
});

describe('RA bad input', () => {
  async function bootFails(entry: Record<string, unknown>): Promise<ConnectionConfigError> {
    const err = await bootApp({ connections: [{ name: 'bad-ahead', type: Ahead, ...entry } as never] }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectionConfigError);
    return err as ConnectionConfigError;
  }

  it('RA7 refreshAhead >= ttl fails bootstrap naming the connection and refreshAhead', async () => {
    for (const refreshAhead of ['10s', '11s']) {
      const err = await bootFails({ ttl: '10s', refreshAhead });
      expect(err.key).toBe('refreshAhead');
      expect(err.message).toContain('"bad-ahead"');
      expect(err.message).toContain('less than ttl');
    }
  });

  it('RA7 refreshAhead without ttl fails bootstrap (ttl: null over a decorator ttl too)', async () => {
    const err = await bootFails({ ttl: null });
    expect(err.key).toBe('refreshAhead');
    expect(err.message).toContain('needs a ttl');
  });

  it('RA7 refreshAhead that is not a duration fails bootstrap; refreshAhead: null turns it off', async () => {
    const err = await bootFails({ refreshAhead: 'soon' });
    expect(err.key).toBe('refreshAhead');
    const ok = await bootApp({ connections: [{ name: 'no-ahead', type: Ahead, ttl: null, refreshAhead: null } as never] });
    app = ok.app;
    const conn = ok.registry.get<Ahead>('no-ahead');
    conn.auto = true;
    await conn.resolve();
    expect(conn.info()).toMatchObject({ ttlMs: null, refreshAt: null });
  });

  it('RA8 refresh_ahead from the environment (snake case) is a policy, not an option', async () => {
    const booted = await bootApp({
      connections: [EnvAhead],
      secrets: { files: [], env: { CONNECTIONS__ENV_AHEAD__REFRESH_AHEAD: '20s' } },
    });
    app = booted.app;
    const conn = booted.registry.get<EnvAhead>('env-ahead');
    conn.auto = true;
    await conn.resolve();
    const lead = Date.parse(conn.info().refreshAt!) - Date.parse(conn.info().connectedAt!);
    expect(lead).toBeLessThanOrEqual(40_000);
    expect(lead).toBeGreaterThanOrEqual(36_000);
    expect(conn.connects[0].options).not.toHaveProperty('refresh_ahead');
  });

  it('RA8 refresh_ahead and ttl from a secrets file section', async () => {
    const file = join(tempDir(), 'secrets.toml');
    writeAtomic(file, '[connections.env-ahead]\nttl = "10s"\nrefresh_ahead = "4s"\n');
    const booted = await bootApp({ connections: [EnvAhead], secrets: { files: [file], env: {} } });
    app = booted.app;
    const conn = booted.registry.get<EnvAhead>('env-ahead');
    conn.auto = true;
    await conn.resolve();
    const lead = Date.parse(conn.info().refreshAt!) - Date.parse(conn.info().connectedAt!);
    expect(conn.info().ttlMs).toBe(10_000);
    expect(lead).toBeLessThanOrEqual(6_000);
    expect(lead).toBeGreaterThanOrEqual(5_400);
    expect(conn.connects[0].options).toEqual({});
  });
});
