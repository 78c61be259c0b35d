import { Logger } from '@nestjs/common';
import type { Knex } from 'knex';
import { BaseConnection } from '../../core/base-connection.js';
import { kDescribeOptions } from '../../core/connection.symbols.js';
import { currentConnectionKey } from '../../core/connection-key.context.js';
import type { ConnectContext } from '../../interfaces/use-options.interface.js';
import type { FunctionOptionKind } from '../../interfaces/option-value.interface.js';
import { Connection } from '../../core/connection.decorator.js';
import { kOptionKeys } from '../../core/option-keys.js';
import { parseDuration } from '../../utils/duration.util.js';
import { defaultExport, loadPeer } from '../../utils/load-peer.util.js';
import { tarnPoolStats } from '../../utils/pool-stats.util.js';
import type { ConnectionPoolInfo } from '../../interfaces/connection-info.interface.js';
import type { SqlConnectionOptions, SqlQueryOptions } from './sql-connection-options.interface.js';
import { isSqlConnectionError } from './sql-error-classifier.js';
import type { SqlDialect } from './sql-dialects.js';
import { knexConfigOf, type PgUrlParser } from './sql-knex-config.js';
import { checkedPassword, pgConnectionStringParser } from './sql-password.js';
import { SqlQueryCache, queryCacheKey } from './sql-query-cache.js';
import { SqlQueryError } from '../../errors/sql-query.error.js';
import { rowsOf } from './sql-rows.js';
import { sqlChunks } from './sql-chunks.js';
import { checkSqlOptions, queryCacheMaxOf, resolveSqlTarget } from './sql-target.js';
import { coerceOptionStrings, type CoercedKeys } from '../../utils/coerce.util.js';

/** Keys whose environment strings mean numbers or booleans (CONNECTIONS__DB__POOL__MAX=10, ...). */
export const SQL_TYPED_KEYS: CoercedKeys = {
  numbers: [
    'port',
    'pool.min',
    'pool.max',
    'pool.acquireTimeoutMillis',
    'pool.createTimeoutMillis',
    'pool.destroyTimeoutMillis',
    'pool.idleTimeoutMillis',
    'pool.reapIntervalMillis',
    'pool.createRetryIntervalMillis',
    'acquireConnectionTimeout',
  ],
  booleans: ['pool.propagateCreateError', 'asyncStackTraces', 'debug', 'useNullAsDefault'],
};

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
  /** So CONNECTIONS__<NAME>__POOL__IDLE_TIMEOUT_MILLIS finds `pool.idleTimeoutMillis`. */
  static readonly [kOptionKeys] = [...SQL_TYPED_KEYS.numbers!, ...SQL_TYPED_KEYS.booleans!];
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
   * - `chunksize`: returns an async iterator of row arrays of at most that many rows instead,
   *   streamed from the server (see `sqlChunks`) on one pool connection, under one lease (a
   *   reset lets the loop finish on its instance); no `ttl`, no retry. A `break` ends the read
   *   and releases the connection. On SQLite, run nothing else on this connection inside the loop.
   *
   * Reads only: a statement with side effects could run more than once. Use `use()` for writes.
   */
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    opts: SqlQueryOptions & { chunksize: number },
  ): AsyncIterableIterator<Row[]>;
  query<Row extends Record<string, unknown> = Record<string, unknown>>(sql: string, opts?: SqlQueryOptions): Promise<Row[]>;
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    opts: SqlQueryOptions = {},
  ): Promise<Row[]> | AsyncIterableIterator<Row[]> {
    if (typeof sql !== 'string' || sql.trim() === '') throw new TypeError('query() needs the SQL text');
    if (opts.chunksize !== undefined) {
      const size = opts.chunksize;
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
        throw new TypeError('query() chunksize must be a whole number above 0');
      }
      if (opts.ttl !== undefined && opts.ttl !== null && opts.ttl !== 0) {
        throw new TypeError('query() ttl cannot be combined with chunksize: streamed rows are not kept');
      }
      return this.#chunks(sql, opts.params, size) as AsyncIterableIterator<Row[]>;
    }
    return this.#rows<Row>(sql, opts);
  }

  /**
   * The chunks of a streamed read, under one lease: a reset while the loop runs lets it finish
   * on the instance it began on (R5), which is disposed once the iterator ends.
   */
  async *#chunks(sql: string, params: SqlQueryOptions['params'], size: number): AsyncGenerator<Record<string, unknown>[], void, undefined> {
    let leased!: (knex: Knex) => void;
    let failed!: (err: unknown) => void;
    const knexReady = new Promise<Knex>((resolve, reject) => ((leased = resolve), (failed = reject)));
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const lease = this.use(async (knex) => {
      leased(knex);
      await finished;
    });
    lease.catch(failed);
    const knex = await knexReady;
    try {
      yield* sqlChunks(knex, clientOf(knex), sql, params, size);
    } finally {
      finish();
      await lease;
    }
  }

  async #rows<Row extends Record<string, unknown>>(sql: string, opts: SqlQueryOptions): Promise<Row[]> {
    const ttlMs = ttlOf(opts.ttl);
    const { params } = opts;
    let attempts = 0;
    let last: Knex | null = null;
    try {
      return (await this.use(
        (knex) => {
          attempts++;
          last = knex;
          const run = async () => rowsOf(clientOf(knex), await raw(knex, sql, params));
          if (ttlMs === 0) return run();
          let cache = this.#caches.get(knex);
          if (!cache) this.#caches.set(knex, (cache = new SqlQueryCache(queryCacheMaxOf(this._options))));
          return cache.get(queryCacheKey(sql, params), ttlMs, run);
        },
        { retry: QUERY_ATTEMPTS },
      )) as Row[];
    } catch (err) {
      if (attempts >= QUERY_ATTEMPTS && this.isConnectionError(err)) {
        // `use()` resets after each failed try but the last; the broken client must not stay
        // in service either (Streamlit resets after every failure), so reset it here, unless
        // another caller has already replaced it.
        if (last !== null && (await this.#inService()) === last) await this.reset().catch(() => undefined);
        throw new SqlQueryError(this.name, attempts, this._mask(err), err);
      }
      throw err;
    }
  }

  /**
   * Function values of these keys reach `_connect` as functions: `password` (so pg can call it
   * for every physical connection it opens), and knex's own hooks. Every other function value
   * set in code is called on each connect (BaseConnection).
   */
  protected static override readonly functionOptions: Readonly<Record<string, FunctionOptionKind>> = {
    password: 'provider',
    postProcessResponse: 'callback',
    wrapIdentifier: 'callback',
  };

  /** `info().dialect` and `util.inspect(conn)`: the dialect the options point at (bad options: none). */
  static [kDescribeOptions](options: SqlConnectionOptions): { dialect?: string } {
    try {
      return { dialect: resolveSqlTarget(options).dialect.name };
    } catch {
      return {};
    }
  }

  /** The instance in service (the current key's, when keyed), without connecting one. */
  async #inService(): Promise<Knex | null> {
    const key = currentConnectionKey();
    const target = key !== undefined && this.info().keys ? this.for(key) : this;
    return target.state === 'connected' ? target.resolve() : null;
  }

  /** Checked when the options are bound, so a bad section fails bootstrap (S4). */
  protected override _validateOptions(options: SqlConnectionOptions): void {
    checkSqlOptions(coerceOptionStrings(options, SQL_TYPED_KEYS));
  }

  /** Opens a pool and verifies it with one round trip before it counts as connected. */
  protected override async _connect(given: SqlConnectionOptions, _context: ConnectContext): Promise<Knex> {
    const options = coerceOptionStrings(given, SQL_TYPED_KEYS);
    const target = resolveSqlTarget(options);
    const neededFor = `dialect "${target.dialect.name}" of SqlConnection`;
    const knexFactory = defaultExport<(config: Knex.Config) => Knex>(
      await loadPeer('knex', this.name, 'SqlConnection', (specifier) => this._importPeer(specifier)),
    );
    // knex require()s the driver itself; importing it first turns "not installed" into an
    // error that names the package and this connection.
    await loadPeer(target.dialect.client, this.name, neededFor, (specifier) => this._importPeer(specifier));
    const { password } = target;
    let pgUrl: PgUrlParser | undefined;
    if (typeof password === 'function') {
      // pg takes the function and calls it per physical connection; mysql2 needs the string,
      // so this instance keeps the one it got now (a ttl + refreshAhead replaces it in time).
      if (target.dialect.client === 'pg') pgUrl = pgConnectionStringParser();
      else target.password = await checkedPassword(password)();
    }
    const config = knexConfigOf(target, options, this.#knexLog(), pgUrl);
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
