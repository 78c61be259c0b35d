import type { Knex } from 'knex';
import type { SqlDialect } from './sql-dialects.js';
import type { SqlQueryOptions } from './sql-connection-options.interface.js';

/** knex's pool, as the chunked reader uses it: one physical connection for the whole read. */
interface PoolClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<unknown>;
}

interface PgClient {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

interface MysqlQuery {
  stream(options?: { highWaterMark?: number }): AsyncIterable<Record<string, unknown>>;
  on(event: 'error', listener: (err: unknown) => void): unknown;
}

interface MysqlConnection {
  query(sql: string, values?: unknown): MysqlQuery;
  on(event: 'error', listener: (err: unknown) => void): unknown;
  destroy(): void;
}

interface SqliteDatabase {
  prepare(sql: string): { iterate(...params: unknown[]): IterableIterator<Record<string, unknown>> };
}

let cursorSeq = 0;

/**
 * Reads the rows of `sql` in arrays of at most `size`, streamed from the server, on one pool
 * connection held for the whole read and released when it ends (also on an early `break` or an
 * error). Per driver:
 * - PostgreSQL: a server-side cursor (`DECLARE ... NO SCROLL CURSOR`, `FETCH <size>`) in a
 *   read's own transaction, so only one chunk is ever in memory;
 * - MySQL/MariaDB: mysql2's row stream; an early exit destroys that physical connection (the
 *   rest of the result would otherwise still be on its socket), and the pool replaces it;
 * - SQLite: better-sqlite3's statement iterator.
 */
export async function* sqlChunks(
  knex: Knex,
  client: SqlDialect['client'],
  sql: string,
  params: SqlQueryOptions['params'],
  size: number,
): AsyncGenerator<Record<string, unknown>[], void, undefined> {
  const native = (params === undefined ? knex.raw(sql) : knex.raw(sql, params as Knex.RawBinding[] | Knex.ValueDict)).toSQL().toNative();
  const bindings = [...native.bindings];
  const pool = knex.client as PoolClient;
  const connection = await pool.acquireConnection();
  try {
    if (client === 'pg') yield* pgChunks(connection as PgClient, native.sql, bindings, size);
    else if (client === 'mysql2') yield* mysqlChunks(connection as MysqlConnection, native.sql, bindings, size);
    else yield* batches((connection as SqliteDatabase).prepare(native.sql).iterate(...bindings), size);
  } finally {
    await pool.releaseConnection(connection);
  }
}

async function* pgChunks(pg: PgClient, sql: string, bindings: unknown[], size: number): AsyncGenerator<Record<string, unknown>[]> {
  const cursor = `nestjs_connections_chunks_${++cursorSeq}`;
  let open = false;
  try {
    await pg.query('BEGIN');
    open = true;
    await pg.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${sql}`, bindings);
    for (;;) {
      const { rows } = await pg.query(`FETCH ${size} FROM ${cursor}`);
      if (rows.length > 0) yield rows;
      if (rows.length < size) break;
    }
  } finally {
    // COMMIT or ROLLBACK both close the cursor; a read has nothing to keep.
    if (open) await pg.query('ROLLBACK').catch(() => undefined);
  }
}

async function* mysqlChunks(mysql: MysqlConnection, sql: string, bindings: unknown[], size: number): AsyncGenerator<Record<string, unknown>[]> {
  let finished = false;
  const query = mysql.query(sql, bindings);
  try {
    yield* batches(query.stream({ highWaterMark: size }), size);
    finished = true;
  } finally {
    if (!finished) {
      // Left early: the server is still sending the rest on this socket, so this connection is
      // not reusable. Destroyed, it fails knex's validation and the pool opens a fresh one.
      // What the server still sends (an error in a row the caller never asked for, say) is
      // nobody's to handle any more: without these listeners it would crash the process.
      const ignore = () => undefined;
      query.on('error', ignore);
      mysql.on('error', ignore);
      mysql.destroy();
    }
  }
}

async function* batches(
  rows: AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>>,
  size: number,
): AsyncGenerator<Record<string, unknown>[]> {
  let batch: Record<string, unknown>[] = [];
  for await (const row of rows) {
    batch.push(row);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
