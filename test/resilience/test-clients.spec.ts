import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { pgAdminClient } from '../support/pg-admin-client.js';
import { describeWithServices, SERVICES } from '../support/services.js';
import { until } from '../support/until.js';

const { host, port } = SERVICES.postgres;
const marker = `nc_harden_admin_${randomBytes(3).toString('hex')}`;

await describeWithServices(['postgres'], 'H8 test-owned pg clients survive a session terminated from outside', () => {
  it('H8 admin client: pg_terminate_backend of its own session is an error kept on the client, not an uncaught exception', async () => {
    const victim = pgAdminClient({ host, port, user: 'postgres', database: 'test', application_name: marker });
    const killer = pgAdminClient({ host, port, user: 'postgres', database: 'test' });
    await victim.connect();
    await killer.connect();
    try {
      const uncaught: unknown[] = [];
      const onUncaught = (err: unknown) => uncaught.push(err);
      process.on('uncaughtException', onUncaught);
      try {
        await killer.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [marker]);
        await until(() => victim.lastError !== null, 'the terminated client to see its error');
      } finally {
        process.off('uncaughtException', onUncaught);
      }
      expect(uncaught).toEqual([]);
      expect(victim.lastError?.message).toMatch(/terminat/i);
      await expect(victim.query('select 1')).rejects.toThrow(/not queryable/);
    } finally {
      await victim.end().catch(() => undefined);
      await killer.end();
    }
  });
});
