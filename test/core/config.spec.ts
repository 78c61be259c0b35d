import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Logger } from '@nestjs/common';
import type { INestApplicationContext } from '@nestjs/common';
import { firstValueFrom, filter } from 'rxjs';
import { Connection, ConnectionConfigError, ConnectionsModule } from 'nestjs-connections';
import { bootApp } from '../support/app.js';
import { ControlledBase } from '../support/controlled-connection.js';
import { tempDir, writeAtomic } from '../support/temp-files.js';
import { Test } from '@nestjs/testing';

let app: INestApplicationContext | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

@Connection({ name: 'analytics', options: { url: 'decorator-url', pool: 1, query: { a: 'dec', b: 'dec' } } })
class Analytics extends ControlledBase {
  override auto = true;
}

@Connection({ name: 'needs-url', required: ['url'] })
class NeedsUrl extends ControlledBase {}

async function boot(options: Parameters<typeof bootApp>[0]) {
  const booted = await bootApp(options);
  app = booted.app;
  return booted;
}

function secretsFile(text: string): string {
  const file = join(tempDir(), 'secrets.toml');
  writeFileSync(file, text);
  return file;
}

describe('S1 merge order', () => {
  it('S1 decorator < secrets file < environment < module options, key by key', async () => {
    const file = secretsFile(`
[connections.analytics]
url = "file-url"
pool = 2
username = "file-user"
[connections.analytics.query]
b = "file"
c = "file"
`);
    const { registry } = await boot({
      connections: [{ name: 'analytics', type: Analytics, options: { username: 'module-user' } }],
      secrets: {
        files: [file],
        env: { CONNECTIONS__ANALYTICS__URL: 'env-url', CONNECTIONS__ANALYTICS__USERNAME: 'env-user', CONNECTIONS__ANALYTICS__QUERY__C: 'env', CONNECTIONS__OTHER__URL: 'x' },
      },
    });
    const client = await registry.get<Analytics>('analytics').resolve();
    expect(client.options).toEqual({
      url: 'env-url',
      pool: 2,
      username: 'module-user',
      query: { a: 'dec', b: 'file', c: 'env' },
    });
  });

  it('S1 environment names use the upper-cased name with - as _, and match keys case-insensitively', async () => {
    @Connection({ name: 'my-api', options: { statementTimeout: 1 } })
    class MyApi extends ControlledBase {
      override auto = true;
    }
    const { registry } = await boot({
      connections: [MyApi],
      secrets: { env: { CONNECTIONS__MY_API__STATEMENTTIMEOUT: '5', CONNECTIONS__MY_API__BASE_URL: 'http://127.0.0.1' } },
    });
    const client = await registry.get<MyApi>('my-api').resolve();
    expect(client.options).toEqual({ statementTimeout: '5', base_url: 'http://127.0.0.1' });
  });

  it('S1 _secrets is the merged secrets section, read-only', async () => {
    const file = secretsFile(`[connections.analytics]\nurl = "file-url"\n`);
    const { registry } = await boot({ connections: [Analytics], secrets: { files: [file], env: { CONNECTIONS__ANALYTICS__TOKEN: 't' } } });
    const section = registry.get<Analytics>('analytics').secretsSection;
    expect(section).toEqual({ url: 'file-url', token: 't' });
    expect(Object.isFrozen(section)).toBe(true);
  });

  it('S1 policies come from secrets too, and are not passed to _connect', async () => {
    const file = secretsFile(`[connections.analytics]\nttl = "1h"\ndrain_timeout = "2s"\nurl = "u"\n`);
    const { registry } = await boot({ connections: [Analytics], secrets: { files: [file], env: {} } });
    const conn = registry.get<Analytics>('analytics');
    expect(conn.info().ttlMs).toBe(3_600_000);
    expect((await conn.resolve()).options).not.toHaveProperty('ttl');
  });
});

describe('S2 secrets files', () => {
  it('S2 later files win per connection, key by key', async () => {
    const a = secretsFile(`[connections.analytics]\nurl = "a"\npool = 1\n[connections.other]\nx = 1\n`);
    const b = secretsFile(`[connections.analytics]\nurl = "b"\n`);
    const { registry } = await boot({ connections: [Analytics], secrets: { files: [a, b], env: {} } });
    expect((await registry.get<Analytics>('analytics').resolve()).options).toMatchObject({ url: 'b', pool: 1 });
  });

  it('S2 a Streamlit secrets.toml with other top-level secrets is read unchanged', async () => {
    const file = secretsFile(`db_username = "x"\n[my_other_secrets]\nthings = [1, 2]\n[connections.analytics]\ndialect = "postgresql"\n`);
    const { registry } = await boot({ connections: [Analytics], secrets: { files: [file], env: {} } });
    expect((await registry.get<Analytics>('analytics').resolve()).options).toMatchObject({ dialect: 'postgresql' });
  });
});

describe('S3 watch', () => {
  it('S3 a change of the file resets exactly the connections whose merged options changed', async () => {
    @Connection({ name: 'unchanged' })
    class Unchanged extends ControlledBase {
      override auto = true;
    }
    const file = secretsFile(`[connections.analytics]\nurl = "one"\n[connections.unchanged]\nurl = "same"\n`);
    const { registry } = await boot({ connections: [Analytics, Unchanged], secrets: { files: [file], env: {}, watch: { debounceMs: 10 } } });
    const analytics = registry.get<Analytics>('analytics');
    const unchanged = registry.get<Unchanged>('unchanged');
    const first = await analytics.resolve();
    const kept = await unchanged.resolve();
    const reset = firstValueFrom(registry.events$.pipe(filter((e) => e.type === 'reset')));
    writeAtomic(file, `[connections.analytics]\nurl = "two"\n[connections.unchanged]\nurl = "same"\n`);
    expect((await reset).name).toBe('analytics');
    const second = await analytics.resolve();
    expect(second).not.toBe(first);
    expect(second.options.url).toBe('two');
    expect(await unchanged.resolve()).toBe(kept);
    expect(unchanged.info().resets).toBe(0);
  });

  it('S3 a malformed file keeps the previous values and names the file and line, never a value', async () => {
    const file = secretsFile(`[connections.analytics]\nurl = "one"\n`);
    const { registry } = await boot({ connections: [Analytics], secrets: { files: [file], env: {} } });
    const conn = registry.get<Analytics>('analytics');
    const first = await conn.resolve();
    writeAtomic(file, `[connections.analytics]\npassword = "hunter2-secret\nurl = "two"\n`);
    const spy = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    let logged: string[];
    try {
      expect(await registry.reloadSecrets()).toEqual([]);
      logged = spy.mock.calls.map((call) => String(call[0]));
    } finally {
      spy.mockRestore();
    }
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(file);
    expect(logged[0]).toMatch(/line 2/);
    expect(logged[0]).not.toContain('hunter2');
    expect(await conn.resolve()).toBe(first);
    expect(first.options.url).toBe('one');
  });
});

describe('S4 configuration errors fail bootstrap naming the connection and the key', () => {
  const cases: Array<[string, () => Parameters<typeof bootApp>[0], RegExp, string | undefined]> = [
    ['unknown type', () => ({ connections: [{ name: 'x', type: 'nosuch' }] }), /"x", key "type".*unknown type "nosuch"/, 'type'],
    ['duplicate name', () => ({ connections: [Analytics, { name: 'analytics', type: Analytics }] }), /"analytics", key "name".*two connections/, 'name'],
    ['missing required key', () => ({ connections: [NeedsUrl] }), /"needs-url", key "url".*required/, 'url'],
    ['bad ttl', () => ({ connections: [{ name: 'x', type: Analytics, ttl: 'soon' }] }), /"x", key "ttl"/, 'ttl'],
    ['bad retry', () => ({ connections: [{ name: 'x', type: Analytics, retry: { attempts: 0 } }] }), /"x", key "retry.attempts"/, 'retry.attempts'],
    ['reserved name', () => ({ connections: [{ name: 'health', type: Analytics }] }), /"health", key "name".*admin route/, 'name'],
    ['invalid name', () => ({ connections: [{ name: 'a b', type: Analytics }] }), /"a b", key "name"/, 'name'],
    ['empty name', () => ({ connections: [{ name: '', type: Analytics }] }), /key "name"/, 'name'],
    ['unknown declaration key', () => ({ connections: [{ name: 'x', type: Analytics, optoins: {} } as never] }), /"x", key "optoins"/, 'optoins'],
    ['unknown module option', () => ({ connections: [], conections: [] } as never), /key "conections"/, 'conections'],
    ['missing secrets file', () => ({ connections: [], secrets: { files: ['/nonexistent/secrets.toml'] } }), /key "secrets.files".*does not exist/, 'secrets.files'],
    ['prototype pollution in options', () => ({ connections: [{ name: 'x', type: Analytics, options: JSON.parse('{"__proto__": {"polluted": 1}}') }] }), /"x", key "__proto__"/, '__proto__'],
    ['bad default', () => ({ connections: [], defaults: { drainTimeout: -5 } }), /key "drainTimeout"/, 'drainTimeout'],
  ];
  for (const [label, options, message, key] of cases) {
    it(`S4 ${label}`, async () => {
      const error = await bootApp(options()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConnectionConfigError);
      expect((error as Error).message).toMatch(message);
      expect((error as ConnectionConfigError).key).toBe(key);
    });
  }

  it('S4 bad TOML fails bootstrap naming the file and line, never a value', async () => {
    const file = secretsFile(`[connections.analytics]\nurl = "ok"\npassword = "s3cr3t-value\n`);
    const error = await bootApp({ connections: [Analytics], secrets: { files: [file] } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionConfigError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(/line 3/);
    expect((error as Error).message).not.toContain('s3cr3t');
  });

  it('S4 a bad ttl in the secrets file names the connection and key', async () => {
    const file = secretsFile(`[connections.analytics]\nttl = "forever"\n`);
    await expect(bootApp({ connections: [Analytics], secrets: { files: [file], env: {} } })).rejects.toThrow(/"analytics", key "ttl"/);
  });

  it('S4 a bad environment policy value names the connection and key', async () => {
    await expect(
      bootApp({ connections: [Analytics], secrets: { env: { CONNECTIONS__ANALYTICS__EAGER: 'maybe' } } }),
    ).rejects.toThrow(/"analytics", key "eager"/);
  });

  it('S4 the same errors fail forRootAsync bootstrap', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConnectionsModule.forRootAsync({
          connections: [Analytics],
          useFactory: async () => ({ secrets: false as const, defaults: { ttl: 'never' } }),
        }),
      ],
    })
      .compile()
      .catch((e: unknown) => e);
    expect(moduleRef).toBeInstanceOf(ConnectionConfigError);
    expect((moduleRef as Error).message).toMatch(/key "ttl"/);
  });
});
