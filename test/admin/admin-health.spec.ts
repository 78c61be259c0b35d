import { describe, expect, it } from 'vitest';
import { BaseConnection, Connection } from 'nestjs-connections';
import { AutoConnection, ControlledBase } from '../support/controlled-connection.js';
import { httpAppPerTest } from './http-app.js';

const BASE = '/admin/connections';

@Connection({ name: 'second' })
class SecondConnection extends ControlledBase {
  override auto = true;
}

/** Never finishes connecting: its pings can only time out. */
@Connection({ name: 'hanging' })
class HangingConnection extends BaseConnection<object> {
  protected override _connect(): Promise<object> {
    return new Promise(() => undefined);
  }
}

const start = httpAppPerTest();

async function json<T = unknown>(response: Response): Promise<T> {
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  return (await response.json()) as T;
}

describe('GET /admin/connections/health', () => {
  it('HM1 readiness (the default) reports idle connections up without connecting them', async () => {
    const { request, app } = await start({ connections: [AutoConnection, SecondConnection] });
    await app.get(SecondConnection).resolve();
    const response = await request(`${BASE}/health`);
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({
      status: 'up',
      mode: 'readiness',
      connections: { auto: { status: 'up', state: 'idle', idle: true }, second: { status: 'up', state: 'connected' } },
    });
    expect(app.get(AutoConnection).connects).toHaveLength(0);
  });

  it('HM2 with ?connect=true pings every connection through _ping, connecting first', async () => {
    const { request, app } = await start({ connections: [AutoConnection, SecondConnection] });
    const response = await request(`${BASE}/health?connect=true`);
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({
      status: 'up',
      mode: 'readiness',
      connections: { auto: { status: 'up', state: 'connected' }, second: { status: 'up', state: 'connected' } },
    });
    expect(app.get(AutoConnection).state).toBe('connected');
  });

  it('HM2 answers 503 when one is down, with its error, and the others up', async () => {
    const { request, app } = await start({ connections: [AutoConnection, SecondConnection] });
    app.get(SecondConnection).failNext = 1;
    const response = await request(`${BASE}/health?connect=true`);
    expect(response.status).toBe(503);
    expect(await json(response)).toEqual({
      status: 'down',
      mode: 'readiness',
      connections: {
        auto: { status: 'up', state: 'connected' },
        second: { status: 'down', state: 'failed', error: 'Connection "second" failed to connect: refused by test' },
      },
    });
  });

  it('HM3 liveness never connects nor pings: up, with each state', async () => {
    const { request, app } = await start({ connections: [AutoConnection, HangingConnection] });
    const response = await request(`${BASE}/health?mode=liveness&connect=true`);
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({
      status: 'up',
      mode: 'liveness',
      connections: { auto: { status: 'up', state: 'idle' }, hanging: { status: 'up', state: 'idle' } },
    });
    expect(app.get(AutoConnection).connects).toHaveLength(0);
  });

  it.each([
    ['mode=bogus', 'Unknown health mode: use "readiness" (the default) or "liveness"'],
    ['mode=LIVENESS', 'Unknown health mode: use "readiness" (the default) or "liveness"'],
    ['mode=liveness&mode=readiness', 'Unknown health mode: use "readiness" (the default) or "liveness"'],
    ['connect=yes', 'Invalid "connect": use "true" or "false" (the default)'],
  ])('HM4 ?%s answers a clear 400 and checks nothing', async (query, message) => {
    const { request, app } = await start({ connections: [AutoConnection] });
    const response = await request(`${BASE}/health?${query}`);
    expect(response.status).toBe(400);
    expect(await json(response)).toMatchObject({ statusCode: 400, message });
    expect(app.get(AutoConnection).connects).toHaveLength(0);
    expect((await request(`${BASE}/health`)).status).toBe(200); // nothing else affected
  });

  it('HM5 GET /:name/health checks one connection (the page\'s "check now"); 404 for an unknown one', async () => {
    const { request, app } = await start({ connections: [AutoConnection, SecondConnection] });
    const response = await request(`${BASE}/second/health?connect=true`);
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ status: 'up', mode: 'readiness', connections: { second: { status: 'up', state: 'connected' } } });
    expect(app.get(AutoConnection).state).toBe('idle');
    expect((await request(`${BASE}/ghost/health`)).status).toBe(404);
    expect((await request(`${BASE}/second/health?mode=bogus`)).status).toBe(400);
  });

  it('reports a connection whose ping does not answer within healthTimeout as down', async () => {
    const { request } = await start({ connections: [AutoConnection, HangingConnection] }, { token: 'tok-1234567890', healthTimeout: 50 }).then(
      (h) => ({ ...h, request: (p: string) => h.request(p, { auth: 'Bearer tok-1234567890' }) }),
    );
    const response = await request(`${BASE}/health?connect=true`);
    expect(response.status).toBe(503);
    expect(await json(response)).toEqual({
      status: 'down',
      mode: 'readiness',
      connections: {
        auto: { status: 'up', state: 'connected' },
        hanging: { status: 'down', state: 'connecting', error: 'ping timed out after 50 ms' },
      },
    });
  });

  it('is not captured by GET /:name', async () => {
    const { request } = await start({ connections: [] });
    const response = await request(`${BASE}/health`);
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ status: 'up', mode: 'readiness', connections: {} });
  });
});
