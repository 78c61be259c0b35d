import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import type { Knex } from 'knex';
import { afterEach, expect, it } from 'vitest';
import { ConnectionRegistry, type ConnectionEvent } from 'nestjs-connections';
import type { SqlConnection } from 'nestjs-connections/sql';
import { bootApp } from '../support/app.js';
import { describeWithServices, SERVICES, type ServiceName } from '../support/services.js';
import { until } from '../support/until.js';

const TOTAL = 2_500;
const CHUNK = 1_000;

interface Dialect {
  label: string;
  services: ServiceName[];
  options: Record<string, unknown>;
  /** `n` from 1 to TOTAL, in order; `?` is a lower bound. */
  numbers: string;
  /** `n` from 1 to 5000 where evaluating any row past 3000 raises an error: only a streamed read survives a break after the first chunk. */
  failsPast3000: string;
}

const dialects: Dialect[] = [
  {
    label: 'PostgreSQL',
    services: ['postgres'],
    options: { dialect: 'postgresql', host: SERVICES.postgres.host, port: SERVICES.postgres.port, username: 'postgres', database: 'test', pool: { min: 0, max: 2 } },
    numbers: `select g as n from generate_series(1, ${TOTAL}) g where g > ? order by g`,
    failsPast3000: 'select g as n, case when g > 3000 then 1 / (g - g) else 0 end as boom from generate_series(1, 5000) g',
  },
  {
    label: 'MariaDB',
    services: ['mariadb'],
    options: { dialect: 'mariadb', host: SERVICES.mariadb.host, port: SERVICES.mariadb.port, username: 'root', database: 'test', pool: { min: 0, max: 2 } },
    numbers: `select seq as n from seq_1_to_${TOTAL} where seq > ? order by seq`,
    failsPast3000: 'select seq as n, if(seq > 3000, (select 1 union select 2), 0) as boom from seq_1_to_5000',
  },
  {
    label: 'SQLite',
    services: [],
    options: { dialect: 'sqlite', database: ':memory:' },
    numbers: `with recursive s(n) as (select 1 union all select n + 1 from s where n < ${TOTAL}) select n from s where n > ?`,
    failsPast3000: 'with recursive s(n) as (select 1 union all select n + 1 from s where n < 5000) select n, case when n > 3000 then abs(-9223372036854775807 - 1) else 0 end as boom from s',
  },
];

let app: INestApplicationContext | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

async function connect(dialect: Dialect): Promise<SqlConnection> {
  ({ app } = await bootApp({ connections: [{ name: 'chunks', type: 'sql', options: dialect.options }] }));
  return app.get(ConnectionRegistry).get<SqlConnection>('chunks');
}

const poolOf = (knex: Knex) => (knex.client as { pool: { numUsed(): number } }).pool;

for (const dialect of dialects) {
  await describeWithServices(dialect.services, `X1 SqlConnection.query(sql, { chunksize }) on ${dialect.label}`, () => {
    it(`X1 ${dialect.label}: row arrays of at most chunksize, in order, every row once, with params`, async () => {
      const conn = await connect(dialect);
      const sizes: number[] = [];
      const seen: number[] = [];
      for await (const chunk of conn.query<{ n: number }>(dialect.numbers, { params: [0], chunksize: CHUNK })) {
        sizes.push(chunk.length);
        seen.push(...chunk.map((row) => Number(row.n)));
      }
      expect(sizes).toEqual([1000, 1000, 500]);
      expect(seen).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
      expect(poolOf(await conn.resolve()).numUsed()).toBe(0);
    });

    it(`X2 ${dialect.label}: streamed, not buffered: a break after the first chunk never evaluates the failing rows, and the pool connection is released`, async () => {
      const conn = await connect(dialect);
      const knex = await conn.resolve();
      const firstChunks: Array<{ rows: number; used: number }> = [];
      for await (const chunk of conn.query(dialect.failsPast3000, { chunksize: 100 })) {
        firstChunks.push({ rows: chunk.length, used: poolOf(knex).numUsed() }); // the read holds one pool connection
        break;
      }
      expect(firstChunks).toEqual([{ rows: 100, used: 1 }]);
      await until(() => poolOf(knex).numUsed() === 0, 'the pool connection to be released');
      expect(await conn.query<{ one: number }>('select 1 as one')).toEqual([{ one: 1 }]);
      // Control: read to the end, the failing rows are evaluated and the error reaches the loop.
      const all = (async () => {
        for await (const _chunk of conn.query(dialect.failsPast3000, { chunksize: 100 })) void _chunk;
      })();
      await expect(all).rejects.toThrow(/division by zero|more than 1 row|overflow/i);
      await until(() => poolOf(knex).numUsed() === 0, 'the pool connection to be released after the error');
    });

    it(`X3 ${dialect.label}: a reset while iterating: the loop finishes on the old instance, disposed only after the iterator ends`, async () => {
      const conn = await connect(dialect);
      const events: ConnectionEvent[] = [];
      conn.events$.subscribe((event) => events.push(event));
      const before = await conn.resolve();
      const seen: number[] = [];
      const disposedDuringLoop: number[] = [];
      let during: { reset: unknown; fresh: boolean; leases: number } | null = null;
      for await (const chunk of conn.query<{ n: number }>(dialect.numbers, { params: [0], chunksize: CHUNK })) {
        seen.push(...chunk.map((row) => Number(row.n)));
        if (during === null) {
          const reset = await conn.reset();
          const after = await conn.resolve(); // new callers get a new instance at once (R6)
          // The lease is on the retired instance, not on the one in service.
          during = { reset, fresh: after !== before, leases: conn.info().leases };
        }
        disposedDuringLoop.push(events.filter((event) => event.type === 'disposed').length);
      }
      expect(during).toEqual({ reset: expect.objectContaining({ reset: true, previousGeneration: 1 }), fresh: true, leases: 0 });
      expect(disposedDuringLoop).toEqual([0, 0, 0]);
      expect(seen).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
      await until(() => events.some((event) => event.type === 'disposed' && event.generation === 1), 'the old instance to be disposed');
    });
  });
}

await describeWithServices([], 'X4 chunksize bad input', () => {
  it('X4 chunksize 0, 1.5 or a string, or combined with ttl: a TypeError before anything runs', async () => {
    const conn = await connect(dialects[2]);
    for (const chunksize of [0, 1.5, '10' as never]) expect(() => conn.query('select 1', { chunksize })).toThrow(TypeError);
    expect(() => conn.query('select 1', { chunksize: 10, ttl: '1m' })).toThrow(/ttl/);
    expect(conn.state).toBe('idle');
  });
});
