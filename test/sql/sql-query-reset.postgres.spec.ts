import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { afterEach, expect, it } from 'vitest';
import { ConnectionRegistry } from 'nestjs-connections';
import { SqlQueryError, type SqlConnection } from 'nestjs-connections/sql';
import { bootApp } from '../support/app.js';
import { describeWithServices, SERVICES } from '../support/services.js';

const { host, port } = SERVICES.postgres;
/** This file's sessions, by application_name: the kill below touches nothing else. */
const marker = `nc_harden_qreset_${randomBytes(4).toString('hex')}`;
/** Run as the query itself: terminates the session running it (and any other of ours). */
const KILL_OURS = `select pg_terminate_backend(pid) from pg_stat_activity where application_name = '${marker}'`;

await describeWithServices(['postgres'], 'H6 query() resets after every connection-level failure (PostgreSQL)', () => {
  let app: INestApplicationContext | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function open(): Promise<SqlConnection> {
    ({ app } = await bootApp({
      connections: [
        {
          name: 'qreset',
          type: 'sql',
          options: { dialect: 'postgresql', host, port, username: 'postgres', database: 'test', query: { application_name: marker }, pool: { min: 0, max: 1 } },
        },
      ],
    }));
    return app.get(ConnectionRegistry).get<SqlConnection>('qreset');
  }

  it('H6 query reset: three killed attempts reset three times; the broken client is not left in service', async () => {
    const conn = await open();
    const resets: number[] = [];
    conn.events$.subscribe((event) => event.type === 'reset' && resets.push(event.generation));
    const err = await conn.query(KILL_OURS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqlQueryError);
    expect((err as SqlQueryError).attempts).toBe(3);
    // One reset per failed attempt, each of the instance that failed (generations 1, 2, 3).
    expect(resets).toEqual([1, 2, 3]);
    expect(conn.info()).toMatchObject({ connects: 3, resets: 3, generation: 3, state: 'idle' });
    // The next read runs on a fresh instance, not on the third one.
    expect(await conn.query('select 1 as one')).toEqual([{ one: 1 }]);
    expect(conn.info()).toMatchObject({ connects: 4, generation: 4, state: 'connected' });
  });
});
