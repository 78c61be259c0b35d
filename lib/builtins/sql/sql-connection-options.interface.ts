import type { Duration } from '../../interfaces/connection-policy.interface.js';
import type { StreamlitSqlKeys } from './streamlit-sql-keys.interface.js';

/**
 * Options of a `SqlConnection` (type `'sql'`): Streamlit's `SQLConnection` keys, and knex's.
 *
 * Give either a `url` (`dialect[+driver]://username:password@host:port/database?query`), or
 * its parts. When `url` is set it wins: the parts are ignored. Every other key is passed to
 * knex as is (`pool`, `acquireConnectionTimeout`, `searchPath`, ...); a `connection` table is
 * merged into the driver's connection settings (`ssl`, `timezone`, ...).
 */
export interface SqlConnectionOptions extends StreamlitSqlKeys {
  /** Driver connection settings merged over the ones computed from the keys above. */
  connection?: Record<string, unknown>;
  /** knex pool settings (`min`, `max`, `idleTimeoutMillis`, ...). */
  pool?: Record<string, unknown>;
  /**
   * Most results the `query()` ttl cache keeps per connected instance; past it the least
   * recently used is dropped. Default 1000. Not passed to knex.
   */
  queryCacheMax?: number | string;
  /** Any other knex option. */
  [knexOption: string]: unknown;
}

/** Options of `SqlConnection.query()`. */
export interface SqlQueryOptions {
  /** Values for `?` placeholders (an array) or `:name` placeholders (an object). */
  params?: readonly unknown[] | Record<string, unknown>;
  /**
   * Serve the same rows for this long (ms or `'30s'`, `'5m'`...) to later calls with the same
   * SQL and params on this connection. The cache belongs to the connected instance: a reset
   * drops it. Unset or 0: no caching.
   */
  ttl?: Duration;
  /**
   * Stream the rows instead: `query()` returns an async iterator of row arrays of at most this
   * many rows, read from the server as the loop asks for them (as Streamlit's `chunksize`).
   * No `ttl` and no retry with it.
   */
  chunksize?: number;
}
