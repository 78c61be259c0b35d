import { inspect } from 'node:util';
import type { INestApplicationContext } from '@nestjs/common';
import type { Knex } from 'knex';
import { filter, firstValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { SqlConnection, SqlQueryError } from 'nestjs-connections/sql';
import { type ConnectionEvent, type ConnectionRegistry } from 'nestjs-connections';
import { bootApp } from '../../support/app.js';
import { deferred } from '../../support/deferred.js';
import { describeWithServices } from '../../support/services.js';
import { until } from '../../support/until.js';
import type { SqlHarness } from './sql-harness.js';

const ROWS = [
  { id: 1, label: 'one' },
  { id: 2, label: 'two' },
];

function disposed(conn: SqlConnection, generation: number): Promise<ConnectionEvent> {
  return firstValueFrom(conn.events$.pipe(filter((event) => event.type === 'disposed' && event.generation === generation)));
}

/**
 * The behaviour every SQL dialect must show, against a real server (or file): the same
 * tests for PostgreSQL, MariaDB and SQLite.
 */
export function sqlBehaviourSuite(h: SqlHarness): Promise<void> {
  return describeWithServices(h.services, `SqlConnection on ${h.label}`, () => {
    const apps: INestApplicationContext[] = [];
    let tables = 0;

    beforeAll(() => h.setup());
    afterAll(() => h.teardown());
    afterEach(async () => {
      await Promise.all(apps.splice(0).map((app) => app.close()));
    });

    async function boot(
      connections: Array<{ name: string; options: Record<string, unknown> }>,
    ): Promise<ConnectionRegistry> {
      const { app, registry } = await bootApp({
        connections: connections.map(({ name, options }) => ({ name, type: 'sql', options })),
      });
      apps.push(app);
      return registry;
    }

    async function open(extra: Record<string, unknown> = {}, name = 'items'): Promise<SqlConnection> {
      return (await boot([{ name, options: h.options(extra) }])).get<SqlConnection>(name);
    }

    /** A new table of this run, holding ROWS, created through `conn`. */
    async function freshTable(conn: SqlConnection): Promise<string> {
      const table = `${h.marker}_t${++tables}`;
      await conn.use(async (knex) => {
        await knex.schema.createTable(table, (t) => {
          t.integer('id').primary();
          t.string('label', 50);
        });
        await knex(table).insert(ROWS);
      });
      return table;
    }

    it('query() returns plain row objects', async () => {
      const conn = await open();
      const table = await freshTable(conn);
      const rows = await conn.query(`select id, label from ${table} order by id`);
      expect(rows).toEqual(ROWS);
      for (const row of rows) expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
      expect(JSON.parse(JSON.stringify(rows))).toEqual(ROWS);
      expect(await conn.query(`select id from ${table} where id > 100`)).toEqual([]);
    });

    it('query() binds positional and named params, never splicing them into the SQL', async () => {
      const conn = await open();
      const table = await freshTable(conn);
      expect(await conn.query(`select label from ${table} where id = ?`, { params: [2] })).toEqual([{ label: 'two' }]);
      expect(await conn.query(`select label from ${table} where id = :id`, { params: { id: 1 } })).toEqual([
        { label: 'one' },
      ]);
      const hostile = `' or '1'='1`;
      expect(await conn.query(`select id from ${table} where label = ?`, { params: [hostile] })).toEqual([]);
    });

    it('query() with ttl serves the cached rows to the same SQL and params, and only to them', async () => {
      const conn = await open();
      const table = await freshTable(conn);
      const sql = `select id, label from ${table} where id >= ? order by id`;
      const first = await conn.query(sql, { params: [1], ttl: '1h' });
      await conn.use((knex) => knex(table).insert({ id: 3, label: 'three' }));

      expect(await conn.query(sql, { params: [1], ttl: '1h' })).toEqual(first); // hit
      expect(await conn.query(sql, { params: [1] })).toHaveLength(3); // no ttl: no cache
      expect(await conn.query(sql, { params: [2], ttl: '1h' })).toHaveLength(2); // other params: a miss
      // A caller changing its rows does not change what the next caller reads.
      const mine = await conn.query(sql, { params: [1], ttl: '1h' });
      mine[0].label = 'changed';
      mine.pop();
      expect(await conn.query(sql, { params: [1], ttl: '1h' })).toEqual(ROWS);
    });

    it('query() with ttl: concurrent identical calls share one round trip', async () => {
      const conn = await open();
      const table = await freshTable(conn);
      const knex = await conn.resolve();
      const sent: string[] = [];
      const onQuery = (q: { sql: string }) => sent.push(q.sql);
      knex.on('query', onQuery);
      try {
        const sql = `select id, label from ${table} order by id`;
        const results = await Promise.all(Array.from({ length: 25 }, () => conn.query(sql, { ttl: '1h' })));
        for (const rows of results) expect(rows).toEqual(ROWS);
        expect(sent.filter((s) => s === sql)).toHaveLength(1);
      } finally {
        knex.off('query', onQuery);
      }
    });

    it('the ttl cache is kept per connection: another connection with the same options never reads it', async () => {
      const registry = await boot([
        { name: 'items-a', options: h.options() },
        { name: 'items-b', options: h.options() },
      ]);
      const a = registry.get<SqlConnection>('items-a');
      const b = registry.get<SqlConnection>('items-b');
      const table = await freshTable(a);
      const sql = `select id from ${table} order by id`;
      expect(await a.query(sql, { ttl: '1h' })).toHaveLength(2);
      await a.use((knex) => knex(table).insert({ id: 3, label: 'three' }));
      expect(await b.query(sql, { ttl: '1h' })).toHaveLength(3);
      expect(await a.query(sql, { ttl: '1h' })).toHaveLength(2);
    });

    it('the ttl cache is dropped on reset', async () => {
      const conn = await open();
      const table = await freshTable(conn);
      const sql = `select id from ${table} order by id`;
      expect(await conn.query(sql, { ttl: '1h' })).toHaveLength(2);
      await conn.use((knex) => knex(table).insert({ id: 3, label: 'three' }));
      expect(await conn.query(sql, { ttl: '1h' })).toHaveLength(2);
      await conn.reset();
      expect(await conn.query(sql, { ttl: '1h' })).toHaveLength(3);
      expect(conn.generation).toBe(2);
    });

    it('sessions killed on the server while idle: the next query() still answers', async () => {
      const conn = await open();
      const table = await freshTable(conn);
      expect(await h.sessions()).toBeGreaterThan(0);
      await h.killSessions(conn);
      expect(await conn.query(`select id, label from ${table} order by id`)).toEqual(ROWS);
      expect(conn.state).toBe('connected');
    });

    it('a session killed while query() runs on it: query() succeeds through reset-and-retry', async () => {
      const conn = await open();
      const table = await freshTable(conn);
      expect(conn.info()).toMatchObject({ connects: 1, resets: 0 });
      const rows = await h.killDuring(conn, table, () => conn.query(`select id, label from ${table} order by id`));
      expect(rows).toEqual(ROWS);
      expect(conn.info()).toMatchObject({ connects: 2, resets: 1, generation: 2, state: 'connected' });
    });

    it('a reset while queries are in flight loses none of them, and does not hold up new ones', async () => {
      // One pooled connection, held by a transaction: every query() is in flight, queued on the old pool.
      const conn = await open({ pool: { min: 0, max: 1 } });
      const table = await freshTable(conn);
      const entered = deferred();
      const gate = deferred();
      const holder = conn.use((knex) =>
        knex.transaction(async (trx) => {
          await trx.raw('select 1');
          entered.resolve();
          await gate.promise;
        }),
      );
      await entered.promise;
      const ids = Array.from({ length: 30 }, (_, i) => (i % 2) + 1);
      const inFlight = ids.map((id) => conn.query(`select label from ${table} where id = ?`, { params: [id] }));
      await until(() => conn.info().leases === ids.length + 1, 'every query to hold a lease');
      const oldGone = disposed(conn, 1);

      const result = await conn.reset();
      expect(result).toMatchObject({ reset: true, previousGeneration: 1 });
      // R6: the new pool answers while the old one is still held.
      expect(await conn.query(`select id from ${table} where id = ?`, { params: [2] })).toEqual([{ id: 2 }]);
      expect(conn.generation).toBe(2);

      gate.resolve();
      await holder;
      const answers = await Promise.all(inFlight);
      expect(answers).toEqual(ids.map((id) => [{ label: id === 1 ? 'one' : 'two' }]));
      expect((await oldGone).generation).toBe(1);
    });

    it("after a reset the old pool's sessions are closed on the server", async () => {
      const conn = await open({ pool: { min: 0, max: 3 } });
      const table = await freshTable(conn);
      // Open several sessions at once.
      await Promise.all(Array.from({ length: 6 }, () => conn.query(`select id from ${table}`)));
      expect(await h.sessions()).toBeGreaterThan(0);
      const oldGone = disposed(conn, 1);
      await conn.reset();
      await oldGone;
      await until(async () => (await h.sessions()) === 0, 'the old sessions to end on the server');
      expect(await conn.query(`select id from ${table} where id = 1`)).toEqual([{ id: 1 }]);
      expect(await h.sessions()).toBeGreaterThan(0);
    });

    // Behaviours of a server's sessions: SQLite (a file, one handle, no server to end a session)
    // has none of them, so they are registered only for the server dialects rather than skipped.
    // test/sql/sql.sqlite.spec.ts pins SQLite's own: a write through use() is never retried.
    const withServerSessions = h.selfKillSql ? it : undefined;

    withServerSessions?.('pool.min connections are open before the instance counts as connected (a swap switches to a warm pool)', async () => {
      const conn = await open({ pool: { min: 3, max: 3 } });
      await conn.resolve();
      expect(await h.sessions()).toBe(3);
      const swapped = disposed(conn, 1);
      await conn.reset({ strategy: 'swap' });
      await swapped;
      await until(async () => (await h.sessions()) === 3, 'only the new pool to remain');
    });

    it('a syntax error fails at once: no reset, no retry, the driver error as thrown', async () => {
      const conn = await open();
      await conn.resolve();
      const err = await conn.query('selec 1 frm nowhere').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(SqlQueryError);
      expect(conn.isConnectionError(err)).toBe(false);
      expect(conn.info()).toMatchObject({ connects: 1, resets: 0, generation: 1 });
    });

    withServerSessions?.(
      'a connection-level failure on every attempt: 3 attempts, then a SqlQueryError naming the connection',
      async () => {
        const conn = await open();
        const err = await conn.query(h.selfKillSql!).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SqlQueryError);
        const error = err as SqlQueryError;
        expect(error.connectionName).toBe('items');
        expect(error.message).toContain('"items"');
        expect(error.attempts).toBe(3);
        expect(conn.isConnectionError(error.cause)).toBe(true);
        // H6: reset after every failed attempt, the last one too: the broken client is out of service.
        expect(conn.info()).toMatchObject({ connects: 3, resets: 3, state: 'idle' });
      },
    );

    withServerSessions?.('a write through use() is never retried, even on a connection-level failure', async () => {
      const conn = await open();
      const table = await freshTable(conn);
      const write = (knex: Knex) =>
        knex.transaction(async (trx) => {
          await trx(table).insert({ id: 9, label: 'nine' });
          await trx.raw(h.selfKillSql!);
        });
      const err = await conn.use(write).catch((e: unknown) => e);
      expect(conn.isConnectionError(err)).toBe(true);
      expect(conn.info()).toMatchObject({ connects: 1, resets: 0 });
      expect(await conn.query(`select id from ${table} where id = 9`)).toEqual([]);
    });

    // SQLite has no password to keep secret: registered only where there is one.
    (h.secretOptions('x') ? it : undefined)?.(
      'M1: a password in the options never shows in info(), events, errors, logs, JSON or inspect',
      async () => {
        const password = `pw-${h.marker}-Zq9`;
        const written: string[] = [];
        const capture = (chunk: unknown) => {
          written.push(String(chunk));
          return true;
        };
        const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
        const errOut = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
        try {
          const registry = await boot([{ name: 'secret', options: h.secretOptions(password)! }]);
          const conn = registry.get<SqlConnection>('secret');
          const events: ConnectionEvent[] = [];
          conn.events$.subscribe((event) => events.push(event));
          const outcome = await conn.query('select 1 as one').then(
            (rows) => ({ rows }),
            (error: unknown) => ({ error: error as Error }),
          );
          await conn.reset();
          const texts = [
            JSON.stringify(conn),
            inspect(conn, { depth: 10 }),
            JSON.stringify(conn.info()),
            JSON.stringify(registry.list()),
            JSON.stringify(events),
            'error' in outcome ? `${outcome.error.message}\n${outcome.error.stack}` : '',
            ...written,
          ];
          for (const text of texts) expect(text).not.toContain(password);
          expect(events.length).toBeGreaterThan(0);
        } finally {
          out.mockRestore();
          errOut.mockRestore();
        }
      },
    );
  });
}
