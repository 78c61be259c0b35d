import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { DataSource } from 'typeorm';
import type { INestApplicationContext } from '@nestjs/common';
import type { ConnectionEvent, ConnectionRegistry } from 'nestjs-connections';
import type { TypeOrmConnection } from 'nestjs-connections/typeorm';
import { bootApp } from '../../support/app.js';
import { describeWithServices } from '../../support/services.js';
import { until } from '../../support/until.js';
import { Article, ArticleStore } from './orm-entities.js';
import type { OrmTarget } from './orm-targets.js';
import { resetsUnderLoad } from './load.js';

async function boot(target: OrmTarget, extra: Record<string, unknown> = {}) {
  const { app, registry } = await bootApp({
    connections: [{ name: 'main', type: 'typeorm', options: { ...target.options(), synchronize: true, ...extra } }],
  }, { providers: [ArticleStore] });
  return { app, registry, conn: registry.get<TypeOrmConnection>('main'), store: app.get(ArticleStore) };
}

/** The TypeORM behaviours, on one database. */
export async function typeOrmSuite(target: OrmTarget): Promise<void> {
  await describeWithServices(target.services, `TypeOrmConnection on ${target.label}`, () => {
    let app: INestApplicationContext | undefined;
    let registry: ConnectionRegistry;
    beforeAll(() => target.setup());
    afterAll(async () => {
      await app?.close();
      await target.teardown();
    });
    const fresh = async (extra?: Record<string, unknown>) => {
      await app?.close();
      const booted = await boot(target, extra);
      app = booted.app;
      registry = booted.registry;
      await target.sql('delete from orm_article').catch(() => undefined);
      return booted;
    };

    it('TO1 CRUD through @InjectConnectionRepository: the entity is auto-collected, the table synchronized, nothing connects at bootstrap', async () => {
      const { conn, store } = await fresh();
      expect(conn.state).toBe('idle');
      await store.articles.save(store.articles.create({ id: 1, title: 'first' }));
      await store.articles.insert({ id: 2, title: 'second' });
      expect(await store.articles.findOneBy({ id: 1 })).toMatchObject({ id: 1, title: 'first', views: 0 });
      await store.articles.update({ id: 2 }, { title: 'changed' });
      await store.articles.increment({ id: 2 }, 'views', 3);
      expect(await store.articles.findOneByOrFail({ id: 2 })).toMatchObject({ title: 'changed', views: 3 });
      await store.articles.delete({ id: 1 });
      expect(await store.articles.count()).toBe(1);
      expect(await target.sql('select count(*) as n from orm_article')).toEqual([{ n: expect.anything() }]);
      expect(Number((await target.sql('select count(*) as n from orm_article'))[0]!.n)).toBe(1);
      // transaction(fn) gets TypeORM's EntityManager; a throw rolls back.
      await expect(
        conn.transaction(async (manager) => {
          await manager.insert(Article, { id: 10, title: 'rolled back' });
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await store.articles.existsBy({ id: 10 })).toBe(false);
      await conn.transaction(async (manager) => manager.insert(Article, { id: 11, title: 'committed' }));
      expect(await store.articles.existsBy({ id: 11 })).toBe(true);
      // Query builders are tied to one DataSource: through use(), and the repository says so.
      expect(() => (store.articles as unknown as { createQueryBuilder(): unknown }).createQueryBuilder()).toThrow(/conn\.use/);
      const titles = await conn.use((ds) => ds.getRepository(Article).createQueryBuilder('a').select('a.title', 'title').orderBy('a.id').getRawMany());
      expect(titles).toEqual([{ title: 'changed' }, { title: 'committed' }]);
    });

    it('TO2 drop and swap resets every 100 ms under reads and id-keyed writes: 0 failures, every write landed once, no session left', async () => {
      const { conn, store } = await fresh();
      const result = await resetsUnderLoad({
        conn,
        read: () => store.articles.find({ take: 5 }),
        write: (id) => store.articles.insert({ id, title: `w${id}` }),
      });
      expect(result.failures).toEqual([]);
      expect(result.resets).toBeGreaterThanOrEqual(8);
      expect(conn.generation).toBeGreaterThan(result.resets / 2);
      const rows = await target.sql('select id from orm_article');
      expect(rows.map((row) => Number(row.id)).sort((a, b) => a - b)).toEqual(result.written);
      await app!.close();
      app = undefined;
      if (target.sessions) await until(async () => (await target.sessions!()) === 0, 'every session of the run to end');
    });

    it('TO3 schema sync runs exactly once across 50 resets, racing connects included; never on a reconnect', async () => {
      // Counts the real calls (and how many overlap); each one still runs TypeORM's synchronize.
      const original = DataSource.prototype.synchronize;
      const sync = vi.spyOn(DataSource.prototype, 'synchronize');
      let running = 0;
      let overlap = 0;
      sync.mockImplementation(async function (this: DataSource, ...args: [boolean?]) {
        running++;
        overlap = Math.max(overlap, running);
        try {
          return await original.apply(this, args);
        } finally {
          running--;
        }
      });
      try {
        sync.mockClear();
        const { conn, store } = await fresh();
        // The first connect is fenced while it synchronizes; the second connect must wait for it, not sync again.
        const first = conn.resolve();
        await until(() => running > 0 || conn.state === 'connected', 'the first schema sync to start');
        const results = [await conn.reset()];
        await Promise.all([first, conn.resolve()]);
        // 50 resets in all: rounds of two racing swaps and a drop, with a read among them.
        for (let round = 0; round < 16; round++) {
          const [a, b, , c] = await Promise.all([conn.reset({ strategy: 'swap' }), conn.reset({ strategy: 'swap' }), store.articles.count(), conn.reset()]);
          results.push(a, b, c);
        }
        results.push(await conn.reset({ strategy: 'swap' }));
        expect(results).toHaveLength(50);
        expect(results.filter((result) => result.reset).length).toBeGreaterThanOrEqual(17);
        expect(await store.articles.count()).toBeGreaterThanOrEqual(0);
        expect(sync).toHaveBeenCalledTimes(1);
        expect(overlap).toBe(1);
        expect(conn.schemaRuns).toBe(1);
        // Every round connected at least one new DataSource (racing swaps may share one).
        expect(conn.generation).toBeGreaterThanOrEqual(18);
      } finally {
        sync.mockRestore();
      }
    });

    it('TO6 migrationsRun: pending migrations run on the first connect only, once, with swaps racing from the start', async () => {
      let ups = 0;
      const table = `orm_marker_${Date.now()}`;
      class CreateMarker1700000000000 {
        name = 'CreateMarker1700000000000';
        async up(runner: { query(sql: string): Promise<unknown> }) {
          ups++;
          await runner.query(`create table ${table} (id int)`);
        }
        async down(runner: { query(sql: string): Promise<unknown> }) {
          await runner.query(`drop table ${table}`);
        }
      }
      const runs = vi.spyOn(DataSource.prototype, 'runMigrations');
      try {
        const { conn, store } = await fresh({ migrations: [CreateMarker1700000000000], migrationsRun: true, migrationsTableName: `${table}_migrations` });
        await Promise.all([conn.resolve(), conn.reset({ strategy: 'swap' }), conn.reset({ strategy: 'swap' }), store.articles.count()]);
        for (let i = 0; i < 10; i++) await Promise.all([conn.reset({ strategy: 'swap' }), conn.reset(), store.articles.count()]);
        expect(await store.articles.count()).toBe(0);
        expect(ups).toBe(1);
        expect(runs).toHaveBeenCalledTimes(1);
        expect(await target.sql(`select count(*) as n from ${table}`)).toHaveLength(1);
      } finally {
        runs.mockRestore();
      }
    });

    // Registered only where a server ends sessions (not SQLite), rather than skipped.
    const withServer = target.killSessions ? it : undefined;
    {
      withServer?.('TO4 the server ends every session: the next request succeeds, on a new DataSource', async () => {
        const { conn, store } = await fresh();
        await store.articles.insert({ id: 1, title: 'before' });
        await Promise.all([store.articles.count(), store.articles.count(), store.articles.count()]);
        const before = conn.generation;
        expect(await target.killSessions!()).toBeGreaterThan(0);
        expect(await store.articles.findOneBy({ id: 1 })).toMatchObject({ title: 'before' });
        await until(() => conn.generation > before, 'a new DataSource');
        expect(await store.articles.count()).toBe(1);
        await store.articles.insert({ id: 2, title: 'after' });
        expect(conn.generation).toBeGreaterThan(before);
      });
    }

    it('TO5 the registry lists it as type typeorm; a reset emits reset, then disposed once the DataSource is destroyed', async () => {
      const { conn, store } = await fresh();
      const events: ConnectionEvent[] = [];
      const sub = conn.events$.subscribe((event) => events.push(event));
      await store.articles.count();
      await conn.reset();
      await until(() => events.some((event) => event.type === 'disposed'), 'the disposal');
      sub.unsubscribe();
      expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(['connecting', 'connected', 'reset', 'disposed']));
      expect(registry.list().find((info) => info.name === 'main')?.type).toBe('typeorm');
    });
  });
}
