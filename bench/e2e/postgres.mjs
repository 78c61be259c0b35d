// PostgreSQL for the end-to-end bench: the machine's server (trust auth, database test).
import { Client } from 'pg';

export const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
export const ITEMS_TABLE = 'nestjs_connections_bench_items';
/** Pool size of both servers, so they hold the same number of server connections. */
export const POOL_MAX = 10;

/** A URL whose application_name tells this bench's server connections apart in pg_stat_activity. */
export function pgUrl(applicationName) {
  return `postgresql://${PG.user}@${PG.host}:${PG.port}/${PG.database}?application_name=${applicationName}`;
}

/** A client of the bench itself (table setup, pg_stat_activity samples). */
export async function adminClient() {
  const client = new Client({ ...PG, application_name: 'ncb-admin' });
  await client.connect();
  return client;
}

export async function createItems(client, count = 1_000) {
  await client.query(`create table if not exists ${ITEMS_TABLE} (id int primary key, name text not null)`);
  await client.query(
    `insert into ${ITEMS_TABLE} select i, 'item ' || i from generate_series(1, $1) as i on conflict (id) do nothing`,
    [count],
  );
}

/** Server connections currently open under an application name. */
export async function countConnections(client, applicationName) {
  const { rows } = await client.query('select count(*)::int as n from pg_stat_activity where application_name = $1', [
    applicationName,
  ]);
  return rows[0].n;
}
