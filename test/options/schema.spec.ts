import 'reflect-metadata';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import type { INestApplicationContext } from '@nestjs/common';
import * as v from 'valibot';
import { afterEach, expect, it } from 'vitest';
import { z } from 'zod';
import {
  BaseConnection,
  Connection,
  ConnectionConfigError,
  ConnectionRegistry,
  type StandardSchemaV1,
} from 'nestjs-connections';
import { bootApp } from '../support/app.js';
import { describeWithServices } from '../support/services.js';
import { tempDir } from '../support/temp-files.js';

const zodOptions = z.object({
  host: z.string(),
  port: z.coerce.number().int().positive(),
  synchronize: z.stringbool().or(z.boolean()).default(false),
  password: z.string().optional(),
  pool: z.object({ max: z.coerce.number().int().max(50) }).optional(),
});

/** Hands back what `_connect` received. */
@Connection({ name: 'zdb', options: { host: 'localhost' }, schema: zodOptions })
class ZodDb extends BaseConnection<Record<string, unknown>> {
  protected _connect(options: Record<string, unknown>): Record<string, unknown> {
    return options;
  }
}

const valibotOptions = v.object({
  host: v.string(),
  port: v.pipe(v.union([v.string(), v.number()]), v.transform(Number), v.number(), v.integer()),
  tls: v.optional(v.pipe(v.union([v.string(), v.boolean()]), v.transform((x) => x === true || x === 'true'))),
  pool: v.optional(v.object({ max: v.number() })),
});

class Echo extends BaseConnection<Record<string, unknown>> {
  protected _connect(options: Record<string, unknown>): Record<string, unknown> {
    return options;
  }
}

let app: INestApplicationContext | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

const failure = (promise: Promise<unknown>) => promise.then(() => null, (err: unknown) => err as ConnectionConfigError);

await describeWithServices([], 'Z1 Standard Schema validation of the merged options', () => {
  it('Z1 zod 4 on @Connection: environment strings become a number and a boolean; _connect receives the output', async () => {
    ({ app } = await bootApp({
      connections: [ZodDb],
      secrets: { env: { CONNECTIONS__ZDB__PORT: '5433', CONNECTIONS__ZDB__SYNCHRONIZE: 'false', CONNECTIONS__ZDB__POOL__MAX: '7' } },
    }));
    const received = await app.get(ZodDb).resolve();
    expect(received).toEqual({ host: 'localhost', port: 5433, synchronize: false, pool: { max: 7 } });
  });

  it('Z2 zod 4 issue: ConnectionConfigError at bootstrap with err.key "pool.max" (dotted), never the value or a secret', async () => {
    const err = await failure(
      bootApp({
        connections: [ZodDb],
        secrets: { env: { CONNECTIONS__ZDB__PORT: '5433', CONNECTIONS__ZDB__PASSWORD: 'hunter2-zod-secret', CONNECTIONS__ZDB__POOL__MAX: 'ninety-nine' } },
      }),
    );
    expect(err).toBeInstanceOf(ConnectionConfigError);
    expect(err).toMatchObject({ connectionName: 'zdb', key: 'pool.max' });
    expect(err!.message).not.toContain('ninety-nine');
    expect(err!.message).not.toContain('hunter2-zod-secret');
  });

  it('Z3 valibot on a declaration: output reaches _connect; an issue names the key and hides the value valibot quotes', async () => {
    ({ app } = await bootApp({
      connections: [{ name: 'vdb', type: Echo, schema: valibotOptions, options: { host: 'h' } }],
      secrets: { env: { CONNECTIONS__VDB__PORT: '6380', CONNECTIONS__VDB__TLS: 'true' } },
    }));
    expect(await app.get(ConnectionRegistry).get('vdb').resolve()).toEqual({ host: 'h', port: 6380, tls: true });
    await app.close();
    app = null;
    const err = await failure(
      bootApp({ connections: [{ name: 'vdb', type: Echo, schema: valibotOptions, options: { host: 'h', port: 1, pool: { max: 'lots-of-them' } } }] }),
    );
    expect(err).toMatchObject({ name: 'ConnectionConfigError', connectionName: 'vdb', key: 'pool.max' });
    expect(err!.message).not.toContain('lots-of-them');
  });

  it('Z4 async validators are awaited (zod refine with an async check)', async () => {
    let checked = 0;
    const schema = z.object({ host: z.string() }).refine(async (o) => {
      checked++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return o.host !== 'forbidden';
    }, { message: 'host not allowed', path: ['host'] });
    ({ app } = await bootApp({ connections: [{ name: 'adb', type: Echo, schema, options: { host: 'fine' } }] }));
    expect(checked).toBeGreaterThan(0); // zod's Standard Schema adapter may run a refinement twice (sync try, then async)
    const err = await failure(bootApp({ connections: [{ name: 'adb', type: Echo, schema, options: { host: 'forbidden' } }] }));
    expect(err).toMatchObject({ name: 'ConnectionConfigError', connectionName: 'adb', key: 'host' });
  });

  it('Z5 the declaration schema runs first, then the class schema, whose output _connect gets', async () => {
    @Connection({ schema: z.object({ port: z.number() }).transform((o) => ({ ...o, fromClass: true })) })
    class Typed extends Echo {}
    ({ app } = await bootApp({ connections: [{ name: 'typed', type: Typed, schema: z.object({ port: z.coerce.number() }), options: { port: '12' } }] }));
    expect(await app.get(ConnectionRegistry).get('typed').resolve()).toEqual({ port: 12, fromClass: true });
  });

  it('Z6 on each secrets reload: a bad value keeps the previous options; a good one resets with the new output', async () => {
    const dir = tempDir();
    const file = join(dir, 'secrets.toml');
    writeFileSync(file, '[connections.zdb]\nport = "1000"\n');
    ({ app } = await bootApp({ connections: [ZodDb], secrets: { files: [file], env: false } }));
    const registry = app.get(ConnectionRegistry);
    const conn = app.get(ZodDb);
    expect(await conn.resolve()).toMatchObject({ port: 1000 });
    writeFileSync(file, '[connections.zdb]\nport = "not-a-port"\n');
    expect(await registry.reloadSecrets()).toEqual([]);
    expect(await conn.resolve()).toMatchObject({ port: 1000 });
    writeFileSync(file, '[connections.zdb]\nport = "2000"\n');
    expect(await registry.reloadSecrets()).toEqual(['zdb']);
    expect(await conn.resolve()).toMatchObject({ port: 2000 });
    expect(conn.generation).toBe(2);
  });

  it('Z7 bad input: a schema that throws, and a schema that is not Standard Schema, fail bootstrap naming connection and key "schema"', async () => {
    const throwing: StandardSchemaV1 = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: () => {
          throw new Error('validator exploded');
        },
      },
    };
    const thrown = await failure(bootApp({ connections: [{ name: 'boom', type: Echo, schema: throwing }] }));
    expect(thrown).toMatchObject({ name: 'ConnectionConfigError', connectionName: 'boom', key: 'schema' });
    expect(thrown!.message).toContain('validator exploded');
    const notStandard = await failure(bootApp({ connections: [{ name: 'odd', type: Echo, schema: { parse: () => ({}) } as never }] }));
    expect(notStandard).toMatchObject({ name: 'ConnectionConfigError', connectionName: 'odd', key: 'schema' });
    expect(notStandard!.message).toMatch(/Standard Schema/);
    @Connection({ name: 'odd-class', schema: 'zod' as never })
    class OddClass extends Echo {}
    const onClass = await failure(bootApp({ connections: [OddClass] }));
    expect(onClass).toMatchObject({ name: 'ConnectionConfigError', connectionName: 'odd-class', key: 'schema' });
  });
});
