import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { Logger } from '@nestjs/common';
import { Connection, ConnectionConfigError, type ConnectionEntry, type ConnectionsForRootOptions } from 'nestjs-connections';
import { bootApp } from '../support/app.js';
import { ControlledBase } from '../support/controlled-connection.js';
import { tempDir, writeAtomic } from '../support/temp-files.js';

/** Every case carries this secret somewhere near the bad value: it must never be echoed. */
const SECRET = 'Zq-very-secret-7781';

@Connection({ name: 'db', options: { password: SECRET } })
class Db extends ControlledBase {
  override auto = true;
  protected override _validateOptions(options: Record<string, unknown>): void {
    if (options.url !== undefined && typeof options.url !== 'string') throw new Error('url must be a string');
  }
}

function file(text: string | Buffer): string {
  const path = join(tempDir(), 'secrets.toml');
  writeFileSync(path, text);
  return path;
}

type Case = { label: string; options: () => ConnectionsForRootOptions; connection: string; key: string | undefined };

const withFile = (text: string | Buffer, connections: ConnectionEntry[] = [Db]) => () =>
  ({ connections, secrets: { files: [file(text)], env: {} } }) as ConnectionsForRootOptions;
const withEnv = (env: Record<string, string>, connections: ConnectionEntry[] = [Db]) => () =>
  ({ connections, secrets: { env } }) as ConnectionsForRootOptions;
const withModule = (options: Record<string, unknown>) => () => ({ connections: [Db], ...options }) as ConnectionsForRootOptions;
const declared = (declaration: Record<string, unknown>) => () =>
  ({ connections: [{ type: Db, ...declaration } as never] }) as ConnectionsForRootOptions;

function decorated(options: Record<string, unknown>): () => ConnectionsForRootOptions {
  return () => {
    @Connection(options as never)
    class Odd extends ControlledBase {}
    return { connections: [Odd] };
  };
}

const cases: Case[] = [
  // secrets files
  { label: 'secrets: TOML syntax error', options: withFile(`[connections.db]\npassword = "${SECRET}\n`), connection: '*', key: 'secrets' },
  { label: 'secrets: non-UTF-8 bytes', options: withFile(Buffer.concat([Buffer.from(`[connections.db]\npassword = "${SECRET}`), Buffer.from([0xff, 0xfe]), Buffer.from('"\n')])), connection: '*', key: 'secrets' },
  { label: 'secrets: connections is not a table', options: withFile(`connections = "${SECRET}"\n`), connection: '*', key: 'connections' },
  { label: 'secrets: a section is not a table', options: withFile(`[connections]\ndb = "${SECRET}"\n`), connection: 'db', key: undefined },
  { label: 'secrets: TOML date where a duration belongs', options: withFile(`[connections.db]\nttl = 1979-05-27T07:32:00Z\npassword = "${SECRET}"\n`), connection: 'db', key: 'ttl' },
  { label: 'secrets: TOML date where a string belongs', options: withFile(`[connections.db]\nurl = 1979-05-27\n`), connection: 'db', key: undefined },
  { label: 'secrets: __proto__ key', options: withFile(`[connections.db]\n"__proto__" = { polluted = "${SECRET}" }\n`), connection: 'db', key: '__proto__' },
  { label: 'secrets: constructor.prototype nesting', options: withFile(`[connections.db.constructor]\nprototype = 1\n`), connection: 'db', key: 'constructor' },
  { label: 'secrets: __proto__ as a connection name', options: withFile(`[connections.__proto__]\ntype = "sql"\n`), connection: '__proto__', key: 'connections' },
  { label: 'secrets: huge ttl', options: withFile(`[connections.db]\nttl = 99999999999999\n`), connection: 'db', key: 'ttl' },
  { label: 'secrets: negative drain timeout', options: withFile(`[connections.db]\ndrain_timeout = -1\n`), connection: 'db', key: 'drainTimeout' },
  { label: 'secrets: retry as a string', options: withFile(`[connections.db]\nretry = "lots"\n`), connection: 'db', key: 'retry' },
  { label: 'secrets: unknown retry key', options: withFile(`[connections.db]\nretry = { attempts = 2, tries = 3 }\n`), connection: 'db', key: 'retry.tries' },
  { label: 'secrets: circuit breaker without threshold', options: withFile(`[connections.db]\ncircuit_breaker = { half_open_after = "1s" }\n`), connection: 'db', key: 'circuitBreaker.threshold' },
  { label: 'secrets: unknown type with fromSecrets', options: () => ({ connections: [], fromSecrets: true, secrets: { files: [file(`[connections.x]\ntype = "mongo"\npassword = "${SECRET}"\n`)], env: {} } }), connection: 'x', key: 'type' },
  { label: 'secrets: listed file missing', options: () => ({ connections: [Db], secrets: { files: [join(tempDir(), 'absent.toml')] } }), connection: '*', key: 'secrets.files' },
  // environment
  { label: 'env: eager is not a boolean', options: withEnv({ CONNECTIONS__DB__EAGER: 'yes please' }), connection: 'db', key: 'eager' },
  { label: 'env: bad ttl', options: withEnv({ CONNECTIONS__DB__TTL: '5 fortnights' }), connection: 'db', key: 'ttl' },
  { label: 'env: empty key part', options: withEnv({ CONNECTIONS__DB____PASSWORD: SECRET }), connection: 'db', key: 'CONNECTIONS__DB____PASSWORD' },
  { label: 'env: prototype key', options: withEnv({ CONNECTIONS__DB__CONSTRUCTOR__PROTOTYPE: SECRET }), connection: 'db', key: 'CONNECTIONS__DB__CONSTRUCTOR__PROTOTYPE' },
  { label: 'env: retry out of range', options: withEnv({ CONNECTIONS__DB__RETRY: '1000000' }), connection: 'db', key: 'retry' },
  // module options
  { label: 'module: unknown option', options: withModule({ conections: [] }), connection: '*', key: 'conections' },
  { label: 'module: connections is not an array', options: () => ({ connections: 'all' }) as never, connection: '*', key: 'connections' },
  { label: 'module: fromSecrets is not a boolean', options: () => ({ connections: [], fromSecrets: 'yes' }) as never, connection: '*', key: 'fromSecrets' },
  { label: 'module: secrets is a string', options: withModule({ secrets: SECRET }), connection: '*', key: 'secrets' },
  { label: 'module: secrets.files is not a list of paths', options: withModule({ secrets: { files: [''] } }), connection: '*', key: 'secrets.files' },
  { label: 'module: unknown secrets option', options: withModule({ secrets: { file: 'x.toml' } }), connection: '*', key: 'secrets.file' },
  { label: 'module: bad watch strategy', options: withModule({ secrets: { watch: { strategy: 'explode' } } }), connection: '*', key: 'secrets.watch.strategy' },
  { label: 'module: types is not an object', options: withModule({ types: 'sql' }), connection: '*', key: 'types' },
  { label: 'module: bad default policy', options: withModule({ defaults: { ttl: [] } }), connection: '*', key: 'ttl' },
  { label: 'declaration: empty name', options: declared({ name: '' }), connection: '', key: 'name' },
  { label: 'declaration: name is a number', options: declared({ name: 42 }), connection: '*', key: 'name' },
  { label: 'declaration: huge name', options: declared({ name: 'x'.repeat(10_000) }), connection: 'x'.repeat(10_000), key: 'name' },
  { label: 'declaration: reserved name', options: declared({ name: 'events' }), connection: 'events', key: 'name' },
  { label: 'declaration: unknown key', options: declared({ name: 'a', password: SECRET }), connection: 'a', key: 'password' },
  { label: 'declaration: options is an array', options: declared({ name: 'a', options: [SECRET] }), connection: 'a', key: 'options' },
  { label: 'declaration: type is a number', options: () => ({ connections: [{ name: 'a', type: 7 } as never] }), connection: 'a', key: 'type' },
  { label: 'declaration: not an object', options: () => ({ connections: ['sql' as never] }), connection: '*', key: 'connections' },
  { label: 'declaration: duplicate names', options: () => ({ connections: [{ name: 'a', type: Db }, { name: 'a', type: Db }] }), connection: 'a', key: 'name' },
  // decorator options
  { label: 'decorator: unknown option', options: decorated({ name: 'odd', tll: '1m' }), connection: 'odd', key: 'tll' },
  { label: 'decorator: bad ttl', options: decorated({ name: 'odd', ttl: -5 }), connection: 'odd', key: 'ttl' },
  { label: 'decorator: name is not a string', options: decorated({ name: { evil: true } }), connection: '[object Object]', key: 'name' },
  { label: 'decorator: options is a string', options: decorated({ name: 'odd', options: SECRET }), connection: 'odd', key: 'options' },
  { label: 'decorator: required key missing', options: decorated({ name: 'odd', required: ['url'], options: { password: SECRET } }), connection: 'odd', key: 'url' },
  { label: 'decorator: circuit breaker is a number', options: decorated({ name: 'odd', circuitBreaker: 3 }), connection: 'odd', key: 'circuitBreaker' },
  // schemas and module options per name (issue 16)
  { label: 'decorator: schema is not a Standard Schema', options: decorated({ name: 'odd', schema: { parse: () => SECRET } }), connection: 'odd', key: 'schema' },
  { label: 'declaration: schema is a string', options: declared({ name: 'a', schema: SECRET }), connection: 'a', key: 'schema' },
  {
    label: 'declaration: schema throws (message masked)',
    options: declared({ name: 'a', options: { password: SECRET }, schema: { '~standard': { version: 1, vendor: 't', validate: () => { throw new Error(`bad ${SECRET}`); } } } }),
    connection: 'a',
    key: 'schema',
  },
  {
    label: 'declaration: schema issue on a secret key',
    options: declared({ name: 'a', options: { password: SECRET }, schema: { '~standard': { version: 1, vendor: 't', validate: () => ({ issues: [{ message: `"${SECRET}" is too short`, path: ['password'] }] }) } } }),
    connection: 'a',
    key: 'password',
  },
  { label: 'module: options for an unknown name', options: withModule({ options: { dbb: { password: SECRET } } }), connection: 'dbb', key: 'options' },
  { label: 'module: options of a name is a string', options: withModule({ options: { db: SECRET } }), connection: 'db', key: 'options' },
];

describe('S4 bad input fails bootstrap with an error naming the connection and the key, echoing no secret', () => {
  it('has at least 30 cases', () => expect(cases.length).toBeGreaterThanOrEqual(30));
  for (const c of cases) {
    it(`bad input: ${c.label}`, async () => {
      const error = await bootApp(c.options()).then(
        async ({ app }) => {
          await app.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(error, 'bootstrap must fail').toBeInstanceOf(ConnectionConfigError);
      const e = error as ConnectionConfigError;
      expect(e.connectionName).toBe(c.connection);
      expect(e.message).toContain(`Connection "${c.connection.slice(0, 50)}`);
      expect(e.key).toBe(c.key);
      expect(e.message.includes(`key "${c.key}"`)).toBe(c.key !== undefined);
      expect(e.message).not.toContain(SECRET);
      expect(e.message.length).toBeLessThan(11_000);
    });
  }
});

describe('S3 bad input on a secrets reload keeps the running state', () => {
  const reloads: Array<[string, string, string]> = [
    ['syntax error', `[connections.db]\nurl = "two\n`, 'malformed TOML'],
    ['bad ttl', `[connections.db]\nurl = "two"\nttl = "eventually"\n`, 'key "ttl"'],
    ['prototype key', `[connections.db]\n"__proto__" = 1\n`, 'key "__proto__"'],
    ['option rejected by the connection', `[connections.db]\nurl = 12\n`, 'url must be a string'],
  ];
  for (const [label, text, message] of reloads) {
    it(`bad reload: ${label}`, async () => {
      const path = file(`[connections.db]\nurl = "one"\n`);
      const { app, registry } = await bootApp({ connections: [Db], secrets: { files: [path], env: {} } });
      const conn = registry.get<Db>('db');
      const before = await conn.resolve();
      writeAtomic(path, text);
      const errors = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      let logged: string[] = [];
      try {
        expect(await registry.reloadSecrets()).toEqual([]);
        logged = errors.mock.calls.map((call) => String(call[0]));
      } finally {
        errors.mockRestore();
      }
      expect(logged.join('\n')).toContain(message);
      expect(logged.join('\n')).not.toContain(SECRET);
      expect(await conn.resolve()).toBe(before);
      expect(before.options.url).toBe('one');
      expect(conn.info()).toMatchObject({ state: 'connected', resets: 0 });
      await app.close();
    });
  }
});
