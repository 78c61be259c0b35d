import type { INestApplicationContext } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionConfigError, ConnectionRegistry } from 'nestjs-connections';
import type { SqlConnection } from 'nestjs-connections/sql';
import { bootApp } from '../support/app.js';

/** An in-memory SQLite connection whose statements are counted (knex's `query` event). */
async function counted(options: Record<string, unknown> = {}) {
  const { app } = await bootApp({
    connections: [{ name: 'cache-bound', type: 'sql', options: { dialect: 'sqlite', database: ':memory:', ...options } }],
  });
  const conn = app.get(ConnectionRegistry).get<SqlConnection>('cache-bound');
  const seen: string[] = [];
  await conn.use((knex) => knex.on('query', (q: { bindings?: unknown[] }) => seen.push(String(q.bindings?.[0]))));
  const read = (n: number) => conn.query('select ? as n', { params: [n], ttl: '1h' });
  return { app, conn, seen, read };
}

describe('H2 query() ttl cache is bounded by entries, least recently used out first', () => {
  let app: INestApplicationContext | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('H2 LRU: past queryCacheMax the least recently used entry is dropped, a hit refreshes an entry', async () => {
    const t = await counted({ queryCacheMax: 3 });
    app = t.app;
    for (const n of [1, 2, 3]) await t.read(n);
    await t.read(1); // hit: 1 is now the most recently used, 2 the least
    expect(t.seen).toEqual(['1', '2', '3']);
    await t.read(4); // evicts 2
    t.seen.length = 0;
    for (const n of [1, 3, 4]) expect(await t.read(n)).toEqual([{ n }]);
    expect(t.seen).toEqual([]); // all three still cached
    await t.read(2); // evicted: runs again, and evicts 1 (least recently used now)
    expect(t.seen).toEqual(['2']);
    await t.read(1);
    expect(t.seen).toEqual(['2', '1']);
  });

  it('H2 LRU: the default bound is 1000 entries per instance', async () => {
    const t = await counted();
    app = t.app;
    for (let n = 0; n < 1_001; n++) await t.read(n); // 0 is evicted by the 1001st
    t.seen.length = 0;
    await t.read(1_000);
    await t.read(1);
    expect(t.seen).toEqual([]);
    await t.read(0);
    expect(t.seen).toEqual(['0']);
  });

  it('H2 LRU: queryCacheMax from the environment (a string of digits) is accepted', async () => {
    const t = await counted({ queryCacheMax: '1' });
    app = t.app;
    await t.read(1);
    await t.read(2);
    await t.read(1);
    expect(t.seen).toEqual(['1', '2', '1']);
  });

  it.each([0, -1, 1.5, 'many', true])('H2 LRU: queryCacheMax %j fails bootstrap naming the key', async (value) => {
    const err = await counted({ queryCacheMax: value }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionConfigError);
    expect((err as ConnectionConfigError).message).toMatch(/cache-bound/);
    expect((err as ConnectionConfigError).message).toMatch(/queryCacheMax/);
  });
});
