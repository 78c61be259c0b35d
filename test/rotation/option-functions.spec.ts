import { join } from 'node:path';
import { inspect } from 'node:util';
import type { INestApplicationContext } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Connection,
  ConnectError,
  type ConnectionEvent,
  type FunctionOptionKind,
  type OptionFunctionContext,
} from 'nestjs-connections';
import { bootApp } from '../support/app.js';
import { ControlledBase } from '../support/controlled-connection.js';
import { tempDir, writeAtomic } from '../support/temp-files.js';
import { captureLogs } from '../resilience/support/rotation.js';

const STATIC_SECRET = 'static-pw-0xDEADBEEF';
let tokens = 0;
const contexts: OptionFunctionContext[] = [];
const nestedHook = () => {
  throw new Error('a nested function is a driver hook: never called by the connection');
};

@Connection({
  name: 'fn-opts',
  options: {
    host: 'db.internal',
    password: STATIC_SECRET,
    token: (context: OptionFunctionContext) => {
      contexts.push(context);
      return `tok-${++tokens}-secret`;
    },
    region: async () => 'eu-west-1',
    pool: { afterCreate: nestedHook },
  },
})
class FnOpts extends ControlledBase {
  override auto = true;
  options(): Readonly<Record<string, unknown>> {
    return this._options;
  }
}

let app: INestApplicationContext | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function boot<T extends ControlledBase>(cls: new () => T, extra: Record<string, unknown> = {}) {
  const booted = await bootApp({ connections: [cls as never], ...extra });
  app = booted.app;
  return { conn: booted.app.get(cls as never) as T, registry: booted.registry };
}

describe('OF function option values', () => {
  it('OF1 a function value (sync or async) is called on each connect, never at bootstrap; _connect gets its result; nested functions are left alone', async () => {
    tokens = 0;
    const { conn } = await boot(FnOpts);
    expect(tokens).toBe(0); // L1: nothing is called before the first connect
    await conn.resolve();
    expect(conn.connects[0].options).toMatchObject({ host: 'db.internal', token: 'tok-1-secret', region: 'eu-west-1' });
    expect((conn.connects[0].options.pool as { afterCreate: unknown }).afterCreate).toBe(nestedHook);
    await conn.resolve();
    expect(tokens).toBe(1); // L3: no connect, no call
    await conn.reset();
    await conn.resolve();
    expect(conn.connects[1].options).toMatchObject({ token: 'tok-2-secret', region: 'eu-west-1' });
    // The bound options keep the function (merging neither called nor copied it into a value).
    expect(typeof conn.options().token).toBe('function');
  });

  it('OF2 the function gets the connect context: name, attempt (1-based, per retry), signal', async () => {
    @Connection({ name: 'fn-ctx', retry: { attempts: 3, initialDelay: 1, maxDelay: 5 }, options: { token: (c: OptionFunctionContext) => (contexts.push(c), 'x') } })
    class FnCtx extends ControlledBase {
      override auto = true;
    }
    contexts.length = 0;
    const { conn } = await boot(FnCtx);
    conn.failNext = 2;
    await conn.resolve();
    expect(contexts.map((c) => [c.name, c.attempt, c.signal instanceof AbortSignal, c.key])).toEqual([
      ['fn-ctx', 1, true, undefined],
      ['fn-ctx', 2, true, undefined],
      ['fn-ctx', 3, true, undefined],
    ]);
  });

  it('OF2 on a keyed connection the function gets the key, and runs after the per-key options', async () => {
    @Connection({ name: 'fn-keyed', keyed: {}, options: { token: (c: OptionFunctionContext) => `tok-for-${c.key}` } })
    class FnKeyed extends ControlledBase {
      override auto = true;
    }
    const { conn } = await boot(FnKeyed);
    await conn.for('acme').resolve();
    await conn.for('globex').resolve();
    expect(conn.connects.map((c) => c.options.token)).toEqual(['tok-for-acme', 'tok-for-globex']);
  });

  it('OF3 what a function returns is masked like any secret: errors, events, info(), logs', async () => {
    @Connection({ name: 'fn-mask', options: { apiToken: async () => 'returned-token-7f3a' } })
    class FnMask extends ControlledBase {}
    const logs = captureLogs();
    try {
      const { conn } = await boot(FnMask);
      const events: ConnectionEvent[] = [];
      conn.events$.subscribe((e) => events.push(e));
      const resolving = conn.resolve();
      await new Promise((resolve) => setImmediate(resolve));
      conn.fail(0, new Error(`server refused apiToken returned-token-7f3a (and its url form returned-token-7f3a)`));
      const err = (await resolving.catch((e: unknown) => e)) as ConnectError;
      expect(err).toBeInstanceOf(ConnectError);
      expect(err.message).toContain('server refused apiToken ***');
      const visible = [err.message, JSON.stringify(events), JSON.stringify(conn.info()), inspect(conn), ...logs.lines].join('\n');
      expect(visible).not.toContain('returned-token-7f3a');
      expect(events.find((e) => e.type === 'connect-failed')?.error).toContain('***');
    } finally {
      logs.restore();
    }
  });

  it('OF4 a function that throws fails the connect with a ConnectError naming the connection and the key, masked; not cached', async () => {
    let fail = true;
    @Connection({
      name: 'fn-throws',
      options: {
        password: STATIC_SECRET,
        token: async () => {
          if (fail) throw new Error(`vault refused: lease for ${STATIC_SECRET} expired`);
          return 'fresh';
        },
      },
    })
    class FnThrows extends ControlledBase {
      override auto = true;
    }
    const logs = captureLogs();
    try {
      const { conn } = await boot(FnThrows);
      const err = (await conn.resolve().catch((e: unknown) => e)) as ConnectError;
      expect(err).toBeInstanceOf(ConnectError);
      expect(err.key).toBe('token');
      expect(err.message).toContain('Connection "fn-throws" failed to connect: key "token"');
      expect(err.message).toContain('vault refused: lease for *** expired');
      expect((err.cause as Error).message).toContain('vault refused'); // the original, for the app's own handling
      expect(conn.connects).toHaveLength(0); // _connect never ran
      expect(conn.info().lastError).toContain('key "token"');
      expect([err.message, JSON.stringify(conn.info()), ...logs.lines].join('\n')).not.toContain(STATIC_SECRET);
      fail = false;
      await conn.resolve(); // L4: not cached
      expect(conn.connects[0].options.token).toBe('fresh');
    } finally {
      logs.restore();
    }
  });

  it('OF4 a synchronous throw is named the same way', async () => {
    @Connection({
      name: 'fn-sync-throws',
      options: {
        url: () => {
          throw new TypeError('no url configured');
        },
      },
    })
    class FnSyncThrows extends ControlledBase {}
    const { conn } = await boot(FnSyncThrows);
    const err = (await conn.resolve().catch((e: unknown) => e)) as ConnectError;
    expect(err).toBeInstanceOf(ConnectError);
    expect(err.key).toBe('url');
    expect(err.message).toContain('key "url" (a function option) threw: no url configured');
  });

  it('OF5 merging keeps a function as a value: other layers add keys around it, a secrets reload that leaves it alone resets nothing, nothing stringifies it', async () => {
    tokens = 0;
    const file = join(tempDir(), 'secrets.toml');
    writeAtomic(file, '[connections.fn-opts]\nport = 5433\n\n[connections.other]\nx = 1\n');
    const { conn, registry } = await boot(FnOpts, { secrets: { files: [file], env: {} } });
    await conn.resolve();
    expect(conn.connects[0].options).toMatchObject({ port: 5433, token: 'tok-1-secret' });
    writeAtomic(file, '[connections.fn-opts]\nport = 5433\n\n[connections.other]\nx = 2\n');
    expect(await registry.reloadSecrets()).toEqual([]);
    expect(conn.generation).toBe(1);
    expect(tokens).toBe(1);
    writeAtomic(file, '[connections.fn-opts]\nport = 5434\n');
    expect(await registry.reloadSecrets()).toEqual(['fn-opts']);
    await conn.resolve();
    expect(conn.connects[1].options).toMatchObject({ port: 5434, token: 'tok-2-secret' });
    const shown = [JSON.stringify(conn), inspect(conn), JSON.stringify(registry.list())].join('\n');
    expect(shown).not.toContain('tok-');
    expect(shown).not.toContain('contexts.push');
  });

  it('OF6 a class takes some keys as functions: a provider is called by the driver later (masked, key named on a throw), a callback is untouched', async () => {
    const hook = (n: number) => n * 2;
    let provided = 0;
    @Connection({
      name: 'fn-kinds',
      options: {
        hook,
        secret: async (c: OptionFunctionContext) => {
          if (++provided === 2) throw new Error('token service down');
          return `provided-${c.name}-${provided}`;
        },
      },
    })
    class FnKinds extends ControlledBase {
      protected static override readonly functionOptions: Readonly<Record<string, FunctionOptionKind>> = { hook: 'callback', secret: 'provider' };
      override auto = true;
      mask(text: string): string {
        return this._mask(text);
      }
    }
    const { conn } = await boot(FnKinds);
    await conn.resolve();
    const options = conn.connects[0].options as { hook: unknown; secret: () => Promise<string> };
    expect(options.hook).toBe(hook);
    expect(provided).toBe(0); // not called before _connect: the driver calls it
    expect(await options.secret()).toBe('provided-fn-kinds-1');
    expect(conn.mask('AUTH provided-fn-kinds-1')).toBe('AUTH ***');
    const err = (await options.secret().catch((e: unknown) => e)) as Error & { key?: string };
    expect(err.key).toBe('secret');
    expect(err.message).toContain('key "secret" (a function option) threw: token service down');
    expect(await options.secret()).toBe('provided-fn-kinds-3');
  });
});

describe('OF built-in classes keep their drivers\' hooks', () => {
  it('OF6 TypeOrmConnection passes TypeORM\'s prepareDatabase untouched (TypeORM calls it with the database), and calls a url function per connect', async () => {
    const { TypeOrmConnection } = await import('nestjs-connections/typeorm');
    const prepared: unknown[] = [];
    let urls = 0;
    const booted = await bootApp({
      connections: [
        {
          name: 'fn-typeorm',
          type: TypeOrmConnection,
          options: {
            url: () => (urls++, 'sqlite://'),
            prepareDatabase: (db: unknown) => void prepared.push(db),
          },
        },
      ],
    });
    app = booted.app;
    const conn = booted.registry.get<InstanceType<typeof TypeOrmConnection>>('fn-typeorm');
    expect(await conn.use((ds) => ds.query('select 1 as one'))).toEqual([{ one: 1 }]);
    expect(urls).toBe(1);
    expect(prepared).toHaveLength(1);
    expect(typeof (prepared[0] as { prepare?: unknown }).prepare).toBe('function'); // a better-sqlite3 Database, not our context
  });
});

describe('OF with a schema', () => {
  it('OF7 a schema validates the options as set: a function passes it as a function (not called at bootstrap) and is called on connect', async () => {
    const { z } = await import('zod');
    let calls = 0;
    @Connection({
      name: 'fn-schema',
      schema: z.object({ host: z.string(), token: z.custom<() => string>((v) => typeof v === 'function', 'must be a function') }),
      options: { host: 'h', token: () => `schema-tok-${++calls}` },
    })
    class FnSchema extends ControlledBase {
      override auto = true;
    }
    const { conn } = await boot(FnSchema);
    expect(calls).toBe(0);
    await conn.resolve();
    expect(conn.connects[0].options).toEqual({ host: 'h', token: 'schema-tok-1' });
  });
});
