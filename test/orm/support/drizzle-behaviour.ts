import { afterAll, beforeAll, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { INestApplicationContext } from '@nestjs/common';
import type { ConnectionEvent } from 'nestjs-connections';
import type { DrizzleConnection } from 'nestjs-connections/drizzle';
import { bootApp } from '../../support/app.js';
import { describeWithServices } from '../../support/services.js';
import { until } from '../../support/until.js';
import { CREATE_TABLES, SCHEMAS } from './drizzle-schemas.js';
import type { OrmTarget } from './orm-targets.js';
import { resetsUnderLoad } from './load.js';

// One query-builder surface for the three dialects' database objects, as far as these tests go.
type AnyDb = {
  insert(table: unknown): { values(row: object): Promise<unknown> };
  select(): { from(table: unknown): Promise<Array<Record<string, unknown>>> & { where(cond: unknown): Promise<Array<Record<string, unknown>>>; limit(n: number): Promise<unknown> } };
  update(table: unknown): { set(values: object): { where(cond: unknown): Promise<unknown> } };
  delete(table: unknown): { where(cond: unknown): Promise<unknown> };
  query: Record<string, { findFirst(opts: object): Promise<Record<string, unknown> | undefined> }>;
};

/** The Drizzle behaviours, on one database. */
export async function drizzleSuite(target: OrmTarget): Promise<void> {
  const schema = SCHEMAS[target.dialect];
  const { notes, tags } = schema as unknown as { notes: { id: unknown; title: unknown }; tags: unknown };
  await describeWithServices(target.services, `DrizzleConnection on ${target.label}`, () => {
    let app: INestApplicationContext | undefined;
    beforeAll(async () => {
      await target.setup();
      for (const sql of CREATE_TABLES[target.dialect]) await target.sql(sql);
    });
    afterAll(async () => {
      await app?.close();
      await target.teardown();
    });
    const fresh = async (extra: Record<string, unknown> = {}) => {
      await app?.close();
      const booted = await bootApp({
        connections: [{ name: 'db', type: 'drizzle', options: { ...target.options(), schema, pool: target.dialect === 'sqlite' ? undefined : poolOf(target, 2), ...extra } }],
      });
      app = booted.app;
      await target.sql('delete from orm_tag');
      await target.sql('delete from orm_note');
      return booted.registry.get<DrizzleConnection>('db');
    };

    it('DZ1 CRUD with the app schema: resolve() gives the drizzle db, relational queries work (the cyclic schema passed merging and masking)', async () => {
      const conn = await fresh();
      const db = (await conn.resolve()) as unknown as AnyDb;
      await db.insert(notes).values({ id: 1, title: 'one' });
      await db.insert(tags).values({ id: 1, noteId: 1, label: 'red' });
      await db.update(notes).set({ title: 'uno' }).where(eq(notes.id as never, 1));
      expect(await db.select().from(notes).where(eq(notes.id as never, 1))).toEqual([{ id: 1, title: 'uno' }]);
      // drizzle's nested `with` needs LATERAL joins, which MariaDB lacks (a drizzle limitation).
      const nested = target.dialect !== 'mariadb';
      const found = await db.query.notes!.findFirst(nested ? { with: { tags: true } } : {});
      expect(found).toEqual({ id: 1, title: 'uno', ...(nested ? { tags: [{ id: 1, noteId: 1, label: 'red' }] } : {}) });
      await db.delete(tags).where(eq((tags as { id: never }).id, 1));
      await db.delete(notes).where(eq(notes.id as never, 1));
      expect(await db.select().from(notes)).toEqual([]);
      expect(JSON.stringify(conn.info())).not.toContain('orm_note');
    });

    it('DZ2 swap resets every 100 ms under reads and id-keyed writes: 0 failures, every write landed once', async () => {
      const conn = await fresh();
      const result = await resetsUnderLoad({
        conn,
        strategies: ['swap', 'drop'],
        read: () => conn.use((db) => (db as unknown as AnyDb).select().from(notes).limit(5)),
        write: (id) => conn.use((db) => (db as unknown as AnyDb).insert(notes).values({ id, title: `w${id}` })),
      });
      expect(result.failures).toEqual([]);
      expect(result.resets).toBeGreaterThanOrEqual(8);
      const rows = await target.sql('select id from orm_note');
      expect(rows.map((row) => Number(row.id)).sort((a, b) => a - b)).toEqual(result.written);
    });

    // Registered only where there are server sessions to count (not SQLite), rather than skipped.
    const withServer = target.sessions ? it : undefined;
    {
      withServer?.('DZ3 the pool is the driver\'s and closed on reset: after 10 swaps only the pool in service holds sessions; none after close', async () => {
        const conn = await fresh();
        const disposed: ConnectionEvent[] = [];
        const sub = conn.events$.subscribe((event) => event.type === 'disposed' && disposed.push(event));
        const db = () => conn.use((d) => Promise.all([1, 2].map(() => (d as unknown as AnyDb).select().from(notes))));
        await db();
        for (let i = 0; i < 10; i++) {
          await conn.reset({ strategy: 'swap' });
          await db();
        }
        await until(() => disposed.length === 10, '10 disposals');
        sub.unsubscribe();
        // Each pool holds up to 2 sessions; unclosed pools would leave 20 more.
        await until(async () => (await target.sessions!()) <= 2, 'only the pool in service to hold sessions');
        expect(disposed.every((event) => event.error === undefined)).toBe(true);
        await app!.close();
        app = undefined;
        await until(async () => (await target.sessions!()) === 0, 'no session after close');
      });
    }
  });
}

function poolOf(target: OrmTarget, max: number): Record<string, unknown> {
  return target.dialect === 'postgresql' ? { max } : { connectionLimit: max };
}
