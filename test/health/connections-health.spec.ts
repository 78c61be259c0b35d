import { Controller, Get, Inject, type INestApplicationContext } from '@nestjs/common';
import type { Knex } from 'knex';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BaseConnection, Connection } from 'nestjs-connections';
import { ConnectionsHealthIndicator, ConnectionsHealthModule } from 'nestjs-connections/terminus';
import { closedPort, startHttpApp, type HttpApp } from '../admin/http-app.js';
import { bootApp } from '../support/app.js';
import { AutoConnection } from '../support/controlled-connection.js';
import { describeWithServices, SERVICES } from '../support/services.js';
import { KnexPgConnection as KnexPgBase } from '../support/knex-pg-connection.js';

const PASSWORD = 'Pg-Sup3r-Secret!';
/** A small connection on knex/pg, as an author would write it. */
@Connection({ name: 'knex-pg' })
class KnexPgConnection extends KnexPgBase {}

/** Never finishes connecting. */
@Connection({ name: 'hanging' })
class HangingConnection extends BaseConnection<object> {
  protected override _connect(): Promise<object> {
    return new Promise(() => undefined);
  }
}

@Controller('health')
class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(ConnectionsHealthIndicator) private readonly connections: ConnectionsHealthIndicator,
  ) {}

  @Get('db')
  @HealthCheck()
  db() {
    return this.health.check([() => this.connections.pingCheck('pg')]);
  }

  @Get('all')
  @HealthCheck()
  all() {
    return this.health.check([() => this.connections.pingCheck('pg'), () => this.connections.pingCheck('pg-down', { timeout: 5_000 })]);
  }
}

let downUrl = '';
const { host, port } = SERVICES.postgres;
const upUrl = `postgres://postgres:${encodeURIComponent(PASSWORD)}@${host}:${port}/test`; // trust auth: the password is not checked

beforeAll(async () => {
  downUrl = `postgres://postgres:${encodeURIComponent(PASSWORD)}@127.0.0.1:${await closedPort()}/test`;
});

const connections = () => [
  { name: 'pg', type: KnexPgConnection, options: { url: upUrl } },
  { name: 'pg-down', type: KnexPgConnection, options: { url: downUrl } },
];

let http: HttpApp | undefined;
let context: INestApplicationContext | undefined;
afterEach(async () => {
  await http?.app.close();
  await context?.close();
  http = undefined;
  context = undefined;
});

await describeWithServices(['postgres'], 'ConnectionsHealthIndicator against a real PostgreSQL', () => {
  it('reports up after a real round trip through _ping', async () => {
    const booted = await bootApp({ connections: connections() }, { imports: [TerminusModule.forRoot(), ConnectionsHealthModule] });
    context = booted.app;
    const indicator = booted.app.get(ConnectionsHealthIndicator);
    expect(await indicator.pingCheck('pg')).toEqual({ pg: { status: 'up' } });
    const pg = booted.registry.get('pg');
    expect(pg.info()).toMatchObject({ state: 'connected', generation: 1, connects: 1 });
    const rows = await pg.use((db: Knex) => db.raw('select current_database() as db'));
    expect(rows.rows).toEqual([{ db: 'test' }]);
  });

  it('reports down for a database on a closed port, with a masked message', async () => {
    const booted = await bootApp({ connections: connections() }, { imports: [TerminusModule.forRoot(), ConnectionsHealthModule] });
    context = booted.app;
    const result = await booted.app.get(ConnectionsHealthIndicator).pingCheck('pg-down', { timeout: 5_000 });
    expect(result['pg-down'].status).toBe('down');
    expect(result['pg-down'].message).toMatch(/^Connection "pg-down" failed to connect: .*ECONNREFUSED/);
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
  });

  it('serves Terminus health checks over HTTP: 200 when up, 503 with the masked error when down', async () => {
    http = await startHttpApp({ connections: connections() }, null, {
      imports: [TerminusModule.forRoot({ logger: false }), ConnectionsHealthModule],
      controllers: [HealthController],
    });
    const up = await http.request('/health/db');
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: 'ok', info: { pg: { status: 'up' } }, error: {}, details: { pg: { status: 'up' } } });

    const down = await http.request('/health/all');
    expect(down.status).toBe(503);
    const text = await down.text();
    expect(text).not.toContain(PASSWORD);
    const body = JSON.parse(text);
    expect(body.status).toBe('error');
    expect(body.info).toEqual({ pg: { status: 'up' } });
    expect(body.error['pg-down']).toEqual({ status: 'down', message: expect.stringMatching(/ECONNREFUSED/) });
  });
});

describe('ConnectionsHealthIndicator without a database', () => {
  it('reports a ping that does not answer within the timeout as down', async () => {
    const booted = await bootApp({ connections: [HangingConnection] }, { imports: [TerminusModule.forRoot(), ConnectionsHealthModule] });
    context = booted.app;
    expect(await booted.app.get(ConnectionsHealthIndicator).pingCheck('hanging', { timeout: 50 })).toEqual({
      hanging: { status: 'down', message: 'ping timed out after 50 ms' },
    });
  });

  it('reports an unknown name as down instead of failing the whole check', async () => {
    const booted = await bootApp({ connections: [AutoConnection] }, { imports: [TerminusModule.forRoot(), ConnectionsHealthModule] });
    context = booted.app;
    expect(await booted.app.get(ConnectionsHealthIndicator).pingCheck('nope')).toEqual({
      nope: { status: 'down', message: 'Unknown connection "nope"' },
    });
  });

  it('works without TerminusModule imported (it builds its own HealthIndicatorService)', async () => {
    const booted = await bootApp({ connections: [AutoConnection] }, { imports: [ConnectionsHealthModule] });
    context = booted.app;
    expect(await booted.app.get(ConnectionsHealthIndicator).pingCheck('auto')).toEqual({ auto: { status: 'up' } });
  });
});
