import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Inject, Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { BaseConnection, Connection, ConnectionRegistry, ConnectionsModule, InjectConnection, UnknownConnectionError, getConnectionToken, type ConnectionsModuleOptions } from 'nestjs-connections';
import { defaultConnectionName } from '../../lib/utils/naming.util.js';
import { ControlledBase, ControlledConnection, FakeClient } from '../support/controlled-connection.js';
import { tempDir } from '../support/temp-files.js';

let app: INestApplicationContext | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function compile(imports: unknown[], providers: unknown[] = []): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({ imports: imports as never, providers: providers as never }).compile();
  app = await moduleRef.init();
  return app;
}

const API_URL = 'API_URL';

/** A connection that injects a provider of the app through its own constructor. */
@Connection()
class AnalyticsDbConnection extends BaseConnection<FakeClient> {
  constructor(@Inject(API_URL) readonly apiUrl: string) {
    super();
  }
  protected override async _connect(options: Record<string, unknown>) {
    return new FakeClient({ ...options, apiUrl: this.apiUrl });
  }
}

@Module({ providers: [{ provide: API_URL, useValue: 'http://127.0.0.1:9' }], exports: [API_URL] })
class ApiUrlModule {}

@Injectable()
class Reports {
  constructor(
    readonly byClass: AnalyticsDbConnection,
    @InjectConnection('analytics-db') readonly byName: AnalyticsDbConnection,
  ) {}
}

describe('Module: registration and injection', () => {
  it('names default to the kebab-cased class name without a trailing Connection', () => {
    expect(defaultConnectionName('AnalyticsDbConnection')).toBe('analytics-db');
    expect(defaultConnectionName('HTTPApiConnection')).toBe('http-api');
    expect(defaultConnectionName('Cache')).toBe('cache');
    expect(defaultConnectionName('Connection')).toBe('connection');
  });

  it('forRoot registers classes that inject their own dependencies; services inject them by class and by name', async () => {
    const a = await compile(
      [ApiUrlModule, ConnectionsModule.forRoot({ connections: [AnalyticsDbConnection], imports: [ApiUrlModule], secrets: false })],
      [Reports],
    );
    const reports = a.get(Reports);
    expect(reports.byClass).toBe(reports.byName);
    expect(reports.byClass.name).toBe('analytics-db');
    expect((await reports.byClass.resolve()).options.apiUrl).toBe('http://127.0.0.1:9');
    expect(a.get(getConnectionToken('analytics-db'))).toBe(reports.byClass);
  });

  it('a declared class with dependencies is built by Nest, one without them directly', async () => {
    const a = await compile([
      ConnectionsModule.forRoot({
        connections: [
          { name: 'with-deps', type: AnalyticsDbConnection },
          { name: 'without', type: ControlledConnection },
        ],
        imports: [ApiUrlModule],
        secrets: false,
      }),
    ]);
    const registry = a.get(ConnectionRegistry);
    expect((await registry.get<AnalyticsDbConnection>('with-deps').resolve()).options.apiUrl).toBe('http://127.0.0.1:9');
    expect(registry.get('without')).toBeInstanceOf(ControlledConnection);
  });

  it('forRootAsync takes the classes statically and the rest from a factory with inject', async () => {
    const file = join(tempDir(), 's.toml');
    writeFileSync(file, '[connections.analytics-db]\nurl = "from-file"\n');
    const a = await compile([
      ApiUrlModule,
      ConnectionsModule.forRootAsync({
        connections: [AnalyticsDbConnection],
        imports: [ApiUrlModule],
        inject: [API_URL],
        useFactory: (url: string) => ({ secrets: { files: [file], env: {} }, defaults: { ttl: url ? '1h' : null } }),
      }),
    ]);
    const conn = a.get(AnalyticsDbConnection);
    expect(conn.info().ttlMs).toBe(3_600_000);
    expect((await conn.resolve()).options.url).toBe('from-file');
  });

  it('forRootAsync takes its options from a class (useClass) too', async () => {
    @Injectable()
    class ConnectionsConfig {
      createConnectionsOptions(): ConnectionsModuleOptions {
        return { secrets: false, defaults: { drainTimeout: '2s', ttl: '30s' } };
      }
    }
    const a = await compile([ConnectionsModule.forRootAsync({ connections: [ControlledConnection], useClass: ConnectionsConfig })]);
    expect(a.get(ControlledConnection).info().ttlMs).toBe(30_000);
  });

  it('forFeature registers more classes with the same registry', async () => {
    @Connection({ name: 'feature-conn' })
    class FeatureConn extends ControlledBase {
      override auto = true;
    }
    @Injectable()
    class FeatureService {
      constructor(@InjectConnection('feature-conn') readonly conn: FeatureConn) {}
    }
    @Module({ imports: [ConnectionsModule.forFeature([FeatureConn])], providers: [FeatureService] })
    class FeatureModule {}
    const a = await compile([ConnectionsModule.forRoot({ connections: [ControlledConnection], secrets: false }), FeatureModule]);
    const registry = a.get(ConnectionRegistry);
    expect(registry.names().sort()).toEqual(['controlled', 'feature-conn']);
    const service = a.get(FeatureService);
    expect(service.conn).toBe(registry.get('feature-conn'));
    expect(await service.conn.resolve()).toBeInstanceOf(FakeClient);
  });

  it('forFeature of a class also in forRoot (or in two feature modules) shares one connection', async () => {
    @Connection({ name: 'shared' })
    class Shared extends ControlledBase {}
    @Module({ imports: [ConnectionsModule.forFeature([Shared])] })
    class FeatureA {}
    @Module({ imports: [ConnectionsModule.forFeature([Shared])] })
    class FeatureB {}
    const a = await compile([ConnectionsModule.forRoot({ connections: [Shared], secrets: false }), FeatureA, FeatureB]);
    const registry = a.get(ConnectionRegistry);
    expect(registry.names()).toEqual(['shared']);
    expect(a.get(Shared, { strict: false })).toBe(registry.get('shared'));
  });

  it('forFeature instantiates the class with the providers of its imports', async () => {
    @Module({ imports: [ConnectionsModule.forFeature([AnalyticsDbConnection], { imports: [ApiUrlModule] })], providers: [Reports] })
    class ReportsModule {}
    const a = await compile([ConnectionsModule.forRoot({ secrets: false }), ReportsModule]);
    const reports = a.get(Reports, { strict: false });
    expect(reports.byClass).toBe(a.get(ConnectionRegistry).get('analytics-db'));
    expect((await reports.byName.resolve()).options.apiUrl).toBe('http://127.0.0.1:9');
  });

  it('a decorated connection listed as a plain provider is found and registered', async () => {
    @Connection({ name: 'stray' })
    class Stray extends ControlledBase {}
    @Module({ providers: [Stray], exports: [Stray] })
    class StrayModule {}
    const a = await compile([ConnectionsModule.forRoot({ secrets: false }), StrayModule]);
    expect(a.get(ConnectionRegistry).get('stray')).toBe(a.get(Stray));
    expect(a.get(Stray).name).toBe('stray');
  });

  it('declarations instantiate one instance per name, from custom types and from secrets sections', async () => {
    const file = join(tempDir(), 's.toml');
    writeFileSync(file, '[connections.from-file]\ntype = "controlled"\nurl = "f"\n[connections.no-type]\nurl = "ignored"\n');
    const a = await compile([
      ConnectionsModule.forRoot({
        connections: [{ name: 'one', type: ControlledConnection, options: { n: 1 } }, { name: 'two', type: 'controlled' }],
        types: { controlled: ControlledConnection },
        fromSecrets: true,
        secrets: { files: [file], env: {} },
      }),
    ]);
    const registry = a.get(ConnectionRegistry);
    expect(registry.names().sort()).toEqual(['from-file', 'one', 'two']);
    expect(registry.get('one')).not.toBe(registry.get('two'));
    expect(a.get(getConnectionToken('from-file'))).toBe(registry.get('from-file'));
    expect(registry.get('two').info().type).toBe('controlled');
    expect(registry.get('one').info().type).toBe('ControlledConnection');
  });

  it('@Connection() on a class that does not extend BaseConnection fails at decoration, naming the class', () => {
    expect(() => {
      // @ts-expect-error -- the decorator's type also refuses it at compile time
      @Connection()
      class NotAConnection {}
      return NotAConnection;
    }).toThrow(/NotAConnection.*does not extend BaseConnection/);
  });

  it('UnknownConnectionError lists the known names', async () => {
    const a = await compile([ConnectionsModule.forRoot({ connections: [ControlledConnection], secrets: false })]);
    const registry = a.get(ConnectionRegistry);
    expect(() => registry.get('nope')).toThrow(UnknownConnectionError);
    expect(() => registry.get('nope')).toThrow(/Unknown connection "nope".*controlled/);
    await expect(registry.reset('nope')).rejects.toBeInstanceOf(UnknownConnectionError);
  });

  it('registry resetAll() resets every connection and reports each', async () => {
    @Connection({ name: 'other' })
    class Other extends ControlledBase {}
    const a = await compile([ConnectionsModule.forRoot({ connections: [ControlledConnection, Other], secrets: false })]);
    const registry = a.get(ConnectionRegistry);
    const conn = registry.get<ControlledConnection>('controlled');
    conn.auto = true;
    await conn.resolve();
    expect(registry.has('other')).toBe(true);
    expect(await registry.resetAll()).toEqual([
      { name: 'controlled', reset: true, previousGeneration: 1, generation: 1 },
      { name: 'other', reset: false, previousGeneration: 0, generation: 0 },
    ]);
    expect(registry.list().map((i) => i.state)).toEqual(['idle', 'idle']);
  });
});

describe('use(fn, { retry })', () => {
  @Connection({ name: 'flaky' })
  class Flaky extends ControlledBase {
    override auto = true;
    protected override _isConnectionError(err: unknown): boolean {
      return err instanceof Error && err.message === 'connection reset';
    }
  }

  it('retries idempotent work on a fresh instance after a connection-level error', async () => {
    const a = await compile([ConnectionsModule.forRoot({ connections: [Flaky], secrets: false })]);
    const conn = a.get(Flaky);
    const seen: number[] = [];
    const result = await conn.use(
      (raw) => {
        seen.push(raw.id);
        if (seen.length < 3) throw new Error('connection reset');
        return 'done';
      },
      { retry: true },
    );
    expect(result).toBe('done');
    expect(new Set(seen).size).toBe(3);
    expect(conn.info()).toMatchObject({ generation: 3, resets: 2 });
  });

  it('never retries without the flag, nor on other errors', async () => {
    const a = await compile([ConnectionsModule.forRoot({ connections: [Flaky], secrets: false })]);
    const conn = a.get(Flaky);
    let calls = 0;
    await expect(conn.use(() => { calls++; throw new Error('connection reset'); })).rejects.toThrow('connection reset');
    await expect(conn.use(() => { calls++; throw new Error('syntax error'); }, { retry: 3 })).rejects.toThrow('syntax error');
    expect(calls).toBe(2);
    expect(conn.info().resets).toBe(0);
  });
});
