import { describe, expect, it, vi } from 'vitest';
import { Connection, type ConnectionInfo, type ResetResult } from 'nestjs-connections';
import { AdminEventStreams } from '../../lib/ops/admin/admin-event-streams.js';
import { AutoConnection, ControlledBase, ControlledConnection } from '../support/controlled-connection.js';
import { httpAppPerTest, sseReader } from './http-app.js';

const BASE = '/admin/connections';

@Connection({ name: 'second' })
class SecondConnection extends ControlledBase {
  override auto = true;
}

const start = httpAppPerTest();

async function json<T = unknown>(response: Response): Promise<T> {
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  return (await response.json()) as T;
}

describe('GET /admin/connections', () => {
  it('lists every connection as ConnectionInfo', async () => {
    const { request, app } = await start({ connections: [AutoConnection, SecondConnection] });
    await app.get(AutoConnection).resolve();
    const response = await request(BASE);
    expect(response.status).toBe(200);
    const list = await json<ConnectionInfo[]>(response);
    expect(list.map((info) => info.name)).toEqual(['auto', 'second']);
    expect(list[0]).toMatchObject({ name: 'auto', type: 'AutoConnection', state: 'connected', generation: 1, connects: 1 });
    expect(list[1]).toMatchObject({ name: 'second', state: 'idle', generation: 0, connectedAt: null });
  });

  it('answers with a trailing slash too', async () => {
    const { request } = await start({ connections: [AutoConnection] });
    const response = await request(`${BASE}/`);
    expect(response.status).toBe(200);
    expect((await json<ConnectionInfo[]>(response)).map((info) => info.name)).toEqual(['auto']);
  });
});

describe('GET /admin/connections/:name', () => {
  it('answers the ConnectionInfo of that connection', async () => {
    const { request, app } = await start({ connections: [AutoConnection, SecondConnection] });
    await app.get(SecondConnection).resolve();
    const response = await request(`${BASE}/second`);
    expect(response.status).toBe(200);
    const info = await json<ConnectionInfo>(response);
    expect(info).toMatchObject({ name: 'second', state: 'connected', generation: 1, lastError: null, leases: 0 });
    expect(new Date(info.connectedAt!).toISOString()).toBe(info.connectedAt);
  });

  it('answers 404 with a JSON body naming the known connections for an unknown name', async () => {
    const { request } = await start({ connections: [AutoConnection, SecondConnection] });
    const response = await request(`${BASE}/nope`);
    expect(response.status).toBe(404);
    const body = await json<{ statusCode: number; message: string }>(response);
    expect(body.statusCode).toBe(404);
    expect(body.message).toContain('Unknown connection "nope"');
    expect(body.message).toContain('auto, second');
  });

  it.each([
    ['odd characters', '%3Cscript%3E'],
    ['a dot', 'a.b'],
    ['an encoded slash', 'a%2Fb'],
    ['a space', 'a%20b'],
    ['a leading dash', '-x'],
    ['101 characters', 'a'.repeat(101)],
  ])('answers 400 (never 500) for a malformed name with %s, without echoing it', async (_, name) => {
    const { request } = await start({ connections: [AutoConnection] });
    const response = await request(`${BASE}/${name}`);
    expect(response.status).toBe(400);
    const body = await json<{ statusCode: number; message: string }>(response);
    expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(body.message).toMatch(/Invalid connection name/);
    expect(body.message).not.toContain('script');
  });
});

describe('POST /admin/connections/:name/reset', () => {
  it('drops the instance and answers the ResetResult; the next resolve() connects anew', async () => {
    const { request, app } = await start({ connections: [AutoConnection] });
    const conn = app.get(AutoConnection);
    const first = await conn.resolve();
    const response = await request(`${BASE}/auto/reset`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await json<ResetResult>(response)).toEqual({ name: 'auto', reset: true, previousGeneration: 1, generation: 1 });
    expect(conn.state).toBe('idle');
    const second = await conn.resolve();
    expect(second).not.toBe(first);
    expect(conn.generation).toBe(2);
  });

  it('with ?strategy=swap connects the replacement first', async () => {
    const { request, app } = await start({ connections: [AutoConnection] });
    const conn = app.get(AutoConnection);
    const first = await conn.resolve();
    const response = await request(`${BASE}/auto/reset?strategy=swap`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await json<ResetResult>(response)).toEqual({ name: 'auto', reset: true, previousGeneration: 1, generation: 2 });
    expect(conn.state).toBe('connected');
    expect(await conn.resolve()).not.toBe(first);
  });

  it('answers 502 when a swap cannot connect, and the old instance stays in service', async () => {
    const { request, app } = await start({ connections: [AutoConnection] });
    const conn = app.get(AutoConnection);
    const first = await conn.resolve();
    conn.failNext = 1;
    const response = await request(`${BASE}/auto/reset?strategy=swap`, { method: 'POST' });
    expect(response.status).toBe(502);
    const body = await json<{ message: string }>(response);
    expect(body.message).toContain('Connection "auto" failed to connect');
    expect(await conn.resolve()).toBe(first);
    expect(conn.generation).toBe(1);
  });

  it('answers an idle connection with reset: false', async () => {
    const { request } = await start({ connections: [AutoConnection] });
    const response = await request(`${BASE}/auto/reset`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await json<ResetResult>(response)).toEqual({ name: 'auto', reset: false, previousGeneration: 0, generation: 0 });
  });

  it.each([
    ['an unknown strategy', '?strategy=bogus'],
    ['a repeated strategy', '?strategy=swap&strategy=drop'],
    ['an upper-case strategy', '?strategy=SWAP'],
  ])('answers 400 with a clear JSON message for %s', async (_, query) => {
    const { request, app } = await start({ connections: [AutoConnection] });
    const conn = app.get(AutoConnection);
    await conn.resolve();
    const response = await request(`${BASE}/auto/reset${query}`, { method: 'POST' });
    expect(response.status).toBe(400);
    const body = await json<{ message: string }>(response);
    expect(body.message).toBe('Unknown reset strategy: use "drop" (the default) or "swap"');
    expect(conn.info().resets).toBe(0);
  });

  it('answers 404 for an unknown name and 400 for a malformed one', async () => {
    const { request } = await start({ connections: [AutoConnection] });
    expect((await request(`${BASE}/ghost/reset`, { method: 'POST' })).status).toBe(404);
    expect((await request(`${BASE}/a.b/reset`, { method: 'POST' })).status).toBe(400);
  });
});

describe('POST /admin/connections/reset', () => {
  it('resets every connection and answers one ResetResult each, in registration order', async () => {
    const { request, app } = await start({ connections: [AutoConnection, SecondConnection] });
    await app.get(AutoConnection).resolve();
    const response = await request(`${BASE}/reset`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await json<ResetResult[]>(response)).toEqual([
      { name: 'auto', reset: true, previousGeneration: 1, generation: 1 },
      { name: 'second', reset: false, previousGeneration: 0, generation: 0 },
    ]);
  });

  it('is not captured by POST /:name/reset nor by a connection named "reset"', async () => {
    const { request, app } = await start({ connections: [AutoConnection] });
    await app.get(AutoConnection).resolve();
    const response = await request(`${BASE}/reset?strategy=swap`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await json<ResetResult[]>(response)).toEqual([{ name: 'auto', reset: true, previousGeneration: 1, generation: 2 }]);
  });

  it('answers 502 listing the failures when some swaps fail, after swapping the others', async () => {
    const { request, app } = await start({ connections: [AutoConnection, SecondConnection] });
    const auto = app.get(AutoConnection);
    await auto.resolve();
    await app.get(SecondConnection).resolve();
    auto.failNext = 1;
    const response = await request(`${BASE}/reset?strategy=swap`, { method: 'POST' });
    expect(response.status).toBe(502);
    const body = await json<{ failures: Array<{ name: string; error: string }>; results: ResetResult[] }>(response);
    expect(body.failures).toEqual([{ name: 'auto', error: expect.stringContaining('failed to connect') }]);
    expect(body.results).toEqual([{ name: 'second', reset: true, previousGeneration: 1, generation: 2 }]);
    expect(auto.generation).toBe(1);
  });

  it('answers 400 for an unknown strategy and resets nothing', async () => {
    const { request, app } = await start({ connections: [AutoConnection] });
    const conn = app.get(AutoConnection);
    await conn.resolve();
    expect((await request(`${BASE}/reset?strategy=bogus`, { method: 'POST' })).status).toBe(400);
    expect(conn.state).toBe('connected');
  });
});

describe('GET /admin/connections/events', () => {
  it('streams ConnectionEvents as server-sent events', async () => {
    const { request, app } = await start({ connections: [AutoConnection] });
    const response = await request(`${BASE}/events`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toContain('no-cache');
    const events = sseReader(response);
    await events.nextComment('connected');
    const conn = app.get(AutoConnection);
    await conn.resolve();
    expect(await events.nextData()).toMatchObject({ name: 'auto', type: 'connecting', generation: 1 });
    expect(await events.nextData()).toMatchObject({ name: 'auto', type: 'connected', generation: 1 });
    await conn.reset();
    expect(await events.nextData()).toMatchObject({ name: 'auto', type: 'reset', generation: 1 });
    await events.cancel();
  });

  it('sends heartbeat comments', async () => {
    const { request } = await start({ connections: [AutoConnection] }, { token: 'tok-1234567890', heartbeatInterval: 20 });
    const response = await request(`${BASE}/events`, { auth: 'Bearer tok-1234567890' });
    const events = sseReader(response);
    await events.nextComment('heartbeat');
    await events.nextComment('heartbeat');
    expect(events.received.filter((block) => block === ': heartbeat')).toHaveLength(2);
    await events.cancel();
  });

  it('unsubscribes when the client goes away', async () => {
    const { request, app } = await start({ connections: [AutoConnection] });
    const streams = app.get(AdminEventStreams);
    const controller = new AbortController();
    const response = await request(`${BASE}/events`, { signal: controller.signal });
    await sseReader(response).nextComment('connected');
    expect(streams.size).toBe(1);
    controller.abort();
    await vi.waitFor(() => expect(streams.size).toBe(0));
  });

  it('ends open streams when the application closes, so app.close() does not hang', async () => {
    // Without forced socket closing: the HTTP server waits for the stream unless the module ends it.
    const { request, app } = await start({ connections: [AutoConnection] }, undefined, { forceCloseConnections: false });
    const events = sseReader(await request(`${BASE}/events`));
    await events.nextComment('connected');
    await app.close();
    await expect(events.nextData()).rejects.toThrow('stream ended');
  }, 10_000);

  it('is not captured by GET /:name', async () => {
    const { request } = await start({ connections: [] });
    const response = await request(`${BASE}/events`);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    await response.body?.cancel();
  });
});

describe('GET /admin/connections/ui', () => {
  it('serves a self-contained HTML page under a strict Content-Security-Policy', async () => {
    const { request } = await start({ connections: [ControlledConnection] });
    const response = await request(`${BASE}/ui`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("connect-src 'self'");
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="(?!data:)/); // no external asset
    expect(html).not.toContain('innerHTML');
    expect(html).not.toContain('controlled'); // a static shell: the data comes from the API
  });

  it('is not captured by GET /:name', async () => {
    const { request } = await start({ connections: [] });
    const response = await request(`${BASE}/ui`);
    expect(response.headers.get('content-type')).toContain('text/html');
  });
});
