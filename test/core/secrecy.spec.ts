import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Logger } from '@nestjs/common';
import { BaseConnection, Connection, ConnectError, type ConnectionEvent } from 'nestjs-connections';
import { bootApp } from '../support/app.js';

const PASSWORD = 'Pa55-w0rd!xyz';
const TOKEN = 'tok_9f8e7d6c5b4a';
const URL_PASSWORD = 'url-s3cret';

@Connection({
  name: 'leaky',
  options: { url: `postgres://app:${URL_PASSWORD}@127.0.0.1:1/db`, password: PASSWORD, apiToken: TOKEN, host: '127.0.0.1' },
})
class Leaky extends BaseConnection<{ ok: true }> {
  fail = true;
  protected override async _connect(options: Record<string, unknown>) {
    if (this.fail) {
      // Drivers do put credentials in messages: this one echoes everything it got.
      throw new Error(`cannot log in with ${options.password} / ${options.apiToken} to ${options.url} (${encodeURIComponent(String(options.password))})`);
    }
    return { ok: true as const };
  }
  protected override async _disconnect(): Promise<void> {
    throw new Error(`disconnect failed for password ${PASSWORD}`);
  }
}

afterEach(() => vi.restoreAllMocks());

function assertClean(text: string): void {
  for (const secret of [PASSWORD, TOKEN, URL_PASSWORD, encodeURIComponent(PASSWORD)]) {
    expect(text).not.toContain(secret);
  }
}

describe('M1 no secret value anywhere', () => {
  it('M1 info(), events, logs, errors, JSON.stringify and util.inspect carry no secret', async () => {
    const logs: string[] = [];
    for (const level of ['log', 'warn', 'error', 'debug', 'verbose'] as const) {
      vi.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => {
        logs.push(args.map(String).join(' '));
      });
    }
    const { app, registry } = await bootApp({ connections: [Leaky] });
    const conn = registry.get<Leaky>('leaky');
    const events: ConnectionEvent[] = [];
    registry.events$.subscribe((e) => events.push(e));

    const error = await conn.resolve().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as Error).message).toContain('cannot log in with ***');
    assertClean((error as Error).message);
    assertClean((error as Error).stack ?? '');

    expect(conn.info().lastError).toContain('***');
    assertClean(JSON.stringify(conn.info()));
    assertClean(inspect(conn, { depth: 10, showHidden: true }));

    conn.fail = false;
    await conn.resolve();
    await conn.reset();
    await app.close();

    assertClean(JSON.stringify(conn.info()));
    assertClean(JSON.stringify(conn));
    assertClean(inspect(conn, { depth: 10, showHidden: true }));
    assertClean(JSON.stringify(registry.list()));
    assertClean(JSON.stringify(events));
    expect(events.some((e) => e.type === 'connect-failed' && e.error?.includes('***'))).toBe(true);
    expect(events.some((e) => e.type === 'disposed' && e.error?.includes('***'))).toBe(true);
    expect(logs.length).toBeGreaterThan(0);
    assertClean(logs.join('\n'));
  });

  it('M1 util.inspect of a connection shows its name, state and where it was configured only', async () => {
    const { app, registry } = await bootApp({ connections: [Leaky] });
    expect(inspect(registry.get('leaky'))).toBe("Leaky { name: 'leaky', state: 'idle', generation: 0, source: 'code' }");
    await app.close();
  });
});
