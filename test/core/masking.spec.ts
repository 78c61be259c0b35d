import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Logger } from '@nestjs/common';
import { BaseConnection, Connection, ConnectError, type ConnectionEvent } from 'nestjs-connections';
import type { SqlConnection } from 'nestjs-connections/sql';
import { bootApp } from '../support/app.js';

/**
 * H3: a masked message must not let a reader recover a secret, of any length. Checked as
 * indistinguishability: the same scenario run twice, with different secrets of the same shape,
 * must give exactly the same masked texts (info(), events, ConnectError, logs, inspect). If a
 * reader cannot tell two worlds apart, nothing they read depends on the secret.
 */

/** Like a chatty driver: echoes its options, the URL, and common words, in one error message. */
@Connection({ name: 'echo' })
class Echo extends BaseConnection<object> {
  protected override async _connect(options: Record<string, unknown>): Promise<object> {
    const { username, url } = options as { username: string; url: string };
    throw new Error(
      `password authentication failed for user "${username}" at ${url}; ` +
        `config ${JSON.stringify(options, (_k, v: unknown) => (Buffer.isBuffer(v) ? `<buffer ${v.length}>` : v))}; ` +
        'timeout exceeded after 5000 ms connecting to 127.0.0.1:5432 (postgresql, keyPrefix app:); ' +
        // ...and, like an HTTP client, the parameters it sent, without their names.
        `sent ${[...new URLSearchParams(url.split('?')[1] ?? '').values()].join(' ')}`,
    );
  }
}

afterEach(() => vi.restoreAllMocks());

/** Everything a reader can see after one failed connect with these options. */
async function observe(options: Record<string, unknown>): Promise<string[]> {
  const logs: string[] = [];
  for (const level of ['log', 'warn', 'error', 'debug', 'verbose'] as const) {
    vi.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(' ')));
  }
  const { app, registry } = await bootApp({ connections: [{ name: 'echo', type: Echo, options }] });
  const events: ConnectionEvent[] = [];
  registry.events$.subscribe((e) => events.push(e));
  const conn = registry.get('echo');
  const error = await conn.resolve().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectError);
  const seen = [
    (error as Error).message,
    String(conn.info().lastError),
    ...events.flatMap((e) => (e.error ? [e.error] : [])),
    ...logs.filter((line) => line.includes('failed to connect')),
    JSON.stringify(registry.list().map(({ lastError, name, state }) => ({ lastError, name, state }))),
    inspect(conn, { depth: 10, showHidden: true }),
  ];
  await app.close();
  vi.restoreAllMocks();
  return seen;
}

function world(user: string, password: string, apiKey = 'k3y-0f-the-api-9a8b7c') {
  return {
    username: user,
    password,
    url: `postgres://${user}:${password}@db.internal:5432/app?sslmode=require&api_key=${apiKey}`,
  };
}

describe('H3 masking: nothing a reader sees depends on a secret', () => {
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    ['a one-letter password', world('xavier', 'x'), world('xavier', 'q')],
    ['a two-letter password that is in common words', world('ops', 'ti'), world('ops', 'zz')],
    ['a password equal to the user name', world('postgres', 'postgres'), world('reporter', 'reporter')],
    ['a short password equal to the user name', world('ann', 'ann'), world('bob', 'bob')],
    ['a password with an unencoded @', world('u', 'p@ss'), world('u', 'w@rd')],
    ['a password with : and /', world('u', 'pa:ss/w'), world('u', 'wo:rd/x')],
    ['a percent-encoded password', world('u', 'p%40ss'), world('u', 'w%40rd')],
    ['an API key in the query string', world('u', 'Pa55-w0rd!xyz', 'aaaaaaaaaaaaaaaa'), world('u', 'Pa55-w0rd!xyz', 'bbbbbbbbbbbbbbbb')],
    ['a one-letter API key in the query string', world('u', 'Pa55-w0rd!xyz', 'a'), world('u', 'Pa55-w0rd!xyz', '5')],
  ];
  for (const [label, a, b] of cases) {
    it(`H3 mask: ${label} — two worlds with different secrets read the same`, async () => {
      const seenA = await observe(a);
      const seenB = await observe(b);
      expect(seenA).toEqual(seenB);
      expect(seenA[0]).toContain('***');
    });
  }

  it('H3 mask: token=, password=, access_token= in a URL query string are masked and collected', async () => {
    const secrets = ['tok-1', 'pw-2', 'at-3'];
    const seen = await observe({
      username: 'u',
      url: `https://api.internal/v1?token=${secrets[0]}&password=${secrets[1]}&access_token=${secrets[2]}&region=eu`,
    });
    for (const text of seen) for (const secret of secrets) expect(text).not.toContain(secret);
    expect(seen[0]).toContain('region=eu');
  });

  it('H3 mask: keyPrefix is not a secret, and TLS Buffers (ca, cert) do not turn bytes into secrets', async () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    const seen = await observe({
      username: 'u',
      password: 'Pa55-w0rd!xyz',
      url: 'redis://db.internal:6379/0',
      keyPrefix: 'app:',
      tls: { ca: Buffer.from([49, 50, 53, 54]), cert: Buffer.from('5000 ms'), key: Buffer.from(pem) },
    });
    // Nothing but the password is masked: the port, the timings, keyPrefix's value stay readable.
    expect(seen[0]).toContain('"keyPrefix":"app:"');
    expect(seen[0]).toContain('127.0.0.1:5432');
    expect(seen[0]).toContain('after 5000 ms');
    expect(seen[0]).toContain('keyPrefix app:');
    expect(seen[0]).not.toContain('Pa55-w0rd!xyz');
  });

  it('H3 mask: a real SqlConnection with an @ in its password: ConnectError, info(), events and inspect stay clean', async () => {
    const password = 'p@ss:w/rd%40';
    const { app, registry } = await bootApp({
      connections: [
        {
          name: 'masked-pg',
          type: 'sql',
          options: { dialect: 'postgresql', host: '127.0.0.1', port: 1, username: 'u', password, connectTimeout: '1s' },
        },
      ],
    });
    const events: ConnectionEvent[] = [];
    registry.events$.subscribe((e) => events.push(e));
    const conn = registry.get<SqlConnection>('masked-pg');
    const error = await conn.query('select 1').catch((e: unknown) => e);
    const texts = [
      (error as Error).message,
      JSON.stringify(conn.info()),
      JSON.stringify(events),
      inspect(conn, { depth: 10, showHidden: true }),
      JSON.stringify(conn),
    ];
    await app.close();
    for (const text of texts) {
      for (const form of [password, encodeURIComponent(password), 'p@ss', 'w/rd']) expect(text).not.toContain(form);
    }
  });
});

describe('H3 masking stays linear on hostile messages', () => {
  it('H3 mask: 100 kB of URL starts, name=value pairs and long words are masked in well under a second', async () => {
    const { maskText } = await import('../../lib/utils/mask.util.js');
    const secrets = new Set(['a', 'password-that-is-long-enough']);
    const started = performance.now();
    for (const text of ['a://b:'.repeat(20_000), 'token='.repeat(20_000), 'a'.repeat(100_000), `${'x'.repeat(50_000)}password-that-is-long-enough${'y'.repeat(50_000)}`]) {
      maskText(text, secrets);
    }
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
