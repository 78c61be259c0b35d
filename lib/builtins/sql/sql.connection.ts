import { Logger } from '@nestjs/common';
import type { Knex } from 'knex';
import { BaseConnection } from '../../core/base-connection.js';
import { kDescribeOptions } from '../../core/connection.symbols.js';
import type { ConnectContext } from '../../interfaces/use-options.interface.js';
import { Connection } from '../../core/connection.decorator.js';
import { parseDuration } from '../../utils/duration.util.js';
import { defaultExport, loadPeer } from '../../utils/load-peer.util.js';
import { tarnPoolStats } from '../../utils/pool-stats.util.js';
import type { ConnectionPoolInfo } from '../../interfaces/connection-info.interface.js';
import type { SqlConnectionOptions, SqlQueryOptions } from './sql-connection-options.interface.js';
import { isSqlConnectionError } from './sql-error-classifier.js';
import type { SqlDialect } from './sql-dialects.js';
import { knexConfigOf } from './sql-knex-config.js';
import { SqlQueryCache, queryCacheKey } from './sql-query-cache.js';
import { SqlQueryError } from '../../errors/sql-query.error.js';
import { rowsOf } from './sql-rows.js';
import { resolveSqlTarget } from './sql-target.js';

/** Tries of one `query()`: the first, and two more after a reset each. */
const QUERY_ATTEMPTS = 3;

/**
 * A SQL database through knex: PostgreSQL (`pg`), MySQL/MariaDB (`mysql2`) or SQLite
 * (`better-sqlite3`). The built-in type `'sql'`, Streamlit's `SQLConnection` for Nest:
 *
 * ```toml
 * [connections.notes]
 * type = "sql"
 * url = "postgresql://app:secret@db.internal:5432/notes"
 * ```
 *
 * - Reads: `query(sql, { params, ttl })` returns plain row objects, caches them for `ttl`, and
 *   on a connection-level failure resets and retries (3 attempts in all).
 * - Writes and transactions: `use((knex) => ...)`, never retried automatically.
 *
 * The drivers are optional peers, imported on the first connect.
 */
@Connection()
export class SqlConnection extends BaseConnection<Knex, SqlConnectionOptions> {
  /** One ttl cache per connected knex instance: a reset (a new instance) starts empty. */
  readonly #caches = new WeakMap<Knex, SqlQueryCache>();
  readonly #logger = new Logger('Connections');

  /**
   * Runs a read and returns its rows as plain objects.
   *
   * - `params`: values for `?` (an array) or `:name` (an object) placeholders.
   * - `ttl`: serve the same rows to the same SQL and params on this connection for this long;
   *   dropped on reset.
   * - A connection-level failure (see `_isConnectionError`) resets the connection and runs the
   *   query again, 3 attempts in all; then a `SqlQueryError` naming the connection, with the
   *   driver's error as `cause`. Any other error (syntax, constraint...) is thrown at once, as
   *   the driver raised it.
   *
   * Reads only: a statement with side effects could run more than once. Use `use()` for writes.
   */
  async query<Row extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    opts: SqlQueryOptions = {},
  ): Promise<Row[]> {
    if (typeof sql !== 'string' || sql.trim() === '') throw new TypeError('query() needs the SQL text');
    const ttlMs = ttlOf(opts.ttl);
    const { params } = opts;
    let attempts = 0;
    try {
      return (await this.use(
        (knex) => {
          attempts++;
          const run = async () => rowsOf(clientOf(knex), await raw(knex, sql, params));
          if (ttlMs === 0) return run();
          let cache = this.#caches.get(knex);
          if (!cache) this.#caches.set(knex, (cache = new SqlQueryCache()));
          return cache.get(queryCacheKey(sql, params), ttlMs, run);
        },
        { retry: QUERY_ATTEMPTS },
      )) as Row[];
    } catch (err) {
      if (attempts >= QUERY_ATTEMPTS && this.isConnectionError(err)) {
        throw new SqlQueryError(this.name, attempts, this._mask(err), err);
      }
      throw err;
    }
  }

  /** `info().dialect` and `util.inspect(conn)`: the dialect the options point at (bad options: none). */
  static [kDescribeOptions](options: SqlConnectionOptions): { dialect?: string } {
    try {
      return { dialect: resolveSqlTarget(options).dialect.name };
    } catch {
      return {};
    }
  }

  /** Checked when the options are bound, so a bad section fails bootstrap (S4). */
  protected override _validateOptions(options: SqlConnectionOptions): void {
    resolveSqlTarget(options);
  }

  /** Opens a pool and verifies it with one round trip before it counts as connected. */
  protected override async _connect(options: SqlConnectionOptions, _context: ConnectContext): Promise<Knex> {
    const target = resolveSqlTarget(options);
    const neededFor = `dialect "${target.dialect.name}" of SqlConnection`;
    const knexFactory = defaultExport<(config: Knex.Config) => Knex>(
      await loadPeer('knex', this.name, 'SqlConnection', (specifier) => this._importPeer(specifier)),
    );
    // knex require()s the driver itself; importing it first turns "not installed" into an
    // error that names the package and this connection.
    await loadPeer(target.dialect.client, this.name, neededFor, (specifier) => this._importPeer(specifier));
    const config = knexConfigOf(target, options, this.#knexLog());
    const knex = knexFactory(config);
    try {
      await knex.raw('select 1');
      await warmPool(knex, config.pool?.min);
    } catch (err) {
      await knex.destroy().catch(() => undefined);
      throw err;
    }
    return knex;
  }

  /** Destroys the pool: every server connection of this instance is closed. */
  protected override async _disconnect(knex: Knex): Promise<void> {
    await knex.destroy();
  }

  protected override async _ping(knex: Knex): Promise<void> {
    await knex.raw('select 1');
  }

  /** knex's tarn pool: `info().pool` and the pool metrics. */
  protected override _pool(knex: Knex): ConnectionPoolInfo | undefined {
    return tarnPoolStats((knex.client as { pool?: unknown }).pool);
  }

  /** See `isSqlConnectionError`: socket errors, and per driver the codes that end a session. */
  protected override _isConnectionError(err: unknown): boolean {
    return isSqlConnectionError(err);
  }

  /** How knex and the drivers are imported: `import()`, from this package's location. */
  protected _importPeer(specifier: string): Promise<unknown> {
    return import(specifier);
  }

  /** knex logs (acquire errors, deprecations) through Nest's logger, masked (M1). */
  #knexLog(): Knex.Logger {
    const prefix = () => `Connection "${this.name}" (knex): `;
    const text = (message: unknown) => prefix() + this._mask(message);
    return {
      warn: (message: unknown) => this.#logger.warn(text(message)),
      error: (message: unknown) => this.#logger.error(text(message)),
      deprecate: (method: string, alternative: string) => this.#logger.warn(`${prefix()}${method} is deprecated, use ${alternative}`),
      debug: (message: unknown) => this.#logger.debug(text(message)),
    };
  }
}

/**
 * Opens `pool.min` connections (when set above 1) before the instance counts as connected: a pool
 * swapped in by `reset({ strategy: 'swap' })` then serves warm instead of opening its connections
 * while requests wait. Each is acquired and released; one failure fails the connect.
 */
async function warmPool(knex: Knex, min: number | undefined): Promise<void> {
  if (!min || min <= 1) return;
  const client = knex.client as { acquireConnection(): Promise<unknown>; releaseConnection(connection: unknown): Promise<unknown> };
  const acquired = await Promise.allSettled(Array.from({ length: min }, () => client.acquireConnection()));
  await Promise.all(
    acquired.flatMap((result) => (result.status === 'fulfilled' ? [client.releaseConnection(result.value)] : [])),
  );
  const failed = acquired.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}

/** The knex client name (`pg`, `mysql2`, `better-sqlite3`) an instance was created with. */
function clientOf(knex: Knex): SqlDialect['client'] {
  return (knex.client as { config: { client: SqlDialect['client'] } }).config.client;
}

function raw(knex: Knex, sql: string, params: SqlQueryOptions['params']): Promise<unknown> {
  // Without params the SQL is sent as written: a `?` in it (a jsonb operator) is not a placeholder.
  return params === undefined
    ? knex.raw(sql)
    : knex.raw(sql, params as Knex.RawBinding[] | Knex.ValueDict);
}

function ttlOf(ttl: SqlQueryOptions['ttl']): number {
  if (ttl === undefined || ttl === null) return 0;
  const ms = parseDuration(ttl);
  if (ms === undefined) throw new TypeError('query() ttl must be milliseconds or a duration such as "30s", "5m", "1h"');
  return ms;
}
