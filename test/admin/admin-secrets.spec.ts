import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BaseConnection, Connection, type ConnectionInfo } from 'nestjs-connections';
import { closedPort, sseReader, startHttpApp, type HttpApp } from './http-app.js';
import { KnexPgConnection } from '../support/knex-pg-connection.js';

const BASE = '/admin/connections';
const PASSWORD = 'Hunter2-Sup3rSecret';
const URL_PASSWORD = 'UrlPa55-wordXYZ';
const SECRETS = [PASSWORD, URL_PASSWORD, encodeURIComponent(URL_PASSWORD)];

interface LeakyOptions {
  url: string;
  password: string;
}

/** Connects once; then every connect fails with an error that quotes its URL and password. */
@Connection({ name: 'leaky', options: { url: `postgres://app:${URL_PASSWORD}@127.0.0.1:1/db`, password: PASSWORD } })
class LeakyConnection extends BaseConnection<object, LeakyOptions> {
  connectsSoFar = 0;
  protected override _connect(options: LeakyOptions): object {
    if (this.connectsSoFar++ === 0) return {};
    throw new Error(`auth failed for ${options.url} using password ${options.password}`);
  }
}

/** Connects; its pings fail with an error that quotes the password. */
@Connection({ name: 'leaky-ping', options: { password: PASSWORD } })
class LeakyPingConnection extends BaseConnection<object, { password: string }> {
  protected override _connect(): object {
    return {};
  }
  protected override async _ping(): Promise<void> {
    throw new Error(`ping refused: password=${this._options.password} is wrong`);
  }
}

let pgUrl = '';

/** A real PostgreSQL client (knex + pg) pointed at a closed port, with a password in its URL. */
@Connection({ name: 'pg-closed' })
class ClosedPortPg extends KnexPgConnection {}

let http: HttpApp | undefined;
afterEach(async () => {
  await http?.app.close();
  http = undefined;
});

beforeAll(async () => {
  pgUrl = `postgres://postgres:${encodeURIComponent(URL_PASSWORD)}@127.0.0.1:${await closedPort()}/test`;
});

function expectNoSecret(text: string, where: string): void {
  for (const secret of SECRETS) expect(text, `${where} leaks a secret`).not.toContain(secret);
}

describe('M1: admin responses never carry a secret value', () => {
  it('masks driver errors quoting passwords and URL credentials in every route and in the event stream', async () => {
    http = await startHttpApp({
      connections: [LeakyConnection, LeakyPingConnection, { name: 'pg-closed', type: ClosedPortPg, options: { url: pgUrl } }],
    });
    const { request, app } = http;
    const events = sseReader(await request(`${BASE}/events`));
    await events.nextComment('connected');

    // leaky connects once (generation 1), so that a swap has an old instance to keep.
    await app.get(LeakyConnection).resolve();

    const health = await request(`${BASE}/health?connect=true`);
    expect(health.status).toBe(503);
    const healthText = await health.text();
    expectNoSecret(healthText, 'GET /health');
    const report = JSON.parse(healthText) as { connections: Record<string, { status: string; error?: string }> };
    expect(report.connections['leaky']).toEqual({ status: 'up', state: 'connected' });
    expect(report.connections['leaky-ping'].error).toBe('ping refused: password=*** is wrong');
    expect(report.connections['pg-closed'].status).toBe('down');
    expect(report.connections['pg-closed'].error).toMatch(/ECONNREFUSED/);

    const swap = await request(`${BASE}/leaky/reset?strategy=swap`, { method: 'POST' });
    expect(swap.status).toBe(502);
    const swapText = await swap.text();
    expectNoSecret(swapText, 'POST /leaky/reset?strategy=swap');
    expect(swapText).toContain('postgres://app:***@127.0.0.1:1/db using password ***');

    const swapAll = await request(`${BASE}/reset?strategy=swap`, { method: 'POST' });
    expect(swapAll.status).toBe(502);
    expectNoSecret(await swapAll.text(), 'POST /reset?strategy=swap');

    const list = await request(BASE);
    const listText = await list.text();
    expectNoSecret(listText, 'GET /');
    const infos = JSON.parse(listText) as ConnectionInfo[];
    expect(infos.find((info) => info.name === 'leaky')!.lastError).toContain('using password ***');

    for (const name of ['leaky', 'leaky-ping', 'pg-closed']) {
      expectNoSecret(await (await request(`${BASE}/${name}`)).text(), `GET /${name}`);
    }

    // In stream order: pg-closed failed during /health, leaky during the swap.
    await events.nextData((event) => event.name === 'pg-closed' && event.type === 'connect-failed');
    const failed = await events.nextData((event) => event.name === 'leaky' && event.type === 'connect-failed');
    expect(failed.error).toContain('***');
    await events.cancel();
    expectNoSecret(events.received.join('\n\n'), 'GET /events');
  });
});
