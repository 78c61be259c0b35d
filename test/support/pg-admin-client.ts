import { Client, type ClientConfig } from 'pg';

/**
 * A test's own `pg` client (setup, teardown, pg_stat_activity, pg_terminate_backend). A pg
 * client whose session ends from outside (a test terminating backends by application_name, a
 * server restart) emits `error`; with no listener that is an uncaught exception that ends the
 * whole vitest run (it did, once, in CI). The error is kept so a test can look at it; the next
 * query on the client then fails as an ordinary rejection.
 */
export function pgAdminClient(config: ClientConfig): Client & { lastError: Error | null } {
  const client = new Client(config) as Client & { lastError: Error | null };
  client.lastError = null;
  client.on('error', (err: Error) => (client.lastError = err));
  return client;
}
