import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { INestApplicationContext } from '@nestjs/common';
import { runWithConnectionKey } from 'nestjs-connections';
import type { TypeOrmConnection } from 'nestjs-connections/typeorm';
import { bootApp } from '../support/app.js';
import { tempDir } from '../support/temp-files.js';
import { ArticleStore } from './support/orm-entities.js';

const apps: INestApplicationContext[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

describe('TypeOrmConnection, keyed (one DataSource per tenant)', () => {
  it('TK1 the injected repository acts on the key of the request: one SQLite file per tenant, schema sync once per key, reset per key', async () => {
    const dir = tempDir();
    const file = join(dir, 'secrets.toml');
    const dbs = { acme: join(dir, 'acme.db'), globex: join(dir, 'globex.db') };
    writeFileSync(
      file,
      [
        '[connections.tenants]',
        'type = "typeorm"',
        'dialect = "sqlite"',
        `database = "${join(dir, 'default.db')}"`,
        'synchronize = true',
        '[connections.tenants.keys.acme]',
        `database = "${dbs.acme}"`,
        '[connections.tenants.keys.globex]',
        `database = "${dbs.globex}"`,
      ].join('\n'),
    );
    const { app, registry } = await bootApp(
      { connections: [{ name: 'tenants', type: 'typeorm', keyed: { maxEntries: 10 } }], secrets: { files: [file], env: false } },
      { providers: [ArticleStore] },
    );
    apps.push(app);
    const { articles } = app.get(ArticleStore);
    const conn = registry.get<TypeOrmConnection>('tenants');
    await runWithConnectionKey('acme', () => articles.insert({ id: 1, title: 'acme only' }));
    await runWithConnectionKey('globex', () => articles.insert([{ id: 1, title: 'globex' }, { id: 2, title: 'globex 2' }]));
    expect(await runWithConnectionKey('acme', () => articles.count())).toBe(1);
    expect(await runWithConnectionKey('globex', () => articles.count())).toBe(2);
    // Each tenant's own file holds its rows: the DataSource of the key, not a shared one.
    const rows = (path: string) => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare('select title from orm_article order by id').all();
      } finally {
        db.close();
      }
    };
    expect(rows(dbs.acme)).toEqual([{ title: 'acme only' }]);
    expect(rows(dbs.globex)).toEqual([{ title: 'globex' }, { title: 'globex 2' }]);
    expect(conn.schemaRuns).toBe(2);
    await conn.for('acme').reset({ strategy: 'swap' });
    await conn.for('acme').reset();
    expect(await runWithConnectionKey('acme', () => articles.findOneBy({ id: 1 }))).toMatchObject({ title: 'acme only' });
    expect(conn.for('acme').generation).toBe(3);
    expect(conn.for('globex').generation).toBe(1);
    expect(conn.schemaRuns).toBe(2);
    await expect(articles.count()).rejects.toThrow(/key/i);
  });
});
