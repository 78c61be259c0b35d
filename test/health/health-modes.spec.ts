import { randomBytes } from 'node:crypto';
import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import knex, { type Knex } from 'knex';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { Connection } from 'nestjs-connections';
import { ConnectionsHealthIndicator, ConnectionsHealthModule } from 'nestjs-connections/terminus';
import { startHttpApp, type HttpApp } from '../admin/http-app.js';
import { KnexPgConnection } from '../support/knex-pg-connection.js';
import { describeWithServices, SERVICES } from '../support/services.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const BASE = '/admin/connections';
const marker = `ops_health_${randomBytes(4).toString('hex')}`;
const { host, port } = SERVICES.postgres;

@Connection({ name: 'orders' })
class OrdersDb extends KnexPgConnection {}

@Controller('probe')
class ProbeController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(ConnectionsHealthIndicator) private readonly connections: ConnectionsHealthIndicator,
  ) {}

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.connections.isHealthy('orders', { mode: 'readiness', timeout: 2_000 })]);
  }

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([() => this.connections.isHealthy('orders', { mode: 'liveness' })]);
  }

  @Get('ready-connect')
  @HealthCheck()
  readyConnect() {
    return this.health.check([() => this.connections.isHealthy('orders', { mode: 'readiness', connect: true, timeout: 5_000 })]);
  }
}

let proxy: TcpProxy;
let admin: Knex;
let http: HttpApp | undefined;

beforeAll(async () => {
  proxy = await TcpProxy.start(port, host);
  admin = knex({ client: 'pg', connection: { host, port, user: 'postgres', database: 'test' }, pool: { min: 0, max: 1 } });
});
afterAll(async () => {
  await admin?.destroy();
  await proxy?.close();
});
afterEach(async () => {
  await http?.app.close();
  http = undefined;
  proxy.restore();
});

async function sessions(): Promise<number> {
  const result = await admin.raw('select count(*)::int as n from pg_stat_activity where application_name = ?', [marker]);
  return result.rows[0].n as number;
}

async function boot(): Promise<HttpApp> {
  http = await startHttpApp(
    { connections: [{ name: 'orders', type: OrdersDb, options: { url: `postgres://postgres@127.0.0.1:${proxy.port}/test?application_name=${marker}` } }] },
    { token: 'ops-health-token-123456' },
    { imports: [TerminusModule.forRoot({ logger: false }), ConnectionsHealthModule], controllers: [ProbeController] },
  );
  return http;
}
const asAdmin = { auth: 'Bearer ops-health-token-123456' };

interface Body {
  details: Record<string, unknown>;
  error: Record<string, { message?: unknown }>;
  connections: Record<string, unknown>;
}
const body = (response: Response) => response.json() as Promise<Body>;

await describeWithServices(['postgres'], 'HM6 health modes against a real PostgreSQL', () => {
  it('HM6 an idle connection opens 0 sessions on a readiness probe (Terminus and admin); connect: true opens one', async () => {
    const app = await boot();
    const accepted = proxy.accepted;

    const ready = await app.request('/probe/ready');
    expect(ready.status).toBe(200);
    expect((await body(ready)).details).toEqual({ orders: { status: 'up', state: 'idle', idle: true } });
    const adminReady = await app.request(`${BASE}/health?mode=readiness`, asAdmin);
    expect(adminReady.status).toBe(200);
    expect((await body(adminReady)).connections.orders).toEqual({ status: 'up', state: 'idle', idle: true });

    expect(proxy.accepted).toBe(accepted);
    expect(await sessions()).toBe(0);
    expect(app.registry.get('orders').info()).toMatchObject({ state: 'idle', connects: 0, failures: 0 });

    const connected = await app.request('/probe/ready-connect');
    expect(connected.status).toBe(200);
    expect((await body(connected)).details).toEqual({ orders: { status: 'up', state: 'connected' } });
    expect(await sessions()).toBeGreaterThanOrEqual(1);
  });

  it('HM7 database down: readiness 503, liveness 200 with zero connection attempts', async () => {
    const app = await boot();
    const orders = app.registry.get('orders');
    await orders.resolve();
    expect((await app.request('/probe/ready')).status).toBe(200); // a real round trip

    proxy.refuse(); // the database goes away: open sessions cut, new ones refused
    const ready = await app.request('/probe/ready');
    expect(ready.status).toBe(503);
    const readyBody = await body(ready);
    expect(readyBody.error.orders).toMatchObject({ status: 'down', state: 'connected' });
    expect(readyBody.error.orders.message).toEqual(expect.any(String));
    const adminReady = await app.request(`${BASE}/health`, asAdmin);
    expect(adminReady.status).toBe(503);
    expect((await body(adminReady)).connections.orders).toMatchObject({ status: 'down', state: 'connected' });

    const accepted = proxy.accepted;
    const before = orders.info();
    for (let i = 0; i < 5; i++) {
      const live = await app.request('/probe/live');
      expect(live.status).toBe(200);
      expect((await body(live)).details).toEqual({ orders: { status: 'up', state: 'connected' } });
      const adminLive = await app.request(`${BASE}/health?mode=liveness`, asAdmin);
      expect(adminLive.status).toBe(200);
      expect((await body(adminLive)).connections.orders).toEqual({ status: 'up', state: 'connected' });
    }
    expect(proxy.accepted).toBe(accepted); // not one connection attempt
    expect(orders.info()).toMatchObject({ connects: before.connects, failures: before.failures, generation: before.generation });

    proxy.restore(); // the database is back: readiness recovers without a restart
    expect((await app.request('/probe/ready')).status).toBe(200);
  });

  it('HM8 an unknown mode given to isHealthy is a clear TypeError', async () => {
    const app = await boot();
    const indicator = app.app.get(ConnectionsHealthIndicator);
    await expect(indicator.isHealthy('orders', { mode: 'bogus' as never })).rejects.toThrow('isHealthy("orders"): unknown mode; use "readiness" or "liveness"');
    expect(await indicator.isHealthy('nope')).toEqual({ nope: { status: 'down', message: 'Unknown connection "nope"' } });
  });
});
