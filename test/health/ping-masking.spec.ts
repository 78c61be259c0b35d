import { afterEach, describe, expect, it } from 'vitest';
import type { INestApplicationContext } from '@nestjs/common';
import { BaseConnection, Connection } from 'nestjs-connections';
import { ConnectionsHealthIndicator, ConnectionsHealthModule } from 'nestjs-connections/terminus';
import { bootApp } from '../support/app.js';

const PASSWORD = 'x'; // a one-letter password: masking must not spell it out either
const TOKEN = 'ping-token-0123456789abcdef';

/** Connects fine; its `_ping` fails the way a driver does, echoing what it was given. */
@Connection({ name: 'pingy', options: { password: PASSWORD, token: TOKEN, url: `redis://u:${PASSWORD}@127.0.0.1:1/0?token=${TOKEN}` } })
class Pingy extends BaseConnection<object> {
  protected override async _connect(): Promise<object> {
    return {};
  }
  protected override async _ping(): Promise<void> {
    const { url, password, token } = this._options as Record<string, string>;
    throw new Error(`ping refused by ${url} for password ${password} and token ${token}`);
  }
}

let app: INestApplicationContext | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function expectClean(text: string): void {
  expect(text).not.toContain(TOKEN);
  expect(text).not.toMatch(/password x\b|u:x@/);
  expect(text).toContain('***');
}

describe('H5 ping errors are masked', () => {
  it('H5 ping: the health path (pingCheck) reports the ping failure masked', async () => {
    ({ app } = await bootApp({ connections: [Pingy] }, { imports: [ConnectionsHealthModule] }));
    const result = await app.get(ConnectionsHealthIndicator).pingCheck('pingy');
    expect(result.pingy.status).toBe('down');
    expectClean(String(result.pingy.message));
  });

  it('H5 ping: conn.ping() rejects with a masked message (a PingError)', async () => {
    ({ app } = await bootApp({ connections: [Pingy] }));
    const conn = app.get(Pingy);
    const error = await conn.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expectClean((error as Error).message);
    expectClean(String(error));
  });
});
