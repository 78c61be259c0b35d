import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { afterEach, expect, it } from 'vitest';
import {
  BaseConnection,
  Connection,
  ConnectionConfigError,
  ConnectionRegistry,
  ConnectionsModule,
  type ConnectionsModuleOptions,
} from 'nestjs-connections';
import { SqlConnection } from 'nestjs-connections/sql';
import type { INestApplicationContext } from '@nestjs/common';
import { bootApp } from '../support/app.js';
import { describeWithServices, SERVICES } from '../support/services.js';
import { tempDir } from '../support/temp-files.js';

/** Records the options of each `_connect`. */
@Connection({ name: 'cfg', options: { a: 'decorator', b: 'decorator', c: 'decorator' } })
class CfgConnection extends BaseConnection<Record<string, unknown>> {
  protected _connect(options: Record<string, unknown>): Record<string, unknown> {
    return options;
  }
}

/** A statically listed SQL class whose URL only a ConfigService knows. */
@Connection({ name: 'app-db' })
class AppDb extends SqlConnection {}

let app: INestApplicationContext | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

await describeWithServices(['postgres'], 'P1 ConnectionsModuleOptions.options per connection name', () => {
  it('P1 forRoot({ options: { cfg } }) is the highest layer: beats decorator and environment, merges key by key', async () => {
    ({ app } = await bootApp({
      connections: [CfgConnection],
      secrets: { env: { CONNECTIONS__CFG__B: 'env', CONNECTIONS__CFG__C: 'env' } },
      options: { cfg: { c: 'module' } },
    }));
    expect(await app.get(CfgConnection).resolve()).toEqual({ a: 'decorator', b: 'env', c: 'module' });
  });

  it('P2 forRootAsync: a real ConfigModule/ConfigService value reaches a statically listed SqlConnection class, which queries PostgreSQL', async () => {
    const url = `postgres://postgres@${SERVICES.postgres.host}:${SERVICES.postgres.port}/test`;
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ database: { url } })] }),
        ConnectionsModule.forRootAsync({
          connections: [AppDb],
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService): ConnectionsModuleOptions => ({
            secrets: false,
            options: { 'app-db': { url: config.getOrThrow<string>('database.url') } },
          }),
        }),
      ],
    }).compile();
    app = await moduleRef.init();
    const db = app.get(AppDb);
    expect(await db.query<{ n: number }>('select 1 + 1 as n')).toEqual([{ n: 2 }]);
    expect(app.get(ConnectionRegistry).get('app-db')).toBe(db);
  });

  it('P2 forRootAsync with useClass: createConnectionsOptions() may return options too', async () => {
    class Factory {
      createConnectionsOptions(): ConnectionsModuleOptions {
        return { secrets: false, options: { cfg: { a: 'factory' } } };
      }
    }
    @Module({ providers: [Factory], exports: [Factory] })
    class FactoryModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [ConnectionsModule.forRootAsync({ connections: [CfgConnection], imports: [FactoryModule], useExisting: Factory })],
    }).compile();
    app = await moduleRef.init();
    expect(await app.get(CfgConnection).resolve()).toMatchObject({ a: 'factory' });
  });

  it('P3 options for a name no connection has fails bootstrap with a ConnectionConfigError naming it', async () => {
    const error = await bootApp({ connections: [CfgConnection], options: { cgf: { a: 1 } } }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConnectionConfigError);
    expect(error).toMatchObject({ connectionName: 'cgf', key: 'options' });
    expect((error as Error).message).toContain('cfg');
  });

  it('P3 options that are not { name: object } fail bootstrap naming the key', async () => {
    const notAMap = await bootApp({ connections: [CfgConnection], options: 'x' as never }).catch((err: unknown) => err);
    expect(notAMap).toMatchObject({ name: 'ConnectionConfigError', key: 'options' });
    const notAnObject = await bootApp({ connections: [CfgConnection], options: { cfg: 5 as never } }).catch((err: unknown) => err);
    expect(notAnObject).toMatchObject({ name: 'ConnectionConfigError', connectionName: 'cfg', key: 'options' });
  });

  it('SX2 a class in a feature module whose secrets section has a `type` (fromSecrets): the error says to drop `type`', async () => {
    const file = join(tempDir(), 'secrets.toml');
    writeFileSync(file, '[connections.cfg]\ntype = "sql"\nurl = "sqlite://"\n');
    @Module({ imports: [ConnectionsModule.forFeature([CfgConnection])] })
    class Feature {}
    const error = await bootApp({ fromSecrets: true, secrets: { files: [file], env: false } }, { imports: [Feature] }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConnectionConfigError);
    expect(error).toMatchObject({ connectionName: 'cfg', key: 'type' });
    expect((error as Error).message).toMatch(/drop `type`/);
  });
});
