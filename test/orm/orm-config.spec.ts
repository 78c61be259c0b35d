import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Injectable } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteTable, integer } from 'drizzle-orm/sqlite-core';
import { BaseConnection, Connection, ConnectionConfigError, ConnectionRegistry, ConnectionsModule, type ConnectionsForRootOptions } from 'nestjs-connections';
import type { DrizzleConnection } from 'nestjs-connections/drizzle';
import { InjectConnectionRepository, TypeOrmConnection, getConnectionRepositoryToken, type ConnectionRepository } from 'nestjs-connections/typeorm';
import { Test } from '@nestjs/testing';
import type { INestApplicationContext, Provider } from '@nestjs/common';
import { bootApp } from '../support/app.js';
import { tempDir } from '../support/temp-files.js';
import { Article } from './support/orm-entities.js';

@Injectable()
class NotAnEntityStore {
  constructor(@InjectConnectionRepository(String) readonly repo: unknown) {}
}

@Injectable()
class UnnamedStore {
  constructor(@InjectConnectionRepository(Article) readonly articles: ConnectionRepository<Article>) {}
}

@Injectable()
class NamedStore {
  constructor(@InjectConnectionRepository(Article, 'second') readonly articles: ConnectionRepository<Article>) {}
}

const apps: INestApplicationContext[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function boot(options: ConnectionsForRootOptions, providers: Provider[] = []) {
  const booted = await bootApp(options, { providers });
  apps.push(booted.app);
  return booted;
}

async function bootError(options: ConnectionsForRootOptions, providers: Provider[] = []): Promise<ConnectionConfigError> {
  const error = await boot(options, providers).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error, 'bootstrap must fail').toBeInstanceOf(ConnectionConfigError);
  return error as ConnectionConfigError;
}

const sqlite = (database = ':memory:') => ({ dialect: 'sqlite', database });

describe('ORM configuration', () => {
  it('OB1 bad input: @InjectConnectionRepository(String) fails bootstrap naming the connection, the key, the class and its consumer', async () => {
    const error = await bootError({ connections: [{ name: 'main', type: 'typeorm', options: sqlite() }] }, [NotAnEntityStore]);
    expect(error.connectionName).toBe('main');
    expect(error.key).toBe('entities');
    expect(error.message).toMatch(/String is not a TypeORM entity/);
    expect(error.message).toContain('NotAnEntityStore');
  });

  it('OB2 bad input: TypeORM options that fail its validation fail bootstrap with the key (unknown type, missing database, a non-boolean flag)', async () => {
    const unknownType = await bootError({ connections: [{ name: 'a', type: 'typeorm', options: { type: 'nosuchdb' } }] });
    expect([unknownType.connectionName, unknownType.key]).toEqual(['a', 'type']);
    const noDatabase = await bootError({ connections: [{ name: 'b', type: 'typeorm', options: { type: 'better-sqlite3' } }] });
    expect([noDatabase.connectionName, noDatabase.key]).toEqual(['b', 'database']);
    const flag = await bootError({ connections: [{ name: 'c', type: 'typeorm', options: { ...sqlite(), synchronize: 'maybe' } }] });
    expect([flag.connectionName, flag.key]).toEqual(['c', 'synchronize']);
    const nothing = await bootError({ connections: [{ name: 'd', type: 'typeorm', options: {} }] });
    expect([nothing.connectionName, nothing.key]).toEqual(['d', 'dialect']);
  });

  it('OB3 bad input: an unknown Drizzle dialect or driver fails bootstrap naming the connection and the key', async () => {
    const dialect = await bootError({ connections: [{ name: 'dz', type: 'drizzle', options: { dialect: 'oracle', database: 'x' } }] });
    expect([dialect.connectionName, dialect.key]).toEqual(['dz', 'dialect']);
    const driver = await bootError({ connections: [{ name: 'dz', type: 'drizzle', options: { dialect: 'postgresql', driver: 'jdbc' } }] });
    expect([driver.connectionName, driver.key]).toEqual(['dz', 'driver']);
    const url = await bootError({ connections: [{ name: 'dz', type: 'drizzle', options: { url: 'postgresql+jdbc://h/db' } }] });
    expect([url.connectionName, url.key]).toEqual(['dz', 'url']);
  });

  it('OB4 without a name the repository binds to the only TypeORM connection; with several, bootstrap asks for the name, and a named use works', async () => {
    const one = await boot({ connections: [{ name: 'main', type: 'typeorm', options: { ...sqlite(), synchronize: true } }, { name: 'other', type: 'sql', options: sqlite() }] }, [UnnamedStore]);
    const store = one.app.get(UnnamedStore);
    await store.articles.insert({ id: 1, title: 'a' });
    expect(await store.articles.count()).toBe(1);
    expect(one.registry.get<TypeOrmConnection>('main').state).toBe('connected');

    const two = [
      { name: 'first', type: 'typeorm', options: { ...sqlite(), synchronize: true } },
      { name: 'second', type: 'typeorm', options: { ...sqlite(), synchronize: true } },
    ] as const;
    const error = await bootError({ connections: [...two] }, [UnnamedStore]);
    expect(error.key).toBe('connectionName');
    expect(error.message).toMatch(/several TypeORM connections \(first, second\).*@InjectConnectionRepository\(Article, 'first'\)/);

    const named = await boot({ connections: [...two] }, [NamedStore]);
    await named.app.get(NamedStore).articles.insert({ id: 7, title: 'b' });
    expect(named.registry.get('first').state).toBe('idle');
    expect(named.registry.get('second').state).toBe('connected');
  });

  it('OB5 a repository use in a class this app does not contain is never bound (another app of the process does not fail bootstrap)', async () => {
    // UnnamedStore, NamedStore and NotAnEntityStore are recorded, but none is a provider here.
    const { registry } = await boot({ connections: [{ name: 'only-sql', type: 'sql', options: sqlite() }] });
    expect(registry.names()).toEqual(['only-sql']);
  });

  it('OT1 a test overrides the repository by getConnectionRepositoryToken(Entity): the consumer gets the override, bootstrap does not fail', async () => {
    const fake = { count: async () => 42 };
    const moduleRef = await Test.createTestingModule({
      imports: [ConnectionsModule.forRoot({ secrets: false, connections: [{ name: 'main', type: 'typeorm', options: sqlite() }] })],
      providers: [UnnamedStore],
    })
      .overrideProvider(getConnectionRepositoryToken(Article))
      .useValue(fake)
      .compile();
    const app = await moduleRef.init();
    apps.push(app);
    expect(await app.get(UnnamedStore).articles.count()).toBe(42);
    expect(app.get(ConnectionRegistry).get('main').state).toBe('idle');
  });

  it('OS1 a secrets.toml section written for Streamlit\'s SQL connection works unchanged for typeorm and drizzle (type changed only)', async () => {
    const dir = tempDir();
    const file = join(dir, 'secrets.toml');
    const db = join(dir, 'app.db');
    writeFileSync(
      file,
      `[connections.main]\ntype = "typeorm"\ndialect = "sqlite"\ndatabase = "${db}"\nsynchronize = true\n\n` +
        `[connections.light]\ntype = "drizzle"\nurl = "sqlite:///${db}"\n`,
    );
    const { app, registry } = await boot({ secrets: { files: [file] }, fromSecrets: true }, [UnnamedStore]);
    await app.get(UnnamedStore).articles.insert({ id: 3, title: 'from toml' });
    const drizzle = registry.get<DrizzleConnection>('light');
    const rows = await drizzle.use((handle) => (handle as unknown as { all(q: string): unknown[] }).all('select id, title from orm_article'));
    expect(rows).toEqual([{ id: 3, title: 'from toml' }]);
    expect(registry.list().map((info) => [info.name, info.type])).toEqual([['main', 'typeorm'], ['light', 'drizzle']]);
  });

  it('OC1 options may hold non-plain objects (drizzle tables, cyclic; class instances with secret-looking keys): bootstrap, info() and inspect do not walk into them, _connect gets them by reference', async () => {
    class Cyclic {
      self: Cyclic = this;
      password = 'not-an-option-value';
      constructor__ = 1;
    }
    const table = sqliteTable('t', { id: integer('id') });
    const cyclic = new Cyclic();
    let seen: Record<string, unknown> | undefined;
    @Connection({ name: 'holder', options: { table, nested: { cyclic } } })
    class Holder extends BaseConnection<string, Record<string, unknown>> {
      protected _connect(options: Record<string, unknown>) {
        seen = options;
        return 'raw';
      }
    }
    const { registry } = await boot({ connections: [Holder] });
    const conn = registry.get('holder');
    expect(await conn.resolve()).toBe('raw');
    expect(seen!.table).toBe(table);
    expect((seen!.nested as { cyclic: unknown }).cyclic).toBe(cyclic);
    expect(() => JSON.stringify(conn.info())).not.toThrow();
    expect(inspect(conn)).toContain("name: 'holder'");
    // A class instance's field is code, not configuration: its value is not collected as a secret.
    await expect(conn.reset()).resolves.toMatchObject({ reset: true });
  });
});
