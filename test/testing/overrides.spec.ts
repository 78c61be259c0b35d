import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { afterEach, expect, it } from 'vitest';
import {
  BaseConnection,
  Connection,
  ConnectionConfigError,
  ConnectionRegistry,
  ConnectionsModule,
  InjectConnection,
  fakeConnection,
  getConnectionToken,
  type ConnectionsForRootOptions,
} from 'nestjs-connections';
import { ConnectionsAdminModule } from 'nestjs-connections/admin';
import { describeWithServices } from '../support/services.js';

/** A real connection that must never run in these tests: its `_connect` throws, and it requires a key nobody sets. */
@Connection({ name: 'db', required: ['url'] })
class DbConnection extends BaseConnection<{ kind: string }, { url: string }> {
  protected _connect(): { kind: string } {
    throw new Error('the real DbConnection must not connect in a test that overrides it');
  }
}

/** A test double written as a class (useClass): it extends BaseConnection, not the real class. */
class InMemoryDb extends BaseConnection<{ kind: string }> {
  protected _connect(): { kind: string } {
    return { kind: 'in-memory' };
  }
}

/** A test double that extends the real class (a common useClass): it must not inherit `required`. */
class StubbedDb extends DbConnection {
  protected override _connect(): { kind: string } {
    return { kind: 'stubbed' };
  }
}

@Injectable()
class Consumer {
  constructor(
    readonly byClass: DbConnection,
    @InjectConnection('db') readonly byName: unknown,
    @InjectConnection('reports') readonly reports: unknown,
  ) {}
}

const TOKEN = 'overrides-admin-token-0123456789';
const ROOT: ConnectionsForRootOptions = {
  secrets: false,
  // A declared built-in: without an override it would need a reachable PostgreSQL at bootstrap (eager).
  connections: [DbConnection, { name: 'reports', type: 'sql', eager: true, options: { url: 'postgres://nobody@127.0.0.1:1/none' } }],
};

interface Booted {
  app: INestApplication;
  registry: ConnectionRegistry;
  consumer: Consumer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, checked by the assertions
  admin(path: string, method?: string): Promise<{ status: number; body: any }>;
}

let booted: Booted | null = null;
afterEach(async () => {
  await booted?.app.close();
  booted = null;
});

async function boot(override: (builder: TestingModuleBuilder) => TestingModuleBuilder, root = ROOT): Promise<Booted> {
  const builder = Test.createTestingModule({
    imports: [ConnectionsModule.forRoot(root), ConnectionsAdminModule.forRoot({ token: TOKEN })],
    providers: [Consumer],
  });
  const moduleRef = await override(builder).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const origin = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  booted = {
    app,
    registry: app.get(ConnectionRegistry),
    consumer: app.get(Consumer),
    async admin(path, method = 'GET') {
      const res = await fetch(origin + '/admin/connections' + path, { method, headers: { authorization: `Bearer ${TOKEN}` } });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
  };
  return booted;
}

/** Everything that must see the override value `x` under `name`. */
async function expectEverywhere(b: Booted, name: string, x: unknown, type: string): Promise<void> {
  expect(b.registry.get(name)).toBe(x);
  expect(b.registry.list().find((info) => info.name === name)).toMatchObject({ name, type });
  expect((await b.admin('')).body.find((info: { name: string }) => info.name === name)).toMatchObject({ name, type });
  expect(await b.admin(`/${name}`)).toMatchObject({ status: 200, body: { name, type } });
  // Health: the double answers `up` (a plain object has nothing to ping; a BaseConnection double pings without I/O).
  expect(await b.admin('/health')).toMatchObject({ status: 200, body: { status: 'up', connections: { [name]: { status: 'up' } } } });
}

await describeWithServices(['redis'], 'O1 testing overrides replace a connection everywhere', () => {
  it('O1 class token, useValue(plain object): injection by class and name, registry, list, admin and health see it; info type "override"; reset is a no-op', async () => {
    const mock = { query: () => ['row'] };
    const b = await boot((t) => t.overrideProvider(DbConnection).useValue(mock).overrideProvider(getConnectionToken('reports')).useValue({}));
    expect(b.consumer.byClass).toBe(mock);
    expect(b.consumer.byName).toBe(mock);
    await expectEverywhere(b, 'db', mock, 'override');
    expect(b.registry.info('db')).toMatchObject({ name: 'db', type: 'override', state: 'idle', generation: 0 });
    expect(await b.registry.reset('db')).toEqual({ name: 'db', reset: false, previousGeneration: 0, generation: 0 });
    expect(await b.admin('/db/reset', 'POST')).toMatchObject({ status: 200, body: { name: 'db', reset: false } });
    expect((await b.admin('/health')).status).toBe(200);
  });

  it('O2 class token, useValue(fakeConnection(raw)): it takes the name "db", connects lazily to raw, resets and counts', async () => {
    const raw = { kind: 'fake' };
    const fake = fakeConnection(raw);
    const b = await boot((t) => t.overrideProvider(DbConnection).useValue(fake).overrideProvider(getConnectionToken('reports')).useValue(fakeConnection({})));
    expect(b.consumer.byClass).toBe(fake);
    expect(b.consumer.byName).toBe(fake);
    expect(fake.name).toBe('db');
    expect(fake.generation).toBe(0); // lazy: nothing connected at bootstrap
    expect(await fake.resolve()).toBe(raw);
    await expectEverywhere(b, 'db', fake, 'fake');
    expect(await b.admin('/db')).toMatchObject({ body: { state: 'connected', generation: 1, connects: 1 } });
    expect(await b.admin('/db/reset', 'POST')).toMatchObject({ body: { name: 'db', reset: true, previousGeneration: 1 } });
    expect(await fake.resolve()).toBe(raw);
    expect(b.registry.info('db')).toMatchObject({ generation: 2, resets: 1 });
  });

  it('O3 class token, useClass(InMemoryDb) and useClass(StubbedDb extends DbConnection): no "required" failure, the double is registered as "db"', async () => {
    for (const Double of [InMemoryDb, StubbedDb]) {
      const b = await boot((t) => t.overrideProvider(DbConnection).useClass(Double).overrideProvider(getConnectionToken('reports')).useValue({}));
      expect(b.consumer.byClass).toBeInstanceOf(Double);
      expect(b.consumer.byName).toBe(b.consumer.byClass);
      await expectEverywhere(b, 'db', b.consumer.byClass, Double.name);
      expect(await (b.consumer.byClass as BaseConnection<{ kind: string }>).resolve()).toEqual({ kind: Double === InMemoryDb ? 'in-memory' : 'stubbed' });
      await b.app.close();
      booted = null;
    }
  });

  it('O4 class token, useFactory(() => fakeConnection(raw)): registered as "db"', async () => {
    const raw = { kind: 'factory' };
    const b = await boot((t) =>
      t.overrideProvider(DbConnection).useFactory({ factory: () => fakeConnection(raw) }).overrideProvider(getConnectionToken('reports')).useValue({}),
    );
    expect(b.consumer.byName).toBe(b.consumer.byClass);
    await expectEverywhere(b, 'db', b.consumer.byClass, 'fake');
    expect(await (b.consumer.byClass as BaseConnection).resolve()).toBe(raw);
  });

  it('O5 name token of a declared connection, each flavour: the eager SQL declaration never connects; by name, registry, list, admin see the double', async () => {
    const raw = { kind: 'reports' };
    const flavours: Array<[string, (t: TestingModuleBuilder) => TestingModuleBuilder, string]> = [
      ['useValue(plain)', (t) => t.overrideProvider(getConnectionToken('reports')).useValue(raw), 'override'],
      ['useValue(fake)', (t) => t.overrideProvider(getConnectionToken('reports')).useValue(fakeConnection(raw)), 'fake'],
      ['useClass', (t) => t.overrideProvider(getConnectionToken('reports')).useClass(InMemoryDb), 'InMemoryDb'],
      ['useFactory', (t) => t.overrideProvider(getConnectionToken('reports')).useFactory({ factory: () => fakeConnection(raw) }), 'fake'],
    ];
    for (const [label, override, type] of flavours) {
      const b = await boot((t) => override(t.overrideProvider(DbConnection).useValue(fakeConnection({ kind: 'db' }))));
      const value = b.consumer.reports;
      expect(value).toBeDefined();
      await expectEverywhere(b, 'reports', value, type);
      // A BaseConnection double answers to the replaced name; a plain value has no name of its own.
      expect({ label, name: value instanceof BaseConnection ? value.name : 'reports' }).toEqual({ label, name: 'reports' });
      await b.app.close();
      booted = null;
    }
  });

  it('O6 name token of a listed class: by name, registry and admin see the double; the class token keeps an unregistered instance (documented)', async () => {
    const fake = fakeConnection({ kind: 'by-name' });
    const b = await boot((t) => t.overrideProvider(getConnectionToken('db')).useValue(fake).overrideProvider(getConnectionToken('reports')).useValue({}));
    expect(b.consumer.byName).toBe(fake);
    await expectEverywhere(b, 'db', fake, 'fake');
    expect(b.consumer.byClass).toBeInstanceOf(DbConnection);
    expect(b.consumer.byClass).not.toBe(fake);
  });

  it('O7 an override value of null fails bootstrap with a ConnectionConfigError naming the connection and key "override"', async () => {
    const error = await boot((t) => t.overrideProvider(DbConnection).useValue(null)).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConnectionConfigError);
    expect(error).toMatchObject({ connectionName: 'db', key: 'override' });
    expect((error as Error).message).toMatch(/null/);
  });

  it('O8 cluster resets reach the override (a fake is reset by a cluster reset over Redis)', async () => {
    const fake = fakeConnection({ kind: 'cluster' });
    const channel = `day1-overrides-${randomBytes(4).toString('hex')}`;
    const b = await boot(
      (t) => t.overrideProvider(DbConnection).useValue(fake).overrideProvider(getConnectionToken('reports')).useValue({}),
      { ...ROOT, cluster: { transport: 'redis', channel, insecure: true, heartbeat: '200ms', ackTimeout: '1s' } },
    );
    await fake.resolve();
    const result = await b.registry.reset('db', { scope: 'cluster' });
    expect(result.replies).toEqual([expect.objectContaining({ ok: true, result: expect.objectContaining({ name: 'db', reset: true, previousGeneration: 1 }) })]);
    expect(fake.state).toBe('idle');
    const plain = await b.registry.reset('reports', { scope: 'cluster' });
    expect(plain.replies).toEqual([expect.objectContaining({ ok: true, result: { name: 'reports', reset: false, previousGeneration: 0, generation: 0 } })]);
  });

  it('O9 a forFeature() class: class-token and name-token overrides (useValue, useFactory) replace it in the registry too', async () => {
    @Connection({ name: 'feature-db', required: ['url'] })
    class FeatureDb extends BaseConnection<unknown> {
      protected _connect(): unknown {
        throw new Error('the real FeatureDb must not connect');
      }
    }
    @Injectable()
    class FeatureService {
      constructor(
        readonly byClass: FeatureDb,
        @InjectConnection('feature-db') readonly byName: unknown,
      ) {}
    }
    @Module({ imports: [ConnectionsModule.forFeature([FeatureDb])], providers: [FeatureService] })
    class FeatureModule {}
    const cases: Array<[string, (t: TestingModuleBuilder, x: unknown) => TestingModuleBuilder, (x: unknown) => unknown, string]> = [
      ['class useValue(plain)', (t, x) => t.overrideProvider(FeatureDb).useValue(x), () => ({ plain: true }), 'override'],
      ['class useFactory(fake)', (t, x) => t.overrideProvider(FeatureDb).useFactory({ factory: () => x }), () => fakeConnection({}), 'fake'],
      ['name useValue(fake)', (t, x) => t.overrideProvider(getConnectionToken('feature-db')).useValue(x), () => fakeConnection({}), 'fake'],
    ];
    for (const [label, override, make, type] of cases) {
      const x = make(undefined);
      const moduleRef = await override(Test.createTestingModule({ imports: [ConnectionsModule.forRoot({ secrets: false }), FeatureModule] }), x).compile();
      const ctx = await moduleRef.init();
      const registry = ctx.get(ConnectionRegistry);
      const service = ctx.get(FeatureService);
      expect({ label, byName: service.byName === x, registry: registry.get('feature-db') === x, type: registry.info('feature-db').type }).toEqual({
        label,
        byName: true,
        registry: true,
        type,
      });
      await ctx.close();
    }
  });

  it('O10 one fakeConnection given for two connections fails bootstrap naming both, instead of being renamed twice', async () => {
    const fake = fakeConnection({});
    const error = await boot((t) => t.overrideProvider(DbConnection).useValue(fake).overrideProvider(getConnectionToken('reports')).useValue(fake)).catch(
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ConnectionConfigError);
    expect(error).toMatchObject({ connectionName: 'reports' });
    expect((error as Error).message).toContain('"db"');
  });
});
